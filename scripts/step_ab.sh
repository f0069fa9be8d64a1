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
mkdir -p "$work/old" "$work/obj"
git archive "$rev" common | tar -x -C "$work/old"
echo "step_ab: building $(git rev-parse --short "$rev")'s library ..." >&2
# each file of the old common/, two at a time; its headers searched before any
# other (CFLAGS may name the working tree's common/)
old_inc="-I$work/old/common"
ls "$work"/old/common/*.c | xargs -P 2 -I{} sh -c \
    'cc "$1" $2 -c "$3" -o "$4/$(basename "$3" .c).o"' sh "$old_inc" "$cflags" {} "$work/obj"
cc "$old_inc" $cflags -c bench/step_ab/driver.c -o "$work/obj/step_driver.o"
ld -r -o "$work/older.o" "$work"/obj/*.o
# every symbol the older objects define, renamed old_NAME (their own calls follow)
nm --defined-only -g "$work/older.o" | awk 'NF == 3 { print $3, "old_" $3 }' > "$work/renames"
objcopy --redefine-syms="$work/renames" "$work/older.o" "$work/older_renamed.o"
# the working tree's library built the same way, one object of all its files,
# so that neither version's code is laid out differently for being linked differently
mkdir -p "$work/newobj"
ls common/*.c | xargs -P 2 -I{} sh -c \
    'cc -Icommon $1 -c "$2" -o "$3/$(basename "$2" .c).o"' sh "$cflags" {} "$work/newobj"
cc -Icommon $cflags -c bench/step_ab/driver.c -o "$work/newobj/step_driver.o"
ld -r -o "$work/newer.o" "$work"/newobj/*.o
cc $cflags -Icommon -o "$work/step_ab" bench/step_ab/main.c "$work/newer.o" "$work/older_renamed.o" $libs
echo "step_ab: $(git rev-parse --short "$rev") (older) against the working tree (newer)" >&2
"$work/step_ab" "$steps" "$threads"
