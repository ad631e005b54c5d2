#!/usr/bin/env python3
"""How often the did-you-mean suggestion restores the clean word of a typo set.

Usage: suggest_eval.py TYPO.tsv RESULTS.jsonl [--case]

TYPO.tsv: `query TAB relevant-id TAB clean-word TAB typed-word` (typo-public.tsv).
RESULTS.jsonl: lupe-search --json output for the set's queries, in the same order.
A query counts when its suggestion holds the clean word (case-insensitive, as a word)
where the query held the typed word. Prints the share, e.g. `0.912`. With --case the
clean word must be written as the set writes it (Englisch, not englisch).
"""
import json
import re
import sys


def main():
    args = [a for a in sys.argv[1:] if a != "--case"]
    case = len(args) != len(sys.argv) - 1
    if len(args) != 2:
        sys.exit(__doc__)
    fold = (lambda w: w) if case else str.lower
    rows = [l.rstrip("\n").split("\t") for l in open(args[0], encoding="utf-8") if l.strip()]
    res = [json.loads(l) for l in open(args[1], encoding="utf-8") if l.strip()]
    if len(rows) != len(res):
        sys.exit(f"{len(rows)} queries but {len(res)} results")
    ok = 0
    for cols, r in zip(rows, res):
        if r.get("query") != cols[0]:
            sys.exit(f"results out of line at {cols[0]!r}")
        sug = r.get("suggestion") or ""
        words = re.findall(r"\w+", fold(sug))
        ok += fold(cols[2]) in words and fold(cols[3]) not in words
    print(f"{ok / len(rows):.3f}")


if __name__ == "__main__":
    main()
