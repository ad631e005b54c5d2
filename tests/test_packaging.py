#!/usr/bin/env python3
"""The library as a package: what it exports, what its header needs, how it links.

  - include/lupe.h compiles alone, as the first and only include, in every C
    standard from C89 to C17 and as C++ 11..20, with -pedantic -Werror
    (libgit2's tests/headertest);
  - liblupe.so exports lupe_* only, and every function lupe.h declares
    (notmuch's notmuch.sym check);
  - a static link with the flags `pkg-config --static --libs lupe` prints
    works from a C compiler driver (so Libs.private names the C++ runtime);
  - the installed programs start without ldconfig (RUNPATH), and the version
    is one: meson.build's, lupe.h's macros and lupe_version() agree.

Run with pytest (`meson test packaging`).
"""

import ctypes
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

SOURCE_ROOT = os.environ.get("LUPE_SOURCE_ROOT",
                             os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_ROOT = os.environ.get("LUPE_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
HEADER = os.path.join(SOURCE_ROOT, "include", "lupe.h")
SHARED = os.path.join(BUILD_ROOT, "lib", "liblupe.so")
STATIC = os.path.join(BUILD_ROOT, "lib", "liblupe.a")
CC = os.environ.get("CC", "cc")
CXX = os.environ.get("CXX", "c++")


def run(args, **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def header_functions():
    """Names of the functions lupe.h declares (LUPE_EXPORT ... name(...))."""
    with open(HEADER, encoding="utf-8") as f:
        text = f.read()
    names = re.findall(r"LUPE_EXPORT\b[^;(]*?\b(lupe_\w+)\s*\(", text)
    assert len(names) >= 30, names
    return set(names)


def exported_symbols():
    rc, out, err = run(["nm", "-D", "--defined-only", SHARED])
    assert rc == 0, err
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


@pytest.mark.parametrize("lang,std", [("c", "c89"), ("c", "c99"), ("c", "c11"), ("c", "c17"),
                                      ("c++", "c++11"), ("c++", "c++17"), ("c++", "c++20")])
def test_header_compiles_alone(lang, std, tmp_path):
    src = tmp_path / ("t.c" if lang == "c" else "t.cc")
    src.write_text('#include "lupe.h"\nint lupe_header_test_dummy(void);\n')
    cc = CC if lang == "c" else CXX
    rc, out, err = run([cc, "-std=" + std, "-pedantic", "-Werror", "-Wall", "-Wextra",
                        "-I" + os.path.dirname(HEADER), "-fsyntax-only", str(src)])
    assert rc == 0, "%s -std=%s: %s" % (cc, std, err)


def test_exports_are_the_api():
    exported = exported_symbols()
    foreign = sorted(s for s in exported if not s.startswith("lupe_"))
    assert not foreign, "%d exported symbols are not lupe_*: %s" % (len(foreign), foreign[:10])
    missing = sorted(header_functions() - exported)
    assert not missing, "declared in lupe.h but not exported: %s" % missing
    undeclared = sorted(exported - header_functions())
    assert not undeclared, "exported but not declared in lupe.h: %s" % undeclared


def test_static_link_with_pkg_config(tmp_path):
    if not shutil.which("pkg-config"):
        pytest.fail("pkg-config is missing (apt-get install pkg-config)")
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(BUILD_ROOT, "meson-private"))
    rc, libs, err = run(["pkg-config", "--static", "--libs", "lupe"], env=env)
    assert rc == 0, err
    flags = [STATIC if f == "-llupe" else f for f in libs.split()]
    assert STATIC in flags, libs
    src = tmp_path / "p.c"
    src.write_text('#include <stdio.h>\n#include "lupe.h"\n'
                   'int main(void) { lupe_db *db; char m[256];\n'
                   '  lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;\n'
                   '  o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;\n'
                   '  if (lupe_open(&db, "%s", &o, m, sizeof m) != LUPE_OK) { puts(m); return 1; }\n'
                   '  lupe_close(db); puts(lupe_version()); return 0; }\n' % (tmp_path / "idx"))
    exe = tmp_path / "p"
    rc, out, err = run([CC, "-I" + os.path.dirname(HEADER), str(src), "-o", str(exe)] + flags)
    assert rc == 0, "static link with %s failed:\n%s" % (libs.strip(), err[-2000:])
    rc, out, err = run([str(exe)])
    assert rc == 0, out + err
    assert out.strip() == project_version()


def project_version():
    with open(os.path.join(BUILD_ROOT, "meson-info", "intro-projectinfo.json")) as f:
        return json.load(f)["version"]


def test_one_version():
    v = project_version()
    lib = ctypes.CDLL(SHARED)
    lib.lupe_version.restype = ctypes.c_char_p
    assert lib.lupe_version().decode() == v
    with open(HEADER, encoding="utf-8") as f:
        text = f.read()
    macros = {k: re.search(r"#define LUPE_VERSION_%s (\S+)" % k, text).group(1)
              for k in ("MAJOR", "MINOR", "PATCH", "STRING")}
    assert macros["STRING"] == '"%s"' % v
    assert ".".join(macros[k] for k in ("MAJOR", "MINOR", "PATCH")) == v


def test_installed_programs_find_the_library(tmp_path):
    dest = tmp_path / "root"
    rc, out, err = run(["meson", "install", "-C", BUILD_ROOT, "--no-rebuild", "--quiet",
                        "--destdir", str(dest)])
    assert rc == 0, out + err
    with open(os.path.join(BUILD_ROOT, "meson-info", "intro-buildoptions.json")) as f:
        opts = {o["name"]: o["value"] for o in json.load(f)}
    libdir = os.path.join(opts["prefix"], opts["libdir"])
    for prog in ("lupe-index", "lupe-search"):
        path = str(dest) + os.path.join(opts["prefix"], opts["bindir"], prog)
        rc, out, err = run(["readelf", "-d", path])
        assert rc == 0, err
        m = re.search(r"\((?:RUNPATH|RPATH)\)\s+Library (?:runpath|rpath): \[([^\]]*)\]", out)
        assert m and libdir in m.group(1).split(":"), "%s: no RUNPATH to %s:\n%s" % (prog, libdir, out)
    assert os.path.exists(str(dest) + os.path.join(libdir, "liblupe.so.0"))
