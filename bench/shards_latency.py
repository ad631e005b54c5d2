#!/usr/bin/python3
"""Sharded search against its floor: lupe over 3 xapian-tcpsrv shards versus plain Xapian
over the very same shards (bench/peers/xapian_shards_peer: get_mset(0,10) + get_data of the
hits), alternated in one run, with lupe/floor ratios of p50 and p99.

    bench/shards_latency.py --lupe-build build-rel [--lupe-build /tmp/old-build ...]
        [--corpus news|collection|data] [--rounds 5] [--queries FILE ...]

--corpus news: the 1,028 articles of ../shared/corpus/10kgnad-test.csv (default);
collection: bench/data/collection.jsonl (bench/collection.sh); data: data/corpus paragraphs.
The first --lupe-build indexes them once (bench/out/shards-latency/CORPUS/) and the index is
split into 3 shards (scripts/shards.sh split), each served read-only by xapian-tcpsrv on
127.0.0.1.  Queries default to the XQuAD public questions and the typo set (../shared/eval).
Each round runs every program once per query file, in alternating order, after a warm-up;
figures are medians over rounds of each run's p50 and p99 of took_ms (per query, connections
made before).  Several --lupe-build (before/after) are measured in the same rounds.
"""
import argparse
import csv
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("LUPE_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
SERVERS = []


sys.path.insert(0, HERE)
from latency import pct, run  # noqa: E402  (the same percentile and took_ms reader)


def corpus_jsonl(kind, path):
    if kind == "collection":
        return os.path.join(HERE, "data", "collection.jsonl")
    docs = []
    if kind == "news":
        with open(os.path.join(SHARED, "corpus", "10kgnad-test.csv"), encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.reader(f, delimiter=";", quotechar="'")):
                if len(row) >= 2 and row[1].strip():
                    docs.append({"id": "news/%04d" % i, "source": row[0], "text": row[1]})
    else:
        corpus = os.path.join(ROOT, "data", "corpus")
        for name in sorted(os.listdir(corpus)):
            if name.endswith(".txt"):
                with open(os.path.join(corpus, name), encoding="utf-8") as f:
                    for i, p in enumerate(f.read().split("\n\n")):
                        if len(p) > 80:
                            docs.append({"id": "para/%s/%d" % (name, i), "text": p})
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(shard_dirs, work, listfile):
    urls = []
    for k, d in enumerate(shard_dirs):
        logf = os.path.join(work, "tcpsrv%d.log" % k)
        port = free_port()
        with open(logf, "wb") as lf:
            p = subprocess.Popen(["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), d],
                                 stdout=lf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        SERVERS.append(p)
        deadline = time.monotonic() + 10
        while True:
            with open(logf, errors="replace") as lf:
                if "Listening" in lf.read():
                    break
            if p.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("xapian-tcpsrv for %s did not start (%s)" % (d, logf))
            time.sleep(0.05)
        urls.append("tcp://127.0.0.1:%d" % port)
    with open(listfile, "w") as f:
        f.write("# 3 shards served by xapian-tcpsrv (bench/shards_latency.py)\n" + "\n".join(urls) + "\n")


def cpu_of(pid):
    """utime + stime of a process in seconds, None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            v = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def profile(name, cmd, out):
    """One run of cmd: CPU a query of the client and of the 3 servers (the children that serve
    its connections, sampled while it runs and once after), and its wall time a query."""
    old = {c for p in SERVERS for c in children(p.pid)}
    seen = {}

    def sample():
        for p in SERVERS:
            for c in children(p.pid):
                if c not in old:
                    t = cpu_of(c)
                    if t is not None:
                        seen[c] = max(seen.get(c, 0.0), t)

    c0, w0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    proc = subprocess.Popen(cmd, stdout=open(out, "w"), stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        sample()
        time.sleep(0.02)
    sample()
    w1, c1 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out) as f:
        t = [float(json.loads(l)["took_ms"]) for l in f if l.strip()]
    n = max(len(t), 1)
    client = (c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime) / n * 1e3
    print("  cpu %s: client %.2f ms, servers %.2f ms, wall %.2f ms (took_ms %.2f) a query" %
          (name, client, sum(seen.values()) / n * 1e3, (w1 - w0) / n * 1e3, sum(t) / n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lupe-build", action="append", required=True)
    ap.add_argument("--corpus", default="news", choices=("news", "collection", "data"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--queries", nargs="*")
    ap.add_argument("--profile", action="store_true",
                    help="also one run each with the CPU a query of the client and of the servers")
    a = ap.parse_args()
    subprocess.run([os.path.join(HERE, "build.sh")], check=True)
    work = os.path.join(HERE, "out", "shards-latency", a.corpus)
    os.makedirs(work, exist_ok=True)
    builds = [b if os.path.isabs(b) else os.path.join(ROOT, b) for b in a.lupe_build]
    local = os.path.join(work, "local")
    if not os.path.isdir(local):
        jsonl = corpus_jsonl(a.corpus, os.path.join(work, "docs.jsonl"))
        subprocess.run([os.path.join(builds[0], "examples", "lupe-index"), "--db", local, "--jsonl", jsonl],
                       check=True)
    split = os.path.join(work, "split")
    if not os.path.isdir(split):
        env = dict(os.environ, LUPE_SHARD_SPLIT=os.path.join(builds[0], "tools", "lupe-shard-split"))
        subprocess.run(["sh", os.path.join(ROOT, "scripts", "shards.sh"), "split", local, "3", split], check=True,
                       env=env)
    tcp = os.path.join(work, "tcp-shards.txt")
    serve([os.path.join(split, "shard%d" % k) for k in range(3)], work, tcp)
    files = a.queries or []
    if not files:
        for s in ("xquad-de-public", "typo-public"):
            q = os.path.join(work, s + ".q")
            with open(os.path.join(SHARED, "eval", s + ".tsv")) as f, open(q, "w") as g:
                g.writelines(l.split("\t")[0] + "\n" for l in f if l.strip())
            files.append(q)
    peer = os.path.join(HERE, "out", "xapian_shards_peer")
    for q in files:
        cmds = {"floor": [peer, tcp, "--queries", q]}
        for i, b in enumerate(builds):
            cmds["lupe%d" % i] = [os.path.join(b, "examples", "lupe-search"), "--db", tcp, "--json", "--queries", q]
        names = list(cmds)
        res = {e: {"p50": [], "p99": []} for e in names}
        for e in names:  # warm-up
            run(cmds[e], os.path.join(work, e + ".warm"))
        for r in range(a.rounds):
            for e in (names if r % 2 == 0 else names[::-1]):
                t = run(cmds[e], os.path.join(work, e + ".out"))
                res[e]["p50"].append(pct(t, 50))
                res[e]["p99"].append(pct(t, 99))
        m = {e: {k: statistics.median(v) for k, v in res[e].items()} for e in names}
        f = m["floor"]
        print("%s, 3 tcp shards of %s, %d rounds: floor (plain Xapian) p50 %.3f p99 %.3f ms" %
              (os.path.basename(q), a.corpus, a.rounds, f["p50"], f["p99"]))
        for i, b in enumerate(builds):
            x = m["lupe%d" % i]
            print("  lupe %s: p50 %.3f p99 %.3f ms | lupe/floor p50 %.2f p99 %.2f" %
                  (a.lupe_build[i], x["p50"], x["p99"], x["p50"] / f["p50"], x["p99"] / f["p99"]))
        if a.profile:
            for e in names:
                profile(e if e == "floor" else a.lupe_build[int(e[4:])], cmds[e], os.path.join(work, e + ".out"))
        sys.stdout.flush()


if __name__ == "__main__":
    try:
        main()
    finally:
        for p in SERVERS:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            p.wait()
