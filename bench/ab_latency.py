#!/usr/bin/env python3
"""A/B query latency of two lupe builds on one index, alternating runs (this machine is shared).

    bench/ab_latency.py --db DB --a OLD_BUILD --b NEW_BUILD --queries NAME=FILE [NAME=FILE ...]
        [--rounds 5] [--args "--limit 10"]

Each round runs every query file once through each build's lupe-search --json --queries, in
alternating order (A then B, then B then A), after one warm-up run each.  Per build and file it
prints the median over rounds of each run's p50 and p95 of took_ms (search, hits, snippets) and of
the process's CPU seconds (user + system: less moved by other jobs than wall time), and B/A.  Make a file of short queries with --short-from COLLECTION.jsonl --short-out FILE (1,000
queries of 1-3 words drawn as bench/speed.py draws them, random.Random(6)).
"""
import argparse
import json
import math
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
from collections import Counter

OPERATORS = {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ", "UND", "ODER", "NICHT"}


def short_queries(collection, out_path, n=1000, seed=6):
    counts = Counter()
    word = re.compile(r"[^\W\d_]+")
    with open(collection, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                counts.update(word.findall((d.get("title") or "") + " " + (d.get("text") or "")))
    vocab = sorted(w for w, c in counts.items() if c >= 5 and 3 <= len(w) <= 20 and w.upper() not in OPERATORS)
    rng = random.Random(seed)
    with open(out_path, "w", encoding="utf-8") as out:
        for _ in range(n):
            out.write(" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 3))) + "\n")


def pct(vals, p):
    v = sorted(vals)
    return v[max(1, math.ceil(p / 100.0 * len(v))) - 1]


def run(build, db, queries, extra):
    """took_ms of every query, and the CPU seconds (user + system) of the whole process."""
    exe = os.path.join(build, "examples", "lupe-search")
    p = subprocess.Popen([exe, "--db", db, "--json", "--queries", queries] + extra, stdout=subprocess.PIPE)
    out = p.stdout.read().decode("utf-8")
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit("%s failed: %d" % (exe, p.returncode))
    return [json.loads(l)["took_ms"] for l in out.splitlines() if l.strip()], ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="the index both builds search")
    ap.add_argument("--db-b", help="another index for build B (the same collection, made by B: a format A cannot read)")
    ap.add_argument("--a", help="build folder A (before)")
    ap.add_argument("--b", help="build folder B (after)")
    ap.add_argument("--queries", nargs="*", default=[], help="NAME=FILE")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--args", default="", help="extra lupe-search words")
    ap.add_argument("--short-from")
    ap.add_argument("--short-out")
    a = ap.parse_args()
    if a.short_from:
        short_queries(a.short_from, a.short_out)
        if not a.queries:
            return 0
    extra = shlex.split(a.args)
    builds = {"A": a.a, "B": a.b}
    dbs = {"A": a.db, "B": a.db_b or a.db}
    for spec in a.queries:
        name, path = spec.split("=", 1)
        for k in builds:
            run(builds[k], dbs[k], path, extra)  # warm-up
        res = {"A": [], "B": []}
        for r in range(a.rounds):
            for k in (("A", "B") if r % 2 == 0 else ("B", "A")):
                t, cpu = run(builds[k], dbs[k], path, extra)
                res[k].append((pct(t, 50), pct(t, 95), cpu))
        p50 = {k: statistics.median(x[0] for x in res[k]) for k in res}
        p95 = {k: statistics.median(x[1] for x in res[k]) for k in res}
        cpu = {k: statistics.median(x[2] for x in res[k]) for k in res}
        print("%-8s A p50 %.3f ms p95 %.3f cpu %.2f s | B p50 %.3f ms p95 %.3f cpu %.2f s | B/A p50 %.3f p95 %.3f "
              "cpu %.3f  (p50 runs A %s, B %s)"
              % (name, p50["A"], p95["A"], cpu["A"], p50["B"], p95["B"], cpu["B"], p50["B"] / p50["A"],
                 p95["B"] / p95["A"], cpu["B"] / cpu["A"],
                 " ".join("%.3f" % x[0] for x in res["A"]), " ".join("%.3f" % x[0] for x in res["B"])))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
