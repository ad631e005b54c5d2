#!/usr/bin/python3
"""Add a peer's query figures, measured on an index made outside speed.py, to speed.py's last run.

    bench/speed_addpeer.py --scale 64 --engine xapian --db DIR [--note TEXT]

speed.py indexes every size with every engine in one process; on a loaded machine the Xapian
peer's single-process x64 index would take over an hour. Its index can be made instead as
parts (bench/out/xapian_peer index on x16 slices of the x64 corpus, in parallel) merged with
xapian-compact; this script then measures that index's two query files exactly as speed.py
does (measure_queries: one warm-up run, BENCH_REPEAT measured runs, the median p50 shown),
adds them to bench/out/speed/results.json and writes bench/out/speed.md and speed.png again.
The index row of that engine and size stays empty (its time is not one process's); --note says
how the index was made, in the table's notes.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed  # noqa: E402  (the measuring, the tables and the plot, in one place)


def int_keys(d):
    return {int(k): v for k, v in d.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, required=True)
    ap.add_argument("--engine", choices=speed.PEERS, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    path = os.path.join(speed.WORK, "results.json")
    with open(path, encoding="utf-8") as f:
        res = json.load(f)
    for k in ("index", "query", "corpus_mb"):
        res[k] = int_keys(res[k])
    if args.scale not in res["scales"]:
        sys.exit("speed_addpeer: x%d is not in the last run (%s)" % (args.scale, res["scales"]))
    if not os.path.isdir(args.db):
        sys.exit("speed_addpeer: %s is not an index directory" % args.db)
    # The tables show the engines of the run plus this one.
    shown = set(e for s in res["scales"] for e in res["index"].get(s, {})) | {args.engine, "lupe"}
    speed.ENGINES[:] = [e for e in speed.ENGINES if e in shown]
    speed.PEERS[:] = [e for e in speed.PEERS if e in shown]
    qsets = [("xquad", os.path.join(speed.WORK, "xquad.queries")),
             ("short", os.path.join(speed.OUT, "short-queries.txt"))]
    for qname, qfile in qsets:
        tag = "x%d-%s-%s" % (args.scale, args.engine, qname)
        q = speed.measure_queries(args.engine, args.db, qfile, tag)
        if not q:
            sys.exit("speed_addpeer: %s failed on %s" % (args.engine, qname))
        res["query"].setdefault(args.scale, {}).setdefault(qname, {})[args.engine] = q
        speed.log("  %s x%d %s: p50 %.2f p99 %.2f ms (p50 of the runs: %s)" % (
            args.engine, args.scale, qname, q["p50"], q["p99"], " ".join("%.2f" % v for v in q["p50_runs"])))
    failed = "%s failed to index x%d" % (args.engine, args.scale)
    res["notes"] = [n for n in res["notes"] if n != failed and not n.startswith("plot:")]
    if args.note:
        res["notes"].append(args.note)
    res["load1"] = "%s (%s queries added: %s)" % (res["load1"], args.engine, speed.loadavg())
    png = os.path.join(speed.OUT, "speed.png")
    if speed.plot(res, png):
        res["notes"].append("plot: bench/out/speed.png")
    text = speed.tables(res)
    with open(os.path.join(speed.OUT, "speed.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1, default=str)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
