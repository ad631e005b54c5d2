#!/bin/sh
# Build the benchmark peers into bench/out/. Kept apart from the library's meson
# build on purpose: the peers link Xapian and SQLite directly and must never become
# part of what lupe ships or tests.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/out"
mkdir -p "$out"
CC=${CC:-cc}
CXX=${CXX:-c++}
warn="-Wall -Wextra -O2"

# stale TARGET SOURCE...: true when TARGET is missing or older than a source (or the shared header).
stale() {
    target=$1; shift
    for src in "$here/peers/jsonout.h" "$@"; do
        if [ ! -x "$target" ] || [ "$src" -nt "$target" ]; then
            return 0
        fi
    done
    return 1
}

if stale "$out/xapian_peer" "$here/peers/xapian_peer.cc" "$0"; then
    echo "build: xapian_peer" >&2
    $CXX -std=c++17 $warn -o "$out/xapian_peer" "$here/peers/xapian_peer.cc" \
        $(pkg-config --cflags --libs xapian-core json-c)
fi
if stale "$out/fts5_peer" "$here/peers/fts5_peer.c" "$0"; then
    echo "build: fts5_peer" >&2
    $CC -std=c11 -D_POSIX_C_SOURCE=200809L $warn -o "$out/fts5_peer" "$here/peers/fts5_peer.c" \
        $(pkg-config --cflags --libs sqlite3 json-c)
fi
