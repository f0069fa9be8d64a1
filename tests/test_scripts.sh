#!/bin/sh
# test_scripts.sh - the make targets and shell scripts as a new user meets them:
# `make chapter N` with a bad N, the OpenBLAS probe, and scripts/fetch_data.sh
# without a network. Run from the repository's root by scripts/run_tests.sh;
# prints "N passed, N failed" like the C tests. Nothing here touches the network:
# curl, wget and npm are replaced by stand-ins that fail.
. tests/check.sh         # check NAME CONDITION..., and the counts

root=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dl-test-scripts.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# This runs inside `make test`: a make started here must not join that make's jobs.
unset MAKEFLAGS MFLAGS MAKELEVEL

# ---- make chapter N ------------------------------------------------------------

# Anything but an existing chapter's number is the usage line and exit status 2.
chapter_refused() {     # [N]
    out=$(make -s chapter "$@" 2>&1)
    rc=$?
    [ $rc -eq 2 ] && echo "$out" | grep -q '^usage: make chapter N'
}
for n in two 08 3x 1.5 002 9; do
    check "make chapter $n is refused with the usage line" chapter_refused "$n"
done
check "make chapter with no number is refused" chapter_refused

# A chapter's number, with or without its leading zero, runs that chapter (-n: only say so).
chapter_runs() {        # N FOLDER
    make -n chapter "$1" 2>/dev/null | grep -q "^build/release[^ ]*/bin/$2 --data "
}
check "make chapter 2 runs 02_backpropagation" chapter_runs 2 02_backpropagation
check "make chapter 02 runs 02_backpropagation" chapter_runs 02 02_backpropagation
check "make chapter 0 runs 00_neural_network" chapter_runs 0 00_neural_network

# ---- the OpenBLAS probe ----------------------------------------------------------

# A cblas.h without OpenBLAS (netlib's, here a stand-in found first through CPATH)
# and no pkg-config entry: the probe must find no OpenBLAS, whatever is installed.
mkdir -p "$tmp/netlib" "$tmp/pkgconfig"
cat >"$tmp/netlib/cblas.h" <<'H'
/* netlib's reference CBLAS declares cblas_sgemm and friends, nothing of OpenBLAS */
void cblas_sgemm(void);
H
no_openblas_found() {
    [ -z "$(CPATH="$tmp/netlib" PKG_CONFIG_LIBDIR="$tmp/pkgconfig" PKG_CONFIG_PATH= \
              sh scripts/find_openblas.sh "${CC:-cc}")" ]
}
check "a cblas.h alone is not taken for OpenBLAS" no_openblas_found
# Whatever the probe does report must link a program that calls OpenBLAS.
found_openblas_links() {
    flags=$(sh scripts/find_openblas.sh "${CC:-cc}")
    [ -z "$flags" ] && return 0
    printf '#include <cblas.h>\nint main(void) { return openblas_get_config() == 0; }\n' >"$tmp/p.c"
    # shellcheck disable=SC2086
    ${CC:-cc} "$tmp/p.c" $flags -o "$tmp/p" && "$tmp/p"
}
check "the flags the probe reports link OpenBLAS" found_openblas_links

# ---- fetch_data.sh without a network ------------------------------------------------

# Stand-ins: curl writes half a file and fails, as a dropped connection does;
# wget and npm fail at once.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/curl" <<'S'
#!/bin/sh
while [ $# -gt 0 ]; do
    [ "$1" = -o ] && { printf 'half a file' >"$2"; }
    shift
done
exit 7
S
printf '#!/bin/sh\nexit 4\n' >"$tmp/bin/wget"
printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/npm"
chmod +x "$tmp/bin/curl" "$tmp/bin/wget" "$tmp/bin/npm"
mkdir -p "$tmp/empty-mirror"
offline() {     # COMMAND...: no network, a mirror that holds nothing
    PATH="$tmp/bin:$PATH" DL_DATA_MIRROR="$tmp/empty-mirror" "$@" >"$tmp/log" 2>&1
}

# Tiny Shakespeare comes from the shipped copy: no mirror and no network needed.
shipped_shakespeare() {
    offline sh scripts/fetch_data.sh "$tmp/d1" shakespeare &&
        [ "$(sha256sum <"$tmp/d1/tinyshakespeare/input.txt" | cut -d ' ' -f 1)" = \
          86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed ] &&
        grep -q 'unpacked from .*tinyshakespeare.txt.gz, verified' "$tmp/log"
}
check "make data gets Tiny Shakespeare offline from the shipped copy" shipped_shakespeare

# A damaged shipped copy is refused by its checksum; with nothing else reachable the
# fetch fails and leaves no folder behind (a copy of the script sees the damaged file).
damaged_shakespeare_leaves_nothing() {
    mkdir -p "$tmp/s2/data"
    cp scripts/fetch_data.sh "$tmp/s2/"
    gzip -dc scripts/data/tinyshakespeare.txt.gz | sed '1s/First/Fist/' | gzip -c >"$tmp/s2/data/tinyshakespeare.txt.gz"
    ! offline sh "$tmp/s2/fetch_data.sh" "$tmp/d2" shakespeare &&
        grep -q 'refused input.txt unpacked from' "$tmp/log" &&
        [ ! -e "$tmp/d2" ]
}
check "a damaged shipped copy is refused, no folder left" damaged_shakespeare_leaves_nothing

# MNIST with no source at all: the failure leaves neither an empty folder nor the
# curl stand-in's half file.
failed_mnist_leaves_nothing() {
    ! offline sh scripts/fetch_data.sh "$tmp/d3" mnist &&
        grep -q 'could not get a verified' "$tmp/log" &&
        [ ! -e "$tmp/d3" ]
}
check "a failed MNIST download leaves no folder" failed_mnist_leaves_nothing

# Two of the four MNIST files in the mirror: the other two fail, and the two good
# ones do not stay behind in a half-filled folder.
partial_mnist_leaves_nothing() {
    src=${DL_DATA_MIRROR:-}
    [ -f "$src/mnist/t10k-labels-idx1-ubyte.gz" ] || src=$root/data
    [ -f "$src/mnist/t10k-labels-idx1-ubyte.gz" ] || { echo "  (no MNIST to copy from: skipped)"; return 0; }
    mkdir -p "$tmp/half-mirror/mnist"
    cp "$src/mnist/train-labels-idx1-ubyte.gz" "$src/mnist/t10k-labels-idx1-ubyte.gz" "$tmp/half-mirror/mnist/"
    ! PATH="$tmp/bin:$PATH" DL_DATA_MIRROR="$tmp/half-mirror" \
        sh scripts/fetch_data.sh "$tmp/d4" mnist >"$tmp/log" 2>&1 &&
        [ ! -e "$tmp/d4" ]
}
check "a half-done MNIST download leaves no half-filled folder" partial_mnist_leaves_nothing

# A folder that was there before the failed fetch stays, with what it held.
existing_folder_stays() {
    mkdir -p "$tmp/d5/mnist"
    echo "mine" >"$tmp/d5/mnist/notes.txt"
    ! offline sh scripts/fetch_data.sh "$tmp/d5" mnist &&
        [ "$(cat "$tmp/d5/mnist/notes.txt")" = mine ]
}
check "a failed fetch keeps a folder that was there before" existing_folder_stays

# ---- make step-ab -----------------------------------------------------------------

# A revision that is not one: the script's one-line error, and a non-zero status.
step_ab_refused() {
    out=$(make -s step-ab REV=no-such-revision 2>&1)
    [ $? -ne 0 ] && echo "$out" | grep -q "^step_ab: 'no-such-revision' is not a commit"
}
check "make step-ab refuses a revision that does not exist" step_ab_refused

# HEAD's library against the working tree's: the table of every stage, and where
# common/ is as committed (a clean clone), the same weights bit for bit: the
# renamed copy of the library must be the same code, calling itself.
step_ab_runs() {
    out=$(make -s step-ab REV=HEAD STEPS=2 THREADS=1 2>&1) || { echo "$out" | tail -5; return 1; }
    echo "$out" | grep -q "^  conv6 64->64 8x8 + ReLU, backward  *[0-9.]*  *[0-9.]*  *[0-9.]*x$" || return 1
    if git diff --quiet HEAD -- common bench/step_ab 2>/dev/null; then
        echo "$out" | grep -q "the same bits in both"
    fi
}
check "make step-ab times HEAD against the working tree, stage by stage" step_ab_runs

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
