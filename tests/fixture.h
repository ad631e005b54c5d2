/* Shared test helpers: throw-away directories and small lupe conveniences. */
#ifndef LUPE_TEST_FIXTURE_H
#define LUPE_TEST_FIXTURE_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lupe.h"

/*
 * Run a suite and free its runner; the test program's exit status.  fork:
 * CK_NOFORK for suites that share state between tests in one process,
 * CK_FORK_GETENV for Check's default (each test in its own process unless
 * CK_FORK=no).
 */
static inline int fx_run(Suite *s, enum fork_status fork)
{
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, fork);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A fresh empty directory under $TMPDIR; the caller frees the string. */
static inline char *fx_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p = malloc(4096);
	snprintf(p, 4096, "%s/lupe-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Removes an index (or a folder) and the writers' lock file beside it. */
static inline void fx_rmrf(const char *path)
{
	char cmd[8500];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s.lupe-lock'", path, path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

/* A growing "term:freq\n" text, to compare a term listing with a lexicon. */
typedef struct {
	char *p;
	size_t len, cap;
} fx_text;

static inline void fx_text_put(fx_text *t, const char *term, size_t len, uint64_t freq)
{
	char num[32];
	int n = snprintf(num, sizeof num, ":%llu\n", (unsigned long long)freq);
	while (t->len + len + (size_t)n + 1 > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			abort();
	}
	memcpy(t->p + t->len, term, len);
	memcpy(t->p + t->len + len, num, (size_t)n);
	t->len += len + (size_t)n;
	t->p[t->len] = '\0';
}

static inline lupe_db *fx_open_write(const char *path)
{
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	char msg[256];
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	if (lupe_open(&db, path, &o, msg, sizeof msg) != LUPE_OK)
		fprintf(stderr, "open %s: %s\n", path, msg);
	return db;
}

/* A reader of the index at path, with the default options; asserts that it opened. */
static inline lupe_db *fx_open_read(const char *path)
{
	lupe_db *db = NULL;
	char msg[256];
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	int rc = lupe_open(&db, path, &o, msg, sizeof msg);
	ck_assert_msg(rc == LUPE_OK, "open %s to read: %s", path, msg);
	return db;
}

/*
 * A new writable index in a fresh temporary directory: *dir is that
 * directory, for fx_drop.  Asserts that it opened.
 */
static inline lupe_db *fx_new_index(char **dir)
{
	char p[4200];
	*dir = fx_tmpdir();
	ck_assert_ptr_nonnull(*dir);
	snprintf(p, sizeof p, "%s/db", *dir);
	lupe_db *db = fx_open_write(p);
	ck_assert_ptr_nonnull(db);
	return db;
}

/* Closes an index made by fx_new_index and removes its directory. */
static inline void fx_drop(lupe_db *db, char *dir)
{
	lupe_close(db);
	fx_rmrf(dir);
	free(dir);
}

static inline int fx_add(lupe_db *db, const char *id, const char *title, const char *text)
{
	lupe_document d = LUPE_DOCUMENT_INIT;
	d.id = id;
	d.title = title;
	d.title_len = title ? strlen(title) : 0;
	d.text = text;
	d.text_len = text ? strlen(text) : 0;
	return lupe_add(db, &d);
}

/* The id of the first hit for q, in a static buffer ("" when none, "ERROR" on error). */
static inline const char *fx_top(lupe_db *db, const char *q)
{
	static char id[512];
	lupe_results *r = NULL;
	id[0] = '\0';
	if (lupe_search(db, &r, q, strlen(q), NULL) != LUPE_OK)
		return "ERROR";
	if (lupe_results_count(r) > 0)
		snprintf(id, sizeof id, "%s", lupe_results_hit(r, 0)->id);
	lupe_results_free(r);
	return id;
}

/* As fx_top, with typo tolerance off (LUPE_SEARCH_EXACT): what the words as written find. */
static inline const char *fx_top_exact(lupe_db *db, const char *q)
{
	static char id[512];
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	o.flags |= LUPE_SEARCH_EXACT;
	id[0] = '\0';
	if (lupe_search(db, &r, q, strlen(q), &o) != LUPE_OK)
		return "ERROR";
	if (lupe_results_count(r) > 0)
		snprintf(id, sizeof id, "%s", lupe_results_hit(r, 0)->id);
	lupe_results_free(r);
	return id;
}

/* Whether the hits for q (first `limit`) include id. */
static inline int fx_finds(lupe_db *db, const char *q, const char *want, size_t limit)
{
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	int found = 0;
	o.limit = limit;
	if (lupe_search(db, &r, q, strlen(q), &o) != LUPE_OK)
		return 0;
	for (size_t i = 0; i < lupe_results_count(r); i++)
		if (strcmp(lupe_results_hit(r, i)->id, want) == 0)
			found = 1;
	lupe_results_free(r);
	return found;
}

/*
 * Add the five bundled articles (the .txt files of data/corpus under LUPE_SOURCE_ROOT)
 * to db, uncommitted, with ids "000".."004" (their names' first three
 * letters); with `sources`, source "even" or "odd" by that number.
 */
static inline void fx_add_corpus(lupe_db *db, int sources)
{
	const char *root = getenv("LUPE_SOURCE_ROOT");
	char cdir[4096], p[4400];
	snprintf(cdir, sizeof cdir, "%s/data/corpus", root ? root : ".");
	DIR *d = opendir(cdir);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, ".txt"))
			continue;
		snprintf(p, sizeof p, "%s/%s", cdir, e->d_name);
		FILE *f = fopen(p, "rb");
		ck_assert_ptr_nonnull(f);
		fseek(f, 0, SEEK_END);
		long sz = ftell(f);
		rewind(f);
		char *text = malloc((size_t)sz + 1);
		ck_assert_ptr_nonnull(text);
		size_t len = fread(text, 1, (size_t)sz, f);
		fclose(f);
		lupe_document doc = LUPE_DOCUMENT_INIT;
		char id[8];
		snprintf(id, sizeof id, "%.3s", e->d_name);
		doc.id = id;
		doc.text = text;
		doc.text_len = len;
		if (sources)
			doc.source = (id[2] - '0') % 2 ? "odd" : "even";
		ck_assert_int_eq(lupe_add(db, &doc), LUPE_OK);
		free(text);
		n++;
	}
	closedir(d);
	ck_assert_int_eq(n, 5);
}

#endif
