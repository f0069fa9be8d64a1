# playground_lib.sh - what the playground's two test scripts share (sourced, not
# run): the check counter, small models trained for the tests, and starting and
# stopping a server. The scripts run from the repository's root, from
# scripts/run_tests.sh, which gets the build folders from make (DL_REL, DL_CHK).
. tests/check.sh         # check NAME CONDITION..., and the counts

rel=${DL_REL:-build/release}
chk=${DL_CHK:-build/check}
data=${DL_TEST_DATA:-data/mnist}
# This runs inside `make test`: a make started here must not join that make's jobs.
unset MAKEFLAGS MFLAGS MAKELEVEL

servers=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dl-test-playground.XXXXXX") || exit 1
cleanup() {
    for p in $servers; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# Small models, quick to train, in build/playground/test-out (kept between runs,
# trained again when the chapter programs change): a SimpleConvNet on 10,000
# MNIST images for 2 epochs (about 95% on the test set); a one-layer char LSTM
# of 32 on a text with a pattern, with two characters beyond ASCII; chapter
# 05's addition and dates models, and chapter 06's conditional and plain MLP
# GANs, each trained for a few seconds (they answer in the right form, but
# mostly wrongly: the tests check the form, not the sums).
models=build/playground/test-out
model_files="04_cnn/simple_conv_net 05_rnn/char_lm 05_rnn/addition_peeky 05_rnn/dates_attention 06_gan/cgan 06_gan/mlp_gan"
models_fresh() {
    for f in $model_files; do
        [ -f "$models/$f.safetensors" ] && [ "$models/$f.safetensors" -nt "$rel/bin/$(dirname "$f")" ] || return 1
    done
}
make_models() {
    models_fresh && return 0
    rm -rf "$models"
    mkdir -p "$models/05_rnn"
    i=0
    while [ $i -lt 400 ]; do
        case $((i % 3)) in
            0) echo "the cat sat on the mat." ;;
            1) echo "a dog ran to the café." ;;
            2) echo "λ is a letter, the cat said." ;;
        esac
        i=$((i + 1))
    done >"$models/text.txt"
    s2s="--quiet --threads 1 --hidden 32 --out $models/05_rnn"
    gan="--epochs 1 --score-samples 0 --quiet --threads 1 --data $data --out $models/06_gan"
    "$rel/bin/04_cnn" simple --epochs 2 --train-size 10000 --quiet --threads 2 --data "$data" \
        --out "$models/04_cnn" >"$models/cnn.log" 2>&1 &&
    "$rel/bin/05_rnn" lm --hidden 32 --layers 1 --batch 8 --seq 16 --sample-length 0 --quiet --threads 1 \
        --lr 0.01 --iters 300 --eval-every 150 --data "$models/text.txt" --out "$models/05_rnn" \
        >"$models/lm.log" 2>&1 &&
    "$rel/bin/05_rnn" addition --variant peeky --problems 5000 --epochs 3 $s2s >"$models/add.log" 2>&1 &&
    "$rel/bin/05_rnn" dates --variant attention --problems 2000 --epochs 2 $s2s >"$models/date.log" 2>&1 &&
    "$rel/bin/06_gan" cgan --train-size 2000 $gan >"$models/cgan.log" 2>&1 &&
    "$rel/bin/06_gan" mlp --train-size 1000 $gan >"$models/gan.log" 2>&1 &&
    models_fresh || { echo "  could not train the test models:"; tail -n 5 "$models"/*.log; return 1; }
}

# start_server BIN LOG ARGS...: start the playground on a free port and wait
# (up to 60 s) for its address; sets pid and url. Returns 1 if it never came up.
start_server() {
    bin=$1; log=$2; shift 2
    "$bin" --port 0 "$@" >"$log" 2>&1 &
    pid=$!
    servers="$servers $pid"
    url=""
    n=0
    while [ $n -lt 600 ]; do
        url=$(sed -n 's|^Playground: \(http://[^ ]*/\) .*|\1|p' "$log" 2>/dev/null)
        [ -n "$url" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
        n=$((n + 1))
    done
    echo "  the server did not start:"; sed 's/^/    /' "$log"
    return 1
}

# stop_server: Ctrl-C, as a user stops it; its exit status in stopped_status.
stop_server() {
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    stopped_status=$?
    servers=$(echo "$servers" | sed "s/ $pid\$//; s/ $pid / /")
}
