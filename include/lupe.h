/*
 * lupe.h - full-text search for German text.
 *
 * liblupe keeps an inverted index of documents on disk, analyses German text
 * (segmentation, normalisation, stemming, compounds, spellings, gendered
 * forms) and answers ranked queries with highlighted snippets.
 *
 * Conventions (read these once, they hold for every function below):
 *
 *  - Functions that can fail return an int status: LUPE_OK (0) on success,
 *    a negative LUPE_E* code on failure.  lupe_strerror() names a code;
 *    lupe_errmsg() gives the detailed message of a handle's last failure.
 *  - An object returned through an `out` parameter (always the first
 *    argument) belongs to the caller and is released with the matching
 *    *_free or lupe_close.  On failure `*out` is set to NULL.
 *  - A pointer returned directly (const char *, const lupe_hit *, ...) is
 *    borrowed: it stays valid as long as the object it came from.
 *  - Text is UTF-8 with an explicit byte length.  Invalid UTF-8 is repaired
 *    (U+FFFD), never trusted; NUL bytes do not end the text.  Every offset
 *    the library reports is a byte offset into the text the caller passed.
 *  - Options structs carry a `version` field: initialise them with their
 *    *_INIT macro so that new fields get their defaults.
 *  - The library never prints, never exits and never aborts on bad input.
 *  - A lupe_db handle may be used by one thread at a time.  Use one handle
 *    per thread to search from several threads at once.
 *  - A read-only handle starts no thread of its own: the spelling
 *    suggestion is made on the caller's thread, from what the query's
 *    building looked up (lupe_open_options.suggest_thread is ignored).
 */
#ifndef LUPE_H
#define LUPE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LUPE_VERSION_MAJOR 0
#define LUPE_VERSION_MINOR 1
#define LUPE_VERSION_PATCH 0
#define LUPE_VERSION_STRING "0.1.0"

#if defined(LUPE_BUILDING) && defined(__GNUC__)
#define LUPE_EXPORT __attribute__((visibility("default")))
#else
#define LUPE_EXPORT
#endif

/* ---------------------------------------------------------------------- */
/* Status codes                                                            */
/* ---------------------------------------------------------------------- */

typedef enum {
	LUPE_OK = 0,
	LUPE_ENOTFOUND = -1,  /* database or document does not exist */
	LUPE_ELOCKED = -2,    /* another writer holds the database */
	LUPE_ENOTLUPE = -3,   /* path exists but is not a lupe index */
	LUPE_ECORRUPT = -4,   /* the index is damaged */
	LUPE_EIO = -5,        /* reading or writing failed (disk full, ...) */
	LUPE_ENOMEM = -6,     /* out of memory */
	LUPE_EQUERY = -7,     /* the query could not be understood */
	LUPE_EINVAL = -8,     /* bad argument (NULL id, bad date, ...) */
	LUPE_EREADONLY = -9,  /* write call on a read-only handle */
	LUPE_ENETWORK = -10,  /* a remote shard failed or timed out */
	LUPE_EINTERNAL = -11, /* a bug: please report it */
	LUPE_ELOST = -12,     /* a failed commit lost the uncommitted changes: lupe_acknowledge_loss() */
	LUPE_EBUSY = -13,     /* a reader met commits for ~2 s without a stable revision: try again */
	LUPE_ETIMEOUT = -14,  /* a search ran out of its time budget (lupe_search_options.time_budget_ms) */
	LUPE_EHUNG = -15      /* a search never returned (damaged index?): the handle is given up, open again */
} lupe_status;

/* A static English name for a status code ("index is locked", ...). */
LUPE_EXPORT const char *lupe_strerror(int status);

/* The library version as a string, e.g. "0.1.0". */
LUPE_EXPORT const char *lupe_version(void);

/* ---------------------------------------------------------------------- */
/* Analysis                                                                */
/* ---------------------------------------------------------------------- */

/*
 * The analyzer turns UTF-8 text into index terms.  The very same code path
 * analyses documents when they are indexed and query words when they are
 * searched, so what a caller sees here is what the index holds.
 */
typedef struct lupe_analyzer lupe_analyzer;

typedef enum {
	LUPE_TOKEN_WORD = 0,    /* an ordinary word, stemmed */
	LUPE_TOKEN_NUMBER = 1,  /* digits, versions ("2.0.1"), as written */
	LUPE_TOKEN_URL = 2,     /* a URL, lower-cased, as written */
	LUPE_TOKEN_EMAIL = 3,   /* an e-mail address, lower-cased */
	LUPE_TOKEN_JOINED = 4,  /* the joined form of a hyphenated word */
	LUPE_TOKEN_PART = 5     /* one part of a compound word */
} lupe_token_kind;

/* Token flags. */
#define LUPE_TOKEN_STOPWORD 0x1u /* a German stopword (dropped from free-text queries) */
/*
 * A truncated compound completed from its coordination, an extra term at
 * the truncated word's position (kind LUPE_TOKEN_JOINED): "Haus- und
 * Gartenarbeit" adds hausarbeit at "Haus-", "Ein- und Ausgabe" eingabe.
 */
#define LUPE_TOKEN_COMPLETED 0x2u

typedef struct {
	const char *term;   /* the index term (normalised, stemmed), NUL-terminated */
	size_t term_len;
	const char *form;   /* the normalised word before stemming, NUL-terminated */
	size_t form_len;
	uint32_t position;  /* word position; extra terms share their word's position */
	size_t start, end;  /* byte range [start, end) in the analysed text */
	int kind;           /* a lupe_token_kind */
	unsigned flags;     /* LUPE_TOKEN_* flags */
} lupe_token;

typedef struct lupe_tokens lupe_tokens;

#define LUPE_ANALYZER_OPTIONS_VERSION 1
typedef struct {
	unsigned version;
	int decompound;     /* split compound words (default 1) */
} lupe_analyzer_options;
#define LUPE_ANALYZER_OPTIONS_INIT {LUPE_ANALYZER_OPTIONS_VERSION, 1}

/* Create an analyzer; `opts` may be NULL for the defaults. */
LUPE_EXPORT int lupe_analyzer_new(lupe_analyzer **out, const lupe_analyzer_options *opts);
LUPE_EXPORT void lupe_analyzer_free(lupe_analyzer *an);

/*
 * Analyse `len` bytes of `text`.  The token list belongs to the caller
 * (lupe_tokens_free); tokens are in text order, extra terms of a word
 * (hyphen joins, compound parts) directly after it.
 */
LUPE_EXPORT int lupe_analyze(lupe_analyzer *an, lupe_tokens **out, const char *text, size_t len);
LUPE_EXPORT size_t lupe_tokens_count(const lupe_tokens *toks);
/* The i-th token (borrowed from `toks`), or NULL when i is out of range. */
LUPE_EXPORT const lupe_token *lupe_tokens_get(const lupe_tokens *toks, size_t i);
LUPE_EXPORT void lupe_tokens_free(lupe_tokens *toks);

/* ---------------------------------------------------------------------- */
/* Databases                                                               */
/* ---------------------------------------------------------------------- */

typedef struct lupe_db lupe_db;

/* Open flags. */
#define LUPE_OPEN_READ 0x0u    /* read-only (the default) */
#define LUPE_OPEN_WRITE 0x1u   /* writable; fails with LUPE_ELOCKED if another writer has it */
#define LUPE_OPEN_CREATE 0x2u  /* with LUPE_OPEN_WRITE: create the index if missing */
/*
 * With LUPE_OPEN_WRITE: load a new, empty index in bulk, writing on all
 * threads.  It takes effect when the index is local (not sharded) and
 * holds no documents when opened, and is ignored otherwise (the handle
 * writes as usual).  In bulk mode:
 *
 *  - Each of the writer's `threads` threads (see below; 1 means one such
 *    thread beside the caller's) analyses and writes part of the
 *    documents into a temporary sub-index of its own, a folder
 *    "PATH.lupe-bulk-K" beside the index (same file system).  A document
 *    goes to the sub-index chosen by a hash of its id, so adding an id
 *    again replaces it and lupe_delete() finds it, as in a single index.
 *    lupe_add() returns once the document is queued; a failure to write it
 *    is returned by a later call, as with threads.
 *  - The automatic commits (`batch_size`, `batch_bytes`) only bound memory:
 *    the sub-indexes commit for themselves, and the index at PATH does not
 *    change.  Readers (other handles, other processes) see the index as it
 *    was opened, empty, until the load ends, and the whole load at their
 *    first search after it.  Reads through this handle
 *    (lupe_search(), lupe_doc_count(), ...) see every document added.
 *  - The load ends at the first lupe_commit(), lupe_compact() or
 *    lupe_close(): the sub-indexes are merged into the index in one
 *    compaction (the index comes out compact; lupe_compact() then has
 *    nothing more to do), which takes the index's place atomically, and
 *    their folders are removed.  From then on the handle writes as an
 *    ordinary writer.  So call lupe_commit() once, at the end, not after
 *    every batch.  Ending needs free space of about the index's size again.
 *    A load that was given nothing leaves the index as it was.
 *  - A crash, or a process that exits without lupe_close(), before the
 *    end loses the whole load: the index is as it was when opened (a valid
 *    index, with no documents).  The next writer to open the index removes
 *    the "PATH.lupe-bulk-K" folders left over (and those of an interrupted
 *    lupe_compact(), "PATH.lupe-compact" and "PATH.lupe-old"); readers
 *    ignore them.
 *  - When the merge fails (disk full, ...) lupe_commit() says so and the
 *    load goes on: the call may be repeated.  When a sub-index failed to
 *    write, the load is lost whole: LUPE_ELOST (lupe_acknowledge_loss()).  lupe_close() gives the load
 *    up when the merge fails; call lupe_commit() first to learn the outcome.
 *
 * Documents are numbered sub-index after sub-index, not in the order they
 * were added, so hits of exactly equal score may come in another order
 * than after an ordinary load.  For loading a big collection into a new
 * index; for updating an index, write without this flag.
 *
 * Each thread starts a new sub-index after 64 MB of text (a Xapian
 * writer slows down as its index grows), up to 16 each; the number is
 * lupe_open_options.bulk_segment_bytes.
 */
#define LUPE_OPEN_BULK 0x4u
/*
 * For read-only handles (writers ignore it): run each lupe_search() and
 * lupe_like() on a thread of the handle's own (started at the first
 * search) and wait for it with a deadline: the search's time budget
 * (lupe_search_options.time_budget_ms) and as much again, at most 2 s more
 * (plus three times timeout_ms when a shard is remote).  A search that
 * runs out of its budget normally stops by itself with LUPE_ETIMEOUT; the
 * deadline is for a lookup that never returns, as one inside Xapian's
 * B-tree can on a damaged index, where no check of lupe's is reached.
 * Then the call fails with LUPE_EHUNG instead of hanging the caller, and
 * the handle is given up: every later call on it fails with LUPE_EHUNG,
 * and lupe_close() frees nothing (the stuck thread still uses the handle
 * and spins on until the process ends).  Open the index again and check
 * it (lupe_check()).  For programs that must stay responsive, such as
 * editors; it costs a hand-over between threads per search (microseconds
 * on an idle machine, more when the cores are busy).  The handle is still
 * used by one thread at a time.
 */
#define LUPE_OPEN_WATCHED 0x8u

#define LUPE_OPEN_OPTIONS_VERSION 4
typedef struct {
	unsigned version;
	unsigned flags;          /* LUPE_OPEN_* */
	int decompound;          /* split compound words when indexing (default 1) */
	unsigned batch_size;     /* documents buffered before an automatic commit (default 2000) */
	unsigned timeout_ms;     /* remote shards: fail after this long (default 5000) */
	/*
	 * Since version 2.  A writer's analysis threads: 0 (the default) as
	 * many as the machine has cores, at most 4; 1 analyses on the caller's
	 * thread.  With threads, lupe_add() queues a copy of the document and
	 * returns; the caller's thread writes analysed documents to the index in
	 * the order they were added.  A failure to write a queued document
	 * (disk full, say) is returned by a later lupe_add(), lupe_delete() or
	 * lupe_commit(), its message naming the document.  Version-1 callers get
	 * the default.
	 */
	unsigned threads;
	/*
	 * Since version 3.  Bytes of text (titles and bodies) added before an
	 * automatic commit, when that comes before `batch_size` documents
	 * (0: the default, 4 MB).  A writer's memory follows the text it holds
	 * uncommitted (Xapian's buffers take several times its size), so with
	 * both limits it is set by these options, not by the size of the
	 * documents or of the collection.  Version-1 and -2 callers get the
	 * default.
	 */
	size_t batch_bytes;
	/*
	 * Since version 4 (settings that were environment variables before).
	 * suggest_thread: ignored, kept so that the struct's layout stays:
	 * suggestions are made on the caller's thread (see the top of this
	 * file).
	 * bulk_segment_bytes: text a bulk load's thread writes into one
	 * sub-index before it starts the next (LUPE_OPEN_BULK); 0, the
	 * default, is 64 MB.  Older callers get the defaults.
	 */
	int suggest_thread;
	size_t bulk_segment_bytes;
} lupe_open_options;
#define LUPE_OPEN_OPTIONS_INIT {LUPE_OPEN_OPTIONS_VERSION, LUPE_OPEN_READ, 1, 2000, 5000, 0, 0, 1, 0}

/*
 * Open the index at `path`: a directory, or a sharded index described by a
 * text file that lists one shard a line, a local directory or
 * tcp://HOST:PORT of a xapian-tcpsrv (blank lines and # comments allowed).
 * Documents go to a shard chosen by a stable hash of their id; searches
 * rank across all shards as one index.  `opts` may be NULL: read-only.
 * Statuses: LUPE_ENOTFOUND (no such index and no LUPE_OPEN_CREATE),
 * LUPE_ENOTLUPE (the path holds something else), LUPE_ELOCKED (another
 * writer has it, only then), LUPE_ECORRUPT (the index's contents are
 * damaged, only then), LUPE_EIO (a file could not be read, written,
 * opened or locked: no permission, read-only file system, no file
 * descriptors left, ...; the message names the cause).
 *
 * A writer of a local index holds an exclusive lock on "PATH.lupe-lock", a
 * file made beside the index that stays there, for as long as it is open
 * (also while lupe_compact() or the end of a bulk load puts a new folder
 * in the index's place).  A new index is built beside PATH and renamed
 * into place ("PATH.lupe-new-PID" meanwhile), so a process killed while
 * creating leaves no index or an empty valid one.  When PATH is an empty
 * folder that cannot be renamed onto (a mount point), the new index's
 * files are copied into it instead, the one that makes it an index last.  When a process died in
 * the middle of putting a compacted folder in place on a file system
 * without an atomic exchange (NFS, CIFS, FUSE), the next lupe_open() puts
 * the index back from "PATH.lupe-old" before anything else.  On failure `*out` is NULL and, when `errmsg`
 * is not NULL, a message is copied to errmsg (at most errmsg_len bytes,
 * NUL-terminated).
 */
LUPE_EXPORT int lupe_open(lupe_db **out, const char *path, const lupe_open_options *opts,
			  char *errmsg, size_t errmsg_len);

/*
 * Close the handle.  A writer's pending changes are committed first (as
 * Xapian and notmuch do); call lupe_commit() before to learn whether that
 * succeeded.  A process that dies without closing loses only what it had
 * not committed.  NULL is allowed.
 */
LUPE_EXPORT void lupe_close(lupe_db *db);

/* The message of the handle's last failure ("" when none); borrowed. */
LUPE_EXPORT const char *lupe_errmsg(const lupe_db *db);

/*
 * Documents in the index: on a reader, as of the newest commit (it moves
 * to it first, as lupe_search() does); on a writer, the committed ones
 * plus its pending ones.  Over shards every shard must answer: one that
 * does not fails the call with LUPE_ENETWORK naming it (no count of the
 * other shards alone).
 */
LUPE_EXPORT int lupe_doc_count(lupe_db *db, uint64_t *out);

/* ---------------------------------------------------------------------- */
/* Documents                                                               */
/* ---------------------------------------------------------------------- */

#define LUPE_DOCUMENT_VERSION 1
typedef struct {
	unsigned version;
	const char *id;         /* required: unique id, NUL-terminated, 1..200 bytes */
	const char *title;      /* optional */
	size_t title_len;
	const char *text;       /* optional: the body; its first 64 MB are indexed, and the
				 * index keeps its first 72 KB for snippets and matches */
	size_t text_len;
	const char *source;     /* optional, NUL-terminated: a collection name, facet */
	const char *path;       /* optional, NUL-terminated: a file path */
	const char *date;       /* optional, NUL-terminated: ISO 8601 (YYYY-MM-DD[THH:MM[:SS]]) */
	int64_t mtime;          /* optional: the source file's modification time (0 = none) */
} lupe_document;
#define LUPE_DOCUMENT_INIT {LUPE_DOCUMENT_VERSION, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL, 0}

/*
 * Add a document, or replace the document with the same id.  The change
 * becomes visible to readers and durable at the next commit: lupe_commit(),
 * or the automatic one after every `batch_size` changes or `batch_bytes`
 * bytes of text (lupe_open_options), which keeps a writer's memory bounded.
 * (In a bulk load, LUPE_OPEN_BULK, the end of the load.)  The automatic
 * commits leave the index's term lists for remote readers (docs/SHARDS.md,
 * "lexicon") to the next lupe_commit() or lupe_close(): until then readers
 * over xapian-tcpsrv find the same hits, listing terms the slower way.
 * LUPE_EINVAL for a missing or overlong id or a date that is not ISO 8601.
 */
LUPE_EXPORT int lupe_add(lupe_db *db, const lupe_document *doc);

/* Delete the document with this id; LUPE_ENOTFOUND if there is none. */
LUPE_EXPORT int lupe_delete(lupe_db *db, const char *id);

/*
 * Make every change since the last commit durable, atomically: after a
 * crash at any moment the index holds either all of them or none.  In a
 * bulk load (LUPE_OPEN_BULK) this ends the load.
 */
LUPE_EXPORT int lupe_commit(lupe_db *db);

/*
 * Commit, then rewrite the index compactly: Xapian's compaction (full
 * blocks, no free space) into a folder beside the index ("PATH.lupe-compact"),
 * which then takes the index's place.  After a bulk load the index is about
 * half its size and searches read fewer blocks.  Needs the index's size again
 * in free space for a moment.  Readers keep working and see the compacted
 * index at their next search.  The handle stays open for writing.  A local
 * index only: LUPE_EINVAL for a sharded one; LUPE_EREADONLY on a reader.
 */
LUPE_EXPORT int lupe_compact(lupe_db *db);

/*
 * After a failed commit.  When lupe_commit() (or an automatic commit inside
 * lupe_add(), or the end of a bulk load) fails, every change since the last
 * successful commit is gone: Xapian drops them, and a bulk load whose part
 * failed is lost whole.  From then on lupe_add(), lupe_delete(),
 * lupe_commit() and lupe_compact() fail with LUPE_ELOST, naming the first
 * failure, so that a retried commit cannot report success over nothing;
 * lupe_close() publishes nothing more.  Searches keep working and see the
 * last committed index.  lupe_acknowledge_loss() ends that state: the
 * caller then adds the lost documents again (a bulk load is given up, the
 * handle writes as an ordinary writer).  LUPE_OK, also when nothing was
 * lost; LUPE_EINVAL for NULL.
 */
LUPE_EXPORT int lupe_acknowledge_loss(lupe_db *db);

/*
 * Check the local index at `path` for damage without changing it, as
 * xapian-check does: every block of every table is read and the tables are
 * checked against each other, so it takes about as long as reading the
 * index.  LUPE_OK when nothing is wrong; LUPE_ECORRUPT when damage is
 * found (the message gives the number of errors and the last of them);
 * LUPE_ENOTFOUND, LUPE_ENOTLUPE or LUPE_EIO for a path that cannot be
 * checked; LUPE_EINVAL for NULL or "".  A message goes to errmsg as with
 * lupe_open() ("" on success).  A local index only (not a shard list).
 */
LUPE_EXPORT int lupe_check(const char *path, char *errmsg, size_t errmsg_len);

/* ---------------------------------------------------------------------- */
/* Searching                                                               */
/* ---------------------------------------------------------------------- */

/*
 * Query syntax (German and English operators are equivalent):
 *   wort wort          free text: any word may match, more matches rank higher
 *   "genaue phrase"    words in this order (stopwords kept)
 *   +muss -nicht       required / excluded word or phrase
 *   a AND b, a UND b   both;  a OR b, a ODER b  either;  a NOT b, a NICHT b
 *   ( ... )            grouping
 *   präfix*            words starting with a prefix (at least 2 letters)
 *   title:wort         the word in the title
 *   source:name        only documents of this source
 *   path:/srv/docs     only documents whose path starts so
 *   date:2015-01-01..2016-12-31   only documents dated in the range (either end may be left out)
 *   a NEAR/3 b         a and b at most 3 words apart, in any order
 *
 * A prefix* counts as the 256 most frequent index terms it starts; all
 * the prefixes of one query together may start at most 50,000 index terms
 * (they are counted first): past that the query fails with LUPE_EQUERY,
 * "query expands to too many terms: ..." (use longer prefixes).
 */

typedef struct lupe_results lupe_results;

typedef struct {
	size_t start, end;      /* byte range [start, end) */
} lupe_span;

typedef struct {
	size_t rank;            /* 1-based rank over the whole result list */
	const char *id;
	const char *title;
	double score;
	const char *source;     /* "" when the document has none */
	const char *path;       /* "" when the document has none */
	const char *date;       /* "" when the document has none */
	const char *snippet;    /* a passage of the body, NUL-terminated */
	size_t snippet_len;
	const lupe_span *highlights; /* byte ranges of matches in snippet */
	size_t n_highlights;
	/* Byte ranges of matches in the document's body as indexed (the text
	 * passed to lupe_add, with invalid UTF-8 sequences replaced by U+FFFD),
	 * the snippet's strongest highlight first (where to jump to), then the
	 * rest of its passage, then the others; at most 64.  Lets callers find
	 * line and column.
	 * Snippets and matches come from the first 64 KB of a body and, in a
	 * body where query terms may occur in very many places, from the part
	 * before the 129th such place. */
	const lupe_span *matches;
	size_t n_matches;
	int64_t mtime;          /* the document's mtime (0 when none) */
	const char *explain;    /* with LUPE_SEARCH_EXPLAIN: which terms matched where, else NULL */
	/* What each highlight matched: n_highlights LUPE_HL_* values, one per
	 * highlight in order (NULL when there are none).  Clients style them;
	 * lupe_highlight_kind_name() names them. */
	const unsigned char *highlight_kinds;
} lupe_hit;

/* Highlight kinds, best evidence first (lupe_hit.highlight_kinds). */
#define LUPE_HL_EXACT 0  /* a query word as written (case and spelling aside) */
#define LUPE_HL_STEM 1   /* another form of a query word (same stem), or a word a prefix* matches */
#define LUPE_HL_PART 2   /* a compound sharing parts with a query word, or holding it as a part */
#define LUPE_HL_TYPO 3   /* a word a typo or two from a query word (LUPE_SEARCH_FUZZY) */

/* "exact", "stem", "part" or "typo" for a LUPE_HL_* kind ("" for another value); static. */
LUPE_EXPORT const char *lupe_highlight_kind_name(int kind);

/* Search flags. */
#define LUPE_SEARCH_FUZZY 0x1u    /* widen typo tolerance to every word: a word that looks
				   * mistyped gets its corrections as by default, any other
				   * word also matches words one or two edits away (ranked
				   * lower); the first 16 words of a query only */
#define LUPE_SEARCH_EXPLAIN 0x2u  /* fill lupe_hit.explain */
#define LUPE_SEARCH_HTML 0x4u     /* snippets HTML-escaped, matches wrapped in <mark></mark>;
				   * highlights then point at the marked text */
#define LUPE_SEARCH_PARTIAL 0x8u  /* sharded index: when a shard fails, answer from the others
				   * and say so (lupe_results_partial) instead of failing */
#define LUPE_SEARCH_EXACT 0x10u   /* no typo tolerance: words are searched only as typed.  By
				   * default a word the index does not hold (or holds far more
				   * rarely than a word an edit or two away) is also searched as
				   * its likely corrections, ranked below the word as typed */

/* Sort orders. */
#define LUPE_SORT_RELEVANCE 0
#define LUPE_SORT_DATE_DESC 1     /* newest first; documents without a date last */
#define LUPE_SORT_DATE_ASC 2

#define LUPE_SEARCH_OPTIONS_VERSION 2
typedef struct {
	unsigned version;
	size_t offset;          /* hits to skip (default 0) */
	size_t limit;           /* hits to return (default 10, at most 10000) */
	size_t snippet_bytes;   /* target snippet length in bytes (default 240, at most 4096) */
	unsigned flags;         /* LUPE_SEARCH_* */
	int sort;               /* LUPE_SORT_* */
	/* Fields to count values of over the whole match set: "source", "year".
	 * NULL-terminated array, or NULL for none. */
	const char *const *facets;
	/*
	 * Since version 2.  Milliseconds one lupe_search() or lupe_like() may
	 * take, from reading the query to the last snippet (0: the default,
	 * LUPE_SEARCH_TIME_BUDGET_MS).  The matcher is checked as it goes, and
	 * so are retries and the hits' snippets: a search that runs out fails
	 * with LUPE_ETIMEOUT (nothing is returned) instead of running on; after
	 * half the budget the matcher stops counting matches beyond the page,
	 * so totals may come back as estimates first.  On a sharded index with
	 * remote shards the matcher is not checked (timeout_ms of
	 * lupe_open_options bounds them).  Version-1 callers get the default.
	 */
	unsigned time_budget_ms;
} lupe_search_options;
#define LUPE_SEARCH_TIME_BUDGET_MS 10000
#define LUPE_SEARCH_OPTIONS_INIT {LUPE_SEARCH_OPTIONS_VERSION, 0, 10, 240, 0, LUPE_SORT_RELEVANCE, NULL, 0}

/*
 * Run `query` (len bytes of UTF-8).  `opts` may be NULL for the defaults.
 * LUPE_EQUERY with a message in lupe_errmsg() for a query that has no
 * sensible reading (empty, nothing but operators, ...).  LUPE_ETIMEOUT
 * when it ran out of its time budget (time_budget_ms of `opts`).
 * LUPE_ECORRUPT when the stored record of a hit is damaged: compressed
 * records carry a checksum, so damage is reported, never shown as text.
 */
LUPE_EXPORT int lupe_search(lupe_db *db, lupe_results **out, const char *query, size_t len,
			    const lupe_search_options *opts);

/* Hits in this page of results. */
LUPE_EXPORT size_t lupe_results_count(const lupe_results *res);

/*
 * All matching documents: exact when counting them was cheap (the matcher
 * looks at a few hundred matches at least, so small totals and every total
 * on a small index are exact), else an estimate between the bounds of
 * lupe_results_total_bounds().  *exact (if not NULL) says which.  Never
 * below the hits handed out so far (offset + lupe_results_count()).
 */
LUPE_EXPORT uint64_t lupe_results_total(const lupe_results *res, int *exact);

/*
 * The bounds of the total: at least *min and at most *max matching
 * documents (either pointer may be NULL); min == max == the total when it
 * is exact.  Returns whether it is exact, as lupe_results_total() says.
 */
LUPE_EXPORT int lupe_results_total_bounds(const lupe_results *res, uint64_t *min, uint64_t *max);

/* The i-th hit of this page (borrowed), or NULL when out of range. */
LUPE_EXPORT const lupe_hit *lupe_results_hit(const lupe_results *res, size_t i);

/*
 * A spelling suggestion for the query ("Kommunkation" -> "Kommunikation"),
 * or NULL when every word is known.  Borrowed from res.
 */
LUPE_EXPORT const char *lupe_results_suggestion(const lupe_results *res);

/* Whether a shard failed and these results come from the others only. */
LUPE_EXPORT int lupe_results_partial(const lupe_results *res);

typedef struct {
	const char *value;
	uint64_t count;
} lupe_facet;

/*
 * The counts of one requested facet field (most frequent first), borrowed
 * from res; *n receives their number (0 when the field was not requested).
 */
LUPE_EXPORT const lupe_facet *lupe_results_facet(const lupe_results *res, const char *field, size_t *n);

LUPE_EXPORT void lupe_results_free(lupe_results *res);

/*
 * More like this: the documents most similar to the document `id`
 * (relevance feedback over its terms), the document itself left out.
 * LUPE_ENOTFOUND when there is no such document.  A reader reads the
 * newest commit, as lupe_search() does.
 */
LUPE_EXPORT int lupe_like(lupe_db *db, lupe_results **out, const char *id, const lupe_search_options *opts);

/* ---------------------------------------------------------------------- */
/* Keeping an index of files up to date                                   */
/* ---------------------------------------------------------------------- */

/*
 * The mtime stored with document `id`.  LUPE_ENOTFOUND when there is no
 * such document.  With lupe_list_ids() this lets a caller re-index only
 * changed files and delete vanished ones.  Both read, as lupe_doc_count()
 * does, the newest commit (a reader) and every shard: a shard that does
 * not answer fails them with LUPE_ENETWORK naming it, never a "not found"
 * or a list without its documents.
 */
LUPE_EXPORT int lupe_get_mtime(lupe_db *db, const char *id, int64_t *out);

typedef struct lupe_strings lupe_strings;

/* The ids of all documents whose id starts with `prefix` ("" for all), sorted. */
LUPE_EXPORT int lupe_list_ids(lupe_db *db, lupe_strings **out, const char *prefix);
LUPE_EXPORT size_t lupe_strings_count(const lupe_strings *s);
LUPE_EXPORT const char *lupe_strings_get(const lupe_strings *s, size_t i);
LUPE_EXPORT void lupe_strings_free(lupe_strings *s);

/* ---------------------------------------------------------------------- */
/* Synchronising an index with a folder                                   */
/* ---------------------------------------------------------------------- */

/*
 * lupe_sync_path() makes the index hold exactly the files under a path, as
 * `notmuch new` does for mail: new and changed files are read and added,
 * unchanged ones are not read at all, and documents of files that are gone
 * (or now ignored) under the path are deleted.  One implementation for the
 * command line, the Python binding and the Neovim plugin.
 *
 * Ids.  A file's id, and its lupe_hit.path, is its absolute path, made
 * canonical once for the synced path (realpath(3): "k1", "./k1" and
 * "/abs/k1/" name one folder and give the same ids); below it, names are
 * joined as found, so a symbolic link to a file keeps the link's name.
 * Symbolic links to folders are not followed.  A file whose absolute path
 * is longer than 200 bytes (the id limit) is skipped with a warning.
 *
 * Which files (as ripgrep): hidden files and folders (a name starting with
 * '.') are skipped, and so is every ".git" folder; the patterns of every
 * .gitignore and .ignore file on the way down apply to what lies below
 * them, a deeper file's patterns winning over a higher one's, the last
 * matching line of a file winning.  Supported: globs as fnmatch(3) ("*",
 * "?", "[a-z]"; "*" does not cross '/'), a leading "**" + "/" and a trailing
 * "/" + "**", "!" negation, a trailing '/' (folders only), a '/' at the
 * start or in the middle (anchored to the .gitignore's folder), '#'
 * comments and "\#", "\!" escapes.  Without `include` globs the files
 * indexed are those ending in .txt .text .md .markdown .html .htm .xhtml;
 * with them, every file whose name (or path under the synced folder)
 * matches one.  `exclude` globs skip files and folders the same way.
 * When `path` is a file, not a folder, it is synced whatever its name:
 * none of these rules apply to it.
 *
 * Extraction.  HTML (.html .htm .xhtml) goes through libxml2's HTML parser:
 * the title is <title> (else the first <h1>), the meta description opens
 * the body, scripts and styles are left out, every HTML 4 entity is
 * decoded.  Text that is not UTF-8 is converted by ICU from the charset an
 * HTML page declares, else from the charset ICU's detector finds (Latin-1
 * read as windows-1252, as browsers do); UTF-8 and UTF-16 byte order marks
 * decide first.  Markdown's title is its first heading; plain text's is the
 * first short line among the first six (at most 120 characters, three words
 * or more, not ending in . ? ! : , ;), else the first sentence; failing all,
 * the file name.  The date (and mtime) is the file's modification time
 * (UTC); the source is `source` ("files" by default).  A file with a NUL
 * byte in its first 8 KB is taken for binary and skipped.  Of a file bigger
 * than `max_file_bytes` only that many first bytes are read (a warning
 * says so), which bounds memory.
 *
 * Changes.  The size and mtime of every file synced are kept in the index
 * (metadata "lupe.sync:" + id); a file is read again only when its size or
 * its mtime (to the nanosecond) differs, or when its document is missing.
 */

/* lupe_sync_options.flags */
#define LUPE_SYNC_HIDDEN 0x1u     /* also hidden files and folders (never .git) */
#define LUPE_SYNC_NO_IGNORE 0x2u  /* do not read .gitignore and .ignore files */
#define LUPE_SYNC_KEEP_GONE 0x4u  /* do not delete documents of files gone under the path */
#define LUPE_SYNC_DRY_RUN 0x8u    /* change nothing: only walk, compare and report */

/* lupe_sync_event.kind */
typedef enum {
	LUPE_SYNC_SCANNED = 0,   /* the walk is done: `total` files to consider */
	LUPE_SYNC_FILE = 1,      /* a file was considered (`path`; `message` "added",
				  * "updated" or "unchanged"); `done` of `total` */
	LUPE_SYNC_REMOVED = 2,   /* the document `path` was deleted (its file is gone) */
	LUPE_SYNC_WARNING = 3,   /* `path` was skipped or read only in part: `message` says why */
	LUPE_SYNC_COMMITTING = 4 /* the final commit begins (it may take a while) */
} lupe_sync_event_kind;

typedef struct {
	int kind;               /* a lupe_sync_event_kind */
	const char *path;       /* the file or folder concerned, or NULL; bytes as the file
				 * system has them (may hold newlines or invalid UTF-8) */
	const char *message;    /* for LUPE_SYNC_FILE and LUPE_SYNC_WARNING, else NULL */
	uint64_t done, total;   /* files considered so far, and in all (0 before the walk ends) */
	uint64_t bytes;         /* bytes read so far */
} lupe_sync_event;

/*
 * Called from the calling thread, for every event; the strings are
 * borrowed for the call only.  Return 0 to go on; any other value stops the
 * sync after the current file: what was done so far is committed, and
 * lupe_sync_stats.stopped is set.
 */
typedef int (*lupe_sync_callback)(const lupe_sync_event *ev, void *ctx);

#define LUPE_SYNC_OPTIONS_VERSION 1
typedef struct {
	unsigned version;
	unsigned flags;                 /* LUPE_SYNC_* */
	const char *const *include;     /* NULL-terminated globs, or NULL: see above */
	const char *const *exclude;     /* NULL-terminated globs, or NULL */
	const char *source;             /* the documents' source (NULL: "files") */
	uint64_t max_file_bytes;        /* bytes read of one file (0: 64 MB) */
	lupe_sync_callback callback;    /* may be NULL */
	void *ctx;                      /* passed to callback */
} lupe_sync_options;
#define LUPE_SYNC_OPTIONS_INIT {LUPE_SYNC_OPTIONS_VERSION, 0, NULL, NULL, NULL, 0, NULL, NULL}

typedef struct {
	uint64_t files;         /* files considered (after the ignore rules) */
	uint64_t added;         /* read and added: new ids */
	uint64_t updated;       /* read again and replaced: changed files */
	uint64_t unchanged;     /* not read: same size and mtime */
	uint64_t removed;       /* documents deleted: files gone or now ignored */
	uint64_t skipped;       /* files left out with a warning */
	uint64_t bytes;         /* bytes read */
	int stopped;            /* the callback asked to stop */
} lupe_sync_stats;

/*
 * Synchronise the writable index `db` with the file or folder `path`
 * (see above), then commit.  `opts` may be NULL for the defaults; `stats`
 * may be NULL, else it is filled (also on failure, with what was done).
 * Problems with single files and folders (unreadable, vanished, binary,
 * too long a name, a symbolic link loop) are warnings through the
 * callback; the rest is synced.  Statuses: LUPE_ENOTFOUND when `path` does
 * not exist (nothing is changed), LUPE_EREADONLY, LUPE_EINVAL, and any
 * status of lupe_add/lupe_delete/lupe_commit, which end the sync (the
 * handle's message says why; what was committed before stays).
 */
LUPE_EXPORT int lupe_sync_path(lupe_db *db, const char *path, const lupe_sync_options *opts,
			       lupe_sync_stats *stats);

/*
 * Delete the documents whose id is an absolute path ("/...") of a file that
 * no longer exists (lstat(2) says ENOENT or ENOTDIR), wherever it was
 * synced from, then commit.  Only `callback`, `ctx` and LUPE_SYNC_DRY_RUN of
 * `opts` are used (LUPE_SYNC_REMOVED for each); stats->removed counts them.
 */
LUPE_EXPORT int lupe_sync_prune(lupe_db *db, const lupe_sync_options *opts, lupe_sync_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* LUPE_H */
