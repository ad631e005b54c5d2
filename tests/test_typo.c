/*
 * Typo tolerance, on by default: a query word the index does not hold (or
 * holds far more rarely than a neighbour) is also searched as its likely
 * corrections, below the word as typed; LUPE_SEARCH_EXACT turns it off; the
 * suggestion names the corrected query.  Bad input keeps bounded time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "fixture.h"
#include "query/typo.h"

static char *dir;
static lupe_db *db;

/* "Bahnhof" in 60 documents, "Bahnnhof" (a rare word here, a typo elsewhere) in one. */
#define N_FREQ 60

static void setup(void)
{
	char dbp[4200], id[32], text[256];
	dir = fx_tmpdir();
	snprintf(dbp, sizeof dbp, "%s/db", dir);
	db = fx_open_write(dbp);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(fx_add(db, "abst", NULL, "Nach der Abstimmung im Bundestag: die Abstimmung war knapp."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "vert", NULL, "Die Verteidigung der Panthers hielt stand."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "ueber", NULL, "Überstunden sind im Vertrag geregelt."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "haus", NULL, "Ein Haus am See."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "rare", NULL, "Der Bahnnhof ist ein Ort im Wald."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "komp", NULL, "Die Verfassungsbeschwerde wurde eingereicht."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "inter", NULL, "Zwei Interceptions entschieden das Spiel."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "kod", NULL, "Die Kodierung der Daten."), LUPE_OK);
	for (int i = 0; i < N_FREQ; i++) {
		snprintf(id, sizeof id, "bf%02d", i);
		snprintf(text, sizeof text, "Am Bahnhof %d warten Leute.", i);
		ck_assert_int_eq(fx_add(db, id, NULL, text), LUPE_OK);
	}
	/* A crowded neighbourhood: 8-letter words of a and b, all one or two edits from "aaaaaaaa". */
	for (int i = 0; i < 256; i++) {
		char w[9];
		for (int k = 0; k < 8; k++)
			w[k] = (i >> k) & 1 ? 'b' : 'a';
		w[8] = '\0';
		snprintf(id, sizeof id, "ab%03d", i);
		snprintf(text, sizeof text, "Wort %s hier.", w);
		ck_assert_int_eq(fx_add(db, id, NULL, text), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
}

static void teardown(void)
{
	lupe_close(db);
	fx_rmrf(dir);
	free(dir);
}

typedef struct {
	const char *query;
	unsigned flags;
	const char *top;        /* the first hit ("" for none) */
	const char *suggestion; /* NULL: none */
	int min_total;          /* at least this many hits */
	int max_total;          /* at most this many (0: no bound) */
} row;

static const row rows[] = {
	/* 0: a dropped letter, on by default; off with EXACT; the suggestion either way */
	{"Abstimung", 0, "abst", "Abstimmung", 1, 0},
	{"Abstimung", LUPE_SEARCH_EXACT, "", "Abstimmung", 0, 0},
	/* 2: a transposition is one edit (and two in a long word are fine too) */
	{"Abstmimung", 0, "abst", "Abstimmung", 1, 0},
	{"Veretidigung Panthers", 0, "vert", "Verteidigung Panthers", 1, 0},
	{"Verteidgiung", 0, "vert", "Verteidigung", 1, 0},
	/* 5: a clean query is searched as typed, with nothing added and no suggestion */
	{"Verteidigung", 0, "vert", NULL, 1, 1},
	{"Abstimmung", 0, "abst", NULL, 1, 1},
	/* 7: umlaut and ß spellings are no typos */
	{"Ueberstunden", 0, "ueber", NULL, 1, 1},
	{"Uberstunden", 0, "ueber", NULL, 1, 1},
	/* 9: short words are not corrected (one edit from five letters) */
	{"Hais", 0, "", NULL, 0, 0},
	/* 10: a rare word next to a far more frequent one: the word as typed first, the neighbour after */
	{"Bahnnhof", 0, "rare", "Bahnhof", N_FREQ + 1, 0},
	{"Bahnnhof", LUPE_SEARCH_EXACT, "rare", "Bahnhof", 1, 1},
	/* 12: a typo in a compound */
	{"Verfasungsbeschwerde", 0, "komp", "Verfassungsbeschwerde", 1, 0},
	/* 13: the suggestion keeps the inflection typed when the documents show another */
	{"Interceptiion", 0, "inter", "Interception", 1, 0},
	/* 14: a typo in the ending, which changes the stem (kodierng, not kodier) */
	{"Kodierng", 0, "kod", "Kodierung", 1, 0},
};

START_TEST(test_row)
{
	const row *r = &rows[_i];
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *res;
	o.flags = r->flags;
	o.limit = 100;
	ck_assert_int_eq(lupe_search(db, &res, r->query, strlen(r->query), &o), LUPE_OK);
	size_t n = lupe_results_count(res);
	const char *top = n ? lupe_results_hit(res, 0)->id : "";
	ck_assert_msg(strcmp(top, r->top) == 0, "row %d %s: first %s, want %s", _i, r->query, top, r->top);
	ck_assert_msg(n >= (size_t)r->min_total && (!r->max_total || n <= (size_t)r->max_total),
		      "row %d %s: %zu hits, want %d..%d", _i, r->query, n, r->min_total, r->max_total);
	const char *s = lupe_results_suggestion(res);
	if (r->suggestion)
		ck_assert_msg(s && strcmp(s, r->suggestion) == 0, "row %d %s: suggestion %s, want %s", _i, r->query,
			      s ? s : "(none)", r->suggestion);
	else
		ck_assert_msg(!s, "row %d %s: suggestion %s, want none", _i, r->query, s);
	lupe_results_free(res);
}
END_TEST

/*
 * The per-query budget: words the index does not hold are looked up for
 * corrections only while the query's budget lasts (8 of them), so a query
 * of 1,000 misspelt words costs what 8 do.  The 9th unknown word is
 * searched as typed only; the first is corrected.
 */
START_TEST(test_budget)
{
	static const char *const unknown = "Qwertzu Qwertzi Qwertzo Qwertza Qwertze Qwertzy Qwertzx Qwertzw ";
	char q[256];
	snprintf(q, sizeof q, "%sAbstimung", unknown);
	ck_assert_msg(!fx_finds(db, q, "abst", 100), "the 9th unknown word was corrected: %s", q);
	snprintf(q, sizeof q, "Abstimung %s", unknown);
	ck_assert_msg(fx_finds(db, q, "abst", 100), "the first unknown word was not corrected: %s", q);
}
END_TEST

/*
 * Bad input: each query answers (LUPE_OK) in bounded time.  The bound is
 * ten times the 20 ms target, for a loaded machine and sanitizer builds;
 * without the per-query limit on corrected words the 1,000-word query
 * takes seconds.
 */
#define BAD_MAX_MS 200.0

static char *repeat(const char *unit, int times)
{
	size_t n = strlen(unit);
	char *s = malloc(n * (size_t)times + 1);
	for (int i = 0; i < times; i++)
		memcpy(s + n * (size_t)i, unit, n);
	s[n * (size_t)times] = '\0';
	return s;
}

/* 1,000 different misspelt words: "Abstimungaa Abstimungab ...". */
static char *many_typos(void)
{
	char *s = malloc(1000 * 16 + 1), *p = s;
	for (int i = 0; i < 1000; i++)
		p += sprintf(p, "Abstimung%c%c%c ", 'a' + i % 26, 'a' + (i / 26) % 26, 'a' + i / 676);
	*p = '\0';
	return s;
}

START_TEST(test_bad_input)
{
	char *q[5];
	q[0] = repeat("x", 120);                          /* a word of 120 letters */
	q[1] = repeat("Bundesverfassungsgericht", 20);    /* a 20-part compound */
	q[2] = many_typos();                              /* 1,000 misspelt words */
	q[3] = repeat("aaaaaaaa ", 200);                  /* a crowded neighbourhood, many times */
	q[4] = repeat("Abstimungx", 12);                  /* a 120-letter misspelt word */
	for (int i = 0; i < 5; i++) {
		struct timespec t0, t1;
		lupe_results *res;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ck_assert_int_eq(lupe_search(db, &res, q[i], strlen(q[i]), NULL), LUPE_OK);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		ck_assert_msg(ms <= BAD_MAX_MS, "bad query %d took %.1f ms", i, ms);
		lupe_results_free(res);
		free(q[i]);
	}
}
END_TEST

/*
 * What a query looks up for its corrections (query/typo.h's memo) is never
 * served to a later query: a reader that searched a misspelt word before
 * its correction was committed finds the correction, and suggests it,
 * right after the commit (the look-ups of the first search said "absent").
 */
START_TEST(test_fresh_after_commit)
{
	char path[4200], msg[256];
	snprintf(path, sizeof path, "%s/db", dir);
	for (int thread = 0; thread < 2; thread++) {
		static const char *const words[2] = {"Wirbelsturm", "Laubfrosch"};
		static const char *const typos[2] = {"Wirbelstrum", "Laubforsch"};
		lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
		lupe_db *r;
		lupe_results *res;
		o.suggest_thread = thread;
		ck_assert_int_eq(lupe_open(&r, path, &o, msg, sizeof msg), LUPE_OK);
		const char *q = typos[thread];
		ck_assert_int_eq(lupe_search(r, &res, q, strlen(q), NULL), LUPE_OK);
		ck_assert_uint_eq(lupe_results_count(res), 0);
		ck_assert_ptr_null(lupe_results_suggestion(res));
		lupe_results_free(res);
		char text[64];
		snprintf(text, sizeof text, "Ein %s zieht auf.", words[thread]);
		ck_assert_int_eq(fx_add(db, thread ? "frosch" : "sturm", NULL, text), LUPE_OK);
		ck_assert_int_eq(lupe_commit(db), LUPE_OK);
		ck_assert_int_eq(lupe_search(r, &res, q, strlen(q), NULL), LUPE_OK);
		ck_assert_msg(lupe_results_count(res) == 1, "%s after the commit: %zu hits", q, lupe_results_count(res));
		const char *sug = lupe_results_suggestion(res);
		ck_assert_msg(sug && strcmp(sug, words[thread]) == 0, "%s after the commit: suggestion %s", q,
			      sug ? sug : "(none)");
		lupe_results_free(res);
		lupe_close(r);
	}
}
END_TEST

/*
 * Replaced and inserted letters are made only where they can meet an index
 * term (typo.c, prune_word): the corrections are those of every variant,
 * and a word costs a fraction of the ~60 variants a letter.  Rows: the
 * word typed (folded), the correction it must get, the most variants it
 * may stem (every variant made: 434 to 724; pruned: 71 to 222).  The
 * correction keeps the edit (bahnhog: bahnho + f), or the
 * edit is cut off with the ending (kodierng + u -> kodierung -> kodier;
 * kodierunb with g; verteidigunk with g: the stem verteid).
 */
static const struct {
	const char *form, *want;
	size_t max_variants;
} prune_rows[] = {
	{"abstimung", "abstimm", 200},
	{"kodierng", "kodier", 200},
	{"kodierunb", "kodier", 200},
	{"verteidigunk", "verteid", 300},
	{"bahnhog", "bahnhof", 160},
	{"abstimmunk", "abstimm", 250},
};

START_TEST(test_prune)
{
	const char *form = prune_rows[_i].form, *want = prune_rows[_i].want;
	size_t tl;
	const char *t = lupe_analyzer_stem_folded(db->an, form, strlen(form), &tl);
	ck_assert_ptr_nonnull(t);
	char term[64];
	ck_assert_uint_lt(tl, sizeof term);
	memcpy(term, t, tl);
	lupe_typo_memo *memo;
	ck_assert_int_eq(lupe_typo_memo_new(&memo), 0);
	int budget = LUPE_TYPO_BUDGET, found = 0;
	lupe_typo_cand c[LUPE_TYPO_ALTS];
	int n = lupe_typo_corrections(db->x, db->an, memo, form, strlen(form), term, tl, 0, &budget, NULL, c,
				      LUPE_TYPO_ALTS);
	for (int k = 0; k < n; k++)
		found |= strcmp(c[k].c.term, want) == 0;
	size_t made = lupe_typo_memo_variants(memo);
	lupe_typo_memo_free(memo);
	ck_assert_msg(found, "row %d %s: no correction %s among %d", _i, form, want, n);
	ck_assert_msg(made <= prune_rows[_i].max_variants, "row %d %s: %zu variants stemmed, want <= %zu", _i, form,
		      made, prune_rows[_i].max_variants);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("typo");
	TCase *tc = tcase_create("typo");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_row, 0, (int)(sizeof rows / sizeof rows[0]));
	tcase_add_test(tc, test_budget);
	tcase_add_loop_test(tc, test_prune, 0, (int)(sizeof prune_rows / sizeof prune_rows[0]));
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_fresh_after_commit);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_NOFORK);
}
