#!/bin/sh
# test_playground_browser.sh - the playground's page in a real browser: headless
# Chromium loads it from the server, draws digits on the canvas with synthetic
# pointer events (the page's own #draw=N, which fires pointerdown, pointermove
# and pointerup at the canvas as a hand would), and the digit the nets read
# must appear in the page; the text tab must show a continuation, the add and
# date boxes their answers and the attention map; the GAN tab must draw on its
# canvas. Chromium's
# own flags drive it (--dump-dom, --screenshot, --virtual-time-budget: the page
# runs until its timers and requests are done), so nothing comes from npm.
# It also saves a screenshot of each tab (DL_SCREENSHOTS, default
# build/playground/screenshots), the ones in playground/README.md.
#
# Without Chromium it says so and skips, unless DL_REQUIRE_BROWSER=1 (CI sets
# it, and installs Chromium), when a missing browser is a failure.
# DL_PLAYGROUND_OUT serves other models (default: the small test models), and
# DL_SCREENSHOT_PROMPT is the text tab's prompt in its screenshot (URL-encoded).
. tests/playground_lib.sh

browser=""
for b in chromium chromium-browser google-chrome; do
    command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
    if [ "${DL_REQUIRE_BROWSER:-0}" = 1 ]; then
        echo "fail no Chromium for the browser test (DL_REQUIRE_BROWSER=1): apt-get install chromium"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "SKIPPED: the playground's browser test needs Chromium: sudo apt-get install chromium"
    echo "0 passed, 0 failed"
    exit 0
fi

shots=${DL_SCREENSHOTS:-build/playground/screenshots}
mkdir -p "$shots"
if [ -n "${DL_PLAYGROUND_OUT:-}" ]; then
    models=$DL_PLAYGROUND_OUT
else
    check "the test models train" make_models
fi
start_server "$rel/bin/playground" "$tmp/server.log" --out "$models" || { echo "0 passed, 1 failed"; exit 1; }

# --no-sandbox: Chromium's sandbox refuses to run as root (as CI does); the page is our own.
window=1180,760
chrome() {
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
        --window-size=$window --virtual-time-budget=8000 "$@" 2>>"$tmp/chromium.log"
}

reads_in_page() {     # DIGIT: the page draws it; SimpleConvNet's answer is shown
    chrome --dump-dom "$url#draw=$1" >"$tmp/dom.html"
    grep -q "<div class=\"top\" id=\"top-SimpleConvNet\">$1</div>" "$tmp/dom.html" &&
        grep -q 'data-digit="done"' "$tmp/dom.html" &&
        grep -q "SimpleConvNet reads $1" "$tmp/dom.html" ||
        { echo "  the page shows: $(grep -o 'id="top-[A-Za-z]*">[^<]*\|id="status"[^<]*' "$tmp/dom.html" | tr '\n' ' ')"; return 1; }
}
check "the page, drawn on with pointer events, shows a 7 read as 7" reads_in_page 7
check "... and a 1 read as 1" reads_in_page 1
check "... and a 0 read as 0" reads_in_page 0

writes_in_page() {
    chrome --dump-dom "$url#tab=text&prompt=a%20dog%20r&write" >"$tmp/dom.html"
    grep -q 'data-text="done"' "$tmp/dom.html" &&
        grep -q '<pre id="continuation" aria-live="polite"><b>a dog r</b>.' "$tmp/dom.html" &&
        grep -q 'id="text-status" class="muted">300 characters at temperature 0.8' "$tmp/dom.html" ||
        { echo "  the page shows: $(grep -o 'id="continuation"[^<]*<b>[^<]*</b>[^<]\{0,60\}\|id="text-status"[^<]*' "$tmp/dom.html")"; return 1; }
}
check "the text tab shows the LSTM's continuation of its prompt" writes_in_page

# the answer of the API to BODY at PATH, field FIELD (a string)
api_answer() {
    curl -s -X POST -H 'Content-Type: application/json' -d "$2" "$url${1#/}" | sed -n "s/.*\"$3\": \"\([^\"]*\)\".*/\1/p"
}
seq2seq_in_page() {
    add=$(api_answer /api/add '{"problem": "17+385"}' answer)
    date=$(api_answer /api/date '{"text": "27 sep 94"}' answer)
    chrome --dump-dom "$url#tab=text&add=17%2B385&date=27%20sep%2094" >"$tmp/dom.html"
    grep -q 'data-add="done"' "$tmp/dom.html" && grep -q 'data-date="done"' "$tmp/dom.html" &&
        grep -q "<output id=\"add-answer\" class=\"answer\">$add</output>" "$tmp/dom.html" &&
        grep -q "<output id=\"date-answer\" class=\"answer\">$date</output>" "$tmp/dom.html" &&
        grep -q "data-attention-cells=\"$((${#date} * 10))\"" "$tmp/dom.html" ||
        { echo "  API: $add, $date; the page shows: $(grep -o '<body[^>]*>\|id="[a-z]*-answer"[^<]*\|id="[a-z]*-status"[^<]*' "$tmp/dom.html" | tr '\n' ' ')"; return 1; }
}
check "the add and date boxes show the API's answers, and the date's attention map" seq2seq_in_page

gan_in_page() {
    chrome --dump-dom "$url#tab=gan&model=cgan&digit=7&seed=3" >"$tmp/dom.html"
    ink=$(sed -n 's/.*data-gan-ink="\([0-9]*\)".*/\1/p' "$tmp/dom.html")
    grep -q 'data-gan="done"' "$tmp/dom.html" && [ "${ink:-0}" -gt 0 ] &&
        grep -q 'id="gan-status" class="muted">cgan draws a 7 from seed 3' "$tmp/dom.html" ||
        { echo "  the page shows: $(grep -o '<body[^>]*>\|id="gan-status"[^<]*' "$tmp/dom.html" | tr '\n' ' ')"; return 1; }
}
check "the GAN tab draws the conditional GAN's 7 on its canvas (pixels with ink)" gan_in_page

screenshot() {      # NAME FRAGMENT
    rm -f "$shots/$1.png"
    (cd "$tmp" && chrome --screenshot="$tmp/$1.png" "$url#$2" >/dev/null) &&
        mv "$tmp/$1.png" "$shots/$1.png" &&
        [ "$(head -c 8 "$shots/$1.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
        [ "$(wc -c <"$shots/$1.png")" -gt 20000 ]
}
# (&still: the page leaves out its round-trip times, which mean nothing in virtual time)
check "a screenshot of the digit tab ($shots/digits.png)" screenshot digits "draw=7&still"
prompt=${DL_SCREENSHOT_PROMPT:-a%20dog}
check "a screenshot of the text tab ($shots/text.png)" screenshot text "tab=text&prompt=$prompt&write&still"
window=1180,1320        # the text tab with the add and date boxes below the LSTM's
check "a screenshot of the add and date boxes ($shots/seq2seq.png)" screenshot seq2seq \
    "tab=text&prompt=$prompt&write&add=${DL_SCREENSHOT_ADD:-17%2B385}&date=${DL_SCREENSHOT_DATE:-27%20sep%2094}&still"
window=1180,760
check "a screenshot of the GAN tab ($shots/gan.png)" screenshot gan "tab=gan&model=cgan&digit=7&seed=3&still"

stop_server
check "the server stops cleanly after the browser's requests" [ "$stopped_status" -eq 0 ]
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
