/*
 * Bulk loading into a new, empty local index (LUPE_OPEN_BULK): N writer
 * threads each own a part, a temporary sub-index beside the index
 * (PATH.lupe-bulk-K), and both analyse and write the documents routed to
 * them.  One Xapian writer is single-threaded; N of them are not, so
 * indexing takes about (analysis + writing) / N instead of writing alone.
 *
 * A document goes to part lx_shard_hash(id) % N: every add, replace and
 * delete of one id lands in the same part, in the order the caller made
 * them, so each part replaces like one index would and no id is in two
 * parts.  Parts commit by themselves every batch_size / N documents or
 * batch_bytes / N bytes of text, which bounds memory; those commits are not
 * visible to anyone else.
 *
 * A part writes segments: after segment_bytes of text it commits and goes
 * on in a new sub-index (PATH.lupe-bulk-K for K = part + segment * N, at
 * most BULK_SEGS_MAX segments a part), because a Xapian writer's cost per
 * document grows with the size of its index.  A replace or delete of an id
 * removes it from the part's earlier segments too, so an id is in one
 * segment at most.  At the end the index and every segment are compacted
 * into one index that takes the index's place atomically (lx_merge_parts),
 * and the segments are removed.
 *
 * The index at PATH does not change until that merge: a crash before it
 * leaves the index as it was (new and empty) plus part folders that the
 * next writer to open the index removes.
 */
#ifndef LUPE_BULK_H
#define LUPE_BULK_H

#include "lupe.h"
#include "shim/shim.h"
#include "util/error.h"

typedef struct lupe_bulk lupe_bulk;

/*
 * Create `parts` parts (1..LX_PARTS_MAX) beside the writer x's index and
 * start a thread for each, with an analyzer (decompound on/off); each part
 * commits after every `commit_every` documents or `commit_bytes` bytes of
 * text written to it, whichever comes first, and starts a new segment at
 * the first commit after `segment_bytes` bytes of text (0: never).  Reads
 * through x see the index and the parts as one from now on.
 */
int lupe_bulk_new(lupe_bulk **out, lx_db *x, unsigned parts, int decompound, unsigned commit_every,
		  size_t commit_bytes, size_t segment_bytes, lupe_err *err);

/*
 * Queue a copy of doc (its id and date already checked) for its part,
 * waiting for room when that part's queue is full.  A failure to write an
 * earlier document is returned here (its message names that document),
 * once.
 */
int lupe_bulk_add(lupe_bulk *b, const lupe_document *doc, lupe_err *err);

/*
 * Wait until the part of `id` has written everything queued for it and is
 * idle, delete the id from the part's earlier segments (*found_older, when
 * not NULL, says whether it was in one) and return the segment the part writes now: the
 * caller's thread may then write to it (a huge document, a delete) until
 * its next lupe_bulk_* call, and what it writes is the id's only version.
 * The earlier failure of any part is returned first, as by lupe_bulk_add.
 */
int lupe_bulk_part_of(lupe_bulk *b, const char *id, lx_db **part, int *found_older, lupe_err *err);

/*
 * Wait until every part has written everything queued and is idle, so that
 * the caller's thread may read through x.  The first failure is returned.
 */
int lupe_bulk_sync(lupe_bulk *b, lupe_err *err);

/*
 * End the load: write everything queued, commit the parts (in their
 * threads) and merge them into x's index.  On success the parts are gone,
 * `b` is freed and x is an ordinary writer of the merged index.  On
 * failure `b` still holds everything and the call may be repeated, or
 * lupe_bulk_free() given up on the load; unless *ended, which says that b
 * was freed all the same (the merge was done and only reopening the index
 * failed).  LUPE_ELOST, for good, once a part failed to write or commit
 * (other than LUPE_EINVAL for one document): its documents are gone and
 * the load is never merged.
 */
int lupe_bulk_finish(lupe_bulk *b, int *ended, lupe_err *err);

/* Why the load is lost (a part failed to write), or NULL while it is whole; borrowed. */
const char *lupe_bulk_broken(lupe_bulk *b);

/* Give the load up: stop the threads, drop the parts and remove their folders.  NULL is allowed. */
void lupe_bulk_free(lupe_bulk *b);

#endif
