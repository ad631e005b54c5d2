/*
 * Bounded cost and damaged data (issue 17): a search's time budget, the
 * expansion budget of wildcards and typo words, checksummed records, ids
 * that are not UTF-8.  Real indexes in throw-away folders.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "shim/shim.h"

static char *dir;
static char dbpath[4096];

static void setup(void)
{
	dir = fx_tmpdir();
	ck_assert_ptr_nonnull(dir);
	snprintf(dbpath, sizeof dbpath, "%s/db", dir);
	memset(&lx_hooks, 0, sizeof lx_hooks);
}

static void teardown(void)
{
	memset(&lx_hooks, 0, sizeof lx_hooks);
	fx_rmrf(dir);
	free(dir);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A matcher that takes 1 ms a document, as a looping posting list would. */
static unsigned slow_docs;
static void slow_match(void)
{
	slow_docs++;
	usleep(1000);
}

/* An index of n documents that all hold "wort". */
static lupe_db *index_of(unsigned n)
{
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(db);
	static const char *const words[] = {"Apfel", "Birne", "Kirsche", "Pflaume", "Quitte", "Traube", "Zitrone"};
	char id[32], text[160];
	for (unsigned i = 0; i < n; i++) {
		snprintf(id, sizeof id, "d%u", i);
		snprintf(text, sizeof text, "Der Gärtner pflanzt %s und %s im Garten, wort %u", words[i % 7],
			 words[i % 5], i);
		ck_assert_int_eq(fx_add(db, id, "Titel", text), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	return db;
}

/* A slow match stops at its budget with LUPE_ETIMEOUT, not after every document. */
START_TEST(test_search_time_budget)
{
	lupe_db *db = index_of(1500);
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	ck_assert_int_eq(lupe_search(db, &r, "wort", 4, &o), LUPE_OK);
	ck_assert_uint_eq(lupe_results_total(r, NULL), 1500);
	lupe_results_free(r);

	lx_hooks.match = slow_match;
	o.time_budget_ms = 100;
	double t0 = now_ms();
	int rc = lupe_search(db, &r, "wort", 4, &o);
	double took = now_ms() - t0;
	ck_assert_msg(rc == LUPE_ETIMEOUT, "status %d (%s) after %.0f ms, %u documents", rc, lupe_errmsg(db), took,
		      slow_docs);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(lupe_errmsg(db), "time budget of 100 ms"), "message: %s", lupe_errmsg(db));
	/* Stopped near its budget (16 documents between looks at the clock), not after 1.5 s. */
	ck_assert_msg(took < 600, "took %.0f ms", took);
	ck_assert_uint_lt(slow_docs, 500);

	/* lupe_like goes through the same matcher. */
	slow_docs = 0;
	rc = lupe_like(db, &r, "d1", &o);
	ck_assert_msg(rc == LUPE_ETIMEOUT, "like: status %d (%s)", rc, lupe_errmsg(db));

	/* The handle is fine afterwards, and a version-1 caller gets the default budget. */
	lx_hooks.match = NULL;
	o.version = 1;
	o.time_budget_ms = 1; /* not read */
	ck_assert_int_eq(lupe_search(db, &r, "wort", 4, &o), LUPE_OK);
	lupe_results_free(r);
	ck_assert_str_eq(lupe_strerror(LUPE_ETIMEOUT), "the search ran out of its time budget");
	lupe_close(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("budget");
	TCase *tc = tcase_create("budget");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_search_time_budget);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
