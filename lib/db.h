/* The database handle, shared by db.c and search/. */
#ifndef LUPE_DB_H
#define LUPE_DB_H

#include "lupe.h"
#include "analysis/analyzer.h"
#include "index/bulk.h"
#include "index/pipeline.h"
#include "index/schema.h"
#include "search/snippet.h"
#include "shim/shim.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/watch.h"


/* lupe_open_options.batch_bytes by default. */
#define LUPE_BATCH_BYTES (4u * 1024 * 1024)

struct lupe_db {
	lx_db *x;
	lupe_analyzer *an;
	lupe_tokens toks;  /* scratch for documents and queries */
	lupe_buf tmp;
	lupe_buf rec;      /* scratch: a hit's unpacked record (lupe_record_parse) */
	lupe_buf deep;     /* scratch: a hit's whole kept body (lupe_record_text_all) */
	struct lupe_rcache *records; /* hits' unpacked records (search/record_cache.h); NULL until used */
	struct lupe_dcache *deep_bodies; /* long hits' whole kept bodies (search/record_cache.h); NULL until used */
	lupe_snip_scratch snip; /* scratch the searches' snippet keys borrow (search/snippet.h) */
	lupe_err err;
	int writable;
	unsigned batch_size;
	size_t batch_bytes;
	unsigned pending;  /* changes since the last commit */
	size_t pending_bytes; /* bytes of text added since the last commit */
	unsigned timeout_ms;
	lupe_pipeline *pipe; /* a writer's analysis threads; NULL when it has none */
	lupe_bulk *bulk;     /* a bulk load's writer threads (LUPE_OPEN_BULK); NULL when none */
	unsigned threads;    /* a writer's threads, as opened */
	int decompound;
	/* A commit failed and its changes were discarded (or a bulk load's part
	 * failed): writes fail with LUPE_ELOST until lupe_acknowledge_loss(). */
	int lost;
	char lost_msg[LUPE_ERRMSG_MAX];
	int lockfd;          /* a local writer's lx_writer_lock; -1 when none */
	/* A reader's searches run on this watched thread (lupe_search() in
	 * search.c); NULL for writers and without LUPE_OPEN_WATCHED.  hung: a
	 * search did not return; the handle is given up (lupe_close leaks it). */
	lupe_watch *watch;
	int remote;          /* some shard is tcp:// (bounded by timeout_ms too) */
	int hung;
	char hung_msg[LUPE_ERRMSG_MAX];
	/* Bytes of hits' bodies their snippets scanned, all searches (search/zones.h; for tests). */
	uint64_t snip_scanned;
	/* Hits whose snippet searched the stretches past the first (lupe_snippet_deep; for tests). */
	uint64_t deep_searched;
	/* Of them, the bodies whose tail was unpacked (not kept in deep_bodies; for tests). */
	uint64_t deep_unpacked;
	/* Stretches that search passed over: no query word's own term there (lupe_zones_quiet; for tests). */
	uint64_t deep_quiet;
};

/*
 * Write what the analysis or bulk threads hold, so that reads through a
 * writer see every document added so far.  A lupe status; the handle's
 * message is set.
 */
int lupe_db_sync(lupe_db *db);

/*
 * Before a read that is not a search (lupe_doc_count, lupe_get_mtime,
 * lupe_list_ids, lupe_like): a writer syncs (lupe_db_sync), a reader moves
 * to the newest committed revision, as lupe_search does, so that it never
 * answers from an older one than its searches.  A reopen that fails is not
 * reported here (the old revision stays): the read that follows meets the
 * same failure and says what it is, a shard marked down by it included.
 */
int lupe_db_read_newest(lupe_db *db);

#endif
