#!/usr/bin/env python3
"""Readers while a writer commits, and a second writer refused.

One lupe-index process reads JSON Lines from a pipe with --batch 10 and so
commits every batch of 10 documents (--no-bulk: the index is new, and a
bulk load would show readers nothing until its end), all of which hold a batch word
("stapel17"); batches are fed for LUPE_CONCURRENCY_SECONDS (default 10).
Meanwhile, without pause:

  - 3 reader loops run lupe-search --json --queries FILE over batch words
    near the writer's edge, a new process each round;
  - 1 long-lived lupe-search --queries - gets queries through a pipe;

and every answer must be a success showing a committed state: a batch
word finds 0 or all 10 documents, and a batch once seen whole stays whole
for that reader.  A second lupe-index on the same index exits 1 saying the
index is locked while the first writer still runs (it does not wait for the
lock: no timing limit, which a loaded machine would break, but the event).
(test_threads.c does the same with 4 threads of one process, one handle each.)

Run with pytest (`meson test concurrency`); each check prints a line, and the
test fails when any of them failed.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SOURCE_ROOT = os.environ.get("LUPE_SOURCE_ROOT",
                             os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_ROOT = os.environ.get("LUPE_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
INDEX = os.path.join(BUILD_ROOT, "examples", "lupe-index")
SEARCH = os.path.join(BUILD_ROOT, "examples", "lupe-search")
SECONDS = float(os.environ.get("LUPE_CONCURRENCY_SECONDS", "10"))
BATCH = 10
LOOP_READERS = 3

TMP = tempfile.mkdtemp(prefix="lupe-test-concurrency-")
DB = os.path.join(TMP, "db")
passed = failed = 0


def check(name, fn, *args):
    global passed, failed
    try:
        fn(*args)
    except Exception:
        failed += 1
        print("FAIL %s" % name)
        traceback.print_exc(file=sys.stdout)
    else:
        passed += 1
        print("ok   %s" % name)
    sys.stdout.flush()


def batch_lines(b):
    return "".join(json.dumps({"id": "b%d-%d" % (b, i), "title": "Stapel %d" % b,
                               "text": "Gemeinsam gelesen: Dokument %d des Stapels stapel%d." % (i, b)}) + "\n"
                   for i in range(BATCH))


class Writer:
    """lupe-index fed batch after batch through a pipe."""

    def __init__(self):
        self.p = subprocess.Popen([INDEX, "--db", DB, "--no-bulk", "--batch", str(BATCH), "--jsonl", "-"],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.fed = 0      # batches handed to the pipe (counted before the write)
        self.stderr = b""

    def feed(self):
        # Count the batch before writing it: once its bytes are in the pipe the
        # writer may commit it, and a reader thread may see it whole, before
        # this thread runs again.  fed is read as "batches that may be visible".
        b = self.fed
        self.fed += 1
        self.p.stdin.write(batch_lines(b).encode())
        self.p.stdin.flush()

    def finish(self):
        self.p.stdin.close()
        self.stderr = self.p.stderr.read()
        return self.p.wait(timeout=120)


class ReaderStats:
    def __init__(self, name):
        self.name = name
        self.searches = self.whole = self.empty = 0
        self.seen_whole = -1
        self.errors = []

    def judge(self, b, res, fed):
        """One answer for batch word b; fed: batches written to the writer by then."""
        self.searches += 1
        if "error" in res:
            self.errors.append("stapel%d: %s" % (b, res["error"]))
            return
        n = len(res["hits"])
        if n not in (0, BATCH):
            self.errors.append("stapel%d: %d documents, not 0 or %d" % (b, n, BATCH))
        elif n == BATCH:
            self.whole += 1
            if b >= fed:
                self.errors.append("stapel%d whole before it was written" % b)
            self.seen_whole = max(self.seen_whole, b)
        else:
            self.empty += 1
            if b <= self.seen_whole:
                self.errors.append("stapel%d empty after stapel%d was seen whole" % (b, self.seen_whole))


def loop_reader(stats, writer, stop, seed):
    rng = random.Random(seed)
    qfile = os.path.join(TMP, "q-%s.txt" % stats.name)
    while not stop.is_set() and len(stats.errors) < 5:
        fed = writer.fed
        words = sorted(set(max(0, fed - 3 + rng.randrange(5)) for _ in range(6)) |
                       set([rng.randrange(fed + 1)]))
        with open(qfile, "w") as f:
            f.write("".join("stapel%d\n" % b for b in words))
        p = subprocess.run([SEARCH, "--db", DB, "--json", "--limit", str(BATCH + 5), "--queries", qfile],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if p.returncode != 0:
            stats.errors.append("lupe-search exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
            continue
        lines = p.stdout.decode().splitlines()
        if len(lines) != len(words):
            stats.errors.append("%d answers to %d queries" % (len(lines), len(words)))
            continue
        for b, line in zip(words, lines):
            stats.judge(b, json.loads(line), writer.fed)


def pipe_reader(stats, writer, stop, seed):
    """One lupe-search process for the whole run: queries in, answers out, one at a time."""
    rng = random.Random(seed)
    p = subprocess.Popen([SEARCH, "--db", DB, "--json", "--limit", str(BATCH + 5), "--queries", "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while not stop.is_set() and len(stats.errors) < 5:
            b = max(0, writer.fed - 3 + rng.randrange(5))
            p.stdin.write(b"stapel%d\n" % b)
            p.stdin.flush()
            line = p.stdout.readline()
            if not line:
                stats.errors.append("lupe-search --queries - ended: %s" % p.stderr.read().decode(errors="replace"))
                return
            stats.judge(b, json.loads(line), writer.fed)
    finally:
        p.stdin.close()
        p.wait(timeout=60)


def run_scenario():
    writer = Writer()
    writer.feed()
    # Wait until the first batch is committed, so that readers find an index.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        p = subprocess.run([SEARCH, "--db", DB, "--json", "stapel0"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        if p.returncode == 0 and len(json.loads(p.stdout)["hits"]) == BATCH:
            break
        time.sleep(0.05)

    stop = threading.Event()
    stats = [ReaderStats("loop%d" % i) for i in range(LOOP_READERS)] + [ReaderStats("pipe")]
    threads = [threading.Thread(target=loop_reader, args=(stats[i], writer, stop, i)) for i in range(LOOP_READERS)]
    threads.append(threading.Thread(target=pipe_reader, args=(stats[-1], writer, stop, 99)))
    for t in threads:
        t.start()

    second = {}
    t_end = time.monotonic() + SECONDS
    t_second = time.monotonic() + SECONDS / 3
    try:
        while time.monotonic() < t_end:
            writer.feed()
            time.sleep(0.03)
            if not second and time.monotonic() >= t_second:
                t0 = time.monotonic()
                p = subprocess.run([INDEX, "--db", DB, "--jsonl", "-"], input=batch_lines(999999).encode(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
                second = {"rc": p.returncode, "err": p.stderr.decode(errors="replace"),
                          "took": time.monotonic() - t0, "first_alive": writer.p.poll() is None}
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
        rc = writer.finish()

    def writer_ok():
        assert rc == 0, "writer exit %d: %s" % (rc, writer.stderr.decode(errors="replace"))
        p = subprocess.run([SEARCH, "--db", DB, "--json", "--limit", "10000", "gemeinsam"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert p.returncode == 0, p.stderr
        n = len(json.loads(p.stdout)["hits"])
        assert n == BATCH * writer.fed, "%d documents after %d batches" % (n, writer.fed)
    check("writer: %d batches of %d committed in %.0f s" % (writer.fed, BATCH, SECONDS), writer_ok)

    def second_refused():
        assert second, "no second writer was started"
        assert second["rc"] == 1, "second writer: exit %d: %s" % (second["rc"], second["err"])
        assert "locked" in second["err"], second["err"]
        assert second["first_alive"], "the second writer gave up only after the first had ended"
    check("second writer refused in %.3f s: %s" % (second.get("took", -1), second.get("err", "").strip()),
          second_refused)

    for s in stats:
        def reader_ok(s=s):
            assert not s.errors, "%d errors, first: %s" % (len(s.errors), s.errors[:3])
            assert s.searches > 0, "no search"
            if s.name != "pipe":
                assert s.whole > 0, "never saw a committed batch"
        check("reader %s: %d searches, %d whole batches, %d empty" % (s.name, s.searches, s.whole, s.empty),
              reader_ok)
        if s.name == "pipe" and s.seen_whole < writer.fed - 5:
            print("NOTE: the long-lived lupe-search --queries - saw batches up to stapel%d while the writer "
                  "committed up to stapel%d: a read handle is not refreshed by commits" %
                  (s.seen_whole, writer.fed - 1))


def test_readers_see_committed_states_and_second_writer_is_refused():
    try:
        run_scenario()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    assert failed == 0 and passed > 0, "%d of %d checks failed (see above)" % (failed, passed + failed)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-s"] + sys.argv[1:]))
