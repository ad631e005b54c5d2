"""Database.sync()/prune(): the library's folder sync (lupe_sync_path) from
Python, against real temporary folders and a real index."""
import os
import subprocess

import pytest

import lupe

HERE = os.path.dirname(os.path.abspath(__file__))

FILES = {
    "a/haus.txt": "Das Gartenhaus steht hinten.\nDie Überstunden häufen sich im Büro.\n",
    "a/b/arbeit.md": "# Arbeit\n\nZeile über Äpfel und Öl.\nGrößere Überstunden? Nein.\n",
    "c/notiz.txt": "Nichts davon hier, nur Kaffee.\n",
}


def write(root, rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    return p


@pytest.fixture
def proj(tmp_path):
    root = tmp_path / "projekt"
    for rel, text in FILES.items():
        write(str(root), rel, text)
    with open(root / "bild.bin", "wb") as f:
        f.write(b"\x00\x01Bin\xe4r")
    return os.path.realpath(str(root))


@pytest.fixture
def db(tmp_path):
    with lupe.Database(str(tmp_path / "index"), create=True) as d:
        yield d


def ids_under(db, root):
    return db.ids(root + "/")


def test_first_sync_adds_the_text_files(db, proj):
    st = db.sync(proj)
    assert isinstance(st, lupe.SyncStats)
    assert (st.files, st.added, st.updated, st.unchanged, st.removed, st.stopped) == \
        (3, 3, 0, 0, 0, False)
    assert st.bytes == sum(len(t.encode()) for t in FILES.values())
    assert ids_under(db, proj) == sorted(os.path.join(proj, r) for r in FILES)
    hits = db.search("Überstunden")
    assert sorted(h.path for h in hits) == [os.path.join(proj, "a/b/arbeit.md"),
                                            os.path.join(proj, "a/haus.txt")]
    assert {h.title for h in hits} >= {"Arbeit"}  # Markdown: the first heading


def test_second_sync_reads_nothing_unchanged_and_drops_deleted(db, proj):
    db.sync(proj)
    st = db.sync(proj)
    assert (st.files, st.added, st.updated, st.unchanged, st.removed, st.bytes) == \
        (3, 0, 0, 3, 0, 0), "unchanged files must not be read again"

    changed = write(proj, "a/b/arbeit.md", "# Arbeit\n\nKaffeepause statt Überstunden.\n")
    t = os.stat(changed).st_mtime + 100
    os.utime(changed, (t, t))
    os.remove(os.path.join(proj, "a/haus.txt"))
    events = []
    st = db.sync(proj, progress=events.append)
    assert (st.files, st.added, st.updated, st.unchanged, st.removed) == (2, 0, 1, 1, 1)
    assert st.bytes == os.path.getsize(changed)
    files = {e.path: e.message for e in events if e.kind == "file"}
    assert files == {changed: "updated", os.path.join(proj, "c/notiz.txt"): "unchanged"}
    assert [e.path for e in events if e.kind == "removed"] == [os.path.join(proj, "a/haus.txt")]
    assert [h.id for h in db.search("Kaffeepause")] == [changed]
    assert len(db.search("Gartenhaus")) == 0, "a deleted file disappears from the index"
    assert ids_under(db, proj) == [changed, os.path.join(proj, "c/notiz.txt")]


def test_ids_are_canonical_however_the_path_is_written(db, proj, monkeypatch):
    db.sync(proj)
    monkeypatch.chdir(os.path.dirname(proj))
    for spelling in ("projekt", "./projekt/", os.path.join(proj, "a", "..") + "/"):
        st = db.sync(spelling)
        assert (st.added, st.unchanged, st.removed) == (0, 3, 0), spelling
    assert db.count() == 3


def test_progress_events_count_done_of_total(db, proj):
    events = []
    db.sync(proj, progress=events.append)
    kinds = [e.kind for e in events]
    assert kinds[0] == "scanned" and kinds[-1] == "committing"
    files = [e for e in events if e.kind == "file"]
    assert [(e.done, e.total) for e in files] == [(1, 3), (2, 3), (3, 3)]
    assert all(e.message == "added" for e in files)


def test_progress_returning_false_stops_and_keeps_what_was_done(db, proj):
    st = db.sync(proj, progress=lambda e: False if e.kind == "file" else None)
    assert st.stopped
    assert st.added == 1
    assert db.count() == 1, "what was done before the stop is committed"
    st = db.sync(proj)
    assert (st.added, st.unchanged, st.stopped) == (2, 1, False)


class Boom(Exception):
    pass


def test_exception_in_progress_stops_and_is_raised_after(db, proj):
    seen = []

    def progress(e):
        seen.append(e.kind)
        if e.kind == "file":
            raise Boom("from the callback")

    with pytest.raises(Boom, match="from the callback"):
        db.sync(proj, progress=progress)
    assert seen.count("file") == 1, "the sync stops at the first exception"
    assert db.count() == 1
    # The handle is still usable afterwards.
    assert db.sync(proj).added == 2


def test_dry_run_changes_nothing(db, proj):
    st = db.sync(proj, dry_run=True)
    assert st.files == 3 and st.added == 3
    assert db.count() == 0


def test_include_exclude_and_hidden(db, proj):
    write(proj, ".versteckt/geheim.txt", "Geheime Überstunden.\n")
    write(proj, "daten.csv", "Überstunden;3\n")
    st = db.sync(proj, include="*.csv")
    assert ids_under(db, proj) == [os.path.join(proj, "daten.csv")]
    assert st.removed == 0 and st.added == 1
    db.sync(proj, exclude=["c", "*.md"])
    assert ids_under(db, proj) == [os.path.join(proj, "a/haus.txt")]
    db.sync(proj, hidden=True, exclude=("c", "*.md"))
    assert ids_under(db, proj) == [os.path.join(proj, ".versteckt/geheim.txt"),
                                   os.path.join(proj, "a/haus.txt")]


def test_gitignore_is_honoured_unless_no_ignore(db, proj):
    write(proj, ".gitignore", "c/\n")
    db.sync(proj)
    assert os.path.join(proj, "c/notiz.txt") not in ids_under(db, proj)
    db.sync(proj, no_ignore=True)
    assert os.path.join(proj, "c/notiz.txt") in ids_under(db, proj)


def test_source_and_max_file_bytes(db, proj):
    warnings = []
    db.sync(proj, source="notizen", max_file_bytes=10,
            progress=lambda e: warnings.append(e) if e.kind == "warning" else None)
    assert {h.source for h in db.search("Gartenhaus OR Kaffee OR Arbeit")} == {"notizen"}
    assert warnings, "a file read only in part is reported"
    assert len(db.search("Überstunden")) == 0, "only the first 10 bytes were read"


def test_keep_gone_then_prune(db, proj):
    db.sync(proj)
    os.remove(os.path.join(proj, "c/notiz.txt"))
    st = db.sync(proj, keep_gone=True)
    assert st.removed == 0 and db.count() == 3
    assert db.prune(dry_run=True).removed == 1 and db.count() == 3
    removed = []
    st = db.prune(progress=lambda e: removed.append(e.path) if e.kind == "removed" else None)
    assert st.removed == 1
    assert removed == [os.path.join(proj, "c/notiz.txt")]
    assert db.count() == 2


def test_bad_input_is_an_exception(db, tmp_path, proj):
    with pytest.raises(lupe.NotFoundError):
        db.sync(str(tmp_path / "gibt-es-nicht"))
    assert db.count() == 0
    with pytest.raises(TypeError):
        db.sync(None)
    with pytest.raises(TypeError):
        db.sync(proj, progress=42)
    with pytest.raises(lupe.InvalidError):
        db.sync(proj, include=["a\0b"])
    with pytest.raises(lupe.InvalidError):
        db.sync(proj, max_file_bytes=0)
    db.close()
    with pytest.raises(lupe.InvalidError):
        db.sync(proj)


def test_read_only_handle_refuses(tmp_path, proj):
    path = str(tmp_path / "ro")
    lupe.Database(path, create=True).close()
    with lupe.Database(path) as ro:
        with pytest.raises(lupe.ReadOnlyError):
            ro.sync(proj)


def lupe_index_exe():
    exe = os.environ.get("LUPE_INDEX_EXE")
    if not exe and os.environ.get("LUPE_LIBRARY"):
        # A meson build tree: build/lib/liblupe.so next to build/examples/.
        exe = os.path.join(os.path.dirname(os.path.dirname(os.environ["LUPE_LIBRARY"])),
                           "examples", "lupe-index")
    return exe if exe and os.access(exe, os.X_OK) else None


def test_same_index_as_lupe_index(tmp_path, proj):
    exe = lupe_index_exe()
    if not exe:
        pytest.skip("no lupe-index (set LUPE_INDEX_EXE)")
    cli = str(tmp_path / "cli")
    subprocess.run([exe, "--db", cli, proj], check=True, capture_output=True)
    with lupe.Database(str(tmp_path / "py"), create=True) as db:
        db.sync(proj)
        with lupe.Database(cli) as c:
            assert db.ids() == c.ids()
            for q in ("Überstunden", "Kaffee", "Arbeit"):
                assert [(h.id, h.title, h.date) for h in db.search(q)] == \
                    [(h.id, h.title, h.date) for h in c.search(q)]
