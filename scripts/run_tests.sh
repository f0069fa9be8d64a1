#!/bin/sh
# Run every test program of both builds, then the shell-level tests
# (tests/test_*.sh, once), and add up their "N passed, N failed" lines into one
# closing line. Exits non-zero if any test failed or crashed.
# usage: run_tests.sh RELEASE_DIR CHECK_DIR -- NAME...
rel=$1; chk=$2; shift 3
passed=0; failed=0; status=0

run_one() {     # NAME COMMAND...: run one test program and add up its line
    name=$1; shift
    echo "-- $name"
    log=$(mktemp)
    "$@" >"$log" 2>&1
    rc=$?
    sed 's/^/  /' "$log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    rm -f "$log"
    f=0
    if [ -n "$line" ]; then
        p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
        passed=$((passed + p)); failed=$((failed + f))
    fi
    if [ $rc -ne 0 ]; then
        status=1
        if [ -z "$line" ] || [ "$f" -eq 0 ]; then
            echo "  $name exited with status $rc (crashed?)"
            failed=$((failed + 1))
        fi
    fi
}

for build in "$rel" "$chk"; do
    case $build in
        "$rel") echo "== float build, optimised ==" ;;
        *)      echo "== double build, AddressSanitizer + UBSan ==" ;;
    esac
    for name in "$@"; do
        run_one "$name" "$build/$name"
    done
done
echo "== make targets and scripts =="
for script in tests/test_*.sh; do
    [ -f "$script" ] && run_one "$(basename "$script" .sh)" sh "$script"
done
echo "$passed passed, $failed failed"
exit $status
