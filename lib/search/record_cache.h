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

#endif
