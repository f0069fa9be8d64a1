#!/bin/sh
# test_playground.sh - the playground's server driven with curl, as the page and
# a user of its API meet it, in the release build and again under AddressSanitizer
# and UBSan (double precision): a drawn 7 comes back as 7; the add and date
# boxes answer as 05_rnn add and date do, with an attention map whose rows sum
# to 1; the GAN draws the same image from the same noise; the page's files are
# served from the compiled-in list only; every kind of bad request gets its 4xx
# and a one-line JSON error; a concurrent burst gets no error and the same
# answers as one request at a time; Ctrl-C stops it with status 0 and (under
# ASan) no leak. Prints "N passed, N failed" like the C tests.
. tests/playground_lib.sh

if ! command -v curl >/dev/null 2>&1; then
    echo "fail curl is needed for the playground's tests: apt-get install curl"
    echo "0 passed, 1 failed"
    exit 1
fi
check "the test models train" make_models

# ---- the requests ------------------------------------------------------------------

. playground/draw.sh     # draw: a digit as the page sends it
draw "0.26 0.2 0.74 0.2 0.46 0.84" >"$tmp/seven.json"        # the page's own 7 (app.js, STROKES)
draw "0.42 0.26 0.54 0.16 0.54 0.84" >"$tmp/one.json"

# MNIST's first test image, a 7, as {"image": [784 values in 0-1]}.
gzip -dc "$data/t10k-images-idx3-ubyte.gz" | od -An -v -tu1 -j16 -N784 |
    awk 'BEGIN { printf "{\"image\": [" } { for (i = 1; i <= NF; i++) printf "%s%.4f", n++ ? "," : "", $i / 255 }
         END { printf "]}\n" }' >"$tmp/mnist7.json"

post() {    # PATH FILE -> body in $tmp/body, status in $tmp/status
    curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data-binary @"$2" "$url${1#/}" >"$tmp/status"
}
status_is() { [ "$(cat "$tmp/status")" = "$1" ]; }
# the digit SimpleConvNet read
simple_digit() { sed -n 's/.*"name": "SimpleConvNet", "digit": \([0-9]\).*/\1/p' "$tmp/body"; }

reads_as() {     # FILE DIGIT
    post /api/digit "$1" && status_is 200 && [ "$(simple_digit)" = "$2" ] && grep -q '"server_ms": ' "$tmp/body" ||
        { echo "  got $(cat "$tmp/status"): $(head -c 300 "$tmp/body")"; return 1; }
}
# the image the nets saw: 784 values, some ink, all in 0-1
saw_an_image() {
    post /api/digit "$tmp/seven.json" &&
        sed 's/.*"image": \[\([^]]*\)\].*/\1/' "$tmp/body" | tr ',' '\n' |
        awk '$1 < 0 || $1 > 1 { bad = 1 } $1 > 0.5 { ink++ } END { exit !(NR == 784 && !bad && ink > 20) }'
}

# one bad request: METHOD PATH STATUS [curl data args...]; the answer must be
# that status and one line of JSON: {"error": "..."}
refused() {
    method=$1; path=$2; want=$3; shift 3
    curl -s -o "$tmp/body" -w '%{http_code}' -X "$method" "$@" "$url${path#/}" >"$tmp/status"
    got=$(cat "$tmp/status")
    if [ "$got" != "$want" ] || [ "$(wc -l <"$tmp/body")" -ne 1 ] || ! grep -q '^{"error": ".*"}$' "$tmp/body"; then
        echo "  $method $path: expected $want and a one-line JSON error, got $got: $(head -c 200 "$tmp/body")"
        return 1
    fi
}
bad_json() { printf '%s' "$2" >"$tmp/req"; refused POST "$1" 400 --data-binary @"$tmp/req"; }

run_bad_requests() {
    ok=0
    # malformed JSON and wrong shapes
    bad_json /api/digit '{"width": 112,' || ok=1
    bad_json /api/digit 'hello' || ok=1
    bad_json /api/digit '' || ok=1
    bad_json /api/digit '[1, 2, 3]' || ok=1
    bad_json /api/digit '{"image": [0, 0, 0]} trailing' || ok=1
    bad_json /api/digit '{"image": [0, 0,]}' || ok=1
    bad_json /api/digit '{"image": [[[[[[[[0]]]]]]]]}' || ok=1
    bad_json /api/digit '{"image": [01]}' || ok=1
    bad_json /api/digit '{"image": [NaN]}' || ok=1
    bad_json /api/digit '{"image": [1e999]}' || ok=1
    bad_json /api/digit '{"colour": "red"}' || ok=1
    bad_json /api/digit '{"width": 2, "width": 2, "height": 1, "pixels": [0, 0]}' || ok=1
    bad_json /api/digit '{"image": [0], "width": 1, "height": 1, "pixels": [0]}' || ok=1
    printf '{"width": 1, "height": 1, "pixels": [0], "x\377": 1}' >"$tmp/req"
    refused POST /api/digit 400 --data-binary @"$tmp/req" || ok=1      # not UTF-8
    # wrong sizes
    bad_json /api/digit '{"image": [0, 0, 0]}' || ok=1
    bad_json /api/digit '{"width": 112, "height": 112, "pixels": [0, 0, 0]}' || ok=1
    bad_json /api/digit '{"width": 2, "height": 2}' || ok=1
    # out of range
    bad_json /api/digit '{"width": 2, "height": 1, "pixels": [0, 300]}' || ok=1
    bad_json /api/digit '{"width": 2, "height": 1, "pixels": [-1, 0]}' || ok=1
    bad_json /api/digit '{"width": 0, "height": 1, "pixels": []}' || ok=1
    bad_json /api/digit '{"width": 5000, "height": 1, "pixels": [0]}' || ok=1
    bad_json /api/digit '{"width": -3, "height": 1, "pixels": [0]}' || ok=1
    sed 's/\[0.0000/[1.5/' "$tmp/mnist7.json" >"$tmp/req"
    refused POST /api/digit 400 --data-binary @"$tmp/req" || ok=1
    # nothing drawn: a valid request with no digit in it
    draw "" >"$tmp/req"
    refused POST /api/digit 422 --data-binary @"$tmp/req" || ok=1
    # too large: announced (Content-Length), and sent in chunks without a length
    head -c 1100000 /dev/zero | tr '\0' ' ' >"$tmp/big"
    refused POST /api/digit 413 --data-binary @"$tmp/big" || ok=1
    refused POST /api/digit 413 -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" || ok=1
    # text: out of range, unknown characters, wrong types
    bad_json /api/text '{"temperature": 9}' || ok=1
    bad_json /api/text '{"temperature": -0.5}' || ok=1
    bad_json /api/text '{"length": 0}' || ok=1
    bad_json /api/text '{"length": 99999}' || ok=1
    bad_json /api/text '{"length": 2.5}' || ok=1
    bad_json /api/text '{"top_k": 1000}' || ok=1
    bad_json /api/text '{"seed": -1}' || ok=1
    bad_json /api/text '{"prompt": "Жук"}' || ok=1
    bad_json /api/text '{"prompt": 7}' || ok=1
    bad_json /api/text '{"prompt": "a\u0000b"}' || ok=1
    # add and date: not a problem, too long, empty, unknown characters, wrong fields
    bad_json /api/add '{"problem": "17+"}' || ok=1
    bad_json /api/add '{"problem": "1234+5"}' || ok=1
    bad_json /api/add '{"problem": "17-38"}' || ok=1
    bad_json /api/add '{"problem": "17+385 "}' || ok=1
    bad_json /api/add '{"problem": 17}' || ok=1
    bad_json /api/add '{"problem": "1+1", "problem": "2+2"}' || ok=1
    bad_json /api/add '{}' || ok=1
    bad_json /api/add '{"text": "1+1"}' || ok=1
    bad_json /api/date '{"text": ""}' || ok=1
    bad_json /api/date '{"text": "the twenty-seventh of september, 1994"}' || ok=1
    bad_json /api/date '{"text": "27 sep 94 \u00e9"}' || ok=1
    bad_json /api/date '{"text": "27 $ 94"}' || ok=1
    bad_json /api/date '{"text": ["27 sep 94"]}' || ok=1
    bad_json /api/date '{"problem": "1+1"}' || ok=1
    # gan: digits out of range or not asked for, wrong z, unknown models and fields
    bad_json /api/gan '{"model": "cgan", "digit": 10}' || ok=1
    bad_json /api/gan '{"model": "cgan", "digit": -1}' || ok=1
    bad_json /api/gan '{"model": "cgan", "digit": 2.5}' || ok=1
    bad_json /api/gan '{"model": "cgan"}' || ok=1
    bad_json /api/gan '{"model": "mlp_gan", "digit": 3}' || ok=1
    bad_json /api/gan '{"model": "dcgan"}' || ok=1
    bad_json /api/gan '{"model": 7}' || ok=1
    bad_json /api/gan '{"model": "cgan", "digit": 1, "z": [0, 0, 0]}' || ok=1
    bad_json /api/gan "{\"model\": \"cgan\", \"digit\": 1, \"z\": [$(zeros 101)]}" || ok=1
    bad_json /api/gan "{\"model\": \"cgan\", \"digit\": 1, \"z\": [$(zeros 99), 11]}" || ok=1
    bad_json /api/gan "{\"model\": \"cgan\", \"digit\": 1, \"z\": [$(zeros 99), NaN]}" || ok=1
    bad_json /api/gan "{\"model\": \"cgan\", \"digit\": 1, \"z\": [$(zeros 99), 1e999]}" || ok=1
    bad_json /api/gan "{\"model\": \"cgan\", \"digit\": 1, \"z\": [$(zeros 100)], \"seed\": 3}" || ok=1
    bad_json /api/gan '{"model": "cgan", "digit": 1, "seed": -3}' || ok=1
    bad_json /api/gan '{"model": "cgan", "digit": 1, "colour": "red"}' || ok=1
    bad_json /api/gan '{"model": "cgan", "digit": 1, "digit": 2}' || ok=1
    bad_json /api/gan '{"model": "cgan", "digit": 1,}' || ok=1
    # paths and methods
    refused GET /api/gan 405 || ok=1
    refused PUT /api/date 405 -d '{}' || ok=1
    refused GET /api/nothing 404 || ok=1
    refused GET /nothing.html 404 || ok=1
    refused GET /../Makefile 404 --path-as-is || ok=1
    refused GET /%2e%2e/Makefile 404 --path-as-is || ok=1
    refused GET /playground/app.js 404 || ok=1
    refused GET /api/digit 405 || ok=1
    refused POST /api/models 405 -d '{}' || ok=1
    refused DELETE / 405 || ok=1
    return $ok
}

# The page's three files, byte for byte what is in playground/, with their types;
# nothing else of the repository is reachable.
serves_page() {
    for f in index.html:text/html app.js:text/javascript style.css:text/css; do
        file=${f%%:*}; type=${f#*:}
        curl -s -D "$tmp/headers" -o "$tmp/page" "$url$file" &&
            cmp -s "$tmp/page" "playground/$file" &&
            grep -qi "^content-type: $type" "$tmp/headers" || { echo "  $file not served as it is"; return 1; }
    done
    curl -s -o "$tmp/page" "$url" && cmp -s "$tmp/page" playground/index.html
}

zeros() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%s0", i ? ", " : "" }'; }

models_listed() {
    curl -s "${url}api/models" >"$tmp/body" &&
        grep -q "\"name\": \"SimpleConvNet\", \"file\": \"$models/04_cnn/simple_conv_net.safetensors\"" "$tmp/body" &&
        grep -q '"text": {"name": "char LSTM, 1 x 32"' "$tmp/body" &&
        grep -q "\"seq2seq\": {\"add\": {\"name\": \"peeky\", \"file\": \"$models/05_rnn/addition_peeky.safetensors\"" "$tmp/body" &&
        grep -q "\"date\": {\"name\": \"attention\", \"file\": \"$models/05_rnn/dates_attention.safetensors\"" "$tmp/body" &&
        grep -q '"gan": \[{"name": "cgan", "kind": "mlp", "classes": 10, "z_dim": 100, "width": 28, "height": 28, "epochs": 1' "$tmp/body" &&
        grep -q '{"name": "mlp_gan", "kind": "mlp", "classes": 0,' "$tmp/body" ||
        { echo "  got: $(cat "$tmp/body")"; return 1; }
}

# ---- add, date, gan --------------------------------------------------------------------

field() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$tmp/body"; }     # a string field of the answer
# The addition box answers as 05_rnn add does (the same model, the same code;
# compared in the release build, where both are the same float code),
# in the form of a sum: up to 4 digits; "sum" and "right" tell the truth.
adds_as_the_chapter() {
    printf '{"problem": "17+385"}' >"$tmp/req"
    post /api/add "$tmp/req" && status_is 200 || { echo "  got $(cat "$tmp/status"): $(cat "$tmp/body")"; return 1; }
    ans=$(field answer)
    cli=$("$rel/bin/05_rnn" add 17+385 --out "$models/05_rnn" | sed -n 's/^17+385 = \([0-9]*\).*/\1/p')
    right=false; [ "$ans" = 402 ] && right=true
    [ "$b" != release ] && cli=$ans    # (the double-precision build may break a near tie otherwise)
    echo "$ans" | grep -Eq '^[0-9]{0,4}$' && [ "$ans" = "$cli" ] && grep -q "\"sum\": 402, \"right\": $right" "$tmp/body" &&
        post /api/add "$tmp/req" && [ "$(field answer)" = "$ans" ] ||
        { echo "  API: '$ans' ($(cat "$tmp/body")), 05_rnn add: '$cli'"; return 1; }
}
# The date box answers as 05_rnn date does; its attention map has a row per
# character written and a column per character read, and each row (with the
# padding's share) sums to 1.
dates_as_the_chapter() {
    printf '{"text": "27 sep 94"}' >"$tmp/req"
    post /api/date "$tmp/req" && status_is 200 || { echo "  got $(cat "$tmp/status"): $(cat "$tmp/body")"; return 1; }
    ans=$(field answer)
    cli=$("$rel/bin/05_rnn" date "27 sep 94" --out "$models/05_rnn" | sed -n 's/^27 sep 94 -> //p')
    [ "$b" != release ] && cli=$ans
    [ "$ans" = "$cli" ] && [ ${#ans} -ge 1 ] && [ ${#ans} -le 10 ] ||
        { echo "  API: '$ans', 05_rnn date: '$cli'"; return 1; }
    grep -q '"input": \["2", "7", " ", "s", "e", "p", " ", "9", "4"\]' "$tmp/body" || { echo "  input: $(cat "$tmp/body")"; return 1; }
    # the rows of weights, one per line, then the padding; each row + its padding = 1
    sed 's/.*"weights": \[\(.*\)\], "padding": \[\([^]]*\)\].*/\1\n\2/' "$tmp/body" |
        awk -v rows=${#ans} 'NR == 1 { n = split($0, r, "\\], \\["); for (t = 1; t <= n; t++) { gsub(/[][]/, "", r[t]);
                                    c = split(r[t], w, ", "); s[t] = 0; for (i = 1; i <= c; i++) s[t] += w[i]; cols[t] = c } }
             NR == 2 { m = split($0, p, ", ") }
             END { if (n != rows || m != rows) { print "  rows: " n ", padding: " m ", answer: " rows; exit 1 }
                   for (t = 1; t <= n; t++) if (cols[t] != 9 || (s[t] + p[t] - 1) ^ 2 > 1e-4) {
                       print "  row " t ": " cols[t] " columns, sum " s[t] " + padding " p[t]; exit 1 } }'
}
image_of() { sed 's/.*"image": \[\([^]]*\)\].*/\1/' "$tmp/body"; }
# The GAN: a drawing of 28x28 grey levels in 0-1 and the z it came from; the
# same seed or the same z draws the same image, another digit another.
gan_draws() {
    printf '{"model": "cgan", "digit": 7, "seed": 3}' >"$tmp/req"
    post /api/gan "$tmp/req" && status_is 200 && image_of >"$tmp/gan-a" &&
        tr ',' '\n' <"$tmp/gan-a" | awk '$1 < 0 || $1 > 1 { bad = 1 } END { exit !(NR == 784 && !bad) }' &&
        sed 's/.*"z": \[\([^]]*\)\].*/\1/' "$tmp/body" | tr ',' '\n' | awk 'END { exit NR != 100 }' &&
        grep -q '^{"model": "cgan", "digit": 7, "seed": 3, "z": \[' "$tmp/body" &&
        post /api/gan "$tmp/req" && image_of | cmp -s - "$tmp/gan-a" &&
        printf '{"model": "cgan", "digit": 1, "seed": 3}' >"$tmp/req" &&
        post /api/gan "$tmp/req" && ! image_of | cmp -s - "$tmp/gan-a" &&
        printf '{"model": "mlp_gan", "z": [%s]}' "$(zeros 99), 2.5" >"$tmp/req" &&
        post /api/gan "$tmp/req" && status_is 200 && image_of >"$tmp/gan-z" &&
        grep -q '"digit": null, "seed": null' "$tmp/body" &&
        post /api/gan "$tmp/req" && image_of | cmp -s - "$tmp/gan-z" ||
        { echo "  got $(cat "$tmp/status"): $(head -c 300 "$tmp/body")"; return 1; }
}

text_of() { sed -n 's/.*"text": "\(.*\)", "seed".*/\1/p' "$tmp/body"; }
# the tiny LSTM learnt its three lines: greedy after "a dog r" comes "an to the café."
text_continues() {
    printf '{"prompt": "a dog r", "temperature": 0, "length": 15}' >"$tmp/req"
    post /api/text "$tmp/req" && status_is 200 && [ "$(text_of)" = "an to the café." ] ||
        { echo "  got $(cat "$tmp/status"): $(cat "$tmp/body")"; return 1; }
}
text_is_seeded() {
    printf '{"prompt": "λ is", "temperature": 1.5, "length": 200, "seed": 5}' >"$tmp/req"
    post /api/text "$tmp/req" && status_is 200 && a=$(text_of) &&
        post /api/text "$tmp/req" && [ "$(text_of)" = "$a" ] && [ -n "$a" ] &&
        printf '{"prompt": "λ is", "temperature": 1.5, "length": 200, "seed": 6}' >"$tmp/req" &&
        post /api/text "$tmp/req" && [ "$(text_of)" != "$a" ]
}

# 64 drawings and 16 texts at once, 16 connections at a time: every answer 200,
# and the same as the one asked alone (no request saw another's buffers).
burst() {
    post /api/digit "$tmp/seven.json" && sed 's/"server_ms": [0-9.]*//' "$tmp/body" >"$tmp/alone-digit"
    printf '{"prompt": "a dog", "temperature": 1, "length": 300, "seed": 11}' >"$tmp/text.json"
    post /api/text "$tmp/text.json" && sed 's/"server_ms": [0-9.]*//' "$tmp/body" >"$tmp/alone-text"
    printf '{"problem": "17+385"}' >"$tmp/add.json"
    printf '{"text": "27 sep 94"}' >"$tmp/date.json"
    printf '{"model": "cgan", "digit": 7, "seed": 3}' >"$tmp/gan.json"
    for e in add date gan; do
        post /api/$e "$tmp/$e.json" && sed 's/"server_ms": [0-9.]*//' "$tmp/body" >"$tmp/alone-$e"
    done
    mkdir -p "$tmp/burst"
    # curl's config: one block per request ("next" between them resets the options)
    one() {     # API FILE OUTPUT
        printf 'url = "%sapi/%s"\ndata-binary = "@%s"\noutput = "%s"\n' "$url" "$1" "$2" "$3"
        printf 'header = "Content-Type: application/json"\nwrite-out = "%%{http_code}\\n"\nsilent\n'
    }
    {
        i=0
        while [ $i -lt 64 ]; do
            [ $i -gt 0 ] && echo next
            one digit "$tmp/seven.json" "$tmp/burst/digit$i"
            if [ $((i % 4)) -eq 0 ]; then
                echo next
                one text "$tmp/text.json" "$tmp/burst/text$i"
            fi
            if [ $((i % 4)) -eq 1 ]; then
                for e in add date gan; do
                    echo next
                    one $e "$tmp/$e.json" "$tmp/burst/$e$i"
                done
            fi
            i=$((i + 1))
        done
    } >"$tmp/burst.cfg"
    curl -s --parallel --parallel-max 16 -K "$tmp/burst.cfg" >"$tmp/codes" 2>"$tmp/curl.log"
    [ "$(grep -c '^200$' "$tmp/codes")" -eq 128 ] || { echo "  status codes: $(sort "$tmp/codes" | uniq -c | tr '\n' ' ')"; return 1; }
    for f in "$tmp"/burst/digit*; do
        sed 's/"server_ms": [0-9.]*//' "$f" | cmp -s - "$tmp/alone-digit" || { echo "  $f differs"; return 1; }
    done
    for f in "$tmp"/burst/text*; do
        sed 's/"server_ms": [0-9.]*//' "$f" | cmp -s - "$tmp/alone-text" || { echo "  $f differs"; return 1; }
    done
    for e in add date gan; do
        for f in "$tmp"/burst/$e*; do
            sed 's/"server_ms": [0-9.]*//' "$f" | cmp -s - "$tmp/alone-$e" || { echo "  $f differs"; return 1; }
        done
    done
}

stops_cleanly() {
    stop_server
    [ "$stopped_status" -eq 0 ] && grep -q 'stopped by Ctrl-C after' "$1" &&
        ! grep -q 'Sanitizer' "$1" || { echo "  exit status $stopped_status:"; tail -n 20 "$1" | sed 's/^/    /'; return 1; }
}

# ---- both builds -------------------------------------------------------------------------

for build in "$rel" "$chk"; do
    [ "$build" = "$rel" ] && b="release" || b="ASan"
    log=$tmp/server-$b.log
    if ! start_server "$build/bin/playground" "$log" --out "$models"; then
        check "$b: the server starts" false
        continue
    fi
    check "$b: the page's files are served as they are, only they" serves_page
    check "$b: /api/models lists the models found" models_listed
    check "$b: a 7 drawn as the page sends it reads as 7" reads_as "$tmp/seven.json" 7
    check "$b: a 1 drawn as the page sends it reads as 1" reads_as "$tmp/one.json" 1
    check "$b: MNIST's first test image (a 7), sent as is, reads as 7" reads_as "$tmp/mnist7.json" 7
    check "$b: the answer holds the 28x28 image the nets saw" saw_an_image
    check "$b: every bad request gets its 4xx and a one-line JSON error" run_bad_requests
    check "$b: the char LSTM continues a prompt (greedy)" text_continues
    check "$b: a text's seed gives the same text, another seed another" text_is_seeded
    check "$b: the add box answers as 05_rnn add does, in the form of a sum" adds_as_the_chapter
    check "$b: the date box answers as 05_rnn date does; the attention map's rows sum to 1" dates_as_the_chapter
    check "$b: the GAN draws a 28x28 image; the same seed or z, the same image" gan_draws
    check "$b: a concurrent burst (128 requests of all five kinds, 16 at a time) has no errors and the answers of single requests" burst
    check "$b: Ctrl-C stops it, status 0$([ $b = ASan ] && echo ', no leak or sanitizer report')" stops_cleanly "$log"
done

# ---- starting --------------------------------------------------------------------------

# --host other than this machine says what that exposes
host_warns() {
    start_server "$rel/bin/playground" "$tmp/host.log" --out "$models" --host 0.0.0.0 &&
        grep -q '^warning: listening on 0.0.0.0, not 127.0.0.1' "$tmp/host.log" && stop_server
}
check "--host 0.0.0.0 warns what it exposes" host_warns
# no model at all: one line saying how to get one, status 1
no_models() {
    mkdir -p "$tmp/empty"
    out=$("$rel/bin/playground" --port 0 --out "$tmp/empty" 2>&1)
    [ $? -eq 1 ] && echo "$out" | grep -q 'no trained model in .*make playground trains'
}
check "with no model it stops with a one-line hint" no_models
bad_port() {
    out=$("$rel/bin/playground" --port 70000 --out "$models" 2>&1)
    [ $? -ne 0 ] && echo "$out" | grep -q -- '--port must be from 0 to 65535'
}
check "--port out of range is refused" bad_port
# a port in use: one line, not a crash
port_in_use() {
    start_server "$rel/bin/playground" "$tmp/first.log" --out "$models" || return 1
    port=$(echo "$url" | sed 's|.*:\([0-9]*\)/$|\1|')
    out=$("$rel/bin/playground" --port "$port" --out "$models" 2>&1)
    rc=$?
    stop_server
    [ $rc -eq 1 ] && echo "$out" | grep -q "cannot listen on 127.0.0.1 port $port"
}
check "a port in use is a one-line error" port_in_use

# make playground with no model saved trains SimpleConvNet first, then serves it
# (here a small one: PLAY_TRAIN_ARGS; the real target trains the chapter's 6 epochs)
make_playground_trains() {
    make -s playground DATA="$(dirname "$data")" PLAY_OUT="$tmp/fresh" ARGS="--port 0" \
        PLAY_TRAIN_ARGS="--epochs 1 --train-size 2000 --quiet" >"$tmp/make.log" 2>&1 &
    make_pid=$!
    n=0
    while [ $n -lt 1200 ] && ! grep -q '^Playground: http' "$tmp/make.log" 2>/dev/null; do
        kill -0 "$make_pid" 2>/dev/null || break
        sleep 0.1; n=$((n + 1))
    done
    # the server is make's child: find it by the folder only this test uses, stop it by its id
    server_pid=$(ps -eo pid=,args= | awk -v out="--out $tmp/fresh" 'index($0, out) && /bin\/playground/ { print $1 }')
    [ -n "$server_pid" ] && kill -INT $server_pid
    wait "$make_pid"
    rc=$?
    grep -q "^playground: no SimpleConvNet saved in $tmp/fresh/04_cnn: training one first" "$tmp/make.log" &&
        [ -f "$tmp/fresh/04_cnn/simple_conv_net.safetensors" ] &&
        grep -q "digits: SimpleConvNet $tmp/fresh/04_cnn/simple_conv_net.safetensors" "$tmp/make.log" &&
        grep -q '^Playground: http://127.0.0.1:' "$tmp/make.log" && [ $rc -eq 0 ] ||
        { echo "  make exited $rc:"; tail -n 8 "$tmp/make.log" | sed 's/^/    /'; return 1; }
}
check "make playground with no model trains SimpleConvNet first, then serves it" make_playground_trains

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
