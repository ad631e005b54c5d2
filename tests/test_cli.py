#!/usr/bin/env python3
"""End-to-end tests of the example programs lupe-index and lupe-search.

Standard library only.  Environment (set by `meson test`):
  LUPE_SOURCE_ROOT  the source tree (for data/corpus)
  LUPE_BUILD_ROOT   the build tree (for examples/lupe-index, examples/lupe-search)
Prints one line per test and a final "N passed, M failed"; exits 1 on any failure.
"""

import json
import os
import re
import shutil
import signal
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

TMP = tempfile.mkdtemp(prefix="lupe-test-cli-")
DB = os.path.join(TMP, "corpus-db")

HIT_KEYS = ["rank", "id", "title", "score", "snippet", "highlights", "highlight_kinds"]
RESULT_KEYS = ["query", "total", "total_exact", "total_min", "total_max", "took_ms", "partial", "suggestion", "hits"]
ERROR_KEYS = ["query", "error", "total", "total_exact", "total_min", "total_max", "took_ms", "partial", "hits"]


def run(args, stdin=None, timeout=120):
    """Run a program; returns (exit status, stdout, stderr) as text."""
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return (p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace"))


def index(db, *args, stdin=None):
    return run([INDEX, "--db", db] + list(args), stdin=stdin)


def search(db, *args, stdin=None):
    return run([SEARCH, "--db", db] + list(args), stdin=stdin)


def search_json(db, query, *args):
    """One --json query that must succeed; returns the parsed object."""
    rc, out, err = search(db, "--json", *args, "--", query)
    assert rc == 0, "lupe-search %r: exit %d: %s" % (query, rc, err)
    lines = out.splitlines()
    assert len(lines) == 1, "expected one line of output, got %r" % out
    obj = json.loads(lines[0], object_pairs_hook=_no_duplicates)
    check_result(obj, query)
    return obj


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "duplicate keys in %r" % keys
    return dict(pairs)


def is_float(v):
    return isinstance(v, float)


def check_result(obj, query, offset=0):
    """Check a --json result object against the documented format, exactly."""
    assert isinstance(obj, dict), obj
    assert list(obj.keys()) == RESULT_KEYS, "keys %r" % list(obj.keys())
    assert obj["query"] == query, (obj["query"], query)
    assert isinstance(obj["total"], int) and not isinstance(obj["total"], bool)
    assert isinstance(obj["total_exact"], bool), obj["total_exact"]
    assert obj["total_min"] <= obj["total"] <= obj["total_max"], obj
    assert obj["total_exact"] == (obj["total_min"] == obj["total_max"]), obj
    if obj["hits"]:
        assert obj["total_min"] >= offset + len(obj["hits"]), "total %d < hits seen" % obj["total_min"]
    assert is_float(obj["took_ms"]) and obj["took_ms"] >= 0.0, obj["took_ms"]
    assert isinstance(obj["hits"], list)
    last_score = None
    for i, h in enumerate(obj["hits"]):
        assert isinstance(h, dict)
        assert list(h.keys()) == HIT_KEYS, "hit keys %r" % list(h.keys())
        assert h["rank"] == offset + i + 1, "rank %r at position %d" % (h["rank"], i)
        assert isinstance(h["id"], str) and h["id"], h
        assert isinstance(h["title"], str), h
        assert is_float(h["score"]), h["score"]
        if last_score is not None:
            assert h["score"] <= last_score + 1e-9, "scores not descending"
        last_score = h["score"]
        assert isinstance(h["snippet"], str), h
        snippet = h["snippet"].encode("utf-8")
        assert isinstance(h["highlights"], list)
        prev_end = 0
        for span in h["highlights"]:
            assert isinstance(span, list) and len(span) == 2, span
            s, e = span
            assert isinstance(s, int) and isinstance(e, int), span
            assert 0 <= s < e <= len(snippet), "span %r outside snippet of %d bytes" % (span, len(snippet))
            assert s >= prev_end, "spans overlap or are unsorted: %r" % h["highlights"]
            prev_end = e
            snippet[s:e].decode("utf-8")  # on character boundaries
        assert len(h["highlight_kinds"]) == len(h["highlights"]), h
        assert all(k in ("exact", "stem", "part", "typo") for k in h["highlight_kinds"]), h


def highlighted(hit):
    b = hit["snippet"].encode("utf-8")
    return [b[s:e].decode("utf-8") for s, e in hit["highlights"]]


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, bytes):
        with open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(data)
    return path


def fresh_db(name):
    path = os.path.join(TMP, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------

def test_index_corpus():
    rc, out, err = index(DB, CORPUS)
    assert rc == 0, "exit %d: %s" % (rc, err)
    n = len([f for f in os.listdir(CORPUS) if f.endswith(".txt")])
    assert re.search(r"^lupe-index: %d documents, [0-9.]+ MB in [0-9.]+ s \([0-9.]+ MB/s\), 0 skipped$" % n,
                     err, re.M), "summary line: %r" % err
    assert out == "", out


def test_json_format():
    obj = search_json(DB, "Social Media Manager")
    assert obj["total"] >= 3, obj["total"]
    assert len(obj["hits"]) >= 3
    for h in obj["hits"]:
        assert h["id"].startswith(CORPUS), h["id"]
    # Every highlight is non-empty text; at least one is one of the query words
    # (compared by their first letters: stemming may shorten them).
    spans = [t for h in obj["hits"] for t in highlighted(h)]
    assert spans, "no highlights at all"
    assert all(t.strip() for t in spans), spans
    stems = ("soci", "medi", "mana")
    assert any(t.lower().startswith(stems) for t in spans), spans


def test_json_single_word_highlight():
    obj = search_json(DB, "storytelling")
    assert obj["hits"], obj
    words = [t.lower() for h in obj["hits"] for t in highlighted(h)]
    assert any(w.startswith("storytell") for w in words), words


def test_limit_offset():
    all_hits = search_json(DB, "Social Media", "--limit", "10")["hits"]
    assert len(all_hits) >= 3
    one = search_json(DB, "Social Media", "--limit", "1")["hits"]
    assert len(one) == 1 and one[0]["id"] == all_hits[0]["id"]
    rc, out, err = search(DB, "--json", "--offset", "1", "--limit", "2", "Social", "Media")
    assert rc == 0, err
    obj = json.loads(out)
    check_result(obj, "Social Media", offset=1)
    assert [h["id"] for h in obj["hits"]] == [h["id"] for h in all_hits[1:3]]
    assert search_json(DB, "Social Media", "--limit", "0")["hits"] == []


def test_totals_exact_on_small_index():
    # Issue 23: the phrase is in all five articles; the total must not depend on --limit.
    for limit in ("1", "2", "3", "4", "5", "10"):
        obj = search_json(DB, '"Social Media Manager"', "--limit", limit)
        assert (obj["total"], obj["total_exact"], obj["total_min"], obj["total_max"]) == (5, True, 5, 5), \
            (limit, obj["total"], obj["total_exact"])
    for q in ("Social NOT Stabsstelle", "Kommun*", "Social source:nope", "Manager -Stabsstelle"):
        every = search_json(DB, q, "--limit", "100")
        one = search_json(DB, q, "--limit", "1")
        assert one["total_exact"] and one["total"] == len(every["hits"]), (q, one["total"], len(every["hits"]))
    rc, out, err = search(DB, "--limit", "1", '"Social Media Manager"')
    assert rc == 0, err
    assert re.match(r"5 results \(", out), out


def test_totals_estimated_on_larger_index():
    # 2,500 documents, more matches than the matcher counts exactly: an estimate
    # with bounds that hold the true count (1,667), "about 1,6xx results" in text.
    db = fresh_db("totals-db")
    lines = ['{"id": "t%d", "text": "Fluss %s %s Abend"}' % (i, "quokka" if i % 2 == 0 else "",
                                                            "numbat" if i % 3 == 0 else "")
             for i in range(2500)]
    path = write(os.path.join(TMP, "totals.jsonl"), "\n".join(lines) + "\n")
    rc, out, err = index(db, "--jsonl", path)
    assert rc == 0, err
    truth = 1250 + 834 - 417
    assert len(search_json(db, "quokka OR numbat", "--limit", "10000")["hits"]) == truth
    obj = search_json(db, "quokka OR numbat", "--limit", "10")
    assert obj["total_min"] <= truth <= obj["total_max"], obj
    rc, out, err = search(db, "--limit", "1", "quokka OR numbat")
    assert rc == 0, err
    first = out.splitlines()[0]
    assert not obj["total_exact"], obj
    assert re.match(r"about 1,\d{3} results \(", first), first
    assert search_json(db, "numbat", "--offset", "1000", "--limit", "10")["hits"] == []


def test_snippet_shows_word_as_written():
    # Issue 22: the article says "Stabsstelle" and "Unternehmenskommunikation"
    # themselves; the snippet shows them, marked as exact, not a part elsewhere.
    for q in ("Stabsstelle", "Unternehmenskommunikation"):
        h = search_json(DB, q)["hits"][0]
        marked = highlighted(h)
        assert q in marked, (q, h["snippet"], marked)
        assert h["highlight_kinds"][marked.index(q)] == "exact", h
    h = search_json(DB, "Stelle")["hits"]
    assert any("exact" in x["highlight_kinds"] for x in h), h


def test_words_joined():
    rc, out, err = search(DB, "--json", "Social", "Media")
    assert rc == 0, err
    assert json.loads(out)["query"] == "Social Media"


def test_readable_output():
    rc, out, err = search(DB, "--limit", "2", "Storytelling")
    assert rc == 0, err
    assert re.search(r"^1\. .+  \([0-9.]+\)$", out, re.M), out
    assert "[" in out and "]" in out, "no [highlights] when not on a terminal: %r" % out
    assert "\033" not in out


def test_queries_batch():
    queries = ["Marketing", "", "Social Media", "   ", "Storytelling", "Kommunikation"]
    path = write(os.path.join(TMP, "queries.txt"), "\n".join(queries) + "\n")
    want = [q for q in queries if q.strip()]
    for source in ("file", "stdin"):
        if source == "file":
            rc, out, err = search(DB, "--json", "--queries", path)
        else:
            rc, out, err = search(DB, "--json", "--queries", "-",
                                  stdin=("\r\n".join(queries) + "\r\n").encode())
        assert rc == 0, "exit %d: %s" % (rc, err)
        lines = out.splitlines()
        assert len(lines) == len(want), (len(lines), out)
        for q, line in zip(want, lines):
            check_result(json.loads(line), q)


def test_queries_batch_error():
    path = write(os.path.join(TMP, "queries-bad.txt"), "Marketing\n\"\"\nStorytelling\n")
    rc, out, err = search(DB, "--json", "--queries", path)
    lines = out.splitlines()
    assert len(lines) == 3, out
    check_result(json.loads(lines[0]), "Marketing")
    check_result(json.loads(lines[2]), "Storytelling")
    bad = json.loads(lines[1])
    assert list(bad.keys()) == ERROR_KEYS, bad
    assert bad["query"] == '""' and isinstance(bad["error"], str) and bad["error"]
    assert bad["total"] == 0 and bad["hits"] == [] and is_float(bad["took_ms"])
    assert rc == 1, "a failed query in batch mode must give exit 1, got %d" % rc


def test_empty_query_is_error():
    for args in ([""], ["   "]):
        rc, out, err = search(DB, *args)
        assert rc == 1, "query %r: exit %d" % (args, rc)
        assert err.strip() and len(err.strip().splitlines()) == 1, err
        assert out == "", out
    rc, out, err = search(DB, "--json", "")
    assert rc == 1 and err.strip(), (rc, err)


def test_bad_arguments():
    cases = [
        [SEARCH, "--db", DB, "--bogus", "x"],
        [SEARCH, "x"],                               # no --db
        [SEARCH, "--db"],                            # no value
        [SEARCH, "--db", DB, "--limit", "-1", "x"],
        [SEARCH, "--db", DB, "--limit", "abc", "x"],
        [SEARCH, "--db", DB, "--limit", "5x", "x"],
        [SEARCH, "--db", DB, "--limit", "", "x"],
        [SEARCH, "--db", DB, "--limit", " 5", "x"],
        [SEARCH, "--db", DB, "--limit", "99999999999999999999999", "x"],
        [SEARCH, "--db", DB, "--offset", "-3", "x"],
        [SEARCH, "--db", DB, "--limit"],
        [SEARCH, "--db", DB],                        # no query
        [INDEX, "--frobnicate", "--db", DB],
        [INDEX, CORPUS],                             # no --db
        [INDEX, "--db", DB, "--batch", "0"],
        [INDEX, "--db", DB, "--batch", "-5"],
        [INDEX, "--db", DB, "--batch", "18446744073709551617"],
        [INDEX, "--db", DB, "--jsonl"],
    ]
    for args in cases:
        rc, out, err = run(args)
        assert rc == 2, "%r: exit %d, want 2" % (args[1:], rc)
        assert len(err.strip().splitlines()) == 1, "%r: stderr %r" % (args[1:], err)


def test_help():
    for prog in (INDEX, SEARCH):
        rc, out, err = run([prog, "--help"])
        assert rc == 0 and out.startswith("Usage: "), (rc, out)


def test_missing_db():
    missing = os.path.join(TMP, "no-such-db")
    rc, out, err = search(missing, "Marketing")
    assert rc == 1, rc
    assert "no-such-db" in err and len(err.strip().splitlines()) == 1, err
    assert not os.path.exists(missing), "lupe-search must not create an index"


def test_jsonl_bad_lines():
    db = fresh_db("jsonl-db")
    lines = [
        '{"id": "j1", "title": "Erster", "text": "Der Kolibri schwirrt.", "source": "test"}',
        '{"id": "j2", "title": "Kaputt", "text": ',           # 2: broken JSON
        '{"title": "Ohne Id", "text": "Pinguin"}',           # 3: missing id
        '{"id": ["x"], "text": "Pinguin"}',                  # 4: id has the wrong type
        '{"id": "j5", "title": 5, "text": "Pinguin"}',        # 5: title has the wrong type
        '[1, 2, 3]',                                         # 6: not an object
        '{"id": 42, "title": "Zahl", "text": "Der Albatros segelt."}',
        '',
        '{"id": "j9", "title": "Dritter", "text": "Ein Flamingo steht.", "date": "2021-03-04"}',
        '{"id": "j10", "text": "Pinguin"} trailing',         # 10: junk after the object
    ]
    path = write(os.path.join(TMP, "docs.jsonl"), "\n".join(lines) + "\n")
    rc, out, err = index(db, "--jsonl", path)
    assert rc == 0, "exit %d: %s" % (rc, err)
    for n in (2, 3, 4, 5, 6, 10):
        assert re.search(r"^lupe-index: %s:%d: \S" % (re.escape(path), n), err, re.M), \
            "line %d not reported: %r" % (n, err)
    for n in (1, 7, 8, 9):
        assert ":%d:" % n not in err, "good line %d reported: %r" % (n, err)
    assert "3 documents" in err and "6 skipped" in err, err
    assert [h["id"] for h in search_json(db, "Kolibri")["hits"]] == ["j1"]
    assert [h["id"] for h in search_json(db, "Albatros")["hits"]] == ["42"]
    assert [h["id"] for h in search_json(db, "Flamingo")["hits"]] == ["j9"]
    assert search_json(db, "Pinguin")["hits"] == []

    # The same from stdin, reported as <stdin>.
    rc, out, err = index(db, "--jsonl", "-", stdin="\n".join(lines).encode())
    assert rc == 0, err
    assert re.search(r"^lupe-index: <stdin>:2: ", err, re.M), err


def test_reindex_replaces():
    db = fresh_db("reindex-db")
    first = '{"id": "same", "title": "Alt", "text": "Ein Kolibri im Garten."}\n'
    second = '{"id": "same", "title": "Neu", "text": "Ein Kolibri und ein Flamingo."}\n'
    for data in (first, first, second):
        rc, out, err = index(db, "--jsonl", "-", stdin=data.encode())
        assert rc == 0, err
    obj = search_json(db, "Kolibri")
    assert obj["total"] == 1 and [h["id"] for h in obj["hits"]] == ["same"], obj
    assert obj["hits"][0]["title"] == "Neu"
    assert search_json(db, "Flamingo")["total"] == 1
    # Twice in one run, in one batch.
    rc, out, err = index(db, "--jsonl", "-", stdin=(first + second + first).encode())
    assert rc == 0, err
    obj = search_json(db, "Kolibri")
    assert obj["total"] == 1 and obj["hits"][0]["title"] == "Alt", obj
    assert search_json(db, "Flamingo")["total"] == 0


def test_json_escaping():
    db = fresh_db("escape-db")
    doc = {"id": "esc\"ape\\\n", "title": "Zeile\nZwei\t\"Zitat\"",
           "text": "Das Quokka\u0001 lacht \"laut\" \\ und\u001f leise.\r\nEnde"}
    rc, out, err = index(db, "--jsonl", "-", stdin=(json.dumps(doc) + "\n").encode())
    assert rc == 0, err
    hit = search_json(db, "Quokka")["hits"][0]
    assert hit["id"] == doc["id"] and hit["title"] == doc["title"], hit
    assert "Quokka" in highlighted(hit) or any(t.lower().startswith("quokka") for t in highlighted(hit)), hit
    rc, out, err = search(db, "Quokka")
    assert rc == 0 and "\x01" not in out and "\x1f" not in out, repr(out)
    obj = search_json(db, "Quokka \x01\x7f")  # control characters in the query survive too
    assert obj["query"] == "Quokka \x01\x7f"


def test_files_binary_empty_html():
    db = fresh_db("files-db")
    root = os.path.join(TMP, "files")
    shutil.rmtree(root, ignore_errors=True)
    write(os.path.join(root, "a.txt"), "Gartenzwerge\n\nDer Gartenzwerg bewacht den Teich.\n")
    write(os.path.join(root, "sub", "b.md"), "# Wetterbericht\n\nMorgen regnet es in Hamburg.\n")
    write(os.path.join(root, "sub", "c.html"),
          "<!DOCTYPE html><html><head><title>Grüße &amp; Co</title>"
          "<style>.geheimstil { color: red }</style>"
          "<script>var geheimskript = '<b>';</script></head>"
          "<body><p>Viele Gr&uuml;&szlig;e aus M&#252;nchen&#x21;</p><!-- geheimkommentar -->"
          "<p>Zweiter&nbsp;Absatz</p></body></html>")
    write(os.path.join(root, "skipped.dat"), "Sonnenblume\n")
    binary = write(os.path.join(root, "sub", "bin.txt"), b"Nashorn\x00\x01\x02" * 100)
    empty = write(os.path.join(root, "leer.txt"), "")
    newline = write(os.path.join(root, "zeile\numbruch.txt"), "Seepferdchen im Wasser.\n")
    named = write(os.path.join(TMP, "notiz.conf"), "Eichhörnchen sammeln Nüsse.\n")
    named_bin = write(os.path.join(TMP, "prog.bin"), bytes(range(256)) * 64)

    rc, out, err = index(db, root, named, named_bin, os.path.join(TMP, "does-not-exist.txt"))
    assert rc == 0, "exit %d: %s" % (rc, err)
    assert re.search(r"bin\.txt: binary", err), err
    assert re.search(r"prog\.bin: binary", err), err
    assert re.search(r"leer\.txt: empty", err), err
    assert "does-not-exist.txt" in err, err
    assert "\nnumbruch" not in err, "newline in a file name printed raw: %r" % err
    assert "5 documents" in err and "4 skipped" in err, err

    assert search_json(db, "Sonnenblume")["hits"] == []   # unknown extension inside a directory
    assert search_json(db, "Nashorn")["hits"] == []
    hit = search_json(db, "Gartenzwerg")["hits"][0]
    assert hit["id"] == os.path.join(root, "a.txt") and hit["title"] == "Gartenzwerge", hit
    hit = search_json(db, "Hamburg")["hits"][0]
    assert hit["title"] == "Wetterbericht", hit
    hit = search_json(db, "München")["hits"][0]
    assert hit["title"] == "Grüße & Co", hit
    assert hit["id"] == os.path.join(root, "sub", "c.html")
    assert "München!" in hit["snippet"], hit
    for word in ("geheimstil", "geheimskript", "geheimkommentar", "DOCTYPE"):
        assert search_json(db, word)["hits"] == [], word
    hit = search_json(db, "Seepferdchen")["hits"][0]
    assert hit["id"] == newline, hit
    hit = search_json(db, "Eichhörnchen")["hits"][0]
    assert hit["id"] == named and hit["title"] == "Eichhörnchen sammeln Nüsse.", hit


def test_latin1_file():
    db = fresh_db("latin1-db")
    path = write(os.path.join(TMP, "latin1", "alt.txt"), "Größere Käsebrötchen für Jürgen\n".encode("cp1252"))
    rc, out, err = index(db, path)
    assert rc == 0, err
    hit = search_json(db, "Käsebrötchen")["hits"][0]
    assert hit["title"] == "Größere Käsebrötchen für Jürgen", hit


def test_batch_commits():
    db = fresh_db("batch-db")
    docs = "".join('{"id": "d%d", "text": "Igel Nummer %d"}\n' % (i, i) for i in range(25))
    rc, out, err = index(db, "--batch", "7", "--jsonl", "-", stdin=docs.encode())
    assert rc == 0, err
    assert search_json(db, "Igel", "--limit", "100")["total"] == 25


def test_interrupt_discards_partial_batch():
    db = fresh_db("interrupt-db")
    rc, out, err = index(db, "--jsonl", "-", stdin=b'{"id": "keep", "text": "Walross"}\n')
    assert rc == 0, err
    p = subprocess.Popen([INDEX, "--db", db, "--jsonl", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(b'{"id": "lost", "text": "Seekuh"}\n')
    p.stdin.flush()
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    p.stdin.close()
    assert p.returncode == 128 + signal.SIGINT, (p.returncode, err)
    assert b"interrupted" in err, err
    assert search_json(db, "Seekuh")["total"] == 0, "the uncommitted document was kept"
    assert search_json(db, "Walross")["total"] == 1


TESTS = [v for k, v in list(globals().items()) if k.startswith("test_") and callable(v)]


def main():
    for prog in (INDEX, SEARCH):
        if not os.access(prog, os.X_OK):
            print("missing program %s (set LUPE_BUILD_ROOT)" % prog)
            print("0 passed, 1 failed")
            return 1
    passed = failed = 0
    try:
        for t in TESTS:
            try:
                t()
            except Exception:
                failed += 1
                print("FAIL %s" % t.__name__)
                traceback.print_exc(file=sys.stdout)
            else:
                passed += 1
                print("ok   %s" % t.__name__)
            sys.stdout.flush()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
