"""ctypes declarations of the public C API (include/lupe.h).

Only this module knows the C layout; tests/test_header.py compares every
declaration here with include/lupe.h (function names, argument and return
types, struct fields in order, options versions and their *_INIT defaults)
and fails when they disagree.

The library is loaded on first use.  Where it is looked for, in order:

1. ``$LUPE_LIBRARY`` (a path, or a name for the dynamic loader), when set;
2. ``ctypes.util.find_library("lupe")`` (the ldconfig cache);
3. the ``libdir`` that ``pkg-config --variable=libdir lupe`` names (a
   ``meson install`` into a prefix the loader does not search);
4. ``liblupe.so.0`` through the loader's own search (``LD_LIBRARY_PATH``).

When none loads, :class:`LibraryNotFound` names every place that was tried.
Functions are looked up one by one when first called, so a liblupe that
lacks a newer function still imports; calling that function raises
:class:`Missing`.
"""
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int, c_int64,
                    c_size_t, c_ubyte, c_uint, c_uint32, c_uint64, c_void_p)
from typing import Any, Callable, Dict, List, Optional, Tuple

#: The major version of liblupe these declarations are written for.
VERSION_MAJOR = 0

OPEN_READ = 0x0
OPEN_WRITE = 0x1
OPEN_CREATE = 0x2
OPEN_BULK = 0x4
OPEN_WATCHED = 0x8

SEARCH_FUZZY = 0x1
SEARCH_EXPLAIN = 0x2
SEARCH_HTML = 0x4
SEARCH_PARTIAL = 0x8
SEARCH_EXACT = 0x10

SORT_RELEVANCE = 0
SORT_DATE_DESC = 1
SORT_DATE_ASC = 2

TOKEN_STOPWORD = 0x1
TOKEN_COMPLETED = 0x2

SYNC_HIDDEN = 0x1
SYNC_NO_IGNORE = 0x2
SYNC_KEEP_GONE = 0x4
SYNC_DRY_RUN = 0x8

# lupe_sync_event_kind
SYNC_SCANNED = 0
SYNC_FILE = 1
SYNC_REMOVED = 2
SYNC_WARNING = 3
SYNC_COMMITTING = 4


class Token(Structure):
    """lupe_token."""
    _fields_ = [("term", c_void_p), ("term_len", c_size_t),
                ("form", c_void_p), ("form_len", c_size_t),
                ("position", c_uint32),
                ("start", c_size_t), ("end", c_size_t),
                ("kind", c_int), ("flags", c_uint)]


class AnalyzerOptions(Structure):
    """lupe_analyzer_options."""
    _fields_ = [("version", c_uint), ("decompound", c_int)]


class OpenOptions(Structure):
    """lupe_open_options."""
    _fields_ = [("version", c_uint), ("flags", c_uint), ("decompound", c_int),
                ("batch_size", c_uint), ("timeout_ms", c_uint),
                ("threads", c_uint), ("batch_bytes", c_size_t),
                ("suggest_thread", c_int), ("bulk_segment_bytes", c_size_t)]


class Document(Structure):
    """lupe_document."""
    _fields_ = [("version", c_uint), ("id", c_char_p),
                ("title", c_char_p), ("title_len", c_size_t),
                ("text", c_char_p), ("text_len", c_size_t),
                ("source", c_char_p), ("path", c_char_p), ("date", c_char_p),
                ("mtime", c_int64)]


class Span(Structure):
    """lupe_span."""
    _fields_ = [("start", c_size_t), ("end", c_size_t)]


class Hit(Structure):
    """lupe_hit."""
    _fields_ = [("rank", c_size_t), ("id", c_char_p), ("title", c_char_p),
                ("score", c_double),
                ("source", c_char_p), ("path", c_char_p), ("date", c_char_p),
                ("snippet", c_void_p), ("snippet_len", c_size_t),
                ("highlights", POINTER(Span)), ("n_highlights", c_size_t),
                ("matches", POINTER(Span)), ("n_matches", c_size_t),
                ("mtime", c_int64), ("explain", c_char_p),
                ("highlight_kinds", POINTER(c_ubyte))]


class SearchOptions(Structure):
    """lupe_search_options."""
    _fields_ = [("version", c_uint), ("offset", c_size_t), ("limit", c_size_t),
                ("snippet_bytes", c_size_t), ("flags", c_uint), ("sort", c_int),
                ("facets", POINTER(c_char_p)), ("time_budget_ms", c_uint)]


class Facet(Structure):
    """lupe_facet."""
    _fields_ = [("value", c_char_p), ("count", c_uint64)]


class SyncEvent(Structure):
    """lupe_sync_event."""
    _fields_ = [("kind", c_int), ("path", c_char_p), ("message", c_char_p),
                ("done", c_uint64), ("total", c_uint64), ("bytes", c_uint64)]


#: lupe_sync_callback: int (*)(const lupe_sync_event *ev, void *ctx).
SyncCallback = CFUNCTYPE(c_int, POINTER(SyncEvent), c_void_p)


class SyncOptions(Structure):
    """lupe_sync_options."""
    _fields_ = [("version", c_uint), ("flags", c_uint),
                ("include", POINTER(c_char_p)), ("exclude", POINTER(c_char_p)),
                ("source", c_char_p), ("max_file_bytes", c_uint64),
                ("callback", SyncCallback), ("ctx", c_void_p)]


class SyncStats(Structure):
    """lupe_sync_stats."""
    _fields_ = [("files", c_uint64), ("added", c_uint64), ("updated", c_uint64),
                ("unchanged", c_uint64), ("removed", c_uint64), ("skipped", c_uint64),
                ("bytes", c_uint64), ("stopped", c_int)]


#: The C name of each mirrored struct (checked against lupe.h).
STRUCTS = {"lupe_token": Token, "lupe_analyzer_options": AnalyzerOptions,
           "lupe_open_options": OpenOptions, "lupe_document": Document,
           "lupe_span": Span, "lupe_hit": Hit, "lupe_search_options": SearchOptions,
           "lupe_facet": Facet, "lupe_sync_event": SyncEvent,
           "lupe_sync_options": SyncOptions, "lupe_sync_stats": SyncStats}

#: The C name of each mirrored function pointer type (checked against lupe.h).
CALLBACKS = {"lupe_sync_callback": SyncCallback}


# The *_INIT macros of lupe.h (the version is the struct's *_VERSION).
def analyzer_options() -> AnalyzerOptions:
    return AnalyzerOptions(1, 1)


def open_options() -> OpenOptions:
    return OpenOptions(4, OPEN_READ, 1, 2000, 5000, 0, 0, 1, 0)


def document() -> Document:
    return Document(1, None, None, 0, None, 0, None, None, None, 0)


def search_options() -> SearchOptions:
    return SearchOptions(2, 0, 10, 240, 0, SORT_RELEVANCE, None, 0)


def sync_options() -> SyncOptions:
    return SyncOptions(1, 0, None, None, None, 0)  # callback, ctx: NULL


#: C struct name -> the function that makes it as its *_INIT macro does.
INITS = {"lupe_analyzer_options": analyzer_options, "lupe_open_options": open_options,
         "lupe_document": document, "lupe_search_options": search_options,
         "lupe_sync_options": sync_options}

_P = c_void_p
# name: (restype, argtypes).  An opaque handle (lupe_db *, ...) is c_void_p,
# an out parameter for one (lupe_db **) POINTER(c_void_p).
SIGNATURES: Dict[str, Tuple[Any, List[Any]]] = {
    "lupe_strerror": (c_char_p, [c_int]),
    "lupe_version": (c_char_p, []),
    "lupe_analyzer_new": (c_int, [POINTER(_P), POINTER(AnalyzerOptions)]),
    "lupe_analyzer_free": (None, [_P]),
    "lupe_analyze": (c_int, [_P, POINTER(_P), c_char_p, c_size_t]),
    "lupe_tokens_count": (c_size_t, [_P]),
    "lupe_tokens_get": (POINTER(Token), [_P, c_size_t]),
    "lupe_tokens_free": (None, [_P]),
    "lupe_open": (c_int, [POINTER(_P), c_char_p, POINTER(OpenOptions), c_char_p, c_size_t]),
    "lupe_close": (None, [_P]),
    "lupe_errmsg": (c_char_p, [_P]),
    "lupe_doc_count": (c_int, [_P, POINTER(c_uint64)]),
    "lupe_add": (c_int, [_P, POINTER(Document)]),
    "lupe_delete": (c_int, [_P, c_char_p]),
    "lupe_commit": (c_int, [_P]),
    "lupe_compact": (c_int, [_P]),
    "lupe_acknowledge_loss": (c_int, [_P]),
    "lupe_check": (c_int, [c_char_p, c_char_p, c_size_t]),
    "lupe_search": (c_int, [_P, POINTER(_P), c_char_p, c_size_t, POINTER(SearchOptions)]),
    "lupe_results_count": (c_size_t, [_P]),
    "lupe_results_total": (c_uint64, [_P, POINTER(c_int)]),
    "lupe_highlight_kind_name": (c_char_p, [c_int]),
    "lupe_results_total_bounds": (c_int, [_P, POINTER(c_uint64), POINTER(c_uint64)]),
    "lupe_results_hit": (POINTER(Hit), [_P, c_size_t]),
    "lupe_results_suggestion": (c_char_p, [_P]),
    "lupe_results_partial": (c_int, [_P]),
    "lupe_results_facet": (POINTER(Facet), [_P, c_char_p, POINTER(c_size_t)]),
    "lupe_results_free": (None, [_P]),
    "lupe_like": (c_int, [_P, POINTER(_P), c_char_p, POINTER(SearchOptions)]),
    "lupe_get_mtime": (c_int, [_P, c_char_p, POINTER(c_int64)]),
    "lupe_list_ids": (c_int, [_P, POINTER(_P), c_char_p]),
    "lupe_strings_count": (c_size_t, [_P]),
    "lupe_strings_get": (c_char_p, [_P, c_size_t]),
    "lupe_strings_free": (None, [_P]),
    "lupe_sync_path": (c_int, [_P, c_char_p, POINTER(SyncOptions), POINTER(SyncStats)]),
    "lupe_sync_prune": (c_int, [_P, POINTER(SyncOptions), POINTER(SyncStats)]),
}
_SIGNATURES = SIGNATURES  # the old name


class Missing(Exception):
    """A function of lupe.h that the loaded library does not export."""


class LibraryNotFound(OSError):
    """No usable liblupe was found; the message names every place tried."""


def _pkg_config_libdir() -> Optional[str]:
    exe = shutil.which("pkg-config")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "--variable=libdir", "lupe"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    d = out.stdout.strip()
    return d if out.returncode == 0 and d else None


def candidates() -> List[Tuple[str, Optional[str]]]:
    """The places liblupe is looked for, in order: (how, path or None)."""
    env = os.environ.get("LUPE_LIBRARY")
    if env:
        # An explicit choice: nothing else is tried, so a wrong path is
        # reported instead of silently loading some other liblupe.
        return [("$LUPE_LIBRARY", env)]
    out: List[Tuple[str, Optional[str]]] = [
        ('ctypes.util.find_library("lupe") (ldconfig)', ctypes.util.find_library("lupe"))]
    d = _pkg_config_libdir()
    out.append(("pkg-config --variable=libdir lupe",
                os.path.join(d, "liblupe.so.%d" % VERSION_MAJOR) if d else None))
    out.append(("the dynamic loader's path (LD_LIBRARY_PATH)", "liblupe.so.%d" % VERSION_MAJOR))
    return out


def _major(version: bytes) -> Optional[int]:
    try:
        return int(version.split(b".")[0])
    except (ValueError, IndexError):
        return None


def load_library() -> Tuple[ctypes.CDLL, str]:
    """Load liblupe; returns (library, path).  LibraryNotFound when none fits."""
    tried = []
    for how, path in candidates():
        if not path:
            tried.append("%s: nothing found" % how)
            continue
        try:
            dll = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s: %s: %s" % (how, path, e))
            continue
        try:
            fn = dll.lupe_version
        except AttributeError:
            tried.append("%s: %s: not liblupe (no lupe_version)" % (how, path))
            continue
        fn.restype, fn.argtypes = c_char_p, []
        v = fn() or b""
        if _major(v) != VERSION_MAJOR:
            tried.append("%s: %s: liblupe %s, but this binding needs %d.x"
                         % (how, path, v.decode("ascii", "replace"), VERSION_MAJOR))
            continue
        return dll, path
    raise LibraryNotFound("lupe: cannot load liblupe; tried:\n  " + "\n  ".join(tried)
                          + "\n(install liblupe, or set LUPE_LIBRARY to the path of liblupe.so)")


class _Lib:
    """The loaded library; attributes are its functions with their types set."""

    def __init__(self) -> None:
        self._dll: Optional[ctypes.CDLL] = None
        self.path: Optional[str] = None
        self._funcs: Dict[str, Callable[..., Any]] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._funcs[name]
        except KeyError:
            pass
        with self._lock:
            if self._dll is None:
                self._dll, self.path = load_library()
            try:
                fn = getattr(self._dll, name)
            except AttributeError:
                raise Missing(name) from None
            fn.restype, fn.argtypes = SIGNATURES[name]
            self._funcs[name] = fn
            return fn

    def load(self) -> str:
        """Load the library now; returns its path."""
        self.lupe_version
        assert self.path is not None
        return self.path

    def has(self, name: str) -> bool:
        try:
            getattr(self, name)
            return True
        except Missing:
            return False


lib = _Lib()
