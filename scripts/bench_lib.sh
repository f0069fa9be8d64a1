# bench_lib.sh - what the make bench scripts share (sourced, not run), from the
# repository's root.

# The median of the numbers on stdin, one a line ("n/a" if none).
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# "lowest-highest" of the numbers on stdin.
spread() { sort -g | awk 'NR == 1 {lo=$1} {hi=$1} END {if (NR) printf "%s-%s", lo, hi}'; }

# py: the first python3 that can import torch, or empty. Debian's python3-torch
# goes into the system Python, which a pyenv or venv python3 earlier on PATH
# does not see.
py=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import torch' 2>/dev/null; then py=$p; break; fi
done
