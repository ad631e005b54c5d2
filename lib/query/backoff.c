/*
 * Compound back-off at query time (issue 16).  A compound typed in a query
 * that no document holds as a word finds nothing through its own term, and
 * its parts together (AND) only in documents that hold every part.  Here
 * the compound falls back to the pieces the index does hold: its
 * sub-compounds (Verfassungsgericht for Bundesverfassungsgericht or
 * Verfassungsgerichtsurteil) and then its single parts (Gericht).  A longer
 * piece names more of what was asked, so it weighs more: a document
 * holding Verfassungsgericht comes before one that holds only Gericht
 * (which every document with Verfassungsgericht holds too, as the
 * analyzer indexes a compound's parts).
 */
#include <stdlib.h>
#include <string.h>

#include "query/backoff.h"

/* Weights against the compound's own term (1.0). */
#define RUN_SCALE 1.0 /* a run, times the share of the word it covers */
#define LEAF_SCALE 0.1 /* one part alone */
#define LINK_MAX 3     /* the longest linking element: -ens- */
/* Candidates looked up at most: every run of 16 leaves (build.c's bound) is 135. */
#define LUPE_BACKOFF_CANDIDATES 136

int lupe_backoff_leaves(const char *form, size_t flen, const lupe_tokens *t, size_t first, size_t n,
			lupe_part *leaves, int max)
{
	size_t pos = 0;
	int nl = 0;
	for (size_t i = 0; i < n; i++) {
		const lupe_itok *k = &t->v[first + i];
		const char *p = lupe_itok_form(t, k);
		size_t at = pos, lim = i == 0 ? 0 : LINK_MAX;
		int found = 0;
		for (size_t skip = 0; skip <= lim && at + skip + k->form_len <= flen; skip++)
			if (!memcmp(form + at + skip, p, k->form_len)) {
				at += skip;
				found = 1;
				break;
			}
		if (!found || nl >= max)
			return (int)i; /* the sub-compounds start here */
		leaves[nl++] = (lupe_part){(uint32_t)at, (uint32_t)(at + k->form_len)};
		pos = at + k->form_len;
	}
	return (int)n;
}

/* The term the index would hold for text[0..len) as one word, or 0 when it makes none. */
static size_t term_of(lupe_analyzer *an, lupe_tokens *tk, const char *text, size_t len, char *out, int *oom)
{
	lupe_tokens_reset(tk);
	if (lupe_analyze_into(an, tk, text, len, 0) < 0) {
		*oom = 1;
		return 0;
	}
	if (tk->n == 0 || tk->v[0].kind != LUPE_TOKEN_WORD || (tk->v[0].flags & LUPE_TOKEN_STOPWORD))
		return 0;
	size_t l = tk->v[0].term_len;
	memcpy(out, lupe_itok_term(tk, &tk->v[0]), l);
	out[l] = '\0';
	return l;
}

static int seen(const lupe_backoff_term *out, int n, const char *term, size_t len)
{
	for (int i = 0; i < n; i++)
		if (out[i].len == len && !memcmp(out[i].term, term, len))
			return 1;
	return 0;
}

int lupe_backoff_terms(lx_db *x, lupe_analyzer *an, lupe_tokens *scratch, const char *form,
		       const lupe_part *leaves, int nl, lupe_backoff_term *out, int max)
{
	/*
	 * Every candidate first, then their frequencies in one batch
	 * (lx_termfreqs): over remote shards one exchange with all of them at
	 * once, where a look-up per candidate asked the shards one after the
	 * other, candidate by candidate.  Then the ones the index holds, in
	 * the order the runs were made, up to max.
	 */
	const char *terms[LUPE_BACKOFF_CANDIDATES];
	size_t lens[LUPE_BACKOFF_CANDIDATES];
	uint64_t freq[LUPE_BACKOFF_CANDIDATES];
	int nc = 0, n = 0, oom = 0;
	if (nl < 2)
		return 0;
	lupe_backoff_term *cand = malloc(sizeof *cand * LUPE_BACKOFF_CANDIDATES);
	if (!cand)
		return -1;
	/* Runs of k leaves, longest first; k == nl is the word itself. */
	for (int k = nl - 1; k >= 1 && nc < LUPE_BACKOFF_CANDIDATES; k--) {
		for (int i = 0; i + k <= nl && nc < LUPE_BACKOFF_CANDIDATES; i++) {
			const lupe_part *a = &leaves[i], *z = &leaves[i + k - 1];
			lupe_backoff_term *b = &cand[nc];
			b->len = term_of(an, scratch, form + a->start, z->end - a->start, b->term, &oom);
			if (oom) {
				free(cand);
				return -1;
			}
			if (!b->len || seen(cand, nc, b->term, b->len))
				continue;
			b->scale = k == 1 ? LEAF_SCALE : RUN_SCALE * (double)k / (double)nl;
			terms[nc] = b->term;
			lens[nc] = b->len;
			nc++;
		}
	}
	lx_termfreqs(x, terms, lens, (size_t)nc, freq);
	for (int i = 0; i < nc && n < max; i++)
		if (freq[i] != 0)
			out[n++] = cand[i];
	free(cand);
	return n;
}
