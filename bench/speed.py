#!/usr/bin/python3
"""Speed benchmark of issue 6 (and the sharded line of issue 7); run it through bench/speed.sh.

For every corpus size (BENCH_SCALES, default "1 4 16": the 24 MB corpus and copies of it scaled
4x and 16x) and every engine (lupe, xapian, fts5) it indexes from scratch and measures wall and
CPU seconds, MB/s, index size / corpus size and the indexer's peak RSS; then it runs two query
files (the XQuAD public questions and 1,000 short queries drawn from the corpus vocabulary) once
to warm the cache and BENCH_REPEAT times (default 3) measured, and reports p50/p95/p99 of the
programs' own took_ms and the queries per second of the run with the median p50.  Indexing of
x1 and x4 is repeated as often, and the run with the median wall time is reported.  On the 1x corpus it also splits the lupe
index into 3 shards and runs the same query files over 3 local shard directories and over the
same shards served by xapian-tcpsrv on loopback.

Standard library only, except matplotlib for the plot (skipped with a note when missing).
"""
import argparse
import atexit
import json
import math
import os
import platform
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
WORK = os.path.join(OUT, "speed")
DATA = os.path.join(HERE, "data")
BASE_CORPUS = os.path.join(DATA, "de-corpus.jsonl")

ENGINES = ["lupe", "xapian", "fts5"]
PEERS = ["xapian", "fts5"]
SHORT_QUERIES = 1000
SHORT_SEED = 6  # issue 6
NSHARDS = 3


# --------------------------------------------------------------------------------------------
# The engines' command lines, in one place.  LUPE_INDEX_FLAGS / LUPE_SEARCH_FLAGS (shell words)
# are appended to lupe's, e.g. LUPE_INDEX_FLAGS="--threads 2 --compact".
# --------------------------------------------------------------------------------------------
def lupe_bin(name):
    return os.path.join(ARGS.lupe_build, "examples", name)


def index_cmd(engine, db, corpus):
    if engine == "lupe":
        return ([lupe_bin("lupe-index"), "--db", db, "--jsonl", corpus]
                + shlex.split(os.environ.get("LUPE_INDEX_FLAGS", "")))
    return [os.path.join(OUT, engine + "_peer"), "index", db, corpus]


def search_cmd(engine, db, queries):
    if engine == "lupe":
        return ([lupe_bin("lupe-search"), "--db", db, "--json", "--queries", queries]
                + shlex.split(os.environ.get("LUPE_SEARCH_FLAGS", "")))
    if engine == "xapian_shards":  # the floor over a shard list: bench/peers/xapian_shards_peer.cc
        return [os.path.join(OUT, "xapian_shards_peer"), db, "--queries", queries]
    return [os.path.join(OUT, engine + "_peer"), "search", db, "--queries", queries]


# --------------------------------------------------------------------------------------------
def log(msg):
    print("speed: " + msg, file=sys.stderr, flush=True)


def run_measured(cmd, stdout_path, stderr_path):
    """Runs cmd; returns (exit status, wall s, user+sys s, peak RSS in bytes) of the child.

    The command runs under bench/out/rss_run (peers/rss_run.c), which forks it from a small
    process: a child forked from this Python process would report this process's peak RSS
    as its own (ru_maxrss survives exec), which once made every engine's x16 figure 354 MB."""
    usage = stderr_path + ".rusage"
    with open(stdout_path, "wb") as so, open(stderr_path, "wb") as se:
        t0 = time.monotonic()
        p = subprocess.Popen([os.path.join(OUT, "rss_run"), usage] + cmd, stdout=so, stderr=se,
                             stdin=subprocess.DEVNULL)
        p.wait()
        wall = time.monotonic() - t0
    try:
        with open(usage) as f:
            rss_kb, user, sys_s = f.read().split()
        os.unlink(usage)
    except (OSError, ValueError):
        return p.returncode if p.returncode else 1, wall, 0.0, 0
    return p.returncode, wall, float(user) + float(sys_s), int(rss_kb) * 1024


def disk_bytes(path):
    """Bytes allocated on disk for a file or a directory tree (like du)."""
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            total += os.lstat(os.path.join(dirpath, f)).st_blocks * 512
    return total


def rmtree(path):
    if os.path.lexists(path):
        subprocess.run(["rm", "-rf", path], check=True)


def percentile(sorted_vals, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_vals:
        return float("nan")
    k = max(1, math.ceil(p / 100.0 * len(sorted_vals)))
    return sorted_vals[k - 1]


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


# --------------------------------------------------------------------------------------------
# Corpora and query files
# --------------------------------------------------------------------------------------------
def scaled_corpus(scale):
    """The corpus repeated `scale` times; copy c > 0 has ids suffixed "~c+1" (cached)."""
    if scale == 1:
        return BASE_CORPUS
    path = os.path.join(DATA, "de-corpus-x%d.jsonl" % scale)
    if os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(BASE_CORPUS):
        log("corpus x%d cached: %s" % (scale, path))
        return path
    log("writing corpus x%d: %s" % (scale, path))
    with open(BASE_CORPUS, encoding="utf-8") as f:
        lines = f.read().splitlines()
    docs = [json.loads(l) for l in lines if l.strip()]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        for l in lines:
            if l.strip():
                out.write(l + "\n")
        for c in range(2, scale + 1):
            for d in docs:
                d2 = dict(d)
                d2["id"] = "%s~%d" % (d["id"], c)
                out.write(json.dumps(d2, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path


OPERATORS = {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ", "UND", "ODER", "NICHT"}


def short_queries(path):
    """1,000 queries of 1-3 words, each word drawn uniformly (random.Random(6)) from the corpus
    words of 3-20 letters that occur at least 5 times (sorted, so the draw is reproducible).
    Operator words of the engines' query syntaxes are left out."""
    counts = Counter()
    word = re.compile(r"[^\W\d_]+")
    with open(BASE_CORPUS, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            counts.update(word.findall(d.get("title", "") + " " + d.get("text", "")))
    vocab = sorted(w for w, n in counts.items()
                   if n >= 5 and 3 <= len(w) <= 20 and w.upper() not in OPERATORS)
    rng = random.Random(SHORT_SEED)
    queries = [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 3)))
               for _ in range(SHORT_QUERIES)]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(queries) + "\n")
    return len(vocab)


def xquad_queries(path):
    n = 0
    with open(ARGS.xquad, encoding="utf-8") as f, open(path, "w", encoding="utf-8") as out:
        for line in f:
            q = line.rstrip("\n").split("\t")[0].strip()
            if q:
                out.write(q + "\n")
                n += 1
    return n


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------
# This machine kind is noisy (other guests, CPU steal: one run of x1 took 6.0 s where the runs
# around it took 3.7). Short measurements are repeated and the median run is reported: indexing
# corpora of up to REPEAT_INDEX_MAX bytes (x1, x4; x16 runs for minutes, which averages the noise
# out), and every measured query batch (after its one warm-up run).
REPEAT = max(1, int(os.environ.get("BENCH_REPEAT", "3")))
REPEAT_INDEX_MAX = 200 * 1000 * 1000


def median_run(runs, key):
    """The run whose `key` is the median (the lower middle for an even count)."""
    runs = sorted(runs, key=lambda r: r[key])
    return runs[(len(runs) - 1) // 2]


def measure_index(engine, db, corpus, tag):
    logs = os.path.join(WORK, tag)
    cbytes = os.path.getsize(corpus)
    repeat = REPEAT if cbytes <= REPEAT_INDEX_MAX else 1
    runs = []
    for k in range(repeat):
        rmtree(db)
        log("indexing %s with %s%s" % (os.path.basename(corpus), engine,
                                       "" if repeat == 1 else " (run %d of %d)" % (k + 1, repeat)))
        rc, wall, cpu, rss = run_measured(index_cmd(engine, db, corpus), logs + ".index.out",
                                          logs + ".index.err")
        if rc != 0:
            log("%s failed to index (exit %d, see %s.index.err)" % (engine, rc, logs))
            return None
        runs.append({"wall": wall, "cpu": cpu, "rss": rss})
    m = median_run(runs, "wall")
    size = disk_bytes(db)
    return {"wall": m["wall"], "cpu": m["cpu"], "mbps": cbytes / 1e6 / m["wall"], "size": size,
            "size_ratio": size / cbytes, "rss_mb": max(r["rss"] for r in runs) / 1e6,
            "wall_runs": [round(r["wall"], 2) for r in runs]}


def measure_queries(engine, db, queries, tag):
    """Warm-up run, then the measured run.  Returns the latency figures or None."""
    cmd = search_cmd(engine, db, queries)
    base = os.path.join(WORK, tag)
    rc, _, _, _ = run_measured(cmd, base + ".warm.jsonl", base + ".warm.err")
    if rc != 0:
        log("%s: search failed (exit %d, see %s.warm.err)" % (tag, rc, base))
        return None
    runs = []
    for k in range(REPEAT):
        out = base + (".jsonl" if k == 0 else ".%d.jsonl" % (k + 1))
        rc2, wall, cpu, _ = run_measured(cmd, out, base + ".err")
        if rc2 != 0:
            log("%s: search failed (exit %d, see %s.err)" % (tag, rc2, base))
            return None
        took, errors = [], 0
        with open(out, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                took.append(float(r["took_ms"]))
                if "error" in r:
                    errors += 1
        nq = count_lines(queries)
        if len(took) != nq:
            log("%s: %d result lines for %d queries" % (tag, len(took), nq))
        took.sort()
        runs.append({"n": len(took), "errors": errors, "p50": percentile(took, 50),
                     "p95": percentile(took, 95), "p99": percentile(took, 99),
                     "mean": sum(took) / len(took) if took else float("nan"),
                     "qps": len(took) / wall if wall > 0 else float("nan"), "wall": wall, "cpu": cpu})
    m = dict(median_run(runs, "p50"))
    m["p50_runs"] = [round(r["p50"], 3) for r in runs]
    return m


# --------------------------------------------------------------------------------------------
# Shards (issue 7)
# --------------------------------------------------------------------------------------------
SERVERS = []


def stop_servers():
    while SERVERS:
        p = SERVERS.pop()
        try:
            os.killpg(p.pid, signal.SIGTERM)  # the server and the children serving connections
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_servers(shard_dirs, listfile):
    """xapian-tcpsrv (read-only) on a free loopback port per shard; writes the shard list."""
    urls = []
    for k, d in enumerate(shard_dirs):
        logf = os.path.join(WORK, "tcpsrv%d.log" % k)
        for attempt in range(5):
            port = free_port()
            with open(logf, "wb") as lf:
                p = subprocess.Popen(["xapian-tcpsrv", "--interface", "127.0.0.1", "--port",
                                      str(port), d], stdout=lf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
            SERVERS.append(p)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and p.poll() is None:
                with open(logf, encoding="utf-8", errors="replace") as lf:
                    if "Listening" in lf.read():
                        break
                time.sleep(0.05)
            else:
                # died (port taken in between?) or never listened: try another port
                SERVERS.remove(p)
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                p.wait()
                continue
            urls.append("tcp://127.0.0.1:%d" % port)
            break
        else:
            raise RuntimeError("xapian-tcpsrv for %s did not start (see %s)" % (d, logf))
    with open(listfile, "w") as f:
        f.write("# %d lupe shards served by xapian-tcpsrv (bench/speed.py)\n" % len(urls))
        f.write("\n".join(urls) + "\n")


def measure_shards(single_db, qsets, results):
    split_dir = os.path.join(WORK, "shards-x1")
    rmtree(split_dir)
    env = dict(os.environ, LUPE_TOOLS_DIR=os.path.join(OUT, "tools"))
    log("splitting the lupe index into %d shards" % NSHARDS)
    r = subprocess.run([os.path.join(ROOT, "scripts", "shards.sh"), "split", single_db,
                        str(NSHARDS), split_dir], env=env, stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        results["notes"].append("shards: split failed (scripts/shards.sh split)")
        return
    shard_dirs = [os.path.join(split_dir, "shard%d" % k) for k in range(NSHARDS)]
    layouts = [("%d local shards" % NSHARDS, os.path.join(split_dir, "shards.txt"))]
    tcp_list = os.path.join(split_dir, "tcp-shards.txt")
    try:
        start_servers(shard_dirs, tcp_list)
        layouts.append(("%d tcp shards (xapian-tcpsrv, loopback)" % NSHARDS, tcp_list))
    except (RuntimeError, OSError) as e:
        stop_servers()
        results["notes"].append("shards: %s" % e)
    try:
        for name, listfile in layouts:
            for qname, qfile in qsets:
                log("%s: %s" % (name, qname))
                tag = "shards-%s-%s" % ("tcp" if "tcp" in name else "local", qname)
                m = measure_queries("lupe", listfile, qfile, tag)
                if m:
                    results["shards"].append({"layout": name, "set": qname, **m})
                if "tcp" in name:
                    # The floor: plain Xapian over the same servers (get_mset(0,10) + get_data).
                    f = measure_queries("xapian_shards", listfile, qfile, tag + "-floor")
                    if f:
                        results["shards"].append({"layout": "floor: plain Xapian over the %d tcp shards"
                                                  % NSHARDS, "set": qname, "floor": True, **f})
                        if m:
                            results["shards"].append({"layout": "ratio lupe/floor, tcp shards", "set": qname,
                                                      "ratio": True, **{k: m[k] / f[k] for k in
                                                                        ("p50", "p95", "p99", "mean")},
                                                      "qps": m["qps"] / f["qps"], "errors": 0})
    finally:
        stop_servers()


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------
def f1(v):
    return "%.1f" % v


def f2(v):
    return "%.2f" % v


def ratio(a, b):
    return "%.2f" % (a / b) if b else "-"


def tables(res):
    lines = []
    lines.append("Speed of lupe against Xapian and SQLite FTS5 (bench/speed.sh), %s, commit %s." %
                 (res["date"], res["commit"]))
    lines.append("Machine: %s, %s cores; load average %s at the start, %s at the end%s." %
                 (res["cpu"], res["cores"], res["load0"], res["load1"],
                  " (shared with other jobs: figures preliminary)" if res["shared"] else ""))
    lines.append("lupe: `%s`%s." % (" ".join(os.path.basename(a) if i == 0 else a
                                         for i, a in enumerate(res["lupe_index_cmd"])),
                                    "" if not res["lupe_search_flags"]
                                    else ", search flags `%s`" % res["lupe_search_flags"]))
    lines.append("Corpus x1 = bench/data/de-corpus.jsonl (%d documents, %.1f MB); xN = N copies "
                 "(ids suffixed ~2..~N)." % (res["docs"], res["corpus_mb"][1]))
    lines.append("Queries: xquad = %d questions of xquad-de-public.tsv; short = %d queries of 1-3 "
                 "words from the corpus vocabulary (seed %d, %d words); each file run once to warm "
                 "up, then measured %d times: the run with the median p50 is shown. Indexing of "
                 "corpora up to %d MB: %d runs, the median wall time shown (peak RSS: the largest). "
                 "Latency = the programs' took_ms; QPS = queries / wall seconds "
                 "of the measured batch process (start and open included)."
                 % (res["nq"]["xquad"], res["nq"]["short"], SHORT_SEED, res["vocab"], REPEAT,
                    REPEAT_INDEX_MAX // 1000000, REPEAT))
    lines.append("")
    lines.append("### Indexing")
    lines.append("")
    lines.append("| corpus | engine | wall s | CPU s | MB/s | size / corpus | peak RSS MB |")
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for s in res["scales"]:
        cname = "x%d (%.0f MB)" % (s, res["corpus_mb"][s])
        ix = res["index"].get(s, {})
        for e in ENGINES:
            m = ix.get(e)
            if m:
                lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                    cname, e, f1(m["wall"]), f1(m["cpu"]), f2(m["mbps"]), f2(m["size_ratio"]),
                    "%.0f" % m["rss_mb"]))
            elif res["query"].get(s, {}).get("xquad", {}).get(e):
                lines.append("| %s | %s | (index made apart: see the notes) | | | | |" % (cname, e))
            else:
                lines.append("| %s | %s | fail | | | | |" % (cname, e))
        for p in PEERS:
            a, b = ix.get("lupe"), ix.get(p)
            if a and b:
                lines.append("| %s | lupe/%s | %s | %s | %s | %s | %s |" % (
                    cname, p, ratio(a["wall"], b["wall"]), ratio(a["cpu"], b["cpu"]),
                    ratio(a["mbps"], b["mbps"]), ratio(a["size_ratio"], b["size_ratio"]),
                    ratio(a["rss_mb"], b["rss_mb"])))
    lines.append("")
    lines.append("### Queries (ms; QPS by wall clock)")
    lines.append("")
    lines.append("| corpus | set | engine | p50 | p95 | p99 | mean | QPS |")
    lines.append("|---|---|---|---:|---:|---:|---:|---:|")
    for s in res["scales"]:
        cname = "x%d" % s
        for qname in ("xquad", "short"):
            q = res["query"].get(s, {}).get(qname, {})
            for e in ENGINES:
                m = q.get(e)
                if m:
                    err = " (%d errors)" % m["errors"] if m["errors"] else ""
                    lines.append("| %s | %s | %s%s | %.2f | %.2f | %.2f | %.2f | %.0f |" % (
                        cname, qname, e, err, m["p50"], m["p95"], m["p99"], m["mean"], m["qps"]))
                else:
                    lines.append("| %s | %s | %s | fail | | | | |" % (cname, qname, e))
            for p in PEERS:
                a, b = q.get("lupe"), q.get(p)
                if a and b:
                    lines.append("| %s | %s | lupe/%s | %s | %s | %s | %s | %s |" % (
                        cname, qname, p, ratio(a["p50"], b["p50"]), ratio(a["p95"], b["p95"]),
                        ratio(a["p99"], b["p99"]), ratio(a["mean"], b["mean"]),
                        ratio(a["qps"], b["qps"])))
    if res["shards"]:
        lines.append("")
        lines.append("### lupe sharded versus single (x1 corpus, issue 7)")
        lines.append("")
        lines.append("| layout | set | p50 | p95 | p99 | mean | QPS |")
        lines.append("|---|---|---:|---:|---:|---:|---:|")
        single = res["query"].get(1, {})
        for qname in ("xquad", "short"):
            m = single.get(qname, {}).get("lupe")
            if m:
                lines.append("| single index | %s | %.2f | %.2f | %.2f | %.2f | %.0f |" % (
                    qname, m["p50"], m["p95"], m["p99"], m["mean"], m["qps"]))
            for r in res["shards"]:
                if r["set"] == qname:
                    err = " (%d errors)" % r["errors"] if r.get("errors") else ""
                    fmt = ("| %s%s | %s | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |" if r.get("ratio")
                           else "| %s%s | %s | %.2f | %.2f | %.2f | %.2f | %.0f |")
                    lines.append(fmt % (r["layout"], err, qname, r["p50"], r["p95"], r["p99"], r["mean"],
                                        r["qps"]))
    if res["notes"]:
        lines.append("")
        lines.extend("- " + n for n in res["notes"])
    return "\n".join(lines) + "\n"


def plot(res, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        res["notes"].append("no plot: python3-matplotlib missing")
        return False
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    colors = {"lupe": "tab:red", "xapian": "tab:blue", "fts5": "tab:green"}
    for e in ENGINES:
        xs = [res["corpus_mb"][s] for s in res["scales"] if res["index"].get(s, {}).get(e)]
        ys = [res["index"][s][e]["wall"] for s in res["scales"] if res["index"].get(s, {}).get(e)]
        if xs:
            ax1.plot(xs, ys, "o-", color=colors[e], label=e)
        for qname, style in (("xquad", "o-"), ("short", "s--")):
            pts = [(res["corpus_mb"][s], res["query"][s][qname][e]["p99"]) for s in res["scales"]
                   if res["query"].get(s, {}).get(qname, {}).get(e)]
            if pts:
                ax2.plot([p[0] for p in pts], [p[1] for p in pts], style, color=colors[e],
                         label="%s %s" % (e, qname))
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("corpus MB")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    ax1.set_ylabel("indexing wall s")
    ax1.set_title("Indexing time")
    ax2.set_ylabel("p99 latency ms (took_ms)")
    ax2.set_title("p99 query latency")
    fig.suptitle("lupe vs xapian vs fts5 (%s, %s cores, load %s)" %
                 (res["date"], res["cores"], res["load0"]), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


# --------------------------------------------------------------------------------------------
def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def loadavg():
    return "%.1f" % os.getloadavg()[0]


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--lupe-build", required=True)
    ap.add_argument("--xquad", required=True)
    ap.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1 4 16"))
    ap.add_argument("--no-shards", action="store_true")
    ap.add_argument("--engines", default=os.environ.get("BENCH_ENGINES", " ".join(ENGINES)),
                    help="the engines to measure, of %s (lupe always)" % " ".join(ENGINES))
    ARGS = ap.parse_args()
    scales = sorted({int(s) for s in ARGS.scales.split()})
    if not scales or scales[0] < 1:
        sys.exit("speed: BENCH_SCALES must list numbers from 1 up")
    chosen = set(ARGS.engines.split()) | {"lupe"}
    if not chosen <= set(ENGINES):
        sys.exit("speed: BENCH_ENGINES must name engines of: %s" % " ".join(ENGINES))
    # The tables and the plot show the chosen engines only: FTS5 answers a question on the x64
    # corpus in about a second, so its 4 x 632 questions there would take over half an hour.
    ENGINES[:] = [e for e in ENGINES if e in chosen]
    PEERS[:] = [e for e in PEERS if e in chosen]

    os.makedirs(WORK, exist_ok=True)
    atexit.register(stop_servers)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))

    res = {"date": time.strftime("%Y-%m-%d %H:%M", time.localtime()),
           "commit": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                    capture_output=True, text=True).stdout.strip() or "unknown",
           "cpu": cpu_model(), "cores": os.cpu_count(), "load0": loadavg(),
           "shared": os.environ.get("BENCH_SHARED", "") not in ("", "0"),
           "scales": scales, "index": {}, "query": {}, "shards": [], "notes": [],
           "corpus_mb": {}, "nq": {}}
    res["lupe_index_cmd"] = index_cmd("lupe", "DIR", "FILE")
    res["lupe_search_flags"] = os.environ.get("LUPE_SEARCH_FLAGS", "")
    res["docs"] = count_lines(BASE_CORPUS)

    engines = list(ENGINES)
    for b in ("lupe-index", "lupe-search"):
        if not os.access(lupe_bin(b), os.X_OK):
            sys.exit("speed: %s missing (build lupe first, or set LUPE_BUILD)" % lupe_bin(b))

    qsets = [("xquad", os.path.join(WORK, "xquad.queries")),
             ("short", os.path.join(OUT, "short-queries.txt"))]
    res["nq"]["xquad"] = xquad_queries(qsets[0][1])
    res["vocab"] = short_queries(qsets[1][1])
    res["nq"]["short"] = SHORT_QUERIES

    for s in scales:
        corpus = scaled_corpus(s)
        res["corpus_mb"][s] = os.path.getsize(corpus) / 1e6
        res["index"][s], res["query"][s] = {}, {}
        for e in engines:
            db = os.path.join(WORK, "x%d-%s.db" % (s, e))
            m = measure_index(e, db, corpus, "x%d-%s" % (s, e))
            if not m:
                res["notes"].append("%s failed to index x%d" % (e, s))
                continue
            res["index"][s][e] = m
            log("  %s x%d: %.1f s wall, %.1f s CPU, %.0f MB RSS, size %.2f x corpus (runs: %s s)" %
                (e, s, m["wall"], m["cpu"], m["rss_mb"], m["size_ratio"],
                 " ".join("%.1f" % w for w in m["wall_runs"])))
            for qname, qfile in qsets:
                q = measure_queries(e, db, qfile, "x%d-%s-%s" % (s, e, qname))
                if q:
                    res["query"][s].setdefault(qname, {})[e] = q
                    log("  %s x%d %s: p50 %.2f p99 %.2f ms, %.0f QPS (p50 of the runs: %s)" %
                        (e, s, qname, q["p50"], q["p99"], q["qps"],
                         " ".join("%.2f" % v for v in q["p50_runs"])))
                else:
                    res["notes"].append("%s failed on %s at x%d" % (e, qname, s))
            if s == 1 and e == "lupe" and not ARGS.no_shards:
                measure_shards(db, qsets, res)
            if s > 1 and e != "lupe" and os.environ.get("BENCH_KEEP", "") in ("", "0"):
                # Keep the disk use of a 16x run down; lupe's is kept for inspection, and with
                # BENCH_KEEP=1 the peers' too (for bench/latency.py --lupe-db/--xapian-db).
                rmtree(db)
    if 1 not in scales and not ARGS.no_shards:
        res["notes"].append("shards not measured: they need the x1 corpus in BENCH_SCALES")

    res["load1"] = loadavg()
    png = os.path.join(OUT, "speed.png")
    if plot(res, png):
        res["notes"].append("plot: bench/out/speed.png")
    text = tables(res)
    with open(os.path.join(OUT, "speed.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(WORK, "results.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1, default=str)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
