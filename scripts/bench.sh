#!/bin/sh
# make bench: time the pieces of the course against each other.
# Each timing is the median of several runs; run it on an otherwise idle machine.
# usage: bench.sh BUILD_DIR DATA_DIR
rel=$1; data=$2
bin=$rel/bin
out=build/bench-out
mkdir -p "$out"
threads=${THREADS:-$(nproc)}

. scripts/bench_lib.sh    # median, spread, py (a python3 with torch)

echo "== Machine: $(nproc) cores, $threads threads used; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo

echo "== 1. The matrix multiply (naive vs blocked vs threaded vs OpenBLAS)"
"$rel/bench/bench_matmul" --threads "$threads"
echo

echo "== 2. Chapter 01 vs chapter 02: one gradient of the 784-50-10 net on a batch of 100"
for i in 1 2 3; do
    "$bin/01_numerical_gradient" train --iters 1 --threads "$threads" --data "$data/mnist" --out "$out/01" |
        sed -n 's/^One numerical gradient takes \([0-9.]*\) s.*/\1/p'
done | median | { read -r t; echo "  numerical gradient (chapter 01): $t s (median of 3; target under 15 s; the book's NumPy takes about 42 s)"; }
"$bin/02_backpropagation" speedup --quiet --threads "$threads" --data "$data/mnist" --out "$out/02" | sed 's/^/  /'
echo

echo "== 3. Chapter 02: training, 10,000 iterations with per-epoch evaluation on the full sets"
for i in 1 2 3; do
    "$bin/02_backpropagation" train --quiet --threads "$threads" --data "$data/mnist" --out "$out/02" |
        sed -n 's/^Training time: \([0-9.]*\) s.*/\1/p'
done | median | { read -r t; echo "  training run: $t s (median of 3; target under 4 s; the book's NumPy about 37 s; PyTorch: section 6)"; }
echo

if [ -x "$bin/03_optimizer" ]; then
    echo "== 4. Chapter 03: optimizers compared on MNIST (SGD, Momentum, AdaGrad, Adam; 2000 iterations each, batch 128, 5-layer 100-unit net)"
    for th in 1 "$threads"; do
        for i in 1 2 3; do
            "$bin/03_optimizer" compare --quiet --threads "$th" --data "$data/mnist" --out "$out/03" |
                sed -n 's/.*training time for all [0-9]*: \([0-9.]*\) s.*/\1/p'
        done | median | { read -r t; echo "  $th thread(s): $t s (median of 3; target under 12 s; NumPy about 58 s)"; }
    done
    echo "  The best-effort MLP (experiment 7, the tour's 8 epochs):"
    "$bin/03_optimizer" best --quiet --data "$data/mnist" --out "$out/03" | grep "final:" | sed 's/^/  /'
    echo
fi

if [ -x "$bin/04_cnn" ]; then
    echo "== 5. Chapter 04: convolution, SimpleConvNet and DeepConvNet"
    "$bin/04_cnn" bench --quiet --threads "$threads" --data "$data/mnist" --out "$out/04" | sed 's/^/  /'
    echo
fi

if [ -x "$bin/05_rnn" ]; then
    echo "== 6. Chapter 05: the character LSTM, generation, and word2vec against word2vec.c"
    sh scripts/fetch_data.sh "$data" shakespeare >/dev/null || exit 1
    echo "  char LSTM (2 x LSTM 128, batch 50 x 50 steps, Adam, clip 5), characters per second of training:"
    sh scripts/bench_char_lm.sh "$rel" "$data" "$threads"
    for i in 1 2 3; do
        "$bin/05_rnn" generate --length 10000 --model build/bench-out/05/char_lm.safetensors 2>&1 >/dev/null |
            sed -n 's/.* in \([0-9.]*\) s)$/\1/p'
    done | median | { read -r t; echo "  generating 10,000 characters: $t s (median of 3; target under 1 s)"; }
    sh scripts/bench_word2vec.sh "$rel" "$data"
    echo
    echo "== 6a. Chapter 05: seq2seq addition (peeky, input reversed), one epoch of 45,000 problems and the held-out evaluation"
    echo "  (target: at most 1 s per epoch; the book's NumPy about 17.5 s; PyTorch: section 7, workload 7)"
    for th in "$threads" 1; do
        "$bin/05_rnn" addition --variant peeky --epochs 1 --quiet --threads "$th" --out "$out/05" |
            sed -n "s/.*: held-out exact match \([0-9.]*\) after .*; \([0-9.]*\) s per epoch (\(.*\))/  $th thread(s): \2 s per epoch (\3), held-out exact match \1 after 1 epoch/p"
    done
    echo
fi

if [ -x "$bin/06_gan" ]; then
    echo "== 6b. Chapter 06: a training iteration of the MLP GAN and the DCGAN (batch 64), and a grid of samples"
    "$bin/06_gan" bench --quiet --threads "$threads" --data "$data/mnist" --out "$out/06" | sed 's/^/  /'
    echo "  the same nets and steps in PyTorch:"
    if [ -n "$py" ]; then
        "$py" bench/pytorch_compare.py --threads "$threads" --data "$data/mnist" --only 6 | sed 's/^/  /'
    else
        echo "  PyTorch is not installed (no python3 here can import torch); sudo apt-get install python3-torch installs it"
    fi
    echo
fi

echo "== 7. The same work in PyTorch on the CPU (chapter 05's char LSTM: in section 6, seq2seq in 6a, the GANs' in 6b)"
if [ -n "$py" ]; then
    "$py" bench/pytorch_compare.py --threads "$threads" --data "$data/mnist" --only 1,2,3,4,7
else
    echo "  PyTorch is not installed (no python3 here can import torch); sudo apt-get install python3-torch installs it"
fi
echo
