#!/bin/sh
# bench.sh - the playground under load (make bench-playground): N digit
# predictions (default 2000) from 16 concurrent clients (curl --parallel, 16
# connections), the page's own drawing of a 7 each time. Reports errors (any
# status but 200, or an answer that is not 7), the median and p99 latency as the
# clients saw it and the server's own share, and the server's memory before and
# after. Then, if Chromium is installed, the round trip in a real browser: the
# page draws a 7 and sends it again 100 times, timing stroke to bars on screen.
# Uses the models in OUT (default out/, as make playground does).
# usage: bench.sh BUILD_DIR DATA_DIR     (N=2000 CLIENTS=16 OUT=out)
rel=$1; data=$2
n=${N:-2000}; clients=${CLIENTS:-16}; out=${OUT:-out}
if [ ! -f "$out/04_cnn/simple_conv_net.safetensors" ] && [ ! -f "$out/04_cnn/simple_conv_net_full.safetensors" ]; then
    echo "bench-playground: no SimpleConvNet in $out/04_cnn: run make playground (or make chapter 4) first" >&2
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dl-bench-playground.XXXXXX") || exit 1
server=""; browser_pid=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "$browser_pid" ] && kill "$browser_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

"$rel/bin/playground" --port 0 --out "$out" >"$tmp/server.log" 2>&1 &
server=$!
i=0
while [ $i -lt 300 ] && ! grep -q '^Playground: ' "$tmp/server.log"; do sleep 0.1; i=$((i + 1)); done
url=$(sed -n 's|^Playground: \(http://[^ ]*/\) .*|\1|p' "$tmp/server.log")
[ -n "$url" ] || { cat "$tmp/server.log"; exit 1; }
rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$server/status"; }
peak() { awk '/^VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$server/status"; }

echo "== The playground under load: $n digit predictions, $clients clients at once"
echo "  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average now: $(cut -d ' ' -f 1-3 /proc/loadavg)"
sed -n 's/^  digits: \([A-Za-z]*\) .*/  model: \1 (every request runs each model found)/p' "$tmp/server.log"
grep -o '([0-9]* workers*' "$tmp/server.log" | sed 's/(/  server: /'

# the page's 7 (app.js's strokes), drawn as tests/test_playground.sh draws it
. playground/draw.sh
draw "0.26 0.2 0.74 0.2 0.46 0.84" >"$tmp/seven.json"
echo "  request: the 7 as the page sends it, 112x112 grey levels ($(wc -c <"$tmp/seven.json") bytes of JSON)"

mkdir -p "$tmp/answers"
i=0
while [ $i -lt "$n" ]; do
    [ $i -gt 0 ] && echo next
    printf 'url = "%sapi/digit"\ndata-binary = "@%s"\noutput = "%s/answers/%d"\n' "$url" "$tmp/seven.json" "$tmp" $i
    printf 'header = "Content-Type: application/json"\nwrite-out = "%%{http_code} %%{time_total}\\n"\nsilent\n'
    i=$((i + 1))
done >"$tmp/requests.cfg"

before=$(rss)
start=$(date +%s.%N)
curl -s --parallel --parallel-max "$clients" -K "$tmp/requests.cfg" >"$tmp/results" 2>"$tmp/curl.log"
end=$(date +%s.%N)
after=$(rss)

ok=$(grep -c '^200 ' "$tmp/results")
sevens=$(cat "$tmp/answers"/* | grep -c '"name": "SimpleConvNet", "digit": 7,')
errors=$((n - ok))
wrong=$((ok - sevens))
pct() {     # Q: the Q-quantile of the numbers on stdin, in ms
    sort -g | awk -v q="$1" '{ a[NR] = $1 } END { i = int(q * NR + 0.999999); if (i < 1) i = 1; printf "%.1f", 1000 * a[i] }'
}
echo "  answers: $ok of $n with status 200, $errors errors; $sevens read as 7 by SimpleConvNet ($wrong not 7)"
echo "  throughput: $(awk -v n="$n" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f predictions/s (%.1f s in all)", n / (b - a), b - a }')"
echo "  latency as the clients saw it (send, prepare, forward, answer): median $(cut -d ' ' -f 2 "$tmp/results" | pct 0.5) ms, p99 $(cut -d ' ' -f 2 "$tmp/results" | pct 0.99) ms"
cat "$tmp/answers"/* | sed -n 's/.*"server_ms": \([0-9.]*\).*/\1/p' | awk '{ print $1 / 1000 }' >"$tmp/server_ms"
echo "  the server's share (parse, prepare, forward passes): median $(pct 0.5 <"$tmp/server_ms") ms, p99 $(pct 0.99 <"$tmp/server_ms") ms"
echo "  server memory (resident): $before before, $after after, peak $(peak)"

# a second round: memory must not grow with the number of requests
curl -s --parallel --parallel-max "$clients" -K "$tmp/requests.cfg" >"$tmp/results2" 2>"$tmp/curl.log"
echo "  after a second round of $n: $(rss) resident, $(grep -c '^200 ' "$tmp/results2") of $n with status 200"

browser=""
for b in chromium chromium-browser google-chrome; do
    command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -n "$browser" ]; then
    echo
    echo "== In the browser: headless $browser draws a 7, then sends it 100 more times, one at a time"
    # In real time (no virtual time): the page puts its round trips in its title,
    # read here from the DevTools list of pages (no DevTools client needed).
    "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" --remote-debugging-port=0 \
        "${url}#draw=7&repeat=100" >/dev/null 2>"$tmp/chromium.log" &
    browser_pid=$!
    i=0; title=""
    while [ $i -lt 1200 ]; do
        port=$(head -n 1 "$tmp/profile/DevToolsActivePort" 2>/dev/null)
        [ -n "$port" ] && title=$(curl -s "http://127.0.0.1:$port/json/list" | sed -n 's/.*"title": "\(round trips:[^"]*\)".*/\1/p')
        [ -n "$title" ] && break
        sleep 0.1; i=$((i + 1))
    done
    kill "$browser_pid" 2>/dev/null; wait "$browser_pid" 2>/dev/null; browser_pid=""
    echo "  ${title:-no answer from the page in 120 s}"
    echo "  (from the pointer event that changed the drawing to the frame with the new bars:"
    echo "   the canvas read, the JSON, the request, the server, the answer drawn)"
fi

kill -INT "$server"; wait "$server"; status=$?; server=""
echo
echo "  server: $(tail -n 1 "$tmp/server.log" | sed 's/^playground: //'), exit status $status"
[ "$errors" -eq 0 ] && [ "$wrong" -eq 0 ] && [ "$status" -eq 0 ]
