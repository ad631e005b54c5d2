#include <string.h>

#include "query/typo.h"
#include "util/utf8.h"

/*
 * A word the index holds is taken as a typo only when a neighbour is this
 * many times more frequent and the word itself occurs at most
 * TYPO_RARE_MAX times: a rare name ("Sepsis") next to a frequent word
 * ("Skepsis") is searched as typed alone unless the gap is wide.  Once: a
 * typo in a document is mostly a one-off, and a question holds several
 * rare words (names) that each cost a look-up (xquad p50 was 0.08 ms over
 * main's with 3, level with 1, within the noise of a loaded machine).
 */
#define TYPO_RARE_RATIO 50
#define TYPO_RARE_MAX 1
/* What a word costs of a query's budget (LUPE_TYPO_BUDGET): an absent word's look-up is ~30x a known one's. */
#define TYPO_COST_ABSENT 4
#define TYPO_COST_KNOWN 1
/* A candidate further out than the closest ones must be this much more frequent. */
#define TYPO_FAR_RATIO 20
/* Words longer than this (bytes, folded) are not corrected. */
#define TYPO_FORM_MAX 40

/* Terms already asked for, by hash: many variants stem alike (an inserted letter beside its twin, endings). */
#define TYPO_SEEN 1024

typedef struct {
	lupe_fuzzy_cand *v;
	char (*forms)[LUPE_TYPO_FORM]; /* the variant that gave each */
	int n, max;
	const char *term; /* the word's own term, never a candidate */
	size_t tlen;
	uint32_t seen[TYPO_SEEN]; /* hash + 1 of each term asked for; 0 free */
} cands;

/* Whether the term was asked for before (a hash collision only skips one variant); notes it. */
static int seen_before(cands *c, const char *t, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)t[i]) * 16777619u;
	h |= 1u; /* never 0 */
	for (uint32_t k = 0, i = h % TYPO_SEEN; k < 16; k++, i = (i + 1) % TYPO_SEEN) {
		if (c->seen[i] == h)
			return 1;
		if (c->seen[i] == 0) {
			c->seen[i] = h;
			return 0;
		}
	}
	return 0;
}

static void cand_add(cands *c, const char *t, size_t n, uint64_t freq, const char *form, size_t fl)
{
	if (n >= sizeof c->v[0].term || (n == c->tlen && memcmp(t, c->term, n) == 0))
		return;
	for (int i = 0; i < c->n; i++)
		if (strlen(c->v[i].term) == n && memcmp(c->v[i].term, t, n) == 0)
			return;
	int at = c->n;
	if (c->n == c->max) {
		at = 0; /* full: replace the least frequent if this one is more frequent */
		for (int i = 1; i < c->n; i++)
			if (c->v[i].freq < c->v[at].freq)
				at = i;
		if (c->v[at].freq >= freq)
			return;
	} else {
		c->n++;
	}
	memcpy(c->v[at].term, t, n);
	c->v[at].term[n] = '\0';
	c->v[at].freq = freq;
	c->v[at].dist = 1;
	if (fl >= LUPE_TYPO_FORM)
		fl = 0;
	memcpy(c->forms[at], form, fl);
	c->forms[at][fl] = '\0';
}

/* One variant of the word: its term, if the index holds it, is a candidate. */
static void try_variant(lx_db *db, lupe_analyzer *an, cands *c, const char *v, size_t n)
{
	size_t tl;
	const char *t = lupe_analyzer_stem_folded(an, v, n, &tl);
	if (!t || tl == 0 || tl >= sizeof c->v[0].term)
		return;
	char term[sizeof c->v[0].term];
	memcpy(term, t, tl);
	if (seen_before(c, term, tl))
		return;
	uint64_t f = lx_termfreq(db, term, tl);
	if (f)
		cand_add(c, term, tl, f, v, n);
}

/*
 * The words one edit away from the word as written (folded): deleted,
 * swapped, replaced and inserted letters, umlauts among them, each stemmed
 * as the analyzer stems.  This finds what the stem misses when the typo is
 * in the ending: "Kodierng" has the stem kodierng, two edits from kodier
 * (Kodierung), but one inserted u away from the word.
 */
static int form_variants(lx_db *db, lupe_analyzer *an, const char *form, size_t flen, size_t keep, int all,
			 cands *c)
{
	static const char *const letters[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
		"k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "\xc3\xa4",
		"\xc3\xb6", "\xc3\xbc"};
	size_t at[TYPO_FORM_MAX + 1], nc = 0; /* where each character starts */
	char v[TYPO_FORM_MAX + 8];
	if (flen > TYPO_FORM_MAX)
		return 0;
	for (size_t i = 0; i < flen; i++) {
		unsigned char b = (unsigned char)form[i];
		if (b >= '0' && b <= '9')
			return 0;
		if ((b & 0xC0) != 0x80)
			at[nc++] = i;
	}
	at[nc] = flen;
	for (size_t i = keep; i < nc; i++) { /* deletion */
		size_t a = at[i], b = at[i + 1];
		memcpy(v, form, a);
		memcpy(v + a, form + b, flen - b);
		try_variant(db, an, c, v, flen - (b - a));
	}
	for (size_t i = keep; i + 1 < nc; i++) { /* transposition */
		size_t a = at[i], b = at[i + 1], e = at[i + 2];
		if (b - a == e - b && memcmp(form + a, form + b, b - a) == 0)
			continue;
		memcpy(v, form, a);
		memcpy(v + a, form + b, e - b);
		memcpy(v + a + (e - b), form + a, b - a);
		memcpy(v + e, form + e, flen - e);
		try_variant(db, an, c, v, flen);
	}
	if (!all)
		return c->n;
	for (size_t i = keep; i <= nc; i++) { /* replacement (i < nc) and insertion */
		size_t a = at[i], b = i < nc ? at[i + 1] : flen;
		for (size_t k = 0; k < sizeof letters / sizeof letters[0]; k++) {
			size_t ll = strlen(letters[k]);
			memcpy(v, form, a);
			memcpy(v + a, letters[k], ll);
			if (i < nc) {
				if (b - a == ll && memcmp(form + a, letters[k], ll) == 0)
					continue;
				memcpy(v + a + ll, form + b, flen - b);
				try_variant(db, an, c, v, a + ll + flen - b);
			}
			memcpy(v + a + ll, form + a, flen - a);
			try_variant(db, an, c, v, flen + ll);
		}
	}
	return c->n;
}

int lupe_typo_corrections(lx_db *db, lupe_analyzer *an, const char *form, size_t flen, const char *term,
			  size_t tlen, size_t keep, int *budget, uint64_t *own_freq, lupe_typo_cand *out, int max)
{
	lupe_fuzzy_cand c[LUPE_FUZZY_MAX];
	char forms[LUPE_FUZZY_MAX][LUPE_TYPO_FORM];
	int order[LUPE_FUZZY_MAX];
	if (own_freq)
		*own_freq = 0;
	int dist = lupe_fuzzy_distance(lupe_utf8_count(form, flen));
	/* A word longer than TYPO_FORM_MAX bytes is no typo worth its neighbourhood (a 100-letter word). */
	if (dist == 0 || max <= 0 || *budget <= 0 || flen > TYPO_FORM_MAX)
		return 0;
	uint64_t own = lx_termfreq(db, term, tlen);
	if (own_freq)
		*own_freq = own;
	if (own > TYPO_RARE_MAX)
		return 0;
	*budget -= own ? TYPO_COST_KNOWN : TYPO_COST_ABSENT;
	/*
	 * One edit of the word as written first: the closest reading of what
	 * was typed.  Only when there is none, the terms near its stem (one
	 * edit from 5 letters, two from 9).  A word the index holds is
	 * checked more cheaply, since most rare words are no typos (names,
	 * terms of art) and a question holds several: only its deleted and
	 * swapped letters (a doubled or swapped letter makes most of the
	 * typos that happen to be words somewhere), about 2 lookups a letter
	 * instead of 60 and a scan of the stem's neighbours.
	 */
	cands fc = {c, forms, 0, LUPE_FUZZY_MAX, term, tlen, {0}};
	int n = form_variants(db, an, form, flen, keep, own == 0, &fc);
	for (int i = 0; i < n; i++)
		order[i] = i;
	if (n > 0) {
		/* most frequent first (insertion sort: a few dozen at most) */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 && c[order[j]].freq > c[order[j - 1]].freq; j--) {
				int t = order[j];
				order[j] = order[j - 1];
				order[j - 1] = t;
			}
	} else if (own == 0) {
		n = lupe_fuzzy_terms(db, term, tlen, dist, keep, c, LUPE_FUZZY_MAX);
		if (n <= 0)
			return 0;
		for (int i = 0; i < n; i++) {
			order[i] = i;
			forms[i][0] = '\0';
		}
	}
	if (n <= 0)
		return 0;
	/* Closest first, then most frequent. */
	int best = c[order[0]].dist;
	uint64_t top = 0;
	for (int i = 0; i < n && c[order[i]].dist == best; i++)
		if (c[order[i]].freq > top)
			top = c[order[i]].freq;
	int k = 0;
	for (int i = 0; i < n && k < max; i++) {
		const lupe_fuzzy_cand *x = &c[order[i]];
		if (x->dist != best && x->freq < top * TYPO_FAR_RATIO)
			continue;
		if (own && x->freq < own * TYPO_RARE_RATIO)
			continue;
		out[k].c = *x;
		memcpy(out[k].form, forms[order[i]], LUPE_TYPO_FORM);
		k++;
	}
	return k;
}
