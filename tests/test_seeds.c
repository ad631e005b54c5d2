/*
 * The bundled seed articles end to end: each query names the article that
 * must rank first, chosen by reading the articles (data/corpus/):
 *   000  Klaus Eck / interview with Sachar Kriwoj (E-Plus, Netzbotschafter)
 *   001  t3n: first aid for social media managers (Überstunden, Rezepte)
 *   002  interview with Vivian Pein (Stabsstelle, Zertifikate, Grabenkämpfe)
 *   003  the social media manager's schedule (Zeitplan, Etikette, Pausen)
 *   004  a personal view: Task Force, Wikipedia definition, Innovationsgeber
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char *dir;
static lupe_db *db;

static void index_seeds(void)
{
	char dbp[4200];
	dir = fx_tmpdir();
	snprintf(dbp, sizeof dbp, "%s/db", dir);
	db = fx_open_write(dbp);
	ck_assert_ptr_nonnull(db);
	fx_add_corpus(db, 0);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
}

static void drop(void)
{
	lupe_close(db);
	fx_rmrf(dir);
	free(dir);
}

static const struct {
	const char *query, *top;
} rows[] = {
	{"Kommunikationsberater Klaus Eck", "000"},
	{"Netzbotschafter E-Plus", "000"},
	{"Empathie und Demut", "000"},
	{"Überstunden Therapie", "001"},
	{"Sandwich-Strategie", "001"},
	{"AdBlocker t3n.de", "001"},
	{"Vivian Pein Stabsstelle", "002"},
	{"Zertifikat PZOK", "002"},
	{"Grabenkämpfe überwinden", "002"},
	{"Zeitplan Pausen", "003"},
	{"Linkbuilding Etikette", "003"},
	{"Wikipedia Definition Berufsbild", "004"},
	{"\"kollektive Intelligenz\"", "004"},
	{"Task Force Innovationsgeber", "004"},
	/* German analysis: parts reach the compound, spellings and gendered forms meet */
	{"Kommunikation Berater", "000"},       /* Kommunikationsberater */
	{"Ueberstunden", "001"},                /* Überstunden */
	{"Netzbotschafterinnen", "000"},        /* Netzbotschafter */
	{"Mitarbeiter:innen Abteilungszugehörigkeit", "001"},
};

START_TEST(test_top)
{
	const char *got = fx_top(db, rows[_i].query);
	ck_assert_msg(strcmp(got, rows[_i].top) == 0, "query %s: first is %s, want %s", rows[_i].query, got,
		      rows[_i].top);
}
END_TEST

/* The ids of all hits of q, sorted and joined, into buf. */
static size_t hit_ids(const char *q, char *buf, size_t cap)
{
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r;
	char ids[16][8];
	o.limit = 16;
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), &o), LUPE_OK);
	size_t n = lupe_results_count(r);
	for (size_t i = 0; i < n; i++)
		snprintf(ids[i], sizeof ids[i], "%s", lupe_results_hit(r, i)->id);
	lupe_results_free(r);
	qsort(ids, n, sizeof ids[0], (int (*)(const void *, const void *))strcmp);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s ", ids[i]);
	return n;
}

/* A gendered spelling in a query finds what the plain word finds. */
static const struct {
	const char *gendered, *plain;
} gender_rows[] = {
	{"Mitarbeiter:innen", "Mitarbeiter"},
	{"Mitarbeiter*innen", "Mitarbeiter"},
	{"Mitarbeiter/-innen", "Mitarbeiter"},
	{"Mitarbeiter(innen)", "Mitarbeiter"},
	{"MitarbeiterInnen", "Mitarbeiter"},
	{"Berater:innen", "Berater"},
};

START_TEST(test_gender_query)
{
	char got[256], want[256];
	size_t n = hit_ids(gender_rows[_i].plain, want, sizeof want);
	ck_assert_uint_gt(n, 0);
	hit_ids(gender_rows[_i].gendered, got, sizeof got);
	ck_assert_msg(strcmp(got, want) == 0, "%s finds [%s], %s finds [%s]", gender_rows[_i].gendered, got,
		      gender_rows[_i].plain, want);
}
END_TEST

/* Hits come ranked, with scores falling and a snippet that shows a match. */
START_TEST(test_ranking_shape)
{
	lupe_results *r;
	const char *q = "Social Media Manager Strategie";
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), NULL), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 5);
	ck_assert_uint_eq(lupe_results_total(r, NULL), 5);
	for (size_t i = 0; i < lupe_results_count(r); i++) {
		const lupe_hit *h = lupe_results_hit(r, i);
		ck_assert_uint_eq(h->rank, i + 1);
		if (i)
			ck_assert(h->score <= lupe_results_hit(r, i - 1)->score);
		ck_assert_uint_ge(h->n_highlights, 1);
		for (size_t k = 0; k < h->n_highlights; k++) {
			ck_assert_uint_lt(h->highlights[k].start, h->highlights[k].end);
			ck_assert_uint_le(h->highlights[k].end, h->snippet_len);
		}
	}
	lupe_results_free(r);
}
END_TEST

/* Paging: offset/limit pages join up to the full list. */
START_TEST(test_paging)
{
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *all, *page;
	const char *q = "Unternehmen Kommunikation";
	o.limit = 5;
	ck_assert_int_eq(lupe_search(db, &all, q, strlen(q), &o), LUPE_OK);
	for (size_t off = 0; off < lupe_results_count(all); off++) {
		o.offset = off;
		o.limit = 1;
		ck_assert_int_eq(lupe_search(db, &page, q, strlen(q), &o), LUPE_OK);
		ck_assert_uint_eq(lupe_results_count(page), 1);
		ck_assert_str_eq(lupe_results_hit(page, 0)->id, lupe_results_hit(all, off)->id);
		ck_assert_uint_eq(lupe_results_hit(page, 0)->rank, off + 1);
		lupe_results_free(page);
	}
	lupe_results_free(all);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seeds");
	TCase *tc = tcase_create("seeds");
	tcase_add_unchecked_fixture(tc, index_seeds, drop);
	tcase_add_loop_test(tc, test_top, 0, (int)(sizeof rows / sizeof rows[0]));
	tcase_add_loop_test(tc, test_gender_query, 0, (int)(sizeof gender_rows / sizeof gender_rows[0]));
	tcase_add_test(tc, test_ranking_shape);
	tcase_add_test(tc, test_paging);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_NOFORK);
}
