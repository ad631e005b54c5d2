#!/bin/sh
# Where lupe spends its time: samples lupe-index over the 24 MB corpus and lupe-search over the
# public XQuAD questions, and prints the top DSOs and the top symbols (flat, self time).
#
#   LUPE_BUILD=build-rel bench/profile.sh        (a release build with symbols is best:
#                                                 meson's release type keeps no -g, so symbols
#                                                 of static functions may be missing)
#   PROFILE_TOP=40 bench/profile.sh              more lines per listing
#
# Uses `perf record` (linux-perf) when it works here, else `valgrind --tool=callgrind`, which is
# ~50x slower, so then only the first 2,000 documents are indexed. Output in bench/out/profile/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${LUPE_SHARED:-/work/shared}
build=${LUPE_BUILD:-build}
case $build in /*) ;; *) build="$root/$build" ;; esac
bin="$build/examples"
out="$here/out/profile"
corpus="$here/data/de-corpus.jsonl"
top=${PROFILE_TOP:-25}
mkdir -p "$out"

[ -x "$bin/lupe-index" ] && [ -x "$bin/lupe-search" ] || { echo "profile: no $bin/lupe-index (set LUPE_BUILD)" >&2; exit 1; }
if [ ! -s "$corpus" ]; then
    echo "profile: no $corpus: run bench/speed.sh (or bench/collection.sh) first" >&2
    exit 1
fi
cut -f1 "$shared/eval/xquad-de-public.tsv" >"$out/xquad.queries"
[ -n "${LUPE_INDEX_FLAGS:-}" ] && echo "profile: lupe-index flags: $LUPE_INDEX_FLAGS" >&2

tool=perf
if ! command -v perf >/dev/null || ! perf record -e cpu-clock -o "$out/probe.data" -- true >/dev/null 2>&1; then
    tool=callgrind
    command -v valgrind >/dev/null || { echo "profile: neither perf nor valgrind works here" >&2; exit 1; }
fi
rm -f "$out/probe.data"

# tidy: perf report's lines without comments, blank lines and the padding of unused columns.
tidy() {
    grep -v '^#' | grep -v '^$' | sed 's/[[:space:]]*-[[:space:]]*-[[:space:]]*$//; s/[[:space:]]*$//' |
        head -n "$top"
}

# prof NAME CMD...: profile CMD and print the DSO and symbol listings.
prof() {
    name=$1; shift
    echo
    echo "## $name: $*" | sed "s|$root/||g"
    if [ $tool = perf ]; then
        perf record -q -e cpu-clock -F 999 -o "$out/$name.perf.data" -- "$@" >"$out/$name.out" 2>"$out/$name.err"
        echo
        echo "### by DSO (self %)"
        perf report -i "$out/$name.perf.data" --stdio --no-children --sort dso 2>/dev/null | tidy
        echo
        echo "### by symbol (flat, self %)"
        perf report -i "$out/$name.perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null | tidy
    else
        valgrind --tool=callgrind --callgrind-out-file="$out/$name.callgrind" -- "$@" \
            >"$out/$name.out" 2>"$out/$name.err"
        echo
        echo "### by symbol (flat, self Ir; the DSO is the file after the colon)"
        callgrind_annotate "$out/$name.callgrind" 2>/dev/null | sed -n '/^Ir/,$p' | head -n "$((top + 2))"
    fi
}

idx_in=$corpus
if [ $tool = callgrind ]; then
    head -n 2000 "$corpus" >"$out/corpus-2000.jsonl"
    idx_in=$out/corpus-2000.jsonl
fi
rm -rf "$out/db"
# shellcheck disable=SC2086
prof index "$bin/lupe-index" --db "$out/db" --jsonl "$idx_in" ${LUPE_INDEX_FLAGS:-}
# Warm the cache first, as bench/speed.sh does.
"$bin/lupe-search" --db "$out/db" --json --queries "$out/xquad.queries" >/dev/null
prof search "$bin/lupe-search" --db "$out/db" --json --queries "$out/xquad.queries"
echo
echo "profile: $tool data in bench/out/profile/ (perf report -i bench/out/profile/search.perf.data for more)"
