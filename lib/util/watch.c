/* A watched call: see watch.h. */
#include "util/watch.h"

#include "lupe.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct lupe_watch {
	pthread_mutex_t mu;
	pthread_cond_t go;   /* a call is waiting for the thread, or quit */
	pthread_cond_t done; /* the call returned */
	int (*fn)(void *);
	void *arg;
	int rc;
	int pending;   /* a call was handed over and has not returned */
	int quit;      /* the thread ends once idle */
	int abandoned; /* the owner left; the thread frees the watch */
	int started;
	pid_t pid;     /* the process the thread runs in */
	pthread_t th;
};

static int init(lupe_watch *w)
{
	pthread_condattr_t ca;

	if (pthread_mutex_init(&w->mu, NULL))
		return -1;
	if (pthread_condattr_init(&ca)) {
		pthread_mutex_destroy(&w->mu);
		return -1;
	}
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int bad = pthread_cond_init(&w->go, NULL) != 0;
	if (!bad && pthread_cond_init(&w->done, &ca)) {
		pthread_cond_destroy(&w->go);
		bad = 1;
	}
	pthread_condattr_destroy(&ca);
	if (bad) {
		pthread_mutex_destroy(&w->mu);
		return -1;
	}
	w->fn = NULL;
	w->arg = NULL;
	w->pending = w->quit = w->abandoned = w->started = 0;
	return 0;
}

static void destroy(lupe_watch *w)
{
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->go);
	pthread_mutex_destroy(&w->mu);
}

lupe_watch *lupe_watch_new(void)
{
	lupe_watch *w = calloc(1, sizeof *w);

	if (w && init(w)) {
		free(w);
		return NULL;
	}
	return w;
}

static void *loop(void *p)
{
	lupe_watch *w = p;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->pending && !w->quit)
			pthread_cond_wait(&w->go, &w->mu);
		if (!w->pending)
			break;
		int (*fn)(void *) = w->fn;
		void *arg = w->arg;
		pthread_mutex_unlock(&w->mu);
		int rc = fn(arg);
		pthread_mutex_lock(&w->mu);
		w->rc = rc;
		w->pending = 0;
		if (w->abandoned)
			break;
		pthread_cond_signal(&w->done);
	}
	int abandoned = w->abandoned;
	pthread_mutex_unlock(&w->mu);
	if (abandoned) {
		destroy(w);
		free(w);
	}
	return NULL;
}

static int start(lupe_watch *w)
{
	sigset_t all, old;

	/* After fork() only the caller's thread exists: start a new one. */
	if (w->started && w->pid != getpid()) {
		if (init(w))
			return -1;
	}
	if (w->started)
		return 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&w->th, NULL, loop, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		return -1;
	w->started = 1;
	w->pid = getpid();
	return 0;
}

int lupe_watch_run(lupe_watch *w, int (*fn)(void *), void *arg, unsigned wait_ms, int *rc)
{
	struct timespec ts;

	if (start(w)) {
		*rc = LUPE_ENOMEM;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	w->fn = fn;
	w->arg = arg;
	w->pending = 1;
	pthread_cond_signal(&w->go);
	while (w->pending) {
		if (pthread_cond_timedwait(&w->done, &w->mu, &ts) == ETIMEDOUT && w->pending) {
			pthread_mutex_unlock(&w->mu);
			return 1;
		}
	}
	*rc = w->rc;
	pthread_mutex_unlock(&w->mu);
	return 0;
}

void lupe_watch_free(lupe_watch *w)
{
	if (!w)
		return;
	if (w->started && w->pid == getpid()) {
		pthread_mutex_lock(&w->mu);
		w->quit = 1;
		pthread_cond_signal(&w->go);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
	}
	destroy(w);
	free(w);
}

void lupe_watch_abandon(lupe_watch *w)
{
	if (!w)
		return;
	if (!w->started || w->pid != getpid()) {
		destroy(w);
		free(w);
		return;
	}
	pthread_t th = w->th;
	pthread_mutex_lock(&w->mu);
	w->abandoned = 1;
	w->quit = 1;
	pthread_cond_signal(&w->go);
	pthread_mutex_unlock(&w->mu);
	/* From here the thread may free w at any moment. */
	pthread_detach(th);
}
