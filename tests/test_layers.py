#!/usr/bin/env python3
"""The layers of lib/ hold: no file includes a header of a higher layer.

Layers, lowest first (docs/ARCHITECTURE.md walks a document and a query
through them):

  0  util/            buffers, UTF-8, errors; and index/schema.h, the on-disk
                      schema (prefixes, value slots, metadata keys), a leaf
                      header every layer may read
  1  analysis/ shim/  German analysis; the C++ shim over Xapian (the only C++)
  2  index/ query/    documents and records; query parsing and building
                      (siblings: neither includes the other)
  3  search/          matching, snippets, suggestions
  4  db.c db.h        the public API's handle, which owns the parts above

A file may include headers of its own folder and of lower layers.  Run with
pytest (`meson test layers`).
"""

import os
import re

import pytest

SOURCE_ROOT = os.environ.get("LUPE_SOURCE_ROOT",
                             os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = os.path.join(SOURCE_ROOT, "lib")

LEAVES = {"index/schema.h"}
RANK = {"util": 0, "analysis": 1, "shim": 1, "index": 2, "query": 2, "search": 3, "": 4}


def folder_of(rel):
    return rel.split("/")[0] if "/" in rel else ""


def sources():
    for dirpath, _, names in os.walk(LIB):
        for n in names:
            if n.endswith((".c", ".h", ".cc", ".hh")):
                path = os.path.join(dirpath, n)
                yield os.path.relpath(path, LIB), path


def includes(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if m:
                yield m.group(1)


def resolve(rel, inc):
    """The lib/-relative name of an included project header, or None for lupe.h and generated files."""
    if inc == "lupe.h":
        return None
    here = os.path.join(os.path.dirname(rel), inc)
    for cand in (inc, os.path.normpath(here)):
        if os.path.exists(os.path.join(LIB, cand)):
            return cand
    return None


def violations():
    bad = []
    for rel, path in sources():
        src = folder_of(rel)
        for inc in includes(path):
            target = resolve(rel, inc)
            if target is None or target in LEAVES:
                continue
            dst = folder_of(target)
            if dst == src:
                continue
            if RANK[dst] >= RANK[src]:
                bad.append("%s includes %s (%s is not below %s)" % (rel, target, dst or "db", src or "db"))
    return bad


def test_layers_hold():
    bad = violations()
    assert not bad, "\n".join(bad)


def test_check_sees_a_violation(tmp_path, monkeypatch):
    """The check itself works: a lower file including a higher header is reported."""
    fake = tmp_path / "lib"
    (fake / "util").mkdir(parents=True)
    (fake / "search").mkdir()
    (fake / "search" / "x.h").write_text("/* x */\n")
    (fake / "util" / "y.c").write_text('#include "search/x.h"\n')
    monkeypatch.setattr(__import__(__name__), "LIB", str(fake))
    assert violations() == ["util/y.c includes search/x.h (search is not below util)"]
