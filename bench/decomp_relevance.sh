#!/bin/sh
# lupe alone on the two public relevance sets, with index time and size: the
# check for analysis changes (decompounding) that must not lose relevance.
# bench/relevance.sh runs every engine; this runs only lupe, in ~3 minutes.
#
#   bench/decomp_relevance.sh [BUILD_DIR [WORK_DIR]]
#
# BUILD_DIR defaults to ./build; the collection is bench/data/collection.jsonl
# (bench/collection.sh) or $LUPE_COLLECTION; the sets come from
# ${LUPE_SHARED:-/work/shared}/eval.  Prints one line per set and one for the index.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
work=${2:-$here/out/decomp}
coll=${LUPE_COLLECTION:-$here/data/collection.jsonl}
shared=${LUPE_SHARED:-/work/shared}
[ -f "$coll" ] || { echo "no collection at $coll (bench/collection.sh)" >&2; exit 1; }
mkdir -p "$work"
db="$work/db"
rm -rf "$db"
t0=$(date +%s.%N)
"$build/examples/lupe-index" --db "$db" --jsonl "$coll" >/dev/null
t1=$(date +%s.%N)
echo "index: $(echo "$t1 - $t0" | bc) s, $(du -sk "$db" | cut -f1) KiB"
for s in xquad-de-public compound-public; do
    cut -f1 "$shared/eval/$s.tsv" >"$work/$s.queries"
    "$build/examples/lupe-search" --db "$db" --json --queries "$work/$s.queries" >"$work/$s.jsonl"
    printf '%s: ' "$s"
    python3 "$here/eval.py" "$shared/eval/$s.tsv" "$work/$s.jsonl"
done
