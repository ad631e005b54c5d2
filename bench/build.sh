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
if stale "$out/xapian_shards_peer" "$here/peers/xapian_shards_peer.cc" "$0"; then
    echo "build: xapian_shards_peer" >&2
    $CXX -std=c++17 $warn -o "$out/xapian_shards_peer" "$here/peers/xapian_shards_peer.cc" \
        $(pkg-config --cflags --libs xapian-core json-c)
fi
if stale "$out/index_dump" "$here/peers/index_dump.cc" "$0"; then
    echo "build: index_dump" >&2
    $CXX -std=c++17 $warn -o "$out/index_dump" "$here/peers/index_dump.cc" $(pkg-config --cflags --libs xapian-core)
fi
if stale "$out/fts5_peer" "$here/peers/fts5_peer.c" "$0"; then
    echo "build: fts5_peer" >&2
    $CC -std=c11 -D_POSIX_C_SOURCE=200809L $warn -o "$out/fts5_peer" "$here/peers/fts5_peer.c" \
        $(pkg-config --cflags --libs sqlite3 json-c)
fi
if stale "$out/rss_run" "$here/peers/rss_run.c" "$0"; then
    echo "build: rss_run" >&2
    $CC -std=c11 $warn -o "$out/rss_run" "$here/peers/rss_run.c"
fi
# analysis_speed links the liblupe of a meson build folder ($LUPE_BUILD, default build).
lupe_lib="$here/../${LUPE_BUILD:-build}/lib"
case ${LUPE_BUILD:-build} in /*) lupe_lib="$LUPE_BUILD/lib" ;; esac
if [ -e "$lupe_lib/liblupe.so" ] &&
    { stale "$out/analysis_speed" "$here/analysis_speed.c" "$0" || [ "$lupe_lib/liblupe.so" -nt "$out/analysis_speed" ]; }; then
    echo "build: analysis_speed (liblupe from $lupe_lib)" >&2
    $CC -std=c11 $warn -o "$out/analysis_speed" "$here/analysis_speed.c" -I"$here/../include" \
        -L"$lupe_lib" -llupe -Wl,-rpath,"$(cd "$lupe_lib" && pwd)" $(pkg-config --cflags --libs json-c)
fi
