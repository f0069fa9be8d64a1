#!/bin/sh
# Run each fuzz target for a bounded time and fail on any finding.
# usage: fuzz.sh BUILD_DIR SECONDS NAME...   (make fuzz passes build/fuzz $(FUZZ_S) and the names)
#
# Each target starts from its committed seeds (fuzz/corpus/NAME/) and the inputs
# that once broke it (fuzz/regressions/NAME/); what it learns goes to
# BUILD_DIR/corpus/NAME/, so the committed folders stay as they are and a second
# run starts where the first stopped. libFuzzer's limits:
#   -timeout=10         an input taking over 10 s is a hang
#   -rss_limit_mb=2048  a process over 2 GB is out of memory
#   -malloc_limit_mb=600  so is a single allocation over 600 MB. The most a valid
#                       input of 16 KB can need is about 540 MB (a 1-bit PNG of
#                       11600 x 11600, deflated 1032:1, expanded to RGBA); more
#                       means a header lying about sizes was believed
#   -max_len            inputs up to 16 KB (1 KB of command line for options)
# Any crash, sanitizer report, leak, timeout or out-of-memory ends that target's run
# with a non-zero status and writes the input to BUILD_DIR/findings/NAME/.
build=$1; seconds=$2; shift 2
status=0
for name in "$@"; do
    mkdir -p "$build/corpus/$name" "$build/findings/$name"
    max_len=16384
    [ "$name" = options ] && max_len=1024
    seeds="fuzz/corpus/$name"
    [ -d "fuzz/regressions/$name" ] && seeds="$seeds fuzz/regressions/$name"
    log="$build/$name.log"
    printf '%-14s %3s s ... ' "$name" "$seconds"
    # $seeds is a list of folders without spaces: split on purpose
    "$build/bin/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=600 \
        -max_len=$max_len -print_final_stats=1 -artifact_prefix="$build/findings/$name/" \
        "$build/corpus/$name" $seeds >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    corpus=$(ls "$build/corpus/$name" | wc -l)
    if [ $rc -eq 0 ]; then
        echo "ok: ${runs:-?} executions, $corpus new inputs kept"
    else
        status=1
        echo "FINDING (exit status $rc after ${runs:-?} executions), see $log:"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|check failed|bad error message|artifact_prefix|Test unit written)' \
            "$log" | head -n 8 | sed 's/^/    /'
    fi
done
if [ $status -ne 0 ]; then
    echo "make fuzz: findings above; each input is in $build/findings/ (fix, then add it to fuzz/regressions/)"
fi
exit $status
