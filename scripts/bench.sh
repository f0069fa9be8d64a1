#!/bin/sh
# make bench: time the pieces of the course against each other.
# Each timing is the median of several runs; run it on an otherwise idle machine.
# usage: bench.sh BUILD_DIR DATA_DIR
rel=$1; data=$2
bin=$rel/bin
out=build/bench-out
mkdir -p "$out"
threads=${THREADS:-$(nproc)}

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "== Machine: $(nproc) cores, $threads threads used; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo

echo "== 1. The matrix multiply (naive vs blocked vs threaded vs OpenBLAS)"
"$rel/bench/bench_matmul" --threads "$threads"
echo

echo "== 2. Chapter 01 vs chapter 02: one gradient of the 784-50-10 net on a batch of 100"
for i in 1 2 3; do
    "$bin/01_numerical_gradient" train --iters 1 --quiet --threads "$threads" --data "$data/mnist" --out "$out/01" |
        sed -n 's/^One numerical gradient takes \([0-9.]*\) s.*/\1/p'
done | median | { read -r t; echo "  numerical gradient (chapter 01): $t s (median of 3; target under 15 s; the book's NumPy takes about 42 s)"; }
"$bin/02_backpropagation" speedup --quiet --threads "$threads" --data "$data/mnist" --out "$out/02" | sed 's/^/  /'
echo

echo "== 3. Chapter 02: training, 10,000 iterations with per-epoch evaluation on the full sets"
for i in 1 2 3; do
    "$bin/02_backpropagation" train --quiet --threads "$threads" --data "$data/mnist" --out "$out/02" |
        sed -n 's/^Training time: \([0-9.]*\) s.*/\1/p'
done | median | { read -r t; echo "  training run: $t s (median of 3; target under 4 s; NumPy about 37 s, PyTorch CPU about 10 s)"; }
echo

for chapter in 03_optimizer 04_cnn; do
    [ -x "$bin/$chapter" ] || continue
    echo "== $chapter"
    "$bin/$chapter" bench --quiet --threads "$threads" --data "$data/mnist" --out "$out/$chapter" | sed 's/^/  /'
    echo
done
