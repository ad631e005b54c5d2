#!/bin/sh
# Build the relevance collection exactly as /work/shared/eval/README.md describes:
# the German benchmark corpus with the news articles, then the XQuAD paragraphs.
# The result is cached: an existing bench/data/collection.jsonl is kept as it is.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${LUPE_SHARED:-/work/shared}
data="$here/data"
out="$data/collection.jsonl"

if [ -s "$out" ]; then
    echo "collection: cached $out ($(wc -l <"$out") documents)" >&2
    exit 0
fi
mkdir -p "$data"
# Build into temporary names so that an interrupted run never leaves a half collection behind.
"$shared/corpus/build-de-corpus" "$data/de-corpus.jsonl.tmp" \
    --news "$shared/corpus/10kgnad-test.csv" --workdir "$data/work"
mv "$data/de-corpus.jsonl.tmp" "$data/de-corpus.jsonl"
cat "$data/de-corpus.jsonl" "$shared/eval/xquad-de-paragraphs.jsonl" >"$out.tmp"
mv "$out.tmp" "$out"
echo "collection: built $out ($(wc -l <"$out") documents)" >&2
