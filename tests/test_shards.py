#!/usr/bin/env python3
"""Sharded indexes over real xapian-tcpsrv processes on 127.0.0.1.

The same documents go into three remote shards and into one local index;
queries must give the same top 10 from both.  Then one server is stopped
(the query fails naming it, or with --partial answers from the others) and
one is frozen with SIGSTOP (the same, within the timeout).  Every server is
stopped at the end, whatever happened.

The documents are the paragraphs of the bundled articles (data/corpus), so
the test needs nothing beside the clone; LUPE_NEWS_CSV (the 10kGNAD test
CSV) adds news articles when set.  Run with pytest (`meson test shards`);
without xapian-tcpsrv every test is skipped (exit 77 for meson).
"""
import csv
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

SRC = os.environ.get("LUPE_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("LUPE_BUILD_ROOT", os.path.join(SRC, "build"))
INDEX = os.path.join(BUILD, "examples", "lupe-index")
SEARCH = os.path.join(BUILD, "examples", "lupe-search")
SHARDS_SH = os.path.join(SRC, "scripts", "shards.sh")
NEWS = os.environ.get("LUPE_NEWS_CSV", "")
TIMEOUT_S = 5.0  # lupe_open_options.timeout_ms default
N_QUERIES = 50

servers = []  # Popen objects, each the leader of its own process group


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def start_server(path, port, writable=True):
    os.makedirs(path, exist_ok=True)
    log = open(path + ".log", "wb")
    # A session of its own: xapian-tcpsrv signals its whole process group on SIGTERM.
    p = subprocess.Popen(["xapian-tcpsrv"] + (["--writable"] if writable else []) +
                         ["--interface", "127.0.0.1", "--port", str(port), path],
                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    servers.append(p)
    # Wait for this server's own "Listening...": a connection alone may reach
    # another process that took the port after free_ports() let it go (a test
    # suite or benchmark running beside this one), and then the test would
    # talk to the wrong server.
    deadline = time.time() + 10
    said = b""
    while time.time() < deadline:
        with open(path + ".log", "rb") as f:
            said = f.read()
        if b"Listening..." in said:
            return p
        if p.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("xapian-tcpsrv on port %d did not start: %s" % (port, said.decode(errors="replace")))


def stop_server(p):
    for sig in (signal.SIGCONT, signal.SIGTERM):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=5)


def run(args, stdin=None, timeout=300):
    t0 = time.monotonic()
    p = subprocess.run(args, input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode(), time.monotonic() - t0


def documents():
    docs = []
    corpus = os.path.join(SRC, "data", "corpus")
    paragraphs = []
    for name in sorted(os.listdir(corpus)):
        if name.endswith(".txt"):
            with open(os.path.join(corpus, name), encoding="utf-8") as f:
                text = f.read()
            docs.append({"id": "seed/" + name, "text": text})
            paragraphs += [{"id": "para/%s/%d" % (name, i), "text": p}
                           for i, p in enumerate(text.split("\n\n")) if len(p) > 80]
    news = []
    if NEWS and os.path.exists(NEWS):
        with open(NEWS, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.reader(f, delimiter=";", quotechar="'")):
                if len(row) >= 2 and row[1].strip():
                    news.append({"id": "news/%04d" % i, "source": row[0], "text": row[1]})
    news = news or paragraphs
    return docs + news, news


def make_queries(docs, n):
    """German words and two-word phrases drawn deterministically from the texts."""
    rng = random.Random(1028)
    queries = []
    while len(queries) < n:
        words = re.findall(r"[A-Za-zÄÖÜäöüß]{5,}", rng.choice(docs)["text"])
        if len(words) < 3:
            continue
        i = rng.randrange(len(words) - 1)
        queries.append(words[i] if len(queries) % 3 else '"%s %s"' % (words[i], words[i + 1]))
    return queries


def search_batch(db, queries, *extra):
    rc, out, err, took = run([SEARCH, "--db", db, "--json", "--queries", "-"] + list(extra),
                             stdin="\n".join(queries).encode())
    assert rc == 0, err
    return [json.loads(line) for line in out.splitlines()], took


def same_ranking(a, b):
    """Same ids in the same order; scores equal to rounding.

    Hits of equal score may come in either order: Xapian orders ties by
    document number, which depends on how the index was loaded (shards
    interleave their numbers, a bulk load numbers part after part).  A tie
    at the end of a full page may show different members of the tie.
    """
    ha, hb = a["hits"], b["hits"]

    def close(x, y):
        return abs(x - y) <= 1e-9 * max(1.0, abs(x))
    if len(ha) != len(hb) or not all(close(x["score"], y["score"]) for x, y in zip(ha, hb)):
        return False
    i = 0
    while i < len(ha):
        j = i
        while j + 1 < len(ha) and close(ha[j + 1]["score"], ha[i]["score"]):
            j += 1
        cut = j + 1 == len(ha) and len(ha) == 10
        if not cut and {h["id"] for h in ha[i:j + 1]} != {h["id"] for h in hb[i:j + 1]}:
            return False
        i = j + 1
    return True


class Ctx:
    pass


def test_rankings_match(c):
    res_s, ts = search_batch(c.list, c.queries)
    res_l, tl = search_batch(c.local, c.queries)
    assert len(res_s) == len(res_l) == len(c.queries)
    same = sum(1 for a, b in zip(res_s, res_l) if same_ranking(a, b))
    print("  %d of %d queries: same top 10 (sharded %.2f s, single %.2f s for all)" % (same, len(c.queries), ts, tl))
    bad = [(q, [h["id"] for h in a["hits"]], [h["id"] for h in b["hits"]])
           for q, a, b in zip(c.queries, res_s, res_l) if not same_ranking(a, b)]
    assert not bad, bad[:3]
    assert all(not r["partial"] for r in res_s)
    assert sum(r["total"] for r in res_s) > 0


# Typos over remote shards: the one-edit variants a remote reader makes are
# pruned by the term list it keeps for the word's first two letters, as a
# local index's are by a walk of its terms.  Each row is corrected only through
# one variant (the stems of typo and word are further apart than the scan of
# the stem's neighbours reaches), so a remote pruning that drops a variant the
# local one keeps loses the row's hits and its suggestion.  Row: query, the
# edit that corrects it.
TYPO_ROWS = [
    ("Mnschen", "an inserted second letter (what follows the first letter alone is not in a list)"),
    ("Abteilng", "an inserted letter cut off with the ending (-ung: abteil is a term)"),
    ("Umsetzng", "an inserted letter cut off with the ending (umsetz is a term)"),
    ("Strategje", "a replaced letter near the end (the list says what follows 'strateg')"),
    ("Experen", "an inserted letter inside the ending"),
    ("Implementirung", "an inserted letter before a stem ending"),
]


def sharded_and_local(c, rows):
    """Each row (query first) with its results over the shards and on the one local index."""
    queries = [r[0] for r in rows]
    res_s, _ = search_batch(c.list, queries)
    res_l, _ = search_batch(c.local, queries)
    return zip(rows, res_s, res_l)


def test_typo_rows_match(c):
    for (q, why), a, b in sharded_and_local(c, TYPO_ROWS):
        assert b["total"] > 0 and b["suggestion"], (q, "the row corrects nothing locally", b["suggestion"])
        assert same_ranking(a, b), (q, why, [h["id"] for h in a["hits"]], [h["id"] for h in b["hits"]])
        assert a["suggestion"] == b["suggestion"], (q, why, a["suggestion"], b["suggestion"])


# Compounds the query's words join to (query/build.c, join_pair): the index
# is asked for each candidate's frequency, which a remote reader answers from
# the term lists it keeps (lx_termfreq); a wrong 0 drops the compound's tier
# and the hits' scores differ from one index's.  Row: query, the joined term.
JOIN_ROWS = [
    ("Kommunikation Berater", "kommunikationsberat"),
    ("Kommunikation-Berater", "kommunikationsberat"),
    ("Kommunikations-Berater", "kommunikationsberat"),
]


def test_joins_match(c):
    for (q, term), a, b in sharded_and_local(c, JOIN_ROWS):
        assert b["total"] > 0, (q, "finds nothing locally")
        assert same_ranking(a, b), (q, term, [(h["id"], h["score"]) for h in a["hits"]],
                                    [(h["id"], h["score"]) for h in b["hits"]])


def test_replace_reaches_same_shard(c):
    # Adding the seeds again replaces them: the count of a seed word is unchanged.
    before = search_batch(c.list, ["Social"])[0][0]["total"]
    rc, out, err, _ = run([INDEX, "--db", c.list, "--jsonl", "-"],
                          stdin=b"".join(json.dumps(d).encode() + b"\n" for d in c.docs[:5]))
    assert rc == 0, err
    after = search_batch(c.list, ["Social"])[0][0]["total"]
    assert before == after, (before, after)


def test_split_matches(c):
    out = os.path.join(c.tmp, "split")
    rc, so, err, _ = run(["sh", SHARDS_SH, "split", c.local, "3", out])
    assert rc == 0, err
    lst = os.path.join(out, "shards.txt")
    res_s, _ = search_batch(lst, c.queries[:20])
    res_l, _ = search_batch(c.local, c.queries[:20])
    assert all(same_ranking(a, b) for a, b in zip(res_s, res_l))
    # The split used the library's hash: re-adding documents replaces them.
    before = search_batch(lst, ["Social"])[0][0]["total"]
    rc, _, err, _ = run([INDEX, "--db", lst, "--jsonl", "-"],
                        stdin=b"".join(json.dumps(d).encode() + b"\n" for d in c.docs[:5]))
    assert rc == 0, err
    assert search_batch(lst, ["Social"])[0][0]["total"] == before


# A reader's caches (term lists by prefix, kept across searches) against a
# commit: each row is searched by one long-lived lupe-search before and after
# a document holding the corrected word is committed to the shards.  The
# first is found among one-edit variants, the second (two edits) by the scan
# of the stem's neighbours; both read the "wi" term list the reader keeps.
FRESH_ROWS = [("Wirbelstrum", "fresh/sturm"), ("Wirbelsztrum", "fresh/sturm")]
# The records a reader keeps (the page's stored data, by document) against a
# commit that replaces a document it showed: the replacement keeps its
# document number, so only the revision tells the kept record is old.  Row:
# query, id, a word only the new text holds.
REPLACED_ROWS = [("Wirbelsturm", "fresh/sturm", "Gebirge")]


def test_reader_sees_commit(c):
    out = os.path.join(c.tmp, "fresh")
    rc, _, err, _ = run(["sh", SHARDS_SH, "split", c.local, "3", out])
    assert rc == 0, err
    ports = free_ports(3)
    srv = [start_server(os.path.join(out, "shard%d" % k), p, writable=False) for k, p in enumerate(ports)]
    tcp = os.path.join(out, "tcp.txt")
    with open(tcp, "w") as f:
        f.write("".join("tcp://127.0.0.1:%d\n" % p for p in ports))
    reader = subprocess.Popen([SEARCH, "--db", tcp, "--json", "--queries", "-"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def hits(q):
        reader.stdin.write((q + "\n").encode())
        reader.stdin.flush()
        line = reader.stdout.readline()  # waits for the answer
        assert line, reader.stderr.read()
        return json.loads(line)["hits"]

    def ask(q):
        return [h["id"] for h in hits(q)]

    def commit(doc):
        rc, _, err, _ = run([INDEX, "--db", os.path.join(out, "shards.txt"), "--jsonl", "-"],
                            stdin=json.dumps(doc).encode() + b"\n")
        assert rc == 0, err
    try:
        for q, want in FRESH_ROWS:
            assert want not in ask(q), q
        commit({"id": "fresh/sturm", "text": "Ein Wirbelsturm zieht über die Küste."})
        for q, want in FRESH_ROWS:
            assert want in ask(q), (q, "a reader missed a committed document")
        for q, id_, word in REPLACED_ROWS:
            shown = [h["snippet"] for h in hits(q) if h["id"] == id_]
            assert shown and word not in shown[0], (q, shown)
            commit({"id": id_, "text": "Ein Wirbelsturm zieht über das %s." % word})
            shown = [h["snippet"] for h in hits(q) if h["id"] == id_]
            assert shown and word in shown[0], (q, shown, "a reader showed a record older than a commit")
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
        for p in srv:
            stop_server(p)


class FreshReader:
    """A fresh split of the index served read-only, one long-lived lupe-search reading it (its
    caches kept across searches) and a writer committing to it through --writable servers."""

    def __init__(self, c, name):
        self.out = os.path.join(c.tmp, name)
        rc, _, err, _ = run(["sh", SHARDS_SH, "split", c.local, "3", self.out])
        assert rc == 0, err
        ports = free_ports(3)
        self.srv = [start_server(os.path.join(self.out, "shard%d" % k), p, writable=False)
                    for k, p in enumerate(ports)]
        self.tcp = tcp = os.path.join(self.out, "tcp.txt")
        with open(tcp, "w") as f:
            f.write("".join("tcp://127.0.0.1:%d\n" % p for p in ports))
        self.reader = subprocess.Popen([SEARCH, "--db", tcp, "--json", "--queries", "-"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def search(self, q):
        self.reader.stdin.write((q + "\n").encode())
        self.reader.stdin.flush()
        line = self.reader.stdout.readline()  # waits for the answer
        assert line, self.reader.stderr.read()
        return json.loads(line)

    def answer(self, q):
        """What the long-lived reader answers and what a reader opened now answers."""
        def what(r):
            return r["total"], r["suggestion"], [(h["id"], h["score"]) for h in r["hits"]]
        return what(self.search(q)), what(search_batch(self.tcp, [q])[0][0])

    def commit(self, doc):
        rc, _, err, _ = run([INDEX, "--db", os.path.join(self.out, "shards.txt"), "--jsonl", "-"],
                            stdin=json.dumps(doc).encode() + b"\n")
        assert rc == 0, err

    def close(self):
        self.reader.stdin.close()
        self.reader.wait(timeout=30)
        for p in self.srv:
            stop_server(p)


def test_reader_sees_commit_in_frequencies(c):
    # The document frequencies a reader keeps of a query's words: a word
    # the index lacks is searched as its corrections too ("Kommunkation" as
    # "kommunikation"), so a kept 0 would still add them after a commit
    # adds the word as written.  Asked twice before, as a repeated word is.
    r = FreshReader(c, "fresh-freqs")
    try:
        for _ in range(2):
            kept, fresh = r.answer("Kommunkation")
            assert kept == fresh and fresh[1], (kept, fresh)
        r.commit({"id": "fresh/kommunkation", "text": "Die Kommunkation (so geschrieben) stockt."})
        kept, fresh = r.answer("Kommunkation")
        assert fresh[0] == 1 and not fresh[1], fresh
        assert kept == fresh, (kept, fresh, "a reader kept a frequency older than a commit")
    finally:
        r.close()


# A reader answers the frequencies of a query's words and of a compound's
# back-off candidates from the term lists it keeps by two-byte prefix (read
# from each shard's lexicon), not in an OR query.  Rows: query, the document
# a commit adds, what the reader must then see through its lists.
LIST_ROWS = [
    ("Abteilng", {"id": "fresh/abteilng", "text": "Die Abteilng (so im Brief) antwortet."},
     "the word itself, held once next to a frequent neighbour (the 'ab' list)"),
    ("Wüstenfuchsbau", {"id": "fresh/fuchsbau", "text": "Ein Fuchsbau unter der Düne."},
     "a back-off candidate, fuchsbau (the 'fu' list: the word's variants read only 'wu')"),
]


def test_reader_sees_commit_in_lists(c):
    r = FreshReader(c, "fresh-lists")
    try:
        for q, doc, why in LIST_ROWS:
            for _ in range(2):
                kept, fresh = r.answer(q)
                assert kept == fresh and doc["id"] not in [h[0] for h in fresh[2]], (q, why, kept, fresh)
            r.commit(doc)
            kept, fresh = r.answer(q)
            assert [h[0] for h in fresh[2]][:1] == [doc["id"]], (q, why, fresh)
            assert kept == fresh, (q, why, kept, fresh, "a reader kept a list older than a commit")
    finally:
        r.close()


# Did-you-mean reads the written forms of a correction from the first
# documents that hold it (search/suggest.c); a remote reader keeps that page
# for the revision it reads (lx_search_kept).  Rows: query, the document a
# commit adds (now the correction's first document), the suggestion then.
SURFACE_ROWS = [
    ("Implementirung", {"id": "fresh/impl", "text": "IMPLEMENTIERUNG. IMPLEMENTIERUNG!"}, "IMPLEMENTIERUNG"),
]


def test_reader_sees_commit_in_suggestion(c):
    r = FreshReader(c, "fresh-surface")
    try:
        for q, doc, want in SURFACE_ROWS:
            for _ in range(2):
                kept, fresh = r.answer(q)
                assert kept == fresh and fresh[1] and fresh[1] != want, (q, kept, fresh)
            r.commit(doc)
            kept, fresh = r.answer(q)
            assert fresh[1] == want, (q, fresh)
            assert kept == fresh, (q, kept, fresh, "a reader kept a suggestion's documents older than a commit")
    finally:
        r.close()


def test_reader_sees_commit_in_variants(c):
    # The variants a reader keeps of a word the index lacks: after the first
    # commit "zaubertrank" is its only one-edit variant held; the second adds
    # another ("zaubertrakt"), which a kept list of variants would miss.
    r = FreshReader(c, "fresh-variants")
    try:
        r.commit({"id": "fresh/trank", "text": "Ein Zaubertrank im Kessel."})
        for _ in range(2):
            kept, fresh = r.answer("Zaubertrak")
            assert kept == fresh and [h[0] for h in fresh[2]] == ["fresh/trank"], (kept, fresh)
        r.commit({"id": "fresh/trakt", "text": "Der Zaubertrakt des Schlosses."})
        kept, fresh = r.answer("Zaubertrak")
        assert sorted(h[0] for h in fresh[2]) == ["fresh/trakt", "fresh/trank"], fresh
        assert kept == fresh, (kept, fresh, "a reader kept variants older than a commit")
    finally:
        r.close()


# A reader that asks many words' variants in one revision reads the keys of
# the shards' lexicons and every list they name (lx_termfreqs, lex_warm): a
# variant under a prefix no shard holds is then answered "none" without
# asking.  The first seven words warm it up; "Zylophonbau"'s variant
# "xylophonbau" is under "xy", which no shard holds until the commit.
WARM_WORDS = ["Abteilng", "Umsetzng", "Strategje", "Experen", "Implementirung", "Mnschen", "Kommunkation"]


def test_reader_sees_commit_in_lexicon_keys(c):
    r = FreshReader(c, "fresh-keys")
    try:
        for q in WARM_WORDS + ["Zylophonbau"]:
            kept, fresh = r.answer(q)
            assert kept == fresh, (q, kept, fresh, "a warmed reader answers otherwise")
        for q, _ in TYPO_ROWS:
            kept, fresh = r.answer(q)
            assert kept == fresh and fresh[1], (q, kept, fresh, "a warmed reader answers otherwise")
        assert r.answer("Zylophonbau")[0][0] == 0
        r.commit({"id": "fresh/xylophon", "text": "Der Xylophonbau in der Werkstatt."})
        kept, fresh = r.answer("Zylophonbau")
        assert [h[0] for h in fresh[2]] == ["fresh/xylophon"], fresh
        assert kept == fresh, (kept, fresh, "a reader kept the lexicon's keys older than a commit")
    finally:
        r.close()


def test_reader_sees_commit_through_lexicon(c):
    # The split and every lupe commit leave each shard's lexicon (the terms
    # of each two-byte prefix in one metadata value, lib/shim/lexicon.cc),
    # which a remote reader reads instead of the listing.  A commit that
    # adds a word must rewrite its prefix's list in the same commit: the
    # reader corrects "Blitzableitr" only through "blitzableit" in the "bl" list.
    r = FreshReader(c, "fresh-lexicon")
    try:
        kept, fresh = r.answer("Blitzableitr")
        assert kept == fresh and "fresh/blitz" not in [h[0] for h in fresh[2]], (kept, fresh)
        r.commit({"id": "fresh/blitz", "text": "Der Blitzableiter auf dem Dach."})
        kept, fresh = r.answer("Blitzableitr")
        assert [h[0] for h in fresh[2]] == ["fresh/blitz"], (fresh, "the lexicon missed a committed word")
        assert kept == fresh, (kept, fresh, "a reader kept a list older than a commit")
    finally:
        r.close()


def test_lexicon_of_another_writer_not_trusted(c):
    # A writer that keeps no lexicon (plain Xapian) adds a word to a shard:
    # the lexicon there no longer matches the shard (its stamp of document
    # count, last docid, total length and length bounds), so a reader lists
    # the terms instead and corrects "Zauberwortt" to the new "zauberwort".
    r = FreshReader(c, "fresh-stamp")
    try:
        r.commit({"id": "fresh/plain", "text": "Ein Dokument, dem ein fremder Schreiber ein Wort gibt."})
        kept, fresh = r.answer("Zauberwortt")
        assert kept == fresh and "fresh/plain" not in [h[0] for h in fresh[2]], (kept, fresh)
        dirs = [os.path.join(r.out, "shard%d" % k) for k in range(3)]
        p = subprocess.run([os.environ["LUPE_XAPIAN_ADD_TERM"], "Qfresh/plain", "zauberwort"] + dirs,
                           capture_output=True)
        assert p.returncode == 0, p.stderr
        kept, fresh = r.answer("Zauberwortt")
        assert [h[0] for h in fresh[2]] == ["fresh/plain"], (fresh, "a reader trusted a lexicon that did not match")
        assert kept == fresh, (kept, fresh)
    finally:
        r.close()


def test_reordered_list_refused_for_writing(c):
    lst = os.path.join(c.tmp, "reversed.txt")
    with open(lst, "w") as f:
        f.write("# the same shards, wrong order\n" + "\n".join(reversed(c.urls)) + "\n")
    rc, _, err, _ = run([INDEX, "--db", lst, os.path.join(SRC, "data", "corpus")])
    assert rc == 1 and "listed as" in err, err
    rc, out, err, _ = run([SEARCH, "--db", lst, "--json", "Social"])  # reading is fine
    assert rc == 0 and json.loads(out)["total"] > 0, err


def test_not_a_list(c):
    p = os.path.join(c.tmp, "prose.txt")
    with open(p, "w") as f:
        f.write("Dies ist keine Liste von Shards.\n")
    rc, _, err, _ = run([SEARCH, "--db", p, "Wort"])
    assert rc == 1 and "not a lupe index" in err, err


def check_failure(c, k, how):
    # The second has typos: batched look-ups; the third a prefix, listed from the shards that are up.
    for q in (c.queries[0], "Abstimmmung der Regirung", "Regier*"):
        check_failure_of(c, k, how, q)


def check_failure_of(c, k, how, query):
    rc, out, err, took = run([SEARCH, "--db", c.list, "--json", query], timeout=60)
    assert rc == 1, (rc, out, err)
    assert c.urls[k] in err, err
    assert took < TIMEOUT_S + 3, took
    msg = err.strip()
    rc, out, err, took2 = run([SEARCH, "--db", c.list, "--json", "--partial", query], timeout=60)
    assert rc == 0, err
    r = json.loads(out)
    assert r["partial"] is True, r
    assert took2 < TIMEOUT_S + 3, took2
    print("  %s shard: error in %.2f s (%s), --partial in %.2f s" % (how, took, msg[-80:], took2))


def test_frozen_server(c):
    os.killpg(c.servers[2].pid, signal.SIGSTOP)
    try:
        check_failure(c, 2, "frozen")
    finally:
        os.killpg(c.servers[2].pid, signal.SIGCONT)


def test_stopped_server(c):
    stop_server(c.servers[1])
    check_failure(c, 1, "stopped")


# A hit whose passage shows no query word as written is searched through its
# whole body when it holds one of the words' own terms (search.c,
# may_show_word): a remote reader asks the hit's own shard, in one search
# filtered by the hit's id term (lx_mset_hit_has_any_term).
# The long document holds its word only past the 64 KB snippets read, so the
# snippet shows it only when that check says yes.  Row: query, what the
# snippet must show.
DEEP_ROWS = [
    ("Zwiebelturm", "Ein Zwiebelturm am Ende."),
    ("Zwiebelturm Kartoffelacker", "Ein Zwiebelturm am Ende."),
    # Four words some document holds and one none does: asked in the same one search.
    ("Zwiebelturm Kartoffelacker Rübenfeld Kürbiswiese Xylophonquatschung", "Ein Zwiebelturm am Ende."),
]


def test_deep_snippets_match(c):
    fill = "Ein Satz ohne das gesuchte Wort, nur Fuellmaterial. "
    text = fill * (3 * 65536 // len(fill)) + "Ein Zwiebelturm am Ende."
    out = os.path.join(c.tmp, "deep")
    os.makedirs(out)
    local = os.path.join(out, "local")
    docs = c.docs[:40] + [{"id": "deep/long", "text": text},
                          {"id": "deep/acker", "text": "Der Kartoffelacker am Rübenfeld neben der Kürbiswiese."}]
    rc, _, err, _ = run([INDEX, "--db", local, "--jsonl", "-"],
                        stdin=b"".join(json.dumps(d, ensure_ascii=False).encode() + b"\n" for d in docs))
    assert rc == 0, err
    rc, _, err, _ = run(["sh", SHARDS_SH, "split", local, "3", os.path.join(out, "split")])
    assert rc == 0, err
    ports = free_ports(3)
    srv = [start_server(os.path.join(out, "split", "shard%d" % k), p, writable=False) for k, p in enumerate(ports)]
    try:
        tcp = os.path.join(out, "tcp.txt")
        with open(tcp, "w") as f:
            f.write("".join("tcp://127.0.0.1:%d\n" % p for p in ports))
        queries = [q for q, _ in DEEP_ROWS]
        res_s, _ = search_batch(tcp, queries)
        res_l, _ = search_batch(local, queries)
        for (q, shown), a, b in zip(DEEP_ROWS, res_s, res_l):
            long_s = [h for h in a["hits"] if h["id"] == "deep/long"]
            long_l = [h for h in b["hits"] if h["id"] == "deep/long"]
            assert long_l and shown in long_l[0]["snippet"], (q, "not shown locally", long_l)
            assert long_s and long_s[0]["snippet"] == long_l[0]["snippet"], (q, long_s, long_l[0]["snippet"])
            assert long_s[0]["highlights"] == long_l[0]["highlights"], (q, long_s, long_l)
    finally:
        for p in srv:
            stop_server(p)


@pytest.fixture(scope="module")
def c():
    """Three xapian-tcpsrv shards and one local index holding the same documents."""
    if not shutil.which("xapian-tcpsrv"):
        pytest.skip("xapian-tcpsrv missing (apt-get install xapian-tools)")
    c = Ctx()
    c.tmp = tempfile.mkdtemp(prefix="lupe-shards-")
    try:
        ports = free_ports(3)
        c.servers = [start_server(os.path.join(c.tmp, "srv", "shard%d" % k), p) for k, p in enumerate(ports)]
        c.urls = ["tcp://127.0.0.1:%d" % p for p in ports]
        c.list = os.path.join(c.tmp, "srv", "shards.txt")
        with open(c.list, "w") as f:
            f.write("# three xapian-tcpsrv --writable\n\n" + "\n".join(c.urls) + "\n")
        c.local = os.path.join(c.tmp, "local")
        c.docs, news = documents()
        jsonl = b"".join(json.dumps(d, ensure_ascii=False).encode() + b"\n" for d in c.docs)
        for db in (c.list, c.local):
            rc, _, err, took = run([INDEX, "--db", db, "--jsonl", "-"], stdin=jsonl, timeout=600)
            assert rc == 0, err
            print("indexed %d documents into %s in %.1f s" %
                  (len(c.docs), "3 remote shards" if db == c.list else "one index", took))
        c.queries = make_queries(news or c.docs, N_QUERIES)
        yield c
    finally:
        for p in servers:
            stop_server(p)
        shutil.rmtree(c.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__] + sys.argv[1:]))
