#!/usr/bin/env python3
"""Issue 16's bad input: what the worst queries cost, one at a time.

    bench/bad_queries.py --collection bench/data/collection.jsonl --db DB [--build build-rel] [--repeat 20]

Queries: 1,000 misspelt words (words of 6+ letters from the collection, two neighbouring letters
swapped, random.Random(5)), a 120-letter word, a 20-part compound, "aaaaaaaa" 200 times, a
120-letter misspelt word.  Each runs --repeat times through one lupe-search --json --queries
process; prints per query the median, the largest and the first took_ms (search, hits and
snippets; the first query of a process also pays for its new heap pages).
A repeated query finds the handle's caches warm, so a last line runs --repeat sets of 1,000
other misspelt words (seeds 100...) in one process, and shows the first of them apart; and
--processes processes run one set each (seeds 200...), as the first query of the process.
The machine is shared: a median over repeats, and the largest, are both shown.
"""
import argparse
import json
import os
import random
import re
import statistics
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def misspelt(collection, n=1000, seed=5):
    rng = random.Random(seed)
    words = set()
    with open(collection, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i > 3000:
                break
            words.update(re.findall(r"[^\W\d_]{6,}", json.loads(line).get("text") or ""))
    words = sorted(words)
    rng.shuffle(words)
    out = []
    for w in words[:n]:
        i = rng.randrange(1, len(w) - 1)
        out.append(w[:i] + w[i + 1] + w[i] + w[i + 2:])
    return " ".join(out)


def took_ms(search, db, queries):
    """The took_ms of each query, run in order through one lupe-search process."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("".join(q + "\n" for q in queries))
    try:
        out = subprocess.run([search, "--db", db, "--json", "--queries", f.name],
                             stdout=subprocess.PIPE, check=True).stdout.decode("utf-8")
    finally:
        os.unlink(f.name)
    return [float(json.loads(l)["took_ms"]) for l in out.splitlines() if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collection", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--build", default="build-rel")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--processes", type=int, default=10,
                    help="processes that each run one 1,000-word query first (0: none)")
    a = ap.parse_args()
    queries = [("1,000 misspelt words", misspelt(a.collection)),
               ("a 120-letter word", "x" * 120),
               ("a 20-part compound", "Bundesverfassungsgericht" * 20),
               ("aaaaaaaa x 200", " ".join(["aaaaaaaa"] * 200)),
               ("a 120-letter misspelt word", "Abstimungx" * 12)]
    build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
    search = os.path.join(build, "examples", "lupe-search")
    for name, q in queries:
        took = took_ms(search, a.db, [q] * a.repeat)
        print("%-28s median %7.2f ms  max %7.2f ms  first %.2f ms  (%d runs)" % (
            name, statistics.median(took), max(took), took[0], len(took)))
    # The same query again finds the handle's caches warm (the analyzer's
    # word cache): also 1,000 other misspelt words each time, one process.
    took = took_ms(search, a.db, [misspelt(a.collection, seed=100 + r) for r in range(a.repeat)])
    print("%-28s median %7.2f ms  max %7.2f ms  first %.2f ms  (%d runs)" % (
        "1,000 other words each run", statistics.median(took), max(took), took[0], len(took)))
    # The first query of a process also pays for the heap pages it is the
    # first to use: each of these processes runs one set of words only.
    if a.processes:
        took = [took_ms(search, a.db, [misspelt(a.collection, seed=200 + r)])[0] for r in range(a.processes)]
        print("%-28s median %7.2f ms  max %7.2f ms  (%d processes)" % (
            "1,000 words, process first", statistics.median(took), max(took), len(took)))

if __name__ == "__main__":
    main()
