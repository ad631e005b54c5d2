#!/usr/bin/python3
"""Query latency of lupe against the Xapian peer, side by side, alternated.

    bench/latency.py --lupe-build build-rel [--rounds 5] [--queries FILE ...]
    bench/latency.py --lupe-build build-rel --lupe-db DIR --xapian-db DIR --queries FILE ...

Indexes bench/data/collection.jsonl once with each engine (kept in bench/out/latency/),
then for each query file runs lupe-search --json --queries and xapian_peer search
alternately, ROUNDS times each after a warm-up, and prints for each file the median over
the rounds of p50 and p99 of the programs' own took_ms, and lupe/xapian ratios. Default
query files: the XQuAD public questions, the typo set (../shared/eval) and 1,000 short
queries of 1-3 collection words (bench/ab_latency.py's). The lupe index is made again when
the build is newer than it (an index of an older analysis would be measured). lupe makes
10 snippets with highlights and a suggestion; the peer makes none. With --lupe-db and
--xapian-db it searches those two indexes instead (the x64 ones of speed.py, for instance).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out", "latency")
COLL = os.path.join(HERE, "data", "collection.jsonl")
SHARED = os.environ.get("LUPE_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def drop_if_stale(idx, build):
    """Remove the lupe index idx when build's library is newer than it: an index of an older
    format or analysis would be measured otherwise."""
    lib = os.path.join(build, "lib", "liblupe.so")
    if os.path.isdir(idx) and os.path.getmtime(lib) > os.path.getmtime(os.path.join(idx, "iamglass")):
        shutil.rmtree(idx)


def run(cmd, out):
    with open(out, "w") as f:
        subprocess.run(cmd, stdout=f, check=True)
    with open(out) as f:
        return [float(json.loads(l)["took_ms"]) for l in f if l.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lupe-build", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--queries", nargs="*")
    ap.add_argument("--lupe-db", help="search this lupe index (made by the caller) instead")
    ap.add_argument("--xapian-db", help="and this Xapian peer index of the same corpus")
    a = ap.parse_args()
    if bool(a.lupe_db) != bool(a.xapian_db):
        sys.exit("latency: --lupe-db and --xapian-db go together")
    os.makedirs(OUT, exist_ok=True)
    search = os.path.join(ROOT, a.lupe_build, "examples", "lupe-search")
    peer = os.path.join(HERE, "out", "xapian_peer")
    if a.lupe_db:
        # Indexes made elsewhere, e.g. speed.py's of the x64 corpus: no collection, no indexing.
        lupe_idx, xap_idx = a.lupe_db, a.xapian_db
    else:
        subprocess.run([os.path.join(HERE, "collection.sh")], check=True)
        subprocess.run([os.path.join(HERE, "build.sh")], check=True)
        lupe_idx, xap_idx = os.path.join(OUT, "lupe"), os.path.join(OUT, "xapian")
        drop_if_stale(lupe_idx, os.path.join(ROOT, a.lupe_build))
        if not os.path.isdir(lupe_idx):
            subprocess.run([os.path.join(ROOT, a.lupe_build, "examples", "lupe-index"), "--db", lupe_idx,
                            "--jsonl", COLL], check=True)
        if not os.path.isdir(xap_idx):
            subprocess.run([peer, "index", xap_idx, COLL], check=True)
    files = a.queries or []
    if not files:
        for s in ("xquad-de-public", "typo-public"):
            q = os.path.join(OUT, s + ".q")
            with open(os.path.join(SHARED, "eval", s + ".tsv")) as f, open(q, "w") as g:
                g.writelines(l.split("\t")[0] + "\n" for l in f if l.strip())
            files.append(q)
        # 1,000 short queries (1-3 words of the collection), as bench/ab_latency.py draws them.
        sys.path.insert(0, HERE)
        from ab_latency import short_queries
        q = os.path.join(OUT, "short.q")
        short_queries(COLL, q)
        files.append(q)
    for q in files:
        cmds = {"lupe": [search, "--db", lupe_idx, "--json", "--queries", q],
                "xapian": [peer, "search", xap_idx, "--queries", q]}
        res = {e: {"p50": [], "p99": []} for e in cmds}
        for e, c in cmds.items():  # warm-up
            run(c, os.path.join(OUT, e + ".warm"))
        for r in range(a.rounds):
            for e in (("lupe", "xapian") if r % 2 == 0 else ("xapian", "lupe")):
                t = run(cmds[e], os.path.join(OUT, e + ".out"))
                res[e]["p50"].append(pct(t, 50))
                res[e]["p99"].append(pct(t, 99))
        m = {e: {k: statistics.median(v) for k, v in res[e].items()} for e in res}
        print("%s (%d rounds): lupe p50 %.3f p99 %.3f ms | xapian p50 %.3f p99 %.3f ms | "
              "ratio p50 %.2f p99 %.2f" % (os.path.basename(q), a.rounds, m["lupe"]["p50"], m["lupe"]["p99"],
                                           m["xapian"]["p50"], m["xapian"]["p99"],
                                           m["lupe"]["p50"] / m["xapian"]["p50"],
                                           m["lupe"]["p99"] / m["xapian"]["p99"]))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
