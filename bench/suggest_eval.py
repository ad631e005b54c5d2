#!/usr/bin/env python3
"""How often the did-you-mean suggestion restores the clean word of a typo set.

Usage: suggest_eval.py TYPO.tsv RESULTS.jsonl

TYPO.tsv: `query TAB relevant-id TAB clean-word TAB typed-word` (typo-public.tsv).
RESULTS.jsonl: lupe-search --json output for the set's queries, in the same order.
A query counts when its suggestion holds the clean word (case-insensitive, as a word)
where the query held the typed word. Prints the share, e.g. `0.912`.
"""
import json
import re
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    res = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
    if len(rows) != len(res):
        sys.exit(f"{len(rows)} queries but {len(res)} results")
    ok = 0
    for cols, r in zip(rows, res):
        if r.get("query") != cols[0]:
            sys.exit(f"results out of line at {cols[0]!r}")
        sug = r.get("suggestion") or ""
        words = re.findall(r"\w+", sug.lower())
        ok += cols[2].lower() in words and cols[3].lower() not in words
    print(f"{ok / len(rows):.3f}")


if __name__ == "__main__":
    main()
