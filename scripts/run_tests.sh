#!/bin/sh
# Run every test program of both builds and add up their "N passed, N failed"
# lines into one closing line. Exits non-zero if any test failed or crashed.
# usage: run_tests.sh RELEASE_DIR CHECK_DIR -- NAME...
rel=$1; chk=$2; shift 3
passed=0; failed=0; status=0
for build in "$rel" "$chk"; do
    case $build in
        "$rel") echo "== float build, optimised ==" ;;
        *)      echo "== double build, AddressSanitizer + UBSan ==" ;;
    esac
    for name in "$@"; do
        echo "-- $name"
        log=$(mktemp)
        "$build/$name" >"$log" 2>&1
        rc=$?
        sed 's/^/  /' "$log"
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
        rm -f "$log"
        if [ -n "$line" ]; then
            p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
            passed=$((passed + p)); failed=$((failed + f))
        fi
        if [ $rc -ne 0 ]; then
            status=1
            if [ -z "$line" ] || [ "${f:-0}" -eq 0 ]; then
                echo "  $name exited with status $rc (crashed?)"
                failed=$((failed + 1))
            fi
        fi
    done
done
echo "$passed passed, $failed failed"
exit $status
