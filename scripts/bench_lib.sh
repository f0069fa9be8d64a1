# bench_lib.sh - what the make bench scripts share (sourced, not run), from the
# repository's root.

# The median of the numbers on stdin, one a line ("n/a" if none).
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# "lowest-highest" of the numbers on stdin.
spread() { sort -g | awk 'NR == 1 {lo=$1} {hi=$1} END {if (NR) printf "%s-%s", lo, hi}'; }

# OpenBLAS (our BLAS=1 row, and PyTorch's nn.Linear) picks its kernels by the
# CPU's model number; on a virtual machine whose model it does not know it
# falls back to its SSE3 kernels (30 GFLOP/s instead of 143 on the 2-core
# Xeon). Name them from the instruction sets, as bench/pytorch_compare.py does.
# An OPENBLAS_CORETYPE already in the environment is replaced, and said so: a
# machine set up with OPENBLAS_CORETYPE=Haswell for everything (seen on a
# 2-core AMD EPYC with AVX-512) would hand PyTorch's MLP GAN AVX2 kernels, 11.2
# ms a step instead of 8.2-9.0. BENCH_OPENBLAS_CORETYPE chooses on purpose
# (make bench-cnn's AVX2 comparison sets it to Haswell).
openblas_inherited=${OPENBLAS_CORETYPE:-}
if [ -n "${BENCH_OPENBLAS_CORETYPE:-}" ]; then
    export OPENBLAS_CORETYPE=$BENCH_OPENBLAS_CORETYPE
elif [ -r /proc/cpuinfo ]; then
    case " $(grep -m1 '^flags' /proc/cpuinfo) " in
        *" avx512_bf16 "*) export OPENBLAS_CORETYPE=Cooperlake ;;
        *" avx512vl "*) export OPENBLAS_CORETYPE=SkylakeX ;;
        *" avx2 "*) export OPENBLAS_CORETYPE=Haswell ;;
    esac
fi
if [ -n "$openblas_inherited" ] && [ "$openblas_inherited" != "${OPENBLAS_CORETYPE:-}" ]; then
    echo "bench: OPENBLAS_CORETYPE=$openblas_inherited from the environment replaced by $OPENBLAS_CORETYPE," \
        "this CPU's kernels (BENCH_OPENBLAS_CORETYPE=$openblas_inherited keeps it)" >&2
fi

# How fast the host lets a run go: one thread's fused multiply-add peak in
# GFLOP/s (bench_matmul --peak, from the build in $1), measured as a run begins
# and as it ends. On a shared virtual machine it moves from hour to hour (on
# the 2-core AMD EPYC, 110-118 GFLOP/s one afternoon, when every program took
# about twice its morning time), which no ratio shows but every time does.
host_peak() { "$1/bench/bench_matmul" --peak; }
# host_speed START END: the line that heads make bench's and bench-cnn's tables.
host_speed() {
    echo "Host speed: one thread's fused multiply-add peak (bench_matmul --peak) $1 GFLOP/s as the run" \
        "began, $2 as it ended (a lower peak than another run's: the host ran this one slower, both sides alike)"
}

# py: the first python3 that can import torch, or empty. Debian's python3-torch
# goes into the system Python, which a pyenv or venv python3 earlier on PATH
# does not see.
py=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import torch' 2>/dev/null; then py=$p; break; fi
done

# record CHAPTER WHAT VARIANT UNIT THREADS FILE
# One row of bench.tsv ($bench_tsv) from FILE, the figures of the runs one a
# line: their median, lowest, highest and count. No figure in FILE (the thing
# could not be measured: PyTorch absent, a target never reached) is a row of
# "absent", never a guess. The row is also printed, readably.
record() {
    ch=$1; what=$2; variant=$3; unit=$4; th=$5; file=$6
    n=0
    [ -f "$file" ] && n=$(grep -c '[0-9]' "$file")
    if [ "$n" -eq 0 ]; then
        printf '%s\t%s\t%s\tabsent\tabsent\tabsent\t0\t%s\t%s\n' "$ch" "$what" "$variant" "$unit" "$th" >> "$bench_tsv"
        printf '  %-24s %12s  %s\n' "$variant" "absent" "$unit"
        return
    fi
    med=$(grep '[0-9]' "$file" | median)
    lo=$(grep '[0-9]' "$file" | sort -g | head -n 1)
    hi=$(grep '[0-9]' "$file" | sort -g | tail -n 1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ch" "$what" "$variant" "$med" "$lo" "$hi" "$n" "$unit" "$th" >> "$bench_tsv"
    printf '  %-24s %12s  %s  (%s-%s, %s run%s, %s thread%s)\n' "$variant" "$med" "$unit" "$lo" "$hi" "$n" \
        "$([ "$n" = 1 ] || echo s)" "$th" "$([ "$th" = 1 ] || echo s)"
}

# record_fastest CHAPTER WHAT VARIANT UNIT FILE
# PyTorch's row: FILE has "THREADS FIGURE" a line, one run at one thread count (the
# counts took turns). The row is record's of the count with the best median: the
# lowest time, or the highest rate (a UNIT per second); a tie goes to fewer threads.
# With more than one count, every count's median is printed and added to
# $dest/pytorch_threads.txt for bench.md. No figure at all: an absent row at $torch_threads.
record_fastest() {
    medians=$(for t in $(cut -d' ' -f1 "$5" | sort -nu); do
                  echo "$t $(awk -v t="$t" '$1 == t {print $2}' "$5" | median)"; done)
    best=$(echo "$medians" | awk -v rate="$(case $4 in */s) echo 1 ;; esac)" \
        'NF == 2 && (b == "" || (rate ? $2 + 0 > m : $2 + 0 < m)) {b = $1; m = $2 + 0} END {print b}')
    awk -v t="$best" '$1 == t {print $2}' "$5" > "$5.fastest"
    record "$1" "$2" "$3" "$4" "${best:-$torch_threads}" "$5.fastest"
    [ "$(echo "$medians" | grep -c .)" -gt 1 ] || return 0     # one count (or none): no choice made
    each=$(echo "$medians" | awk -v u="$4" '{printf "%s%s thread%s %s", (NR > 1 ? ", " : ""), $1, ($1 == 1 ? "" : "s"), $2}
                                            END {printf " %s", u}')
    echo "    PyTorch's medians: $each; fastest: $best"
    echo "$1 $2 / $3: $each" >> "$dest/pytorch_threads.txt"
}
