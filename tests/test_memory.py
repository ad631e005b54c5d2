#!/usr/bin/env python3
"""Memory: valgrind memcheck of both programs, and indexing memory bounded by the batch.

  - valgrind memcheck (--error-exitcode=1 --leak-check=full
    --errors-for-leak-kinds=definite) of lupe-index over data/corpus and of
    lupe-search running a few queries on that index;
  - peak RSS of lupe-index (default --batch 2000) on (a) 20 MB and (b)
    LUPE_MEMORY_BIG_MB (default 100) MB of JSON Lines made of many
    normal-size articles: (b) < 2 x (a) + 64 MB, so memory follows the
    batch, not the input;
  - one 100 MB document (LUPE_MEMORY_BIG_MB) between two small ones (hostile input): indexed,
    nothing lost, its peak RSS reported (the library analyses at most
    LUPE_TEXT_MAX = 64 MB of a body, lib/index/document.h).

Skipped (exit 77 for meson), with a message, in a sanitizer build (valgrind
cannot run ASan binaries, and ASan's own memory hides the program's).  The
text is the bundled articles (data/corpus), so the test needs nothing beside
the clone.  Big files are made on the fly in a temporary folder and deleted.
Run with pytest (`meson test memory`); each check prints a line, and the test
fails when any of them failed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

SOURCE_ROOT = os.environ.get("LUPE_SOURCE_ROOT",
                             os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_ROOT = os.environ.get("LUPE_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
INDEX = os.path.join(BUILD_ROOT, "examples", "lupe-index")
SEARCH = os.path.join(BUILD_ROOT, "examples", "lupe-search")
CORPUS = os.path.join(SOURCE_ROOT, "data", "corpus")
BIG_MB = int(os.environ.get("LUPE_MEMORY_BIG_MB", "100"))
SMALL_MB = 20

SKIP = 77  # meson's exit status for a skipped test
TMP = tempfile.mkdtemp(prefix="lupe-test-memory-")
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


def sanitized():
    """Whether the build under test uses -Db_sanitize."""
    try:
        with open(os.path.join(BUILD_ROOT, "meson-info", "intro-buildoptions.json")) as f:
            opts = json.load(f)
    except OSError:
        return False
    return any(o["name"] == "b_sanitize" and o["value"] not in ("none", "") for o in opts)


def measured(args, stdin=None):
    """Run a program; returns (exit status, stderr, peak RSS in MB, seconds)."""
    t0 = time.monotonic()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as fin:
        p = subprocess.Popen(args, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err.decode("utf-8", "replace"), usage.ru_maxrss / 1024.0, time.monotonic() - t0


def hits(db, query):
    p = subprocess.run([SEARCH, "--db", db, "--json", "--limit", "100", "--", query],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr
    return [h["id"] for h in json.loads(p.stdout)["hits"]]


def articles():
    """The paragraphs of the bundled articles (data/corpus): the same text on every machine."""
    out = []
    for name in sorted(os.listdir(CORPUS)):
        with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
            out += [p for p in f.read().split("\n\n") if len(p) > 200]
    return out


def write_jsonl(path, texts, megabytes):
    """Many normal-size documents (the articles, over and over, new ids) up to `megabytes`."""
    size, i = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while size < megabytes * 1000000:
            line = json.dumps({"id": "m%d" % i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n"
            f.write(line)
            size += len(line.encode("utf-8"))
            i += 1
    return i


def valgrind():
    vg = shutil.which("valgrind")
    assert vg, "valgrind is not installed (apt-get install valgrind)"
    base = [vg, "--quiet", "--error-exitcode=1", "--leak-check=full", "--errors-for-leak-kinds=definite"]
    db = os.path.join(TMP, "vg-db")
    p = subprocess.run(base + [INDEX, "--db", db, CORPUS], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=900)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 0, "valgrind lupe-index: exit %d\n%s" % (p.returncode, err[-4000:])
    q = os.path.join(TMP, "vg-queries.txt")
    with open(q, "w", encoding="utf-8") as f:
        f.write('Mitarbeiter\n"Social Media"\nKommunikation* ODER Wohnung\ntitle:Stabsstelle -Wahl\n')
    p = subprocess.run(base + [SEARCH, "--db", db, "--json", "--queries", q], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=900)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 0, "valgrind lupe-search: exit %d\n%s" % (p.returncode, err[-4000:])
    lines = [json.loads(l) for l in p.stdout.decode().splitlines()]
    assert len(lines) == 4, lines
    assert lines[0]["total"] >= 1 and lines[0]["hits"], "no hit for Mitarbeiter on data/corpus"


def main():
    for prog in (INDEX, SEARCH):
        if not os.access(prog, os.X_OK):
            print("FAIL missing program %s (set LUPE_BUILD_ROOT)" % prog)
            return 1
    if sanitized():
        print("SKIP: %s is a sanitizer build: valgrind cannot run ASan binaries and RSS would measure ASan"
              % BUILD_ROOT)
        return SKIP

    check("valgrind memcheck: lupe-index on data/corpus, lupe-search with 4 queries, no error, "
          "no definite leak", valgrind)

    texts = articles()
    rss = {}
    for mb in (SMALL_MB, BIG_MB):
        def run_size(mb=mb):
            path = os.path.join(TMP, "in.jsonl")
            n = write_jsonl(path, texts, mb)
            db = os.path.join(TMP, "db-%d" % mb)
            rc, err, peak, secs = measured([INDEX, "--db", db, "--jsonl", path])
            os.unlink(path)
            assert rc == 0, "exit %d: %s" % (rc, err[-1000:])
            assert re.search(r"^lupe-index: %d documents" % n, err, re.M), err
            rss[mb] = peak
            print("     %d MB of JSON Lines, %d documents: peak RSS %.0f MB, %.0f s" % (mb, n, peak, secs))
            shutil.rmtree(db, ignore_errors=True)
        check("index %d MB of many documents" % mb, run_size)

    def bounded():
        a, b = rss[SMALL_MB], rss[BIG_MB]
        assert b < 2 * a + 64, "peak RSS %.0f MB for %d MB, %.0f MB for %d MB" % (a, SMALL_MB, b, BIG_MB)
    check("memory follows the batch, not the input: %d MB -> %.0f MB RSS, %d MB -> %.0f MB RSS" %
          (SMALL_MB, rss.get(SMALL_MB, 0), BIG_MB, rss.get(BIG_MB, 0)), bounded)

    def one_huge_document():
        path = os.path.join(TMP, "huge.jsonl")
        blob = " ".join(texts)
        reps = BIG_MB * 1000000 // len(blob.encode("utf-8")) + 1
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"id": "before", "text": "Walross"}\n')
            f.write('{"id": "huge", "text": ')
            # A marker word in the middle (within the analysed 64 MB) and one past the end.
            half = reps // 2
            f.write(json.dumps(" ".join([blob] * half + ["Mittelwortmarke"] + [blob] * (reps - half))
                               + " zqxwvlupe", ensure_ascii=False))
            f.write('}\n{"id": "after", "text": "Seekuh"}\n')
        size = os.path.getsize(path)
        db = os.path.join(TMP, "db-huge")
        rc, err, peak, secs = measured([INDEX, "--db", db, "--jsonl", path])
        os.unlink(path)
        print("     one %.0f MB document (between two small ones): exit %d, peak RSS %.0f MB, %.0f s" %
              (size / 1e6, rc, peak, secs))
        assert rc == 0, "exit %d: %s" % (rc, err[-1000:])
        assert hits(db, "Walross") == ["before"] and hits(db, "Seekuh") == ["after"]
        assert hits(db, "Mittelwortmarke") == ["huge"], "the huge document is not searchable"
        # Beyond LUPE_TEXT_MAX (64 MB): not analysed.
        assert hits(db, "zqxwvlupe") == [], "a word after 64 MB was indexed"
        shutil.rmtree(db, ignore_errors=True)
    check("a %d MB document: indexed (first 64 MB), nothing lost" % BIG_MB, one_huge_document)
    return 0


def test_memory():
    try:
        rc = main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    if rc == SKIP:
        import pytest
        pytest.skip("sanitizer build: valgrind cannot run ASan binaries")
    print("%d passed, %d failed" % (passed, failed))
    assert rc == 0 and failed == 0 and passed > 0, "%d of %d checks failed (see above)" % (failed, passed + failed)


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-s"] + sys.argv[1:]))
