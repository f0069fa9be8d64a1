#!/bin/sh
# make bench: time each chapter's idea against the one it replaced, and against
# PyTorch on the same work, into one table and two pictures:
#   out/bench/bench.tsv             one row per measurement (bench_report.sh describes it)
#   out/bench/accuracy.tsv          test accuracy against training seconds, every MNIST classifier
#   out/bench/bench.md              the table, readable, with the machine it ran on
#   out/bench/speedups.png          each comparison as bars, labelled with the ratio
#   out/bench/accuracy_vs_time.png
# Every figure is the median of RUNS runs (3; QUICK=1: 1), with the lowest and
# highest; the two or three sides of a comparison take turns, run by run
# (A B A B ...), so that a change in the machine's load hits them all.
# QUICK=1 runs smaller work on 10,000 training images (a few minutes);
# BENCH_TINY=1 tiny work on 1,000 (seconds: make test checks the files with it).
# usage: bench.sh BUILD_DIR DATA_DIR
rel=$1; data=$2
bin=$rel/bin
quick=${QUICK:-0}; tiny=${BENCH_TINY:-0}
[ "$tiny" = 1 ] && quick=1
dest=${BENCH_OUT:-out/bench}
work=build/bench-out
threads=${THREADS:-$(nproc)}
mkdir -p "$dest" "$work"
bench_tsv=$dest/bench.tsv
acc_tsv=$dest/accuracy.tsv

. scripts/bench_lib.sh    # median, spread, py (a python3 with torch), record

# The sizes of the work: full, QUICK=1, BENCH_TINY=1.
if [ "$tiny" = 1 ]; then
    mode="tiny (BENCH_TINY=1: a test of the bench, not a measurement)"; runs=${RUNS:-1}
    ntrain=1000; ntest=500; hidden=2; matmul="--shapes 1 --repeats 1"; it03=200; acc03=0.3
    it02=100; ep03=1; ep04=1; target=0.15; lm_iters=5; cmp_iters=5; steps=2; problems=500; gan=2
elif [ "$quick" = 1 ]; then
    mode="QUICK=1: smaller work, 1 run each, so no spread; not for quoting"; runs=${RUNS:-1}
    ntrain=10000; ntest=2000; hidden=10; matmul="--shapes 1 --repeats 3"; it03=1000; acc03=0.85
    it02=1000; ep03=2; ep04=1; target=0.65; lm_iters=20; cmp_iters=30; steps=10; problems=5000; gan=10
else
    mode="full: 13 to 20 minutes on 2 cores (814 to 1,173 s on the 2-core AMD EPYC with PyTorch installed; QUICK=1 65 s)"; runs=${RUNS:-3}
    ntrain=60000; ntest=10000; hidden=50; matmul="--repeats 5"; it03=2000; acc03=0.9
    it02=10000; ep03=8; ep04=3; target=0.98; lm_iters=100; cmp_iters=300; steps=100; problems=50000; gan=50
fi

# The first N images of an IDX file (gzipped or not), as a gzipped IDX file:
# the same header with the count N, then N images' (or labels') bytes.
idx_head() {    # SRC DST N BYTES_PER_ITEM
    src=$1; [ -f "$src" ] || src=${src%.gz}
    be32() { printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))"; \
             printf "\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"; }
    case $4 in 1) hdr=8 ;; *) hdr=16 ;; esac
    { gzip -dcf "$src" | head -c 4; be32 "$3"; gzip -dcf "$src" | tail -c +9 | head -c $((hdr - 8 + $3 * $4)); } |
        gzip -1 > "$2"
}
mnist=$data/mnist
if [ "$ntrain" != 60000 ]; then
    mnist=$work/mnist-$ntrain
    mkdir -p "$mnist"
    for s in "train $ntrain" "t10k $ntest"; do
        set -- $s
        idx_head "$data/mnist/$1-images-idx3-ubyte.gz" "$mnist/$1-images-idx3-ubyte.gz" "$2" 784
        idx_head "$data/mnist/$1-labels-idx1-ubyte.gz" "$mnist/$1-labels-idx1-ubyte.gz" "$2" 1
    done
fi

printf 'chapter\twhat\tvariant\tmedian\tmin\tmax\truns\tunit\tthreads\n' > "$bench_tsv"
printf 'net\trun\tseconds\ttest_acc\n' > "$acc_tsv"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
# PyTorch's threads: each workload runs at 1 and $threads torch threads, taking turns,
# and its row is the faster's (on 2 cores one thread is PyTorch's fastest for some
# workloads, two for others, so it is measured here each time). TORCH_THREADS=N: N only.
torch_threads=${TORCH_THREADS:-$threads}
if [ -n "${TORCH_THREADS:-}" ]; then
    torch_args="--just-threads --threads $TORCH_THREADS"
    torch_how="torch.set_num_threads($TORCH_THREADS) for every workload (TORCH_THREADS)"
elif [ "$threads" = 1 ]; then
    torch_args="--just-threads --threads 1"; torch_how="torch.set_num_threads(1) for every workload"
else
    torch_args="--best-threads --threads $threads"
    torch_how="each workload at its fastest of 1 and $threads torch threads (torch.set_num_threads), measured in this run, taking turns; the threads column says which, under the table both medians (TORCH_THREADS=N: N only)"
fi
: > "$dest/pytorch_threads.txt"     # record_fastest's lines, for bench.md
if [ -n "$py" ]; then
    torch_note="PyTorch $("$py" -c 'import torch; print(torch.__version__)' 2>/dev/null): $torch_how; OPENBLAS_NUM_THREADS=1, OpenBLAS's kernels named from the CPU's instruction sets (OPENBLAS_CORETYPE: on its own, OpenBLAS took its SSE3 kernels on the 2-core Xeon VM); glibc's malloc keeping PyTorch's big buffers (GLIBC_TUNABLES, see bench/pytorch_compare.py); the convolutional nets (SimpleConvNet, DeepConvNet, the DCGAN) in PyTorch's channels_last memory format, oneDNN's faster one"
else
    torch_note="PyTorch: absent (no python3 here imports torch; sudo apt-get install python3-torch libopenblas0-pthread)"
fi
peak_start=$(host_peak "$rel")       # and again at the end (bench_lib.sh)
# What bench_report.sh writes at the top of bench.md.
cat > "$dest/machine.txt" <<EOF
CPU: $cpu; $(nproc) cores; $threads threads used (THREADS=N to change)
Compiler: $(${CC:-cc} --version | head -n 1); flags: ${BENCH_CFLAGS:-see the Makefile}
Date: $(date -u '+%Y-%m-%d %H:%M UTC'); mode: $mode; $runs run(s) per figure; MNIST: $ntrain training, $ntest test images
$torch_note
Our threads: each program, as it starts, lets idle threads spin 3000 turns before they sleep if no other program is ready to run, else sleep at once (common/threads.c; OMP_WAIT_POLICY or GOMP_SPINCOUNT set by you win)
EOF
cat "$dest/machine.txt"
echo

# torch FILE ARGS...: bench/pytorch_compare.py, one run at each of PyTorch's thread
# counts; its stderr, a line per run ("... LABEL run 1 on T threads: FIGURE UNIT"), into FILE.
torch() { f=$1; shift; OPENBLAS_NUM_THREADS=1 "$py" bench/pytorch_compare.py --runs 1 $torch_args \
              --data "$mnist" --text "$data/tinyshakespeare/input.txt" "$@" > /dev/null 2> "$f"; }
# by_threads LABEL FILE: "THREADS FIGURE" for each of LABEL's runs in FILE (record_fastest's input).
by_threads() { sed -n "s/^ *\.\.\. $1 run [0-9]* on \([0-9]*\) threads*: \([0-9.e+]*\) .*/\1 \2/p" "$2"; }
step=0
section() { step=$((step + 1)); echo "== $step/11. $1  ($(date '+%H:%M:%S'))"; }
fresh() { for f in "$@"; do : > "$work/$f"; done; }

section "Chapter 00: MNIST inference, one image at a time against batches of 100"
fresh one batch
for i in $(seq "$runs"); do
    "$bin/00_neural_network" mnist --threads "$threads" --data "$mnist" --out "$work/00" > "$work/00.txt"
    sed -n 's/^ *one image at a time: *\([0-9.]*\) ms.*/\1/p' "$work/00.txt" >> "$work/one"
    sed -n 's/^ *batches of 100 *\([0-9.]*\) ms.*/\1/p' "$work/00.txt" >> "$work/batch"
done
record 00 "inference, $ntest test images" "one at a time" ms "$threads" "$work/one"
record 00 "inference, $ntest test images" "batches of 100" ms "$threads" "$work/batch"

section "Chapter 01 against 02: one gradient of 784-$hidden-10 on a batch of 100 (the same batch)"
fresh num bp
for i in $(seq "$runs"); do
    "$bin/02_backpropagation" speedup --quiet --hidden "$hidden" --threads "$threads" --data "$mnist" \
        --out "$work/02" > "$work/02.txt"
    sed -n 's/^ *numerical: *\([0-9.]*\) ms.*/\1/p' "$work/02.txt" >> "$work/num"
    sed -n 's/^ *backprop: *\([0-9.]*\) ms.*/\1/p' "$work/02.txt" >> "$work/bp"
done
record 01 "one gradient, 784-$hidden-10, batch 100" "numerical (ch. 01)" ms "$threads" "$work/num"
record 02 "one gradient, 784-$hidden-10, batch 100" "backprop (ch. 02)" ms "$threads" "$work/bp"

section "The matrix multiply: naive, blocked, threaded, OpenBLAS, PyTorch"
# bench_matmul alternates its four itself; it prints every shape, the table gets the square.
"$rel/bench/bench_matmul" --threads "$threads" $matmul --tsv "$bench_tsv" | sed 's/^/  /'
fresh mm_torch
[ -n "$py" ] && for i in $(seq "$runs"); do
    torch "$work/8.t.txt" --only 8 && by_threads 8. "$work/8.t.txt" >> "$work/mm_torch"
done
record_fastest common "matmul 1024x1024x1024" "PyTorch" GFLOP/s "$work/mm_torch"

section "Chapter 03: SGD against Adam, training time to test accuracy $acc03 (784-100x4-10, batch 128)"
fresh sgd adam
for i in $(seq "$runs"); do
    "$bin/03_optimizer" compare --quiet --optimizers sgd,adam --iters "$it03" --target-acc "$acc03" \
        --data "$mnist" --out "$work/03" > "$work/03.txt"
    sed -n 's/^ *SGD reached test accuracy [0-9.]* in \([0-9.]*\) s.*/\1/p' "$work/03.txt" >> "$work/sgd"
    sed -n 's/^ *Adam reached test accuracy [0-9.]* in \([0-9.]*\) s.*/\1/p' "$work/03.txt" >> "$work/adam"
done
grep "did not reach" "$work/03.txt" | sed 's/^ */  /'
record 03 "time to test accuracy $acc03 (at most $it03 iterations)" SGD s 1 "$work/sgd"
record 03 "time to test accuracy $acc03 (at most $it03 iterations)" Adam s 1 "$work/adam"

section "Chapter 04: direct convolution against im2col + matrix multiply, the multiply without col, Winograd's and one channel's (batch 100)"
fresh sd si sn so dd di dn dW
for i in $(seq "$runs"); do
    "$bin/04_cnn" compare --quiet --threads "$threads" --data "$mnist" --out "$work/04" > "$work/04.txt"
    for v in direct im2col "no col" Winograd "one channel"; do
        f=$(echo "$v" | cut -c1)
        sed -n "s/^ *SimpleConvNet conv .* $v *\([0-9.]*\) ms.*/\1/p" "$work/04.txt" >> "$work/s$f"
        sed -n "s/^ *DeepConvNet conv6 .* $v *\([0-9.]*\) ms.*/\1/p" "$work/04.txt" >> "$work/d$f"
    done
done
for v in direct im2col "no col" "one channel"; do     # a comparison's rows one after another
    record 04 "SimpleConvNet's convolution 1x28x28 -> 30x5x5, forward" "$v" ms "$threads" "$work/s$(echo "$v" | cut -c1)"
done
for v in direct im2col "no col" Winograd; do    # Winograd's path: 3x3 filters only
    record 04 "DeepConvNet's conv6 64x8x8 -> 64x3x3, forward" "$v" ms "$threads" "$work/d$(echo "$v" | cut -c1)"
done

section "Chapters 02 to 04: test accuracy against training time (ch. 02 MLP, ch. 03 best MLP, SimpleConvNet, DeepConvNet)"
# The trainer prints "epoch N ... test acc X ... (T s)" at each evaluation, T
# counted from the start of training, evaluations included; those become
# accuracy.tsv's rows, and the first T with X >= target the time to target.
trajectory() {  # NAME RUN: the epoch lines on stdin -> rows of accuracy.tsv
    sed -n 's/^ *epoch .*test acc \([0-9.]*\).*(\([0-9.]*\) s)$/\2 \1/p' |
        while read -r s a; do printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$s" "$a"; done >> "$acc_tsv"
}
# The two MLPs' whole runs, evaluations included, also against PyTorch's
# (bench/pytorch_compare.py's workloads 1 and 3), taking turns with them.
fresh mlp02.c mlp02.t mlp03.c mlp03.t
for i in $(seq "$runs"); do
    "$bin/02_backpropagation" train --iters "$it02" --threads "$threads" --data "$mnist" --out "$work/02" \
        > "$work/02.txt"
    trajectory "ch02 MLP 784-50-10" "$i" < "$work/02.txt"
    sed -n 's/^Training time: \([0-9.]*\) s .*/\1/p' "$work/02.txt" >> "$work/mlp02.c"
    [ -n "$py" ] && torch "$work/1.t.txt" --only 1 --iters "$it02" && by_threads 1. "$work/1.t.txt" >> "$work/mlp02.t"
    "$bin/03_optimizer" best --epochs "$ep03" --data "$mnist" --out "$work/03" > "$work/03.txt"
    trajectory "ch03 best MLP" "$i" < "$work/03.txt"
    sed -n 's/^ *final: .* in \([0-9.]*\) s.*/\1/p' "$work/03.txt" >> "$work/mlp03.c"
    [ -n "$py" ] && torch "$work/3.t.txt" --only 3 --epochs "$ep03" && by_threads 3. "$work/3.t.txt" >> "$work/mlp03.t"
    "$bin/04_cnn" simple --epochs "$ep04" --threads "$threads" --data "$mnist" --out "$work/04" |
        trajectory "SimpleConvNet" "$i"
    "$bin/04_cnn" deep --deep-epochs "$ep04" --threads "$threads" --data "$mnist" --out "$work/04" |
        trajectory "DeepConvNet" "$i"
    echo "  run $i of $runs done ($(date '+%H:%M:%S'))"
done
for net in "ch03 best MLP" SimpleConvNet DeepConvNet; do
    f=$work/reach.$(echo "$net" | tr -cd 'a-zA-Z0-9')
    # per run, the first evaluation at or above the target
    awk -F'\t' -v n="$net" -v t="$target" '$1 == n && $4 >= t && !($2 in seen) {seen[$2]; print $3}' "$acc_tsv" > "$f"
    case $net in ch03*) ch=03; th=1 ;; *) ch=04; th=$threads ;; esac
    record "$ch" "time to test accuracy $target" "$net" s "$th" "$f"
done
what02="ch02 MLP 784-50-10, $it02 iterations (SGD) + an evaluation each epoch"
record 02 "$what02" C s "$threads" "$work/mlp02.c"
record_fastest 02 "$what02" PyTorch s "$work/mlp02.t"
what03="ch03 best MLP (BN, dropout, Adam), $ep03 epoch$([ "$ep03" = 1 ] || echo s) + an evaluation each"
record 03 "$what03" C s 1 "$work/mlp03.c"
record_fastest 03 "$what03" PyTorch s "$work/mlp03.t"

section "Chapter 05: RNN, LSTM and GRU language models (about 111,000 parameters each), characters/s of training"
fresh rnn lstm gru
for i in $(seq "$runs"); do
    "$bin/05_rnn" compare --quiet --compare-iters "$cmp_iters" --val-chars 2600 --threads "$threads" \
        --data "$data/tinyshakespeare" --out "$work/05" > "$work/05.txt" 2>&1
    for cell in RNN LSTM GRU; do
        lc=$(echo "$cell" | tr 'A-Z' 'a-z')
        sed -n "s/^ *$cell  *[0-9]*  *[0-9]* .* \([0-9][0-9]*\)$/\1/p" "$work/05.txt" >> "$work/$lc"
    done
done
for cell in RNN LSTM GRU; do
    record 05 "one-layer language model, $cmp_iters iterations" "$cell" chars/s "$threads" \
        "$work/$(echo "$cell" | tr 'A-Z' 'a-z')"
done

section "Chapter 05: the character LSTM (2 x LSTM 128, batch 50 x 50), here and in PyTorch"
fresh lm_c lm_torch
for i in $(seq "$runs"); do
    "$bin/05_rnn" lm --quiet --iters "$lm_iters" --eval-every 100000 --sample-length 0 --val-chars 2600 \
        --threads "$threads" --data "$data/tinyshakespeare" --out "$work/05" 2>/dev/null |
        sed -n 's/.* \([0-9]*\) characters\/s of training.*/\1/p' >> "$work/lm_c"
    [ -n "$py" ] && torch "$work/5.t.txt" --only 5 --steps "$lm_iters" && by_threads 5. "$work/5.t.txt" >> "$work/lm_torch"
done
record 05 "character LSTM training, $lm_iters iterations" C chars/s "$threads" "$work/lm_c"
record_fastest 05 "character LSTM training, $lm_iters iterations" PyTorch chars/s "$work/lm_torch"

section "Chapter 05: seq2seq addition (peeky, reversed), one epoch of $((problems * 9 / 10)) problems and the held-out decoding"
fresh s2s_one s2s_batch s2s_torch
for i in $(seq "$runs"); do
    for db in 1 0; do
        "$bin/05_rnn" addition --variant peeky --epochs 1 --problems "$problems" --decode-batch "$db" --quiet \
            --threads "$threads" --out "$work/05" 2>/dev/null |
            sed -n 's/.*(train \([0-9.]*\) s + evaluate \([0-9.]*\) s.*/\1 \2/p' | awk '{print $1 + $2}' \
            >> "$work/$([ "$db" = 1 ] && echo s2s_one || echo s2s_batch)"
    done
    [ -n "$py" ] && torch "$work/7.t.txt" --only 7 --problems "$problems" && by_threads 7. "$work/7.t.txt" >> "$work/s2s_torch"
done
record 05 "seq2seq addition, an epoch + held-out decoding" "decoding one at a time" s "$threads" "$work/s2s_one"
record 05 "seq2seq addition, an epoch + held-out decoding" "decoding 128 together" s "$threads" "$work/s2s_batch"
record_fastest 05 "seq2seq addition, an epoch + held-out decoding" "PyTorch (128 together)" s "$work/s2s_torch"

section "Chapters 04 and 06: a training step of each net, here and in PyTorch (epoch = 600 or 937 of them)"
# ms_per NAME UNIT FILE [THREADS]: the figure of "NAME ... X ms per UNIT" in a
# chapter's bench output (its line for THREADS).
ms_per() { sed -n "s/^ *$1${4:+ *$4 threads*}.* \([0-9.][0-9.]*\) ms per $2.*/\1/p" "$3"; }
fresh SimpleConvNet.c SimpleConvNet.t DeepConvNet.c DeepConvNet.t MLP.c MLP.t DCGAN.c DCGAN.t
for i in $(seq "$runs"); do
    "$bin/04_cnn" bench --quiet --bench-batches "$steps" --threads "$threads" --data "$mnist" --out "$work/04" \
        > "$work/04.c.txt"
    "$bin/06_gan" bench --quiet --bench-batches "$gan" --threads "$threads" --data "$mnist" --out "$work/06" \
        > "$work/06.c.txt"
    : > "$work/04.t.txt"; : > "$work/06.t.txt"
    if [ -n "$py" ]; then
        # a failed run gives no figures, not the figures it printed before failing
        torch "$work/04.t.txt" --only 4 --steps "$steps" || : > "$work/04.t.txt"
        torch "$work/06.t.txt" --only 6 --steps "$gan" || : > "$work/06.t.txt"
    fi
    for net in SimpleConvNet DeepConvNet; do
        ms_per "$net" batch "$work/04.c.txt" "$threads" >> "$work/$net.c"
        by_threads "4. $net" "$work/04.t.txt" >> "$work/$net.t"
    done
    for net in "MLP GAN" DCGAN; do
        ms_per "$net" iteration "$work/06.c.txt" >> "$work/${net% GAN}.c"
        by_threads "6. $net" "$work/06.t.txt" >> "$work/${net% GAN}.t"
    done
done
for net in SimpleConvNet DeepConvNet; do
    record 04 "a training step (Adam, batch 100), over $steps" "$net" ms "$threads" "$work/$net.c"
    record_fastest 04 "a training step (Adam, batch 100), over $steps" "$net, PyTorch" ms "$work/$net.t"
done
for net in "MLP GAN" DCGAN; do
    record 06 "a GAN iteration (D and G steps, batch 64), over $gan" "$net" ms "$threads" "$work/${net% GAN}.c"
    record_fastest 06 "a GAN iteration (D and G steps, batch 64), over $gan" "$net, PyTorch" ms "$work/${net% GAN}.t"
done

section "The table and the pictures"
host_speed "$peak_start" "$(host_peak "$rel")" >> "$dest/machine.txt"
sh scripts/bench_report.sh "$dest" || exit 1

# word2vec against Mikolov's word2vec.c (needs npm to fetch it): the full bench only, as text.
if [ "$quick" != 1 ]; then
    echo
    echo "== Chapter 05: our word2vec against word2vec.c"
    sh scripts/bench_word2vec.sh "$rel" "$data"
fi
