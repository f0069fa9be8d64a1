#!/bin/sh
# make bench, chapter 05: the character LSTM's training speed (2 x LSTM 128,
# batch 50 x 50 steps, Adam, clip 5; 100 iterations), here and, when
# python3-torch is installed, in PyTorch on the same net (bench/pytorch_compare.py
# workload 5), the two alternated run by run so that drift of the machine hits
# both. PyTorch gets its best settings: OPENBLAS_NUM_THREADS=1 beside torch's
# threads. Medians of RUNS runs, with the spread.
# usage: bench_char_lm.sh BUILD_DIR DATA_DIR THREADS
rel=$1; data=$2; threads=$3
runs=${RUNS:-3}
out=build/bench-out/05
mkdir -p "$out"
. scripts/bench_lib.sh    # median, spread, py (a python3 with torch)

ths=$threads
[ "$threads" != 1 ] && ths="1 $threads"
for th in $ths; do
    : > "$out/lm_c.$th"; : > "$out/lm_torch.$th"
    for i in $(seq "$runs"); do
        "$rel/bin/05_rnn" lm --quiet --iters 100 --eval-every 1000 --sample-length 0 --val-chars 2600 \
            --threads "$th" --data "$data/tinyshakespeare" --out "$out" 2>/dev/null |
            sed -n 's/.* \([0-9]*\) characters\/s of training.*/\1/p' >> "$out/lm_c.$th"
        if [ -n "$py" ]; then
            OPENBLAS_NUM_THREADS=1 "$py" bench/pytorch_compare.py --only 5 --runs 1 --just-threads --threads "$th" \
                --text "$data/tinyshakespeare/input.txt" 2>/dev/null |
                sed -n 's/^  5\. .* \([0-9][0-9]*\)  chars\/s.*/\1/p' >> "$out/lm_torch.$th"
        fi
    done
    c=$(median < "$out/lm_c.$th")
    line="    $th thread(s): here $c characters/s ($(spread < "$out/lm_c.$th"))"
    if [ -n "$py" ]; then
        t=$(median < "$out/lm_torch.$th")
        line="$line, PyTorch $t ($(spread < "$out/lm_torch.$th")): $(awk "BEGIN {printf \"%.2f\", $c / $t}")x"
    fi
    echo "$line"
done
[ -n "$py" ] || echo "    (PyTorch is not installed: sudo apt-get install python3-torch libopenblas0-pthread)"
echo "    (medians of $runs run(s) of 100 iterations, alternated with PyTorch's; spreads in parentheses)"
