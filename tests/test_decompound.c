/* Decompounder: table-driven rows (word -> parts), guards, statistics, speed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "analysis/decompound.h"

/* Floors for the dev set (test_devset). */
#define DEVSET_MIN_F1 0.93
#define DEVSET_MAX_NONCOMP_SPLIT 1.5

typedef struct {
	const char *word;     /* case-folded, as the analyzer passes it */
	const char *parts[9]; /* expected parts, NULL-terminated; none: not split */
} row;

static const row rows[] = {
	/* 0: two parts, with and without linking elements */
	{"kommunikationsberater", {"kommunikation", "berater"}},
	{"unternehmensstrategie", {"unternehmen", "strategie"}},
	{"dokumentenbibliothek", {"dokument", "bibliothek"}},
	{"grössenformate", {"grösse", "formate"}},
	{"strassenbahn", {"strasse", "bahn"}},
	{"hausboot", {"haus", "boot"}},
	{"textverarbeitung", {"text", "verarbeitung"}},
	/* 7: dropped -e (Schule, Farbe), genitive head, three-letter head */
	{"schulbuch", {"schul", "buch"}},
	{"farbkonstanten", {"farb", "konstanten"}},
	{"kapitelnamens", {"kapitel", "namens"}},
	{"dateityp", {"datei", "typ"}},
	{"arbeitsamt", {"arbeit", "amt"}},
	/* 12: adjective heads */
	{"benutzerfreundlich", {"benutzer", "freundlich"}},
	/* 13: all the way down: each part is split again */
	{"schreibtischlampenschalter", {"schreib", "tisch", "lampe", "schalter"}},
	/* 14: software is no compound; the rest splits to the leaves */
	{"softwareentwicklung", {"software", "entwicklung"}},
	{"kundenberaterausbildungsplan", {"kunde", "berater", "ausbildung", "plan"}},
	/* 16: too short */
	{"haus", {NULL}},
	{"baum", {NULL}},
	{"hausbau", {NULL}},
	/* 19: not compounds */
	{"informationen", {NULL}},
	{"organisation", {NULL}},
	{"wahrscheinlichkeit", {NULL}},
	{"veranstaltung", {NULL}},
	/* 23: common whole words whose parts are rare or accidental */
	{"verbraucher", {NULL}},
	{"beinhalten", {NULL}},
	/* 25: particles and function words are never parts */
	{"übersicht", {NULL}},
	{"gegenstand", {NULL}},
	{"zusammenarbeit", {NULL}},
	{"unterricht", {NULL}},
	/* 29: English words */
	{"download", {NULL}},
	{"password", {NULL}},
	{"interface", {NULL}},
	{"dataset", {NULL}},
	{"background", {NULL}},
	{"workflow", {NULL}},
	{"firewall", {NULL}},
	{"timestamp", {NULL}},
	/* 37: a leftover is never a part */
	{"kommunikationsbera", {NULL}},
	{"autobahnq", {NULL}},
	{"bibliothekxy", {NULL}},
	/* 40: not a case-folded word */
	{"Hausboot", {NULL}},
	{"haus-boot", {NULL}},
	{"hausboot2", {NULL}},
	/* 43: recursive splits (issue 16): every level down to the leaves */
	{"bundesverfassungsgericht", {"bund", "verfassung", "gericht"}},
	{"verfassungsgerichtsurteil", {"verfassung", "gericht", "urteil"}},
	{"datenschutzgrundverordnung", {"daten", "schutz", "grund", "verordnung"}},
	{"kraftfahrzeughaftpflichtversicherung", {"kraft", "fahr", "zeug", "haft", "pflicht", "versicherung"}},
	/* 47: long compounds: more than four parts */
	{"rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz",
	 {"rind", "fleisch", "etikettierung", "überwachung", "aufgaben", "übertragung", "gesetz"}},
	/* 48: words the list holds whole, split when both halves are nouns */
	{"gastank", {"gas", "tank"}},
	{"baumarkt", {"bau", "markt"}},
	{"seeoffizier", {"see", "offizier"}},
	/* 51: inflectional endings and -in/-innen are no parts */
	{"mitarbeiterinnen", {NULL}},
	{"darstellerinnen", {NULL}},
	{"bauarbeiterin", {"bau", "arbeiterin"}},
	{"versionen", {NULL}},
	{"strassenbahnen", {"strasse", "bahnen"}},
	/* 56: junk readings */
	{"urinstinkt", {NULL}},      /* not urin|stinkt: a verb form is no head */
	{"verbinder", {NULL}},       /* verbind+er (verbinden), not verb|inder */
	{"verbindern", {NULL}},
	{"herrscherin", {NULL}},     /* herrsch+erin (herrschen), not herr|scherin */
	{"leistungsfähiger", {"leistung", "fähiger"}}, /* an adjective's -er */
	{"bergsteiger", {"berg", "steiger"}}, /* where bergsteigen splits */
	{"staubsauger", {"staub", "sauger"}},
	{"entrichtung", {NULL}},     /* not ent(e)|richtung: no short stem without -e */
	{"einbrecherin", {NULL}},    /* ein is no part */
	{"fragestellerin", {"frage", "stellerin"}}, /* not frag|es|tellerin */
	{"antialkoholiker", {NULL}}, /* a prefix is no part */
	{"missgriff", {NULL}},
	{"instanzenanteil", {"instanz", "anteil"}}, /* instanz is no ins|tanz */
	/* 63: a linking s stays with the modifier that takes it */
	{"betriebspanne", {"betrieb", "panne"}},      /* not betrieb|spanne */
	{"einkommensteuer", {"einkommen", "steuer"}}, /* but not einkommens|teuer */
};

static lupe_decompounder *dc;

static void setup(void)
{
	ck_assert_int_eq(lupe_decomp_new(&dc), 0);
}

static void teardown(void)
{
	lupe_decomp_free(dc);
}

/* "a b c" of the parts, for messages. */
static void show(char *buf, size_t cap, const char *w, const lupe_part *p, int n)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%.*s", i ? " " : "", (int)(p[i].end - p[i].start),
				      w + p[i].start);
}

static void check_row(const row *r)
{
	lupe_part p[8];
	char got[256], want[256] = "";
	int n = lupe_decomp_leaves(dc, r->word, strlen(r->word), p, 8);
	int nwant = 0;
	size_t o = 0;
	while (r->parts[nwant]) {
		o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", nwant ? " " : "", r->parts[nwant]);
		nwant++;
	}
	show(got, sizeof got, r->word, p, n > 0 ? n : 0);
	ck_assert_msg(n == nwant && !strcmp(got, want), "%s: got %d parts [%s], want [%s]", r->word, n, got,
		      want);
}

START_TEST(test_rows)
{
	check_row(&rows[_i]);
}
END_TEST

/*
 * lupe_decomp_split: the terms a compound gives the index, the leaves
 * and then its sub-compounds (each level of the split), longest first.
 */
static const row term_rows[] = {
	{"bundesverfassungsgericht", {"bund", "verfassung", "gericht", "verfassungsgericht", "bundesverfassung"}},
	{"verfassungsgerichtsurteil", {"verfassung", "gericht", "urteil", "gerichtsurteil"}},
	{"schreibtischlampenschalter", {"schreib", "tisch", "lampe", "schalter", "tischlampenschalter",
					"lampenschalter", "tischlampe"}},
	{"kommunikationsberater", {"kommunikation", "berater"}}, /* two parts: nothing between */
	{"informationen", {NULL}},
};

START_TEST(test_terms)
{
	const row *r = &term_rows[_i];
	lupe_part p[8];
	char got[512], want[512] = "";
	int n = lupe_decomp_split(dc, r->word, strlen(r->word), p, 8), nwant = 0;
	size_t o = 0;
	for (; r->parts[nwant]; nwant++)
		o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", nwant ? " " : "", r->parts[nwant]);
	show(got, sizeof got, r->word, p, n > 0 ? n : 0);
	ck_assert_msg(n == nwant && !strcmp(got, want), "%s: got %d terms [%s], want [%s]", r->word, n, got, want);
	/* The leaves come first, as lupe_decomp_leaves gives them; max is kept. */
	lupe_part l[8];
	int nl = lupe_decomp_leaves(dc, r->word, strlen(r->word), l, 8);
	for (int i = 0; i < nl; i++)
		ck_assert(p[i].start == l[i].start && p[i].end == l[i].end);
	if (n > 3)
		ck_assert_int_le(lupe_decomp_split(dc, r->word, strlen(r->word), p, n - 1), n - 1);
}
END_TEST

/* Every byte of the word is a part or a linking element; parts are in order. */
static void check_cover(const char *w, const lupe_part *p, int n)
{
	static const char *const links[] = {"", "s", "es", "n", "en", "ns", "ens", "er", "e"};
	uint32_t pos = 0;
	for (int i = 0; i < n; i++) {
		ck_assert_uint_ge(p[i].start, pos);
		ck_assert_uint_gt(p[i].end, p[i].start);
		int ok = 0;
		for (size_t k = 0; k < sizeof links / sizeof *links; k++)
			if (p[i].start - pos == strlen(links[k]) && !memcmp(w + pos, links[k], strlen(links[k])))
				ok = i > 0 || k == 0;
		ck_assert_msg(ok, "%s: bytes %u..%u are no linking element", w, pos, p[i].start);
		pos = p[i].end;
	}
	ck_assert_uint_eq(pos, strlen(w));
}

START_TEST(test_cover)
{
	static const char *const words[] = {"bundesverfassungsgericht", "kommunikationsberater",
		"dokumentenbibliothek", "schulbuch", "schreibtischlampenschalter", "datumstypen",
		"tabellenebene", "hilfsmittel", "kindergarten", "ebenenweise"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		lupe_part p[8];
		int n = lupe_decomp_leaves(dc, words[i], strlen(words[i]), p, 8);
		ck_assert_msg(n >= 2, "%s not split", words[i]);
		check_cover(words[i], p, n);
	}
}
END_TEST

START_TEST(test_max_parts)
{
	lupe_part p[8];
	const char *w = "schreibtischlampenschalter";
	ck_assert_int_eq(lupe_decomp_split(dc, w, strlen(w), p, 3), 3);
	/* Two parts cannot cover it with dictionary words: no split at all. */
	ck_assert_int_eq(lupe_decomp_split(dc, w, strlen(w), p, 2), 0);
	ck_assert_int_eq(lupe_decomp_split(dc, w, strlen(w), p, 1), 0);
	ck_assert_int_eq(lupe_decomp_split(dc, w, strlen(w), p, 0), 0);
	ck_assert_int_eq(lupe_decomp_split(dc, "hausboot", 8, p, 2), 2);
	ck_assert_int_eq(lupe_decomp_split(dc, NULL, 8, p, 2), 0);
	ck_assert_int_eq(lupe_decomp_split(dc, "", 0, p, 2), 0);
	/* Overlong input and invalid UTF-8 are left alone, not read past. */
	char longw[300];
	memset(longw, 'a', sizeof longw);
	ck_assert_int_eq(lupe_decomp_split(dc, longw, sizeof longw, p, 8), 0);
	ck_assert_int_eq(lupe_decomp_split(dc, "haus\xff\xfe" "boot", 10, p, 8), 0);
}
END_TEST

/* Collection statistics: a table of document frequencies, counting calls. */
typedef struct {
	const char *word;
	uint64_t df;
} freq_row;

typedef struct {
	const freq_row *rows;
	int calls;
} freq_ctx;

static uint64_t table_freq(void *ctx, const char *w, size_t n)
{
	freq_ctx *c = ctx;
	c->calls++;
	for (const freq_row *r = c->rows; r->word; r++)
		if (strlen(r->word) == n && !memcmp(r->word, w, n))
			return r->df;
	return 0;
}

static int split_str(const char *w, char *out, size_t cap)
{
	lupe_part p[8];
	int n = lupe_decomp_leaves(dc, w, strlen(w), p, 8);
	show(out, cap, w, p, n);
	return n;
}

START_TEST(test_freq)
{
	char got[256];
	static const freq_row df[] = {
		/* parts frequent, the two-part reading's modifier rare: three parts */
		{"bund", 900}, {"verfassung", 300}, {"gericht", 500}, {"bundesverfassung", 2},
		/* a whole word more frequent than its parts: not split */
		{"kommunikationsberater", 400}, {"kommunikation", 20}, {"berater", 10},
		/* parts frequent, whole rare: split */
		{"dokument", 300}, {"bibliothek", 80}, {"dokumentenbibliothek", 1},
		/* the dictionary form reaches the callback: farbe for farb| */
		{"farbe", 50}, {"konstanten", 40},
		{NULL, 0}};
	freq_ctx c = {df, 0};
	lupe_decomp_set_freq(dc, table_freq, &c);

	ck_assert_int_eq(split_str("bundesverfassungsgericht", got, sizeof got), 3);
	ck_assert_str_eq(got, "bund verfassung gericht");
	ck_assert_int_eq(split_str("kommunikationsberater", got, sizeof got), 0);
	ck_assert_int_eq(split_str("dokumentenbibliothek", got, sizeof got), 2);
	ck_assert_str_eq(got, "dokument bibliothek");
	ck_assert_int_eq(split_str("farbkonstanten", got, sizeof got), 2);
	ck_assert_str_eq(got, "farb konstanten");

	/* The callback is asked only about words with candidate splits. */
	c.calls = 0;
	ck_assert_int_eq(split_str("informationen", got, sizeof got), 0);
	ck_assert_int_eq(split_str("download", got, sizeof got), 0);
	ck_assert_int_eq(c.calls, 0);

	/* Without the callback the dictionary decides again. */
	lupe_decomp_set_freq(dc, NULL, NULL);
	ck_assert_int_eq(split_str("kommunikationsberater", got, sizeof got), 2);
	ck_assert_int_eq(split_str("bundesverfassungsgericht", got, sizeof got), 3);
}
END_TEST

static uint64_t zero_freq(void *ctx, const char *w, size_t n)
{
	(void)ctx;
	(void)w;
	(void)n;
	return 0;
}

/* A collection that knows none of the words changes nothing. */
START_TEST(test_freq_zero)
{
	lupe_decomp_set_freq(dc, zero_freq, NULL);
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
		check_row(&rows[i]);
}
END_TEST

/*
 * Speed over dictionary words (mostly compounds, so harder than running
 * text).  The bound is loose, to catch a scan of the dictionary or an
 * allocation per call, not to benchmark; the rate is printed.
 */
START_TEST(test_speed)
{
	FILE *f = fopen("/usr/share/dict/ngerman", "r");
	ck_assert_ptr_nonnull(f);
	enum { MAXW = 50000 };
	char(*words)[64] = malloc(sizeof *words * MAXW);
	size_t *lens = malloc(sizeof *lens * MAXW);
	ck_assert(words && lens);
	char line[256];
	size_t nw = 0, k = 0;
	while (nw < MAXW && fgets(line, sizeof line, f)) {
		size_t l = strcspn(line, "\n");
		if (l < 5 || l >= 60 || k++ % 7)
			continue;
		/* ASCII lower case is enough here; umlauts are lower case in the list but for Ä Ö Ü. */
		for (size_t i = 0; i < l; i++)
			if (line[i] >= 'A' && line[i] <= 'Z')
				line[i] = (char)(line[i] + 32);
			else if ((unsigned char)line[i] == 0xC3 && i + 1 < l && ((unsigned char)line[i + 1] & 0xE0) == 0x80)
				line[i + 1] = (char)(line[i + 1] + 32);
		memcpy(words[nw], line, l);
		lens[nw++] = l;
	}
	fclose(f);
	ck_assert_uint_gt(nw, 10000);
	lupe_part p[8];
	long split = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < nw; i++)
		split += lupe_decomp_split(dc, words[i], lens[i], p, 8) > 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	double us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / (double)nw;
	printf("decompound: %zu dictionary words, %.2f us/word, %.0f words/s, %ld split\n", nw, us, 1e6 / us, split);
	ck_assert_msg(us < 50.0, "%.2f us per word", us);
	free(words);
	free(lens);
}
END_TEST

/* lupe_decomp_head: where the shared head of a truncated compound starts. */
static const struct {
	const char *word, *head; /* head NULL: none */
} head_rows[] = {
	{"gartenarbeit", "arbeit"},     /* 0: split: after the first part */
	{"umweltpolitik", "politik"},   /* 1 */
	{"kommunikationsberater", "berater"}, /* 2: linking -s- belongs to no side */
	{"ausgabe", "gabe"},            /* 3: not split (aus is no part): longest word ending it */
	{"ausfuhr", "fuhr"},            /* 4 */
	{"abbau", "bau"},               /* 5: three-letter head, a noun */
	{"haus", NULL},                 /* 6: nothing but a short word */
	{"xyzqwv", NULL},               /* 7: no word ends it */
	{"abc-def", NULL},              /* 8: not a folded word */
};

START_TEST(test_head)
{
	const char *w = head_rows[_i].word, *want = head_rows[_i].head;
	size_t at = lupe_decomp_head(dc, w, strlen(w));
	if (!want)
		ck_assert_msg(at == 0, "row %d: head at %zu in %s", _i, at, w);
	else
		ck_assert_msg(at > 0 && strcmp(w + at, want) == 0, "row %d: head of %s is '%s', want %s", _i, w,
			      w + at, want);
}
END_TEST


/*
 * The dev set (tests/data/decompound-dev.txt, gold splits by hand):
 * boundary precision and recall over all words, and the share of
 * non-compounds split.  Prints the figures; fails below the floor the
 * decompounder reached when the set was made, so a change that loses
 * precision or recall shows here.
 */

/* Case-fold a gold word as the analyzer does (ASCII, Ä Ö Ü, ß -> ss); '|' kept. */
static size_t fold_gold(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; in[i] && o + 2 < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 'A' && c <= 'Z') {
			out[o++] = (char)(c + 32);
		} else if (c == 0xC3 && in[i + 1]) {
			unsigned char d = (unsigned char)in[++i];
			if (d == 0x9F) {
				out[o++] = 's';
				out[o++] = 's';
			} else {
				out[o++] = (char)c;
				out[o++] = (char)(d >= 0x80 && d <= 0x9E ? d + 0x20 : d);
			}
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

START_TEST(test_devset)
{
	const char *root = getenv("LUPE_SOURCE_ROOT");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/data/decompound-dev.txt", root ? root : ".");
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char line[512], g[512], w[512];
	long tp = 0, fp = 0, fn = 0, nonc = 0, nonc_split = 0, words = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		fold_gold(line, g, sizeof g);
		/* Gold boundaries as byte offsets into the word without '|'. */
		uint32_t gold[16];
		int ng = 0;
		size_t n = 0;
		for (size_t i = 0; g[i]; i++) {
			if (g[i] == '|') {
				if (ng < 16)
					gold[ng++] = (uint32_t)n;
			} else {
				w[n++] = g[i];
			}
		}
		w[n] = '\0';
		lupe_part p[16];
		int np = lupe_decomp_leaves(dc, w, n, p, 16);
		int hit = 0;
		for (int i = 1; i < np; i++) {
			int found = 0;
			for (int k = 0; k < ng; k++)
				found |= gold[k] == p[i].start;
			hit += found;
			fp += !found;
		}
		tp += hit;
		fn += ng - hit;
		words++;
		if (!ng) {
			nonc++;
			nonc_split += np > 1;
		}
		if (getenv("LUPE_DEVSET_SHOW") && (np > 1 ? np - 1 : 0) + ng != 2 * hit) {
			char got[256];
			show(got, sizeof got, w, p, np > 0 ? np : 0);
			printf("devset miss: %s -> [%s]\n", g, got);
		}
	}
	fclose(f);
	double P = tp + fp ? (double)tp / (double)(tp + fp) : 1, R = tp + fn ? (double)tp / (double)(tp + fn) : 1;
	double F = P + R > 0 ? 2 * P * R / (P + R) : 0;
	double ns = nonc ? 100.0 * (double)nonc_split / (double)nonc : 0;
	printf("devset: %ld words, %ld non-compounds; boundaries P %.3f R %.3f F1 %.3f; non-compounds split %.1f%%\n",
	       words, nonc, P, R, F, ns);
	ck_assert_int_gt(words, 400);
	ck_assert_msg(F >= DEVSET_MIN_F1 && ns <= DEVSET_MAX_NONCOMP_SPLIT, "dev set: F1 %.3f, %.1f%% non-compounds split",
		      F, ns);
}
END_TEST

/*
 * Compound back-off at query time (query/backoff.c), on a real index: a
 * compound no document holds finds the documents holding its pieces, a
 * longer piece first; and a compound's sub-compounds are index terms.
 */
static const struct {
	const char *id, *text;
} bo_docs[] = {
	{"vg", "Das Verfassungsgericht hat heute entschieden."},
	{"ge", "Das Gericht tagte am Montag in der Stadt."},
	{"bv", "Die Bundesverfassung wurde im Jahr geändert."},
	{"ur", "Das Urteil wurde am Abend verkündet."},
	{"other", "Ein Text über Kartoffeln und Gemüse im Garten."},
	{"sc", "Der Bund hat die Verfassung vor Gericht verteidigt, sagte der Bundesrat."},
	/* only in the second index */
	{"bvg", "Das Bundesverfassungsgericht hat heute entschieden."},
};

static const struct {
	int db;                /* 0: all but bvg; 1: bvg and ge */
	const char *q;
	const char *order[4];  /* all found, in this order */
	const char *absent;    /* not found (NULL: no check) */
} bo_rows[] = {
	/* 0: not in the index: its sub-compounds rank above its single parts */
	{0, "Bundesverfassungsgericht", {"vg", "ge"}, "other"},
	{0, "Bundesverfassungsgericht", {"bv", "ge"}, "other"},
	{0, "Verfassungsgerichtsurteil", {"vg", "ge"}, "other"},
	{0, "Verfassungsgerichtsurteil", {"vg", "ur"}, "other"},
	/* 4: a sub-compound before the parts scattered over a document */
	{0, "Bundesverfassungsgericht", {"vg", "sc"}, NULL},
	/* 5: a word the index holds does not back off */
	{0, "Gericht", {"ge"}, "bv"},
	/* 6: a compound's sub-compound is an index term */
	{1, "Verfassungsgericht", {"bvg"}, "ge"},
	{1, "Bundesverfassungsgericht", {"bvg"}, "ge"},
};

static int rank_of(lupe_results *r, const char *id)
{
	for (size_t i = 0; i < lupe_results_count(r); i++)
		if (!strcmp(lupe_results_hit(r, i)->id, id))
			return (int)i;
	return -1;
}

START_TEST(test_backoff)
{
	char *dir = fx_tmpdir();
	ck_assert_ptr_nonnull(dir);
	lupe_db *db = fx_open_write(dir);
	ck_assert_ptr_nonnull(db);
	int which = bo_rows[_i].db;
	for (size_t i = 0; i < sizeof bo_docs / sizeof *bo_docs; i++) {
		int in = which == 0 ? strcmp(bo_docs[i].id, "bvg") != 0
				    : (!strcmp(bo_docs[i].id, "bvg") || !strcmp(bo_docs[i].id, "ge"));
		if (in)
			ck_assert_int_eq(fx_add(db, bo_docs[i].id, NULL, bo_docs[i].text), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_results *r = NULL;
	const char *q = bo_rows[_i].q;
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), NULL), LUPE_OK);
	int prev = -1;
	for (int k = 0; k < 4 && bo_rows[_i].order[k]; k++) {
		int at = rank_of(r, bo_rows[_i].order[k]);
		ck_assert_msg(at >= 0, "row %d: %s: %s not found (%zu hits)", _i, q, bo_rows[_i].order[k],
			      lupe_results_count(r));
		ck_assert_msg(at > prev, "row %d: %s: %s at rank %d, not after rank %d", _i, q, bo_rows[_i].order[k],
			      at, prev);
		prev = at;
	}
	if (bo_rows[_i].absent)
		ck_assert_msg(rank_of(r, bo_rows[_i].absent) < 0, "row %d: %s found %s", _i, q, bo_rows[_i].absent);
	lupe_results_free(r);
	lupe_close(db);
	fx_rmrf(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decompound");
	TCase *tc = tcase_create("split");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_rows, 0, (int)(sizeof rows / sizeof *rows));
	tcase_add_loop_test(tc, test_head, 0, (int)(sizeof head_rows / sizeof *head_rows));
	tcase_add_loop_test(tc, test_terms, 0, (int)(sizeof term_rows / sizeof *term_rows));
	tcase_add_test(tc, test_cover);
	tcase_add_test(tc, test_max_parts);
	tcase_add_test(tc, test_freq);
	tcase_add_test(tc, test_freq_zero);
	tcase_add_test(tc, test_speed);
	tcase_add_test(tc, test_devset);
	tcase_add_loop_test(tc, test_backoff, 0, (int)(sizeof bo_rows / sizeof *bo_rows));
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
