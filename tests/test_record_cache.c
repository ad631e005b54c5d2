/*
 * The per-handle cache of hits' unpacked records (search/record_cache.h):
 * never a record older than the last commit a reader sees, never a writer's
 * replaced document, and bounded.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "db.h"
#include "search/record_cache.h"
#include "shim/shim.h"

static char *dbpath;

static void setup(void)
{
	dbpath = fx_tmpdir();
	ck_assert_ptr_nonnull(dbpath);
}

static void teardown(void)
{
	fx_rmrf(dbpath);
	free(dbpath);
}

/* Add id "a" with a body long enough to be stored packed (zstd), saying `version`. */
static int add_version(lupe_db *db, const char *version)
{
	char text[4096], title[64];
	size_t n = (size_t)snprintf(text, sizeof text, "Der Apfelkuchen in Fassung %s. ", version);
	for (int i = 0; i < 30 && n < sizeof text - 100; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "Mehl, Zucker und Butter Nummer %d werden verrührt. ", i);
	snprintf(title, sizeof title, "Rezept %s", version);
	return fx_add(db, "a", title, text);
}

/* The only hit for query: its title is `title` (NULL: any) and its snippet holds `word` and `also` (NULL: none). */
static void expect_only(lupe_db *db, const char *query, const char *title, const char *word, const char *also)
{
	lupe_results *r = NULL;
	ck_assert_int_eq(lupe_search(db, &r, query, strlen(query), NULL), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	const lupe_hit *h = lupe_results_hit(r, 0);
	if (title)
		ck_assert_str_eq(h->title, title);
	ck_assert_msg(strstr(h->snippet, word) != NULL, "snippet \"%s\" lacks \"%s\"", h->snippet, word);
	ck_assert_msg(!also || strstr(h->snippet, also) != NULL, "snippet \"%s\" lacks \"%s\"", h->snippet, also);
	lupe_results_free(r);
}

/* The first hit's title and whether its snippet holds `word`. */
static void expect_top(lupe_db *db, const char *title, const char *word)
{
	expect_only(db, "Apfelkuchen", title, word, NULL);
}

START_TEST(test_reader_sees_each_commit)
{
	lupe_db *wr = fx_open_write(dbpath), *rd = NULL;
	ck_assert_ptr_nonnull(wr);
	ck_assert_int_eq(add_version(wr, "eins"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	ck_assert_int_eq(lupe_open(&rd, dbpath, NULL, NULL, 0), LUPE_OK);
	expect_top(rd, "Rezept eins", "eins");
	expect_top(rd, "Rezept eins", "eins"); /* met again: kept */
	ck_assert_uint_eq(lupe_rcache_count(rd->records, NULL), 1);
	expect_top(rd, "Rezept eins", "eins"); /* from the cache */
	/* The same id replaced keeps its docid: only the revision tells the records apart. */
	for (int round = 0; round < 2; round++) {
		const char *v = round ? "drei" : "zwei", *t = round ? "Rezept drei" : "Rezept zwei";
		ck_assert_int_eq(add_version(wr, v), LUPE_OK);
		ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
		expect_top(rd, t, v);
		expect_top(rd, t, v);
		expect_top(rd, t, v);
	}
	lupe_close(rd);
	lupe_close(wr);
}
END_TEST

START_TEST(test_writer_sees_its_own_replacement)
{
	lupe_db *wr = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(wr);
	ck_assert_int_eq(add_version(wr, "eins"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	expect_top(wr, "Rezept eins", "eins");
	expect_top(wr, "Rezept eins", "eins");
	/* Not committed: the writer reads it all the same, on the same revision. */
	ck_assert_int_eq(add_version(wr, "zwei"), LUPE_OK);
	expect_top(wr, "Rezept zwei", "zwei");
	lupe_close(wr);
}
END_TEST

/* lx_params.have_record saying every record is held; counts its calls in *ctx. */
static int hold_all(void *ctx, uint64_t gen, uint32_t docid)
{
	(void)gen;
	(void)docid;
	++*(int *)ctx;
	return 1;
}

/*
 * A hit whose record the caller holds is not read (lx_mset_data: NULL),
 * and lx_mset_read_data reads it as the search would have: the same bytes.
 * A writer's hits are always read (its replacements keep their docids).
 */
START_TEST(test_held_records_not_read)
{
	lupe_db *wr = fx_open_write(dbpath), *rd = NULL;
	ck_assert_ptr_nonnull(wr);
	ck_assert_int_eq(fx_add(wr, "a", "Eins", "Der Apfelkuchen, erste Fassung."), LUPE_OK);
	ck_assert_int_eq(fx_add(wr, "b", "Zwei", "Der Apfelkuchen, zweite Fassung."), LUPE_OK);
	ck_assert_int_eq(fx_add(wr, "c", "Drei", "Der Apfelkuchen, dritte Fassung."), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	ck_assert_int_eq(lupe_open(&rd, dbpath, NULL, NULL, 0), LUPE_OK);
	lx_query *q = lx_q_matchall();
	ck_assert_ptr_nonnull(q);
	lx_params p = {0};
	p.k1 = 1.2;
	p.b = 0.75;
	lupe_err err = {0};
	lx_mset *all = NULL, *held = NULL, *w = NULL;
	ck_assert_int_eq(lx_search(rd->x, q, 0, 10, &p, &all, &err), LUPE_OK);
	int calls = 0;
	p.have_record = hold_all;
	p.have_ctx = &calls;
	ck_assert_int_eq(lx_search(rd->x, q, 0, 10, &p, &held, &err), LUPE_OK);
	ck_assert_uint_eq(lx_mset_size(held), 3);
	ck_assert_int_eq(calls, 3);
	for (size_t i = 0; i < 3; i++) {
		size_t n, m;
		ck_assert_ptr_null(lx_mset_data(held, i, &n));
		ck_assert_uint_eq(n, 0);
		ck_assert_int_eq(lx_mset_read_data(rd->x, held, i, &err), LUPE_OK);
		const char *d = lx_mset_data(held, i, &n), *e = lx_mset_data(all, i, &m);
		ck_assert_ptr_nonnull(d);
		ck_assert_uint_gt(n, 0);
		ck_assert_uint_eq(n, m);
		ck_assert_int_eq(memcmp(d, e, n), 0);
	}
	calls = 0;
	ck_assert_int_eq(lx_search(wr->x, q, 0, 10, &p, &w, &err), LUPE_OK);
	ck_assert_int_eq(calls, 0);
	for (size_t i = 0; i < lx_mset_size(w); i++) {
		size_t n;
		ck_assert_ptr_nonnull(lx_mset_data(w, i, &n));
	}
	lx_mset_free(all);
	lx_mset_free(held);
	lx_mset_free(w);
	lx_q_free(q);
	lupe_close(rd);
	lupe_close(wr);
}
END_TEST

/*
 * A record held when the match ran but put out of the cache before its
 * hit is shown (the hits before it put their own records in) is read
 * then: 100 hits, the cache keeps 64, so the third search holds ranks
 * 37-100 and its first 36 hits push them out again.  Every search shows
 * the same hits, titles and snippets.
 */
START_TEST(test_held_record_put_out_is_read)
{
	lupe_db *wr = fx_open_write(dbpath), *rd = NULL;
	ck_assert_ptr_nonnull(wr);
	char id[16], title[32], text[2048];
	for (int d = 0; d < 100; d++) {
		snprintf(id, sizeof id, "d%03d", d);
		snprintf(title, sizeof title, "Kuchen %03d", d);
		/* Long enough to be stored packed: only unpacked records are kept. */
		size_t n = (size_t)snprintf(text, sizeof text, "Der Apfelkuchen Nummer %03d. ", d);
		for (int i = 0; i < d % 7 + 20; i++)
			n += (size_t)snprintf(text + n, sizeof text - n, "Mehl und Butter, Schritt %d. ", i);
		ck_assert_int_eq(fx_add(wr, id, title, text), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	ck_assert_int_eq(lupe_open(&rd, dbpath, NULL, NULL, 0), LUPE_OK);
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	o.limit = 100;
	lupe_results *first = NULL;
	ck_assert_int_eq(lupe_search(rd, &first, "Apfelkuchen", 11, &o), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(first), 100);
	for (int round = 0; round < 3; round++) {
		lupe_results *r = NULL;
		ck_assert_int_eq(lupe_search(rd, &r, "Apfelkuchen", 11, &o), LUPE_OK);
		ck_assert_uint_eq(lupe_results_count(r), 100);
		for (size_t i = 0; i < 100; i++) {
			const lupe_hit *a = lupe_results_hit(first, i), *b = lupe_results_hit(r, i);
			ck_assert_str_eq(a->id, b->id);
			ck_assert_str_eq(a->title, b->title);
			ck_assert_str_eq(a->snippet, b->snippet);
		}
		lupe_results_free(r);
	}
	ck_assert_uint_eq(lupe_rcache_count(rd->records, NULL), LUPE_RCACHE_ENTRIES);
	lupe_results_free(first);
	lupe_close(rd);
	lupe_close(wr);
}
END_TEST

/*
 * A reader keeps its snippets' fold buffers between searches
 * (lupe_snip_scratch in the handle): a search of a long body leaves them
 * large, later searches of shorter ones use them as they are, and get the
 * snippets and highlights a fresh reader gets.
 */
static void same_hits(lupe_db *a, lupe_db *b, const char *q)
{
	lupe_results *x = NULL, *y = NULL;
	ck_assert_int_eq(lupe_search(a, &x, q, strlen(q), NULL), LUPE_OK);
	ck_assert_int_eq(lupe_search(b, &y, q, strlen(q), NULL), LUPE_OK);
	ck_assert_uint_gt(lupe_results_count(x), 0);
	ck_assert_uint_eq(lupe_results_count(x), lupe_results_count(y));
	for (size_t i = 0; i < lupe_results_count(x); i++) {
		const lupe_hit *h = lupe_results_hit(x, i), *k = lupe_results_hit(y, i);
		ck_assert_str_eq(h->id, k->id);
		ck_assert_str_eq(h->snippet, k->snippet);
		ck_assert_uint_eq(h->n_highlights, k->n_highlights);
		for (size_t j = 0; j < h->n_highlights; j++)
			ck_assert(h->highlights[j].start == k->highlights[j].start &&
				  h->highlights[j].end == k->highlights[j].end);
	}
	lupe_results_free(x);
	lupe_results_free(y);
}

START_TEST(test_snippet_scratch_kept)
{
	lupe_db *wr = fx_open_write(dbpath), *rd = NULL, *fresh = NULL;
	ck_assert_ptr_nonnull(wr);
	static char text[40000];
	size_t n = 0;
	for (int i = 0; n < sizeof text - 200; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "Die Walnusstorte Nummer %d braucht Geduld und Zucker. ", i);
	ck_assert_int_eq(fx_add(wr, "long", "Lang", text), LUPE_OK);
	for (int d = 0; d < 5; d++) {
		char id[8], body[1024];
		snprintf(id, sizeof id, "s%d", d);
		size_t m = 0;
		for (int i = 0; i <= d; i++)
			m += (size_t)snprintf(body + m, sizeof body - m, "Der Haselnusskuchen \"%d\" ist fertig, sagt Ärztin Müller. ", i);
		ck_assert_int_eq(fx_add(wr, id, "Kurz", body), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	ck_assert_int_eq(lupe_open(&rd, dbpath, NULL, NULL, 0), LUPE_OK);
	ck_assert_int_eq(lupe_open(&fresh, dbpath, NULL, NULL, 0), LUPE_OK);
	ck_assert_uint_eq(rd->snip.fold_cap, 0);
	same_hits(rd, fresh, "Walnusstorte Geduld");
	size_t cap = rd->snip.fold_cap;
	const char *f = rd->snip.fold_f;
	ck_assert_uint_gt(cap, 4000); /* a stretch of the long body (LUPE_SNIPPET_SCAN_MAX) */
	lupe_close(fresh);
	ck_assert_int_eq(lupe_open(&fresh, dbpath, NULL, NULL, 0), LUPE_OK);
	same_hits(rd, fresh, "Haselnusskuchen Ärztin");
	ck_assert_ptr_eq(rd->snip.fold_f, f); /* kept, not taken anew */
	ck_assert_uint_eq(rd->snip.fold_cap, cap);
	ck_assert_uint_lt(fresh->snip.fold_cap, cap);
	lupe_close(fresh);
	lupe_close(rd);
	lupe_close(wr);
}
END_TEST

/* A record whose text is `len` bytes of buf, starting with `head`. */
static lupe_record fake(char *buf, size_t len, const char *head)
{
	lupe_record r = {0};
	memset(buf, 'x', len);
	memcpy(buf, head, strlen(head));
	r.text = buf;
	r.text_len = len;
	return r;
}

START_TEST(test_bounds_and_generations)
{
	lupe_rcache *c = NULL;
	lupe_record r, got;
	char head[32];
	char *buf = malloc(LUPE_RCACHE_BYTES);
	ck_assert_ptr_nonnull(buf);
	for (uint32_t d = 1; d <= 200; d++) {
		snprintf(head, sizeof head, "record %u.", d);
		r = fake(buf, 100 * 1024, head);
		/* Kept when met again, not before. */
		lupe_rcache_put(&c, 7, d, &r);
		ck_assert_int_eq(lupe_rcache_get(c, 7, d, &got), 0);
		lupe_rcache_put(&c, 7, d, &r);
		size_t bytes;
		ck_assert_uint_le(lupe_rcache_count(c, &bytes), LUPE_RCACHE_ENTRIES);
		ck_assert_uint_le(bytes, LUPE_RCACHE_BYTES);
		memset(buf, 'y', 100 * 1024); /* a copy, not the caller's memory */
		ck_assert_int_eq(lupe_rcache_get(c, 7, d, &got), 1);
		ck_assert_uint_eq(got.text_len, 100 * 1024);
		ck_assert_int_eq(memcmp(got.text, head, strlen(head)), 0);
	}
	/* The least recently used went first: the first are gone, the last are there. */
	ck_assert_int_eq(lupe_rcache_get(c, 7, 1, &got), 0);
	ck_assert_int_eq(lupe_rcache_get(c, 7, 200, &got), 1);
	/* Too large a record is not kept. */
	r = fake(buf, LUPE_RCACHE_BYTES / 2, "huge");
	lupe_rcache_put(&c, 7, 500, &r);
	lupe_rcache_put(&c, 7, 500, &r);
	ck_assert_int_eq(lupe_rcache_get(c, 7, 500, &got), 0);
	/* Another generation: nothing of the last one is served. */
	ck_assert_int_eq(lupe_rcache_get(c, 8, 200, &got), 0);
	ck_assert_uint_eq(lupe_rcache_count(c, NULL), 0);
	lupe_rcache_free(c);
	free(buf);
}
END_TEST

/* Add id "lang": 100 KB of filler, then "Quittengelee" in Fassung `version`: a tail (past LUPE_RECORD_TEXT_MAX) holds the word. */
static int add_long(lupe_db *db, const char *version)
{
	size_t cap = 120 * 1024, n = 0;
	char *text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	for (int i = 0; n < 100 * 1024; i++)
		n += (size_t)snprintf(text + n, cap - n, "Mehl, Zucker und Butter Nummer %d werden verrührt. ", i);
	snprintf(text + n, cap - n, "Das Quittengelee in Fassung %s ist fertig.", version);
	int rc = fx_add(db, "lang", "Lange Anleitung", text);
	free(text);
	return rc;
}

/* The only hit for "Quittengelee" shows the word and `version` (from the body's tail). */
static void expect_tail(lupe_db *db, const char *version)
{
	expect_only(db, "Quittengelee", NULL, "Quittengelee", version);
}

/*
 * A long hit's whole body (its tail unpacked) is kept for the next search
 * that searches past its first stretch, and never served after a commit
 * the reader sees (the same id replaced keeps its docid).
 */
START_TEST(test_deep_body_kept_per_generation)
{
	lupe_db *wr = fx_open_write(dbpath), *rd = NULL;
	ck_assert_ptr_nonnull(wr);
	ck_assert_int_eq(add_long(wr, "eins"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	ck_assert_int_eq(lupe_open(&rd, dbpath, NULL, NULL, 0), LUPE_OK);
	expect_tail(rd, "eins");
	ck_assert_msg(rd->deep_searched == 1 && rd->deep_unpacked == 1, "searched %llu, unpacked %llu",
		      (unsigned long long)rd->deep_searched, (unsigned long long)rd->deep_unpacked);
	expect_tail(rd, "eins"); /* the kept body */
	ck_assert_msg(rd->deep_searched == 2 && rd->deep_unpacked == 1, "searched %llu, unpacked %llu",
		      (unsigned long long)rd->deep_searched, (unsigned long long)rd->deep_unpacked);
	ck_assert_uint_eq(lupe_dcache_count(rd->deep_bodies, NULL), 1);
	ck_assert_int_eq(add_long(wr, "zwei"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	expect_tail(rd, "zwei");
	expect_tail(rd, "zwei");
	ck_assert_msg(rd->deep_searched == 4 && rd->deep_unpacked == 2, "searched %llu, unpacked %llu",
		      (unsigned long long)rd->deep_searched, (unsigned long long)rd->deep_unpacked);
	lupe_close(rd);
	lupe_close(wr);
}
END_TEST

/* A body of n bytes in a buffer of cap bytes, each byte c. */
static lupe_buf body_of(size_t n, size_t cap, char c)
{
	lupe_buf b = {0};
	ck_assert_int_eq(lupe_buf_reserve(&b, cap), 0);
	memset(b.p, c, n);
	b.len = n;
	return b;
}

START_TEST(test_deep_bounds_and_generations)
{
	lupe_dcache *c = NULL;
	const char *t;
	size_t len, bytes;
	/* Six bodies of 1.5 MB: at most LUPE_DCACHE_ENTRIES, within LUPE_DCACHE_BYTES (three fit). */
	for (uint32_t d = 1; d <= 6; d++) {
		lupe_buf b = body_of(1000, 1500 * 1024, (char)('a' + d));
		const lupe_buf *kept = lupe_dcache_put(&c, 7, d, &b);
		ck_assert_ptr_nonnull(kept);
		ck_assert_uint_eq(kept->len, 1000);
		ck_assert_int_eq(lupe_dcache_get(c, 7, d, &t, &len), 1);
		ck_assert_uint_eq(len, 1000);
		ck_assert_int_eq(t[0], 'a' + (int)d);
		ck_assert_uint_le(lupe_dcache_count(c, &bytes), LUPE_DCACHE_ENTRIES);
		ck_assert_uint_le(bytes, LUPE_DCACHE_BYTES);
		/* A body put out comes back as the caller's buffer, emptied. */
		ck_assert_uint_eq(b.len, 0);
		lupe_buf_free(&b);
	}
	ck_assert_int_eq(lupe_dcache_get(c, 7, 1, &t, &len), 0); /* the oldest went first */
	ck_assert_int_eq(lupe_dcache_get(c, 7, 6, &t, &len), 1);
	/* Too large a buffer stays the caller's. */
	lupe_buf big = body_of(10, LUPE_DCACHE_BYTES + 1, 'z');
	ck_assert_ptr_null(lupe_dcache_put(&c, 7, 9, &big));
	ck_assert_uint_eq(big.len, 10);
	ck_assert_int_eq(lupe_dcache_get(c, 7, 9, &t, &len), 0);
	lupe_buf_free(&big);
	/* Another generation: nothing kept before is served. */
	ck_assert_int_eq(lupe_dcache_get(c, 8, 6, &t, &len), 0);
	ck_assert_uint_eq(lupe_dcache_count(c, &bytes), 0);
	ck_assert_uint_eq(bytes, 0);
	lupe_dcache_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("record_cache");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reader_sees_each_commit);
	tcase_add_test(tc, test_writer_sees_its_own_replacement);
	tcase_add_test(tc, test_bounds_and_generations);
	tcase_add_test(tc, test_held_records_not_read);
	tcase_add_test(tc, test_held_record_put_out_is_read);
	tcase_add_test(tc, test_snippet_scratch_kept);
	tcase_add_test(tc, test_deep_body_kept_per_generation);
	tcase_add_test(tc, test_deep_bounds_and_generations);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
