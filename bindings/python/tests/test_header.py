"""The C interface is written three times: include/lupe.h, the ctypes
declarations (lupe/_capi.py) and the LuaJIT cdef (bindings/nvim/lua/lupe/
capi.lua).  These tests fail when a binding's copy disagrees with the
header: a binding may leave out what it does not use, but what it declares
must match exactly (function names, return and argument types, struct
fields in order, their sizes and offsets as a C compiler lays them out,
options versions and *_INIT defaults, constants)."""
import ctypes
import os
import re
import shutil
import subprocess

import pytest

from lupe import _capi

import cdecl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
HEADER = os.path.join(ROOT, "include", "lupe.h")
LUA_CAPI = os.path.join(ROOT, "bindings", "nvim", "lua", "lupe", "capi.lua")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def h():
    return cdecl.parse(read(HEADER))


SCALARS = {"int": ctypes.c_int, "unsigned": ctypes.c_uint, "size_t": ctypes.c_size_t,
           "uint32_t": ctypes.c_uint32, "uint64_t": ctypes.c_uint64,
           "int64_t": ctypes.c_int64, "double": ctypes.c_double}


def acceptable(ctype, h):
    """The ctypes types that may stand for the C type `ctype`."""
    base = re.sub(r"\bconst\b", "", ctype)
    base = cdecl.norm_type(base)
    if base == "void":
        return [None]
    if base in SCALARS:
        return [SCALARS[base]]
    if base in _capi.CALLBACKS:
        return [_capi.CALLBACKS[base]]
    if base == "char *":
        return [ctypes.c_char_p, ctypes.c_void_p]
    if base == "char **":
        return [ctypes.POINTER(ctypes.c_char_p)]
    if base == "unsigned char *":
        return [ctypes.POINTER(ctypes.c_ubyte)]
    m = re.match(r"^(\w+) (\*+)$", base)
    assert m, "no ctypes mapping for C type %r" % ctype
    name, stars = m.group(1), len(m.group(2))
    if name in h["opaque"] or name == "void":
        return [ctypes.c_void_p] if stars == 1 else [ctypes.POINTER(ctypes.c_void_p)]
    if name in _capi.STRUCTS and stars == 1:
        return [ctypes.POINTER(_capi.STRUCTS[name])]
    if name in SCALARS and stars == 1:
        return [ctypes.POINTER(SCALARS[name])]
    raise AssertionError("no ctypes mapping for C type %r" % ctype)


def tname(t):
    return getattr(t, "__name__", repr(t))


# --- ctypes ---------------------------------------------------------------

def test_ctypes_functions_match_header(h):
    problems = []
    for name, (restype, argtypes) in sorted(_capi.SIGNATURES.items()):
        if name not in h["functions"]:
            problems.append("%s: not in lupe.h" % name)
            continue
        cret, cargs = h["functions"][name]
        if len(argtypes) != len(cargs):
            problems.append("%s: %d arguments in ctypes, %d in lupe.h"
                            % (name, len(argtypes), len(cargs)))
            continue
        if restype not in acceptable(cret, h):
            problems.append("%s: returns %s in ctypes, %s in lupe.h" % (name, tname(restype), cret))
        for i, (a, c) in enumerate(zip(argtypes, cargs)):
            if a not in acceptable(c, h):
                problems.append("%s: argument %d is %s in ctypes, %s in lupe.h"
                                % (name, i + 1, tname(a), c))
    assert not problems, "\n".join(problems)


def test_ctypes_structs_match_header(h):
    problems = []
    for cname, cls in sorted(_capi.STRUCTS.items()):
        if cname not in h["structs"]:
            problems.append("%s: not in lupe.h" % cname)
            continue
        want = h["structs"][cname]
        got = cls._fields_
        if [f for f, _ in got] != [f for _, f in want]:
            problems.append("%s: fields %s in ctypes, %s in lupe.h"
                            % (cname, [f for f, _ in got], [f for _, f in want]))
            continue
        for (fname, ftype), (ctype, _) in zip(got, want):
            if ftype not in acceptable(ctype, h):
                problems.append("%s.%s: %s in ctypes, %s in lupe.h"
                                % (cname, fname, tname(ftype), ctype))
    assert not problems, "\n".join(problems)


def test_ctypes_callbacks_match_header(h):
    """Function pointer types (lupe_sync_callback): return and argument types."""
    problems = []
    assert _capi.CALLBACKS
    for cname, cls in sorted(_capi.CALLBACKS.items()):
        if cname not in h["callbacks"]:
            problems.append("%s: not a function pointer type of lupe.h" % cname)
            continue
        cret, cargs = h["callbacks"][cname]
        if cls._restype_ not in acceptable(cret, h):
            problems.append("%s: returns %s in ctypes, %s in lupe.h"
                            % (cname, tname(cls._restype_), cret))
        if len(cls._argtypes_) != len(cargs):
            problems.append("%s: %d arguments in ctypes, %d in lupe.h"
                            % (cname, len(cls._argtypes_), len(cargs)))
            continue
        for i, (a, c) in enumerate(zip(cls._argtypes_, cargs)):
            if a not in acceptable(c, h):
                problems.append("%s: argument %d is %s in ctypes, %s in lupe.h"
                                % (cname, i + 1, tname(a), c))
    assert not problems, "\n".join(problems)


def test_ctypes_struct_layouts_match_a_compiler(tmp_path):
    """sizeof and every offsetof, as the C compiler lays the structs out."""
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler")
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "lupe.h"', "int main(void) {"]
    for cname, cls in sorted(_capi.STRUCTS.items()):
        lines.append('printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
        for fname, _ in cls._fields_:
            lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));'
                         % (cname, fname, cname, fname))
    lines.append("return 0; }")
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run([cc, "-I", os.path.dirname(HEADER), "-o", str(exe), str(src)], check=True)
    got = dict(l.split() for l in subprocess.run([str(exe)], capture_output=True, text=True,
                                                    check=True).stdout.splitlines())
    problems = []
    for cname, cls in sorted(_capi.STRUCTS.items()):
        if int(got[cname]) != ctypes.sizeof(cls):
            problems.append("sizeof(%s): %s in C, %d in ctypes"
                            % (cname, got[cname], ctypes.sizeof(cls)))
        for fname, _ in cls._fields_:
            off = getattr(cls, fname).offset
            if int(got[cname + "." + fname]) != off:
                problems.append("offsetof(%s, %s): %s in C, %d in ctypes"
                                % (cname, fname, got[cname + "." + fname], off))
    assert not problems, "\n".join(problems)


def init_values(macro, h):
    body = h["defines"][macro].strip()
    assert body.startswith("{") and body.endswith("}"), macro
    vals = []
    for item in body[1:-1].split(","):
        item = item.strip()
        vals.append(None if item == "NULL" else cdecl.int_value(item, h["defines"], h["enums"]))
    return vals


def test_ctypes_options_versions_and_defaults_match_header(h):
    problems = []
    for cname, make in sorted(_capi.INITS.items()):
        macro = cname.upper() + "_INIT"
        if macro not in h["defines"]:
            problems.append("%s: lupe.h has no %s" % (cname, macro))
            continue
        want = init_values(macro, h)
        s = make()
        got = [getattr(s, f) for f, _ in s._fields_]
        # NULL reads as None from a c_char_p, as a false pointer otherwise.
        got = [None if (not isinstance(v, (int, float)) and not v) else v for v in got]
        # A binding that mirrors a newer struct than the macro lists is
        # caught by the field checks; here extra fields must be zero.
        want = want + [None if g is None else 0 for g in got[len(want):]]
        if got != want:
            problems.append("%s: ctypes makes %s, %s is %s" % (cname, got, macro, want))
        version = cname.upper() + "_VERSION"
        if version in h["defines"]:
            if s.version != cdecl.int_value(version, h["defines"], h["enums"]):
                problems.append("%s: version %d in ctypes, %s in lupe.h"
                                % (cname, s.version, h["defines"][version]))
    assert not problems, "\n".join(problems)


def test_ctypes_constants_match_header(h):
    problems = []
    names = [n for n in dir(_capi) if re.match(r"^(OPEN|SEARCH|SORT|TOKEN|SYNC)_[A-Z_]+$", n)]
    assert names
    for n in names:
        want = cdecl.int_value("LUPE_" + n, h["defines"], h["enums"])
        if want != getattr(_capi, n):
            problems.append("%s = %r in ctypes, LUPE_%s = %r in lupe.h"
                            % (n, getattr(_capi, n), n, want))
    assert not problems, "\n".join(problems)


def test_major_version_matches_header(h):
    assert _capi.VERSION_MAJOR == cdecl.int_value("LUPE_VERSION_MAJOR", h["defines"], h["enums"])


# --- LuaJIT cdef ------------------------------------------------------------

@pytest.fixture(scope="module")
def lua():
    src = read(LUA_CAPI)
    m = re.search(r"ffi\.cdef\(\[\[(.*?)\]\]\)", src, re.S)
    assert m, "no ffi.cdef([[ ... ]]) in capi.lua"
    return src, cdecl.parse(m.group(1))


def test_lua_cdef_functions_match_header(h, lua):
    _, cdef = lua
    assert cdef["functions"], "no functions parsed from the cdef"
    problems = []
    for name, sig in sorted(cdef["functions"].items()):
        if name not in h["functions"]:
            problems.append("%s: not in lupe.h" % name)
        elif sig != h["functions"][name]:
            problems.append("%s: %s in the cdef, %s in lupe.h" % (name, sig, h["functions"][name]))
    assert not problems, "\n".join(problems)


def test_lua_cdef_structs_match_header(h, lua):
    _, cdef = lua
    assert cdef["structs"], "no structs parsed from the cdef"
    problems = []
    for name, fields in sorted(cdef["structs"].items()):
        if name not in h["structs"]:
            problems.append("%s: not in lupe.h" % name)
        elif fields != h["structs"][name]:
            problems.append("%s: %s in the cdef,\n  %s in lupe.h" % (name, fields, h["structs"][name]))
    for name in sorted(cdef["opaque"]):
        if name not in h["opaque"]:
            problems.append("%s: not an opaque type of lupe.h" % name)
    for name, sig in sorted(cdef["callbacks"].items()):
        if name not in h["callbacks"]:
            problems.append("%s: not a function pointer type of lupe.h" % name)
        elif sig != h["callbacks"][name]:
            problems.append("%s: %s in the cdef, %s in lupe.h" % (name, sig, h["callbacks"][name]))
    assert not problems, "\n".join(problems)


def test_lua_versions_and_constants_match_header(h, lua):
    src, cdef = lua
    m = re.search(r"M\.VERSIONS\s*=\s*\{(.*?)\}", src, re.S)
    assert m, "capi.lua has no M.VERSIONS table"
    versions = dict(re.findall(r"(lupe_\w+)\s*=\s*(\d+)", m.group(1)))
    problems = []
    for name in cdef["structs"]:
        macro = name.upper() + "_VERSION"
        if macro in h["defines"] and name not in versions:
            problems.append("%s has a version in lupe.h, none in M.VERSIONS" % name)
    for name, v in versions.items():
        want = cdecl.int_value(name.upper() + "_VERSION", h["defines"], h["enums"])
        if int(v) != want:
            problems.append("M.VERSIONS.%s = %s, %s_VERSION = %s" % (name, v, name.upper(), want))
    m = re.search(r"local M = \{(.*?)\n\}", src, re.S)
    assert m, "capi.lua has no constants table (local M = { ... })"
    consts = re.findall(r"^\s*([A-Z][A-Z_]+)\s*=\s*(-?\d+)\s*,", m.group(1), re.M)
    assert consts
    for n, v in consts:
        want = cdecl.int_value("LUPE_" + n, h["defines"], h["enums"])
        if want != int(v):
            problems.append("M.%s = %s in capi.lua, LUPE_%s = %r in lupe.h" % (n, v, n, want))
    assert not problems, "\n".join(problems)
