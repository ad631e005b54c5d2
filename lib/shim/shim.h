/*
 * The C face of the Xapian shim.  Only shim/xapian_shim.cc includes Xapian;
 * everything else in lupe is C and talks to storage and ranking through
 * these functions.  No C++ exception crosses this boundary: each function
 * catches everything and reports a LUPE_E* status with a message in `err`.
 * Functions returning a pointer return NULL only when out of memory.
 */
#ifndef LUPE_SHIM_H
#define LUPE_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include "index/schema.h"
#include "util/buf.h"
#include "util/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lx_db lx_db;
typedef struct lx_doc lx_doc;
typedef struct lx_query lx_query;
typedef struct lx_mset lx_mset;

/* Value slots: index/schema.h. */
#define LX_SLOT_DATE LUPE_SLOT_DATE
#define LX_SLOT_MTIME LUPE_SLOT_MTIME
#define LX_SLOT_SOURCE LUPE_SLOT_SOURCE
#define LX_SLOT_YEAR LUPE_SLOT_YEAR

/* ---- databases ---- */
/* Whether the folder holds Xapian database files (a Xapian backend's marker). */
int lx_is_index_dir(const char *path);
int lx_open(lx_db **out, const char *path, int writable, int create, lupe_err *err);
void lx_close(lx_db *db);
int lx_get_metadata(lx_db *db, const char *key, lupe_buf *out, lupe_err *err);
int lx_set_metadata(lx_db *db, const char *key, const char *value, lupe_err *err);
/* Documents in the index; over shards every shard must answer (LUPE_ENETWORK naming one that does not). */
int lx_doc_count(lx_db *db, uint64_t *out, lupe_err *err);
/* Documents holding `term`; 0 when none or on any error (used as a hint only). */
uint64_t lx_termfreq(lx_db *db, const char *term, size_t len);
/* As lx_termfreq, but LUPE_OK only when the look-up succeeded: *out is then a fact, not a hint. */
int lx_termfreq_sure(lx_db *db, const char *term, size_t len, uint64_t *out);
/*
 * The document frequencies of n terms at once: out[i] for terms[i]
 * (lens[i] bytes), 0 for a term the index lacks or on any error (hints,
 * as lx_termfreq).  A local index looks each up; remote shards are asked
 * for all of them in one exchange each (lx_termfreq costs one per term and
 * shard).  A shard that fails is marked down as a search marks it.
 */
void lx_termfreqs(lx_db *db, const char *const *terms, const size_t *lens, size_t n, uint64_t *out);
/*
 * The value in `slot` of the document holding the unique term idterm:
 * *found says whether there is such a document; out gets the value ("" if none).
 * Over shards, as lx_doc_count, every shard must answer (lx_allterms_every).
 */
int lx_value_of(lx_db *db, const char *idterm, size_t n, unsigned slot, lupe_buf *out, int *found,
		lupe_err *err);
/*
 * Call cb for every term starting with prefix, in order; a non-zero return
 * stops (and is returned).  `at` is the scan's position: inside cb,
 * lx_term_here_freq(at) gives the term's document frequency (0 if it
 * cannot be read), read only when asked: reading it for every term would
 * double a scan's cost; lx_term_here_skip_to(at, t, n) makes the scan go
 * on from the first term >= t instead of the next one (0, or -1 out of
 * memory), so a caller that knows no term below t can interest it skips
 * them without reading each.  A concurrent commit that discards the
 * revision being read makes the scan go on on the newest one after the
 * last term cb was given: each term comes once, in order.
 */
typedef struct lx_term_here lx_term_here;
typedef int (*lx_term_cb)(void *ctx, const char *term, size_t len, lx_term_here *at);
int lx_allterms(lx_db *db, const char *prefix, size_t n, lx_term_cb cb, void *ctx, lupe_err *err);
/*
 * As lx_allterms, for a list that is wrong without a shard (lupe_list_ids):
 * over shards, one that is down or fails makes it fail with LUPE_ENETWORK
 * naming the shard (lx_allterms lists the shards that are up: a query's
 * look-ups, whose search may be partial); a network failure is not tried
 * again.  A concurrent commit is met as lx_allterms meets it.
 */
int lx_allterms_every(lx_db *db, const char *prefix, size_t n, lx_term_cb cb, void *ctx, lupe_err *err);
uint64_t lx_term_here_freq(const lx_term_here *at);
int lx_term_here_skip_to(lx_term_here *at, const char *term, size_t len);
/*
 * Pick up the newest committed revision (readers).  Sharded: a shard that
 * fails is marked down as a search marks it (the next search fails at
 * once, or skips it with partial), and the others are reopened.
 */
int lx_reopen(lx_db *db, lupe_err *err);

/* ---- shards (shim/shards.cc) ----
 * A sharded index: lx_open_shards() opens every shard (a directory path,
 * or tcp://HOST:PORT of a xapian-tcpsrv) as one lx_db.  Documents go to
 * shard lx_shard_hash(id) % n, where id is the id term without its
 * LX_ID_PREFIX_LEN-byte prefix.  A reader opens even when some remote
 * shards do not answer (lx_shard_up() says which); a writer needs all. */
#define LX_ID_PREFIX_LEN LUPE_ID_PREFIX_LEN
/* FNV-1a, 64 bits, of the id bytes.  Part of the index format: never change it. */
uint64_t lx_shard_hash(const char *id, size_t n);
int lx_open_shards(lx_db **out, const char *const *specs, size_t n, int writable, int create,
		   unsigned timeout_ms, lupe_err *err);
/* Whether some shard is remote (tcp://): each look-up is then a round trip. */
int lx_remote(const lx_db *db);
/* 0 for an index that is not sharded; the lx_shard_* calls below need i < count. */
size_t lx_shard_count(const lx_db *db);
const char *lx_shard_name(const lx_db *db, size_t i);
int lx_shard_up(const lx_db *db, size_t i);
/* *blank: no documents and no metadata (a fresh xapian-tcpsrv --writable database). */
int lx_shard_blank(lx_db *db, size_t i, int *blank, lupe_err *err);
int lx_shard_get_metadata(lx_db *db, size_t i, const char *key, lupe_buf *out, lupe_err *err);
int lx_shard_set_metadata(lx_db *db, size_t i, const char *key, const char *value, lupe_err *err);
/*
 * The metadata keys[0..nkeys) of every shard that is up, read from the
 * shards at the same time (a remote shard answers each key in a round
 * trip): values[i * nkeys + k] gets shard i's value of keys[k] ("" when
 * unset; NUL-terminated), blank[i] whether shard i is blank (as
 * lx_shard_blank; asked only when its first key is unset).  A shard that
 * is down gets "" and 0.  The caller owns values (n = lx_shard_count
 * times nkeys lupe_bufs, zeroed or reused) and frees them.  Each shard that
 * fails is marked down, as lx_shard_get_metadata marks it.  A reader goes
 * on without a shard that fails with a network error (as lx_open_shards
 * goes on without one that does not answer): LUPE_OK while some shard
 * answered.  Otherwise the error of the first shard in the list that
 * failed.
 */
int lx_shards_get_metadata(lx_db *db, const char *const *keys, size_t nkeys, int *blank, lupe_buf *values,
			   lupe_err *err);

/* ---- documents ---- */
lx_doc *lx_doc_new(void);
void lx_doc_free(lx_doc *d);
/* 0, or LUPE_ENOMEM. */
int lx_doc_posting(lx_doc *d, const char *term, size_t len, uint32_t pos, uint32_t wdfinc);
int lx_doc_term(lx_doc *d, const char *term, size_t len, uint32_t wdfinc);
int lx_doc_value(lx_doc *d, unsigned slot, const char *v, size_t n);
int lx_doc_data(lx_doc *d, const char *data, size_t n);
/* Replace the document holding the unique term `idterm` (or add it). */
int lx_replace(lx_db *db, const char *idterm, size_t n, lx_doc *d, lupe_err *err);
/* *found is set to whether a document was there. */
int lx_delete(lx_db *db, const char *idterm, size_t n, int *found, lupe_err *err);
int lx_commit(lx_db *db, lupe_err *err);
/*
 * A commit that only bounds a writer's memory (lupe's automatic commits):
 * as lx_commit, but the index's term lists (the lexicon remote readers
 * fetch a prefix's terms from) wait for the next lx_commit; until then
 * the index carries no lexicon stamp, so readers list terms as before.
 */
int lx_commit_batch(lx_db *db, lupe_err *err);
/* Commit, rewrite the local index compactly beside it and swap it in. */
int lx_compact(lx_db *db, lupe_err *err);

/* ---- bulk loading (index/bulk.c) ----
 * A bulk load writes into temporary sub-indexes, "parts", beside a local
 * index (PATH.lupe-bulk-K, K < LX_PARTS_MAX), each a writer lx_db of its
 * own, and merges them into the index with one compaction at the end.  A
 * part is never read by anyone but the process that writes it; its
 * commits are not synced to disk, since a crash throws it away anyway. */
#define LX_PARTS_MAX 64
/* Create part k of the writer db's index afresh. */
int lx_part_create(lx_db **out, lx_db *db, unsigned k, lupe_err *err);
/* Close a part, dropping what it holds, and remove its folder.  NULL is allowed. */
void lx_part_drop(lx_db *part);
/*
 * Reads through the writer db see its index and these parts as one index
 * (n == 0: its index alone again).  Read only while no thread writes a part.
 */
int lx_read_parts(lx_db *db, lx_db *const *parts, size_t n, lupe_err *err);
/*
 * Commit db and the parts, compact them together into a folder beside db's
 * index and put that in the index's place atomically (as lx_compact).
 * *merged says whether the index now holds the parts' documents: when it
 * does the parts must be dropped, never merged again, even if the call
 * failed afterwards (reopening the index).
 */
int lx_merge_parts(lx_db *db, lx_db *const *parts, size_t n, int *merged, lupe_err *err);
/*
 * Remove the folders an interrupted bulk load or compaction left beside
 * the writer db's local index.  Only safe with the index's lock held: a
 * live load or compaction holds it.
 */
void lx_remove_leftovers(lx_db *db);

/*
 * Recovery before removal: when `path` is missing but a swap (lupe_compact,
 * the end of a bulk load) that died between its two renames left the index
 * beside it ("PATH.lupe-old", else a complete "PATH.lupe-compact"), rename
 * it back.  LUPE_OK when there was nothing to do or it was put back;
 * LUPE_EIO when an index is there but cannot be put back (then nothing may
 * be created at path).  Called before a local index is opened.
 */
int lx_recover(const char *path, lupe_err *err);
/*
 * Create a new local index at `path` atomically: it is built in a folder
 * beside it ("PATH.lupe-new-PID"), given the metadata `keys`/`values` (n
 * pairs), committed, synced and renamed into place, so that a process
 * killed at any moment leaves either no index or a complete one.  When
 * another process created the index first, LUPE_OK too: open it.
 */
int lx_create(const char *path, const char *const *keys, const char *const *values, size_t n, lupe_err *err);
/*
 * Whether the folder path may be created in: empty, or holding only what a
 * creation killed half-way leaves.  lx_create renames the new index onto
 * PATH; when that cannot be (PATH is a mount point: EBUSY, EXDEV), it
 * copies the files in, Xapian's marker file last, and such a folder keeps
 * the tables of a creation killed before the marker.
 */
int lx_dir_is_blank(const char *path);

/*
 * The writers' lock of a local index: an exclusive flock() on
 * "PATH.lupe-lock", a file beside the index that stays.  Xapian's own lock
 * lives inside the index folder, which a swap replaces: between the swap
 * and the writer's reopening nothing would lock PATH, and a second writer
 * could open it and remove the folder the first still writes.  Taken
 * before recovery and creation, so that those run under it too.  *fd
 * gets the descriptor to give to lx_writer_unlock.  LUPE_ELOCKED when
 * another writer holds it; LUPE_ENOTFOUND when the folder PATH would be
 * in does not exist; LUPE_EIO (with the cause) when the file cannot be
 * made or locked (read-only file system, no permission, no descriptors).
 */
int lx_writer_lock(const char *path, int *fd, lupe_err *err);
/* Release it; -1 is allowed. */
void lx_writer_unlock(int fd);

/*
 * Check the local index at path for damage, as xapian-check does (every
 * block of every table, and the tables against each other).  LUPE_OK, or
 * LUPE_ECORRUPT with the count and the last of Xapian's report in err.
 */
int lx_check(const char *path, lupe_err *err);

/* ---- fault injection (tests only) ----
 * Tests set these through the internal library; they stay zero otherwise.
 * no_exchange: swap folders by two renames, as on file systems without
 * renameat2(RENAME_EXCHANGE) (NFS, CIFS, FUSE).  at: called at each named
 * point of the file operations ("swap:between-renames", "swap:synced",
 * "create:built", ...); a test kills its process there ("terms:list": a
 * remote reader is about to fetch a term list; a test stops a server;
 * "terms:sizes": a remote reader asks its shards' whole lexicons' sizes;
 * "terms:base-unpack" / "terms:base-kept": a remote reader unpacks a
 * prefix's base in its whole lexicons, or reads its kept copy;
 * "terms:lexicon": a local reader read a term list from the lexicon;
 * "records:read": a remote reader is about to read its hits' records
 * that it does not keep, from their shards at once; "shards:metadata":
 * lupe_open is about to read every shard's lupe metadata at once).
 * whole_unpacked_max: when not 0, the bytes of unpacked bases a reader's
 * whole lexicons keep in all, in place of kLexWholeUnpackedMax. */
typedef struct {
	int no_exchange;
	size_t whole_unpacked_max;
	void (*at)(const char *point);
	/* Called at each step a search's matcher counts towards a look at its
	 * time budget (lx_params.deadline_ns): each candidate document (the
	 * Deadline filter) or each weighted term of one (DeadlineWeight).  A
	 * test makes the matcher slow with it. */
	void (*match)(void);
	/* Called on the searching thread before every match (lx_search,
	 * lx_like): a test blocks there, as a lookup that never returns on a
	 * damaged index would. */
	void (*stall)(void);
	/* When not 0: a term listing (lx_allterms, lx_allterms_every) fails
	 * once after this many terms as a concurrent commit makes it fail
	 * (Xapian::DatabaseModifiedError), and the hook is reset to 0. */
	size_t modified_after;
} lx_test_hooks;
extern lx_test_hooks lx_hooks;

/* ---- queries (each constructor takes ownership of the queries it is given) ---- */
enum { LX_OR, LX_AND, LX_AND_NOT, LX_AND_MAYBE, LX_PHRASE, LX_NEAR, LX_FILTER, LX_SYNONYM };
lx_query *lx_q_term(const char *term, size_t len, uint32_t wqf);
lx_query *lx_q_combine(int op, lx_query **kids, size_t n, unsigned window);
lx_query *lx_q_scale(lx_query *q, double factor);
/* Terms starting with prefix; max_expansion 0 means all of them (for filters). */
lx_query *lx_q_wildcard(const char *prefix, size_t len, unsigned max_expansion);
/* Documents whose value in slot lies in [lo, hi]; lo or hi may be NULL for an open end. */
lx_query *lx_q_value_range(unsigned slot, const char *lo, const char *hi);
lx_query *lx_q_matchall(void);
/* A query that matches no document (Xapian's MatchNothing): an OR drops it, a phrase or AND of it is nothing. */
lx_query *lx_q_nothing(void);
void lx_q_free(lx_query *q);
/* A readable description, for tests and --explain. */
int lx_q_describe(const lx_query *q, lupe_buf *out);

/* ---- searching ---- */
typedef struct {
	double k1, b;            /* BM25 */
	int sort;                /* 0 relevance, 1 date newest first, 2 date oldest first */
	unsigned facet_slots;    /* bit i: count the values of slot i over the whole match set */
	int explain;             /* record matching terms and their weights per hit */
	int partial;             /* sharded reader: answer from the shards that answer */
	/* lupe_now_ns() (util/clock.h) after which the search fails with
	 * LUPE_ETIMEOUT; 0 for none.  Checked before each attempt and, on a
	 * local index, as the matcher goes. */
	uint64_t deadline_ns;
	unsigned budget_ms;      /* the budget it came from, for the message */
	int reopened;            /* reader: the caller ran lx_reopen just before: search that revision */
	/*
	 * Local reader: whether the caller holds the record of docid as read
	 * in generation (lx_mset_record_key's), so that the hit's stored data
	 * need not be read: 1 leaves it unread (lx_mset_data gives NULL).
	 * NULL: every hit's data are read.
	 */
	int (*have_record)(void *ctx, uint64_t generation, uint32_t docid);
	void *have_ctx;
} lx_params;

/*
 * Totals are exact on an index of at most LX_COUNT_ALL_MAX documents (the
 * matcher looks at every match), and on a larger one up to
 * LX_CHECK_AT_LEAST matches (it looks at that many at least); above, the
 * matcher's estimate and bounds.  Chosen by what questions cost
 * (bench/ab_latency.py, callgrind; see the commit).
 */
#define LX_COUNT_ALL_MAX 2000
#define LX_CHECK_AT_LEAST 100

/*
 * Run q; the result set holds the hits' weights and stored data, read in
 * the same revision (a concurrent commit makes this retry on the newest).
 */
int lx_search(lx_db *db, const lx_query *q, size_t offset, size_t limit, const lx_params *p,
	      lx_mset **out, lupe_err *err);
size_t lx_mset_size(const lx_mset *m);
uint64_t lx_mset_estimate(const lx_mset *m, int *exact);
/* The bounds of the total the estimate lies between (equal when exact). */
void lx_mset_bounds(const lx_mset *m, uint64_t *lower, uint64_t *upper);
double lx_mset_weight(const lx_mset *m, size_t i);
/* The i-th hit's stored data; NULL when it was left unread (lx_params.have_record). */
const char *lx_mset_data(const lx_mset *m, size_t i, size_t *len);
/*
 * Read the i-th hit's data now, when lx_mset_data gives NULL: m is a
 * result of lx_search(db, ...) with db not reopened since.  LUPE_OK (the
 * data are then in m) or an error.
 */
int lx_mset_read_data(lx_db *db, lx_mset *m, size_t i, lupe_err *err);
/*
 * What identifies the i-th hit's stored data for a cache of what is read
 * from it: 1 with *docid and *generation set when m was read by a local
 * reader (the data of docid stays the same while the reader's generation,
 * bumped by every reopen that finds a new revision, does); 0 when it cannot
 * be cached: a writer (its uncommitted replacements keep their docid), a
 * sharded or remote index, or i out of range.
 */
int lx_mset_record_key(const lx_mset *m, size_t i, uint64_t *generation, uint32_t *docid);
/* With p->explain: "term=weight" entries for the hit, ';'-separated (borrowed). */
const char *lx_mset_explain(const lx_mset *m, size_t i);
/*
 * Whether the i-th hit of m, a result of lx_search(db, ...) with db not
 * reopened since, holds `term`: 1, 0, or -1 when it cannot tell (an error).
 */
int lx_mset_has_term(lx_db *db, const lx_mset *m, size_t i, const char *term, size_t len);
/* With p->facet_slots: the k-th (value, count) of slot, most frequent first; 0 past the end. */
int lx_mset_facet(const lx_mset *m, unsigned slot, size_t k, const char **value, uint64_t *count);

/*
 * More like this: documents like the one holding idterm, by the top
 * `nterms` unprefixed terms of relevance feedback; that document excluded.
 * *found says whether it exists.
 */
int lx_like(lx_db *db, const char *idterm, size_t n, unsigned nterms, size_t offset, size_t limit,
	    const lx_params *p, lx_mset **out, int *found, lupe_err *err);

/* The stored data of the first document holding term (for showing a word as written). */
int lx_first_data(lx_db *db, const char *term, size_t len, lupe_buf *out, int *found, lupe_err *err);
/*
 * The i-th term of the query and its document frequency as the match read
 * it (no look-up): 1, or 0 past the last.  *term is borrowed from m.
 */
int lx_mset_termfreq(const lx_mset *m, size_t i, const char **term, size_t *len, uint64_t *freq);
/* Whether some shard did not answer and the hits come from the others. */
int lx_mset_partial(const lx_mset *m);
void lx_mset_free(lx_mset *m);

/*
 * A remote reader keeps the term lists lx_allterms and lx_termfreqs read
 * by prefixes of this many bytes (one list a prefix, with the terms'
 * frequencies, until a shard's revision changes): a walk of the terms that
 * start with a prefix this long costs no round trip once its list is kept.
 */
#define LX_LIST_PREFIX 2

/*
 * A reader's memo of what its callers derived from the index (a word's
 * variants found in it): lx_memo_put keeps vlen bytes under a key until a
 * reopen finds a new revision (of some shard, or the shard set changes),
 * at most a few MB (when full, everything goes).  lx_memo_get: 1 with *val
 * (borrowed, valid until the next lx_memo_put or reopen) and *vlen, 0 when
 * nothing is kept under key.  A writer keeps nothing (what it reads
 * changes without a new revision).
 */
int lx_memo_get(lx_db *db, const char *key, size_t klen, const void **val, size_t *vlen);
void lx_memo_put(lx_db *db, const char *key, size_t klen, const void *val, size_t vlen);

/* ---- zoned snippets (search/zones.c) ----
 * What a snippet of a long body reads of the i-th hit of m, a result of
 * lx_search(db, ...) with db not reopened since.  Only a local index
 * answers (a sharded or remote one returns 0 and the snippet reads the
 * body the old way), and only in the generation m was read in. */
/* The hit's value in slot into out: 1 (out->len 0 when it has none), 0 not here, -1 an error. */
int lx_mset_value(lx_db *db, const lx_mset *m, size_t i, unsigned slot, lupe_buf *out);
/*
 * The positions of terms[0..n) (lens[k] bytes each) in the hit: cb(ctx, k,
 * position) for each, term by term in ascending positions; a non-zero
 * return of cb stops the term.  1, 0 not here, -1 an error.
 */
typedef int (*lx_pos_cb)(void *ctx, size_t term, uint32_t pos);
int lx_mset_positions(lx_db *db, const lx_mset *m, size_t i, const char *const *terms, const size_t *lens, size_t n,
		      lx_pos_cb cb, void *ctx);

/* ---- the lexicon in the index (lexicon.cc; tests and fuzzing) ----
 * lx_lexicon_get: the terms the committed lexicon of a local index (or a
 * writer's, with its uncommitted changes) holds for the two-byte prefix
 * p2, through cb (non-zero stops): 1, 0 when the index has no lexicon
 * that matches it, -1 on an error.  lx_lexicon_decode: the same from a
 * stored value (len bytes), 0 when it is damaged. */
typedef int (*lx_lex_cb)(void *ctx, const char *term, size_t len, uint64_t freq);
int lx_lexicon_get(lx_db *db, const char *p2, lx_lex_cb cb, void *ctx);
int lx_lexicon_decode(const char *p2, const void *blob, size_t len, lx_lex_cb cb, void *ctx);

/*
 * lx_search of the first `limit` hits of q, which the caller names by key
 * (the same key, the same q, limit and p).  A remote reader keeps the
 * page (docids, weights, totals, term statistics) in its memo
 * (lx_memo_put: for the generation, a few MB at most): met again, only the
 * records are read, mostly from those it keeps (no exchange).  Any other
 * handle, and a search with explain or facets, searches.
 */
int lx_search_kept(lx_db *db, const lx_query *q, const char *key, size_t klen, size_t limit, const lx_params *p,
		   lx_mset **out, lupe_err *err);
/*
 * Whether the i-th hit, whose id term (LUPE_PFX_ID + id) is idterm, holds
 * any of the n terms: 1, 0, or -1 when that cannot be told (as
 * lx_mset_has_term).  A remote reader skips the terms the match found in
 * no document and asks the others in one search of the hit's shard (two
 * exchanges, whatever the terms' frequencies).  A local reader, or idterm
 * NULL: lx_mset_has_term a term.
 */
int lx_mset_hit_has_any_term(lx_db *db, const lx_mset *m, size_t i, const char *idterm, size_t idlen,
			     const char *const *terms, const size_t *lens, size_t n);
/*
 * As lx_lexicon_get, from the whole lexicon (every prefix's value in a few
 * metadata values, round ten) of db's index: 1, 0 when it has none that
 * matches the index, -1 on an error.
 */
int lx_lexicon_whole_get(lx_db *db, const char *p2, lx_lex_cb cb, void *ctx);
/*
 * The same from one stored chunk of a whole lexicon (len bytes) written
 * with stamp: 1, 0 when it is damaged or of another stamp, -1 when the
 * look-up in place (lx_lex_whole_find) answers otherwise than the list.
 */
int lx_lexicon_whole_decode(const void *chunk, size_t len, const char *stamp, const char *p2, lx_lex_cb cb,
			    void *ctx);
/*
 * Whether a term of a reader (remote, or local on one index) starts with
 * key[0..len): 1 yes, 0 no, -1 when the reader cannot tell without an
 * exchange or a read of the index (it keeps no list of the key's first
 * LX_LIST_PREFIX bytes for the revision read), and for any other handle.
 * What it answers is of the revision the reader reads.
 */
int lx_terms_start_known(lx_db *db, const char *key, size_t len);
/*
 * As lx_terms_start_known; a local reader on one index that lacks the list
 * of the key's first LX_LIST_PREFIX bytes for the second time in the
 * revision it reads then reads and keeps it from the index's lexicon (a
 * few a word at most) and answers from it.  1 yes, 0 no, -1 when it cannot
 * tell (the caller then walks the index).  lx_terms_start_word starts a
 * word (one call before its keys).
 */
int lx_terms_start(lx_db *db, const char *key, size_t len);
void lx_terms_start_word(lx_db *db);
#ifdef __cplusplus
}
#endif

#endif
