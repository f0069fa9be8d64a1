#!/bin/sh
# step_ab.sh REV [STEPS] [THREADS]: DeepConvNet's training step, whole and
# stage by stage, with the library of git revision REV against the working
# tree's, in one process, the two taking turns step by step (bench/step_ab/).
# Both libraries are compiled here with the same flags (CFLAGS, as make step-ab
# passes them) into one object each, the older one's symbols given an "old_"
# prefix so that both link into one program. Needs git, objcopy and ld (binutils).
set -e
usage="usage: scripts/step_ab.sh REV [STEPS] [THREADS]   (make step-ab REV=... [STEPS=200] [THREADS=2])"
rev=$1
[ -n "$rev" ] || { echo "$usage" >&2; exit 2; }
steps=${2:-200}
threads=${3:-2}
cflags=${CFLAGS:--std=c11 -D_DEFAULT_SOURCE -O3 -march=native -fopenmp}
libs="-lpng -lz -lm"
if ! git rev-parse --verify -q "$rev^{commit}" > /dev/null; then
    echo "step_ab: '$rev' is not a commit of this repository" >&2
    exit 2
fi
if ! git cat-file -e "$rev:common/deep_conv_net.c" 2> /dev/null; then
    echo "step_ab: revision $rev has no common/deep_conv_net.c" >&2
    exit 2
fi
work=build/step_ab
rm -rf "$work"
mkdir -p "$work/old"
git archive "$rev" common | tar -x -C "$work/old"
# library SRC OUT: SRC/common/*.c and the driver, compiled two at a time with
# SRC/common's headers searched first (CFLAGS may name the working tree's),
# into one relocatable object OUT: both versions are built and linked the same
# way, so that neither's code is laid out differently for it
library() {
    mkdir -p "$2.d"
    ls "$1"/common/*.c | xargs -P 2 -I{} sh -c \
        'cc -I"$1/common" $2 -c "$3" -o "$4/$(basename "$3" .c).o"' sh "$1" "$cflags" {} "$2.d" &&
        cc -I"$1/common" $cflags -c bench/step_ab/driver.c -o "$2.d/step_driver.o" &&
        ld -r -o "$2" "$2.d"/*.o
}
short=$(git rev-parse --short "$rev")
echo "step_ab: building $short's library and the working tree's ..." >&2
if ! library "$work/old" "$work/older.o" || ! library . "$work/newer.o"; then
    echo "step_ab: could not build $short's library or the working tree's with bench/step_ab/driver.c (see above)" >&2
    exit 1
fi
# every symbol the older object defines, renamed old_NAME (its own calls follow)
nm --defined-only -g "$work/older.o" | awk 'NF == 3 { print $3, "old_" $3 }' > "$work/renames"
objcopy --redefine-syms="$work/renames" "$work/older.o" "$work/older_renamed.o"
cc $cflags -Icommon -o "$work/step_ab" bench/step_ab/main.c "$work/newer.o" "$work/older_renamed.o" $libs
echo "step_ab: $short (older) against the working tree (newer)" >&2
"$work/step_ab" "$steps" "$threads"
