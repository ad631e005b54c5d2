"""lupe: full-text search for German text (Python binding of liblupe).

A thin ctypes client of the public C API.  Text goes in and comes out as
str; offsets are given both as character offsets into the Python str and
as the library's byte offsets (``*_bytes``).

    import lupe
    with lupe.Database("/tmp/idx", create=True) as db:
        db.add("a", title="Haus", text="Die Überstunden häufen sich.")
        db.commit()
        for hit in db.search("Überstunden"):
            print(hit.rank, hit.id, hit.snippet)
"""
import bisect
import ctypes
import os
import threading
from typing import (Callable, Dict, Iterable, Iterator, List, Mapping, NamedTuple,
                    Optional, Sequence, Tuple, Union)

from . import _capi
from ._capi import lib

__all__ = [
    "Database", "Results", "Hit", "Token", "Analyzer", "analyze", "version",
    "Error", "NotFoundError", "LockedError", "NotLupeError", "CorruptError",
    "IOFailureError", "NoMemoryError", "QueryError", "InvalidError",
    "ReadOnlyError", "NetworkError", "InternalError", "LibraryNotFound", "library_path",
    "char_spans", "SORTS", "LostError", "BusyError", "SearchTimeoutError", "HungError",
    "SyncEvent", "SyncStats",
]

#: Raised (an OSError) when no usable liblupe is found; names what was tried.
LibraryNotFound = _capi.LibraryNotFound

StrOrBytes = Union[str, bytes]
PathLike = Union[str, bytes, "os.PathLike[str]"]
Span = Tuple[int, int]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class Error(Exception):
    """A failure reported by liblupe; .status is the negative LUPE_E* code."""

    status: Optional[int] = None

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotFoundError(Error):
    """No such database or document (LUPE_ENOTFOUND)."""
    status = -1


class LockedError(Error):
    """Another writer holds the index (LUPE_ELOCKED)."""
    status = -2


class NotLupeError(Error):
    """The path holds something that is not a lupe index (LUPE_ENOTLUPE)."""
    status = -3


class CorruptError(Error):
    """The index is damaged (LUPE_ECORRUPT)."""
    status = -4


class IOFailureError(Error):
    """Reading or writing failed (LUPE_EIO)."""
    status = -5


class NoMemoryError(Error):
    """Out of memory (LUPE_ENOMEM)."""
    status = -6


class QueryError(Error):
    """The query could not be understood (LUPE_EQUERY)."""
    status = -7


class InvalidError(Error):
    """A bad argument (LUPE_EINVAL)."""
    status = -8


class ReadOnlyError(Error):
    """A write call on a read-only handle (LUPE_EREADONLY)."""
    status = -9


class NetworkError(Error):
    """A remote shard failed or timed out (LUPE_ENETWORK)."""
    status = -10


class InternalError(Error):
    """A bug in liblupe (LUPE_EINTERNAL)."""
    status = -11


class LostError(Error):
    """A failed commit lost the uncommitted changes; Database.acknowledge_loss(), then add them again."""
    status = -12


class BusyError(Error):
    """The index kept changing while being read; try again."""
    status = -13


class SearchTimeoutError(Error):
    """A search ran out of its time budget (time_budget_ms)."""
    status = -14


class HungError(Error):
    """A search never returned (a damaged index can make a lookup loop): the
    handle is given up; close it and open the index again (LUPE_EHUNG)."""
    status = -15


_ERRORS = {cls.status: cls for cls in (
    NotFoundError, LockedError, NotLupeError, CorruptError, IOFailureError,
    NoMemoryError, QueryError, InvalidError, ReadOnlyError, NetworkError,
    InternalError, LostError, BusyError, SearchTimeoutError, HungError)}


def _decode(b: Optional[bytes]) -> Optional[str]:
    return b.decode("utf-8", "replace") if b is not None else None


def _decode_id(b: Optional[bytes]) -> str:
    """An id as Python's file names are: bytes that are not UTF-8 become
    lone surrogates (surrogateescape), so that _id() gives them back and
    delete(), mtime() and `in` find the document."""
    return b.decode("utf-8", "surrogateescape") if b is not None else ""


def _id(s: object) -> Optional[bytes]:
    """An id for the C API: what _decode_id made of bytes goes back to them."""
    if isinstance(s, str):
        try:
            s = s.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            pass  # other lone surrogates: _cstr's surrogatepass
    return _cstr(s, "id")


def _error(status: int, message: Optional[str] = None) -> Error:
    if not message:
        message = _decode(lib.lupe_strerror(status)) or "error %d" % status
    return _ERRORS.get(status, Error)(message, status)


def _fn(name: str) -> Callable[..., object]:
    """The C function `name`, or lupe.Error when this liblupe lacks it."""
    try:
        return getattr(lib, name)
    except _capi.Missing:
        raise Error("not available in this liblupe (%s)" % name) from None


def _cstr(s: object, what: str) -> Optional[bytes]:
    """A NUL-terminated field: str -> UTF-8 bytes, refusing inner NULs."""
    if s is None:
        return None
    if isinstance(s, os.PathLike):
        s = os.fspath(s)
    if isinstance(s, bytes):
        b = s
    else:
        b = str(s).encode("utf-8", "surrogatepass")
    if b"\0" in b:
        raise InvalidError("%s must not contain NUL characters" % what, -8)
    return b


def _text(s: Optional[StrOrBytes]) -> Optional[bytes]:
    """A length-counted field: NUL characters survive."""
    if s is None:
        return None
    if isinstance(s, bytes):
        return s
    return str(s).encode("utf-8", "surrogatepass")


def version() -> str:
    """The version of the loaded liblupe, e.g. "0.1.0"."""
    return _decode(lib.lupe_version()) or ""


def library_path() -> str:
    """The path (or loader name) of the liblupe in use, loading it if needed.

    LibraryNotFound, naming every place tried, when there is none."""
    return lib.load()


# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Byte offsets -> character offsets
# ---------------------------------------------------------------------------


class _Offsets:
    """Maps byte offsets in s.encode('utf-8', 'surrogatepass') to indexes in s."""

    def __init__(self, s: str, nbytes: int) -> None:
        self._ascii = len(s) == nbytes
        if not self._ascii:
            starts = []
            pos = 0
            for ch in s:
                starts.append(pos)
                o = ord(ch)
                pos += 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
            starts.append(pos)
            self._starts = starts

    def char(self, byte_off: int) -> int:
        if self._ascii:
            return byte_off
        # An offset inside a character counts as that character's start.
        return bisect.bisect_right(self._starts, byte_off) - 1

    def span(self, start: int, end: int) -> Span:
        return (self.char(start), self.char(end))


def char_spans(text: str, byte_spans: Iterable[Span]) -> List[Span]:
    """Turn byte spans into the UTF-8 of `text` into character spans of `text`."""
    b = _text(text) or b""
    m = _Offsets(text, len(b))
    return [m.span(s, e) for s, e in byte_spans]


# ---------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------

_KINDS = ("word", "number", "url", "email", "joined", "part")


class Token(NamedTuple):
    """One index term.

    start/end are character offsets into the analysed str (byte offsets
    when bytes were analysed), start_byte/end_byte the library's byte
    offsets into its UTF-8.  kind is one of "word", "number", "url",
    "email", "joined", "part"."""
    term: str
    form: str
    position: int
    start: int
    end: int
    kind: Union[str, int]
    stopword: bool
    start_byte: int
    end_byte: int


def _check_text(text: object, what: str) -> None:
    if not isinstance(text, (str, bytes)):
        raise TypeError("%s must be str or bytes, not %s" % (what, type(text).__name__))


class Analyzer:
    """A reusable analyzer (the same code path that indexes and queries).

    Thread-safe (calls are serialised); close() or a with-block frees it."""

    def __init__(self, decompound: bool = True) -> None:
        self._h: Optional[ctypes.c_void_p] = None
        opts = _capi.analyzer_options()
        opts.decompound = 1 if decompound else 0
        h = ctypes.c_void_p()
        st = lib.lupe_analyzer_new(ctypes.byref(h), ctypes.byref(opts))
        if st:
            raise _error(st)
        self._h = h
        self._lock = threading.Lock()

    def analyze(self, text: StrOrBytes) -> List[Token]:
        """The index terms of `text`, in text order (see Token)."""
        _check_text(text, "text")
        b = _text(text) or b""
        toks = ctypes.c_void_p()
        with self._lock:
            if self._h is None:
                raise InvalidError("analyzer is closed", -8)
            st = lib.lupe_analyze(self._h, ctypes.byref(toks), b, len(b))
            if st:
                raise _error(st)
            try:
                # bytes in, byte offsets out; str in, character offsets.
                offs = _Offsets(text, len(b)) if isinstance(text, str) else None
                out = []
                for i in range(lib.lupe_tokens_count(toks)):
                    t = lib.lupe_tokens_get(toks, i).contents
                    term = ctypes.string_at(t.term, t.term_len).decode("utf-8", "replace")
                    form = ctypes.string_at(t.form, t.form_len).decode("utf-8", "replace")
                    if offs is not None:
                        cs, ce = offs.span(t.start, t.end)
                    else:
                        cs, ce = t.start, t.end
                    kind = _KINDS[t.kind] if 0 <= t.kind < len(_KINDS) else t.kind
                    out.append(Token(term, form, t.position, cs, ce, kind,
                                     bool(t.flags & _capi.TOKEN_STOPWORD), t.start, t.end))
                return out
            finally:
                lib.lupe_tokens_free(toks)

    def close(self) -> None:
        """Free the analyzer.  Idempotent."""
        with self._lock:
            if self._h is not None:
                lib.lupe_analyzer_free(self._h)
                self._h = None

    def __enter__(self) -> "Analyzer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


_default_analyzer: Optional[Analyzer] = None
_default_lock = threading.Lock()


def analyze(text: StrOrBytes, decompound: bool = True) -> List[Token]:
    """Analyse German text into a list of Token (see Token)."""
    global _default_analyzer
    if not decompound:
        with Analyzer(decompound=False) as an:
            return an.analyze(text)
    with _default_lock:
        if _default_analyzer is None:
            _default_analyzer = Analyzer()
    return _default_analyzer.analyze(text)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


class Hit:
    """One search result, copied out of the library.

    highlights are character offsets into .snippet, highlights_bytes the
    library's byte offsets into its UTF-8, highlight_kinds what each one
    matched ("exact", "stem", "part" or "typo", named by the library).  matches_bytes are byte offsets
    into the document's body as indexed (best passage first); liblupe does
    not hand the body back, so .matches (character offsets) is filled only
    for documents whose body this process can see: pass the body to
    matches_in(), or search with bodies=... (see Database.search).
    explain says which terms matched where, when searched with explain=True
    (else None)."""

    __slots__ = ("rank", "id", "title", "score", "source", "path", "date",
                 "mtime", "snippet", "highlights", "highlights_bytes", "highlight_kinds",
                 "matches", "matches_bytes", "explain")

    rank: int
    id: str
    title: str
    score: float
    source: Optional[str]
    path: Optional[str]
    date: Optional[str]
    mtime: Optional[int]
    snippet: str
    highlights: List[Span]
    highlights_bytes: List[Span]
    highlight_kinds: List[str]
    matches: Optional[List[Span]]
    matches_bytes: List[Span]
    explain: Optional[str]

    def __init__(self, h: _capi.Hit) -> None:
        self.rank = h.rank
        self.id = _decode_id(h.id)
        self.title = _decode(h.title) or ""
        self.score = h.score
        self.source = _decode(h.source) or None
        self.path = _decode(h.path) or None
        self.date = _decode(h.date) or None
        self.mtime = h.mtime or None
        sb = ctypes.string_at(h.snippet, h.snippet_len) if h.snippet else b""
        self.snippet = sb.decode("utf-8", "replace")
        self.highlights_bytes = [(h.highlights[i].start, h.highlights[i].end)
                                 for i in range(h.n_highlights)]
        offs = _Offsets(self.snippet, len(sb))
        self.highlights = [offs.span(s, e) for s, e in self.highlights_bytes]
        kinds = h.highlight_kinds
        self.highlight_kinds = [(_decode(lib.lupe_highlight_kind_name(kinds[i])) or "") if kinds else ""
                                for i in range(h.n_highlights)]
        self.matches_bytes = [(h.matches[i].start, h.matches[i].end)
                              for i in range(h.n_matches)]
        self.matches = None
        self.explain = _decode(h.explain)

    def matches_in(self, body: str) -> List[Span]:
        """Character offsets of the matches in `body`, the str that was indexed."""
        return char_spans(body, self.matches_bytes)

    def __repr__(self) -> str:
        return "<lupe.Hit %d %r %.3f>" % (self.rank, self.id, self.score)


class Results:
    """A page of hits (iterable, indexable) plus what is known about all of them.

    total is the number of matching documents, exact when exact is True,
    else an estimate between total_min and total_max (equal to it when
    exact; never below the hits handed out so far), suggestion a spelling
    suggestion or None, partial whether a shard failed and the hits come
    from the others (see Database.search(partial=True)), facets {field:
    {value: count}} most frequent first."""

    hits: List[Hit]
    total: int
    exact: bool
    total_min: int
    total_max: int
    suggestion: Optional[str]
    partial: bool
    facets: Dict[str, Dict[str, int]]

    def __init__(self, res: ctypes.c_void_p, facets: Optional[Sequence[str]]) -> None:
        n = lib.lupe_results_count(res)
        self.hits = [Hit(lib.lupe_results_hit(res, i).contents) for i in range(n)]
        exact = ctypes.c_int(0)
        self.total = lib.lupe_results_total(res, ctypes.byref(exact))
        self.exact = bool(exact.value)
        tmin, tmax = ctypes.c_uint64(0), ctypes.c_uint64(0)
        lib.lupe_results_total_bounds(res, ctypes.byref(tmin), ctypes.byref(tmax))
        self.total_min, self.total_max = tmin.value, tmax.value
        self.suggestion = _decode(_fn("lupe_results_suggestion")(res))  # type: ignore
        self.partial = bool(lib.lupe_results_partial(res))
        self.facets = {}
        for field in facets or ():
            nf = ctypes.c_size_t(0)
            arr = _fn("lupe_results_facet")(res, _cstr(field, "facet"), ctypes.byref(nf))
            self.facets[field] = {_decode(arr[i].value) or "": arr[i].count  # type: ignore
                                  for i in range(nf.value)}

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i: int) -> Hit:
        return self.hits[i]

    def __repr__(self) -> str:
        return "<lupe.Results %d of %d>" % (len(self.hits), self.total)


#: The sort orders, named as lupe-search's --sort names them.  The older
#: underscore spellings ("date_asc") are accepted too.
SORTS = {"relevance": _capi.SORT_RELEVANCE, "date": _capi.SORT_DATE_DESC,
         "date-desc": _capi.SORT_DATE_DESC, "date-asc": _capi.SORT_DATE_ASC}


def _sort_code(sort: str) -> int:
    if not isinstance(sort, str):
        raise TypeError("sort must be a str (one of %s), not %s"
                        % (", ".join(SORTS), type(sort).__name__))
    try:
        return SORTS[sort.replace("_", "-")]
    except KeyError:
        raise InvalidError("sort must be one of %s, not %r" % (", ".join(SORTS), sort),
                           -8) from None


def _search_options(limit: int, offset: int, fuzzy: bool, sort: str,
                    facets: Union[None, str, Iterable[str]], html: bool, partial: bool,
                    snippet_bytes: Optional[int], explain: bool
                    ) -> Tuple[_capi.SearchOptions, object, Optional[List[str]]]:
    opts = _capi.search_options()
    for name, v in (("limit", limit), ("offset", offset)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError("%s must be an int, not %s" % (name, type(v).__name__))
    if limit < 0 or offset < 0:
        raise InvalidError("limit and offset must not be negative", -8)
    opts.limit = limit
    opts.offset = offset
    if snippet_bytes is not None:
        opts.snippet_bytes = snippet_bytes
    opts.flags = ((_capi.SEARCH_FUZZY if fuzzy else 0) | (_capi.SEARCH_HTML if html else 0)
                  | (_capi.SEARCH_PARTIAL if partial else 0)
                  | (_capi.SEARCH_EXPLAIN if explain else 0))
    opts.sort = _sort_code(sort)
    keep = None
    flist: Optional[List[str]] = None
    if facets:
        flist = [facets] if isinstance(facets, str) else list(facets)
        keep = (ctypes.c_char_p * (len(flist) + 1))(*[_cstr(f, "facet") for f in flist], None)
        opts.facets = ctypes.cast(keep, ctypes.POINTER(ctypes.c_char_p))
    return opts, keep, flist


# ---------------------------------------------------------------------------
# Folder sync
# ---------------------------------------------------------------------------

_SYNC_KINDS = {_capi.SYNC_SCANNED: "scanned", _capi.SYNC_FILE: "file",
               _capi.SYNC_REMOVED: "removed", _capi.SYNC_WARNING: "warning",
               _capi.SYNC_COMMITTING: "committing"}


class SyncEvent(NamedTuple):
    """One step of Database.sync()/prune(), as the progress callback sees it.

    kind is "scanned" (the walk is done: total files to consider), "file"
    (a file was considered; message "added", "updated" or "unchanged"),
    "removed" (the document path was deleted), "warning" (path was skipped
    or read only in part; message says why) or "committing" (the final
    commit begins).  path is the file system's name decoded as os.fsdecode
    does (undecodable bytes become surrogates), or None; done and total
    count files (total is 0 before the walk ends); bytes were read so far."""
    kind: str
    path: Optional[str]
    message: Optional[str]
    done: int
    total: int
    bytes: int


class SyncStats(NamedTuple):
    """What Database.sync()/prune() did.

    files considered (after the ignore rules), added (new ids), updated
    (changed files read again), unchanged (not read: same size and mtime),
    removed (documents of files gone or now ignored), skipped (left out with
    a warning), bytes read, and stopped (the progress callback asked to
    stop)."""
    files: int
    added: int
    updated: int
    unchanged: int
    removed: int
    skipped: int
    bytes: int
    stopped: bool


def _stats(st: _capi.SyncStats) -> SyncStats:
    return SyncStats(st.files, st.added, st.updated, st.unchanged, st.removed, st.skipped,
                     st.bytes, bool(st.stopped))


def _globs(globs: Union[str, Iterable[str]], what: str) -> Optional[ctypes.Array]:  # type: ignore
    if isinstance(globs, (str, bytes)):
        globs = [globs]  # type: ignore[list-item]
    items = [_cstr(g, what) for g in globs]
    if not items:
        return None
    return (ctypes.c_char_p * (len(items) + 1))(*items, None)


SyncProgress = Callable[[SyncEvent], Optional[bool]]


class _SyncRun:
    """The options of one sync and the C callback that calls `progress`.

    An exception raised by `progress` is kept, the sync is asked to stop
    (what was done is committed), and the exception is raised again once
    the C call has returned: it never unwinds through C."""

    def __init__(self, flags: int, include: Union[str, Iterable[str]],
                 exclude: Union[str, Iterable[str]], source: Optional[str],
                 max_file_bytes: Optional[int], progress: Optional[SyncProgress]) -> None:
        self.opts = _capi.sync_options()
        self.opts.flags = flags
        self._inc = _globs(include, "include glob")
        self._exc = _globs(exclude, "exclude glob")
        if self._inc is not None:
            self.opts.include = ctypes.cast(self._inc, ctypes.POINTER(ctypes.c_char_p))
        if self._exc is not None:
            self.opts.exclude = ctypes.cast(self._exc, ctypes.POINTER(ctypes.c_char_p))
        self.opts.source = _cstr(source, "source")
        if max_file_bytes is not None:
            if not isinstance(max_file_bytes, int) or isinstance(max_file_bytes, bool):
                raise TypeError("max_file_bytes must be an int, not %s"
                                % type(max_file_bytes).__name__)
            if max_file_bytes <= 0:
                raise InvalidError("max_file_bytes must be positive", -8)
            self.opts.max_file_bytes = max_file_bytes
        self.error: Optional[BaseException] = None
        self._progress = progress
        if progress is not None:
            if not callable(progress):
                raise TypeError("progress must be callable, not %s" % type(progress).__name__)
            self._cb = _capi.SyncCallback(self._call)  # kept alive for the C call
            self.opts.callback = self._cb

    def _call(self, ev_p: "ctypes._Pointer[_capi.SyncEvent]", ctx: object) -> int:
        try:
            ev = ev_p.contents
            path = os.fsdecode(ev.path) if ev.path is not None else None
            e = SyncEvent(_SYNC_KINDS.get(ev.kind, str(ev.kind)), path,  # type: ignore
                          _decode(ev.message), ev.done, ev.total, ev.bytes)
            assert self._progress is not None
            return 1 if self._progress(e) is False else 0
        except BaseException as exc:  # noqa: B036 - even KeyboardInterrupt stops the sync
            if self.error is None:
                self.error = exc
            return 1

    def finish(self, db: "Database", status: int, stats: _capi.SyncStats) -> SyncStats:
        out = _stats(stats)
        if self.error is not None:
            err, self.error = self.error, None
            raise err
        if status:
            e = _error(status, _decode(lib.lupe_errmsg(db._h)))
            e.stats = out  # type: ignore[attr-defined]
            raise e
        return out


# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------

Bodies = Union[Mapping[str, str], Callable[[Hit], Optional[str]]]


class Database:
    """An open lupe index.

    Database(path) opens read-only, writable=True for writing (LockedError
    when another writer has it), create=True writable and created if
    missing.  Use it as a context manager or call close(): closing a writer
    commits what is pending, as liblupe does.

    For a writer: threads (analysis or bulk threads; 0 or None: as many as
    the machine has cores, at most 4; 1: none), batch_size (documents) and
    batch_bytes (bytes of text) before an automatic commit, and bulk=True to
    load a new, empty index on all threads at once (the load ends at
    commit() or close(); readers see nothing of it until then).  timeout_ms
    bounds waits on remote shards.

    A reader runs its searches on a thread of its own and gives a search
    up when it has not returned by its time budget and as much again (at
    most 2 s more): HungError, after which the Database is unusable (a
    damaged index can make a lookup loop; check it, open it again).

    One Database may be used by one thread at a time."""

    path: str
    writable: bool

    def __init__(self, path: PathLike, create: bool = False, writable: bool = False,
                 decompound: bool = True, batch_size: Optional[int] = None,
                 timeout_ms: Optional[int] = None, threads: Optional[int] = None,
                 batch_bytes: Optional[int] = None, bulk: bool = False) -> None:
        self._h: Optional[ctypes.c_void_p] = None
        if path is None:
            raise TypeError("path must be a str or os.PathLike naming the index, not None")
        opts = _capi.open_options()
        # A reader's searches run on a watched thread: a lookup that never
        # returns (a damaged index) raises HungError instead of hanging.
        opts.flags = (_capi.OPEN_WRITE | _capi.OPEN_CREATE if create else
                      _capi.OPEN_WRITE if writable else _capi.OPEN_READ | _capi.OPEN_WATCHED)
        if bulk:
            if not (create or writable):
                raise InvalidError("bulk=True needs a writer (create=True or writable=True)")
            opts.flags |= _capi.OPEN_BULK
        opts.decompound = 1 if decompound else 0
        if batch_size is not None:
            opts.batch_size = batch_size
        if timeout_ms is not None:
            opts.timeout_ms = timeout_ms
        if threads is not None:
            opts.threads = threads
        if batch_bytes is not None:
            opts.batch_bytes = batch_bytes
        p = os.fspath(path)
        self.path = p.decode("utf-8", "surrogateescape") if isinstance(p, bytes) else p
        msg = ctypes.create_string_buffer(1024)
        h = ctypes.c_void_p()
        st = lib.lupe_open(ctypes.byref(h), _cstr(p, "path"), ctypes.byref(opts),
                           msg, len(msg))
        if st:
            raise _error(st, _decode(msg.value))
        self._h = h
        self.writable = bool(opts.flags & _capi.OPEN_WRITE)

    # -- lifecycle --

    def close(self) -> None:
        """Close the handle (a writer commits pending changes first).  Idempotent."""
        if self._h is not None:
            h, self._h = self._h, None
            lib.lupe_close(h)

    @property
    def closed(self) -> bool:
        """Whether close() has been called."""
        return self._h is None

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def _handle(self) -> ctypes.c_void_p:
        if self._h is None:
            raise InvalidError("database is closed", -8)
        return self._h

    def _check(self, st: int) -> None:
        if st:
            raise _error(st, _decode(lib.lupe_errmsg(self._h)))

    # -- documents --

    def add(self, id: str, title: Optional[StrOrBytes] = None, text: Optional[StrOrBytes] = None,
            source: Optional[str] = None, path: Optional[str] = None,
            date: Optional[str] = None, mtime: Optional[int] = None) -> None:
        """Add the document `id`, or replace the one with that id.

        date is ISO 8601 (YYYY-MM-DD[THH:MM[:SS]]); mtime the source file's
        modification time in seconds.  Visible to searches after commit()."""
        h = self._handle()
        if id is None:
            raise TypeError("id must be a str, not None")
        doc = _capi.document()
        doc.id = _id(id)
        t = _text(title)
        if t is not None:
            doc.title, doc.title_len = t, len(t)
        b = _text(text)
        if b is not None:
            doc.text, doc.text_len = b, len(b)
        doc.source = _cstr(source, "source")
        doc.path = _cstr(path, "path")
        doc.date = _cstr(date, "date")
        if mtime:
            doc.mtime = int(mtime)
        self._check(lib.lupe_add(h, ctypes.byref(doc)))

    def delete(self, id: str) -> None:
        """Delete the document `id`; NotFoundError when there is none."""
        self._check(lib.lupe_delete(self._handle(), _id(id)))

    def commit(self) -> None:
        """Make every change since the last commit durable, atomically."""
        self._check(lib.lupe_commit(self._handle()))

    def compact(self) -> None:
        """Commit, then rewrite the index compactly (a local index, writer only)."""
        self._check(_fn("lupe_compact")(self._handle()))  # type: ignore

    def acknowledge_loss(self) -> None:
        """After a failed commit (LostError): end the lost state; add the lost documents again."""
        self._check(_fn("lupe_acknowledge_loss")(self._handle()))  # type: ignore

    def count(self) -> int:
        """The number of documents (committed, plus pending ones on a writer)."""
        n = ctypes.c_uint64(0)
        self._check(lib.lupe_doc_count(self._handle(), ctypes.byref(n)))
        return n.value

    __len__ = count

    def mtime(self, id: str) -> int:
        """The mtime stored with document `id` (0 when none); NotFoundError if missing."""
        out = ctypes.c_int64(0)
        self._check(lib.lupe_get_mtime(self._handle(), _id(id), ctypes.byref(out)))
        return out.value

    def ids(self, prefix: str = "") -> List[str]:
        """The sorted ids of all documents whose id starts with `prefix`."""
        s = ctypes.c_void_p()
        self._check(lib.lupe_list_ids(self._handle(), ctypes.byref(s), _id(prefix)))
        try:
            return [_decode_id(lib.lupe_strings_get(s, i))
                    for i in range(lib.lupe_strings_count(s))]
        finally:
            lib.lupe_strings_free(s)

    def __contains__(self, id: object) -> bool:
        try:
            self.mtime(id)  # type: ignore[arg-type]
            return True
        except NotFoundError:
            return False

    # -- folder sync --

    def sync(self, path: PathLike, *, include: Union[str, Iterable[str]] = (),
             exclude: Union[str, Iterable[str]] = (), hidden: bool = False,
             no_ignore: bool = False, keep_gone: bool = False, dry_run: bool = False,
             source: Optional[str] = None, max_file_bytes: Optional[int] = None,
             progress: Optional[SyncProgress] = None) -> SyncStats:
        """Make the index hold exactly the files under `path` (liblupe's
        lupe_sync_path, the same sync `lupe-index DIR` runs), then commit.

        New and changed files are read and added, unchanged ones (same size
        and mtime) are not read, and documents of files gone or now ignored
        under `path` are deleted (keep_gone=True keeps them).  Ids, and
        Hit.path, are absolute canonical paths, however `path` is written.
        Hidden files and folders, .git, and what .gitignore/.ignore files
        ignore are left out unless hidden=True / no_ignore=True; include
        globs choose the files (default: .txt .text .md .markdown .html .htm
        .xhtml), exclude globs skip files and folders.  source names the
        documents' source ("files" by default); of a file bigger than
        max_file_bytes only that many first bytes are read (default 64 MB).
        dry_run=True changes nothing and only reports.

        progress(event), when given, is called with a SyncEvent for every
        step; returning False stops the sync after the current file (what
        was done is committed and SyncStats.stopped is True).  An exception
        raised by progress stops the sync the same way and is raised again
        from sync().  Returns SyncStats; NotFoundError when `path` does not
        exist (nothing changed), ReadOnlyError on a read-only handle.  On
        other failures the exception's .stats says what was done."""
        h = self._handle()
        if path is None:
            raise TypeError("path must be a str or os.PathLike naming a file or folder, not None")
        p = os.fsencode(path)
        if b"\0" in p:
            raise InvalidError("path must not contain NUL characters", -8)
        flags = ((_capi.SYNC_HIDDEN if hidden else 0) | (_capi.SYNC_NO_IGNORE if no_ignore else 0)
                 | (_capi.SYNC_KEEP_GONE if keep_gone else 0)
                 | (_capi.SYNC_DRY_RUN if dry_run else 0))
        run = _SyncRun(flags, include, exclude, source, max_file_bytes, progress)
        stats = _capi.SyncStats()
        st = _fn("lupe_sync_path")(h, p, ctypes.byref(run.opts),  # type: ignore
                                   ctypes.byref(stats))
        return run.finish(self, st, stats)  # type: ignore[arg-type]

    def prune(self, *, dry_run: bool = False,
              progress: Optional[SyncProgress] = None) -> SyncStats:
        """Delete the documents whose id is the absolute path of a file that
        no longer exists, wherever it was synced from, then commit
        (lupe_sync_prune, `lupe-index --prune`).  SyncStats.removed counts
        them; progress gets a "removed" SyncEvent for each (see sync())."""
        h = self._handle()
        flags = _capi.SYNC_DRY_RUN if dry_run else 0
        run = _SyncRun(flags, (), (), None, None, progress)
        stats = _capi.SyncStats()
        st = _fn("lupe_sync_prune")(h, ctypes.byref(run.opts), ctypes.byref(stats))  # type: ignore
        return run.finish(self, st, stats)  # type: ignore[arg-type]

    # -- searching --

    def _results(self, st: int, res: ctypes.c_void_p, facets: Optional[Sequence[str]],
                 bodies: Optional[Bodies]) -> Results:
        try:
            self._check(st)
            results = Results(res, facets)
        finally:
            if res:
                lib.lupe_results_free(res)
        if bodies is not None:
            for hit in results:
                body = bodies(hit) if callable(bodies) else bodies.get(hit.id)
                if body is not None:
                    hit.matches = hit.matches_in(body)
        return results

    def search(self, query: StrOrBytes, limit: int = 10, offset: int = 0, fuzzy: bool = False,
               sort: str = "relevance", facets: Union[None, str, Iterable[str]] = None,
               html: bool = False, partial: bool = False, snippet_bytes: Optional[int] = None,
               bodies: Optional[Bodies] = None, explain: bool = False) -> Results:
        """Run `query` (the syntax of lupe-search, see lupe.h) and return Results.

        limit and offset page through the hits (limit at most 10000).
        fuzzy also matches words one or two edits away.  sort is
        "relevance", "date-desc" (or "date", newest first) or "date-asc",
        as lupe-search --sort names them.  facets a field name or list of
        them ("source", "year"), counted over all matches into
        Results.facets.  html gives HTML-escaped snippets with <mark>.
        partial, on a sharded index, answers from the shards that work when
        one fails (Results.partial says so) instead of raising.
        explain=True fills Hit.explain.  bodies, a dict id -> body str or a
        function hit -> body str, lets hits carry .matches as character
        offsets.  QueryError for a query that has no sensible reading."""
        h = self._handle()
        if query is None:
            raise TypeError("query must be a str (the search text), not None")
        _check_text(query, "query")
        opts, keep, flist = _search_options(limit, offset, fuzzy, sort, facets, html,
                                            partial, snippet_bytes, explain)
        if flist:
            _fn("lupe_results_facet")
        q = _text(query) or b""
        res = ctypes.c_void_p()
        st = lib.lupe_search(h, ctypes.byref(res), q, len(q), ctypes.byref(opts))
        del keep
        return self._results(st, res, flist, bodies)

    def like(self, id: str, limit: int = 10, offset: int = 0, html: bool = False,
             facets: Union[None, str, Iterable[str]] = None,
             snippet_bytes: Optional[int] = None, bodies: Optional[Bodies] = None,
             explain: bool = False) -> Results:
        """The documents most similar to document `id` (itself left out).

        NotFoundError when there is no such document; the other arguments
        are those of search()."""
        h = self._handle()
        if id is None:
            raise TypeError("id must be a str, not None")
        fn = _fn("lupe_like")
        opts, keep, flist = _search_options(limit, offset, False, "relevance", facets, html,
                                            False, snippet_bytes, explain)
        res = ctypes.c_void_p()
        st = fn(h, ctypes.byref(res), _id(id), ctypes.byref(opts))  # type: ignore
        del keep
        return self._results(st, res, flist, bodies)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return "<lupe.Database %r%s>" % (self.path, " closed" if self._h is None else "")
