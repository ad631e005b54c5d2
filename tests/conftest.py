"""pytest set-up shared by the Python drivers in tests/ (test_cli.py, test_hostile.py, ...).

- The programs under test must exist: a missing lupe-index or lupe-search is a
  failure of every test that needs them, never a skip or a silent pass.
- meson reads exit status 77 as "skipped": a run in which every collected test
  was skipped (xapian-tcpsrv missing, a sanitizer build for valgrind) exits 77,
  so that `meson test` says SKIP instead of OK.
"""

import os

import pytest

SOURCE_ROOT = os.environ.get("LUPE_SOURCE_ROOT",
                             os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_ROOT = os.environ.get("LUPE_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
PROGRAMS = [os.path.join(BUILD_ROOT, "examples", p) for p in ("lupe-index", "lupe-search")]

MESON_SKIP = 77


@pytest.fixture(autouse=True, scope="session")
def programs_exist():
    """Fail (not skip) every test when the programs under test are missing."""
    missing = [p for p in PROGRAMS if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail("missing program(s) %s: build first or set LUPE_BUILD_ROOT" % ", ".join(missing),
                    pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or exitstatus != 0:
        return
    stats = reporter.stats
    ran = len(stats.get("passed", [])) + len(stats.get("failed", [])) + len(stats.get("error", []))
    if ran == 0 and stats.get("skipped"):
        session.exitstatus = MESON_SKIP
