#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "index/bulk.h"
#include "index/document.h"
#include "index/pipeline.h"
#include "util/buf.h"

/*
 * Jobs a part may have queued.  Many, so that a run of documents for one
 * part (or one long document) does not keep the caller from feeding the
 * others; memory is bounded by the byte budget.
 */
#define BULK_JOBS 1024
/* Bytes of text queued for all parts together (a longer document waits for an empty queue). */
#define BULK_QUEUE_BYTES (4u * 1024 * 1024)
/*
 * A part that ran out of work sleeps until this many jobs wait for it (or
 * the caller waits for it): waking it for every document costs more in
 * thread switches than writing the document.
 */
#define BULK_WAKE 16
/* Segments a part writes at most (each a sub-index of its own; see lupe_bulk_new). */
#define BULK_SEGS_MAX 16

typedef struct {
	lupe_document doc;     /* fields point into buf */
	char *buf;
	size_t bytes;          /* counted against the part's byte budget */
} job;

/* One part: its sub-index, its thread and the queue of documents routed to it. */
typedef struct {
	lupe_bulk *b;
	lx_db *seg[BULK_SEGS_MAX]; /* its segments; it writes the last */
	unsigned nseg;
	size_t seg_bytes;      /* bytes of text written to x */
	int rotated;           /* a segment was added since the reads last learnt of them */
	pthread_t thread;
	int started;
	pthread_cond_t work;   /* a job to take, a commit to make, or stop */
	pthread_cond_t idle;   /* a job or commit finished */
	job *q[BULK_JOBS];
	size_t head, tail;     /* counters: next to write, next to add */
	size_t bytes;          /* of the jobs queued */
	int busy;              /* writing the job at head, or committing */
	int want_commit;       /* commit once the queue is empty */
	unsigned since_commit; /* documents written since the part's last commit */
	size_t since_bytes;    /* and their bytes of text */
	lupe_analyzer *an;
	lupe_tokens toks;
	lupe_buf tmp, idterm;
} part;

struct lupe_bulk {
	pthread_mutex_t mu;    /* guards every queue and the failure below */
	lx_db *x;              /* the index the parts are merged into */
	part *p;
	unsigned n;
	unsigned commit_every;
	size_t commit_bytes;
	size_t segment_bytes;  /* a part starts a new segment after this much text */
	unsigned segs_max;
	size_t budget;         /* bytes of queued text per part */
	lupe_buf idterm;       /* the caller's thread's, for lupe_bulk_part_of */
	int stop;
	int changed;           /* a document was given to a part (or a part to the caller) */
	int rc;                /* the first failure of a part not yet reported */
	lupe_err err;
	/* A part failed to write or commit: Xapian dropped what it held, so the
	 * load can never be published whole.  Its message; "" while whole. */
	char broken[LUPE_ERRMSG_MAX];
};

static void job_free(job *j)
{
	if (!j)
		return;
	free(j->buf);
	free(j);
}

/* Record a part's failure for the caller's next call (the first one wins); under mu. */
static void failed(lupe_bulk *b, int rc, const lupe_err *e)
{
	if (b->rc == LUPE_OK) {
		b->rc = rc;
		b->err = *e;
	}
	/* A document the caller got wrong costs that document only. */
	if (rc != LUPE_EINVAL && !b->broken[0])
		snprintf(b->broken, sizeof b->broken, "%s", e->msg[0] ? e->msg : "a part failed");
}

/* Hand the recorded failure over, once; under mu. */
static int take_failure(lupe_bulk *b, lupe_err *err)
{
	int rc = b->rc;
	if (rc != LUPE_OK) {
		*err = b->err;
		b->rc = LUPE_OK;
	}
	return rc;
}

/* The segment the part writes now. */
static lx_db *current(const part *w)
{
	return w->seg[w->nseg - 1];
}

/*
 * Delete the id's documents from the part's earlier segments (a replace or
 * delete of an id written before the part moved on); *found, when not
 * NULL, says whether there were any.  On the part's thread, or on the
 * caller's while the part is idle.
 */
static int drop_older(part *w, const char *idterm, size_t n, int *found, lupe_err *err)
{
	if (found)
		*found = 0;
	for (unsigned s = 0; s + 1 < w->nseg; s++) {
		int f = 0;
		int rc = lx_delete(w->seg[s], idterm, n, &f, err);
		if (rc != LUPE_OK)
			return rc;
		if (found && f)
			*found = 1;
	}
	return LUPE_OK;
}

/*
 * Go on in a new segment: the one written so far is committed and stays as
 * it is.  A Xapian writer's cost per document grows with its index (on the
 * 414 MB corpus the last copies of the corpus took 25% longer than the
 * first), so a part writes segments of segment_bytes of text each, and the
 * merge at the end takes them all.  If the new one cannot be made, the part
 * goes on in the old one (a failure to write is reported by the writes).
 */
static void next_segment(part *w)
{
	lupe_bulk *b = w->b;
	lx_db *nx;
	lupe_err e;
	w->seg_bytes = 0; /* on failure too: the next try after as much text again */
	if (lx_part_create(&nx, b->x, (unsigned)(w - b->p) + w->nseg * b->n, &e) != LUPE_OK)
		return;
	w->seg[w->nseg++] = nx;
	w->rotated = 1;
}

/* Analyse and write one document into the part; on its thread, without mu. */
static int write_job(part *w, job *j, lupe_err *err)
{
	lx_doc *xd = NULL;
	int rc = lupe_document_build(w->an, &j->doc, &w->toks, &w->tmp, &xd, err);
	if (rc != LUPE_OK)
		return rc;
	if (lupe_id_term(&w->idterm, j->doc.id) < 0)
		rc = lupe_err_set(err, LUPE_ENOMEM, "document %s: out of memory", j->doc.id);
	else if ((rc = drop_older(w, w->idterm.p, w->idterm.len, NULL, err)) == LUPE_OK)
		rc = lx_replace(current(w), w->idterm.p, w->idterm.len, xd, err);
	lx_doc_free(xd);
	if (rc != LUPE_OK)
		return rc;
	/* Committing a part bounds the memory its writer holds; nobody reads it. */
	size_t bytes = (j->doc.title ? j->doc.title_len : 0) + (j->doc.text ? j->doc.text_len : 0);
	w->since_bytes += bytes;
	w->seg_bytes += bytes;
	if (++w->since_commit >= w->b->commit_every || w->since_bytes >= w->b->commit_bytes) {
		w->since_commit = 0;
		w->since_bytes = 0;
		rc = lx_commit(current(w), err);
		if (rc == LUPE_OK && w->seg_bytes >= w->b->segment_bytes && w->nseg < w->b->segs_max)
			next_segment(w);
	}
	return rc;
}

/*
 * The low-water mark of a part's queue, under mu: a caller that found the
 * queue full waits until it is this empty, so that the two threads do not
 * take turns for every document.
 */
static int low(const lupe_bulk *b, const part *w)
{
	return w->head == w->tail || (w->tail - w->head <= BULK_JOBS / 2 && w->bytes <= b->budget / 2);
}

/* Whether a job of `need` bytes must wait for room, under mu. */
static int full(const lupe_bulk *b, const part *w, size_t need)
{
	return w->tail - w->head >= BULK_JOBS || (w->head < w->tail && w->bytes + need > b->budget);
}

static void *work(void *arg)
{
	part *w = arg;
	lupe_bulk *b = w->b;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && w->head == w->tail && !w->want_commit)
			pthread_cond_wait(&w->work, &b->mu);
		if (b->stop)
			break;
		lupe_err e;
		lupe_err_clear(&e);
		int rc;
		w->busy = 1;
		if (w->head == w->tail) {
			w->want_commit = 0;
			pthread_mutex_unlock(&b->mu);
			w->since_commit = 0;
			w->since_bytes = 0;
			rc = lx_commit(current(w), &e);
			pthread_mutex_lock(&b->mu);
		} else {
			job *j = w->q[w->head % BULK_JOBS];
			pthread_mutex_unlock(&b->mu);
			rc = write_job(w, j, &e);
			size_t bytes = j->bytes;
			job_free(j);
			pthread_mutex_lock(&b->mu);
			w->q[w->head++ % BULK_JOBS] = NULL;
			w->bytes -= bytes;
		}
		if (rc != LUPE_OK)
			failed(b, rc, &e);
		w->busy = 0;
		/* Wake the caller when it may go on: not after every job of a full queue. */
		if (low(b, w))
			pthread_cond_broadcast(&w->idle);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Every segment of every part, part after part, into xs (LX_PARTS_MAX); returns how many. */
static size_t all_segments(const lupe_bulk *b, lx_db **xs)
{
	size_t n = 0;
	for (unsigned i = 0; i < b->n; i++)
		for (unsigned s = 0; s < b->p[i].nseg; s++)
			xs[n++] = b->p[i].seg[s];
	return n;
}

/* Reads through x see the index and every segment; while no part writes. */
static int read_all(lupe_bulk *b, lupe_err *err)
{
	lx_db *xs[LX_PARTS_MAX];
	size_t n = all_segments(b, xs);
	for (unsigned i = 0; i < b->n; i++)
		b->p[i].rotated = 0;
	return lx_read_parts(b->x, xs, n, err);
}

int lupe_bulk_new(lupe_bulk **out, lx_db *x, unsigned parts, int decompound, unsigned commit_every,
		  size_t commit_bytes, size_t segment_bytes, lupe_err *err)
{
	*out = NULL;
	if (parts < 1 || parts > LX_PARTS_MAX)
		return lupe_err_set(err, LUPE_EINVAL, "bulk load: %u parts (1 to %d)", parts, LX_PARTS_MAX);
	lupe_bulk *b = calloc(1, sizeof *b);
	if (!b)
		return lupe_err_set(err, LUPE_ENOMEM, "bulk load: out of memory");
	pthread_mutex_init(&b->mu, NULL);
	b->x = x;
	b->commit_every = commit_every ? commit_every : 1;
	b->commit_bytes = commit_bytes ? commit_bytes : 1;
	b->segment_bytes = segment_bytes ? segment_bytes : SIZE_MAX;
	b->segs_max = LX_PARTS_MAX / parts < BULK_SEGS_MAX ? LX_PARTS_MAX / parts : BULK_SEGS_MAX;
	b->budget = BULK_QUEUE_BYTES / parts;
	b->p = calloc(parts, sizeof *b->p);
	if (!b->p) {
		lupe_bulk_free(b);
		return lupe_err_set(err, LUPE_ENOMEM, "bulk load: out of memory");
	}
	lupe_analyzer_options ao = LUPE_ANALYZER_OPTIONS_INIT;
	ao.decompound = decompound;
	int rc = LUPE_OK;
	for (unsigned i = 0; i < parts && rc == LUPE_OK; i++) {
		part *w = &b->p[i];
		w->b = b;
		pthread_cond_init(&w->work, NULL);
		pthread_cond_init(&w->idle, NULL);
		b->n = i + 1;
		if ((rc = lx_part_create(&w->seg[0], x, i, err)) != LUPE_OK)
			break;
		w->nseg = 1;
		if ((rc = lupe_analyzer_new(&w->an, &ao)) != LUPE_OK) {
			lupe_err_set(err, rc, "bulk load: cannot create an analyzer");
			break;
		}
		if (pthread_create(&w->thread, NULL, work, w) != 0) {
			rc = lupe_err_set(err, LUPE_EINTERNAL, "bulk load: cannot start a thread");
			break;
		}
		w->started = 1;
	}
	if (rc == LUPE_OK)
		rc = read_all(b, err);
	if (rc != LUPE_OK) {
		lupe_bulk_free(b);
		return rc;
	}
	*out = b;
	return LUPE_OK;
}

static part *part_for(lupe_bulk *b, const char *id)
{
	return &b->p[lx_shard_hash(id, strlen(id)) % b->n];
}

/* Wait until w has written and committed all it was given; under mu. */
static void wait_idle(lupe_bulk *b, part *w)
{
	pthread_cond_signal(&w->work);
	while (w->head != w->tail || w->busy || w->want_commit)
		pthread_cond_wait(&w->idle, &b->mu);
}

int lupe_bulk_add(lupe_bulk *b, const lupe_document *doc, lupe_err *err)
{
	job *j = calloc(1, sizeof *j);
	size_t need = j ? lupe_document_copy(doc, &j->doc, &j->buf) : 0;
	if (!need) {
		free(j);
		return lupe_err_set(err, LUPE_ENOMEM, "document %s: out of memory", doc->id);
	}
	j->bytes = need;
	part *w = part_for(b, doc->id);
	pthread_mutex_lock(&b->mu);
	/* Room: a job slot, and the bytes (a document bigger than the budget waits for an empty queue). */
	if (full(b, w, need)) {
		pthread_cond_signal(&w->work);
		while (!low(b, w))
			pthread_cond_wait(&w->idle, &b->mu);
		while (full(b, w, need)) /* a long document: until the queue is empty */
			pthread_cond_wait(&w->idle, &b->mu);
	}
	w->q[w->tail++ % BULK_JOBS] = j;
	w->bytes += need;
	b->changed = 1;
	if (w->tail - w->head >= BULK_WAKE || w->bytes >= b->budget / 2)
		pthread_cond_signal(&w->work);
	int rc = take_failure(b, err);
	pthread_mutex_unlock(&b->mu);
	return rc;
}

int lupe_bulk_part_of(lupe_bulk *b, const char *id, lx_db **out, int *found_older, lupe_err *err)
{
	part *w = part_for(b, id);
	if (found_older)
		*found_older = 0;
	pthread_mutex_lock(&b->mu);
	wait_idle(b, w);
	b->changed = 1;
	int rc = take_failure(b, err);
	pthread_mutex_unlock(&b->mu);
	*out = current(w);
	/* Idle until the caller's next lupe_bulk_* call: its segments are the caller's. */
	if (rc == LUPE_OK && w->nseg > 1) {
		if (lupe_id_term(&b->idterm, id) < 0)
			rc = lupe_err_set(err, LUPE_ENOMEM, "document %s: out of memory", id);
		else
			rc = drop_older(w, b->idterm.p, b->idterm.len, found_older, err);
	}
	return rc;
}

/* Wait for every part, asking each for a commit first when `commit`. */
static int sync_all(lupe_bulk *b, int commit, lupe_err *err)
{
	pthread_mutex_lock(&b->mu);
	if (commit)
		for (unsigned i = 0; i < b->n; i++) {
			b->p[i].want_commit = 1;
			pthread_cond_signal(&b->p[i].work);
		}
	for (unsigned i = 0; i < b->n; i++)
		wait_idle(b, &b->p[i]);
	int rc = take_failure(b, err);
	/* Every part is idle: reads may learn of new segments now. */
	int rotated = 0;
	for (unsigned i = 0; i < b->n; i++)
		rotated |= b->p[i].rotated;
	if (rc == LUPE_OK && rotated)
		rc = read_all(b, err);
	pthread_mutex_unlock(&b->mu);
	return rc;
}

int lupe_bulk_sync(lupe_bulk *b, lupe_err *err)
{
	return sync_all(b, 0, err);
}

int lupe_bulk_finish(lupe_bulk *b, int *ended, lupe_err *err)
{
	*ended = 0;
	/* The parts commit at once, each on its thread; the merge reads what they committed. */
	int rc = sync_all(b, b->changed, err);
	if (b->broken[0])
		return lupe_err_set(err, LUPE_ELOST, "bulk load: %s: the load is lost whole, nothing was merged",
				    b->broken);
	if (rc != LUPE_OK)
		return rc;
	if (!b->changed) { /* nothing to merge: the index stays as it is */
		lupe_bulk_free(b);
		*ended = 1;
		return LUPE_OK;
	}
	lx_db *xs[LX_PARTS_MAX];
	size_t nx = all_segments(b, xs);
	int merged = 0;
	rc = lx_merge_parts(b->x, xs, nx, &merged, err);
	if (!merged)
		return rc;
	lupe_bulk_free(b);
	*ended = 1;
	return rc;
}

const char *lupe_bulk_broken(lupe_bulk *b)
{
	pthread_mutex_lock(&b->mu);
	const char *r = b->broken[0] ? b->broken : NULL;
	pthread_mutex_unlock(&b->mu);
	return r;
}

void lupe_bulk_free(lupe_bulk *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	for (unsigned i = 0; i < b->n; i++)
		pthread_cond_signal(&b->p[i].work);
	pthread_mutex_unlock(&b->mu);
	/* Reads through x must not reach the parts any more. */
	lupe_err scratch;
	lx_read_parts(b->x, NULL, 0, &scratch);
	for (unsigned i = 0; i < b->n; i++) {
		part *w = &b->p[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		for (size_t k = w->head; k < w->tail; k++)
			job_free(w->q[k % BULK_JOBS]);
		for (unsigned s = 0; s < w->nseg; s++)
			lx_part_drop(w->seg[s]);
		lupe_analyzer_free(w->an);
		lupe_tokens_release(&w->toks);
		lupe_buf_free(&w->tmp);
		lupe_buf_free(&w->idterm);
		pthread_cond_destroy(&w->work);
		pthread_cond_destroy(&w->idle);
	}
	free(b->p);
	lupe_buf_free(&b->idterm);
	pthread_mutex_destroy(&b->mu);
	free(b);
}
