#!/usr/bin/env python3
"""Instructions a query, per query, under callgrind: deterministic where wall time is noise.

    python3 bench/query_instr.py --db IDX --queries FILE --build A [--build B] [--top N] [-- ARGS]

Runs `BUILD/examples/lupe-search --db IDX --json --queries FILE [ARGS]` under
`valgrind --tool=callgrind --dump-after=run_query` (one profile dump after each
query: the query's search, snippets and JSON line; the first dump also holds the
process's start), and prints per build the sum, p50, p90, p99 and max of the
queries' instructions; with two builds, the per-query ratio B/A (median, how
many fewer and more) and whether their output is the same (took_ms left out).
--top N also prints each build's N heaviest queries.  ~30 s a build for 1,000
short queries on the collection.  Output in bench/out/query_instr/ (--out).
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(build, db, queries, extra, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    exe = os.path.join(build, "examples", "lupe-search")
    cmd = ["valgrind", "--tool=callgrind", "--dump-after=run_query", "--callgrind-out-file=" + os.path.join(out, "cg"),
           exe, "--db", db, "--json", "--queries", queries] + extra
    with open(os.path.join(out, "stdout.json"), "w") as so:
        r = subprocess.run(cmd, stdout=so, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit("query_instr: %s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stderr[-2000:]))
    dumps = [f for f in glob.glob(os.path.join(out, "cg.*")) if f.rsplit(".", 1)[1].isdigit()]
    dumps.sort(key=lambda f: int(f.rsplit(".", 1)[1]))
    tots = []
    for f in dumps:
        with open(f) as fh:
            for line in fh:
                if line.startswith("summary:") or line.startswith("totals:"):
                    tots.append(int(line.split()[1]))
                    break
            else:
                sys.exit("query_instr: no total in " + f)
    lines = []
    with open(os.path.join(out, "stdout.json")) as fh:
        for line in fh:
            j = json.loads(line)
            j.pop("took_ms", None)
            lines.append(json.dumps(j, sort_keys=True))
    if len(tots) != len(lines):
        sys.exit("query_instr: %d dumps for %d queries" % (len(tots), len(lines)))
    return tots, lines


def summary(t):
    s = sorted(t)
    n = len(s)
    return "sum %.1f M, p50 %.3f M, p90 %.3f M, p99 %.3f M, max %.2f M" % (
        sum(s) / 1e6, s[n // 2] / 1e6, s[int(n * 0.9)] / 1e6, s[int(n * 0.99)] / 1e6, s[-1] / 1e6)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--build", action="append", required=True)
    ap.add_argument("--top", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(HERE, "out", "query_instr"), help="where the profiles go")
    ap.add_argument("extra", nargs="*", help="more lupe-search arguments, after --")
    a = ap.parse_args()
    if len(a.build) > 2:
        sys.exit("query_instr: one or two builds")
    qs = [l.rstrip("\n") for l in open(a.queries, encoding="utf-8") if l.strip()]
    res = []
    for k, b in enumerate(a.build):
        tots, lines = run(b, a.db, a.queries, a.extra, os.path.join(a.out, str(k)))
        res.append((tots, lines))
        print("%s: %d queries, %s" % (b, len(tots), summary(tots)))
        if a.top:
            for t, q in sorted(zip(tots, qs), reverse=True)[:a.top]:
                print("   %8.2f M  %s" % (t / 1e6, q))
    if len(res) == 2:
        (ta, la), (tb, lb) = res
        r = sorted(y / x for x, y in zip(ta, tb))
        fewer = sum(1 for x, y in zip(ta, tb) if y < x)
        more = sum(1 for x, y in zip(ta, tb) if y > x)
        same = sum(1 for x, y in zip(la, lb) if x == y)
        print("B/A: sum %.4f, per query median %.4f (%d fewer, %d more); output the same for %d of %d queries" % (
            sum(tb) / sum(ta), r[len(r) // 2], fewer, more, same, len(la)))


if __name__ == "__main__":
    main()
