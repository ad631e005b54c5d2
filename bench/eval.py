#!/usr/bin/env python3
"""Score search results against a relevance set (definitions: /work/shared/eval/README.md).

Usage: eval.py [--tsv] SET.tsv RESULTS.jsonl

SET.tsv holds `query TAB relevant-id [TAB ...]` lines. RESULTS.jsonl holds one JSON object a
line, as lupe-search --json and the bench peers print them, in the same order as the set
(the engine was given the set's first column, one query a line). For each query the top 10
ids count: MRR@10 is the mean of 1/rank of the relevant id (0 when absent), S@1 and S@10 the
share of queries with the relevant id at rank 1 / within the top 10.

Prints `MRR@10 ...  S@1 ...  S@10 ...  (N queries)`, or with --tsv `mrr<TAB>s1<TAB>s10<TAB>n`.
Exits 1 when the results do not line up with the set (missing lines, other query text).
"""
import json
import sys


def read_set(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                sys.exit(f"{path}: line without a relevant id: {line!r}")
            rows.append((cols[0], cols[1]))
    return rows


def read_results(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(rows, results):
    """Returns (mrr, s1, s10) over rows; results[i] answers rows[i]."""
    rr = s1 = s10 = 0.0
    for (query, relevant), res in zip(rows, results):
        ids = [h["id"] for h in sorted(res["hits"], key=lambda h: h["rank"])][:10]
        if relevant in ids:
            rank = ids.index(relevant) + 1
            rr += 1.0 / rank
            s1 += rank == 1
            s10 += 1
    n = len(rows)
    return rr / n, s1 / n, s10 / n


def main(argv):
    tsv = "--tsv" in argv
    args = [a for a in argv if a != "--tsv"]
    if len(args) != 2:
        sys.exit(__doc__)
    rows, results = read_set(args[0]), read_results(args[1])
    if len(rows) != len(results):
        sys.exit(f"{args[1]}: {len(results)} result lines for {len(rows)} queries in {args[0]}")
    for i, ((query, _), res) in enumerate(zip(rows, results), 1):
        # Engines may trim the query they echo; anything else means the lines are shifted.
        if res.get("query", "").strip() != query.strip():
            sys.exit(f"{args[1]}:{i}: result for {res.get('query')!r}, expected {query!r}")
    mrr, s1, s10 = score(rows, results)
    if tsv:
        print(f"{mrr:.3f}\t{s1:.3f}\t{s10:.3f}\t{len(rows)}")
    else:
        print(f"MRR@10 {mrr:.3f}  S@1 {s1:.3f}  S@10 {s10:.3f}  ({len(rows)} queries)")


if __name__ == "__main__":
    main(sys.argv[1:])
