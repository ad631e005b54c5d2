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
	/*
	 * The scan's edit-distance table: row i for the first i bytes of the
	 * term listed last (prev, rows bytes of it), column j for the first j
	 * of `term`.  A listed term shares its first bytes with the one before,
	 * so only the rows after them are computed.
	 */
	unsigned char d[64][64];
	unsigned char rowmin[64];
	char prev[64];
	size_t rows;
	size_t dead;  /* prev[0..dead) starts no close term (0: none known) */
	int passed;   /* terms passed over since it was found */
	int oom;
} ctx;

/*
 * Row i (1..62) of the optimal-string-alignment table of a against b (lb
 * columns): the distances of a[0..i) from every prefix of b, from rows i-1
 * and i-2 (a transposition).  Row 0 holds 0..lb.  Both lupe_fuzzy_osa()
 * (band OSA_FULL: every cell) and the term scan, which keeps rows across
 * terms that share their first bytes, fill the table with it.
 *
 * The scan only tells distances up to its maxdist, the band: the row's
 * cells j with |i - j| <= band, the others left as they were but the two
 * beside the band, set to band + 1.  A cell outside the band is over it
 * (its distance is at least |i - j|), so band + 1 stands for it: the
 * band's cells come out exact where they are at most band and over it
 * where they are over (a path through a cell over the band stays over
 * it), which is all the scan reads: the row's least value against its
 * maxdist, and the last row's cell of the whole term when it is in the
 * band.  A row of a 14-letter word at maxdist 2 computes 5 cells instead
 * of 14.  Returns the least value of the band's cells and column 0 (i).
 */
#define OSA_FULL 63u
static unsigned osa_row(unsigned char d[64][64], size_t i, const char *a, const char *b, size_t lb, unsigned band)
{
	unsigned char *row = d[i], *up = d[i - 1], ch = (unsigned char)a[i - 1];
	unsigned char over = (unsigned char)(band < 254 ? band + 1 : 255);
	size_t from = i > band + 1 ? i - band : 1, to = i + band < lb ? i + band : lb;
	unsigned lo = row[0] = (unsigned char)i;
	if (from > 1)
		row[from - 1] = over;
	for (size_t j = from; j <= to; j++) {
		unsigned v = up[j] + 1u, w = row[j - 1] + 1u, x = up[j - 1] + ((unsigned char)b[j - 1] != ch);
		if (w < v)
			v = w;
		if (x < v)
			v = x;
		if (i > 1 && j > 1 && (unsigned char)b[j - 1] == (unsigned char)a[i - 2] &&
		    (unsigned char)b[j - 2] == ch && d[i - 2][j - 2] + 1u < v)
			v = d[i - 2][j - 2] + 1u;
		row[j] = (unsigned char)(v > 255 ? 255 : v);
		if (v < lo)
			lo = v;
	}
	if (to < lb)
		row[to + 1] = over;
	return lo;
}

int lupe_fuzzy_osa(const char *a, size_t la, const char *b, size_t lb, int max)
{
	unsigned char d[64][64];
	if (la >= 63 || lb >= 63)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > (size_t)max)
		return max + 1;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (size_t i = 1; i <= la; i++)
		if (osa_row(d, i, a, b, lb, OSA_FULL) > (unsigned)max)
			return max + 1;
	return d[la][lb];
}

int lupe_fuzzy_add(lupe_fuzzy_cand *out, int *count, int max, const char *self, size_t self_len, const char *t,
		   size_t n, int dist, uint64_t freq)
{
	if (n >= sizeof out[0].term || (n == self_len && memcmp(t, self, n) == 0))
		return -1;
	for (int i = 0; i < *count; i++)
		if (strlen(out[i].term) == n && memcmp(out[i].term, t, n) == 0)
			return -1;
	int at = *count;
	if (*count == max) {
		/* Full: replace the least frequent if this one is more frequent. */
		at = 0;
		for (int i = 1; i < *count; i++)
			if (out[i].freq < out[at].freq)
				at = i;
		if (out[at].freq >= freq)
			return -1;
	} else {
		(*count)++;
	}
	memcpy(out[at].term, t, n);
	out[at].term[n] = '\0';
	out[at].freq = freq;
	out[at].dist = dist;
	return at;
}

static void add(ctx *c, const char *t, size_t n, int dist, uint64_t freq)
{
	lupe_fuzzy_add(c->out, &c->n, c->max, c->term, c->len, t, n, dist, freq);
}

static uint32_t hash(const char *t, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)t[i]) * 16777619u;
	return h;
}

static int probes_grow(lupe_probes *p)
{
	size_t nc = p->cap ? p->cap * 2 : 64;
	size_t *off = realloc(p->off, nc * sizeof *off);
	if (!off)
		return -1;
	p->off = off;
	size_t *len = realloc(p->len, nc * sizeof *len);
	if (!len)
		return -1;
	p->len = len;
	uint64_t *freq = realloc(p->freq, nc * sizeof *freq);
	if (!freq)
		return -1;
	p->freq = freq;
	p->cap = nc;
	/* The set stays at most half full: rehash into twice the capacity. */
	size_t ns = nc * 2;
	uint32_t *slots = calloc(ns, sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		size_t k = hash(p->terms.p + p->off[i], p->len[i]) & (ns - 1);
		while (slots[k])
			k = (k + 1) & (ns - 1);
		slots[k] = (uint32_t)i + 1;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = ns;
	return 0;
}

long lupe_probes_find(const lupe_probes *p, const char *t, size_t n)
{
	if (!p->nslots)
		return -1;
	for (size_t k = hash(t, n) & (p->nslots - 1); p->slots[k]; k = (k + 1) & (p->nslots - 1)) {
		size_t i = p->slots[k] - 1;
		if (p->len[i] == n && memcmp(p->terms.p + p->off[i], t, n) == 0)
			return (long)i;
	}
	return -1;
}

long lupe_probes_add(lupe_probes *p, const char *t, size_t n)
{
	if (p->n == p->cap && probes_grow(p) < 0)
		return -1;
	size_t k = hash(t, n) & (p->nslots - 1);
	for (; p->slots[k]; k = (k + 1) & (p->nslots - 1)) {
		size_t i = p->slots[k] - 1;
		if (p->len[i] == n && memcmp(p->terms.p + p->off[i], t, n) == 0)
			return (long)i;
	}
	size_t off = p->terms.len;
	if (lupe_buf_append(&p->terms, t, n) < 0 || lupe_buf_putc(&p->terms, '\0') < 0)
		return -1;
	p->off[p->n] = off;
	p->len[p->n] = n;
	p->freq[p->n] = 0;
	p->slots[k] = (uint32_t)p->n + 1;
	return (long)p->n++;
}

/* qsort's order for lupe_probes_run: the terms' bytes, a shorter term before a longer one it starts. */
static int term_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	return strcmp(x, y);
}

int lupe_probes_run(lupe_probes *p, lx_db *db, lupe_probes *known)
{
	if (p->n == 0)
		return 0;
	const char **t = malloc(p->n * sizeof *t);
	size_t *l = malloc(p->n * sizeof *l), *which = malloc(p->n * sizeof *which);
	uint64_t *f = malloc(p->n * sizeof *f);
	int rc = 0;
	size_t n = 0;
	if (!t || !l || !which || !f) {
		rc = -1;
		goto done;
	}
	for (size_t i = 0; i < p->n; i++) {
		const char *term = p->terms.p + p->off[i];
		long k = known ? lupe_probes_find(known, term, p->len[i]) : -1;
		if (k >= 0) {
			p->freq[i] = known->freq[k];
			continue;
		}
		t[n++] = term;
	}
	/*
	 * In the index's order (the terms have no NUL inside: strcmp orders
	 * them as the index does): each look-up descends the B-tree from the
	 * blocks the one before read, and a word's variants share their first
	 * letters.  On the public typo set: 93,593 reads (pread) of index
	 * blocks in the order the variants were made, 82,164 sorted.
	 */
	qsort(t, n, sizeof *t, term_cmp);
	for (size_t j = 0; j < n; j++) {
		which[j] = (size_t)lupe_probes_find(p, t[j], strlen(t[j]));
		l[j] = p->len[which[j]];
	}
	lx_termfreqs(db, t, l, n, f);
	for (size_t j = 0; j < n; j++) {
		p->freq[which[j]] = f[j];
		long k = known ? lupe_probes_add(known, t[j], l[j]) : -1;
		if (k >= 0)
			known->freq[k] = f[j];
	}
done:
	free(t);
	free(l);
	free(which);
	free(f);
	return rc;
}

void lupe_probes_free(lupe_probes *p)
{
	lupe_buf_free(&p->terms);
	free(p->off);
	free(p->len);
	free(p->freq);
	free(p->slots);
	memset(p, 0, sizeof *p);
}

/* A one-edit variant to look up (in the batch lupe_fuzzy_terms runs at the end). */
static void probe(ctx *c, lupe_probes *pr, const char *t, size_t n)
{
	if (lupe_probes_add(pr, t, n) < 0)
		c->oom = 1;
}

/*
 * One listed term: its distance from `term`, computed row by row (a row per
 * byte of it), stopping at the first row that no longer lets a term with
 * these first bytes come within maxdist.  The bound: every cell of a later
 * row comes from a cell of the row before at no cost (a match), from one of
 * its own row plus 1, or from a cell two rows up plus 1 (a transposition),
 * so no later row has a cell below min(min of row i, min of row i-1 + 1).
 * When that is over maxdist, the scan skips every term starting with those
 * bytes, to the first one after them (Lucene's automaton term enumeration
 * does the same on its term dictionary).
 */
#define SKIP_AFTER 3

static int scan_cb(void *vc, const char *t, size_t n, lx_term_here *at)
{
	ctx *c = vc;
	if (--c->budget < 0)
		return 1;
	if (c->dead) {
		if (n >= c->dead && memcmp(t, c->prev, c->dead) == 0) {
			/*
			 * Still under the dead prefix.  Stepping to the next term costs
			 * less than half a skip (a seek from the root of the B-tree),
			 * and the terms after a dead prefix are often few: step a few
			 * times before seeking.
			 */
			if (++c->passed < SKIP_AFTER)
				return 0;
			char next[64];
			size_t k = c->dead;
			while (k > 0 && (unsigned char)c->prev[k - 1] == 0xFF)
				k--;
			if (k == 0)
				return 1; /* no term after them */
			memcpy(next, c->prev, k);
			next[k - 1] = (char)((unsigned char)c->prev[k - 1] + 1);
			c->dead = 0;
			return lx_term_here_skip_to(at, next, k) < 0 ? LUPE_ENOMEM : 0;
		}
		c->dead = 0;
	}
	size_t m = c->len, max = (size_t)c->maxdist;
	size_t keep = 0; /* rows still valid: the bytes shared with the previous term */
	while (keep < c->rows && keep < n && c->prev[keep] == t[keep])
		keep++;
	size_t i;
	for (i = keep + 1; i <= n; i++) {
		if (i >= 63)
			break; /* not reached: a row past m + max is over max */
		unsigned lo = osa_row(c->d, i, t, c->term, m, (unsigned)max);
		c->rowmin[i] = (unsigned char)lo;
		c->prev[i - 1] = t[i - 1];
		unsigned bound = c->rowmin[i - 1] + 1u < lo ? c->rowmin[i - 1] + 1u : lo;
		if (bound > max) {
			/* Nothing starting with t[0..i) is close: pass over them all. */
			c->rows = i;
			c->dead = i;
			c->passed = 0;
			return 0;
		}
	}
	c->rows = i - 1;
	if (n >= 63 || c->rows != n)
		return 0;
	/* Outside the last row's band the term is more than max edits away. */
	size_t dist = (n > m ? n - m : m - n) > max ? max + 1 : c->d[n][m];
	if (dist <= max) { /* the term itself (0) is left out by add() */
		uint64_t f = lx_term_here_freq(at);
		if (f)
			add(c, t, n, (int)dist, f);
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
	return lupe_fuzzy_terms_known(db, NULL, term, len, maxdist, keep, out, max);
}

int lupe_fuzzy_terms_known(lx_db *db, lupe_probes *known, const char *term, size_t len, int maxdist, size_t keep,
			   lupe_fuzzy_cand *out, int max)
{
	lupe_fuzzy_scan scan;
	scan.done = 0;
	return lupe_fuzzy_terms_scan(db, known, &scan, term, len, maxdist, keep, out, max);
}

int lupe_fuzzy_terms_scan(lx_db *db, lupe_probes *known, lupe_fuzzy_scan *scan, const char *term, size_t len,
			  int maxdist, size_t keep, lupe_fuzzy_cand *out, int max)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz";
	char v[64];
	ctx c = {term, len, maxdist, out, 0, max, db, 20000, {{0}}, {0}, {0}, 0, 0, 0, 0};
	lupe_probes pr = {0};

	if (maxdist < 1 || len < 4 || len > 60)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)term[i] >= 0x80 || !((term[i] >= 'a' && term[i] <= 'z')))
			return 0;
	}
	if (keep > 2)
		keep = 2;
	for (size_t j = 0; j <= len; j++)
		c.d[0][j] = (unsigned char)j; /* row 0: the empty prefix */
	/*
	 * The terms that share the first two letters, each compared.  When the
	 * scan saw them all, the variants below need only be asked for where
	 * they change those two letters: a term that far (or one edit away
	 * with a changed first letter) is a point lookup each, about one read
	 * of an index block, where the scan reads a block per ~100 terms.
	 */
	size_t from = 0;
	if (scan->done && max <= LUPE_FUZZY_MAX) {
		from = scan->from;
		c.n = scan->n;
		memcpy(out, scan->out, (size_t)c.n * sizeof *out);
	} else {
		lupe_err err;
		/* LUPE_OK: the scan was not stopped by its budget (scan_cb's 1) nor failed. */
		if (lx_allterms(db, term, 2, scan_cb, &c, &err) == LUPE_OK)
			from = 2;
		if (!c.oom && max <= LUPE_FUZZY_MAX) {
			scan->done = 1;
			scan->from = from;
			scan->n = c.n;
			memcpy(scan->out, out, (size_t)c.n * sizeof *out);
		}
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
		probe(&c, &pr, v, len - 1);
	}
	for (size_t i = keep; i + 1 < len && i < lim; i++) {
		if (term[i] == term[i + 1])
			continue;
		memcpy(v, term, len);
		v[i] = term[i + 1];
		v[i + 1] = term[i];
		probe(&c, &pr, v, len);
	}
	for (size_t i = keep; i < len && i < lim; i++) {
		memcpy(v, term, len);
		for (const char *a = alpha; *a; a++) {
			if (*a == term[i])
				continue;
			v[i] = *a;
			probe(&c, &pr, v, len);
		}
	}
	for (size_t i = keep; i <= len && i < lim; i++) {
		memcpy(v, term, i);
		memcpy(v + i + 1, term + i, len - i);
		for (const char *a = alpha; *a; a++) {
			v[i] = *a;
			probe(&c, &pr, v, len + 1);
		}
	}
	/* All variants in one batch, added in the order they were made. */
	if (!c.oom && lupe_probes_run(&pr, db, known) == 0)
		for (size_t i = 0; i < pr.n; i++)
			if (pr.freq[i])
				add(&c, pr.terms.p + pr.off[i], pr.len[i], 1, pr.freq[i]);
	lupe_probes_free(&pr);
	qsort(out, (size_t)c.n, sizeof *out, by_freq);
	return c.n;
}
