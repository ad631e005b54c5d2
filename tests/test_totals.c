/*
 * Result totals (issue 23): exact whenever the matcher could count them
 * cheaply, else an estimate between bounds that hold the true count; never
 * below the hits handed out.  On the bundled articles (data/corpus/) every
 * total must be exact at every page size; on a generated index of a few
 * thousand documents, totals up to the matcher's bound (LX_CHECK_AT_LEAST)
 * are exact and larger ones are bracketed by their bounds.
 */
#include <dirent.h>
#include <inttypes.h>

#include "fixture.h"
#include "shim/shim.h" /* LX_COUNT_ALL_MAX, LX_CHECK_AT_LEAST: what is promised exact */

static char *dir;
static lupe_db *db;

/* The true count: every hit, with the largest page. */
static uint64_t count_all(const char *q)
{
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	o.limit = 10000;
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), &o), LUPE_OK);
	uint64_t n = lupe_results_count(r);
	lupe_results_free(r);
	return n;
}

typedef struct {
	uint64_t total, min, max;
	size_t n;
	int exact, exact2;
} totals;

static totals search_page(const char *q, size_t offset, size_t limit)
{
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	totals t;
	o.offset = offset;
	o.limit = limit;
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), &o), LUPE_OK);
	t.total = lupe_results_total(r, &t.exact);
	t.exact2 = lupe_results_total_bounds(r, &t.min, &t.max);
	t.n = lupe_results_count(r);
	lupe_results_free(r);
	return t;
}

/* What every page must say of a query whose true count is `truth`. */
static void check_page(const char *q, size_t offset, size_t limit, uint64_t truth, int must_be_exact)
{
	totals t = search_page(q, offset, limit);
	ck_assert_msg(t.exact == t.exact2, "%s: the two calls disagree on exactness", q);
	ck_assert_msg(t.min <= t.total && t.total <= t.max, "%s: total %" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "]",
		      q, t.total, t.min, t.max);
	ck_assert_msg(t.min <= truth && truth <= t.max,
		      "%s (offset %zu, limit %zu): true count %" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "]", q, offset,
		      limit, truth, t.min, t.max);
	if (t.n)
		ck_assert_msg(t.total >= offset + t.n, "%s: total %" PRIu64 " below the %zu hits handed out", q,
			      t.total, offset + t.n);
	ck_assert_msg(t.exact == (t.min == t.max), "%s: exact but the bounds differ", q);
	if (t.exact)
		ck_assert_msg(t.total == truth, "%s: 'exact' %" PRIu64 ", truly %" PRIu64, q, t.total, truth);
	if (must_be_exact)
		ck_assert_msg(t.exact && t.total == truth,
			      "%s (offset %zu, limit %zu): total %" PRIu64 "%s, truly %" PRIu64, q, offset, limit,
			      t.total, t.exact ? "" : " (estimate)", truth);
}

/* The five bundled articles, sources "even" and "odd" by their number. */
static void index_seeds(void)
{
	char dbp[4200];
	dir = fx_tmpdir();
	snprintf(dbp, sizeof dbp, "%s/db", dir);
	db = fx_open_write(dbp);
	ck_assert_ptr_nonnull(db);
	fx_add_corpus(db, 1);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
}

/*
 * Generated documents: doc i holds "quokka" when i % 2 == 0, "numbat" when
 * i % 3 == 0, "wombat" when i % 11 == 0 and the phrase "rote Laterne" when
 * i % 13 == 0 ("rote" and "Laterne" apart in the others), so counts are
 * known without searching; filler words make the documents differ.
 */
#define GEN_DOCS 3000 /* more than LX_COUNT_ALL_MAX: not counted whole */

static void index_generated(void)
{
	char dbp[4200], id[32], text[512];
	static const char *const filler[] = {"Fluss", "Brücke", "Abend", "Zeitung", "Garten", "Fenster", "Regen"};
	ck_assert_int_gt(GEN_DOCS, LX_COUNT_ALL_MAX);
	dir = fx_tmpdir();
	snprintf(dbp, sizeof dbp, "%s/db", dir);
	db = fx_open_write(dbp);
	ck_assert_ptr_nonnull(db);
	for (int i = 0; i < GEN_DOCS; i++) {
		lupe_document doc = LUPE_DOCUMENT_INIT;
		snprintf(id, sizeof id, "g%d", i);
		snprintf(text, sizeof text, "%s %s %s. %s %s. %s %s %s.", filler[i % 7], filler[(i / 7) % 7],
			 i % 2 == 0 ? "quokka" : "", i % 3 == 0 ? "numbat" : "", i % 11 == 0 ? "wombat" : "",
			 i % 13 == 0 ? "rote Laterne" : "rote Tür", filler[(i / 49) % 7],
			 i % 13 == 0 ? "" : "Laterne");
		doc.id = id;
		doc.text = text;
		doc.text_len = strlen(text);
		doc.source = i % 5 == 0 ? "five" : "other";
		ck_assert_int_eq(lupe_add(db, &doc), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
}

static void drop(void)
{
	lupe_close(db);
	fx_rmrf(dir);
	free(dir);
}

/* Phrase, boolean, wildcard and filter queries on the bundled articles. */
static const char *const seed_queries[] = {
	"\"Social Media Manager\"",
	"\"Social Media\"",
	"Social Media Manager",
	"Stabsstelle",
	"Social AND Manager",
	"Social NOT Stabsstelle",
	"Kommunikation ODER Unternehmen",
	"Unterneh*",
	"Kommun*",
	"Social source:odd",
	"\"Social Media Manager\" source:even",
	"Manager -Stabsstelle",
};

START_TEST(test_seed_totals_exact_at_every_page)
{
	const char *q = seed_queries[_i];
	uint64_t truth = count_all(q);
	ck_assert_msg(truth > 0, "%s finds nothing", q);
	for (size_t limit = 1; limit <= 6; limit++)
		for (size_t offset = 0; offset <= truth; offset++)
			check_page(q, offset, limit, truth, 1);
}
END_TEST

/* The case of the issue: the phrase is in every article, whatever the page. */
START_TEST(test_social_media_manager)
{
	ck_assert_uint_eq(count_all("\"Social Media Manager\""), 5);
	for (size_t limit = 1; limit <= 5; limit++)
		check_page("\"Social Media Manager\"", 0, limit, 5, 1);
}
END_TEST

/* Totals up to the matcher's bound must be exact; above, bounds must hold them. */
static const struct {
	const char *query;
	uint64_t truth;
} gen_rows[] = {
	{"wombat AND numbat", (GEN_DOCS + 32) / 33},
	{"wombat source:five", (GEN_DOCS + 54) / 55},
	{"\"rote Laterne\" source:five", (GEN_DOCS + 64) / 65},
	{"womb* AND numbat", (GEN_DOCS + 32) / 33},
	{"wombat", (GEN_DOCS + 10) / 11},
	{"\"rote Laterne\"", (GEN_DOCS + 12) / 13},
	{"womb*", (GEN_DOCS + 10) / 11},
	{"\"rote Laterne\" OR wombat", (GEN_DOCS + 12) / 13 + (GEN_DOCS + 10) / 11 - (GEN_DOCS + 142) / 143},
	{"quokka", GEN_DOCS / 2},
	{"quokka OR numbat", GEN_DOCS / 2 + GEN_DOCS / 3 - GEN_DOCS / 6},
	{"quokka -numbat", GEN_DOCS / 2 - GEN_DOCS / 6},
	{"quok*", GEN_DOCS / 2},
	{"\"rote Tür\"", GEN_DOCS - (GEN_DOCS + 12) / 13},
	{"numbat source:other", GEN_DOCS / 3 - GEN_DOCS / 15},
};

START_TEST(test_generated_totals)
{
	const char *q = gen_rows[_i].query;
	uint64_t truth = gen_rows[_i].truth;
	ck_assert_uint_eq(count_all(q), truth);
	static const size_t pages[][2] = {{0, 1}, {0, 10}, {5, 10}, {600, 10}, {0, 100}};
	for (size_t k = 0; k < sizeof pages / sizeof pages[0]; k++)
		check_page(q, pages[k][0], pages[k][1], truth, truth <= LX_CHECK_AT_LEAST);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("totals");
	TCase *tc = tcase_create("seeds");
	tcase_add_unchecked_fixture(tc, index_seeds, drop);
	tcase_add_loop_test(tc, test_seed_totals_exact_at_every_page, 0,
			    (int)(sizeof seed_queries / sizeof seed_queries[0]));
	tcase_add_test(tc, test_social_media_manager);
	suite_add_tcase(s, tc);
	tc = tcase_create("generated");
	tcase_add_unchecked_fixture(tc, index_generated, drop);
	tcase_add_loop_test(tc, test_generated_totals, 0, (int)(sizeof gen_rows / sizeof gen_rows[0]));
	suite_add_tcase(s, tc);
	return fx_run(s, CK_NOFORK);
}
