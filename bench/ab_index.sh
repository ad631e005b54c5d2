#!/bin/sh
# Indexing A/B: two builds' lupe-index on the same input, run alternately
# (A, B, A, B, ...), each into a fresh index; prints the median wall, user
# and user+sys CPU seconds of each and the ratios B/A.  Short enough to run
# on a shared machine: the ratios of interleaved runs are what to report,
# not the seconds.
#
#   bench/ab_index.sh A_BUILD B_BUILD [FILE.jsonl]
#
#   AB_ROUNDS=3        rounds (each runs every engine once)
#   AB_MODE=jsonl      jsonl | folder | both: --jsonl FILE, or the same
#                      records written out as one .txt file each (title,
#                      blank line, text; 1,000 a folder), indexed as a folder
#   AB_PEER=1          also the Xapian peer (bench/out/xapian_peer, built by
#                      bench/build.sh) on the JSONL: lupe/Xapian ratios
#   AB_ARGS="..."      more lupe-index options (both builds)
#   AB_CHECK=1         also compare what the two builds index: the JSONL (and
#                      in folder mode the folder) indexed once more by each,
#                      dumped with bench/out/index_dump (bench/build.sh) and
#                      compared; says "identical" or where they differ
#
# FILE defaults to bench/data/collection.jsonl.  Folder mode also prints
# each build's seconds per MB of the folder against seconds per MB of the
# JSONL (MB: bytes of title and text, the same in both).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 A_BUILD B_BUILD [FILE.jsonl]" >&2; exit 2; }
abs() { case $1 in /*) echo "$1" ;; *) echo "$root/$1" ;; esac; }
a=$(abs "$1")
b=$(abs "$2")
input=${3:-$here/data/collection.jsonl}
rounds=${AB_ROUNDS:-3}
mode=${AB_MODE:-jsonl}
peer=${AB_PEER:-0}
for x in "$a" "$b"; do
    [ -x "$x/examples/lupe-index" ] || { echo "ab_index: no $x/examples/lupe-index" >&2; exit 1; }
done
[ -s "$input" ] || { echo "ab_index: no input $input" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "ab_index: needs /usr/bin/time" >&2; exit 1; }
case $mode in jsonl | folder | both) ;; *) echo "ab_index: AB_MODE is jsonl, folder or both" >&2; exit 2 ;; esac
check=${AB_CHECK:-0}
if [ "$check" = 1 ] && [ ! -x "$here/out/index_dump" ]; then
    echo "ab_index: no bench/out/index_dump (run bench/build.sh)" >&2
    exit 1
fi
if [ "$peer" = 1 ] && [ ! -x "$here/out/xapian_peer" ]; then
    echo "ab_index: no bench/out/xapian_peer (run bench/build.sh)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ab_index.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The folder form of the input, and the text bytes both forms hold.
python3 - "$input" "$tmp/files" "$tmp/mb" "$mode" <<'PY'
import json, os, sys
src, out, mbfile, mode = sys.argv[1:5]
n = nbytes = 0
with open(src, encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        title, text = r.get("title") or "", r.get("text") or ""
        nbytes += len(title.encode()) + len(text.encode())
        if mode != "jsonl":
            d = os.path.join(out, "d%03d" % (n // 1000))
            if n % 1000 == 0:
                os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "f%06d.txt" % n), "w", encoding="utf-8") as g:
                g.write(title + "\n\n" + text + "\n")
        n += 1
with open(mbfile, "w") as g:
    g.write("%.3f\n" % (nbytes / 1e6))
PY
mb=$(cat "$tmp/mb")

# run NAME CMD...: one timed run into a fresh index; appends "wall user sys" to $tmp/NAME.
run() {
    name=$1; shift
    rm -rf "$tmp/db"
    if ! /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >"$tmp/out" 2>&1; then
        echo "ab_index: $name failed:" >&2
        tail -5 "$tmp/out" >&2
        exit 1
    fi
    tail -1 "$tmp/t" >>"$tmp/$name"
}

# shellcheck disable=SC2086
for r in $(seq 1 "$rounds"); do
    for side in a b; do
        eval "bin=\$$side/examples/lupe-index"
        if [ "$mode" != folder ]; then
            run "$side-jsonl" "$bin" --db "$tmp/db" --jsonl "$input" ${AB_ARGS:-}
        fi
        if [ "$mode" != jsonl ]; then
            run "$side-folder" "$bin" --db "$tmp/db" "$tmp/files" ${AB_ARGS:-}
        fi
    done
    if [ "$peer" = 1 ]; then
        run xapian "$here/out/xapian_peer" index "$tmp/db" "$input"
    fi
    echo "ab_index: round $r of $rounds done" >&2
done

# compare FORM ARGS...: index with both builds, dump both indexes, compare the dumps.
compare() {
    form=$1; shift
    for side in a b; do
        eval "bin=\$$side/examples/lupe-index"
        rm -rf "$tmp/db"
        # shellcheck disable=SC2086
        "$bin" -q --db "$tmp/db" "$@" ${AB_ARGS:-} >"$tmp/out" 2>&1 || { echo "ab_index: $side failed" >&2; exit 1; }
        "$here/out/index_dump" "$tmp/db" >"$tmp/dump-$side"
    done
    docs=$(tail -1 "$tmp/dump-a")
    if cmp -s "$tmp/dump-a" "$tmp/dump-b"; then
        echo "index content, $form: identical ($docs)" >>"$tmp/check"
    else
        line=$(cmp "$tmp/dump-a" "$tmp/dump-b" 2>&1 | sed -n 's/.* line \([0-9]*\).*/\1/p')
        echo "index content, $form: DIFFERS from dump line ${line:-?} (A: $docs)" >>"$tmp/check"
    fi
}
if [ "$check" = 1 ]; then
    [ "$mode" = folder ] || compare jsonl --jsonl "$input"
    [ "$mode" = jsonl ] || compare folder "$tmp/files"
fi

python3 - "$tmp" "$mb" "$rounds" "$a" "$b" "$input" <<'PY'
import os, statistics, sys
tmp, mb, rounds, a, b, inp = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def load(name):
    p = os.path.join(tmp, name)
    if not os.path.exists(p):
        return None
    rows = [list(map(float, l.split())) for l in open(p) if l.strip()]
    wall = statistics.median(r[0] for r in rows)
    user = statistics.median(r[1] for r in rows)
    cpu = statistics.median(r[1] + r[2] for r in rows)
    return wall, user, cpu
print("ab_index: %s (%.1f MB of text), median of %s alternated rounds" % (inp, mb, rounds))
print("  A = %s\n  B = %s" % (a, b))
x = load("xapian")
for form in ("jsonl", "folder"):
    ra, rb = load("a-" + form), load("b-" + form)
    if not ra:
        continue
    print("%-7s %-6s %8s %8s %8s" % (form, "", "wall s", "user s", "cpu s"))
    for tag, v in (("A", ra), ("B", rb)):
        print("%-7s %-6s %8.2f %8.2f %8.2f" % ("", tag, *v))
    print("%-7s %-6s %8.3f %8.3f %8.3f" % ("", "B/A", *(q / p for p, q in zip(ra, rb))))
    if x and form == "jsonl":
        print("%-7s %-6s %8.2f %8.2f %8.2f" % ("", "xapian", *x))
        print("%-7s %-6s %8.3f %8.3f %8.3f" % ("", "A/xap", *(p / q for p, q in zip(ra, x))))
        print("%-7s %-6s %8.3f %8.3f %8.3f" % ("", "B/xap", *(p / q for p, q in zip(rb, x))))
fa, ja = load("a-folder"), load("a-jsonl")
if fa and ja:
    fb, jb = load("b-folder"), load("b-jsonl")
    for tag, f, j in (("A", fa, ja), ("B", fb, jb)):
        print("folder/jsonl per MB, %s: wall %.3f  user %.3f  cpu %.3f" % (tag, *(p / q for p, q in zip(f, j))))
PY
[ ! -s "$tmp/check" ] || cat "$tmp/check"
