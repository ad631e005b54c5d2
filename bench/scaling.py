#!/usr/bin/python3
"""Issue 6's scaling target, measured on its own: does indexing 16x the corpus take at most 18x the
time of the 24 MB corpus?

speed.sh indexes each size in its own stretch of the run, minutes apart, and this machine's speed
drifts by more than the margin between one size and the next (the 24 MB corpus has taken from 3.3
to 6.0 s here with the same code). So this script alternates the sizes: x1, xN, x1, xN, ..., x1
(ROUNDS xN runs, each between two x1 runs), and divides each xN run by the mean of the two x1
runs around it. It reports every run and the median ratio, for wall time and for CPU time, and
the peak RSS of each size (set by the batch, not by the corpus).

    bench/scaling.py --lupe-build build-rel [--scale 16] [--rounds 2] [--peer]

--peer does the same for the Xapian peer (bench/out/xapian_peer, its x16 run takes ~3 minutes).
The scaled corpora are speed.py's (bench/data/de-corpus-xN.jsonl, written when missing); run
bench/speed.sh once first, or bench/build.sh for rss_run and the peer.
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed  # noqa: E402  (the corpus scaling and the measured runs, in one place)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lupe-build", required=True)
    ap.add_argument("--scale", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--peer", action="store_true", help="also the Xapian peer")
    args = ap.parse_args()
    speed.ARGS = argparse.Namespace(lupe_build=os.path.abspath(args.lupe_build))
    work = os.path.join(speed.OUT, "scaling")
    os.makedirs(work, exist_ok=True)
    big = speed.scaled_corpus(args.scale)
    small = speed.BASE_CORPUS
    engines = ["lupe"] + (["xapian"] if args.peer else [])
    report = []
    for engine in engines:
        runs = {1: [], args.scale: []}
        order = [1] + [s for _ in range(args.rounds) for s in (args.scale, 1)]
        for k, scale in enumerate(order):
            corpus = small if scale == 1 else big
            db = os.path.join(work, "%s-x%d.db" % (engine, scale))
            speed.rmtree(db)
            speed.log("scaling: %s x%d (run %d of %d)" % (engine, scale, k + 1, len(order)))
            tag = os.path.join(work, "%s-x%d" % (engine, scale))
            rc, wall, cpu, rss = speed.run_measured(speed.index_cmd(engine, db, corpus),
                                                    tag + ".out", tag + ".err")
            if rc != 0:
                sys.exit("scaling: %s failed on x%d (exit %d, see %s.err)" % (engine, scale, rc, tag))
            runs[scale].append((wall, cpu, rss))
            speed.rmtree(db)
        ratios_wall, ratios_cpu = [], []
        for r, (wall, cpu, _) in enumerate(runs[args.scale]):
            before, after = runs[1][r], runs[1][r + 1]
            ratios_wall.append(wall / ((before[0] + after[0]) / 2))
            ratios_cpu.append(cpu / ((before[1] + after[1]) / 2))
        for scale in (1, args.scale):
            report.append("%s: x%d wall s %s (CPU s %s), peak RSS %.0f MB" % (
                engine, scale, " ".join("%.2f" % w for w, _, _ in runs[scale]),
                " ".join("%.2f" % c for _, c, _ in runs[scale]), max(r for _, _, r in runs[scale]) / 1e6))
        report.append("%s: x%d / x1 (each run against the x1 runs around it): wall %s, median %.2f; "
                      "CPU %s, median %.2f" % (
                          engine, args.scale, " ".join("%.2f" % x for x in ratios_wall),
                          statistics.median(ratios_wall), " ".join("%.2f" % x for x in ratios_cpu),
                          statistics.median(ratios_cpu)))
    print("\n".join(report))


if __name__ == "__main__":
    main()
