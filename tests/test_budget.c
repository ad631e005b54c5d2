/*
 * Bounded cost and damaged data (issue 17): a search's time budget, the
 * expansion budget of wildcards and typo words, checksummed records, ids
 * that are not UTF-8.  Real indexes in throw-away folders.
 */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "db.h"
#include "fixture.h"
#include "index/document.h"
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

/*
 * The shapes of a query, each stopped by its budget.  Where every match has
 * a weighted part the weighting scheme watches the clock; where some part
 * has no weight (a filter, a date range, MatchAll, a part scaled by 0) or
 * for lupe_like, a posting source filter does (xapian_shim.cc, run()).
 * Rows marked (weight) go red when the weight stops watching the clock;
 * rows with documents that have no weighted part (a filter alone, a value
 * range alone, MatchAll, "1234 OR source:obst") when they are given to
 * the weight.  A filter beside a word, or lupe_like, would be stopped by
 * either: they keep the filter because the matcher need not weigh every
 * document it passes there.
 */
static const struct {
	const char *query; /* NULL: lupe_like of d1 */
	const char *shape;
} budget_shapes[] = {
	{"wort", "one term (weight)"},
	{"wort Garten", "two words: OR and proximity NEAR (weight)"},
	{"\"pflanzt Apfel\"", "phrase (weight)"},
	{"Gärtner NEAR/6 Garten", "NEAR (weight)"},
	{"Gartenarbeit", "compound: its parts NEAR and AND (weight)"},
	{"Gartenabeit", "typo: corrections as a synonym (weight)"},
	{"+wort -Zitrone", "required and excluded (weight)"},
	{"wort source:obst", "with a filter (filter)"},
	{"source:obst", "a filter alone, scaled by 0 (filter)"},
	{"1234 OR source:obst", "a part scaled by 0, most matches only that (filter)"},
	{"wort date:2019..2021", "with a value range (filter)"},
	{"date:2020", "a value range alone (filter)"},
	{"path:/srv/docs", "a path prefix alone (filter)"},
	{"-Zitrone", "MatchAll without a word (filter)"},
	{NULL, "lupe_like (filter)"},
};

START_TEST(test_search_time_budget_shapes)
{
	const char *q = budget_shapes[_i].query, *shape = budget_shapes[_i].shape;
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(db);
	static const char *const words[] = {"Apfel", "Birne", "Kirsche", "Pflaume", "Quitte", "Traube", "Zitrone"};
	char id[32], text[200], path[64];
	for (unsigned i = 0; i < 1500; i++) {
		lupe_document d = LUPE_DOCUMENT_INIT;
		snprintf(id, sizeof id, "d%u", i);
		snprintf(text, sizeof text, "Der Gärtner pflanzt %s und %s im Garten, Gartenarbeit, wort %u",
			 words[i % 7], words[i % 5], i);
		snprintf(path, sizeof path, "/srv/docs/d%u.txt", i);
		d.id = id;
		d.title = "Titel";
		d.title_len = 5;
		d.text = text;
		d.text_len = strlen(text);
		d.source = "obst";
		d.path = path;
		d.date = "2020-06-01";
		ck_assert_int_eq(lupe_add(db, &d), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);

	/* Without a slow matcher the query finds documents. */
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	int rc = q ? lupe_search(db, &r, q, strlen(q), &o) : lupe_like(db, &r, "d1", &o);
	ck_assert_msg(rc == LUPE_OK, "%s: status %d (%s)", shape, rc, lupe_errmsg(db));
	ck_assert_msg(lupe_results_count(r) > 0, "%s: no hits", shape);
	lupe_results_free(r);

		/*
	 * A slow one stops at its budget.  On page 101: a query without weight
	 * (every score 0) ends as soon as its page is full, once half the
	 * budget is gone (Enquire::set_time_limit), so a first page of a slow
	 * one would end in time by itself.
	 */
	lx_hooks.match = slow_match;
	slow_docs = 0;
	o.time_budget_ms = 100;
	o.offset = 1000;
	r = NULL;
	rc = q ? lupe_search(db, &r, q, strlen(q), &o) : lupe_like(db, &r, "d1", &o);
	lx_hooks.match = NULL;
	ck_assert_msg(rc == LUPE_ETIMEOUT, "%s: status %d (%s), %u documents", shape, rc, lupe_errmsg(db),
		      slow_docs);
	ck_assert_ptr_null(r);
	ck_assert_uint_lt(slow_docs, 500);
	lupe_close(db);
}
END_TEST

/* A lookup that never returns, as one inside Xapian's B-tree can on a
 * damaged index: the hook blocks on a pipe nobody writes. */
static int stall_pipe[2] = {-1, -1};
static void stall_forever(void)
{
	char c;
	while (read(stall_pipe[0], &c, 1) != 0)
		;
}

/* A reader of the index at dbpath whose searches run on a watched thread. */
static lupe_db *open_watched(void)
{
	lupe_db *db = NULL;
	lupe_open_options oo = LUPE_OPEN_OPTIONS_INIT;
	oo.flags = LUPE_OPEN_WATCHED;
	char msg[256];
	ck_assert_msg(lupe_open(&db, dbpath, &oo, msg, sizeof msg) == LUPE_OK, "open: %s", msg);
	return db;
}

/*
 * A reader's search that never returns: the caller gets LUPE_EHUNG at the
 * budget and as much again, every later call on the handle says so,
 * lupe_close() returns, and a new handle on the same index searches.
 */
START_TEST(test_search_hung)
{
	lupe_close(index_of(20));
	lupe_db *db = open_watched();
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	ck_assert_int_eq(lupe_search(db, &r, "wort", 4, &o), LUPE_OK);
	ck_assert_uint_eq(lupe_results_total(r, NULL), 20);
	lupe_results_free(r);

	ck_assert_int_eq(pipe(stall_pipe), 0);
	lx_hooks.stall = stall_forever;
	o.time_budget_ms = 150;
	double t0 = now_ms();
	int rc = lupe_search(db, &r, "wort", 4, &o);
	double took = now_ms() - t0;
	ck_assert_msg(rc == LUPE_EHUNG, "status %d (%s) after %.0f ms", rc, lupe_errmsg(db), took);
	ck_assert_ptr_null(r);
	ck_assert_msg(took >= 290 && took < 2000, "gave up after %.0f ms, not at 300", took);
	ck_assert_msg(strstr(lupe_errmsg(db), "no answer after 300 ms (its time budget is 150 ms)") &&
			      strstr(lupe_errmsg(db), "may be damaged"),
		      "message: %s", lupe_errmsg(db));

	/* Given up: every call says so at once, without touching the index. */
	uint64_t n;
	int64_t mtime;
	lupe_strings *ids = NULL;
	ck_assert_int_eq(lupe_search(db, &r, "wort", 4, &o), LUPE_EHUNG);
	ck_assert_int_eq(lupe_like(db, &r, "d1", &o), LUPE_EHUNG);
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_EHUNG);
	ck_assert_int_eq(lupe_get_mtime(db, "d1", &mtime), LUPE_EHUNG);
	ck_assert_int_eq(lupe_list_ids(db, &ids, NULL), LUPE_EHUNG);
	ck_assert_str_eq(lupe_strerror(LUPE_EHUNG), "a search never returned; the handle was given up");
	lupe_close(db); /* returns: the handle stays with the stuck thread */

	/* Another handle: fine once the lookup returns again. */
	lx_hooks.stall = NULL;
	db = open_watched();
	ck_assert_int_eq(lupe_search(db, &r, "wort", 4, &o), LUPE_OK);
	ck_assert_uint_eq(lupe_results_total(r, NULL), 20);
	lupe_results_free(r);
	/* lupe_like is watched too. */
	lx_hooks.stall = stall_forever;
	ck_assert_int_eq(lupe_like(db, &r, "d1", &o), LUPE_EHUNG);
	lupe_close(db);
}
END_TEST

/* A version-1 caller's options are read only as far as version 1 goes,
 * and its search gets the default budget on the watched thread. */
START_TEST(test_search_watched_v1)
{
	lupe_close(index_of(20));
	lupe_db *db = open_watched();
	/* A version-1 struct ends before time_budget_ms: in a buffer of just that size, ASan sees any read past it. */
	size_t v1 = offsetof(lupe_search_options, time_budget_ms);
	char *buf = malloc(v1);
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	static const char *const facets[] = {"year", NULL};
	o.version = 1;
	o.facets = facets;
	memcpy(buf, &o, v1);
	lupe_results *r = NULL;
	ck_assert_int_eq(lupe_search(db, &r, "wort", 4, (const lupe_search_options *)buf), LUPE_OK);
	ck_assert_uint_eq(lupe_results_total(r, NULL), 20);
	lupe_results_free(r);
	free(buf);
	lupe_close(db);
}
END_TEST

/* An index whose vocabulary holds 60,000 words starting with "wo", 6,000 with "wob", "woc", ... */
static lupe_db *index_wo(void)
{
	static const char cons[] = "bcdfghkmpt";
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(db);
	size_t cap = 60000 * 8 + 1, len = 0;
	char *text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	for (unsigned i = 0; i < 60000; i++) {
		unsigned v = i;
		text[len++] = 'w';
		text[len++] = 'o';
		text[len++] = cons[i / 6000];
		for (int k = 0; k < 4; k++, v /= 10)
			text[len++] = cons[v % 10];
		text[len++] = ' ';
	}
	text[len] = '\0';
	ck_assert_int_eq(fx_add(db, "many", "Viele Wörter", text), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "one", "Wobbel", "wobbel"), LUPE_OK);
	free(text);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	return db;
}

static int search_status(lupe_db *db, const char *q)
{
	lupe_results *r = NULL;
	int rc = lupe_search(db, &r, q, strlen(q), NULL);
	ck_assert(rc == LUPE_OK ? r != NULL : r == NULL);
	lupe_results_free(r);
	return rc;
}

/* A prefix that matches more terms than a query may expand to fails clearly, and fast. */
START_TEST(test_wildcard_budget)
{
	lupe_db *db = index_wo();
	double t0 = now_ms();
	int rc = search_status(db, "wo*");
	ck_assert_msg(rc == LUPE_EQUERY, "wo*: status %d (%s)", rc, lupe_errmsg(db));
	ck_assert_msg(strstr(lupe_errmsg(db), "query expands to too many terms: wo*"), "message: %s", lupe_errmsg(db));
	/* 6,000 terms each: the budget (50,000) is the query's, not each prefix's. */
	ck_assert_int_eq(search_status(db, "wob*"), LUPE_OK);
	ck_assert_int_eq(search_status(db, "wob* OR woc* OR wod* OR wof* OR wog* OR woh* OR wok* OR wom*"), LUPE_OK);
	rc = search_status(db, "wob* woc* wod* wof* wog* woh* wok* wom* wop*");
	ck_assert_msg(rc == LUPE_EQUERY, "nine prefixes: status %d (%s)", rc, lupe_errmsg(db));
	/* The handle goes on working. */
	ck_assert_str_eq(fx_top(db, "wobbel"), "one");
	ck_assert_msg(now_ms() - t0 < 5000, "took %.0f ms", now_ms() - t0);
	lupe_close(db);
}
END_TEST

/* LUPE_SEARCH_FUZZY expands the first 16 words of a query; the others are searched as written. */
START_TEST(test_fuzzy_budget)
{
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(fx_add(db, "z", "Rezept", "Ein Zwiebelkuchen mit Speck."), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	char q[1024] = "";
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	o.flags = LUPE_SEARCH_FUZZY | LUPE_SEARCH_EXACT;
	for (int fillers = 15; fillers <= 16; fillers++) {
		q[0] = '\0';
		for (int i = 0; i < fillers; i++) {
			char w[32];
			snprintf(w, sizeof w, "qxq%cxqa OR ", 'a' + i);
			strcat(q, w);
		}
		strcat(q, "zwiebelkuchn");
		lupe_results *r = NULL;
		ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), &o), LUPE_OK);
		/* The typo is word 16 of 16 (found) or word 17 of 17 (past the budget). */
		ck_assert_msg(lupe_results_count(r) == (fillers == 15 ? 1u : 0u), "%d fillers: %zu hits", fillers,
			      lupe_results_count(r));
		lupe_results_free(r);
	}
	lupe_close(db);
}
END_TEST

/* The stored record of document id, as the index holds it, into out. */
static void stored_record(lupe_db *db, const char *id, lupe_buf *out)
{
	lupe_buf term = {0};
	lupe_err err;
	int found = 0;
	ck_assert_int_eq(lupe_id_term(&term, id), 0);
	ck_assert_int_eq(lx_first_data(db->x, term.p, term.len, out, &found, &err), LUPE_OK);
	ck_assert(found);
	lupe_buf_free(&term);
}

/*
 * Every single bit flip in a stored zstd frame is found as damage: never
 * a record that parses with text other than the document's.
 */
START_TEST(test_record_checksum)
{
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(db);
	fx_add_corpus(db, 0);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_buf rec = {0}, scratch = {0};
	stored_record(db, "000", &rec);
	/* A compressed version-2 record: 'L', 2, 1, then the frame. */
	ck_assert_uint_gt(rec.len, 100);
	ck_assert_int_eq(rec.p[0], 'L');
	ck_assert_int_eq(rec.p[1], 2);
	ck_assert_int_eq(rec.p[2], 1);
	/* Packed with the library's dictionary (lib/index/document.c). */
	ck_assert_uint_eq(ZSTD_getDictID_fromFrame(rec.p + 3, rec.len - 3), lupe_zdict_de1_id);
	lupe_record r;
	ck_assert_int_eq(lupe_record_parse(rec.p, rec.len, &scratch, &r), 0);
	size_t text_len = r.text_len;
	char *text = malloc(text_len);
	ck_assert_ptr_nonnull(text);
	memcpy(text, r.text, text_len);

	/* A frame written before checksums (none in it) still decodes. */
	lupe_buf old = {0};
	size_t fields = scratch.len, bound = ZSTD_compressBound(fields);
	ck_assert_int_eq(lupe_buf_reserve(&old, 3 + bound), 0);
	memcpy(old.p, "L\2\1", 3);
	size_t z = ZSTD_compress(old.p + 3, bound, scratch.p, fields, 3);
	ck_assert(!ZSTD_isError(z));
	old.len = 3 + z;
	ck_assert_uint_ne(old.len, rec.len); /* 4 bytes of checksum fewer */
	ck_assert_int_eq(lupe_record_parse(old.p, old.len, &scratch, &r), 0);
	ck_assert_uint_eq(r.text_len, text_len);
	ck_assert(memcmp(r.text, text, text_len) == 0);
	lupe_buf_free(&old);

	unsigned flips = 0, damaged = 0, altered = 0;
	for (size_t i = 3; i < rec.len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			rec.p[i] ^= (char)(1 << bit);
			int rc = lupe_record_parse(rec.p, rec.len, &scratch, &r);
			flips++;
			if (rc == -1)
				damaged++;
			else if (rc == 0 && (r.text_len != text_len || memcmp(r.text, text, text_len) != 0))
				altered++;
			else
				ck_assert_int_eq(rc, 0);
			rec.p[i] ^= (char)(1 << bit);
		}
	}
	ck_assert_msg(altered == 0, "%u of %u bit flips gave altered text (%u found as damage)", altered, flips,
		      damaged);
	ck_assert_uint_gt(damaged, flips * 9 / 10);
	free(text);
	lupe_buf_free(&rec);
	lupe_buf_free(&scratch);
	lupe_close(db);
}
END_TEST

/* A flipped bit in a record on disk: the search says the record is damaged. */
START_TEST(test_damaged_record_search)
{
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(db);
	fx_add_corpus(db, 0);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_buf rec = {0};
	stored_record(db, "000", &rec);
	lupe_close(db);

	/* Find the frame in the records' table (stored as it is: zstd output
	 * does not shrink) and flip one bit in the middle of it. */
	char file[4200];
	snprintf(file, sizeof file, "%s/docdata.glass", dbpath);
	FILE *f = fopen(file, "r+b");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	char *all = malloc((size_t)size);
	ck_assert_ptr_nonnull(all);
	ck_assert_uint_eq(fread(all, 1, (size_t)size, f), (size_t)size);
	char *at = memmem(all, (size_t)size, rec.p + 3, 24);
	ck_assert_ptr_nonnull(at);
	long off = (long)(at - all) + (long)(rec.len - 3) / 2;
	ck_assert_int_eq(fseek(f, off, SEEK_SET), 0);
	ck_assert_int_eq(fputc((unsigned char)(all[off] ^ 0x10), f), (unsigned char)(all[off] ^ 0x10));
	ck_assert_int_eq(fclose(f), 0);
	free(all);
	lupe_buf_free(&rec);

	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	char msg[256];
	ck_assert_int_eq(lupe_open(&db, dbpath, &o, msg, sizeof msg), LUPE_OK);
	lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
	so.limit = 100;
	lupe_results *r = NULL;
	int rc = lupe_search(db, &r, "die", 3, &so);
	ck_assert_msg(rc == LUPE_ECORRUPT, "status %d (%s)", rc, lupe_errmsg(db));
	ck_assert_msg(strstr(lupe_errmsg(db), "000") || strstr(lupe_errmsg(db), "damaged"), "message: %s",
		      lupe_errmsg(db));
	lupe_close(db);
}
END_TEST

/* Ids that are not UTF-8: what lupe_list_ids() and a hit give, lupe_delete() takes. */
START_TEST(test_invalid_utf8_ids)
{
	static const char *const ids[] = {"bad\xff", "cut\xc3", "\xe4rger", "ok"};
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(db);
	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(fx_add(db, ids[i], "Titel", "Ein Wort"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_strings *s = NULL;
	ck_assert_int_eq(lupe_list_ids(db, &s, ""), LUPE_OK);
	ck_assert_uint_eq(lupe_strings_count(s), 4);
	lupe_results *r = NULL;
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	ck_assert_int_eq(lupe_search(db, &r, "wort", 4, &o), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 4);
	/* Delete by the hits' ids, then check by the listed ones. */
	for (size_t i = 0; i < 4; i++) {
		const char *id = lupe_results_hit(r, i)->id;
		ck_assert_msg(lupe_delete(db, id) == LUPE_OK, "delete hit %zu: %s", i, lupe_errmsg(db));
	}
	lupe_results_free(r);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(lupe_delete(db, lupe_strings_get(s, i)), LUPE_ENOTFOUND);
	lupe_strings_free(s);
	uint64_t n = 1;
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	ck_assert_uint_eq(n, 0);
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
	tcase_add_loop_test(tc, test_search_time_budget_shapes, 0,
			    (int)(sizeof budget_shapes / sizeof budget_shapes[0]));
	tcase_add_test(tc, test_search_hung);
	tcase_add_test(tc, test_search_watched_v1);
	tcase_add_test(tc, test_wildcard_budget);
	tcase_add_test(tc, test_fuzzy_budget);
	tcase_add_test(tc, test_record_checksum);
	tcase_add_test(tc, test_damaged_record_search);
	tcase_add_test(tc, test_invalid_utf8_ids);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
