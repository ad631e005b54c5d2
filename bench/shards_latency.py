#!/usr/bin/python3
"""Sharded search against its floor: lupe over 3 xapian-tcpsrv shards versus plain Xapian
over the very same shards (bench/peers/xapian_shards_peer: get_mset(0,10) + get_data of the
hits), alternated in one run, with lupe/floor ratios of p50 and p99.

    bench/shards_latency.py --lupe-build build-rel [--lupe-build /tmp/old-build ...]
        [--corpus news|collection|data] [--rounds 5] [--queries FILE ...] [--profile] [--messages N]
        [--positions K]

--corpus news: the 1,028 articles of ../shared/corpus/10kgnad-test.csv (default);
collection: bench/data/collection.jsonl (bench/collection.sh); data: data/corpus paragraphs.
The first --lupe-build indexes them once (bench/out/shards-latency/CORPUS/) and the index is
split into 3 shards by the last --lupe-build's lupe-shard-split (scripts/shards.sh split; it
writes each shard's lexicon, which builds before it ignore), each served read-only by
xapian-tcpsrv on 127.0.0.1.  Queries default to four lines: the XQuAD public questions, the typo
set (../shared/eval), 1,000 short queries of 1-3 words of the corpus (bench/ab_latency.py's
short_queries(), drawn from the corpus searched) and the typo set again with lupe-search --fuzzy
(the floor runs the same words as ever: plain Xapian has no fuzzy).  --lines picks some of them
(questions, typo, short, fuzzy).
Each round runs every program once per query file, in alternating order, after a warm-up;
figures are medians over rounds of each run's p50 and p99 of took_ms (per query, connections
made before).  Several --lupe-build (before/after) are measured in the same rounds, and each
one's answers of the last round (ids, scores, totals, suggestions) are compared with the first's.
--positions K prints each program's K slowest positions in the query file (median took_ms of
each position over the rounds) and the sum of its first 30: the process's first queries.
--messages N counts, with strace, the messages each program writes to the shards a query over
queries 2..N of each file (warm: the first pays the connects), by kind of Xapian remote message,
and the bytes read in reply to each kind.
--oneshot N also runs each of the first N queries of each file as a process of its own, as one
`lupe-search --db SHARDS QUERY` on the command line does (the floor: a one-line query file),
every program once a query and round, alternated: the median over rounds of each query's
took_ms (what a process's first search costs: cold connections, servers' children and caches)
and of the process's wall time (start to exit: with the connects and the open), summed over the
N queries, and lupe/floor of both.
"""
import argparse
import csv
import glob
import hashlib
import json
import os
import resource
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
from latency import drop_if_stale, pct, run  # noqa: E402  (the same percentile, took_ms reader, index check)
from ab_latency import short_queries  # noqa: E402  (the short queries every latency bench draws)


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


# Xapian 1.4's remote protocol, client -> server (net/remoteprotocol.h): a message's first byte.
MSG_KINDS = ["allterms", "collfreq", "document", "termexists", "termfreq", "valuestats", "keepalive",
             "doclength", "query", "termlist", "positionlist", "postlist", "reopen", "update", "adddocument",
             "cancel", "deletedocumentterm", "commit", "replacedocument", "replacedocumentterm",
             "deletedocument", "writeaccess", "getmetadata", "setmetadata", "addspelling", "removespelling",
             "getmset", "shutdown", "metadatakeylist", "freqs", "uniqueterms"]


def messages(name, cmd, qfile, n, work, label=None):
    """The client's messages a query (strace of its writes to the shards' sockets) over queries
    2..n of qfile (the first pays the connects and the metadata), by kind, and the bytes it read
    in reply to each kind (a term listing is one reply message a term)."""
    qn = os.path.join(work, "messages.q")
    with open(qfile) as f, open(qn, "w") as g:
        g.writelines(l for i, l in enumerate(f) if i < n)
    cmd = [qn if c == qfile else c for c in cmd]
    trace = os.path.join(work, "messages.strace")
    subprocess.run(["strace", "-f", "-qq", "-xx", "-s", "16", "-e", "trace=write,read", "-e", "signal=none",
                    "-o", trace, "stdbuf", "-oL"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    import re
    # strace -f: a call another thread interrupts is "PID write(FD, DATA, N <unfinished ...>" and,
    # later, "PID <... write resumed>) = RET" (a read shows its data there).
    call = re.compile(r'^(\d+)\s+(write|read)\((\d+), (?:"((?:\\x[0-9a-f]{2})*)"(?:\.\.\.)?, \d+\)\s+=\s+(\d+)|'
                      r'(?:"((?:\\x[0-9a-f]{2})*)"(?:\.\.\.)?, \d+)?\s*<unfinished)')
    resumed = re.compile(r'^(\d+)\s+<\.\.\. (write|read) resumed>.*\)\s+=\s+(\d+)')
    pending = {}
    queries, out_last = 0, False
    sent, got, last, body = {}, {}, {}, {}

    def calls():
        for l in open(trace):
            m = call.match(l)
            if m and m.group(5) is not None:
                yield m.group(2), int(m.group(3)), m.group(4), int(m.group(5))
            elif m:
                pending[m.group(1)] = (m.group(2), int(m.group(3)), m.group(6) or "")
            else:
                r = resumed.match(l)
                if r and r.group(1) in pending:
                    op, fd, data = pending.pop(r.group(1))
                    yield op, fd, data, int(r.group(3))

    for op, fd, hexdata, ret in calls():
        data = bytes(int(hexdata[i + 2:i + 4], 16) for i in range(0, len(hexdata), 4))
        if fd == 1 and op == "write":
            if not out_last:
                queries += 1
            out_last = True
            continue
        if fd <= 2:
            continue
        if op == "read":
            if fd in last and 0 < queries < n:
                got[last[fd]] = got.get(last[fd], 0) + ret
            continue
        out_last = False
        # Xapian writes a message's header (type, then its length) and its body apart.
        if body.get(fd, 0) > 0:
            body[fd] -= ret
            continue
        if not data:
            continue
        size, hl = data[1] if len(data) > 1 else 0, 2
        if size == 0xff:  # a longer length: 7 bits a byte after the 0xff, the last with its top bit set
            size, shift = 0, 0
            for c in data[2:]:
                hl += 1
                size |= (c & 0x7f) << shift
                shift += 7
                if c & 0x80:
                    break
            size += 255
        body[fd] = size - (ret - hl)
        kind = MSG_KINDS[data[0]] if data[0] < len(MSG_KINDS) else "msg%d" % data[0]
        last[fd] = kind
        if 0 < queries < n:
            sent[kind] = sent.get(kind, 0) + 1
    q = max(queries - 1, 1)
    kinds = sorted(sent, key=lambda k: -sent[k])
    print("  messages %s, queries 2..%d of %s: %.1f a query (%s); reply KB a query: %s" %
          (name, q + 1, label or os.path.basename(qfile), sum(sent.values()) / q,
           ", ".join("%s %.2f" % (k, sent[k] / q) for k in kinds),
           ", ".join("%s %.1f" % (k, got.get(k, 0) / q / 1024) for k in kinds)))


def oneshot(names, cmds, q, n, rounds, work, label, title):
    """The first n queries of q, each a process of its own (see --oneshot)."""
    with open(q) as f:
        qs = [l for l in f if l.strip()][:n]
    took = {e: [[] for _ in qs] for e in names}
    wall = {e: [[] for _ in qs] for e in names}
    one = os.path.join(work, "oneshot.q")
    for r in range(rounds):
        for i, line in enumerate(qs):
            with open(one, "w") as f:
                f.write(line)
            for e in (names if (r + i) % 2 == 0 else names[::-1]):
                cmd = [one if c == q else c for c in cmds[e]]
                t0 = time.monotonic()
                t = run(cmd, os.path.join(work, e + ".oneshot"))
                wall[e][i].append((time.monotonic() - t0) * 1e3)
                took[e][i].append(t[0])
    med = {e: ([statistics.median(x) for x in took[e]], [statistics.median(x) for x in wall[e]]) for e in names}
    f_took, f_wall = sum(med["floor"][0]), sum(med["floor"][1])
    print("  one-shot, first %d queries of %s, %d rounds: floor took_ms sum %.1f ms (p50 %.2f), wall sum %.1f ms" %
          (len(qs), label, rounds, f_took, statistics.median(med["floor"][0]), f_wall))
    for e in names[1:]:
        t, w = med[e]
        print("    %s: took_ms sum %.1f ms (p50 %.2f, max %.2f), wall sum %.1f ms | lupe/floor took %.2f wall %.2f" %
              (title(e), sum(t), statistics.median(t), max(t), sum(w), sum(t) / f_took, sum(w) / f_wall))


def answer(line):
    """What a search answered, beside its time: ids, scores, totals and the suggestion."""
    r = json.loads(line)
    return (r.get("total"), r.get("total_exact"), r.get("suggestion"), r.get("partial"),
            [(h["id"], h["score"]) for h in r.get("hits", [])])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lupe-build", action="append", required=True)
    ap.add_argument("--corpus", default="news", choices=("news", "collection", "data"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--queries", nargs="*")
    ap.add_argument("--lines", default="questions,typo,short,fuzzy",
                    help="which default query lines to run (without --queries): questions,typo,short,fuzzy")
    ap.add_argument("--profile", action="store_true",
                    help="also one run each with the CPU a query of the client and of the servers")
    ap.add_argument("--positions", type=int, metavar="K",
                    help="also print each program's K slowest positions in its query file (the "
                         "median took_ms of each position over the rounds) and the sum of the first 30")
    ap.add_argument("--messages", type=int, metavar="N",
                    help="also count the messages each program sends a query over the first N queries")
    ap.add_argument("--oneshot", type=int, metavar="N",
                    help="also run each of the first N queries of each file as a process of its own")
    a = ap.parse_args()
    subprocess.run([os.path.join(HERE, "build.sh")], check=True)
    work = os.path.join(HERE, "out", "shards-latency", a.corpus)
    os.makedirs(work, exist_ok=True)
    builds = [b if os.path.isabs(b) else os.path.join(ROOT, b) for b in a.lupe_build]
    local = os.path.join(work, "local")
    drop_if_stale(local, builds[0])  # made again by a newer first build
    if not os.path.isdir(local):
        jsonl = corpus_jsonl(a.corpus, os.path.join(work, "docs.jsonl"))
        subprocess.run([os.path.join(builds[0], "examples", "lupe-index"), "--db", local, "--jsonl", jsonl],
                       check=True)
    # The shards are split by the LAST build's lupe-shard-split (the newest: since lex18 it writes
    # each shard's lexicon, which older builds ignore), so that every build reads the same shards
    # and the newest finds in them what its own writer would have left.  One split per tool.
    split_tool = os.path.join(builds[-1], "tools", "lupe-shard-split")
    # ... and per build of it: a rebuilt tool (or library) at the same path splits anew.
    h = hashlib.sha1()
    # ... and per index split: the local index's revision file names the one made.
    for f in [split_tool, os.path.join(local, "iamglass")] + sorted(
            g for g in glob.glob(os.path.join(builds[-1], "lib", "liblupe.so*")) if os.path.isfile(g)):
        with open(os.path.realpath(f), "rb") as fh:
            h.update(fh.read())
    split = os.path.join(work, "split-" + split_tool.strip("/").replace("/", "_") + "-" + h.hexdigest()[:12])
    if not os.path.isdir(split):
        env = dict(os.environ, LUPE_SHARD_SPLIT=split_tool)
        subprocess.run(["sh", os.path.join(ROOT, "scripts", "shards.sh"), "split", local, "3", split], check=True,
                       env=env)
    tcp = os.path.join(work, "tcp-shards.txt")
    serve([os.path.join(split, "shard%d" % k) for k in range(3)], work, tcp)
    # (query file, lupe-search's extra words, label); the floor runs every file as it is.
    files = [(q, [], os.path.basename(q)) for q in a.queries or []]
    if not files:
        sets = {}
        for s in ("xquad-de-public", "typo-public"):
            q = os.path.join(work, s + ".q")
            with open(os.path.join(SHARED, "eval", s + ".tsv")) as f, open(q, "w") as g:
                g.writelines(l.split("\t")[0] + "\n" for l in f if l.strip())
            sets[s] = q
        lines = a.lines.split(",")
        if "questions" in lines:
            files.append((sets["xquad-de-public"], [], "xquad-de-public.q"))
        if "typo" in lines:
            files.append((sets["typo-public"], [], "typo-public.q"))
        if "short" in lines:
            q = os.path.join(work, "short.q")
            docs = os.path.join(work, "docs.jsonl")
            if a.corpus == "collection":
                docs = corpus_jsonl(a.corpus, docs)
            elif not os.path.exists(docs):
                corpus_jsonl(a.corpus, docs)
            short_queries(docs, q)
            files.append((q, [], "short.q"))
        if "fuzzy" in lines:
            files.append((sets["typo-public"], ["--fuzzy"], "typo-public.q --fuzzy"))
    peer = os.path.join(HERE, "out", "xapian_shards_peer")
    for q, extra, label in files:
        cmds = {"floor": [peer, tcp, "--queries", q]}
        for i, b in enumerate(builds):
            cmds["lupe%d" % i] = [os.path.join(b, "examples", "lupe-search"), "--db", tcp, "--json"] + extra + [
                "--queries", q]
        names = list(cmds)
        res = {e: {"p50": [], "p99": []} for e in names}
        runs = {e: [] for e in names}
        for e in names:  # warm-up
            run(cmds[e], os.path.join(work, e + ".warm"))
        for r in range(a.rounds):
            for e in (names if r % 2 == 0 else names[::-1]):
                t = run(cmds[e], os.path.join(work, e + ".out"))
                res[e]["p50"].append(pct(t, 50))
                res[e]["p99"].append(pct(t, 99))
                runs[e].append(t)
        m = {e: {k: statistics.median(v) for k, v in res[e].items()} for e in names}
        # The builds' answers of the last round, side by side: ids, scores, totals, suggestions.
        same = []
        for i in range(1, len(builds)):
            with open(os.path.join(work, "lupe0.out")) as f0, open(os.path.join(work, "lupe%d.out" % i)) as f1:
                x0, x1 = [[answer(l) for l in f if l.strip()] for f in (f0, f1)]
            same.append((sum(u == v for u, v in zip(x0, x1)), max(len(x0), len(x1))))
        f = m["floor"]
        print("%s, 3 tcp shards of %s, %d rounds: floor (plain Xapian) p50 %.3f p99 %.3f ms" %
              (label, a.corpus, a.rounds, f["p50"], f["p99"]))
        for i, b in enumerate(builds):
            x = m["lupe%d" % i]
            print("  lupe %s: p50 %.3f p99 %.3f ms | lupe/floor p50 %.2f p99 %.2f%s" %
                  (a.lupe_build[i], x["p50"], x["p99"], x["p50"] / f["p50"], x["p99"] / f["p99"],
                   " | answers as the first build's: %d of %d" % same[i - 1] if i else ""))
        if a.positions:
            for e in names:
                n = min(len(t) for t in runs[e])
                med = [statistics.median(t[k] for t in runs[e]) for k in range(n)]
                slow = sorted(range(n), key=lambda k: -med[k])[:a.positions]
                print("  slowest positions %s: %s | first 30: %.1f ms" %
                      (e if e == "floor" else a.lupe_build[int(e[4:])],
                       " ".join("%d:%.2f" % (k, med[k]) for k in slow), sum(med[:30])))
        if a.profile:
            for e in names:
                profile(e if e == "floor" else a.lupe_build[int(e[4:])], cmds[e], os.path.join(work, e + ".out"))
        if a.messages:
            for e in names:
                messages(e if e == "floor" else a.lupe_build[int(e[4:])], cmds[e], q, a.messages, work, label)
        if a.oneshot:
            oneshot(names, cmds, q, a.oneshot, a.rounds, work, label, lambda e: a.lupe_build[int(e[4:])])
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
