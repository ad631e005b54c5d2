#!/bin/sh
# Re-sync of an unchanged folder against the first sync (issue 19).
#
#   bench/sync_bench.sh [BUILD_DIR] [N_FILES]
#
# Writes N_FILES (default 1000) text files into a temp folder, taken from
# bench/data/collection.jsonl when it is there (one document a file), else
# from data/corpus (its articles cut into paragraphs, cycled); then times
# `lupe-index --db DB DIR` three ways: the first sync into a new index, a
# re-sync of the unchanged folder, and a re-sync after one file changed.
# Prints the times and the ratio re-sync / first sync.  BUILD_DIR may be an
# older build (the same script measured the lupe-index before issue 19).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-1000}
index=$build/examples/lupe-index
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lupe-sync-bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/files"

python3 - "$here" "$tmp/files" "$n" <<'PY'
import json, os, sys
here, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
coll = os.path.join(here, "bench", "data", "collection.jsonl")
texts = []
if os.path.exists(coll):
    with open(coll, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            texts.append((d.get("title") or "") + "\n\n" + (d.get("text") or ""))
            if len(texts) == n:
                break
else:
    cdir = os.path.join(here, "data", "corpus")
    for name in sorted(os.listdir(cdir)):
        with open(os.path.join(cdir, name), encoding="utf-8") as f:
            texts += [p for p in f.read().split("\n\n") if len(p) > 80]
for i in range(n):
    sub = os.path.join(out, "d%02d" % (i % 20))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%05d.txt" % i), "w", encoding="utf-8") as f:
        f.write(texts[i % len(texts)] + "\n\nDatei %d\n" % i)
PY

t() { # seconds of one run
	s=$(date +%s.%N)
	"$index" --db "$tmp/db" "$tmp/files" 2>/dev/null
	e=$(date +%s.%N)
	echo "$e - $s" | bc -l
}
first=$(t)
again=$(t)
echo "Noch ein Satz." >> "$tmp/files/d00/f00000.txt"
changed=$(t)
printf 'files: %s (%s)\n' "$n" "$(du -sh "$tmp/files" | cut -f1)"
printf 'first sync:            %.3f s\n' "$first"
printf 'unchanged re-sync:     %.3f s  (%.3fx the first)\n' "$again" "$(echo "$again / $first" | bc -l)"
printf 'one file changed:      %.3f s\n' "$changed"
