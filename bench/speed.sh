#!/bin/sh
# One command for the speed table of issue 6 (and the sharded line of issue 7): indexing time,
# CPU, MB/s, index size and peak RSS, and query latency p50/p95/p99 and QPS, for lupe, the Xapian
# peer and the FTS5 peer, on the 24 MB corpus and on copies scaled 4x and 16x.
#
#   bench/speed.sh                               lupe from ./build, scales 1 4 16 (15-25 minutes)
#   LUPE_BUILD=build-rel BENCH_SCALES=1 bench/speed.sh      quick run on the 24 MB corpus only
#   LUPE_INDEX_FLAGS="--threads 2" bench/speed.sh           extra lupe-index flags
#   LUPE_SEARCH_FLAGS=... BENCH_SHARDS=0 BENCH_SHARED=1     extra lupe-search flags, no shard
#                                                           lines, mark the figures as taken
#                                                           on a shared machine
#   BENCH_SCALES="1 64" BENCH_ENGINES="lupe xapian" bench/speed.sh      the x64 run (1.65 GB; see
#                                                           bench/README.md): FTS5 left out;
#                                                           BENCH_KEEP=1 keeps the peers' indexes
#
# Writes bench/out/speed.md (also printed), bench/out/speed.png, bench/out/speed/ (indexes, result
# lines, logs, results.json) and bench/out/short-queries.txt; the scaled corpora are cached in
# bench/data/. Run it alone on the machine: the figures mean little under load.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${LUPE_SHARED:-/work/shared}
build=${LUPE_BUILD:-build}
case $build in /*) ;; *) build="$root/$build" ;; esac
data="$here/data"

# The 24 MB corpus, made the way bench/collection.sh makes it (cached).
if [ ! -s "$data/de-corpus.jsonl" ]; then
    mkdir -p "$data"
    "$shared/corpus/build-de-corpus" "$data/de-corpus.jsonl.tmp" \
        --news "$shared/corpus/10kgnad-test.csv" --workdir "$data/work"
    mv "$data/de-corpus.jsonl.tmp" "$data/de-corpus.jsonl"
fi

"$here/build.sh"

# Debian's python3 (not a pyenv one on PATH) with matplotlib for the plot.
py=/usr/bin/python3
if ! $py -c 'import matplotlib' 2>/dev/null; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    echo "speed: installing python3-matplotlib" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-matplotlib >/dev/null ||
        echo "speed: python3-matplotlib not installed; no plot" >&2
fi
if [ "${BENCH_SHARDS:-1}" != 0 ] && ! command -v xapian-tcpsrv >/dev/null; then
    echo "speed: xapian-tcpsrv missing (apt-get install xapian-tools); tcp shard line left out" >&2
fi

shards=""
[ "${BENCH_SHARDS:-1}" = 0 ] && shards=--no-shards
exec $py "$here/speed.py" --lupe-build "$build" --xquad "$shared/eval/xquad-de-public.tsv" \
    --scales "${BENCH_SCALES:-1 4 16}" $shards
