/*
 * Zoned snippets of long bodies (issue 21, search/zones.h) and the position
 * map they read (index/posmap.h).  Two indexes hold the same long bodies:
 * `db` as lupe writes them (with a position map), `old` without the map,
 * as an index written before it: its snippets scan the whole stretch,
 * the reference a zoned snippet must equal where it matters.  Each row
 * also checks how much the snippets scanned (lupe_db.snip_scanned): a
 * zoned snippet reads a small part of what the old way reads.
 */
#include <stdint.h>

#include "fixture.h"
#include "db.h"
#include "index/document.h"
#include "index/posmap.h"
#include "index/schema.h"
#include "shim/shim.h"

static char *dir;
static lupe_db *db, *old;

/* Filler words: none is, holds or is part of a query word of the rows. */
static const char *const filler[] = {"Wasser", "Stein",  "Baum",   "Wolke",  "Berg",   "Feld",   "Weg",
				     "Licht",  "Tür",    "Größe",  "Brücke", "Fenster", "Garten", "Himmel",
				     "Regen",  "Sonne",  "Küste",  "Nebel",  "Wiese",  "Flüsse", "Äste"};
#define NFILL (sizeof filler / sizeof filler[0])

typedef struct {
	const char *word;
	size_t at;    /* the body word it is */
	size_t every; /* and every that many words after (0: once) */
} put;

#define PUTS_MAX 4

/* A body of n words, separated by single spaces; off[k] gets where word k starts (off may be NULL). */
static char *make_body(size_t n, const put *puts, size_t *len, size_t *off)
{
	lupe_buf b = {0};
	for (size_t k = 0; k < n; k++) {
		const char *w = filler[(k * 7 + k / 13) % NFILL];
		for (size_t p = 0; p < PUTS_MAX && puts[p].word; p++)
			if (k == puts[p].at || (puts[p].every && k > puts[p].at && (k - puts[p].at) % puts[p].every == 0))
				w = puts[p].word;
		if (k)
			lupe_buf_putc(&b, ' ');
		if (off)
			off[k] = b.len;
		lupe_buf_append(&b, w, strlen(w));
	}
	lupe_buf_terminate(&b);
	*len = b.len;
	return b.p;
}

#define BLOCK LUPE_POSMAP_STEP

static const struct {
	const char *id;
	size_t words;
	put puts[PUTS_MAX];
	const char *query;
	const char *marked; /* a written word the snippet must mark, */
	const char *kind;   /* as this kind */
	int same;           /* the snippet is the full scan's (0: the full scan stops early, see the row) */
} rows[] = {
	/* 0: one word far into a long body */
	{"z0", 6000, {{"Stabsstelle", 4500, 0}}, "Stabsstelle", "Stabsstelle", "exact", 1},
	/* 1: two query words together beat one of them alone, earlier */
	{"z1", 6000, {{"Zeitplan", 300, 0}, {"Zeitplan", 5000, 0}, {"Pausen", 5002, 0}}, "Zeitplan Pausen", "Pausen",
	 "exact", 1},
	/* 2: the word as written beats another form of its stem, earlier */
	{"z2", 6000, {{"Stabsstellen", 200, 0}, {"Stabsstelle", 5500, 0}}, "Stabsstelle", "Stabsstelle", "exact", 1},
	/* 3: the two words on either side of a block edge of the map */
	{"z3", 6000, {{"Hafenkran", 70 * BLOCK - 1, 0}, {"Leuchtturm", 70 * BLOCK, 0}}, "Leuchtturm Hafenkran",
	 "Hafenkran", "exact", 1},
	/* 4: umlauts and three-byte quotes at a block edge */
	{"z4", 6000, {{"Äußerungen", 80 * BLOCK - 1, 0}, {"„Überstunden“", 80 * BLOCK, 0}}, "Überstunden Äußerungen",
	 "Überstunden", "exact", 1},
	/*
	 * 5: a dense body: one word every 19 words, the pair once far in.  The
	 * full scan stops at its 128th place, before the pair (snippet.h); the
	 * zones are the positions' best, so they show it.
	 */
	{"z5", 8000, {{"Fahrplan", 100, 19}, {"Fahrplan", 7001, 0}, {"Gleise", 7002, 0}}, "Fahrplan Gleise", "Gleise",
	 "exact", 0},
};
#define NROWS (sizeof rows / sizeof rows[0])

/*
 * Bodies of test_deep_skipped: longer than a record's text (a tail), the
 * query word "Brot" never written so in the first stretch.  A zoned
 * snippet searches the later stretches only when the word's own term
 * stands near the first stretch's end or past it (lupe_zones_word_late);
 * the old way (no map) always does.  The snippets are the same.
 */
#define NEAR_END ((size_t)-1) /* the word that starts about 100 bytes before the first stretch's end */
static const struct {
	const char *id;
	size_t words; /* 16,000: two stretches (about 100 KB); 40,000: four */
	put puts[PUTS_MAX];
	int searched; /* the zoned snippet searched the later stretches */
	int quiet;    /* passing over this many without the word's term (lupe_zones_quiet) */
	int exact;    /* and "Brot" is marked as written */
} deeps[] = {
	/* 0: another form early only: nothing to find later, not searched */
	{"d0", 16000, {{"Brotes", 500, 0}}, 0, 0, 0},
	/* 1: another form early, the word as written in the tail: searched, shown */
	{"d1", 16000, {{"Brotes", 500, 0}, {"Brot", 14000, 0}}, 1, 0, 1},
	/* 2: another form right before the stretch's end (the next one may hold it): searched */
	{"d2", 16000, {{"Brotes", 500, 0}, {"Brotes", NEAR_END, 0}}, 1, 0, 0},
	/* 3: another form past the first stretch only: searched */
	{"d3", 16000, {{"Brotes", 12500, 0}}, 1, 0, 0},
	/* 4: the word as written in the fourth stretch: the second and third passed over */
	{"d4", 40000, {{"Brotes", 500, 0}, {"Brot", 35000, 0}}, 1, 2, 1},
	/* 5: another form in the fourth stretch: the same, nothing found */
	{"d5", 40000, {{"Brotes", 500, 0}, {"Brotes", 35000, 0}}, 1, 2, 0},
};
#define NDEEPS (sizeof deeps / sizeof deeps[0])

/*
 * Bodies of test_position_map: map 1, the map as lupe writes it; 0, none
 * (an index from before it); 2, a damaged one.
 */
static const struct {
	const char *id;
	size_t words;
	int map;          /* what the stored value is: 1 lupe's map, 0 none, 2 damaged bytes */
	int has_map;      /* a map is read back */
	const char *word; /* the body's word at MAP_AT (or in its middle), searched */
} maps[] = {
	/* 0: a long body: the map gives where every 64th word starts */
	{"m0", 6000, 1, 1, "Ankerkette"},
	/* 1: a short body has none */
	{"m1", 1500, 1, 0, "Segeltuch"},
	/* 2: an index without maps (written before them) is read the old way */
	{"m2", 6000, 0, 0, "Kompassnadel"},
	/* 3: a damaged map is not trusted: the old way */
	{"m3", 6000, 2, 0, "Bojenreihe"},
};
#define NMAPS (sizeof maps / sizeof maps[0])
#define MAP_AT 5100

/* Write doc into d without lupe_add: its position map replaced (map 0: none, 2: damaged bytes). */
static void add_raw(lupe_db *d, const char *id, const char *text, size_t len, int map)
{
	lupe_document doc = LUPE_DOCUMENT_INIT;
	lx_doc *xd = NULL;
	doc.id = id;
	doc.text = text;
	doc.text_len = len;
	ck_assert_int_eq(lupe_document_build(d->an, &doc, &d->toks, &d->tmp, &xd, &d->err), LUPE_OK);
	if (map != 1)
		ck_assert_int_eq(lx_doc_value(xd, LUPE_SLOT_POSMAP, map ? "\x01\x65\x09\x80" : "", map ? 4 : 0), 0);
	ck_assert_int_eq(lupe_id_term(&d->tmp, id), 0);
	ck_assert_int_eq(lx_replace(d->x, d->tmp.p, d->tmp.len, xd, &d->err), LUPE_OK);
	lx_doc_free(xd);
}

static void setup(void)
{
	char p[4200];
	dir = fx_tmpdir();
	snprintf(p, sizeof p, "%s/db", dir);
	db = fx_open_write(p);
	snprintf(p, sizeof p, "%s/old", dir);
	old = fx_open_write(p);
	ck_assert_ptr_nonnull(db);
	ck_assert_ptr_nonnull(old);
	for (size_t i = 0; i < NROWS; i++) {
		size_t len;
		char *t = make_body(rows[i].words, rows[i].puts, &len, NULL);
		ck_assert_uint_ge(len, LUPE_POSMAP_MIN);
		ck_assert_int_eq(fx_add(db, rows[i].id, NULL, t), LUPE_OK);
		add_raw(old, rows[i].id, t, len, 0);
		free(t);
	}
	for (size_t i = 0; i < NMAPS; i++) {
		put w[PUTS_MAX] = {{maps[i].word, MAP_AT < maps[i].words ? MAP_AT : maps[i].words / 2, 0}};
		size_t len;
		char *t = make_body(maps[i].words, w, &len, NULL);
		if (maps[i].map == 1)
			ck_assert_int_eq(fx_add(db, maps[i].id, NULL, t), LUPE_OK);
		else
			add_raw(db, maps[i].id, t, len, maps[i].map);
		free(t);
	}
	for (size_t i = 0; i < NDEEPS; i++) {
		put w[PUTS_MAX];
		memcpy(w, deeps[i].puts, sizeof w);
		size_t len, *off = malloc(deeps[i].words * sizeof *off);
		ck_assert_ptr_nonnull(off);
		free(make_body(deeps[i].words, w, &len, off));
		for (size_t p = 0; p < PUTS_MAX && w[p].word; p++)
			if (w[p].at == NEAR_END)
				for (w[p].at = 0; off[w[p].at + 1] < LUPE_SNIPPET_SCAN_MAX - 100; w[p].at++)
					;
		char *t = make_body(deeps[i].words, w, &len, off);
		ck_assert_uint_gt(len, LUPE_RECORD_TEXT_MAX);
		ck_assert_int_eq(fx_add(db, deeps[i].id, NULL, t), LUPE_OK);
		add_raw(old, deeps[i].id, t, len, 0);
		free(t);
		free(off);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_int_eq(lx_commit(old->x, &old->err), LUPE_OK);
}

static void teardown(void)
{
	lupe_close(db);
	lupe_close(old);
	fx_rmrf(dir);
	free(dir);
}

/* Search q in d; the hit `id` (NULL when missing) of *r, and the bytes its snippets scanned. */
static const lupe_hit *hit_of(lupe_db *d, const char *q, const char *id, lupe_results **r, uint64_t *scanned)
{
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	o.limit = 100;
	uint64_t before = d->snip_scanned;
	ck_assert_int_eq(lupe_search(d, r, q, strlen(q), &o), LUPE_OK);
	*scanned = d->snip_scanned - before;
	for (size_t i = 0; i < lupe_results_count(*r); i++)
		if (strcmp(lupe_results_hit(*r, i)->id, id) == 0)
			return lupe_results_hit(*r, i);
	return NULL;
}

/* Whether h's snippet marks `word` as `kind`. */
static int marks(const lupe_hit *h, const char *word, const char *kind)
{
	for (size_t k = 0; k < h->n_highlights; k++) {
		const lupe_span *s = &h->highlights[k];
		if (s->end - s->start == strlen(word) && memcmp(h->snippet + s->start, word, s->end - s->start) == 0 &&
		    strcmp(lupe_highlight_kind_name(h->highlight_kinds[k]), kind) == 0)
			return 1;
	}
	return 0;
}

START_TEST(test_long_body_zones)
{
	lupe_results *r, *ro;
	uint64_t scanned, scanned_old;
	const lupe_hit *h = hit_of(db, rows[_i].query, rows[_i].id, &r, &scanned);
	const lupe_hit *ho = hit_of(old, rows[_i].query, rows[_i].id, &ro, &scanned_old);
	ck_assert_msg(h && ho, "row %d: %s does not find %s", _i, rows[_i].query, rows[_i].id);
	ck_assert_msg(marks(h, rows[_i].marked, rows[_i].kind), "row %d: \"%s\" not marked as %s in: %s", _i,
		      rows[_i].marked, rows[_i].kind, h->snippet);
	if (rows[_i].same) {
		ck_assert_msg(strcmp(h->snippet, ho->snippet) == 0, "row %d: zoned \"%s\", full scan \"%s\"", _i,
			      h->snippet, ho->snippet);
		ck_assert_uint_eq(h->n_highlights, ho->n_highlights);
		for (size_t k = 0; k < h->n_highlights; k++) {
			ck_assert_uint_eq(h->highlights[k].start, ho->highlights[k].start);
			ck_assert_uint_eq(h->highlights[k].end, ho->highlights[k].end);
			ck_assert_int_eq(h->highlight_kinds[k], ho->highlight_kinds[k]);
		}
		/* Where a client jumps to: the passage's strongest match. */
		ck_assert_uint_gt(h->n_matches, 0);
		ck_assert_uint_gt(ho->n_matches, 0);
		ck_assert_uint_eq(h->matches[0].start, ho->matches[0].start);
	} else {
		ck_assert_msg(!marks(ho, rows[_i].marked, rows[_i].kind), "row %d: the full scan shows it too: %s", _i,
			      ho->snippet);
	}
	/* The same hits, their snippets read in zones: a quarter of the bytes at most. */
	ck_assert_uint_eq(lupe_results_count(r), lupe_results_count(ro));
	ck_assert_msg(scanned * 4 < scanned_old, "row %d: zoned snippets scanned %llu bytes, the full scans %llu", _i,
		      (unsigned long long)scanned, (unsigned long long)scanned_old);
	lupe_results_free(r);
	lupe_results_free(ro);
}
END_TEST

START_TEST(test_deep_skipped)
{
	lupe_results *r, *ro;
	uint64_t scanned, before = db->deep_searched, before_old = old->deep_searched;
	uint64_t quiet = db->deep_quiet, quiet_old = old->deep_quiet;
	const lupe_hit *h = hit_of(db, "Brot", deeps[_i].id, &r, &scanned);
	uint64_t searched = db->deep_searched - before;
	quiet = db->deep_quiet - quiet;
	const lupe_hit *ho = hit_of(old, "Brot", deeps[_i].id, &ro, &scanned);
	ck_assert_msg(h && ho, "row %d: Brot does not find %s", _i, deeps[_i].id);
	/* Each search reads the snippets of all rows' bodies: the counts are theirs together. */
	uint64_t want = 0, want_quiet = 0;
	for (size_t i = 0; i < NDEEPS; i++) {
		want += (uint64_t)deeps[i].searched;
		want_quiet += (uint64_t)deeps[i].quiet;
	}
	ck_assert_msg(searched == want, "row %d: %llu searched", _i, (unsigned long long)searched);
	ck_assert_msg(quiet == want_quiet, "row %d: %llu passed over", _i, (unsigned long long)quiet);
	/* The old way (no map): every body searched, every stretch read. */
	ck_assert_uint_eq(old->deep_searched - before_old, NDEEPS);
	ck_assert_uint_eq(old->deep_quiet - quiet_old, 0);
	ck_assert_msg(strcmp(h->snippet, ho->snippet) == 0, "row %d: zoned \"%s\", full scan \"%s\"", _i, h->snippet,
		      ho->snippet);
	ck_assert_uint_eq(h->n_highlights, ho->n_highlights);
	for (size_t k = 0; k < h->n_highlights; k++) {
		ck_assert_uint_eq(h->highlights[k].start, ho->highlights[k].start);
		ck_assert_int_eq(h->highlight_kinds[k], ho->highlight_kinds[k]);
	}
	ck_assert_int_eq(marks(h, "Brot", "exact"), deeps[_i].exact);
	lupe_results_free(r);
	lupe_results_free(ro);
}
END_TEST

START_TEST(test_position_map)
{
	size_t len, n = maps[_i].words;
	size_t *off = malloc(n * sizeof *off);
	put w[PUTS_MAX] = {{maps[_i].word, MAP_AT < n ? MAP_AT : n / 2, 0}};
	char *t = make_body(n, w, &len, off);
	char term[64];
	snprintf(term, sizeof term, "%s%s", LUPE_PFX_ID, maps[_i].id);
	lupe_buf v = {0};
	int found = 0;
	ck_assert_int_eq(lx_value_of(db->x, term, strlen(term), LUPE_SLOT_POSMAP, &v, &found, &db->err), LUPE_OK);
	ck_assert(found);
	lupe_posmap *m = malloc(sizeof *m);
	int decoded = lupe_posmap_decode(v.p, v.len, m) == 0;
	ck_assert_msg(decoded == maps[_i].has_map, "row %d: a map %s", _i, decoded ? "is read" : "is not read");
	if (maps[_i].map == 0 || (maps[_i].map == 1 && !maps[_i].has_map))
		ck_assert_uint_eq(v.len, 0); /* none stored */
	if (decoded) {
		/* Body positions follow the title's (none) after the gap; Xapian counts from 1. */
		ck_assert_uint_eq(m->base, LUPE_BODY_POS_GAP + 1);
		ck_assert_uint_eq(m->n, (n + BLOCK - 1) / BLOCK);
		for (size_t k = 0; k < m->n; k++)
			ck_assert_msg(m->off[k] == off[k * BLOCK], "row %d: block %zu at %u, word %zu at %zu", _i, k,
				      m->off[k], k * BLOCK, off[k * BLOCK]);
		/* Cut short anywhere, it is not read. */
		for (size_t cut = 0; cut < v.len; cut++)
			ck_assert_int_eq(lupe_posmap_decode(v.p, cut, m), -1);
	}
	/* Searched: the word is shown, read in zones with a map, else the old way (the whole body). */
	lupe_results *r;
	uint64_t scanned;
	const lupe_hit *h = hit_of(db, maps[_i].word, maps[_i].id, &r, &scanned);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	ck_assert_msg(marks(h, maps[_i].word, "exact"), "row %d: %s", _i, h->snippet);
	if (maps[_i].has_map)
		ck_assert_uint_lt(scanned * 4, len);
	else
		ck_assert_uint_ge(scanned, len);
	lupe_results_free(r);
	lupe_buf_free(&v);
	free(m);
	free(off);
	free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("zones");
	TCase *tc = tcase_create("zones");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_long_body_zones, 0, (int)NROWS);
	tcase_add_loop_test(tc, test_position_map, 0, (int)NMAPS);
	tcase_add_loop_test(tc, test_deep_skipped, 0, (int)NDEEPS);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_NOFORK);
}
