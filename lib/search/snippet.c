#include <stdlib.h>
#include <string.h>

#include "search/snippet.h"
#include "util/utf8.h"

typedef struct {
	size_t start, end;
	size_t term; /* index of the token's term, to count distinct ones */
} match;

static int is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Step back to the start of a sentence or word within `budget` bytes before pos. */
static size_t left_edge(const char *t, size_t pos, size_t budget)
{
	size_t lo = pos > budget ? pos - budget : 0;
	for (size_t i = pos; i > lo; i--) {
		if ((t[i - 1] == '.' || t[i - 1] == '!' || t[i - 1] == '?' || t[i - 1] == '\n') && i < pos &&
		    is_space(t[i]))
			return i + 1;
	}
	if (lo == 0)
		return 0;
	for (size_t i = lo; i < pos; i++)
		if (is_space(t[i]))
			return i + 1;
	return pos;
}

/* Step forward to the end of a sentence or word, at most to `limit`. */
static size_t right_edge(const char *t, size_t len, size_t pos, size_t limit)
{
	if (limit >= len)
		return len;
	for (size_t i = limit; i > pos; i--)
		if ((t[i - 1] == '.' || t[i - 1] == '!' || t[i - 1] == '?') && is_space(t[i]) && i - pos > (limit - pos) / 2)
			return i;
	for (size_t i = limit; i > pos; i--)
		if (is_space(t[i]))
			return i;
	/* One long word up to the limit: finish it if it ends soon. */
	for (size_t i = limit; i < len && i < limit + 32; i++)
		if (is_space(t[i]))
			return i;
	return lupe_utf8_floor(t, limit);
}

static int cmp_match(const void *a, const void *b)
{
	const match *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* The matches of the last call; a snippet is made by one thread per analyzer,
 * but the analyzer is per handle, so this lives per thread. */
static _Thread_local lupe_span last[LUPE_MATCHES_MAX];
static _Thread_local size_t last_n;

int lupe_snippet_matches(lupe_span **out, size_t *n)
{
	*n = last_n;
	*out = NULL;
	if (!last_n)
		return 0;
	*out = malloc(last_n * sizeof **out);
	if (!*out)
		return -1;
	memcpy(*out, last, last_n * sizeof **out);
	return 0;
}

int lupe_snippet(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		 size_t target, lupe_buf *out, lupe_span **spans, size_t *n_spans)
{
	match *m = NULL;
	size_t nm = 0, cap = 0;
	size_t scan = len > LUPE_SNIPPET_SCAN_MAX ? lupe_utf8_floor(text, LUPE_SNIPPET_SCAN_MAX) : len;
	int rc = -1;

	*spans = NULL;
	*n_spans = 0;
	out->len = 0;
	last_n = 0;
	if (target < 40)
		target = 40;

	lupe_tokens_reset(toks);
	if (lupe_analyze_into(an, toks, text, scan, 0) < 0)
		return -1;
	for (size_t i = 0; i < toks->n; i++) {
		const lupe_itok *k = &toks->v[i];
		if (!lupe_qterms_match(qt, lupe_itok_term(toks, k), k->term_len))
			continue;
		if (nm && m[nm - 1].start == k->start)
			continue; /* a part of a word already matched */
		if (nm == cap) {
			cap = cap ? cap * 2 : 32;
			match *nmv = realloc(m, cap * sizeof *m);
			if (!nmv)
				goto done;
			m = nmv;
		}
		m[nm++] = (match){k->start, k->end, (size_t)k->term_off};
	}
	if (nm)
		qsort(m, nm, sizeof *m, cmp_match);
	/* A joined hyphen form spans its words: keep the words when they matched themselves. */
	size_t w = 0;
	for (size_t i = 0; i < nm; i++) {
		if (w && m[i].start < m[w - 1].end) {
			if (m[i].end - m[i].start < m[w - 1].end - m[w - 1].start)
				m[w - 1] = m[i];
			continue;
		}
		m[w++] = m[i];
	}
	nm = w;

	/* Best window: most distinct terms, then most matches, earliest first. */
	size_t best_i = 0, best_j = 0, best_d = 0, best_c = 0;
	for (size_t i = 0, j = 0; i < nm; i++) {
		if (j < i)
			j = i;
		while (j + 1 < nm && m[j + 1].end - m[i].start <= target)
			j++;
		size_t distinct = 0;
		for (size_t a = i; a <= j; a++) {
			int seen = 0;
			for (size_t c = i; c < a && !seen; c++) {
				const char *ta = toks->arena.p + m[a].term, *tc = toks->arena.p + m[c].term;
				seen = strcmp(ta, tc) == 0;
			}
			distinct += !seen;
		}
		if (distinct > best_d || (distinct == best_d && j - i + 1 > best_c)) {
			best_d = distinct;
			best_c = j - i + 1;
			best_i = i;
			best_j = j;
		}
	}

	size_t s, e;
	if (nm == 0) {
		s = 0;
		e = right_edge(text, len, 0, target);
	} else {
		size_t ms = m[best_i].start, me = m[best_j].end;
		size_t room = target > me - ms ? target - (me - ms) : 0;
		s = left_edge(text, ms, room / 3 + 1);
		e = right_edge(text, len, me, me + (target > me - s ? target - (me - s) : 0));
		if (e < me)
			e = me;
	}

	/* Keep the body offsets of the matches, the passage's first. */
	last_n = 0;
	for (size_t k = best_i; nm && k <= best_j && last_n < LUPE_MATCHES_MAX; k++)
		last[last_n++] = (lupe_span){m[k].start, m[k].end};
	for (size_t k = 0; k < nm && last_n < LUPE_MATCHES_MAX; k++)
		if (k < best_i || k > best_j)
			last[last_n++] = (lupe_span){m[k].start, m[k].end};

	/* Copy with whitespace folded; translate highlight offsets on the way. */
	lupe_span *sp = nm ? calloc(best_j - best_i + 1, sizeof *sp) : NULL;
	size_t nsp = 0, mi = best_i;
	if (nm && !sp)
		goto done;
	if (s > 0 && lupe_buf_append(out, "\xE2\x80\xA6 ", 4) < 0)
		goto fail_sp;
	int in_space = 0;
	for (size_t i = s; i < e; i++) {
		if (nm && mi <= best_j && i == m[mi].start) {
			sp[nsp].start = out->len;
			in_space = 0;
		}
		if (is_space(text[i])) {
			if (!in_space && lupe_buf_putc(out, ' ') < 0)
				goto fail_sp;
			in_space = 1;
		} else {
			in_space = 0;
			if (lupe_buf_putc(out, text[i]) < 0)
				goto fail_sp;
		}
		if (nm && mi <= best_j && i + 1 == m[mi].end) {
			sp[nsp].end = out->len;
			nsp++;
			mi++;
		}
	}
	while (out->len && out->p[out->len - 1] == ' ')
		out->len--;
	if (e < len && lupe_buf_append(out, " \xE2\x80\xA6", 4) < 0)
		goto fail_sp;
	if (lupe_buf_terminate(out) < 0)
		goto fail_sp;
	*spans = sp;
	*n_spans = nsp;
	rc = 0;
	goto done;
fail_sp:
	free(sp);
done:
	free(m);
	return rc;
}
