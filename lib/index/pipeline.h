/*
 * Parallel analysis for a writer: worker threads turn documents into Xapian
 * documents while the caller's thread writes finished ones to the index in
 * the order they were added.  Xapian's writer is single-threaded, analysis
 * is not: with W workers, indexing takes about max(analysis / W, writing)
 * instead of their sum.
 *
 * Order is kept exactly (a replace after an add of the same id lands after
 * it).  Memory is bounded: at most LUPE_PIPE_JOBS documents and
 * LUPE_PIPE_BYTES bytes of their text wait in the pipeline; the caller
 * writes (and waits) when it is full.  Each worker has its own analyzer
 * (made once, with the handle's settings), so analysis is the same as on
 * the caller's thread.
 */
#ifndef LUPE_PIPELINE_H
#define LUPE_PIPELINE_H

#include "lupe.h"
#include "shim/shim.h"
#include "util/error.h"

#define LUPE_PIPE_JOBS 64
#define LUPE_PIPE_BYTES (32u * 1024 * 1024)

typedef struct lupe_pipeline lupe_pipeline;

/*
 * Writes a finished document: called on the caller's thread, in add order.
 * Returns a lupe status (err set on failure).
 */
typedef int (*lupe_pipe_write_fn)(void *ctx, const char *idterm, size_t idterm_len, lx_doc *d, lupe_err *err);

/* Start `workers` threads (>= 1), each with an analyzer (decompound on/off). */
int lupe_pipeline_new(lupe_pipeline **out, unsigned workers, int decompound, lupe_pipe_write_fn write,
		      void *ctx, lupe_err *err);

/*
 * Queue a copy of doc (its id already checked).  Writes the finished
 * documents at the head of the queue, and waits for room when full.  A
 * failure to write an earlier document is returned here (its message names
 * that document); it is returned once.
 */
int lupe_pipeline_add(lupe_pipeline *p, const lupe_document *doc, lupe_err *err);

/* Write every queued document; the first failure is returned. */
int lupe_pipeline_flush(lupe_pipeline *p, lupe_err *err);

/* Stop the workers; queued documents not flushed are dropped. */
void lupe_pipeline_free(lupe_pipeline *p);

#endif
