#!/bin/sh
# bench_report.sh - make bench's table and pictures from its measurements.
#
#   sh scripts/bench_report.sh DIR
#
# reads DIR/bench.tsv, DIR/accuracy.tsv, DIR/machine.txt and DIR/pytorch_threads.txt
# (scripts/bench.sh writes them; the last two are quoted as they are, if there) and
# writes DIR/bench.md, DIR/speedups.png, DIR/accuracy_vs_time.png.
# A malformed file is refused with one line naming the file, the line and what
# is wrong, and exit status 1: a picture is never drawn from a broken table.
#
# bench.tsv: tab-separated, this header line, then one row per measurement:
#   chapter  what  variant  median  min  max  runs  unit  threads
#   chapter  00 to 06, or common (the matrix multiply of common/matmul.c)
#   what     the work measured; the rows with the same what are one comparison
#            (chapter 01 against 02, say), measured in the same run, taking turns
#   variant  which side of the comparison (naive, im2col, PyTorch, ...)
#   median, min, max   over the runs; all three "absent" (and runs 0) when the
#            figure could not be measured (PyTorch not installed, a target
#            accuracy never reached): shown as absent, never guessed
#   runs     how many runs the three figures come from
#   unit     ms, s (lower is better), or something per second (GFLOP/s,
#            chars/s: higher is better)
#   threads  the threads the measured side used (PyTorch: its fastest count of
#            those it ran, which pytorch_threads.txt lists with their medians)
# accuracy.tsv: net, run, seconds, test_acc: each evaluation of each training
#   run (seconds since its training began, evaluations included).
dir=${1:?usage: bench_report.sh DIR}
tsv=$dir/bench.tsv
acc=$dir/accuracy.tsv
header='chapter	what	variant	median	min	max	runs	unit	threads'

# Check bench.tsv; on the first fault print "FILE:LINE: what is wrong" and fail.
check_bench() {
    [ -s "$tsv" ] || { echo "bench_report: $tsv: missing or empty" >&2; return 1; }
    awk -F'\t' -v h="$header" -v f="$tsv" '
        function num(x) { return x ~ /^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ }
        function bad(msg) { printf "bench_report: %s:%d: %s\n", f, NR, msg > "/dev/stderr"; failed = 1; exit 1 }
        NR == 1 { if ($0 != h) { gsub(/\t/, " ", h); bad("the header is not the tab-separated: " h) }; next }
        NF != 9 { bad("expected 9 tab-separated fields, found " NF) }
        $1 !~ /^(0[0-6]|common)$/ { bad("chapter \"" $1 "\" is not 00 to 06 or common") }
        $2 == "" || $3 == "" || $8 == "" { bad("empty what, variant or unit") }
        $9 !~ /^[1-9][0-9]*$/ { bad("threads \"" $9 "\" is not a positive whole number") }
        $4 == "absent" || $5 == "absent" || $6 == "absent" {
            if ($4 != "absent" || $5 != "absent" || $6 != "absent" || $7 != "0")
                bad("an absent figure must be absent in median, min and max, with runs 0")
            seen[$2, $3]; rows++; next }
        !num($4) || !num($5) || !num($6) { bad("median, min and max must be numbers or absent") }
        $7 !~ /^[1-9][0-9]*$/ { bad("runs \"" $7 "\" is not a positive whole number") }
        $5 + 0 > $4 + 0 || $4 + 0 > $6 + 0 { bad("not min <= median <= max") }
        ($2 SUBSEP $3) in seen { bad("a second row for " $2 " / " $3) }
        { seen[$2, $3]; rows++ }
        END { if (!failed && !rows) bad("no rows") }' "$tsv"
}
check_accuracy() {
    [ -s "$acc" ] || { echo "bench_report: $acc: missing or empty" >&2; return 1; }
    awk -F'\t' -v f="$acc" '
        function bad(msg) { printf "bench_report: %s:%d: %s\n", f, NR, msg > "/dev/stderr"; exit 1 }
        NR == 1 { if ($0 != "net\trun\tseconds\ttest_acc") bad("the header is not: net run seconds test_acc"); next }
        NF != 4 || $1 == "" { bad("expected 4 tab-separated fields, a net first") }
        $2 !~ /^[1-9][0-9]*$/ || $3 !~ /^[0-9]+(\.[0-9]*)?$/ { bad("run or seconds is not a number") }
        $4 !~ /^[01](\.[0-9]*)?$/ || $4 > 1 { bad("test_acc is not from 0 to 1") }' "$acc"
}
check_bench && check_accuracy || exit 1

# The ratio of each row to the first of its comparison, > 1 when it is faster:
# first/this for times, this/first for rates. Appended as a 10th field ("-"
# when either side is absent or zero).
with_ratio() {
    awk -F'\t' -v OFS='\t' 'NR > 1 {
        g = $2
        if (!(g in base)) base[g] = $4
        b = base[g]; r = "-"
        if ($4 != "absent" && b != "absent" && $4 > 0 && b > 0)
            { r = $8 ~ /\/s$/ ? $4 / b : b / $4; r = sprintf(r >= 100 ? "%.0f" : "%.3g", r) }
        n[g]++
        print $0, r, n[g] }' "$tsv"
}

# ---- bench.md -------------------------------------------------------------------
md=$dir/bench.md
{
    echo "# make bench"
    echo
    [ -f "$dir/machine.txt" ] && sed 's/^/    /' "$dir/machine.txt" && echo
    echo "Each figure: the median of its runs, with the lowest and highest. The rows of one"
    echo "comparison ran in the same run, taking turns; \"x first\" is each row's speed against"
    echo "the first row of its comparison (above 1: faster). \"absent\": not measured (PyTorch or"
    echo "OpenBLAS not installed, or the target accuracy never reached)."
    echo
    echo "| chapter | what | variant | median | min - max | runs | unit | threads | x first |"
    echo "|---|---|---|---:|---|---:|---|---:|---:|"
    with_ratio | awk -F'\t' '{
        spread = $4 == "absent" ? "-" : $5 " - " $6
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, spread, $7, $8, $9, $10 }'
    if [ -s "$dir/pytorch_threads.txt" ]; then
        echo
        echo "PyTorch ran each of its workloads at these thread counts, taking turns; its row in"
        echo "the table is the best median's (medians here):"
        echo
        sed 's/^/    /' "$dir/pytorch_threads.txt"
    fi
    echo
    echo "Pictures: speedups.png (the comparisons), accuracy_vs_time.png (accuracy.tsv)."
} > "$md"
echo "  table: $md"

if ! command -v gnuplot >/dev/null 2>&1; then
    echo "  gnuplot is not installed, so no pictures (sudo apt-get install gnuplot-nox)"
    exit 0
fi

# ---- speedups.png: one horizontal bar per row of a comparison of 2 or more ----------
# Bar k (from the top) has length ratio on a log scale, labelled "12.3x", or no
# bar and "absent". Rows of one comparison sit together, a gap between them.
bars=$dir/speedups.dat
with_ratio | awk -F'\t' -v OFS='\t' '
    { g = $2; rows[NR] = $0; key[NR] = g; count[g]++ }
    END {
        y = 0
        for (i = 1; i <= NR; i++) {
            if (count[key[i]] < 2) continue
            split(rows[i], f, "\t")
            if (f[11] == 1 && y > 0) y++              # a gap before each comparison
            label = (f[11] == 1 ? f[1] " " f[2] ": " : "") f[3]
            gsub(/"/, "", label)
            r = f[10] == "-" ? 1 : f[10]
            text = f[10] == "-" ? (f[4] == "absent" ? "absent" : "-") : f[10] "x"
            print y, r, (f[10] == "-" ? 0 : 1), "\"" label "\"", "\"" text "\""
            y++
        }
    }' > "$bars"
last=$(awk 'END {print $1 + 0}' "$bars")     # the lowest bar's y
gnuplot <<EOF || { echo "bench_report: gnuplot failed on $bars" >&2; exit 1; }
set terminal pngcairo size 1100,$((130 + 22 * (last + 2))) font ',9'
set output '$dir/speedups.png'
set title "make bench: speed against the first row of each comparison (right of 1: faster)"
set logscale x
set xlabel 'times as fast as the first row of its comparison'
set yrange [$((last + 1)):-1]
set ytics nomirror font ',8'
set rmargin 12
set grid xtics
set key off
set style fill solid 0.6
plot '$bars' using (sqrt(\$2)):1:(1):(\$2):(\$1-0.4):(\$1+0.4):(\$3 > 0 ? 3 : 0):ytic(4) with boxxyerror lc variable, \
     '' using (\$2):1:5 with labels left offset 0.5,0
EOF
rm -f "$bars"
echo "  plot: $dir/speedups.png"

# ---- accuracy_vs_time.png: a line per net (its first run) ------------------------
gnuplot <<EOF || { echo "bench_report: gnuplot failed on $acc" >&2; exit 1; }
set terminal pngcairo size 900,560 font ',10'
set output '$dir/accuracy_vs_time.png'
set title 'Test accuracy against seconds of training (first run of each; evaluations included)'
set xlabel 'seconds since training began (log scale)'
set ylabel 'test accuracy'
set logscale x
set grid
set key bottom right
set datafile separator '\t'
nets = system("awk -F'\t' 'NR > 1 && !s[\$1]++ {printf \"%s;\", \$1}' '$acc'")
name(i) = system("echo '" . nets . "' | cut -d';' -f" . i)
count = int(system("echo '" . nets . "' | tr -cd ';' | wc -c"))
plot for [i=1:count] '$acc' using (strcol(1) eq name(i) && \$2 == 1 ? (\$3 > 0 ? \$3 : 0.05) : NaN):4 \
     with linespoints lw 2 pt 7 ps 0.8 title name(i)
EOF
echo "  plot: $dir/accuracy_vs_time.png"
