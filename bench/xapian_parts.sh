#!/bin/sh
# The Xapian peer's index of a scaled corpus, made as slices in parallel and merged with
# xapian-compact, for bench/speed_addpeer.py: on a loaded 2-core machine the peer's one-process
# index of the x64 corpus (1.65 GB) was 18% through after 16 minutes.
#
#   bench/xapian_parts.sh bench/data/de-corpus-x64.jsonl 4     # -> bench/out/xparts/index
#
# XPARTS_DIR changes the folder (emptied first).
#
# The corpus is cut into PARTS slices of whole lines (for x64 and 4 parts: 16 copies of the corpus
# each), each indexed by bench/out/xapian_peer in its own process, and the slices' indexes are
# compacted into one (document ids in corpus order, as one process would number them). Each
# step's wall seconds and rss_run figures (peak RSS KB, user s, sys s) go to the folder's log.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/out"
corpus=${1:?usage: xapian_parts.sh CORPUS.jsonl [PARTS]}
parts=${2:-4}
case $parts in '' | *[!0-9]* | 0) echo "xapian_parts: PARTS must be a number from 1 up" >&2; exit 2 ;; esac
[ -s "$corpus" ] || { echo "xapian_parts: $corpus: no such corpus" >&2; exit 1; }
command -v xapian-compact >/dev/null || { echo "xapian_parts: xapian-compact missing (xapian-tools)" >&2; exit 1; }
"$here/build.sh"
work=${XPARTS_DIR:-$out/xparts}
rm -rf "$work"
mkdir -p "$work"
lines=$(wc -l <"$corpus")
per=$(((lines + parts - 1) / parts))
split -l "$per" -d -a 3 "$corpus" "$work/slice"
now() { date +%s.%N; }
t0=$(now)
dbs=""
pids=""
for s in "$work"/slice*; do
    k=${s##*/slice}
    dbs="$dbs $work/db$k"
    (
        t=$(now)
        rc=0
        "$out/rss_run" "$work/u$k" "$out/xapian_peer" index "$work/db$k" "$s" >"$work/o$k" 2>"$work/e$k" || rc=$?
        echo "slice $k: exit $rc, $(echo "$(now) - $t" | bc) s wall, rss_run $(cat "$work/u$k" 2>/dev/null)" >>"$work/log"
        exit $rc
    ) &
    pids="$pids $!"
done
failed=0
for p in $pids; do wait "$p" || failed=1; done
[ $failed = 0 ] || { echo "xapian_parts: a slice failed (see $work/log and $work/e*)" >&2; exit 1; }
echo "slices: $(echo "$(now) - $t0" | bc) s wall" >>"$work/log"
t=$(now)
# shellcheck disable=SC2086
"$out/rss_run" "$work/ucompact" xapian-compact $dbs "$work/index" >"$work/ocompact" 2>"$work/ecompact"
echo "compact: $(echo "$(now) - $t" | bc) s wall, rss_run $(cat "$work/ucompact")" >>"$work/log"
# shellcheck disable=SC2086
rm -rf "$work"/slice* $dbs
cat "$work/log"
