#!/usr/bin/env python3
"""Hostile input to lupe-index and lupe-search.

Each case: a clear message, a non-zero status where it is an error, no
crash, and nothing already indexed lost (a document indexed before, with
the word "Walross", is still found afterwards, and xapian-check is happy).

Cases: invalid UTF-8; NUL bytes; a 1 MB word; a file of random bytes; a
file that vanishes during the run (a dangling symbolic link: as root,
chmod 000 does not stop reading) and a FIFO; file names with newlines;
JSON Lines with missing ids, duplicate ids, wrong types, broken lines; a
20,000-word query; 10,000 nested parentheses; an index path that is a
file; a full disk (a 2 MB tmpfs; skipped with a message where mounting is
not allowed).  The 200 MB document is in test_memory.py, which measures it.

Run with pytest (`meson test hostile`, or `python3 -m pytest tests/test_hostile.py`).
"""

import atexit
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

SOURCE_ROOT = os.environ.get("LUPE_SOURCE_ROOT",
                             os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_ROOT = os.environ.get("LUPE_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
INDEX = os.path.join(BUILD_ROOT, "examples", "lupe-index")
SEARCH = os.path.join(BUILD_ROOT, "examples", "lupe-search")
CORPUS = os.path.join(SOURCE_ROOT, "data", "corpus")

TMP = tempfile.mkdtemp(prefix="lupe-test-hostile-")
atexit.register(shutil.rmtree, TMP, True)


def run(args, stdin=None, timeout=300):
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def fresh_db(name):
    """An index holding one document with the word Walross."""
    db = os.path.join(TMP, "db-" + name)
    shutil.rmtree(db, ignore_errors=True)
    rc, _, err = run([INDEX, "--db", db, "--jsonl", "-"], stdin=b'{"id": "keep", "text": "Ein Walross"}\n')
    assert rc == 0, err
    return db


def hits(db, query, limit=100):
    rc, out, err = run([SEARCH, "--db", db, "--json", "--limit", str(limit), "--", query])
    assert rc == 0, "lupe-search %r: exit %d: %s" % (query[:80], rc, err)
    return [h["id"] for h in json.loads(out)["hits"]]


def intact(db):
    """Nothing indexed before is lost, and the index is sound."""
    assert "keep" in hits(db, "Walross"), "the document indexed before is gone"
    rc, out, err = run(["xapian-check", db])
    assert rc == 0 and "No errors found" in out, "xapian-check: %s%s" % (out[-1000:], err)


def one_line_messages(err):
    """Every message of lupe-index is one line starting with its name."""
    for line in err.splitlines():
        assert line.startswith("lupe-index: ") or line.startswith("lupe-search: "), "stray line %r" % line


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


# --------------------------------------------------------------------------

def test_invalid_utf8():
    db = fresh_db("utf8")
    f = write(os.path.join(TMP, "kaputt.txt"), b"Gr\xc3\xb6\xc3\x9fe Ma\xdf \xff\xfe \xed\xa0\x80 Zebrastreifen\n")
    rc, _, err = run([INDEX, "--db", db, f])
    assert rc == 0, err
    assert f in hits(db, "Zebrastreifen"), "a file with some invalid UTF-8 is indexed, repaired"
    # Raw invalid UTF-8 inside a JSON line: the line is indexed or refused with its line number.
    line = b'{"id": "raw", "text": "Nashorn \xff\xfe kaputt"}\n{"id": "ok", "text": "Nashorn heil"}\n'
    rc, _, err = run([INDEX, "--db", db, "--jsonl", "-"], stdin=line)
    assert rc == 0, err
    one_line_messages(err)
    assert "ok" in hits(db, "Nashorn")
    assert "raw" in hits(db, "Nashorn") or re.search(r"<stdin>:1: ", err), err
    rc, out, err = run([SEARCH, "--db", db, "--json", "--", "Nashorn \udcff".encode("utf-8", "surrogateescape")
                        .decode("latin-1")])
    assert rc == 0, err
    intact(db)


def test_nul_bytes():
    db = fresh_db("nul")
    f = write(os.path.join(TMP, "nul.txt"), b"Biber\x00Biber\x00" * 10)
    rc, _, err = run([INDEX, "--db", db, f])
    assert rc == 0 and "binary file, skipped" in err, (rc, err)
    rc, _, err = run([INDEX, "--db", db, "--jsonl", "-"],
                     stdin=b'{"id": "n", "title": "T\\u0000", "text": "Biber\\u0000Dachs"}\n'
                           b'{"id": "a\\u0000b", "text": "Biber"}\n')
    assert rc == 0, err
    assert "n" in hits(db, "Dachs"), "NUL in the text is harmless"
    assert re.search(r"<stdin>:2: \"id\" must not contain a NUL character", err), err
    intact(db)


def test_megabyte_word():
    db = fresh_db("word")
    text = "Anfang " + "x" * (1 << 20) + " Ende Fischotter"
    rc, _, err = run([INDEX, "--db", db, "--jsonl", "-"],
                     stdin=(json.dumps({"id": "w", "text": text}) + "\n").encode())
    assert rc == 0, err
    assert "w" in hits(db, "Fischotter")
    qfile = write(os.path.join(TMP, "q-word.txt"), b"x" * (1 << 20) + b"\n")
    rc, out, err = run([SEARCH, "--db", db, "--json", "--queries", qfile])
    assert rc in (0, 1) and len(out.splitlines()) == 1, (rc, err[:300])
    intact(db)


def test_random_bytes():
    db = fresh_db("random")
    rng = random.Random(4)
    f = write(os.path.join(TMP, "zufall.txt"), bytes(rng.randrange(256) for _ in range(200000)))
    rc, _, err = run([INDEX, "--db", db, f])
    assert rc == 0 and "binary file, skipped" in err, (rc, err)
    rc, _, err = run([INDEX, "--db", db, "--jsonl", f])
    assert rc == 0, (rc, err[-500:])
    one_line_messages(err)
    intact(db)


def test_vanishing_files():
    """As root chmod 000 changes nothing; a dangling link is a file gone between listing and reading."""
    db = fresh_db("vanish")
    d = os.path.join(TMP, "vanish")
    os.makedirs(d)
    write(os.path.join(d, "a.txt"), b"Eichhorn im Wald\n")
    os.symlink(os.path.join(d, "weg.txt"), os.path.join(d, "b.txt"))
    fifo = os.path.join(d, "c.txt")
    os.mkfifo(fifo)
    rc, _, err = run([INDEX, "--db", db, d], timeout=60)
    assert rc == 0, (rc, err)
    one_line_messages(err)
    assert re.search(r"b\.txt: broken symbolic link, skipped", err), err
    assert os.path.join(d, "a.txt") in hits(db, "Eichhorn")
    # Named on the command line: a missing PATH or a FIFO is an error (exit 1).
    rc, _, err = run([INDEX, "--db", db, os.path.join(d, "b.txt")], timeout=60)
    assert rc == 1 and re.search(r"b\.txt: No such file or directory", err), (rc, err)
    rc, _, err = run([INDEX, "--db", db, fifo, d], timeout=60)
    assert rc == 1 and "c.txt: not a regular file or folder" in err, (rc, err)
    one_line_messages(err)
    assert os.path.join(d, "a.txt") in hits(db, "Eichhorn")
    rc, _, err = run([INDEX, "--db", db, "--jsonl", os.path.join(d, "b.txt")])
    assert rc == 1 and "cannot open" in err and "No such file" in err, (rc, err)
    intact(db)


def test_newline_file_names():
    db = fresh_db("names")
    d = os.path.join(TMP, "names")
    os.makedirs(d)
    good = os.path.join(d, "zwei\nzeilen.txt")
    write(good, b"Murmeltier am Berg\n")
    bad = os.path.join(d, "kaputt\n\x1b[31m.txt")
    os.symlink(os.path.join(d, "nirgends"), bad)
    rc, _, err = run([INDEX, "--db", db, d])
    assert rc == 0, err
    one_line_messages(err)
    assert "kaputt\\n\\x1b[31m.txt: broken symbolic link" in err, err
    assert good in hits(db, "Murmeltier")
    intact(db)


def test_jsonl_bad_lines():
    db = fresh_db("jsonl")
    lines = [
        '{"id": "g1", "text": "Gute Zeile Hamster"}',        # 1
        '{"text": "ohne id Hamster"}',                        # 2
        '{"id": 1.5, "text": "Hamster"}',                     # 3
        '{"id": "g2", "text": 42}',                           # 4
        '{"id": "g3", "text": "Hamster abgebrochen',          # 5
        '[1, 2]',                                             # 6
        '{"id": "g4", "text": "erster Hamster"}',             # 7
        '{"id": "g4", "text": "zweiter Hamster"}',            # 8: same id replaces
        '{"id": "g5", "title": ["x"], "text": "Hamster"}',    # 9
        '{"id": "g6", "text": "Hamster"} Müll',               # 10
        '{"id": "g7", "text": "letzter Hamster", "date": "kein Datum"}',  # 11
        '{"id": "g8", "text": "wirklich letzter Hamster"}',   # 12
    ]
    rc, _, err = run([INDEX, "--db", db, "--jsonl", "-"], stdin=("\n".join(lines) + "\n").encode())
    assert rc == 0, err
    one_line_messages(err)
    for n in (2, 3, 4, 5, 6, 9, 10, 11):
        assert re.search(r"^lupe-index: <stdin>:%d: " % n, err, re.M), "no message for line %d: %s" % (n, err)
    assert sorted(hits(db, "Hamster")) == ["g1", "g4", "g8"], hits(db, "Hamster")
    assert hits(db, "zweiter") == ["g4"] and hits(db, "erster") == []
    assert re.search(r"4 documents, .* 8 skipped", err), err  # g4 added twice, kept once
    intact(db)


def test_huge_queries():
    db = fresh_db("queries")
    # Longer than one command-line argument may be (128 KB): through --queries.  Words
    # beyond LQ_MAX_WORDS (64, lib/query/parse.h) are ignored, without a message.
    qfile = write(os.path.join(TMP, "q.txt"), ("Walross " + " ".join("wort%d" % i for i in range(20000)) + "\n").encode())
    rc, out, err = run([SEARCH, "--db", db, "--json", "--queries", qfile], timeout=60)
    res = json.loads(out)
    assert ("error" not in res and "keep" in [h["id"] for h in res["hits"]]) or \
           (res.get("error") and rc != 0), (rc, out[-300:], err[:300])
    print("     20,000-word query: exit %d, %s" % (rc, res.get("error", "%d hits" % len(res["hits"]))))
    # Nesting deeper than LQ_MAX_DEPTH is flattened or refused (parse.h): either is fine, quickly.
    nested = "(" * 10000 + "Walross" + ")" * 10000
    rc, out, err = run([SEARCH, "--db", db, "--json", "--", nested], timeout=60)
    assert (rc == 0 and [h["id"] for h in json.loads(out)["hits"]] == ["keep"]) or \
           (rc == 1 and err.startswith("lupe-search: ") and len(err.splitlines()) == 1), (rc, err[:300])
    print("     10,000 nested parentheses: exit %d, %s" % (rc, err.strip()[:120] or "found"))
    intact(db)


def test_db_path_is_file():
    f = write(os.path.join(TMP, "eine-datei"), b"kein Index\n")
    rc, _, err = run([INDEX, "--db", f, "--jsonl", "-"], stdin=b'{"id": "x", "text": "y"}\n')
    assert rc == 1 and "not a lupe index" in err, (rc, err)
    rc, _, err = run([SEARCH, "--db", f, "y"])
    assert rc == 1 and "not a lupe index" in err, (rc, err)
    with open(f, "rb") as fh:
        assert fh.read() == b"kein Index\n", "the file was changed"


def test_full_disk():
    mnt = os.path.join(TMP, "klein")
    os.makedirs(mnt)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        pytest.skip("full disk: cannot mount a 2 MB tmpfs here: %s" % p.stderr.decode().strip())
    try:
        db = os.path.join(mnt, "db")
        rc, _, err = run([INDEX, "--db", db, "--jsonl", "-"], stdin=b'{"id": "keep", "text": "Ein Walross"}\n')
        assert rc == 0, err
        rng = random.Random(6)
        letters = "abcdefghijklmnopqrstuvwxyzäöüß"
        docs = "".join(json.dumps({"id": "f%d" % i, "text": " ".join(
            "".join(rng.choice(letters) for _ in range(8)) for _ in range(300))}) + "\n" for i in range(3000))
        rc, _, err = run([INDEX, "--db", db, "--batch", "100", "--jsonl", "-"], stdin=docs.encode())
        assert rc == 1, "a full disk is an error: exit %d: %s" % (rc, err[-500:])
        one_line_messages(err)
        assert re.search(r"space|full|I/O", err, re.I), err
        print("     full disk: exit %d: %s" % (rc, err.strip().splitlines()[-1][:160]))
        intact(db)
    finally:
        subprocess.run(["umount", mnt])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__] + sys.argv[1:]))
