"""ctypes declarations of the public C API (include/lupe.h).

Only this module knows the C layout.  The library is loaded on first use,
from $LUPE_LIBRARY when set, else from the system path as liblupe.so.0.
Functions are looked up one by one when first called, so a liblupe that
lacks a newer function still imports; calling that function raises
lupe.Error("not available in this liblupe").
"""
import ctypes
import os
import threading
from ctypes import (POINTER, Structure, c_char_p, c_double, c_int, c_int64,
                    c_size_t, c_ubyte, c_uint, c_uint32, c_uint64, c_void_p)

OPEN_READ = 0x0
OPEN_WRITE = 0x1
OPEN_CREATE = 0x2
OPEN_BULK = 0x4

SEARCH_FUZZY = 0x1
SEARCH_HTML = 0x4
SEARCH_PARTIAL = 0x8

SORT_RELEVANCE = 0
SORT_DATE_DESC = 1
SORT_DATE_ASC = 2

TOKEN_STOPWORD = 0x1


class Token(Structure):
    _fields_ = [("term", c_void_p), ("term_len", c_size_t),
                ("form", c_void_p), ("form_len", c_size_t),
                ("position", c_uint32),
                ("start", c_size_t), ("end", c_size_t),
                ("kind", c_int), ("flags", c_uint)]


class AnalyzerOptions(Structure):
    _fields_ = [("version", c_uint), ("decompound", c_int)]


class OpenOptions(Structure):
    # lupe_open_options version 3
    _fields_ = [("version", c_uint), ("flags", c_uint), ("decompound", c_int),
                ("batch_size", c_uint), ("timeout_ms", c_uint),
                ("threads", c_uint), ("batch_bytes", c_size_t)]


class Document(Structure):
    _fields_ = [("version", c_uint), ("id", c_char_p),
                ("title", c_char_p), ("title_len", c_size_t),
                ("text", c_char_p), ("text_len", c_size_t),
                ("source", c_char_p), ("path", c_char_p), ("date", c_char_p),
                ("mtime", c_int64)]


class Span(Structure):
    _fields_ = [("start", c_size_t), ("end", c_size_t)]


class Hit(Structure):
    _fields_ = [("rank", c_size_t), ("id", c_char_p), ("title", c_char_p),
                ("score", c_double),
                ("source", c_char_p), ("path", c_char_p), ("date", c_char_p),
                ("snippet", c_void_p), ("snippet_len", c_size_t),
                ("highlights", POINTER(Span)), ("n_highlights", c_size_t),
                ("matches", POINTER(Span)), ("n_matches", c_size_t),
                ("mtime", c_int64), ("explain", c_char_p),
                ("highlight_kinds", POINTER(c_ubyte))]


class SearchOptions(Structure):
    _fields_ = [("version", c_uint), ("offset", c_size_t), ("limit", c_size_t),
                ("snippet_bytes", c_size_t), ("flags", c_uint), ("sort", c_int),
                ("facets", POINTER(c_char_p))]


class Facet(Structure):
    _fields_ = [("value", c_char_p), ("count", c_uint64)]


# The *_INIT macros of lupe.h.
def analyzer_options():
    return AnalyzerOptions(1, 1)


def open_options():
    return OpenOptions(3, OPEN_READ, 1, 2000, 5000, 0, 0)


def document():
    return Document(1, None, None, 0, None, 0, None, None, None, 0)


def search_options():
    return SearchOptions(1, 0, 10, 240, 0, SORT_RELEVANCE, None)


_P = c_void_p
# name: (restype, argtypes)
_SIGNATURES = {
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
}


class Missing(Exception):
    """A function of lupe.h that the loaded library does not export."""


class _Lib:
    def __init__(self):
        self._dll = None
        self._funcs = {}
        self._lock = threading.Lock()

    def _load(self):
        path = os.environ.get("LUPE_LIBRARY") or "liblupe.so.0"
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            raise OSError("lupe: cannot load %s (set LUPE_LIBRARY to the path of "
                          "liblupe.so): %s" % (path, e)) from None

    def __getattr__(self, name):
        try:
            return self._funcs[name]
        except KeyError:
            pass
        with self._lock:
            if self._dll is None:
                self._dll = self._load()
            try:
                fn = getattr(self._dll, name)
            except AttributeError:
                raise Missing(name) from None
            fn.restype, fn.argtypes = _SIGNATURES[name]
            self._funcs[name] = fn
            return fn

    def has(self, name):
        try:
            getattr(self, name)
            return True
        except Missing:
            return False


lib = _Lib()
