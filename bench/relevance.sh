#!/bin/sh
# One command for the relevance table: builds the collection (cached) and the peers,
# indexes the collection with every engine, runs both public sets through each, and
# prints engine x set with MRR@10, S@1, S@10 and the indexing time; the same table
# goes to bench/out/relevance.md.
#
#   bench/relevance.sh                 lupe from ./build, plus the Xapian and FTS5 peers
#   LUPE_BUILD=build-rel bench/relevance.sh
#
# Engines whose programs are missing (lupe before it is built) are left out with a note.
# Run it alone: indexing is the heavy part and the timings mean nothing under load.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${LUPE_SHARED:-/work/shared}
lupe_bin="$root/${LUPE_BUILD:-build}/examples"
case ${LUPE_BUILD:-build} in /*) lupe_bin="${LUPE_BUILD}/examples" ;; esac
out="$here/out"
coll="$here/data/collection.jsonl"
sets="xquad:$shared/eval/xquad-de-public.tsv compound:$shared/eval/compound-public.tsv typo:$shared/eval/typo-public.tsv"

"$here/collection.sh"
"$here/build.sh"
mkdir -p "$out/relevance"
work="$out/relevance"

for s in $sets; do
    cut -f1 "${s#*:}" >"$work/${s%%:*}.queries"
done

now() { date +%s.%N; }

# index_with ENGINE DB: creates DB from the collection with ENGINE, returns non-zero on failure.
index_with() {
    case $1 in
    lupe) "$lupe_bin/lupe-index" --db "$2" --jsonl "$coll" ;;
    lupe-nodecomp) "$lupe_bin/lupe-index" --db "$2" --jsonl "$coll" --no-decompound ;;
    xapian) "$out/xapian_peer" index "$2" "$coll" ;;
    fts5) "$out/fts5_peer" index "$2" "$coll" ;;
    esac
}

# search_with ENGINE DB QUERIES: one JSON result line per query on stdout.
search_with() {
    case $1 in
    lupe | lupe-nodecomp) "$lupe_bin/lupe-search" --db "$2" --json --queries "$3" ;;
    xapian) "$out/xapian_peer" search "$2" --queries "$3" ;;
    fts5) "$out/fts5_peer" search "$2" --queries "$3" ;;
    esac
}

engines="xapian fts5"
notes=""
if [ -x "$lupe_bin/lupe-index" ] && [ -x "$lupe_bin/lupe-search" ]; then
    engines="lupe lupe-nodecomp $engines"
else
    notes="- lupe left out: no $lupe_bin/lupe-index and lupe-search yet."
fi

table="$work/table.md"
{
    echo "| engine | index s | xquad MRR@10 | xquad S@1 | xquad S@10 | compound MRR@10 | compound S@1 | compound S@10 | typo MRR@10 | typo S@1 | typo S@10 | typo suggestion restores |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$table"

for e in $engines; do
    db="$work/db-$e"
    rm -rf "$db"
    echo "relevance: indexing with $e" >&2
    t0=$(now)
    if ! index_with "$e" "$db" >"$work/$e.index.log" 2>&1; then
        notes="$notes
- $e failed to index (see $work/$e.index.log)."
        continue
    fi
    secs=$(echo "$t0 $(now)" | awk '{printf "%.1f", $2 - $1}')
    row="| $e | $secs"
    for s in $sets; do
        name=${s%%:*}
        res="$work/$e-$name.jsonl"
        if search_with "$e" "$db" "$work/$name.queries" >"$res" 2>"$work/$e-$name.log" &&
            m=$(python3 "$here/eval.py" --tsv "${s#*:}" "$res" 2>>"$work/$e-$name.log"); then
            row="$row | $(echo "$m" | awk -F'\t' '{print $1 " | " $2 " | " $3}')"
        else
            row="$row | fail | fail | fail"
            notes="$notes
- $e failed on $name (see $work/$e-$name.log)."
        fi
    done
    # The typo set's fourth figure: how often the suggestion names the clean word (lupe only).
    case $e in
    lupe | lupe-nodecomp) sug=$(python3 "$here/suggest_eval.py" "$shared/eval/typo-public.tsv" "$work/$e-typo.jsonl" 2>/dev/null || echo fail) ;;
    *) sug="-" ;;
    esac
    echo "$row | $sug |" >>"$table"
done

{
    echo "Relevance on the collection of /work/shared/eval/README.md ($(wc -l <"$coll") documents),"
    echo "$(date -u +%Y-%m-%d), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo "xquad = xquad-de-public.tsv ($(wc -l <"$work/xquad.queries") queries), compound = compound-public.tsv ($(wc -l <"$work/compound.queries") queries),"
    echo "typo = typo-public.tsv ($(wc -l <"$work/typo.queries") queries, as typed; typo tolerance is lupe's default)."
    echo
    cat "$table"
    if [ -n "$notes" ]; then
        echo
        printf '%b\n' "$notes" | sed '/^$/d'
    fi
} >"$out/relevance.md"
cat "$out/relevance.md"
