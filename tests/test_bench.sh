#!/bin/sh
# test_bench.sh - make bench's files: a tiny run (BENCH_TINY=1: 1,000 MNIST
# images, a few steps of everything) must give bench.tsv with every expected
# row and a figure in each (absent only for PyTorch or OpenBLAS when they are
# not installed), bench.md and both pictures; each PyTorch row at its fastest
# thread count; and scripts/bench_report.sh must refuse a malformed table with one
# line and a non-zero status. No timing is
# checked: timings belong to make bench, never to a test.
. tests/check.sh         # check NAME CONDITION..., and the counts

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dl-test-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
unset MAKEFLAGS MFLAGS MAKELEVEL   # a make started here must not join make test's jobs
unset THREADS TORCH_THREADS         # the bench's own thread counts, which the checks below expect
out=$tmp/bench

make -s bench BENCH_TINY=1 BENCH_OUT="$out" > "$tmp/log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 20 "$tmp/log"
check "make bench BENCH_TINY=1 succeeds" [ $rc -eq 0 ]
for f in bench.tsv bench.md speedups.png accuracy_vs_time.png; do
    check "it writes $f" [ -s "$out/$f" ]
done

. scripts/bench_lib.sh     # py: a python3 with torch, or empty
openblas=$(sh scripts/find_openblas.sh "${CC:-cc}" 2>/dev/null)
# chapter, the start of what, variant: one line per expected row
cat > "$tmp/expected" <<'ROWS'
00	inference	one at a time
00	inference	batches of 100
01	one gradient	numerical (ch. 01)
02	one gradient	backprop (ch. 02)
common	matmul 1024x1024x1024	naive
common	matmul 1024x1024x1024	blocked
common	matmul 1024x1024x1024	threaded
common	matmul 1024x1024x1024	OpenBLAS
common	matmul 1024x1024x1024	PyTorch
03	time to test accuracy	SGD
03	time to test accuracy	Adam
04	SimpleConvNet's convolution	direct
04	SimpleConvNet's convolution	im2col
04	SimpleConvNet's convolution	no col
04	SimpleConvNet's convolution	one channel
04	DeepConvNet's conv6	direct
04	DeepConvNet's conv6	im2col
04	DeepConvNet's conv6	no col
04	DeepConvNet's conv6	Winograd
03	time to test accuracy	ch03 best MLP
04	time to test accuracy	SimpleConvNet
04	time to test accuracy	DeepConvNet
02	ch02 MLP 784-50-10	C
02	ch02 MLP 784-50-10	PyTorch
03	ch03 best MLP	C
03	ch03 best MLP	PyTorch
05	one-layer language model	RNN
05	one-layer language model	LSTM
05	one-layer language model	GRU
05	character LSTM	C
05	character LSTM	PyTorch
05	seq2seq addition	decoding one at a time
05	seq2seq addition	decoding 128 together
05	seq2seq addition	PyTorch (128 together)
04	a training step	SimpleConvNet
04	a training step	SimpleConvNet, PyTorch
04	a training step	DeepConvNet
04	a training step	DeepConvNet, PyTorch
06	a GAN iteration	MLP GAN
06	a GAN iteration	MLP GAN, PyTorch
06	a GAN iteration	DCGAN
06	a GAN iteration	DCGAN, PyTorch
ROWS
# One row of bench.tsv per expected line, with a figure unless it may be absent.
row_ok() {      # CHAPTER WHAT-START VARIANT
    r=$(awk -F'\t' -v c="$1" -v w="$2" -v v="$3" '$1 == c && index($2, w) == 1 && $3 == v' "$out/bench.tsv")
    [ "$(printf '%s\n' "$r" | grep -c .)" = 1 ] || return 1
    median=$(printf '%s\n' "$r" | cut -f4)
    [ -n "$median" ] || return 1
    [ "$median" != absent ] && return 0
    case $3 in
        *PyTorch*) [ -z "$py" ] ;;          # absent only where PyTorch is not installed
        OpenBLAS) [ -z "$openblas" ] ;;
        *) return 1 ;;
    esac
}
while IFS='	' read -r c w v; do
    check "bench.tsv: $c $w: $v" row_ok "$c" "$w" "$v"
done < "$tmp/expected"
check "bench.tsv has no other rows" [ "$(($(wc -l < "$out/bench.tsv") - 1))" = "$(wc -l < "$tmp/expected")" ]
check "accuracy.tsv has a row for each of the four nets" \
    [ "$(cut -f1 "$out/accuracy.tsv" | sed 1d | sort -u | wc -l)" = 4 ]
check "bench.md names the machine" grep -q '^    CPU: .*cores' "$out/bench.md"
check "bench.md gives the host's speed as the run began and as it ended" \
    grep -q '^    Host speed: .* [0-9][0-9.]* GFLOP/s as the run began, [0-9][0-9.]* as it ended' "$out/bench.md"

# ---- PyTorch's thread counts ---------------------------------------------------------
# make bench runs each PyTorch workload at 1 and at THREADS (here nproc) torch threads
# and records the count with the best median: the lowest time, the highest rate.
candidates="1 $(nproc)"
# Each PyTorch row's threads is a candidate, pytorch_threads.txt has the median of
# every candidate for it ("CH WHAT / VARIANT: 1 thread M, 2 threads M UNIT"), and the
# row is the best of those, worked out here afresh.
fastest_chosen() {
    awk -F'\t' -v cands="$candidates" '
        NR == FNR { k = index($0, ": "); listed[substr($0, 1, k - 1)] = substr($0, k + 2); next }
        FNR == 1 || $3 !~ /PyTorch/ { next }
        {
            key = $1 " " $2 " / " $3
            if (!(key in listed)) { print "no medians for " key; bad = 1; next }
            n = split(listed[key], part, ", "); best = ""
            for (i = 1; i <= n; i++) {
                split(part[i], w, " "); t = w[1]; m = w[3] + 0; seen = seen " " t
                if (best == "" || ($8 ~ /\/s$/ ? m > bm : m < bm)) { best = t; bm = m }
            }
            if (seen != " " cands) { print key ": medians at" seen ", not at " cands; bad = 1 }
            if ($9 != best || $4 + 0 != bm) { print key ": the row is " $4 " at " $9 ", the best " bm " at " best; bad = 1 }
            seen = ""
        }
        END { exit bad }' "$out/pytorch_threads.txt" "$out/bench.tsv"
}
if [ -z "$py" ]; then
    check "without PyTorch, no PyTorch medians in bench.md" [ ! -s "$out/pytorch_threads.txt" ]
elif [ "$(nproc)" = 1 ]; then
    check "bench.tsv: each PyTorch row on the one core's 1 thread" \
        [ -z "$(awk -F'\t' 'FNR > 1 && $3 ~ /PyTorch/ && $9 != 1' "$out/bench.tsv")" ]
else
    check "bench.tsv: each PyTorch row at the fastest of $candidates torch threads" fastest_chosen
fi
# record_fastest on its own (PyTorch or not): "THREADS FIGURE" lines of runs taking turns.
fastest_of() {      # UNIT EXPECTED-ROW-END: record_fastest's row must end with it
    printf '1 10\n2 8\n1 12\n2 9\n1 11\n2 30\n' > "$tmp/runs"
    : > "$tmp/fastest.tsv"
    (bench_tsv=$tmp/fastest.tsv dest=$tmp torch_threads=7; record_fastest 05 x PyTorch "$1" "$tmp/runs") > /dev/null
    [ "$(cut -f4- "$tmp/fastest.tsv")" = "$2" ]
}
check "record_fastest: a time goes to the lower median (2 threads, 9 ms)" fastest_of ms "$(printf '9\t8\t30\t3\tms\t2')"
check "record_fastest: a rate goes to the higher (1 thread, 11 chars/s)" \
    fastest_of chars/s "$(printf '11\t10\t12\t3\tchars/s\t1')"

# ---- malformed tables are refused --------------------------------------------------
# refused SED-SCRIPT [FILE]: bench_report.sh on a copy with FILE edited must
# fail with one line that names the file, and draw nothing.
refused() {
    d=$tmp/bad; rm -rf "$d"; mkdir -p "$d"
    cp "$out/bench.tsv" "$out/accuracy.tsv" "$d/"
    sed -i "$1" "$d/${2:-bench.tsv}"
    sh scripts/bench_report.sh "$d" > "$d/stdout" 2> "$d/stderr"
    [ $? -ne 0 ] && [ "$(wc -l < "$d/stderr")" = 1 ] && grep -q "^bench_report: $d/${2:-bench.tsv}" "$d/stderr" &&
        [ ! -e "$d/speedups.png" ] && [ ! -e "$d/bench.md" ]
}
check "refused: another header" refused '1s/median/middle/'
check "refused: a row of 8 fields" refused '2s/\t[^\t]*$//'
check "refused: a median that is not a number" refused '2s/^\([^\t]*\t[^\t]*\t[^\t]*\t\)[^\t]*/\1fast/'
check "refused: min above the median" refused '2s/^\([^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t\)[^\t]*/\199999/'
check "refused: absent in one figure only" refused '2s/^\([^\t]*\t[^\t]*\t[^\t]*\t\)[^\t]*/\1absent/'
check "refused: threads 0" refused '2s/\t[^\t]*$/\t0/'
check "refused: an unknown chapter" refused '2s/^[^\t]*/07/'
check "refused: a row twice" refused '2p'
check "refused: an empty table" refused 'd'
check "refused: accuracy above 1" refused '2s/\t[^\t]*$/\t1.5/' accuracy.tsv
check "refused: accuracy.tsv without its header" refused '1d' accuracy.tsv

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
