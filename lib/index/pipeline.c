#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "index/document.h"
#include "index/pipeline.h"
#include "util/buf.h"

typedef struct {
	lupe_document doc;     /* fields point into buf */
	char *buf;
	size_t bytes;          /* counted against LUPE_PIPE_BYTES */
	lx_doc *xd;            /* the result */
	int rc;
	lupe_err err;
	int done;
} job;

typedef struct {
	lupe_pipeline *p;
	pthread_t thread;
	int started;
	lupe_analyzer *an;
	lupe_tokens toks;
	lupe_buf tmp;
} worker;

struct lupe_pipeline {
	pthread_mutex_t mu;
	pthread_cond_t work;   /* a job to take, or stop */
	pthread_cond_t done;   /* a job finished */
	job *ring[LUPE_PIPE_JOBS];
	size_t head, take, tail; /* write next, analyse next, add next (counters) */
	size_t bytes;          /* of the jobs in the ring */
	int stop;
	worker *w;
	unsigned nw;
	lupe_pipe_write_fn write;
	void *ctx;
	lupe_buf idterm;
};

static void job_free(job *j)
{
	if (!j)
		return;
	lx_doc_free(j->xd);
	free(j->buf);
	free(j);
}

static void *work(void *arg)
{
	worker *w = arg;
	lupe_pipeline *p = w->p;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->take == p->tail)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		job *j = p->ring[p->take++ % LUPE_PIPE_JOBS];
		pthread_mutex_unlock(&p->mu);

		lupe_err_clear(&j->err);
		j->rc = lupe_document_build(w->an, &j->doc, &w->toks, &w->tmp, &j->xd, &j->err);

		pthread_mutex_lock(&p->mu);
		j->done = 1;
		pthread_cond_broadcast(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
}

int lupe_pipeline_new(lupe_pipeline **out, unsigned workers, int decompound, lupe_pipe_write_fn write,
		      void *ctx, lupe_err *err)
{
	*out = NULL;
	lupe_pipeline *p = calloc(1, sizeof *p);
	if (!p)
		return lupe_err_set(err, LUPE_ENOMEM, "indexing threads: out of memory");
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->write = write;
	p->ctx = ctx;
	p->w = calloc(workers, sizeof *p->w);
	if (!p->w) {
		lupe_pipeline_free(p);
		return lupe_err_set(err, LUPE_ENOMEM, "indexing threads: out of memory");
	}
	lupe_analyzer_options ao = LUPE_ANALYZER_OPTIONS_INIT;
	ao.decompound = decompound;
	for (unsigned i = 0; i < workers; i++) {
		worker *w = &p->w[i];
		w->p = p;
		p->nw = i + 1;
		int rc = lupe_analyzer_new(&w->an, &ao);
		if (rc != LUPE_OK) {
			lupe_pipeline_free(p);
			return lupe_err_set(err, rc, "indexing threads: cannot create an analyzer");
		}
		if (pthread_create(&w->thread, NULL, work, w) != 0) {
			lupe_pipeline_free(p);
			return lupe_err_set(err, LUPE_EINTERNAL, "indexing threads: cannot start a thread");
		}
		w->started = 1;
	}
	*out = p;
	return LUPE_OK;
}

/* Write the job at the head, waiting for it to be analysed. */
static int write_head(lupe_pipeline *p, lupe_err *err)
{
	pthread_mutex_lock(&p->mu);
	job *j = p->ring[p->head % LUPE_PIPE_JOBS];
	while (!j->done)
		pthread_cond_wait(&p->done, &p->mu);
	p->ring[p->head % LUPE_PIPE_JOBS] = NULL;
	p->head++;
	p->bytes -= j->bytes;
	pthread_mutex_unlock(&p->mu);

	int rc = j->rc;
	if (rc != LUPE_OK) {
		*err = j->err;
	} else {
		if (lupe_id_term(&p->idterm, j->doc.id) < 0)
			rc = lupe_err_set(err, LUPE_ENOMEM, "document %s: out of memory", j->doc.id);
		else
			rc = p->write(p->ctx, p->idterm.p, p->idterm.len, j->xd, err);
	}
	job_free(j);
	return rc;
}

/* Write the finished jobs at the head without waiting. */
static int write_ready(lupe_pipeline *p, lupe_err *err)
{
	int first = LUPE_OK;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		int ready = p->head < p->tail && p->ring[p->head % LUPE_PIPE_JOBS]->done;
		pthread_mutex_unlock(&p->mu);
		if (!ready)
			return first;
		lupe_err e;
		lupe_err_clear(&e);
		int rc = write_head(p, &e);
		if (rc != LUPE_OK && first == LUPE_OK) {
			first = rc;
			*err = e;
		}
	}
}

int lupe_pipeline_add(lupe_pipeline *p, const lupe_document *doc, lupe_err *err)
{
	int first = LUPE_OK;
	lupe_err e;
	job *j = calloc(1, sizeof *j);
	size_t need = j ? lupe_document_copy(doc, &j->doc, &j->buf) : 0;
	if (!need) {
		free(j);
		return lupe_err_set(err, LUPE_ENOMEM, "document %s: out of memory", doc->id);
	}
	j->bytes = need;

	/* Room: a job slot, and the bytes (a document bigger than the budget waits for an empty pipeline). */
	for (;;) {
		pthread_mutex_lock(&p->mu);
		int full = p->tail - p->head >= LUPE_PIPE_JOBS ||
			   (p->head < p->tail && p->bytes + need > LUPE_PIPE_BYTES);
		pthread_mutex_unlock(&p->mu);
		if (!full)
			break;
		lupe_err_clear(&e);
		int rc = write_head(p, &e);
		if (rc != LUPE_OK && first == LUPE_OK) {
			first = rc;
			*err = e;
		}
	}

	pthread_mutex_lock(&p->mu);
	p->ring[p->tail++ % LUPE_PIPE_JOBS] = j;
	p->bytes += need;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);

	lupe_err_clear(&e);
	int rc = write_ready(p, &e);
	if (rc != LUPE_OK && first == LUPE_OK) {
		first = rc;
		*err = e;
	}
	return first;
}

int lupe_pipeline_flush(lupe_pipeline *p, lupe_err *err)
{
	int first = LUPE_OK;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		int empty = p->head == p->tail;
		pthread_mutex_unlock(&p->mu);
		if (empty)
			return first;
		lupe_err e;
		lupe_err_clear(&e);
		int rc = write_head(p, &e);
		if (rc != LUPE_OK && first == LUPE_OK) {
			first = rc;
			*err = e;
		}
	}
}

void lupe_pipeline_free(lupe_pipeline *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nw; i++) {
		worker *w = &p->w[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		lupe_analyzer_free(w->an);
		lupe_tokens_release(&w->toks);
		lupe_buf_free(&w->tmp);
	}
	/* Jobs still queued: a worker may have stopped before taking them. */
	for (size_t i = p->head; i < p->tail; i++)
		job_free(p->ring[i % LUPE_PIPE_JOBS]);
	free(p->w);
	lupe_buf_free(&p->idterm);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
