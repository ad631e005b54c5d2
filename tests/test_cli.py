#!/usr/bin/env python3
"""End-to-end tests of the example programs lupe-index and lupe-search.

Run with pytest (`meson test cli`, or `python3 -m pytest tests/test_cli.py` from the
repository root).  Environment (set by `meson test`):
  LUPE_SOURCE_ROOT  the source tree (for data/corpus)
  LUPE_BUILD_ROOT   the build tree (for examples/lupe-index, examples/lupe-search)
"""

import atexit
import json
import os
import re
import shutil
import select
import signal
import subprocess
import sys
import tempfile
import time

SOURCE_ROOT = os.environ.get("LUPE_SOURCE_ROOT",
                             os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_ROOT = os.environ.get("LUPE_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
INDEX = os.path.join(BUILD_ROOT, "examples", "lupe-index")
SEARCH = os.path.join(BUILD_ROOT, "examples", "lupe-search")
CORPUS = os.path.join(SOURCE_ROOT, "data", "corpus")

import pytest

TMP = tempfile.mkdtemp(prefix="lupe-test-cli-")
atexit.register(shutil.rmtree, TMP, True)
DB = os.path.join(TMP, "corpus-db")

HIT_KEYS = ["rank", "id", "title", "score", "snippet", "highlights", "highlight_kinds", "path", "date",
            "source"]
RESULT_KEYS = ["query", "total", "total_exact", "total_min", "total_max", "took_ms", "partial", "suggestion",
               "hits"]
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

_corpus_run = []


@pytest.fixture(autouse=True, scope="module")
def corpus_db():
    """The bundled corpus indexed once into DB, before the first test (most tests search it)."""
    _corpus_run.append(index(DB, CORPUS))


def test_index_corpus():
    rc, out, err = _corpus_run[0]
    assert rc == 0, "exit %d: %s" % (rc, err)
    n = len([f for f in os.listdir(CORPUS) if f.endswith(".txt")])
    assert re.search(r"^lupe-index: %d files: %d added, 0 updated, 0 unchanged, 0 deleted, 0 skipped; "
                     r"[0-9.]+ MB read in [0-9.]+ s$" % (n, n), err, re.M), "summary line: %r" % err
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
    # Offsets past 32 bits are past every document, not a wrap to page 1 (issue 17, point 10).
    for off in ("4294967296", "4294967297", "18446744073709551615"):
        rc, out, err = search(DB, "--json", "--offset", off, "Social", "Media")
        if rc == 0:
            assert json.loads(out)["hits"] == [], (off, out)
        else:
            assert rc == 2 and "--offset" in err, (off, rc, err)


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
    # The text between escapes comes out whole (written in runs), in JSON and as plain text.
    assert 'lacht "laut" \\ und' in hit["snippet"], hit["snippet"]
    # An invalid byte of a query becomes U+FFFD, the bytes around it stay.
    rc, out, err = run([SEARCH, "--db", db, "--json", "--", b"Quo\xffkka \xc3\xa4x"])
    assert rc == 0, err
    assert json.loads(out)["query"] == "Quo\ufffdkka \u00e4x", out
    # C1 controls (a terminal's CSI) and DEL become spaces in plain text; the words stay.
    doc = {"id": "c1", "title": "Steuer\u009b2J\u007fzeichen", "text": "Wombat\u0085Zeile \u009bmitte\u009b"}
    rc, out, err = index(db, "--jsonl", "-", stdin=(json.dumps(doc) + "\n").encode())
    assert rc == 0, err
    rc, out, err = search(db, "Wombat")
    assert rc == 0 and "Steuer 2J zeichen" in out, repr(out)
    assert not any(c in out for c in "\u009b\u0085\x7f"), repr(out)
    assert "Wombat Zeile  mitte " in out or "[Wombat] Zeile  mitte " in out, repr(out)


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

    # A PATH that does not exist: an error, and nothing created.
    rc, out, err = index(db, root, named, os.path.join(TMP, "does-not-exist.txt"))
    assert rc == 1 and "does-not-exist.txt" in err, (rc, err)
    assert not os.path.exists(db), "index created for a failed run"

    rc, out, err = index(db, root, named, named_bin)
    assert rc == 0, "exit %d: %s" % (rc, err)
    assert re.search(r"bin\.txt: binary", err), err
    assert re.search(r"prog\.bin: binary", err), err
    assert re.search(r"leer\.txt: empty", err), err
    assert "\nnumbruch" not in err, "newline in a file name printed raw: %r" % err
    assert "5 added" in err and "3 skipped" in err, err

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


def test_sync_cli():
    """Ids across spellings, re-syncs, --delete, --prune, --version, --include/--exclude."""
    db = fresh_db("sync-db")
    root = os.path.join(TMP, "sync")
    shutil.rmtree(root, ignore_errors=True)
    write(os.path.join(root, "k1", "a.txt"), "Ein Kolibri im Garten.\n")
    write(os.path.join(root, "k1", "b.html"), "<title>Die &Scaron;koda-Seite</title><p>Ein Okapi.</p>")
    write(os.path.join(root, "k1", "c.conf"), "Ein Gnu.\n")
    write(os.path.join(root, "k1", ".gitignore"), "skip/\n")
    write(os.path.join(root, "k1", "skip", "d.txt"), "Ein Gnu im Ordner skip.\n")
    for spelling in ("k1", "./k1", os.path.join(root, "k1") + "/"):
        p = subprocess.run([INDEX, "--db", db, spelling], cwd=root, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        assert p.returncode == 0, p.stderr
    assert "0 added, 0 updated, 2 unchanged" in p.stderr.decode(), p.stderr
    assert search_json(db, "Kolibri")["total"] == 1
    hit = search_json(db, "Škoda")["hits"][0]
    assert hit["title"] == "Die Škoda-Seite" and hit["id"] == os.path.join(root, "k1", "b.html"), hit
    assert search_json(db, "Gnu")["total"] == 0
    rc, out, err = index(db, "-g", "*.conf", "-g", "*.txt", "--exclude", "a.txt", os.path.join(root, "k1"))
    assert rc == 0, err
    assert "1 added" in err and "2 deleted" in err, err   # c.conf in; a.txt, b.html out
    assert search_json(db, "Gnu")["total"] == 1 and search_json(db, "Kolibri")["total"] == 0
    # --delete
    gnu = os.path.join(root, "k1", "c.conf")
    rc, out, err = index(db, "--delete", gnu)
    assert rc == 0, err
    assert search_json(db, "Gnu")["total"] == 0
    rc, out, err = index(db, "--delete", gnu)
    assert rc == 1 and "no such document" in err, (rc, err)
    nodb = fresh_db("sync-nodb")
    for args in (["--delete", gnu], ["--prune"]):
        rc, out, err = index(nodb, *args)
        assert rc == 1 and "no such index" in err and not os.path.exists(nodb), (args, rc, err)
    # --prune: files gone, wherever they were synced from
    rc, out, err = index(db, os.path.join(root, "k1"))
    assert rc == 0 and search_json(db, "Kolibri")["total"] == 1, err
    os.unlink(os.path.join(root, "k1", "a.txt"))
    rc, out, err = index(db, "--prune")
    assert rc == 0 and "1 deleted" in err, err
    assert search_json(db, "Kolibri")["total"] == 0
    for prog in (INDEX, SEARCH):
        rc, out, err = run([prog, "--version"])
        assert rc == 0 and re.match(r"^lupe-\w+ \d+\.\d+\.\d+", out), (prog, out, err)


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
    p = subprocess.Popen([INDEX, "--db", db, "--verbose", "--jsonl", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(b'{"id": "lost", "text": "Seekuh"}\n')
    p.stdin.flush()
    # Wait for the event, not for a while: --verbose names the document once it is added.
    ready, _, _ = select.select([p.stderr], [], [], 60)
    assert ready, "lupe-index did not report the document within 60 s"
    first = p.stderr.readline()
    assert b"lost: added" in first, first
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    p.stdin.close()
    assert p.returncode == 128 + signal.SIGINT, (p.returncode, first + err)
    assert b"interrupted" in err, err
    assert search_json(db, "Seekuh")["total"] == 0, "the uncommitted document was kept"
    assert search_json(db, "Walross")["total"] == 1


def test_typo_tolerance_and_exact():
    # On by default: the misspelt word finds what the word finds, and the text
    # output names the corrected query; --exact searches the word as typed only.
    rc, out, err = search(DB, "--limit", "1", "Kommunikaton")
    assert rc == 0, err
    assert re.search(r"^Meinten Sie: Kommunikation$", out, re.M), out
    assert re.search(r"^1\. ", out, re.M), out
    rc, out, err = search(DB, "--exact", "--limit", "1", "Kommunikaton")
    assert rc == 0, err
    assert out.startswith("0 results"), out
    assert re.search(r"^Meinten Sie: Kommunikation$", out, re.M), out
    obj = search_json(DB, "Kommunikaton")
    assert obj["suggestion"] == "Kommunikation" and obj["hits"], obj


TESTS = [v for k, v in list(globals().items()) if k.startswith("test_") and callable(v)]
def run_tty(args, env_extra):
    """Run with stdout on a pseudo-terminal; returns (exit status, output bytes)."""
    import pty
    master, slave = pty.openpty()
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm"
    env.update(env_extra)
    p = subprocess.Popen(args, stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            b = os.read(master, 4096)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
    os.close(master)
    return p.wait(timeout=60), b"".join(chunks)


def test_search_text_features():
    """--color and NO_COLOR/TERM, --html once, explain/facets/suggestion and JSON path/date/source."""
    db = fresh_db("feat-db")
    root = os.path.join(TMP, "feat")
    shutil.rmtree(root, ignore_errors=True)
    a = write(os.path.join(root, "a.txt"), "Kommunikation ist alles.\n\nDie Kommunikation im Team.\n")
    rc, out, err = index(db, root)
    assert rc == 0, err
    bold = b"\033[1m"
    for env, args, want in (({}, [], True), ({"NO_COLOR": "1"}, [], False), ({"TERM": "dumb"}, [], False),
                            ({}, ["--color=never"], False), ({"NO_COLOR": "1"}, ["--color=always"], True)):
        rc, out = run_tty([SEARCH, "--db", db] + args + ["Kommunikation"], env)
        assert rc == 0, out
        assert (bold in out) == want, (env, args, out)
    rc, out, err = search(db, "--color=sometimes", "x")
    assert rc == 2, (rc, err)
    rc, out, err = search(db, "--html", "Kommunikation")
    assert rc == 0 and "<mark>Kommunikation</mark>" in out and "[<mark>" not in out, out
    rc, out, err = search(db, "--explain", "--facet", "source", "--facet", "year", "Kommunikation")
    assert rc == 0, err
    assert re.search(r"^   explain: \S", out, re.M), out
    assert re.search(r"^source: files \(1\)$", out, re.M), out
    assert re.search(r"^year: \d{4} \(1\)$", out, re.M), out
    assert re.search(r"^   date: \d{4}-\d\d-\d\dT", out, re.M), out
    rc, out, err = search(db, "Kommunkation")
    assert rc == 0 and re.search(r"^Meinten Sie: Kommunikation$", out, re.M), out
    hit = search_json(db, "Kommunikation")["hits"][0]
    assert hit["path"] == a and hit["source"] == "files" and re.match(r"\d{4}-\d\d-\d\dT", hit["date"]), hit


def test_watch():
    """--watch: the initial sync, then a new file (in a new folder) and a deletion, by events."""
    import queue
    import threading
    db = fresh_db("watch-db")
    root = os.path.join(TMP, "watch")
    shutil.rmtree(root, ignore_errors=True)
    first = write(os.path.join(root, "a.txt"), "Ein Uhu im Turm.\n")
    p = subprocess.Popen([INDEX, "--db", db, "-v", "--watch", root], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    lines = queue.Queue()

    def reader():
        for line in p.stderr:
            lines.put(line.decode("utf-8", "replace"))
        lines.put(None)
    threading.Thread(target=reader, daemon=True).start()
    seen = []

    def wait_for(text):
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                line = lines.get(timeout=deadline - time.time())
            except queue.Empty:
                break
            if line is None:
                break
            seen.append(line)
            if text in line:
                return
        raise AssertionError("no %r in %r" % (text, seen))
    try:
        wait_for("watching")
        assert search_json(db, "Uhu")["total"] == 1
        new = write(os.path.join(root, "neu", "tief", "b.txt"), "Ein Biber baut.\n")
        wait_for(new + ": added")
        wait_for("synced: ")
        assert search_json(db, "Biber")["total"] == 1
        os.unlink(first)
        wait_for(first + ": deleted")
        wait_for("synced: ")
        assert search_json(db, "Uhu")["total"] == 0
    finally:
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=60)
    assert rc == 0, (rc, seen)


def test_check():
    """lupe-index --check: a healthy index passes, a damaged one is named and exits 1, nothing changes."""
    db = fresh_db("check")
    rc, out, err = index(db, CORPUS)
    assert rc == 0, err
    # libxapian 1.4.22's Database::check() deletes through a base of another
    # size: ASan's new_delete_type_mismatch, not lupe's (as for test_durability).
    asan = os.environ.get("ASAN_OPTIONS", "")
    os.environ["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "new_delete_type_mismatch=0"
    try:
        _check_runs(db)
    finally:
        if asan:
            os.environ["ASAN_OPTIONS"] = asan
        else:
            del os.environ["ASAN_OPTIONS"]


def _check_runs(db):
    rc, out, err = index(db, "--check")
    assert rc == 0 and "no errors found" in err, (rc, err)
    table = os.path.join(db, "postlist.glass")
    with open(table, "r+b") as f:
        f.seek(9000)
        block = bytearray(f.read(400))
        f.seek(9000)
        f.write(bytes(b ^ 0xFF for b in block))
    with open(table, "rb") as f:
        damaged = f.read()
    rc, out, err = index(db, "--check")
    assert rc == 1 and "corrupt" in err and "no errors" not in err, (rc, err)
    with open(table, "rb") as f:
        assert f.read() == damaged, "--check changed the index"
    rc, out, err = index(db, "--check", CORPUS)
    assert rc == 2, (rc, err)


def test_looping_lookup_is_given_up():
    """A damaged index whose B-tree lookup loops inside Xapian: lupe-search gives
    the search up at --time-budget and as much again, says the index may be
    damaged and exits 1; it never hangs or crashes.

    A postlist block header whose DIR_END (bytes 9-10) is 0x00 or 0x80 makes
    some lookups loop for good.  Each block of the corpus index is damaged
    that way in turn, a few queries each, until one loops; the test skips
    when none does (the layout of another version's index)."""
    base = fresh_db("loop")
    rc, out, err = index(base, CORPUS)
    assert rc == 0, err
    table = os.path.join(base, "postlist.glass")
    blocks = os.path.getsize(table) // 8192
    looped = []
    for block in range(blocks):
        for byte in (10, 9):
            for value in (0x80, 0x00):
                db = os.path.join(TMP, "loop-damaged")
                shutil.rmtree(db, ignore_errors=True)
                shutil.copytree(base, db)
                with open(os.path.join(db, "postlist.glass"), "r+b") as f:
                    f.seek(block * 8192 + byte)
                    if f.read(1)[0] == value:
                        continue
                    f.seek(block * 8192 + byte)
                    f.write(bytes([value]))
                for query in ("Mitarbeiter", "Arbeit Zeit", "Medien", "Ende"):
                    t0 = time.monotonic()
                    # A hang fails here (subprocess.TimeoutExpired).
                    rc, out, err = search(db, "--time-budget", "200", "--", query)
                    took = time.monotonic() - t0
                    assert rc in (0, 1), "block %d byte %d = %#x, %r: exit %d: %s" % (
                        block, byte, value, query, rc, err)
                    if "no answer after 400 ms (its time budget is 200 ms)" in err:
                        assert rc == 1 and "may be damaged" in err and "lupe-index --check" in err, err
                        assert took < 10, took
                        looped.append((block, byte, value, query))
                        break
                if looped:
                    break
            if looped:
                break
        if looped:
            break
    if not looped:
        pytest.skip("no damaged block of this index makes a lookup loop")
    # The batch JSON form (a blank line, skipped, then the query): the search that never
    # returned gets its error line on stdout too, so a program reading the lines learns why
    # they stop; the message goes to stderr as well.
    block, byte, value, query = looped[0]
    qfile = os.path.join(TMP, "loop-queries")
    with open(qfile, "w") as f:
        f.write("\n" + query + "\n")
    rc, out, err = search(db, "--time-budget", "200", "--json", "--queries", qfile)
    assert rc == 1, (rc, out, err)
    lines = out.splitlines()
    assert len(lines) == 1, out
    obj = json.loads(lines[0])
    assert obj["query"] == query and obj["hits"] == [] and obj["total"] == 0, obj
    assert obj["error"].startswith("search: no answer after 400 ms (its time budget is 200 ms)"), obj
    assert "may be damaged" in obj["error"] and obj["took_ms"] == 400, obj
    assert ("%s: %s" % (query, obj["error"])) in err, err


def delve_documents(db):
    """Every document of db by its id term: its terms with wdf, values and record (bytes), via xapian-delve."""
    rc, out, err = run(["xapian-delve", db])
    assert rc == 0, err
    n = int(re.search(r"^number of documents = (\d+)$", out, re.M).group(1))
    docs = {}
    for did in range(1, n + 1):
        p = subprocess.run(["xapian-delve", "-v", "-1", "-d", "-V", "-r", str(did), db], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        assert p.returncode == 0, p.stderr
        # The id term, from the term list only: the record and the values before it are
        # bytes, where a line may start with "Q" too (a zstd frame did, once in CI).
        head, sep, terms = p.stdout.partition(b"\nTerm List for record #")
        assert sep, p.stdout
        ids = [line for line in terms.split(b"\n")[1:] if line.startswith(b"Q")]
        assert len(ids) == 1, p.stdout
        # The record number is the one thing allowed to differ.
        docs[ids[0]] = re.sub(rb"(for record #)%d\b" % did, rb"\1N", p.stdout)
    return docs


def test_folder_bulk_load():
    """A folder into a new index is loaded in bulk: the same documents, terms, values,
    records and sync signatures as writing directly (--no-bulk)."""
    if not shutil.which("xapian-delve"):
        pytest.skip("xapian-delve (xapian-tools) not installed")
    root = os.path.join(TMP, "bulkdir")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(CORPUS, os.path.join(root, "corpus"))
    for i in range(40):  # enough files that every part gets some
        write(os.path.join(root, "extra", "n%02d.txt" % i),
              "Notiz %d\n\nDie Nummer %d über Gartenarbeit und Hausbau, Version %d.%d.\n" % (i, i, i, i * 7))
    dbs = {}
    for mode, extra in (("bulk", []), ("direct", ["--no-bulk"])):
        db = fresh_db("bulk-" + mode)
        rc, out, err = index(db, *extra, root)
        assert rc == 0, err
        assert not [f for f in os.listdir(TMP) if ".lupe-bulk-" in f], os.listdir(TMP)
        # The sync's signatures survive the merge: nothing to do the second time.
        rc, out, err = index(db, root)
        assert rc == 0, err
        assert "0 added, 0 updated, 45 unchanged" in err, err
        dbs[mode] = delve_documents(db)
    assert len(dbs["bulk"]) == 45
    assert dbs["bulk"] == dbs["direct"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__] + sys.argv[1:]))
