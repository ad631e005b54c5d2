/* Analyzer: table-driven German rows, input -> terms with byte offsets. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "analysis/german.h"
#include "analysis/stem.h"
#include "fixture.h"
#include "lupe.h"

typedef struct {
	const char *term;
	size_t start, end;
	int kind;
} want_tok;

typedef struct {
	const char *input;
	size_t len; /* 0: strlen(input) */
	want_tok want[8];
} row;

#define W LUPE_TOKEN_WORD
#define N LUPE_TOKEN_NUMBER
#define J LUPE_TOKEN_JOINED
#define U LUPE_TOKEN_URL
#define E LUPE_TOKEN_EMAIL
#define P LUPE_TOKEN_PART

static const row rows[] = {
	/* 0: case folding, ß, umlauts; stemming of nouns (capitalised words too) */
	{"Straße", 0, {{"strass", 0, 7, W}}},
	{"Überstunden", 0, {{"uberstund", 0, 12, W}}},
	{"Manager Managern", 0, {{"manag", 0, 7, W}, {"manag", 8, 16, W}}},
	{"STRASSE", 0, {{"strass", 0, 7, W}}},
	/* 4: hyphenated words: each part, and the joined form at the first position */
	{"Social-Media-Manager", 0,
	 {{"social", 0, 6, W}, {"media", 7, 12, W}, {"manag", 13, 20, W}, {"socialmediamanag", 0, 20, J}}},
	{"E-Mail", 0, {{"e", 0, 1, W}, {"mail", 2, 6, W}, {"email", 0, 6, J}}},
	/* 6: numbers and versions stay as written */
	{"Version 2.0.1 im Jahr 2020", 0, {{"version", 0, 7, W}, {"2.0.1", 8, 13, N}, {"2020", 22, 26, N}}},
	{"3,14", 0, {{"3,14", 0, 4, N}}},
	/* 8: e-mail addresses and URLs whole, and their words */
	{"an max@example.com.", 0, {{"max@example.com", 3, 18, E}, {"exampl", 7, 14, P}}},
	{"siehe https://t3n.de/news, dort", 0,
	 {{"https://t3n.de/news", 6, 25, U}, {"t3n.de", 14, 20, N}, {"news", 21, 25, W}, {"dort", 27, 31, W}}},
	/* 10: invalid UTF-8 is repaired and splits words; NUL bytes do not end the text */
	{"Haus\xff\xfe" "Boot", 0, {{"haus", 0, 4, W}, {"boot", 6, 10, W}}},
	{"Haus\0Boot", 9, {{"haus", 0, 4, W}, {"boot", 5, 9, W}}},
	/* 12: CamelCase identifiers: the whole word and its parts */
	{"PageNumber", 0, {{"pagenumb", 0, 10, W}, {"pag", 0, 4, P}, {"numb", 4, 10, P}}},
	/* 14: dotted names ICU keeps whole: their words are parts */
	{"(Grafik: bitrebels.com)", 0, {{"grafik", 1, 7, W}, {"bitrebel", 9, 18, P}}},
	/* 13: typographic quotes and dashes are not words */
	{"„Social Media“ – Strategie", 0, {{"social", 3, 9, W}, {"media", 10, 15, W}, {"strategi", 23, 32, W}}},
	/* 16: truncated compounds completed from the coordination, at the truncated word */
	{"Haus- und Gartenarbeit", 0, {{"haus", 0, 4, W}, {"hausarbeit", 0, 4, J}, {"gartenarbeit", 10, 22, W}}},
	{"Ein- und Ausgabe", 0, {{"eingab", 0, 3, J}, {"ausgab", 9, 16, W}}},
	{"Ein- oder Ausgabe", 0, {{"eingab", 0, 3, J}}},
	{"Wirtschafts-, Sozial- und Umweltpolitik", 0,
	 {{"wirtschaftspolit", 0, 11, J}, {"sozialpolit", 14, 20, J}, {"umweltpolit", 26, 39, W}}},
	{"Auf- bzw. Abbau", 0, {{"aufbau", 0, 3, J}}},
	{"sowohl Ein- als auch Ausfuhr", 0, {{"einfuhr", 7, 10, J}}},
	{"Social-Media- und Marketingabteilung", 0, {{"socialmediaabteil", 0, 12, J}}},
};

START_TEST(test_rows)
{
	const row *r = &rows[_i];
	lupe_analyzer *an;
	lupe_tokens *t;
	size_t len = r->len ? r->len : strlen(r->input);
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_analyze(an, &t, r->input, len), LUPE_OK);
	for (int w = 0; w < 8 && r->want[w].term; w++) {
		const want_tok *x = &r->want[w];
		int found = 0;
		for (size_t i = 0; i < lupe_tokens_count(t) && !found; i++) {
			const lupe_token *k = lupe_tokens_get(t, i);
			found = strcmp(k->term, x->term) == 0 && k->start == x->start && k->end == x->end &&
				k->kind == x->kind;
		}
		if (!found) {
			for (size_t i = 0; i < lupe_tokens_count(t); i++) {
				const lupe_token *k = lupe_tokens_get(t, i);
				fprintf(stderr, "  got %s [%zu,%zu) kind %d\n", k->term, k->start, k->end, k->kind);
			}
		}
		ck_assert_msg(found, "row %d: no token %s [%zu,%zu) kind %d", _i, x->term, x->start, x->end, x->kind);
	}
	lupe_tokens_free(t);
	lupe_analyzer_free(an);
}
END_TEST

/*
 * Gendered spellings are one word: the analyzer's WORD tokens are exactly
 * `words` (term and byte offsets over the whole written form), and no token
 * of any kind has a term of `never` (the stray "inn" of a split-off ending,
 * the "rinn" of a compound read into the ending).
 */
typedef struct {
	const char *input;
	want_tok words[4];
	const char *never[4];
} gender_row;

static const gender_row gender_rows[] = {
	/* 0: colon, plural and singular, with umlaut and irregular bases */
	{"Mitarbeiter:innen", {{"mitarbeit", 0, 17, W}}, {"inn", "in", "innen"}},
	{"Ärzt:innen", {{"arzt", 0, 11, W}}, {"inn", "arzt:inn"}},
	{"Ärzt:in", {{"arzt", 0, 8, W}}, {"in"}},
	{"Kolleg:innen", {{"kolleg", 0, 12, W}}, {"inn"}},
	{"Kolleg:in", {{"kolleg", 0, 9, W}}, {"in"}},
	{"Berater:innen", {{"berat", 0, 13, W}}, {"inn"}},
	/* 6: star, underscore, slash, slash-hyphen, Binnen-I, brackets */
	{"Mitarbeiter*innen", {{"mitarbeit", 0, 17, W}}, {"inn"}},
	{"Mitarbeiter_innen", {{"mitarbeit", 0, 17, W}}, {"inn", "mitarbeiter_inn"}},
	{"Mitarbeiter/innen", {{"mitarbeit", 0, 17, W}}, {"inn"}},
	{"Mitarbeiter/-innen", {{"mitarbeit", 0, 18, W}}, {"inn"}},
	{"MitarbeiterInnen", {{"mitarbeit", 0, 16, W}}, {"inn"}},
	{"Mitarbeiter(innen)", {{"mitarbeit", 0, 18, W}}, {"inn"}},
	{"Mitarbeiter(in)", {{"mitarbeit", 0, 15, W}}, {"in"}},
	{"Lehrer:Innen", {{"lehr", 0, 12, W}}, {"inn"}},
	/* 14: in running text, sentence punctuation after it */
	{"die Mitarbeiter:innen.", {{"die", 0, 3, W}, {"mitarbeit", 4, 21, W}}, {"inn"}},
	{"Ärzt*innen und Pfleger:innen", {{"arzt", 0, 11, W}, {"und", 12, 15, W}, {"pfleg", 16, 29, W}}, {"inn"}},
	/* 16: the feminine form without a marker: no compound part read into its ending */
	{"Mitarbeiterinnen", {{"mitarbeit", 0, 16, W}}, {"rinn", "inn"}},
	/* 17: a colon that is no gender marker stays a break */
	{"10:30", {{NULL, 0, 0, 0}}, {"10:30"}},
	{"a:b", {{"a", 0, 1, W}, {"b", 2, 3, W}}, {"a:b"}},
	{"Hinweis:In diesem", {{"hinweis", 0, 7, W}, {"in", 8, 10, W}, {"dies", 11, 17, W}}, {NULL}},
	{"ein/in", {{"ein", 0, 3, W}, {"in", 4, 6, W}}, {"ein/in"}},
	/* 21: a marker inside a compound: one word, the compound of base and rest */
	{"Sch\u00fcler:innenvertretung", {{"schulervertret", 0, 24, W}}, {"inn", "innenvertret", "schul:innenvertret"}},
	{"B\u00fcrger*innenmeister", {{"burgermeist", 0, 20, W}}, {"innenmeist", "inn"}},
	{"Lehrer_innenzimmer", {{"lehrerzimm", 0, 18, W}}, {"lehrer_innenzimm", "innenzimm"}},
	{"Sch\u00fclerInnenvertretung", {{"schulervertret", 0, 23, W}}, {"innenvertret", "schulerinnenvertret"}},
	{"Haus:innent\u00fcr", {{"haus", 0, 4, W}, {"innentur", 5, 14, W}}, {"haustur"}},
	/* 26: in a hyphen group the joined form reads the word as its token does */
	{"Sch\u00fcler:innen-Vertretung", {{"schul", 0, 14, W}, {"vertret", 15, 25, W}}, {"schuler:innenvertret"}},
};

START_TEST(test_gender)
{
	const gender_row *r = &gender_rows[_i];
	lupe_analyzer *an;
	lupe_tokens *t;
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_analyze(an, &t, r->input, strlen(r->input)), LUPE_OK);
	size_t w = 0;
	for (size_t i = 0; i < lupe_tokens_count(t); i++) {
		const lupe_token *k = lupe_tokens_get(t, i);
		for (int j = 0; j < 4 && r->never[j]; j++)
			ck_assert_msg(strcmp(k->term, r->never[j]) != 0, "row %d: stray term %s [%zu,%zu)", _i,
				      k->term, k->start, k->end);
		if (k->kind != W)
			continue;
		ck_assert_msg(w < 4 && r->words[w].term, "row %d: extra word %s [%zu,%zu)", _i, k->term, k->start,
			      k->end);
		const want_tok *x = &r->words[w++];
		ck_assert_msg(strcmp(k->term, x->term) == 0 && k->start == x->start && k->end == x->end,
			      "row %d: word %s [%zu,%zu), want %s [%zu,%zu)", _i, k->term, k->start, k->end, x->term,
			      x->start, x->end);
	}
	ck_assert_msg(w == 4 || !r->words[w].term, "row %d: missing word %s", _i, w < 4 ? r->words[w].term : "");
	lupe_tokens_free(t);
	lupe_analyzer_free(an);
}
END_TEST

/* Positions: words count up; extra terms share their word's position. */
START_TEST(test_positions)
{
	lupe_analyzer *an;
	lupe_tokens *t;
	const char *s = "Die Social-Media-Strategie wirkt";
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_analyze(an, &t, s, strlen(s)), LUPE_OK);
	uint32_t last_word = 0;
	for (size_t i = 0; i < lupe_tokens_count(t); i++) {
		const lupe_token *k = lupe_tokens_get(t, i);
		if (strcmp(k->term, "wirkt") == 0)
			last_word = k->position;
		if (k->kind == LUPE_TOKEN_JOINED)
			ck_assert_uint_eq(k->position, 1);
	}
	ck_assert_uint_eq(last_word, 4);
	lupe_tokens_free(t);
	lupe_analyzer_free(an);
}
END_TEST

/* Stopwords are flagged, not dropped: phrases need them. */
START_TEST(test_stopwords_flagged)
{
	lupe_analyzer *an;
	lupe_tokens *t;
	const char *s = "der Manager und die Strategie";
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_analyze(an, &t, s, strlen(s)), LUPE_OK);
	ck_assert_uint_eq(lupe_tokens_count(t), 5);
	ck_assert(lupe_tokens_get(t, 0)->flags & LUPE_TOKEN_STOPWORD);
	ck_assert(!(lupe_tokens_get(t, 1)->flags & LUPE_TOKEN_STOPWORD));
	ck_assert(lupe_tokens_get(t, 2)->flags & LUPE_TOKEN_STOPWORD);
	lupe_tokens_free(t);
	lupe_analyzer_free(an);
}
END_TEST

/* Overlong words are cut below Xapian's term limit, at a character edge. */
START_TEST(test_overlong_word)
{
	lupe_analyzer *an;
	lupe_tokens *t;
	size_t n = 100000;
	char *s = malloc(n);
	for (size_t i = 0; i < n; i += 2) {
		s[i] = (char)0xC3; /* "ä" repeated */
		s[i + 1] = (char)0xA4;
	}
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_analyze(an, &t, s, n), LUPE_OK);
	ck_assert_uint_ge(lupe_tokens_count(t), 1);
	for (size_t i = 0; i < lupe_tokens_count(t); i++) {
		const lupe_token *k = lupe_tokens_get(t, i);
		ck_assert_uint_le(k->term_len, 200);
		ck_assert_uint_eq(k->term_len, strlen(k->term));
		ck_assert_int_ne((unsigned char)k->term[k->term_len - 1], 0xC3); /* not cut inside "ä" */
	}
	ck_assert_uint_eq(lupe_tokens_get(t, 0)->end, n);
	lupe_tokens_free(t);
	lupe_analyzer_free(an);
	free(s);
}
END_TEST

/* Empty and separator-only text give no tokens and no error. */
/* Completed forms are flagged, share the truncated word's position, and need a coordination. */
START_TEST(test_truncated)
{
	static const char *const none[] = {"Haus- Gartenarbeit", "Haus- und", "Haus- und 2020",
		"Haus-und Gartenarbeit", "Haus- und Garten-Arbeit", "Haus- und, Gartenarbeit", "Ein- und aus"};
	lupe_analyzer *an, *plain;
	lupe_tokens *t;
	lupe_analyzer_options o = LUPE_ANALYZER_OPTIONS_INIT;
	o.decompound = 0;
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_analyzer_new(&plain, &o), LUPE_OK);
	const char *s = "Die Haus- und Gartenarbeit";
	ck_assert_int_eq(lupe_analyze(an, &t, s, strlen(s)), LUPE_OK);
	int seen = 0;
	for (size_t i = 0; i < lupe_tokens_count(t); i++) {
		const lupe_token *k = lupe_tokens_get(t, i);
		if (k->flags & LUPE_TOKEN_COMPLETED) {
			ck_assert_str_eq(k->term, "hausarbeit");
			ck_assert_uint_eq(k->position, 1);
			seen++;
		} else if (strcmp(k->term, "hausarbeit") == 0) {
			ck_abort_msg("hausarbeit without the completed flag");
		}
	}
	ck_assert_int_eq(seen, 1);
	lupe_tokens_free(t);
	for (size_t r = 0; r < sizeof none / sizeof *none; r++) {
		ck_assert_int_eq(lupe_analyze(an, &t, none[r], strlen(none[r])), LUPE_OK);
		for (size_t i = 0; i < lupe_tokens_count(t); i++)
			ck_assert_msg(!(lupe_tokens_get(t, i)->flags & LUPE_TOKEN_COMPLETED), "%s: completed %s",
				      none[r], lupe_tokens_get(t, i)->term);
		lupe_tokens_free(t);
	}
	/* Without decompounding there is no dictionary head: nothing is completed. */
	ck_assert_int_eq(lupe_analyze(plain, &t, s, strlen(s)), LUPE_OK);
	for (size_t i = 0; i < lupe_tokens_count(t); i++)
		ck_assert(!(lupe_tokens_get(t, i)->flags & LUPE_TOKEN_COMPLETED));
	lupe_tokens_free(t);
	lupe_analyzer_free(plain);
	lupe_analyzer_free(an);
}
END_TEST

START_TEST(test_empty)
{
	lupe_analyzer *an;
	lupe_tokens *t;
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_analyze(an, &t, "", 0), LUPE_OK);
	ck_assert_uint_eq(lupe_tokens_count(t), 0);
	lupe_tokens_free(t);
	ck_assert_int_eq(lupe_analyze(an, &t, " -- ... !!", 10), LUPE_OK);
	ck_assert_uint_eq(lupe_tokens_count(t), 0);
	ck_assert_ptr_null(lupe_tokens_get(t, 0));
	lupe_tokens_free(t);
	ck_assert_int_eq(lupe_analyze(an, NULL, "x", 1), LUPE_EINVAL);
	lupe_analyzer_free(an);
}
END_TEST

/*
 * The analyzer's word cache replays a word's tokens: more distinct words
 * than it has slots, so that words share a slot pair and push each other
 * out.  One analyzer reads them all, then again backwards (from the cache
 * where a word stayed); another reads them only backwards, each word once.
 * Both must give each word the same tokens.
 */
static void same_tokens(const lupe_tokens *x, const lupe_tokens *y, const char *w)
{
	ck_assert_uint_eq(lupe_tokens_count(x), lupe_tokens_count(y));
	for (size_t i = 0; i < lupe_tokens_count(x); i++) {
		const lupe_token *a = lupe_tokens_get(x, i), *b = lupe_tokens_get(y, i);
		ck_assert_msg(strcmp(a->term, b->term) == 0 && strcmp(a->form, b->form) == 0 && a->kind == b->kind &&
				      a->flags == b->flags && a->start == b->start && a->end == b->end &&
				      a->position == b->position,
			      "%s: token %zu %s/%s [%zu,%zu), then %s/%s [%zu,%zu)", w, i, a->term, a->form, a->start,
			      a->end, b->term, b->form, b->start, b->end);
	}
}

START_TEST(test_word_cache)
{
	static const char *const parts[] = {"Haus", "Garten", "Steuer", "Berater", "Kommunikation", "Strategie", "Zoo",
		"Eingang", "Kakao", "Ernte", "Feuer", "Wehr", "Stelle", "Stab", "Arbeit", "Markt", "Bau", "Tank", "Gas",
		"Verfassung", "Gericht", "Bund", "Daten", "Bank", "Schutz", "Recht", "Zeit", "Plan", "Pause", "Tabelle"};
	const size_t np = sizeof parts / sizeof parts[0], nw = 20000;
	char(*words)[64] = malloc(nw * sizeof *words);
	ck_assert_ptr_nonnull(words);
	for (size_t i = 0; i < nw; i++) {
		/* Distinct words: two parts, then letters counting up; some hyphenated, some in lower case. */
		int n = snprintf(words[i], sizeof words[i], "%s%s%s%c%c", parts[i % np], i % 7 ? "" : "-",
				 parts[(i / np) % np], 'a' + (int)(i / (np * np) % 26), 'a' + (int)(i / (np * np * 26) % 26));
		ck_assert(n > 0 && n < (int)sizeof words[i]);
		if (i % 3 == 0)
			words[i][0] = (char)(words[i][0] | 0x20);
	}
	lupe_analyzer *an, *fresh;
	lupe_tokens *a, *b;
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_analyzer_new(&fresh, NULL), LUPE_OK);
	for (size_t i = 0; i < nw; i++) {
		ck_assert_int_eq(lupe_analyze(an, &a, words[i], strlen(words[i])), LUPE_OK);
		lupe_tokens_free(a);
	}
	for (size_t i = nw; i-- > 0;) {
		ck_assert_int_eq(lupe_analyze(an, &a, words[i], strlen(words[i])), LUPE_OK);
		ck_assert_int_eq(lupe_analyze(fresh, &b, words[i], strlen(words[i])), LUPE_OK);
		ck_assert_uint_gt(lupe_tokens_count(a), 0);
		same_tokens(a, b, words[i]);
		lupe_tokens_free(a);
		lupe_tokens_free(b);
	}
	lupe_analyzer_free(an);
	lupe_analyzer_free(fresh);
	free(words);
}
END_TEST

/*
 * The caches answer: 200 distinct words (and so ~300 distinct forms to
 * stem) read by a fresh analyzer, then again.  The first time every word
 * misses; the second, a word misses only when one of the others took its
 * slot pair (about 1 in 16,384 slots for 200 words), a form only when
 * another took its slot: a few at most.  Red when a slot leads to the
 * wrong entry, which costs a miss but no wrong answer.
 */
START_TEST(test_caches_answer)
{
	static const char *const parts[] = {"Steuer", "Berater", "Garten", "Arbeit", "Markt", "Feuer", "Wehr",
		"Daten", "Schutz", "Recht"};
	lupe_analyzer *an;
	lupe_tokens *t;
	char w[64];
	size_t s0, w0, s1, w1, s2, w2;
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	lupe_analyzer_misses(an, &s0, &w0);
	ck_assert_uint_eq(s0, 0);
	ck_assert_uint_eq(w0, 0);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 200; i++) {
			snprintf(w, sizeof w, "%s%s%c", parts[i % 10], parts[(i / 10) % 10], 'a' + i / 100);
			ck_assert_int_eq(lupe_analyze(an, &t, w, strlen(w)), LUPE_OK);
			ck_assert_uint_gt(lupe_tokens_count(t), 0);
			lupe_tokens_free(t);
		}
		lupe_analyzer_misses(an, pass ? &s2 : &s1, pass ? &w2 : &w1);
	}
	ck_assert_uint_eq(w1, 200);
	ck_assert_uint_ge(s1, 200);
	ck_assert_msg(w2 - w1 <= 4, "%zu of 200 words missed the second time", w2 - w1);
	ck_assert_msg(s2 - s1 <= 4, "%zu of %zu forms missed the second time", s2 - s1, s1);
	/* A form asked twice in a row is answered the second time. */
	size_t tl;
	for (int i = 0; i < 100; i++) {
		snprintf(w, sizeof w, "zeitplan%c%cen", 'a' + i % 26, 'a' + i / 26);
		ck_assert_ptr_nonnull(lupe_analyzer_stem_folded(an, w, strlen(w), &tl));
		lupe_analyzer_misses(an, &s1, &w1);
		ck_assert_ptr_nonnull(lupe_analyzer_stem_folded(an, w, strlen(w), &tl));
		lupe_analyzer_misses(an, &s2, &w2);
		ck_assert_msg(s2 == s1, "%s missed twice", w);
	}
	lupe_analyzer_free(an);
}
END_TEST

/*
 * lupe_analyze_words: each word's own token, exactly as the full analysis
 * makes it (term, form, kind, offsets, position, flags), and nothing at its
 * position beside it: no compound or CamelCase parts, no joined form of a
 * hyphen group, no completed truncation, no inner words of an address.
 */
typedef struct {
	const char *input;
	want_tok words[4]; /* every token, in order */
	size_t full;       /* tokens of the full analysis, for contrast */
} words_row;

static const words_row words_rows[] = {
	/* 0: compounds, made up by the query (join_neighbours) or not */
	{"berechnungsergebnis", {{"berechnungsergebnis", 0, 19, W}}, 3},
	{"Kommunikationsberater", {{"kommunikationsberat", 0, 21, W}}, 3},
	{"farbkonstanten", {{"farbkonstant", 0, 14, W}}, 3},
	{"Gartenarbeit", {{"gartenarbeit", 0, 12, W}}, 3},
	/* 4: the feminine form, umlauts and ß as the analyzer spells them */
	{"Mitarbeiterinnen", {{"mitarbeit", 0, 16, W}}, 1},
	{"Überstunden", {{"uberstund", 0, 12, W}}, 1},
	{"Straßenbahn", {{"strassenbahn", 0, 12, W}}, 3},
	/* 7: CamelCase, a hyphen group, a truncation: the words only */
	{"PageNumber", {{"pagenumb", 0, 10, W}}, 3},
	{"Social-Media", {{"social", 0, 6, W}, {"media", 7, 12, W}}, 3},
	{"Haus- und Gartenarbeit", {{"haus", 0, 4, W}, {"und", 6, 9, W}, {"gartenarbeit", 10, 22, W}}, 6},
	/* 10: numbers */
	{"Version 2.0.1", {{"version", 0, 7, W}, {"2.0.1", 8, 13, N}}, 2},
	/* 12: an address, and its word at the same position (ICU keeps it whole) */
	{"max@example.com", {{"max@example.com", 0, 15, E}, {"max@example.com", 0, 15, W}}, 5},
};

START_TEST(test_analyze_words)
{
	const words_row *r = &words_rows[_i];
	lupe_analyzer *an;
	lupe_tokens w = {0}, all = {0};
	size_t len = strlen(r->input);
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_ge(lupe_analyze_words(an, &w, r->input, len, 0), 0);
	ck_assert_int_ge(lupe_analyze_into(an, &all, r->input, len, 0), 0);
	size_t n = 0;
	while (n < 4 && r->words[n].term)
		n++;
	ck_assert_msg(w.n == n, "row %d (%s): %zu tokens, want %zu", _i, r->input, w.n, n);
	ck_assert_msg(all.n == r->full, "row %d (%s): full analysis %zu tokens, want %zu", _i, r->input, all.n,
		      r->full);
	size_t j = 0; /* the full analysis' token of the same word */
	for (size_t i = 0; i < n; i++) {
		const lupe_itok *k = &w.v[i];
		const want_tok *x = &r->words[i];
		ck_assert_msg(strcmp(lupe_itok_term(&w, k), x->term) == 0 && k->start == x->start && k->end == x->end &&
				      (int)k->kind == x->kind,
			      "row %d token %zu: %s [%zu,%zu) kind %d, want %s [%zu,%zu) kind %d", _i, i,
			      lupe_itok_term(&w, k), k->start, k->end, k->kind, x->term, x->start, x->end, x->kind);
		while (j < all.n && !(all.v[j].position == k->position && all.v[j].kind == k->kind &&
				      all.v[j].start == k->start && all.v[j].end == k->end))
			j++;
		ck_assert_msg(j < all.n, "row %d token %zu: not in the full analysis", _i, i);
		const lupe_itok *f = &all.v[j];
		ck_assert(strcmp(lupe_itok_term(&all, f), lupe_itok_term(&w, k)) == 0);
		ck_assert(strcmp(lupe_itok_form(&all, f), lupe_itok_form(&w, k)) == 0);
		ck_assert_uint_eq(f->flags, k->flags);
	}
	/* The first token is the full analysis' first (what join_neighbours reads). */
	ck_assert_str_eq(lupe_itok_term(&w, &w.v[0]), lupe_itok_term(&all, &all.v[0]));
	lupe_tokens_release(&w);
	lupe_tokens_release(&all);
	lupe_analyzer_free(an);
}
END_TEST

/*
 * The stem cache (analyzer.c): a stem the analyzer gives is Snowball's for
 * that form, whether it was cached, pushed out or never held (forms longer
 * than the cache keeps).  Rows of real stems, then forms enough to share
 * every slot several times, asked in one order and again in the other.
 */
static const struct {
	const char *form, *stem;
} stem_rows[] = {
	{"arbeit", "arbeit"},
	{"berater", "berat"},
	{"kommunikation", "kommunikation"},
	{"mitarbeiterinnen", "mitarbeit"},
	{"hauser", "haus"},
	{"strassen", "strass"},
	{"ergebnisse", "ergebnis"},
	{"donaudampfschifffahrtsgesellschaftskapitaene", "donaudampfschifffahrtsgesellschaftskapita"}, /* too long to keep */
};

START_TEST(test_stem_cache)
{
	lupe_analyzer *an;
	lupe_stemmer *sb;
	size_t tl, rl;
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_stemmer_new(&sb), 0);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof stem_rows / sizeof stem_rows[0]; i++) {
			const char *f = stem_rows[i].form;
			const char *t = lupe_analyzer_stem_folded(an, f, strlen(f), &tl);
			ck_assert_ptr_nonnull(t);
			ck_assert_msg(tl == strlen(stem_rows[i].stem) && memcmp(t, stem_rows[i].stem, tl) == 0 &&
					      t[tl] == '\0',
				      "pass %d: %s -> %.*s, want %s", pass, f, (int)tl, t, stem_rows[i].stem);
		}
	static const char *const parts[] = {"haus", "garten", "steuer", "berater", "arbeit", "markt", "bund",
		"daten", "recht", "zeit", "plan", "tabelle", "ernte", "feuer", "wehr", "stelle"};
	const size_t np = sizeof parts / sizeof parts[0], nf = 40000;
	static const char *const ends[] = {"", "e", "en", "er", "ern", "es", "s", "n"};
	char form[64];
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < nf; k++) {
			size_t i = pass ? nf - 1 - k : k;
			snprintf(form, sizeof form, "%s%s%c%c%s", parts[i % np], parts[(i / np) % np],
				 'a' + (int)(i / (np * np) % 26), 'a' + (int)(i / (np * np * 26) % 26), ends[i % 8]);
			size_t fl = strlen(form);
			const char *t = lupe_analyzer_stem_folded(an, form, fl, &tl);
			ck_assert_ptr_nonnull(t);
			ck_assert_msg(t[tl] == '\0', "pass %d: %s -> %.*s not NUL-terminated", pass, form, (int)tl, t);
			char got[64];
			ck_assert_uint_lt(tl, sizeof got);
			memcpy(got, t, tl);
			const char *r = lupe_stem(sb, form, lupe_de_prestem(form, fl), &rl);
			ck_assert_msg(rl == tl && memcmp(r, got, tl) == 0, "pass %d: %s -> %.*s, Snowball %.*s", pass,
				      form, (int)tl, got, (int)rl, r);
		}
	lupe_stemmer_free(sb);
	lupe_analyzer_free(an);
}
END_TEST

/*
 * fold_word folds words of ASCII and Latin-1 letters itself (analyzer.c,
 * latin1_letters): the same bytes as ICU's NFKC case folding for every
 * character U+0001-U+00FF, alone and inside words (capital and small,
 * beside an umlaut, a sharp s and the signs x and / of Latin-1), and for
 * a few words just outside the fast path.
 */
START_TEST(test_fold_latin1)
{
	static const char *const around[][2] = {{"", ""}, {"Stra", "e"}, {"\xC3\x9C" "BER", "\xC3\x9F"},
		{"m", "\xC3\xA4nner"}, {"\xC3\x97", "a"}, {"A", "\xC3\xB7"}, {"ae", "OE"}, {"\xC2\xB5", "\xC3\x84"}};
	lupe_analyzer *an;
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	lupe_buf fast = {0}, icu = {0};
	size_t compared = 0;
	for (unsigned cp = 1; cp < 0x100; cp++) {
		char c[3];
		size_t cl = 0;
		if (cp < 0x80) {
			c[cl++] = (char)cp;
		} else {
			c[cl++] = (char)(0xC0 | cp >> 6);
			c[cl++] = (char)(0x80 | (cp & 0x3F));
		}
		for (size_t a = 0; a < sizeof around / sizeof around[0]; a++) {
			char w[64];
			int n = snprintf(w, sizeof w, "%s%.*s%s", around[a][0], (int)cl, c, around[a][1]);
			ck_assert(n > 0 && n < (int)sizeof w);
			fast.len = icu.len = 0;
			ck_assert_int_eq(lupe_analyzer_fold(an, w, (size_t)n, &fast), 0);
			ck_assert_int_eq(lupe_analyzer_fold_icu(an, w, (size_t)n, &icu), 0);
			ck_assert_msg(fast.len == icu.len && memcmp(fast.p, icu.p, fast.len) == 0,
				      "U+%04X in \"%s\": folded \"%.*s\", ICU \"%.*s\"", cp, w, (int)fast.len, fast.p,
				      (int)icu.len, icu.p);
			compared++;
		}
	}
	ck_assert_uint_eq(compared, 255 * (sizeof around / sizeof around[0]));
	lupe_buf_free(&fast);
	lupe_buf_free(&icu);
	lupe_analyzer_free(an);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("analyzer");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_rows, 0, (int)(sizeof rows / sizeof rows[0]));
	tcase_add_loop_test(tc, test_gender, 0, (int)(sizeof gender_rows / sizeof gender_rows[0]));
	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_stopwords_flagged);
	tcase_add_test(tc, test_overlong_word);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_word_cache);
	tcase_add_test(tc, test_caches_answer);
	tcase_add_loop_test(tc, test_analyze_words, 0, (int)(sizeof words_rows / sizeof words_rows[0]));
	tcase_add_test(tc, test_stem_cache);
	tcase_add_test(tc, test_fold_latin1);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
