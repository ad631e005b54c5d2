"""The binding's own behaviour: finding the library, the CLI's names,
explain, clear errors for bad input, the installable package."""
import os
import shutil
import subprocess
import sys

import pytest

import lupe
from lupe import _capi

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
LIB = os.environ.get("LUPE_LIBRARY")


def run_python(code, env_changes, cwd=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LUPE_LIBRARY", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH")}
    env["PYTHONPATH"] = PKG
    env.update(env_changes)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60, cwd=cwd)


@pytest.fixture
def db(tmp_path):
    d = lupe.Database(tmp_path / "idx", create=True)
    d.add("a", title="Arbeit", text="Die Überstunden häufen sich im Büro.", date="2020-01-01")
    d.add("b", title="Garten", text="Überstunden im Gartenhaus.", date="2021-01-01")
    d.add("c", title="Kaffee", text="Nur Kaffee, keine Überstunden.", date="2019-06-01")
    d.commit()
    yield d
    d.close()


# --- finding the library ------------------------------------------------------

def test_wrong_library_path_names_it():
    r = run_python("import lupe; lupe.version()", {"LUPE_LIBRARY": "/nonexistent/liblupe.so"})
    assert r.returncode != 0
    assert "LibraryNotFound" in r.stderr and "/nonexistent/liblupe.so" in r.stderr
    assert "$LUPE_LIBRARY" in r.stderr and "Segmentation" not in r.stderr


@pytest.mark.skipif(not LIB, reason="needs a built liblupe ($LUPE_LIBRARY)")
def test_found_through_pkg_config_libdir(tmp_path):
    if not shutil.which("pkg-config"):
        pytest.skip("no pkg-config")
    (tmp_path / "lupe.pc").write_text(
        "libdir=%s\nName: lupe\nDescription: t\nVersion: 0.1.0\nLibs: -L${libdir} -llupe\n"
        % os.path.dirname(os.path.realpath(LIB)))
    code = "import lupe; print(lupe.library_path()); print(lupe.version())"
    r = run_python(code, {"PKG_CONFIG_PATH": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    path, version = r.stdout.split()
    assert path == os.path.join(os.path.dirname(os.path.realpath(LIB)), "liblupe.so.0")
    assert version.startswith("0.")
    # Without that .pc file (and nothing installed) the error lists each place.
    r = run_python(code, {"PKG_CONFIG_PATH": str(tmp_path / "none")})
    if r.returncode == 0:
        pytest.skip("a liblupe is installed system-wide: " + r.stdout.split()[0])
    for how in ("ldconfig", "pkg-config", "LD_LIBRARY_PATH"):
        assert how in r.stderr


def test_wrong_major_version_is_refused(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler")
    src = tmp_path / "fake.c"
    src.write_text('const char *lupe_version(void) { return "9.0.0"; }\n')
    so = tmp_path / "liblupe.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(so), str(src)], check=True)
    r = run_python("import lupe; lupe.Database('/tmp')", {"LUPE_LIBRARY": str(so)})
    assert r.returncode != 0
    assert "liblupe 9.0.0, but this binding needs 0.x" in r.stderr


def test_not_liblupe_is_refused():
    libc = "libc.so.6"
    r = run_python("import lupe; lupe.version()", {"LUPE_LIBRARY": libc})
    assert r.returncode != 0 and "not liblupe" in r.stderr


# --- names and options as the CLI has them ---------------------------------------

@pytest.mark.parametrize("sort,want", [
    ("date-asc", ["c", "a", "b"]),
    ("date_asc", ["c", "a", "b"]),
    ("date-desc", ["b", "a", "c"]),
    ("date", ["b", "a", "c"]),
])
def test_sort_names(db, sort, want):
    assert [h.id for h in db.search("Überstunden", sort=sort)] == want


def test_bad_sort_name(db):
    with pytest.raises(lupe.InvalidError, match="date-asc"):
        db.search("Überstunden", sort="oldest")


def test_explain(db):
    plain = db.search("Überstunden")
    assert all(h.explain is None for h in plain)
    res = db.search("Überstunden", explain=True)
    assert len(res) == 3
    for h in res:
        assert isinstance(h.explain, str) and h.explain
        assert "uberstund" in h.explain


def test_facets_and_partial(db):
    res = db.search("Überstunden", facets=["year"])
    assert res.facets == {"year": {"2019": 1, "2020": 1, "2021": 1}}
    assert res.partial is False
    assert db.search("Überstunden", partial=True).partial is False


# --- bad input: an exception, never a crash ------------------------------------

@pytest.mark.parametrize("query,exc,msg", [
    (None, TypeError, "query must be a str"),
    (42, TypeError, "query must be str or bytes, not int"),
    ("", lupe.QueryError, ""),
    ("   ", lupe.QueryError, ""),
])
def test_bad_queries(db, query, exc, msg):
    with pytest.raises(exc, match=msg):
        db.search(query)


def test_bad_arguments(db):
    with pytest.raises(TypeError, match="path must be"):
        lupe.Database(None)
    with pytest.raises(TypeError, match="limit must be an int"):
        db.search("Überstunden", limit="5")
    with pytest.raises(TypeError, match="id must be a str"):
        db.add(None, text="x")


def test_invalid_utf8_is_repaired(db):
    db.add("bad", title=b"Titel \xff", text=b"Kaputt \xc3\x28 Ueberstunden \xe2\x82")
    db.commit()
    res = db.search(b"Kaputt \xff")
    assert [h.id for h in res] == ["bad"]
    assert "\ufffd" in res[0].snippet


def test_locked_index(tmp_path):
    path = tmp_path / "idx"
    with lupe.Database(path, create=True):
        with pytest.raises(lupe.LockedError):
            lupe.Database(path, writable=True)


def test_huge_result_list(tmp_path):
    with lupe.Database(tmp_path / "idx", create=True) as d:
        for i in range(3000):
            d.add("d%d" % i, text="Überstunden Nummer %d" % i)
        d.commit()
        res = d.search("Überstunden", limit=10000)
        assert len(res) == res.total == 3000
        assert len({h.id for h in res}) == 3000
        # A limit beyond the library's 10000 is clamped, not a crash.
        assert len(d.search("Überstunden", limit=10 ** 9)) == 3000


# --- the package -----------------------------------------------------------

def test_public_names_have_docstrings():
    missing = [n for n in lupe.__all__ if not getattr(lupe, n).__doc__
               and callable(getattr(lupe, n))]
    assert not missing
    for cls in (lupe.Database, lupe.Analyzer, lupe.Results):
        for name, v in vars(cls).items():
            if callable(v) and not name.startswith("_"):
                assert v.__doc__, "%s.%s" % (cls.__name__, name)


@pytest.mark.slow
def test_pip_install_in_a_venv_offline(tmp_path):
    """pip install ./bindings/python in a fresh venv, with no index."""
    venv = tmp_path / "v"
    r = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("no venv module: " + r.stderr[-200:])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index",
           "--no-build-isolation", "--no-cache-dir", "-q", PKG]
    r = subprocess.run(pip, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PIP_NO_INDEX="1"))
    assert r.returncode == 0, r.stdout + r.stderr
    code = ("import lupe, os; print(os.path.dirname(lupe.__file__)); print(lupe.version())")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True,
                       text=True, env=env, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    where, version = r.stdout.split()
    assert where.startswith(str(venv)) and version.startswith("0.")
    assert os.path.exists(os.path.join(where, "py.typed"))


@pytest.mark.slow
def test_type_hints_check_with_mypy(tmp_path):
    """The package's hints are complete and a user's wrong use is caught."""
    r = subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True)
    if r.returncode != 0:
        pytest.skip("mypy is not installed (Debian: python3-mypy)")
    use = tmp_path / "use.py"
    use.write_text("import lupe\n"
                   "db = lupe.Database('/x')\n"
                   "total: int = db.search('a').total\n"
                   "wrong: int = db.search('a')[0].title\n")
    r = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"),
                        "--disallow-untyped-defs", "--disallow-incomplete-defs",
                        os.path.join(PKG, "lupe"), str(use)],
                       capture_output=True, text=True, env=dict(os.environ, MYPYPATH=PKG))
    # Exactly one error: the wrong use, line 4 of use.py.
    assert r.returncode == 1 and "Found 1 error" in r.stdout and "use.py:4:" in r.stdout, r.stdout


# --- ids that are not UTF-8 ---------------------------------------------------

def test_invalid_utf8_ids_round_trip(tmp_path):
    """ids() and hits give ids that delete(), mtime() and `in` take back,
    also when the id's bytes are not UTF-8 (file names often are not)."""
    d = lupe.Database(tmp_path / "idx", create=True)
    raw = [b"bad\xff", b"cut\xc3", b"\xe4rger", b"ok"]
    for i, b in enumerate(raw):
        d.add(b, title="Titel", text="Ein Wort", mtime=100 + i)
    d.commit()
    ids = d.ids()
    assert sorted(ids) == sorted(os.fsdecode(b) for b in raw)
    assert all(i in d for i in ids)
    assert sorted(d.mtime(i) for i in ids) == [100, 101, 102, 103]
    hits = d.search("wort").hits
    assert sorted(h.id for h in hits) == sorted(ids)
    for h in hits[:2]:
        d.delete(h.id)
    for i in d.ids():
        d.delete(i)
    d.commit()
    assert d.count() == 0 and d.ids() == []
    d.close()
