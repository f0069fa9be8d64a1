#!/bin/sh
# find_openblas.sh - print the compiler flags that link OpenBLAS, or nothing.
#
#   sh scripts/find_openblas.sh [CC]
#
# OpenBLAS counts as installed only if a program that calls one of its own
# functions (openblas_get_config) compiles and links: a cblas.h on its own may
# be netlib's reference BLAS, which has no OpenBLAS in it. The cblas.h found
# first must declare that function (an undeclared call is an error here, not
# C90's implicit declaration), since bench_matmul calls OpenBLAS's own
# functions through it. The flags come from pkg-config when it knows OpenBLAS,
# else plain -lopenblas is tried.
cc=${1:-cc}
dir=$(mktemp -d "${TMPDIR:-/tmp}/openblas-probe.XXXXXX") || exit 0
trap 'rm -rf "$dir"' EXIT
cat >"$dir/probe.c" <<'C'
#include <cblas.h>
int main(void) { return openblas_get_config() == 0; }
C
for flags in "$(pkg-config --cflags --libs openblas 2>/dev/null)" "-lopenblas"; do
    [ -n "$flags" ] || continue
    # $flags is split into words on purpose: it holds several flags.
    # shellcheck disable=SC2086
    if $cc -Werror=implicit-function-declaration "$dir/probe.c" $flags -o "$dir/probe" >/dev/null 2>&1; then
        echo "$flags"
        exit 0
    fi
done
exit 0
