# check.sh - the shell tests' counter (sourced, not run): check NAME CONDITION...
# runs the condition and prints "ok   NAME" or "fail NAME"; the script ends by
# printing "$passed passed, $failed failed", as the C tests do.
passed=0; failed=0
check() {   # NAME CONDITION...: run the condition, count and print the result
    name=$1; shift
    if "$@"; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "fail $name"
    fi
}
