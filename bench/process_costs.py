#!/usr/bin/env python3
"""What a search process costs beyond its steady state, builds side by side (issue 21).

    process_costs.py first   --db IDX --queries F [--n 10] [--rounds 21] BUILD...
        the first N queries of F, then the same N again, in one process; each build's
        processes alternated; median took_ms per position, and the sums of both halves
    process_costs.py oneshot --db IDX --queries F [--n 30] [--rounds 3] BUILD...
        each of the first N queries of F in a process of its own (as the CLI runs them);
        medians of took_ms and of the process's wall time
    process_costs.py sum     --db IDX --queries F [--rounds 9] BUILD...
        all of F in one process; medians over the rounds of the sum of took_ms, p50, p99
        and the process's CPU seconds
    process_costs.py counts  --db IDX --queries F BUILD...
        page faults and block reads (pread64) of one process over F: `perf stat`

BUILD is a meson build directory (its examples/lupe-search is run).  Times are the
program's own took_ms; they move with the machine, so read the builds against each other.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from ab_latency import pct, run  # one process over a file: its took_ms and CPU; the percentile


def search(build, db, args):
    return [build + "/examples/lupe-search", "--db", db, "--json"] + args


def took(out):
    return [json.loads(line)["took_ms"] for line in out.splitlines()]


def order(builds, r):
    return builds if r % 2 == 0 else builds[::-1]


def first(a):
    qs = open(a.queries).read().splitlines()[:a.n]
    with tempfile.NamedTemporaryFile("w", suffix=".q", delete=False) as f:
        f.write("\n".join(qs + qs) + "\n")
    res = {b: [] for b in a.builds}
    for r in range(a.rounds):
        for b in order(a.builds, r):
            out = subprocess.run(search(b, a.db, ["--queries", f.name]), capture_output=True, text=True,
                                 check=True).stdout
            res[b].append(took(out))
    os.unlink(f.name)
    for b in a.builds:
        med = [statistics.median(x[i] for x in res[b]) for i in range(2 * len(qs))]
        print("%s: first %d sum %.2f ms, again %.2f ms; per position: %s" % (
            b, len(qs), sum(med[:len(qs)]), sum(med[len(qs):]), " ".join("%.2f" % m for m in med)))


def oneshot(a):
    qs = open(a.queries).read().splitlines()[:a.n]
    res = {b: ([[] for _ in qs], [[] for _ in qs]) for b in a.builds}
    for r in range(a.rounds):
        for i, q in enumerate(qs):
            for b in order(a.builds, r + i):
                t0 = time.perf_counter()
                out = subprocess.run(search(b, a.db, ["--", q]), capture_output=True, text=True,
                                     check=True).stdout
                res[b][1][i].append((time.perf_counter() - t0) * 1e3)
                res[b][0][i].append(took(out)[0])
    for b in a.builds:
        t = [statistics.median(x) for x in res[b][0]]
        w = [statistics.median(x) for x in res[b][1]]
        print("%s: %d one-query processes: took median %.2f ms (sum %.1f), process wall median %.2f ms "
              "(sum %.1f)" % (b, len(qs), statistics.median(t), sum(t), statistics.median(w), sum(w)))


def sums(a):
    res = {b: [] for b in a.builds}
    for r in range(a.rounds):
        for b in order(a.builds, r):
            t, cpu = run(b, a.db, a.queries, [])
            res[b].append((sum(t), pct(t, 50), pct(t, 99), cpu))
    for b in a.builds:
        m = [statistics.median(x[i] for x in res[b]) for i in range(4)]
        print("%s: sum of took_ms %.1f, p50 %.3f, p99 %.3f ms, CPU %.3f s" % (b, *m))


def counts(a):
    for b in a.builds:
        p = subprocess.run(["perf", "stat", "-x,", "-e", "page-faults,syscalls:sys_enter_pread64"]
                           + search(b, a.db, ["--queries", a.queries]), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, check=True)
        n = [line.split(",")[0] for line in p.stderr.splitlines() if "," in line]
        print("%s: page faults %s, block reads %s" % (b, n[0], n[1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["first", "oneshot", "sum", "counts"])
    ap.add_argument("--db", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--n", type=int)
    ap.add_argument("--rounds", type=int)
    ap.add_argument("builds", nargs="+")
    a = ap.parse_args()
    defaults = {"first": (10, 21), "oneshot": (30, 3), "sum": (0, 9), "counts": (0, 1)}[a.what]
    a.n = a.n or defaults[0]
    a.rounds = a.rounds or defaults[1]
    {"first": first, "oneshot": oneshot, "sum": sums, "counts": counts}[a.what](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
