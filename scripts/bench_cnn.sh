#!/bin/sh
# make bench-cnn: chapter 04's two nets against PyTorch, a training step each
# (forward, backward, Adam, batch 100), on 1 and 2 threads, built for this
# machine's vector width and again for AVX2 (8-float vectors, as on a machine
# without AVX-512). PyTorch gets the same choice: oneDNN's kernels for this
# machine, then capped at AVX2 (ONEDNN_MAX_CPU_ISA=AVX2, ATEN_CPU_CAPABILITY=avx2,
# and OpenBLAS's Haswell kernels for its Linear layers, BENCH_OPENBLAS_CORETYPE=Haswell).
# PyTorch's nets run in its channels_last memory format, oneDNN's faster one here
# (bench/pytorch_compare.py's default, --layout).
# The two sides take turns, RUNS times (default 3), and so do the two builds;
# medians and spreads.
# usage: bench_cnn.sh DATA_DIR [RUNS]
data=$1; runs=${2:-3}
steps=100
. scripts/bench_lib.sh     # median, spread, py
out=build/bench-out/cnn
mkdir -p "$out" && rm -f "$out"/*.ms
if [ -z "$py" ]; then
    echo "bench-cnn: PyTorch is not installed (python3-torch): nothing to compare with" >&2
    exit 1
fi
peak_start=$(host_peak build/release)    # and again at the end (bench_lib.sh)
for i in $(seq "$runs"); do
    for isa in native avx2; do  # the two builds take turns too, so that drift hits both
        dir=build/release$([ $isa = avx2 ] && echo -avx2)
        echo "  $isa: run $i of $runs" >&2
        "$dir/bin/04_cnn" bench --quiet --bench-batches $steps --threads 2 --data "$data/mnist" \
            --out "$out/04" > "$out/ours.txt" || exit 1
        # PyTorch capped at AVX2 beside our AVX2 build
        cap=$([ $isa = avx2 ] && echo "ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 BENCH_OPENBLAS_CORETYPE=Haswell")
        env $cap OPENBLAS_NUM_THREADS=1 \
            "$py" bench/pytorch_compare.py --only 4 --threads 2 --steps $steps --data "$data/mnist" > "$out/torch.txt"
        for net in SimpleConvNet DeepConvNet; do
            for th in 1 2; do
                sed -n "s/^ *$net *$th threads* *\([0-9.]*\) ms per batch.*/\1/p" "$out/ours.txt" >> "$out/$isa.$net.$th.ours.ms"
                sed -n "s/^ *4\. $net step .*  *$th  *[0-9.]*  *\([0-9.]*\) ms per batch.*/\1/p" "$out/torch.txt" \
                    >> "$out/$isa.$net.$th.torch.ms"
            done
        done
    done
done
peak_end=$(host_peak build/release)
echo
host_speed "$peak_start" "$peak_end"
echo "Per epoch of 60,000 images (600 steps), from the median step time of $runs runs (min-max), $(nproc) cores:"
printf '  %-7s %-14s %-3s %-24s %-24s %s\n' isa net thr "here" "PyTorch" "PyTorch / here"
for isa in native avx2; do
    for net in SimpleConvNet DeepConvNet; do
        for th in 1 2; do
            o=$out/$isa.$net.$th.ours.ms t=$out/$isa.$net.$th.torch.ms
            mo=$(median < "$o") mt=$(median < "$t")
            printf '  %-7s %-14s %-3s %-24s %-24s %s\n' $isa $net $th \
                "$(awk -v m="$mo" 'BEGIN { printf "%.1f s", m * 0.6 }') ($(spread < "$o") ms)" \
                "$(awk -v m="$mt" 'BEGIN { printf "%.1f s", m * 0.6 }') ($(spread < "$t") ms)" \
                "$(awk -v a="$mt" -v b="$mo" 'BEGIN { printf "%.2fx", a / b }')"
        done
    done
done
