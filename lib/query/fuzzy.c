#include <stdlib.h>
#include <string.h>

#include "lupe.h"
#include "query/fuzzy.h"

int lupe_fuzzy_distance(size_t chars)
{
	return chars >= 9 ? 2 : chars >= 5 ? 1 : 0;
}

typedef struct {
	const char *term;
	size_t len;
	int maxdist;
	lupe_fuzzy_cand *out;
	int n, max;
	lx_db *db;
	long budget; /* terms the scan of the two-letter prefix may still look at */
	unsigned char counts[26]; /* of term's letters */
} ctx;

/* Damerau-Levenshtein (optimal string alignment), stopping early above max. */
static int distance(const char *a, size_t la, const char *b, size_t lb, int max)
{
	int d[64][64];
	if (la >= 63 || lb >= 63)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > (size_t)max)
		return max + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int rowmin = max + 1;
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > max)
			return max + 1;
	}
	return d[la][lb];
}

static void add(ctx *c, const char *t, size_t n, int dist, uint64_t freq)
{
	if (n >= sizeof c->out[0].term || (n == c->len && memcmp(t, c->term, n) == 0))
		return;
	for (int i = 0; i < c->n; i++)
		if (strlen(c->out[i].term) == n && memcmp(c->out[i].term, t, n) == 0)
			return;
	int at = c->n;
	if (c->n == c->max) {
		/* Full: replace the least frequent if this one is more frequent. */
		at = 0;
		for (int i = 1; i < c->n; i++)
			if (c->out[i].freq < c->out[at].freq)
				at = i;
		if (c->out[at].freq >= freq)
			return;
	} else {
		c->n++;
	}
	memcpy(c->out[at].term, t, n);
	c->out[at].term[n] = '\0';
	c->out[at].freq = freq;
	c->out[at].dist = dist;
}

static void probe(ctx *c, const char *t, size_t n)
{
	uint64_t f = lx_termfreq(c->db, t, n);
	if (f)
		add(c, t, n, 1, f);
}

/*
 * Letter counts: an edit changes them by at most 2 (a substitution), so
 * two words d edits apart differ by at most 2d in total.  A cheap test that
 * lets the scan skip the distance of most terms.
 */
static int counts_close(const unsigned char *ha, const char *b, size_t lb, int max)
{
	int hb[26] = {0}, diff = 0;
	for (size_t i = 0; i < lb; i++) {
		unsigned char ch = (unsigned char)b[i];
		if (ch < 'a' || ch > 'z')
			return 1; /* not a plain word: let distance() decide */
		hb[ch - 'a']++;
	}
	for (int k = 0; k < 26; k++)
		diff += ha[k] > hb[k] ? ha[k] - hb[k] : hb[k] - ha[k];
	return diff <= 2 * max;
}

static int scan_cb(void *vc, const char *t, size_t n, const lx_term_here *at)
{
	ctx *c = vc;
	if (--c->budget < 0)
		return 1;
	if ((n > c->len ? n - c->len : c->len - n) > (size_t)c->maxdist || !counts_close(c->counts, t, n, c->maxdist))
		return 0;
	int d = distance(c->term, c->len, t, n, c->maxdist);
	if (d <= c->maxdist) { /* the term itself (0) is left out by add() */
		uint64_t f = lx_term_here_freq(at);
		if (f)
			add(c, t, n, d, f);
	}
	return 0;
}

static int by_freq(const void *a, const void *b)
{
	const lupe_fuzzy_cand *x = a, *y = b;
	if (x->dist != y->dist)
		return x->dist - y->dist;
	return x->freq < y->freq ? 1 : x->freq > y->freq ? -1 : strcmp(x->term, y->term);
}

int lupe_fuzzy_terms(lx_db *db, const char *term, size_t len, int maxdist, size_t keep, lupe_fuzzy_cand *out,
		     int max)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz";
	char v[64];
	ctx c = {term, len, maxdist, out, 0, max, db, 20000, {0}};

	if (maxdist < 1 || len < 4 || len > 60)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)term[i] >= 0x80 || !((term[i] >= 'a' && term[i] <= 'z')))
			return 0;
		c.counts[term[i] - 'a']++;
	}
	if (keep > 2)
		keep = 2;
	/*
	 * The terms that share the first two letters, each compared.  When the
	 * scan saw them all, the variants below need only be asked for where
	 * they change those two letters: a term that far (or one edit away
	 * with a changed first letter) is a point lookup each, about one read
	 * of an index block, where the scan reads a block per ~100 terms.
	 */
	size_t from = 0;
	{
		lupe_err err;
		/* LUPE_OK: the scan was not stopped by its budget (scan_cb's 1) nor failed. */
		if (lx_allterms(db, term, 2, scan_cb, &c, &err) == LUPE_OK)
			from = 2;
	}
	/*
	 * One-edit variants (deletions, transpositions, substitutions,
	 * insertions) from position `keep` on; those at a position >= lim were
	 * scanned.
	 */
	size_t lim = from ? from : len + 1;
	for (size_t i = keep; i < len && i < lim; i++) {
		memcpy(v, term, i);
		memcpy(v + i, term + i + 1, len - i - 1);
		probe(&c, v, len - 1);
	}
	for (size_t i = keep; i + 1 < len && i < lim; i++) {
		if (term[i] == term[i + 1])
			continue;
		memcpy(v, term, len);
		v[i] = term[i + 1];
		v[i + 1] = term[i];
		probe(&c, v, len);
	}
	for (size_t i = keep; i < len && i < lim; i++) {
		memcpy(v, term, len);
		for (const char *a = alpha; *a; a++) {
			if (*a == term[i])
				continue;
			v[i] = *a;
			probe(&c, v, len);
		}
	}
	for (size_t i = keep; i <= len && i < lim; i++) {
		memcpy(v, term, i);
		memcpy(v + i + 1, term + i, len - i);
		for (const char *a = alpha; *a; a++) {
			v[i] = *a;
			probe(&c, v, len + 1);
		}
	}
	qsort(out, (size_t)c.n, sizeof *out, by_freq);
	return c.n;
}
