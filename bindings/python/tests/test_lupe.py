"""The Python binding against a real liblupe and real German text.

Run from `meson test python`, or by hand:
  LUPE_LIBRARY=build/lib/liblupe.so PYTHONPATH=bindings/python \
      python3 -m pytest -q bindings/python/tests
"""
import glob
import os

import pytest

import lupe
from lupe._capi import lib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "data", "corpus"))
SEEDS = sorted(glob.glob(os.path.join(CORPUS, "*.txt")))
OVERTIME_DOC = "001_18b1f2334a26c98f"  # the seed article that mentions Überstunden


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def title_of(text):
    return next((l.strip() for l in text.splitlines() if l.strip()), "")[:120]


@pytest.fixture
def dbpath(tmp_path):
    return str(tmp_path / "index")


@pytest.fixture
def seeded(dbpath):
    """A committed index of the seed articles; yields its path."""
    with lupe.Database(dbpath, create=True) as db:
        for i, path in enumerate(SEEDS):
            text = read(path)
            db.add(os.path.basename(path)[:-4], title=title_of(text), text=text,
                   source="seed", path=path, date="2020-01-%02d" % (i + 1),
                   mtime=1600000000 + i)
        db.commit()
    return dbpath


def test_seed_corpus_present():
    assert len(SEEDS) >= 5


# --- add, search, replace, delete, commit ----------------------------------

def test_search_seed_articles(seeded):
    with lupe.Database(seeded) as db:
        assert len(db) == len(SEEDS) == db.count()
        res = db.search("Überstunden")
        assert res.total >= 1 and len(res) >= 1
        hit = res[0]
        assert hit.id == OVERTIME_DOC
        assert hit.rank == 1 and hit.score > 0
        assert hit.source == "seed" and hit.path.endswith(OVERTIME_DOC + ".txt")
        assert hit.date.startswith("2020-01-")
        assert hit.title
        assert [h.rank for h in res] == list(range(1, len(res) + 1))


def test_highlights_are_character_offsets_into_snippet(seeded):
    with lupe.Database(seeded) as db:
        hit = db.search("Überstunden")[0]
        assert hit.highlights and len(hit.highlights) == len(hit.highlights_bytes)
        for (s, e), (bs, be) in zip(hit.highlights, hit.highlights_bytes):
            assert hit.snippet[s:e].lower().startswith("überstunden")
            assert hit.snippet.encode("utf-8")[bs:be].decode("utf-8") == hit.snippet[s:e]


def test_highlights_after_umlauts(dbpath):
    text = "Größere Bäume wachsen über Äcker; die Überstunden häufen sich im Büro."
    with lupe.Database(dbpath, create=True) as db:
        db.add("u", text=text)
        db.commit()
        hit = db.search("Büro")[0]
        (s, e), = [sp for sp in hit.highlights if hit.snippet[sp[0]:sp[1]] == "Büro"]
        assert hit.snippet[s:e] == "Büro"
        assert hit.highlights_bytes[hit.highlights.index((s, e))] != (s, e)


def test_matches_in_body(seeded):
    with lupe.Database(seeded) as db:
        bodies = {os.path.basename(p)[:-4]: read(p) for p in SEEDS}
        hit = db.search("Überstunden", bodies=bodies)[0]
        body = bodies[hit.id]
        assert hit.matches_bytes
        for s, e in hit.matches:
            assert body[s:e].lower().startswith("überstunden")
        assert hit.matches == hit.matches_in(body)
        for bs, be in hit.matches_bytes:
            assert body.encode()[bs:be].decode().lower().startswith("überstunden")


def test_replace_keeps_one_document(dbpath):
    with lupe.Database(dbpath, create=True) as db:
        db.add("doc", title="Erst", text="Die Gartenlaube ist alt.")
        db.commit()
        db.add("doc", title="Dann", text="Das Schwimmbad ist neu.")
        db.commit()
        assert len(db) == 1
        assert len(db.search("Gartenlaube")) == 0
        res = db.search("Schwimmbad")
        assert [h.id for h in res] == ["doc"] and res[0].title == "Dann"


def test_bulk_load_and_writer_options(tmp_path):
    """bulk=True, threads and batch_bytes reach liblupe (options version 3):
    a bulk load and a single-threaded load with tiny batches give the same
    index, and readers see nothing of a bulk load before it ends."""
    docs = [(os.path.basename(p)[:-4], read(p)) for p in SEEDS]
    plain, bulk = str(tmp_path / "plain"), str(tmp_path / "bulk")
    assert sum(len(t.encode()) for _, t in docs[:-1]) > 4096
    with lupe.Database(plain, create=True, threads=1, batch_size=1000, batch_bytes=4096) as db:
        for i, text in docs:
            db.add(i, title=title_of(text), text=text)
        with lupe.Database(plain) as r:
            assert len(r) > 0  # committed by batch_bytes alone
    with lupe.Database(bulk, create=True, bulk=True, threads=2) as db:
        for i, text in docs:
            db.add(i, title=title_of(text), text=text)
        assert os.path.isdir(bulk + ".lupe-bulk-0") and os.path.isdir(bulk + ".lupe-bulk-1")
        with lupe.Database(bulk) as r:
            assert len(r) == 0
        assert len(db) == len(docs)  # the loading handle sees its documents
    with lupe.Database(plain) as a, lupe.Database(bulk) as b:
        assert len(a) == len(b) == len(docs)
        for q in ("Überstunden", "Strategie", "Kommunikation Berater"):
            ha, hb = a.search(q), b.search(q)
            assert len(ha) > 0
            assert sorted((h.id, round(h.score, 9)) for h in ha) == \
                sorted((h.id, round(h.score, 9)) for h in hb)
    assert not [p for p in os.listdir(tmp_path) if ".lupe-bulk-" in p]
    with pytest.raises(lupe.InvalidError):
        lupe.Database(str(tmp_path / "ro"), bulk=True)


def test_delete(seeded):
    with lupe.Database(seeded, writable=True) as db:
        db.delete(OVERTIME_DOC)
        db.commit()
        assert len(db) == len(SEEDS) - 1
        assert OVERTIME_DOC not in [h.id for h in db.search("Überstunden")]
        with pytest.raises(lupe.NotFoundError):
            db.delete(OVERTIME_DOC)


def test_commit_makes_changes_visible_to_readers(dbpath):
    with lupe.Database(dbpath, create=True) as w:
        w.commit()
        w.add("a", text="Kaffeemaschine")
        with lupe.Database(dbpath) as r:
            assert len(r) == 0
        w.commit()
        with lupe.Database(dbpath) as r:
            assert len(r) == 1
            assert r.search("Kaffeemaschine")[0].id == "a"


def _threads():
    return len(os.listdir("/proc/self/task"))


def test_reader_searches_on_a_watched_thread(seeded):
    """A reader opens with LUPE_OPEN_WATCHED: its first search starts the one
    thread that runs its searches (a lookup that never returns is then
    HungError, not a hung interpreter); close ends it.  A writer has none."""
    with lupe.Database(seeded, writable=True) as w:
        before = _threads()
        assert len(w.search("Überstunden")) >= 1
        assert _threads() == before
    r = lupe.Database(seeded)
    before = _threads()
    assert len(r.search("Überstunden")) >= 1
    assert _threads() == before + 1
    assert len(r.search("Arbeitszeit")) >= 1
    assert _threads() == before + 1
    r.close()
    assert _threads() == before
    assert lupe.HungError.status == -15 and issubclass(lupe.HungError, lupe.Error)
    assert lib.lupe_strerror(-15) == b"a search never returned; the handle was given up"


def test_close_commits_and_is_idempotent(dbpath):
    db = lupe.Database(dbpath, create=True)
    db.add("a", text="Fahrradschloss")
    db.close()
    db.close()
    assert db.closed
    with pytest.raises(lupe.InvalidError):
        db.search("Fahrradschloss")
    with lupe.Database(dbpath) as r:
        assert r.search("Fahrradschloss")[0].id == "a"


def test_nul_characters_in_text_survive(dbpath):
    with lupe.Database(dbpath, create=True) as db:
        db.add("nul", title="Null\0Titel", text="vorher\0 nachher Zauberwort")
        db.commit()
        hit = db.search("Zauberwort")[0]
        assert hit.id == "nul"
        assert hit.matches_in("vorher\0 nachher Zauberwort") == [(16, 26)]


def test_paging(seeded):
    with lupe.Database(seeded) as db:
        all_hits = [h.id for h in db.search("Social Media", limit=100)]
        assert len(all_hits) >= 3
        assert [h.id for h in db.search("Social Media", limit=2, offset=1)] == all_hits[1:3]
        with pytest.raises(lupe.InvalidError):
            db.search("Social", sort="alphabetisch")


def test_html_snippets(seeded):
    with lupe.Database(seeded) as db:
        hit = db.search("Überstunden", html=True)[0]
        assert "<mark>" in hit.snippet
        for s, e in hit.highlights:
            assert hit.snippet[s:e].lower().startswith("überstunden")


def test_fuzzy(dbpath):
    with lupe.Database(dbpath, create=True) as db:
        db.add("a", text="Die Überstunden häufen sich.")
        db.commit()
        # Typo tolerance is on by default (a word the index does not hold); fuzzy too.
        assert [h.id for h in db.search("Überstundn")] == ["a"]
        assert [h.id for h in db.search("Überstundn", fuzzy=True)] == ["a"]


def test_sort_by_date(seeded):
    with lupe.Database(seeded) as db:
        dates = [h.date for h in db.search("Social Media", sort="date", limit=100)]
        assert len(dates) >= 3 and dates == sorted(dates, reverse=True)
        dates = [h.date for h in db.search("Social Media", sort="date_asc", limit=100)]
        assert dates == sorted(dates)


def test_results_metadata(seeded):
    with lupe.Database(seeded) as db:
        res = db.search("Kommunkation")
        assert isinstance(res.partial, bool) and res.partial is False
        assert res.suggestion is None or isinstance(res.suggestion, str)
        res = db.search("Social")
        assert isinstance(res.exact, bool) and res.total >= len(res)
        assert res.facets == {}


def test_totals_exact_at_every_limit(seeded):
    # Every seed article holds the phrase: 5 at every page size, exact.
    with lupe.Database(seeded) as db:
        for limit in (1, 2, 3, 5, 10):
            res = db.search('"Social Media Manager"', limit=limit)
            assert (res.total, res.exact, res.total_min, res.total_max) == (5, True, 5, 5), limit


def test_highlight_kinds(seeded):
    # The article holds "Stabsstelle" as written: marked whole, as exact.
    with lupe.Database(seeded) as db:
        hit = db.search("Stabsstelle")[0]
        marked = [hit.snippet[s:e] for s, e in hit.highlights]
        assert "Stabsstelle" in marked, (hit.snippet, marked)
        assert hit.highlight_kinds[marked.index("Stabsstelle")] == "exact"
        assert len(hit.highlight_kinds) == len(hit.highlights)


def test_facets_and_like_or_not_available(seeded):
    with lupe.Database(seeded) as db:
        if lib.has("lupe_results_facet"):
            f = db.search("Social", facets=["source"]).facets
            assert f["source"]["seed"] >= 1
        else:
            with pytest.raises(lupe.Error, match="not available"):
                db.search("Social", facets=["source"])
        if lib.has("lupe_like"):
            ids = [h.id for h in db.like(OVERTIME_DOC)]
            assert OVERTIME_DOC not in ids
            with pytest.raises(lupe.NotFoundError):
                db.like("gibt-es-nicht")
        else:
            with pytest.raises(lupe.Error, match="not available"):
                db.like(OVERTIME_DOC)


# --- ids and mtime ---------------------------------------------------------

def test_ids_and_mtime(seeded):
    with lupe.Database(seeded) as db:
        ids = db.ids()
        assert ids == sorted(os.path.basename(p)[:-4] for p in SEEDS)
        assert db.ids("001_") == [OVERTIME_DOC]
        assert db.ids("kein-solcher-") == []
        assert db.mtime(ids[0]) == 1600000000
        assert db.mtime(ids[2]) == 1600000002
        assert OVERTIME_DOC in db and "fehlt" not in db
        with pytest.raises(lupe.NotFoundError):
            db.mtime("fehlt")


def test_unicode_ids(dbpath):
    with lupe.Database(dbpath, create=True) as db:
        db.add("/home/jörg/Übersicht.txt", text="Straßenbahn")
        db.add("/home/jörg/Ärger.txt", text="Straßenbahn", mtime=42)
        db.commit()
        assert db.ids("/home/jörg/") == sorted(["/home/jörg/Übersicht.txt",
                                                "/home/jörg/Ärger.txt"])
        assert db.mtime("/home/jörg/Ärger.txt") == 42
        assert db.mtime("/home/jörg/Übersicht.txt") == 0
        assert {h.id for h in db.search("Straßenbahn")} == set(db.ids())


# --- errors ----------------------------------------------------------------

def test_missing_database(tmp_path):
    with pytest.raises(lupe.NotFoundError) as ei:
        lupe.Database(str(tmp_path / "gibt-es-nicht"))
    assert ei.value.status == -1 and "gibt-es-nicht" in str(ei.value)
    assert isinstance(ei.value, lupe.Error)


def test_not_a_lupe_index(tmp_path):
    (tmp_path / "fremd").mkdir()
    (tmp_path / "fremd" / "notizen.txt").write_text("keine Datenbank")
    with pytest.raises(lupe.NotLupeError) as ei:
        lupe.Database(str(tmp_path / "fremd"), create=True)
    assert ei.value.status == -3 and str(ei.value)


def test_second_writer_is_locked(dbpath):
    with lupe.Database(dbpath, create=True):
        with pytest.raises(lupe.LockedError) as ei:
            lupe.Database(dbpath, writable=True)
        assert ei.value.status == -2 and str(ei.value)
        with lupe.Database(dbpath) as reader:  # readers are welcome
            assert len(reader) == 0


def test_empty_query(seeded):
    with lupe.Database(seeded) as db:
        for q in ("", "   "):
            with pytest.raises(lupe.QueryError) as ei:
                db.search(q)
            assert ei.value.status == -7 and str(ei.value)


def test_read_only_add(seeded):
    with lupe.Database(seeded) as db:
        with pytest.raises(lupe.ReadOnlyError) as ei:
            db.add("neu", text="Text")
        assert ei.value.status == -9 and str(ei.value)
        with pytest.raises(lupe.ReadOnlyError):
            db.delete(OVERTIME_DOC)


def test_invalid_arguments(dbpath):
    with lupe.Database(dbpath, create=True) as db:
        with pytest.raises(lupe.InvalidError) as ei:
            db.add("d", text="x", date="gestern")
        assert ei.value.status == -8
        with pytest.raises(lupe.InvalidError):
            db.add("", text="x")
        with pytest.raises(lupe.InvalidError):
            db.add("a" * 201, text="x")
        with pytest.raises(lupe.InvalidError):
            db.add("a\0b", text="x")
        assert len(db) == 0


def test_error_hierarchy():
    classes = [lupe.NotFoundError, lupe.LockedError, lupe.NotLupeError, lupe.CorruptError,
               lupe.IOFailureError, lupe.NoMemoryError, lupe.QueryError, lupe.InvalidError,
               lupe.ReadOnlyError, lupe.NetworkError, lupe.InternalError]
    assert [c.status for c in classes] == list(range(-1, -12, -1))
    assert all(issubclass(c, lupe.Error) for c in classes)


# --- analysis --------------------------------------------------------------

ANALYZE_ROWS = [
    # (text, term that must appear)
    ("Die Straße ist gesperrt.", "strass"),
    ("Die Strasse ist gesperrt.", "strass"),
    ("Häuser am Fluss", "haus"),
    ("Version 2.0.1 erschienen", "2.0.1"),
]


@pytest.mark.parametrize("text,term", ANALYZE_ROWS)
def test_analyze_terms(text, term):
    assert term in [t.term for t in lupe.analyze(text)]


def test_analyze_offsets_are_characters():
    text = "Grüße aus Köln: die Straße"
    toks = lupe.analyze(text)
    by_form = {t.form: t for t in toks if t.kind == "word"}
    t = by_form["strasse"]
    assert t.term == "strass"
    assert text[t.start:t.end] == "Straße"
    assert text.encode()[t.start_byte:t.end_byte].decode() == "Straße"
    assert t.start_byte > t.start  # ü and ö come before it
    for t in toks:
        assert text.encode()[t.start_byte:t.end_byte].decode() == text[t.start:t.end]
    die = [t for t in toks if t.form == "die"][0]
    assert die.stopword is True and by_form["köln"].stopword is False
    positions = [t.position for t in toks if t.kind == "word"]
    assert positions == sorted(positions)


def test_analyze_compounds_and_decompound_switch():
    kinds = {t.kind for t in lupe.analyze("Überstunden-Ärger")}
    assert "joined" in kinds
    assert lupe.analyze("") == []
    assert isinstance(lupe.analyze("Gartenhaus", decompound=False), list)


def test_version():
    assert lupe.version().count(".") == 2


def test_missing_symbol_fails_at_call_time(seeded, monkeypatch):
    """A liblupe without lupe_like / lupe_results_facet still imports and searches."""
    lib.lupe_version  # loads the library
    real = lib._dll

    class Older:
        def __getattr__(self, name):
            if name in ("lupe_like", "lupe_results_facet"):
                raise AttributeError(name)
            return getattr(real, name)

    monkeypatch.setattr(lib, "_dll", Older())
    monkeypatch.setattr(lib, "_funcs", {})
    with lupe.Database(seeded) as db:
        assert db.search("Überstunden")[0].id == OVERTIME_DOC
        with pytest.raises(lupe.Error, match="not available in this liblupe"):
            db.like(OVERTIME_DOC)
        with pytest.raises(lupe.Error, match="not available in this liblupe"):
            db.search("Social", facets=["source"])
