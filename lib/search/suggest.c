#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/document.h"
#include "query/fuzzy.h"
#include "query/typo.h"
#include "search/snippet.h"
#include "search/suggest.h"
#include "util/buf.h"
#include "util/utf8.h"

/*
 * Which words get a suggestion, and which suggestions are made.
 *
 *  - The words typo tolerance corrects (query/typo.h): words the index
 *    does not hold, and rare words next to a far more frequent one, so
 *    that the suggestion names what the search also looked for.
 *  - Candidates are index terms, that is stems, and a stem one edit away
 *    can belong to a word that is not ("turbin" -> "turin": Turbine ->
 *    Turin).  So each candidate is shown as the word written in the
 *    collection that is closest to the word typed (Abstimung -> Abstimmung,
 *    not the "abstimmen" of the first document that holds the stem), and it
 *    must be within the word's distance of the word typed (compared as
 *    the analyzer folds words), or the next candidate is tried.  Of the
 *    first few that pass, the closest as written wins, then the more
 *    frequent.
 */
/*
 * A suggestion keeps the word's first letter (Lucene's DirectSpellChecker's
 * minPrefix 1: a first letter is rarely mistyped, and a suggestion that
 * changes it is rarely the word meant); the search's corrections do not.
 */
#define SUGGEST_KEEP 1
/* Documents read for a candidate's written forms, and candidates compared. */
#define SURFACE_DOCS 4
#define SUGGEST_TRY 4

typedef struct {
	lx_db *x;
	lupe_analyzer *an;
	lupe_tokens *toks;
	lupe_typo_memo *memo; /* what the query's building looked up, or NULL */
	lupe_buf out;      /* the query being corrected */
	int changed;
	int budget;        /* lupe_typo_corrections' */
	lupe_buf typed;    /* scratch: the word typed, folded */
	lupe_buf fb;       /* scratch: a written form, folded */
} sctx;

/*
 * The written form of `term` in the collection closest to the word typed
 * (c->typed, folded), from the first SURFACE_DOCS documents that hold it,
 * if one is within max edits: appended to out, its distance returned;
 * max + 1 when there is none.  One edit away is as close as a typo gets:
 * the search stops there.
 */
static int surface(sctx *c, const char *term, int max, lupe_buf *out)
{
	lupe_buf unpacked = {0};
	lupe_tokens toks = {0};
	lupe_record rec;
	lupe_err err;
	lupe_qterms qt = {0};
	lupe_snip_keys *keys = NULL;
	lx_mset *ms = NULL;
	lx_params p = {0};
	int best = max + 1;
	lx_query *q = lx_q_term(term, strlen(term), 1);
	p.k1 = 1.2;
	p.b = 0.75;
	p.reopened = 1; /* the revision the search and its query read (lupe_search reopened) */
	/*
	 * A remote reader keeps the page of this search for the revision it
	 * reads (lx_search_kept): a correction met again costs no exchange.
	 */
	char key[128];
	int kl = snprintf(key, sizeof key, "surface:%s", term);
	if (!q || (kl > 0 && (size_t)kl < sizeof key
			   ? lx_search_kept(c->x, q, key, (size_t)kl, SURFACE_DOCS, &p, &ms, &err)
			   : lx_search(c->x, q, 0, SURFACE_DOCS, &p, &ms, &err)) != LUPE_OK)
		goto done;
	if (lupe_buf_append(&qt.terms, term, strlen(term) + 1) < 0)
		goto done;
	qt.n_terms = 1;
	if (lupe_snip_keys_new(&keys, &qt) < 0)
		goto done;
	for (size_t d = 0; d < lx_mset_size(ms) && best > 1; d++) {
		size_t dl;
		const char *data = lx_mset_data(ms, d, &dl);
		unpacked.len = 0;
		if (!data || lupe_record_parse(data, dl, &unpacked, &rec) < 0)
			continue;
		const char *fields[2] = {rec.title, rec.text};
		/* The part of a body snippets read, so the term is found where a snippet finds it. */
		size_t lens[2] = {rec.title_len, rec.text_len > LUPE_SNIPPET_SCAN_MAX
							 ? lupe_utf8_floor(rec.text, LUPE_SNIPPET_SCAN_MAX)
							 : rec.text_len};
		for (int f = 0; f < 2 && best > 1; f++) {
			/* Only around the places the term may be (snippet.c's prefilter). */
			if (lupe_analyze_near(c->an, &toks, fields[f], lens[f], keys, 0) < 0)
				goto done;
			for (size_t i = 0; i < toks.n && best > 1; i++) {
				const lupe_itok *k = &toks.v[i];
				if (k->kind != LUPE_TOKEN_WORD || strcmp(lupe_itok_term(&toks, k), term) != 0)
					continue;
				const char *w = fields[f] + k->start;
				size_t wl = k->end - k->start;
				c->fb.len = 0;
				if (lupe_analyzer_fold(c->an, w, wl, &c->fb) < 0)
					continue;
				int dist = lupe_fuzzy_osa(c->typed.p, c->typed.len, c->fb.p, c->fb.len, max);
				if (dist < best) {
					out->len = 0;
					if (lupe_buf_append(out, w, wl) < 0)
						goto done;
					best = dist;
				}
			}
		}
	}
done:
	lx_mset_free(ms);
	lx_q_free(q);
	lupe_snip_keys_free(keys);
	lupe_qterms_free(&qt);
	lupe_tokens_release(&toks);
	lupe_buf_free(&unpacked);
	return best;
}

/* Replace the first occurrence of old (n bytes) in the corrected query. */
static void replace(sctx *c, const char *old, size_t n, const char *neu, size_t m)
{
	if (!c->out.p)
		return;
	char *at = NULL;
	for (size_t i = 0; i + n <= c->out.len; i++)
		if (memcmp(c->out.p + i, old, n) == 0) {
			at = c->out.p + i;
			break;
		}
	if (!at)
		return;
	size_t off = (size_t)(at - c->out.p);
	lupe_buf nb = {0};
	if (lupe_buf_append(&nb, c->out.p, off) < 0 || lupe_buf_append(&nb, neu, m) < 0 ||
	    lupe_buf_append(&nb, c->out.p + off + n, c->out.len - off - n) < 0) {
		lupe_buf_free(&nb);
		return;
	}
	lupe_buf_free(&c->out);
	c->out = nb;
	c->changed = 1;
}

/*
 * A one-edit variant (folded, lower case) written as the word typed: a
 * capital first letter stays capital.  0, or -1 when the word typed has
 * capitals beyond its first letter (ARPNET), which the variant cannot show.
 */
static int as_typed(const char *typed, size_t tn, const char *v, lupe_buf *out)
{
	const unsigned char *t = (const unsigned char *)typed;
	for (size_t i = 1; i < tn; i++)
		if ((t[i] >= 'A' && t[i] <= 'Z') || (t[i - 1] == 0xC3 && t[i] >= 0x80 && t[i] <= 0x9E && i > 1))
			return -1;
	out->len = 0;
	if (lupe_buf_append(out, v, strlen(v)) < 0 || out->len == 0)
		return -1;
	unsigned char *o = (unsigned char *)out->p;
	if (t[0] >= 'A' && t[0] <= 'Z' && o[0] >= 'a' && o[0] <= 'z')
		o[0] = (unsigned char)(o[0] - 32);
	else if (tn > 1 && t[0] == 0xC3 && t[1] >= 0x80 && t[1] <= 0x9E && out->len > 1 && o[0] == 0xC3 &&
		 o[1] >= 0xA0 && o[1] <= 0xBE)
		o[1] = (unsigned char)(o[1] - 0x20); /* ä -> Ä */
	return 0;
}

static void word(sctx *c, const lq_node *n)
{
	/* surface() analyses into tokens of its own: c->toks holds this word's throughout. */
	lupe_tokens_reset(c->toks);
	if (lupe_analyze_into(c->an, c->toks, n->text, n->text_len, 0) < 0)
		return;
	size_t nt = c->toks->n;
	for (size_t i = 0; i < nt; i++) {
		const lupe_itok *k = &c->toks->v[i];
		if (k->kind != LUPE_TOKEN_WORD || (k->flags & LUPE_TOKEN_STOPWORD))
			continue;
		char term[64], orig[256];
		if (k->term_len >= sizeof term || k->end - k->start >= sizeof orig)
			continue;
		memcpy(term, lupe_itok_term(c->toks, k), k->term_len + 1);
		size_t ol = k->end - k->start;
		memcpy(orig, n->text + k->start, ol);
		char form[LUPE_WORD_MAX * 3];
		if (k->form_len >= sizeof form)
			continue;
		size_t fl = k->form_len;
		memcpy(form, lupe_itok_form(c->toks, k), fl);
		int dist = lupe_fuzzy_distance(lupe_utf8_count(form, fl));
		lupe_typo_cand cand[SUGGEST_TRY];
		int nc = lupe_typo_corrections(c->x, c->an, c->memo, form, fl, term, k->term_len, SUGGEST_KEEP,
					       &c->budget, NULL, cand, SUGGEST_TRY);
		if (nc <= 0)
			continue;
		c->typed.len = 0;
		if (lupe_analyzer_fold(c->an, orig, ol, &c->typed) < 0)
			continue;
		/*
		 * The closest as written of the first few candidates; ties to the
		 * earlier (more frequent).  A candidate found as a one-edit variant
		 * of the word is one edit away as the variant: when the documents
		 * show a form close enough but not that close, the variant is the
		 * word meant, in the inflection typed ("Interceptiion" ->
		 * "Interception", where the documents say "Interceptions").  With
		 * no close form at all the variant is no word ("Turbinen" ->
		 * "Turinen", from Turin).
		 */
		lupe_buf best = {0}, w = {0};
		int best_d = dist + 1;
		for (int j = 0; j < nc && best_d > 1; j++) {
			int d = surface(c, cand[j].c.term, dist, &w);
			if (d > 1 && d <= dist && cand[j].form[0] && as_typed(orig, ol, cand[j].form, &w) == 0)
				d = 1;
			if (d < best_d) {
				lupe_buf t = best;
				best = w;
				w = t;
				best_d = d;
			}
		}
		if (best_d <= dist && best.len) {
			/* Keep the user's lower-case first letter (not in a word written in capitals). */
			if (orig[0] >= 'a' && orig[0] <= 'z' && best.p[0] >= 'A' && best.p[0] <= 'Z' &&
			    !(best.len > 1 && best.p[1] >= 'A' && best.p[1] <= 'Z'))
				best.p[0] = (char)(best.p[0] + 32);
			replace(c, orig, ol, best.p, best.len);
		}
		lupe_buf_free(&best);
		lupe_buf_free(&w);
	}
}

static void walk(sctx *c, const lq_node *n, int depth)
{
	if (depth > 2 * LQ_MAX_DEPTH || n->occur == LQ_EXCLUDED)
		return;
	if (n->kind == LQ_WORD && n->field != LQ_FIELD_SOURCE && n->field != LQ_FIELD_PATH &&
	    n->field != LQ_FIELD_DATE) {
		word(c, n);
		return;
	}
	for (size_t i = 0; i < n->n_kids; i++)
		walk(c, n->kids[i], depth + 1);
}

char *lupe_suggest(lx_db *x, lupe_analyzer *an, lupe_tokens *toks, lupe_typo_memo *memo, const lq_node *root,
		   const char *query, size_t len)
{
	sctx c = {x, an, toks, memo, {0}, 0, LUPE_TYPO_BUDGET, {0}, {0}};
	if (lupe_buf_append(&c.out, query, len) < 0) {
		lupe_buf_free(&c.out);
		return NULL;
	}
	walk(&c, root, 0);
	lupe_buf_free(&c.typed);
	lupe_buf_free(&c.fb);
	if (!c.changed || lupe_buf_terminate(&c.out) < 0) {
		lupe_buf_free(&c.out);
		return NULL;
	}
	return c.out.p;
}
