/*
 * The hits' unpacked records, kept per handle (lupe_db.records): a live
 * picker searches on every keystroke, and one keystroke's hits are mostly
 * the last one's, whose records were just unpacked (zstd).  An entry is
 * keyed by the reader's generation and the docid (lx_mset_record_key), so
 * it is never served after the reader moved to another revision: the first
 * look-up in a new generation empties the cache.  Only a record met again
 * (among the last LUPE_RCACHE_SEEN offered) is kept: most hits of unrelated
 * queries are met once, and copying each of them (and keeping 4 MB of them
 * warm) cost more than the few repeats saved.  Bounded: at most
 * LUPE_RCACHE_ENTRIES records and LUPE_RCACHE_BYTES bytes, least recently
 * used out first.  One handle's, used by one thread at a time, as the
 * handle is.
 */
#ifndef LUPE_RECORD_CACHE_H
#define LUPE_RECORD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "index/document.h"
#include "util/buf.h"

#define LUPE_RCACHE_ENTRIES 64
#define LUPE_RCACHE_BYTES (4u * 1024 * 1024)
#define LUPE_RCACHE_SEEN 256

typedef struct lupe_rcache lupe_rcache;

void lupe_rcache_free(lupe_rcache *c);

/*
 * The record of docid read in generation gen: 1 with *rec set (its
 * strings point into the cache, valid until the next lupe_rcache_put or
 * lupe_rcache_free), 0 when the cache has none.  c may be NULL (empty).
 */
int lupe_rcache_get(lupe_rcache *c, uint64_t gen, uint32_t docid, lupe_record *rec);

/*
 * Offer rec, the record of docid read in generation gen: a copy is kept
 * when docid was offered before (among the last LUPE_RCACHE_SEEN), making
 * *c when it is NULL.  A cache: when memory is short, or the record is
 * larger than a quarter of LUPE_RCACHE_BYTES, nothing is kept.
 */
void lupe_rcache_put(lupe_rcache **c, uint64_t gen, uint32_t docid, const lupe_record *rec);

/* Records kept, and their bytes (for tests). */
size_t lupe_rcache_count(const lupe_rcache *c, size_t *bytes);

/*
 * The whole kept bodies of long hits (lupe_record_text_all: the head's
 * text and the tail unpacked, up to LUPE_RECORD_DEEP_MAX bytes), kept per
 * handle (lupe_db.deep_bodies; a reader of one index, as the records:
 * lx_mset_record_key) for the snippets that search past the
 * first stretch (lupe_snippet_deep).  Unpacking a tail of a few hundred
 * KB costs more than the rest of such a search, and a live picker's next
 * keystroke meets the same long pages again.  Keyed and emptied as the
 * records (a generation and a docid: never served after the reader moved
 * to another revision).  Every body is kept (each one is costly to make);
 * bounded: at most LUPE_DCACHE_ENTRIES bodies and LUPE_DCACHE_BYTES bytes
 * of buffers, least recently used out first.
 */
#define LUPE_DCACHE_ENTRIES 4
#define LUPE_DCACHE_BYTES (5u * 1024 * 1024)

typedef struct lupe_dcache lupe_dcache;

void lupe_dcache_free(lupe_dcache *c);

/*
 * The body of docid read in generation gen: 1 with *text and *len set
 * (valid until the next lupe_dcache_put or lupe_dcache_free), 0 when none
 * is kept.  c may be NULL (empty).
 */
int lupe_dcache_get(lupe_dcache *c, uint64_t gen, uint32_t docid, const char **text, size_t *len);

/*
 * Keep body, the whole kept body of docid read in generation gen, making
 * *c when it is NULL: its memory is taken (no copy), body gets back the
 * buffer of a body put out for it, or none (empty), and the kept body is
 * returned (valid as lupe_dcache_get's).  A cache: when memory is short,
 * or body's buffer is larger than LUPE_DCACHE_BYTES, body stays the
 * caller's, nothing is kept and NULL is returned.
 */
const lupe_buf *lupe_dcache_put(lupe_dcache **c, uint64_t gen, uint32_t docid, lupe_buf *body);

/* Bodies kept, and the bytes of their buffers (for tests). */
size_t lupe_dcache_count(const lupe_dcache *c, size_t *bytes);

#endif
