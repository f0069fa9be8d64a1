#!/bin/sh
# Check the build dependencies and install what is missing.
#   C compiler, make, libpng and zlib headers (build); GNU libmicrohttpd (the
#   playground's web server); gnuplot (plots); curl and CA certificates (the data
#   step downloads MNIST over HTTPS; the playground's tests drive it with curl).
#   With DL_DEPS_BROWSER=1 also Chromium, for the playground's browser test
#   (CI installs it; without it that test says it is skipped).
# As root this runs apt-get; otherwise it uses sudo, saying so; without either
# it stops with the exact command to run.
missing=""
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v make >/dev/null 2>&1 || missing="$missing make"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
have_header() {
    printf '#include <%s>\n' "$1" | cc -E -x c - >/dev/null 2>&1
}
if command -v cc >/dev/null 2>&1; then
    have_header png.h || missing="$missing libpng-dev"
    have_header zlib.h || missing="$missing zlib1g-dev"
    have_header microhttpd.h || missing="$missing libmicrohttpd-dev"
    have_header omp.h || true   # gcc ships OpenMP; OMP=0 builds without it
else
    missing="$missing libpng-dev zlib1g-dev libmicrohttpd-dev"
fi
command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
command -v curl >/dev/null 2>&1 || missing="$missing curl ca-certificates"
if [ "${DL_DEPS_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
    missing="$missing chromium"
fi
command -v sha256sum >/dev/null 2>&1 || missing="$missing coreutils"
command -v gzip >/dev/null 2>&1 || missing="$missing gzip"
[ -z "$missing" ] && exit 0

cmd="apt-get install -y$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing:$missing; install them with your package manager" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    echo "Installing build dependencies:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd
elif command -v sudo >/dev/null 2>&1; then
    echo "Installing build dependencies with sudo (you may be asked for your password):$missing"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive $cmd
else
    echo "error: missing:$missing; install them with:  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
status=$?
if [ $status -ne 0 ]; then
    echo "error: installing$missing failed; run:  sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
