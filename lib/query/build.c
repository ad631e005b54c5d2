#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/german.h"
#include "index/schema.h"
#include "util/date.h"
#include "query/backoff.h"
#include "query/build.h"
#include "query/fuzzy.h"
#include "query/typo.h"
#include "util/utf8.h"

/* How much the parts of a compound count against the compound itself. */
#define PART_NEAR_SCALE 0.5
#define PART_AND_SCALE 0.25
/* The parts anywhere, when the compound backs off to its sub-compounds (backoff_q). */
#define PART_AND_BACKOFF_SCALE 0.05
#define PART_WINDOW 6
#define WILDCARD_MAX 256
/*
 * The expansion budget of one query: index terms its prefix* words may
 * match, all together.  Each prefix's terms are counted (a scan of the term
 * list that stops at the budget) before Xapian expands it; a query over
 * the budget fails with LUPE_EQUERY ("query expands to too many terms")
 * instead of taking minutes and gigabytes (1,000 two-letter wildcards took
 * 97 s of CPU).  The 23,721-document test collection has 142,890 terms,
 * its most common two letters ("ge") start 2,865 of them; on a vocabulary
 * of a million terms a two-letter prefix may hit the budget alone.  What a
 * prefix costs grows with the terms it starts: on an index of 300,000
 * words starting "wo", wo* (all of them) took 0.86 s and 181 MB, wob*
 * (30,000) 0.09 s and 29 MB; the budget keeps a query near 0.15 s.
 */
#define EXPANSION_MAX 50000
/* With LUPE_SEARCH_FUZZY, how many words of one query are expanded (each
 * scans up to 20,000 terms and makes ~50 look-ups per letter); the others
 * are searched as written. */
#define FUZZY_WORDS_MAX 16
/* Words found by typo tolerance count this much against the word typed. */
#define FUZZY_SCALE 0.4
/*
 * The corrections of a word typo tolerance takes for a typo (query/typo.h).
 * A word the index does not hold matches nothing: its corrections stand in
 * for it at full weight (TYPO_ABSENT_SCALE), as the word the user meant.
 * A rare word the index holds keeps the lead: its corrections count less
 * (TYPO_SCALE), so a document with the word as typed comes first.  On the
 * public typo set, absent words' corrections at 0.6 gave MRR@10 0.898, at
 * 1.0 0.942.
 */
#define TYPO_SCALE 0.6
#define TYPO_ABSENT_SCALE 1.0
/*
 * A compound formed by neighbouring query words ("Berechnung Ergebnis" ->
 * berechnungsergebnis), when the index holds it.  When the two words are the
 * whole query, the compound is the query said as one word: a tier, like an
 * exact phrase, so that documents naming the concept come before documents
 * that merely use both words (JOIN_TIER_SCALE).  When the query has more
 * words, the compound is one more signal beside them (JOIN_SCALE): a document
 * with the compound but without the other words must not outrank one with
 * all of them (tests/test_seeds.c, "Task Force Innovationsgeber").
 * Measured on the public compound set (bench/README.md): tier 2 -> MRR@10
 * 0.597, 4 -> 0.712, 8 -> 0.798, 16 -> 0.846, 32 -> 0.888, 100 -> 0.893; the
 * question set stays at 0.922 at every value.  32 is where the curve
 * flattens: the tier is established and BM25 still orders within it.
 */
#define JOIN_SCALE 2.0
#define JOIN_TIER_SCALE 32.0

#define FIXES_MAX 8

typedef struct {
	lx_db *x;
	unsigned flags;
	char qerr[160]; /* a query error found while building */
	lupe_analyzer *an;
	lupe_tokens *toks;
	lupe_qterms *qt;
	lupe_buf tmp;
	lupe_err *err;
	int oom;
	int typo_budget; /* lupe_typo_corrections' */
	lupe_typo_memo *memo; /* what the query looked up (typo.h) */
	unsigned group; /* the query word whose terms are being noted */
	const char *src; /* the text b->toks was analysed from, or NULL */
	size_t expand_left; /* prefix terms the query may still match (EXPANSION_MAX) */
	unsigned fuzzy_left; /* words the query may still expand with LUPE_SEARCH_FUZZY */
	int failed; /* a status (message in err) when the index could not be read */
	int in_phrase; /* the words being built form a phrase (tokens_q) */
	int hyphen_fallbacks; /* hyphen groups searched as their words too (word_q) */
	int compound_repairs; /* words searched as a compound one edit away (compound_typo) */
	int lone;             /* the query is one word, phrase or hyphen group */
	/*
	 * Words the index lacks and the corrections typo_q searched for them,
	 * so that proximity() pairs a neighbour with the corrections, as it
	 * would the word typed right.
	 */
	struct {
		char term[64];
		char alt[LUPE_TYPO_ALTS][64];
		char form[LUPE_TYPO_ALTS][LUPE_TYPO_FORM]; /* each correction's variant as written ("" when none) */
		int n;
	} fixes[FIXES_MAX];
	int nfixes;
} builder;
_Static_assert(sizeof(((builder *)0)->fixes[0].alt[0]) == sizeof(((lupe_fuzzy_cand *)0)->term),
	       "a correction's term is copied whole");

void lupe_qterms_free(lupe_qterms *qt)
{
	lupe_buf_free(&qt->terms);
	lupe_buf_free(&qt->prefixes);
	lupe_buf_free(&qt->forms);
	lupe_buf_free(&qt->written);
	qt->n_terms = qt->n_prefixes = qt->n_forms = qt->n_written = 0;
}

/* The index of s in the list (for prefixes: of the longest one s starts with), or -1. */
static long list_find(const lupe_buf *b, size_t n, const char *s, size_t len, int prefix)
{
	const char *p = b->p;
	long found = -1;
	size_t best = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(p);
		if (prefix ? (l <= len && l >= best && memcmp(p, s, l) == 0) : (l == len && memcmp(p, s, len) == 0)) {
			if (!prefix)
				return (long)i;
			found = (long)i;
			best = l;
		}
		p += l + 1;
	}
	return found;
}

static int list_has(const lupe_buf *b, size_t n, const char *s, size_t len, int prefix)
{
	return list_find(b, n, s, len, prefix) >= 0;
}

int lupe_qterms_match(const lupe_qterms *qt, const char *term, size_t len)
{
	return list_has(&qt->terms, qt->n_terms, term, len, 0) ||
	       list_has(&qt->prefixes, qt->n_prefixes, term, len, 1);
}

int lupe_qterms_find(const lupe_qterms *qt, const char *term, size_t len, lupe_qterm_info *info)
{
	long i = list_find(&qt->terms, qt->n_terms, term, len, 0);
	int prefix = i < 0;
	if (prefix && (i = list_find(&qt->prefixes, qt->n_prefixes, term, len, 1)) < 0)
		return 0;
	if (qt->n_groups)
		*info = prefix ? qt->pinfo[i] : qt->info[i];
	else
		*info = (lupe_qterm_info){(uint16_t)(prefix ? qt->n_terms + (size_t)i : (size_t)i), LUPE_QT_WORD};
	return 1;
}

int lupe_qterms_is_form(const lupe_qterms *qt, const char *form, size_t len)
{
	return list_has(&qt->forms, qt->n_forms, form, len, 0);
}

int lupe_qterms_is_written(const lupe_qterms *qt, const char *text, size_t len)
{
	return list_has(&qt->written, qt->n_written, text, len, 0);
}

/*
 * Note a term to highlight, of the current query word (b->group) and kind
 * LUPE_QT_*.  A term noted twice keeps the stronger kind (a word's own term
 * over a part or a typo).
 */
static void note_term(builder *b, const char *t, size_t n, int prefix, int kind)
{
	lupe_buf *l = prefix ? &b->qt->prefixes : &b->qt->terms;
	size_t *cnt = prefix ? &b->qt->n_prefixes : &b->qt->n_terms;
	lupe_qterm_info *info = prefix ? b->qt->pinfo : b->qt->info;
	long at = list_find(l, *cnt, t, n, 0);
	if (at >= 0) {
		if (kind < info[at].kind)
			info[at] = (lupe_qterm_info){(uint16_t)b->group, (uint8_t)kind};
		return;
	}
	if (*cnt >= LUPE_QTERMS_MAX)
		return;
	if (lupe_buf_append(l, t, n) < 0 || lupe_buf_putc(l, '\0') < 0) {
		b->oom = 1;
		return;
	}
	info[*cnt] = (lupe_qterm_info){(uint16_t)b->group, (uint8_t)kind};
	b->qt->n_groups = b->group + 1 > b->qt->n_groups ? b->group + 1 : b->qt->n_groups;
	(*cnt)++;
}

static void note_once(builder *b, lupe_buf *l, size_t *cnt, const char *s, size_t n)
{
	if (*cnt >= LUPE_QTERMS_MAX || list_has(l, *cnt, s, n, 0))
		return;
	if (lupe_buf_append(l, s, n) < 0 || lupe_buf_putc(l, '\0') < 0) {
		b->oom = 1;
		return;
	}
	(*cnt)++;
}

/*
 * Note a query word as written, normalised and (when the analysed text is
 * known) byte for byte, for telling exact matches in snippets.
 */
static void note_form(builder *b, const lupe_itok *k)
{
	note_once(b, &b->qt->forms, &b->qt->n_forms, lupe_itok_form(b->toks, k), k->form_len);
	if (b->src)
		note_once(b, &b->qt->written, &b->qt->n_written, b->src + k->start, k->end - k->start);
}

/*
 * Whether the index surely holds no body term t.  Such a term matches
 * nothing and is left out of the match: Xapian would still open a posting
 * list for it, with B-tree cursor blocks of its own (8 KB a level).  A
 * pasted line of 64 mistyped words had ~45 of them, and the first such
 * query of a process paid a page fault for each new page (370 faults in
 * the match, 113 without them).  Scores do not change: BM25 here (k2 = 0)
 * does not weigh the query's length.
 *
 * Not inside a phrase (Xapian's phrase takes terms and ORs of terms; an
 * OR that lost its term would be a bare weight scale).  Local indexes
 * only: there a look-up is a B-tree descent, no round trip; remote shards
 * keep every term.  A known frequency > 0 costs nothing; a failed look-up
 * keeps the term, so damage still meets the match and its error.
 */
static int surely_absent(builder *b, lq_field f, const char *t, size_t n)
{
	if (f == LQ_FIELD_TITLE || b->in_phrase || !b->memo || lx_remote(b->x))
		return 0;
	lupe_probes *known = lupe_typo_memo_known(b->memo);
	long k = lupe_probes_find(known, t, n);
	if (k >= 0 && known->freq[k] > 0)
		return 0;
	uint64_t freq;
	if (lx_termfreq_sure(b->x, t, n, &freq) != LUPE_OK)
		return 0;
	if (k < 0)
		lupe_typo_memo_learn(b->memo, t, n, freq);
	return freq == 0;
}

/* A term query, with the field's prefix; nothing for a term the index surely lacks. */
static lx_query *term_q(builder *b, lq_field f, const char *t, size_t n)
{
	if (surely_absent(b, f, t, n))
		return lx_q_nothing();
	if (f == LQ_FIELD_TITLE) {
		b->tmp.len = 0;
		if (lupe_buf_append(&b->tmp, LUPE_PFX_TITLE, 1) < 0 || lupe_buf_append(&b->tmp, t, n) < 0) {
			b->oom = 1;
			return NULL;
		}
		return lx_q_term(b->tmp.p, b->tmp.len, 1);
	}
	return lx_q_term(t, n, 1);
}

/* Owned list of queries, combined at the end. */
typedef struct {
	lx_query **v;
	size_t n, cap;
} qlist;

static void ql_push(builder *b, qlist *l, lx_query *q)
{
	if (!q) {
		b->oom = 1;
		return;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		lx_query **v = realloc(l->v, nc * sizeof *v);
		if (!v) {
			lx_q_free(q);
			b->oom = 1;
			return;
		}
		l->v = v;
		l->cap = nc;
	}
	l->v[l->n++] = q;
}

static void ql_free(qlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		lx_q_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Combine and consume the list: one query stays itself, none gives NULL. */
static lx_query *ql_combine(builder *b, qlist *l, int op, unsigned window)
{
	lx_query *r;
	if (l->n == 0)
		r = NULL;
	else if (l->n == 1)
		r = l->v[0];
	else if (!(r = lx_q_combine(op, l->v, l->n, window)))
		b->oom = 1; /* NULL from queries to combine is out of memory, not "nothing" */
	free(l->v);
	memset(l, 0, sizeof *l);
	return r;
}

/*
 * How a word's corrections are joined.  Typo corrections (typo_q) are an
 * OR: each keeps its own rarity, so that a frequent candidate does not
 * drown the rare word meant ("Rotorn": rot, from "Rotern", and rotor; as
 * one synonym the two weighed as common as "rot").  On the public typo set
 * MRR@10 0.946 -> 0.948 (bench/eval.py), questions unchanged.  --fuzzy's
 * wider neighbourhoods stay one synonym (0.863 against 0.859 as an OR).
 * In a phrase (a hyphen group) both are an OR: Xapian 1.4 matches the
 * positions of terms and of ORs of terms only, and a synonym there
 * matched nothing ("Internet2-Netzerk" did not find Internet2-Netzwerk).
 */
static int alts_op(const builder *b, int typo)
{
	return b->in_phrase || typo ? LX_OR : LX_SYNONYM;
}

/* The word, OR (weighted lower) the index terms a typo or two away from it. */
static lx_query *fuzzy_q(builder *b, lq_field f, const lupe_itok *k, lx_query *wq)
{
	lupe_fuzzy_cand c[LUPE_FUZZY_MAX];
	if (!b->fuzzy_left)
		return wq; /* the query's fuzzy budget is spent: the word as written */
	b->fuzzy_left--;
	const char *form = lupe_itok_form(b->toks, k);
	int dist = lupe_fuzzy_distance(lupe_utf8_count(form, k->form_len));
	const char *term = lupe_itok_term(b->toks, k);
	int n = lupe_fuzzy_terms_known(b->x, lupe_typo_memo_known(b->memo), term, k->term_len, dist, 0, c,
				       LUPE_FUZZY_MAX);
	if (n <= 0)
		return wq;
	qlist alts = {0};
	for (int i = 0; i < n; i++) {
		ql_push(b, &alts, term_q(b, f, c[i].term, strlen(c[i].term)));
		note_term(b, c[i].term, strlen(c[i].term), 0, LUPE_QT_TYPO);
	}
	lx_query *fq = lx_q_scale(ql_combine(b, &alts, alts_op(b, 0), 0), FUZZY_SCALE);
	if (!fq) {
		b->oom = 1;
		return wq;
	}
	lx_query *kids[2] = {wq, fq};
	return lx_q_combine(LX_OR, kids, 2, 0);
}

/*
 * A correction that is a compound is searched as the compound typed right
 * would be (tokens_q): its term OR its leaves near each other (scaled
 * PART_NEAR_SCALE) OR anywhere (PART_AND_SCALE).  "Problemimstanz" is
 * no compound the splitter knows, but its correction "Probleminstanz" is,
 * and a document that writes the parts apart ("Instanz eines Problems")
 * is found as for the word typed right.  cq is the correction's term
 * query; form its written one-edit variant ("" when none).  Not inside a
 * phrase, whose positions Xapian matches for terms only (alts_op).
 */
static lx_query *correction_parts_q(builder *b, lq_field f, const char *form, lx_query *cq)
{
	size_t fl = strlen(form);
	if (!cq || fl == 0)
		return cq;
	lupe_tokens t = {0};
	lupe_part leaves[16];
	int nl = 0;
	if (lupe_analyze_into(b->an, &t, form, fl, 0) < 0) {
		b->oom = 1;
	} else if (t.n >= 3 && t.v[0].kind == LUPE_TOKEN_WORD && t.v[0].start == 0 && t.v[0].end == fl) {
		size_t np = 0;
		while (1 + np < t.n && t.v[1 + np].kind == LUPE_TOKEN_PART && t.v[1 + np].position == t.v[0].position)
			np++;
		nl = lupe_backoff_leaves(lupe_itok_form(&t, &t.v[0]), t.v[0].form_len, &t, 1, np, leaves, 16);
	}
	if (nl < 2) {
		lupe_tokens_release(&t);
		return cq;
	}
	qlist near = {0}, all = {0};
	for (int j = 1; j <= nl; j++) {
		const char *pt = lupe_itok_term(&t, &t.v[j]);
		ql_push(b, &near, term_q(b, f, pt, t.v[j].term_len));
		ql_push(b, &all, term_q(b, f, pt, t.v[j].term_len));
		note_term(b, pt, t.v[j].term_len, 0, LUPE_QT_PART);
	}
	lupe_tokens_release(&t);
	lx_query *kids[3] = {cq, lx_q_scale(ql_combine(b, &near, LX_NEAR, PART_WINDOW), PART_NEAR_SCALE),
			     lx_q_scale(ql_combine(b, &all, LX_AND, 0), PART_AND_SCALE)};
	if (!kids[1] || !kids[2]) {
		lx_q_free(kids[1]), lx_q_free(kids[2]);
		b->oom = 1;
		return cq;
	}
	lx_query *r = lx_q_combine(LX_OR, kids, 3, 0);
	if (!r)
		b->oom = 1;
	return r;
}

/* The word, OR (weighted lower) its likely corrections when it looks mistyped. */
static lx_query *typo_q(builder *b, lq_field f, const lupe_itok *k, int split, lx_query *wq)
{
	lupe_typo_cand c[LUPE_TYPO_ALTS];
	const char *form = lupe_itok_form(b->toks, k);
	const char *term = lupe_itok_term(b->toks, k);
	uint64_t own = 0;
	int n = lupe_typo_corrections(b->x, b->an, b->memo, form, k->form_len, term, k->term_len, 0, &b->typo_budget,
				      &own, c, LUPE_TYPO_ALTS);
	char raw[LUPE_TYPO_FORM];
	size_t rl = b->src && own == 0 ? lupe_de_unspelled(b->src + k->start, k->end - k->start, raw, sizeof raw) : 0;
	n = lupe_typo_corrections_as_typed(b->x, b->an, b->memo, raw, rl, form, k->form_len, term, k->term_len, 0,
					   &b->typo_budget, &own, c, n, LUPE_TYPO_ALTS, NULL);
	n = lupe_typo_corrections_add_typed(b->x, b->an, b->memo, raw, rl, form, k->form_len, term, k->term_len, 0,
					    &b->typo_budget, c, n, LUPE_TYPO_ALTS);
	if (n > 0 && split)
		n = lupe_typo_keep_usual(c, n);
	if (n <= 0)
		return wq;
	if (!own && !b->in_phrase && b->nfixes < FIXES_MAX && k->term_len < sizeof b->fixes[0].term) {
		memcpy(b->fixes[b->nfixes].term, term, k->term_len);
		b->fixes[b->nfixes].term[k->term_len] = '\0';
		for (int i = 0; i < n; i++)
			memcpy(b->fixes[b->nfixes].alt[i], c[i].c.term, sizeof c[i].c.term); /* both char[64] */
		for (int i = 0; i < n; i++) /* the variant a usual typo explains, else the first */
			memcpy(b->fixes[b->nfixes].form[i], c[i].usual_form[0] ? c[i].usual_form : c[i].form,
			       LUPE_TYPO_FORM);
		b->fixes[b->nfixes++].n = n;
	}
	qlist alts = {0};
	for (int i = 0; i < n; i++) {
		lx_query *cq = term_q(b, f, c[i].c.term, strlen(c[i].c.term));
		note_term(b, c[i].c.term, strlen(c[i].c.term), 0, LUPE_QT_TYPO);
		ql_push(b, &alts, b->in_phrase ? cq : correction_parts_q(b, f, c[i].form, cq));
	}
	lx_query *tq = lx_q_scale(ql_combine(b, &alts, alts_op(b, 1), 0), own ? TYPO_SCALE : TYPO_ABSENT_SCALE);
	if (!tq) {
		b->oom = 1;
		return wq;
	}
	lx_query *kids[2] = {wq, tq};
	lx_query *r = lx_q_combine(LX_OR, kids, 2, 0);
	if (!r)
		b->oom = 1;
	return r;
}

/*
 * A compound the index does not hold: the sub-compounds and parts it does
 * hold (query/backoff.c), each weighted by how much of the word it
 * covers, OR-ed; NULL when there are none.
 */
static lx_query *backoff_q(builder *b, lq_field f, const char *form, const lupe_part *leaves, int nl)
{
	lupe_backoff_term bt[LUPE_BACKOFF_MAX];
	lupe_tokens scratch = {0};
	int n = lupe_backoff_terms(b->x, b->an, &scratch, form, leaves, nl, bt, LUPE_BACKOFF_MAX);
	lupe_tokens_release(&scratch);
	if (n < 0)
		b->oom = 1;
	qlist l = {0};
	for (int i = 0; i < n; i++) {
		note_term(b, bt[i].term, bt[i].len, 0, LUPE_QT_PART);
		ql_push(b, &l, lx_q_scale(term_q(b, f, bt[i].term, bt[i].len), bt[i].scale));
	}
	return ql_combine(b, &l, LX_OR, 0);
}

/*
 * The tokens of one word or phrase, as a query.  For a plain word: its
 * term, or with compound parts: the compound OR (scaled) its parts near
 * each other OR (scaled less) its parts anywhere.  Several words (a
 * hyphen group, a URL, a phrase): the phrase of the words, OR the joined
 * form / the URL as written.
 */
static lx_query *tokens_q(builder *b, lq_field f, int phrase_only, int *all_stop)
{
	lupe_tokens *t = b->toks;
	qlist words = {0}, alts = {0};
	*all_stop = 1;
	size_t nwords = 0;
	for (size_t w = 0; w < t->n; w++)
		if (t->v[w].kind != LUPE_TOKEN_PART && t->v[w].kind != LUPE_TOKEN_URL &&
		    t->v[w].kind != LUPE_TOKEN_EMAIL && t->v[w].kind != LUPE_TOKEN_JOINED)
			nwords++;
	b->in_phrase = nwords > 1; /* a hyphen group, a URL's words, a quoted phrase */
	size_t i = 0;
	while (i < t->n) {
		const lupe_itok *k = &t->v[i];
		const char *term = lupe_itok_term(t, k);
		if (k->kind == LUPE_TOKEN_URL || k->kind == LUPE_TOKEN_EMAIL || k->kind == LUPE_TOKEN_JOINED) {
			if (!phrase_only) {
				ql_push(b, &alts, term_q(b, f, term, k->term_len));
				b->group++;
				note_term(b, term, k->term_len, 0, LUPE_QT_WORD);
			}
			i++;
			continue;
		}
		/*
		 * A word and the parts that follow it at its position: a
		 * compound's leaves first, then its sub-compounds, which the
		 * query leaves to the back-off (backoff_q).  One group of terms.
		 */
		b->group++;
		size_t j = i + 1;
		qlist parts = {0};
		while (j < t->n && t->v[j].kind == LUPE_TOKEN_PART && t->v[j].position == k->position)
			j++;
		lupe_part leaves[16];
		size_t nparts = j - i - 1;
		int nl = lupe_backoff_leaves(lupe_itok_form(t, k), k->form_len, t, i + 1, nparts, leaves, 16);
		size_t end = j;
		/*
		 * A part of one letter (the e of eBook, the i of iPhone) is no
		 * evidence of the word: "Vitamin E" near "Book" is not an eBook.
		 * Such a word is searched as itself, and its parts are no query
		 * terms (nor snippet keys: a key of one letter, or none, makes
		 * the snippet read every hit whole).
		 */
		int letter_part = 0;
		for (size_t p = i + 1; p < i + 1 + (size_t)nl; p++)
			letter_part |= lupe_utf8_count(lupe_itok_term(t, &t->v[p]), t->v[p].term_len) < 2;
		j = i + 1;
		while (j < i + 1 + (size_t)nl && !letter_part) {
			if (!phrase_only) {
				const char *pt = lupe_itok_term(t, &t->v[j]);
				ql_push(b, &parts, term_q(b, f, pt, t->v[j].term_len));
				note_term(b, pt, t->v[j].term_len, 0, LUPE_QT_PART);
			}
			j++;
		}
		j = end;
		if (!(k->flags & LUPE_TOKEN_STOPWORD))
			*all_stop = 0;
		note_term(b, term, k->term_len, 0, LUPE_QT_WORD);
		note_form(b, k);
		lx_query *wq = term_q(b, f, term, k->term_len);
		/*
		 * --fuzzy widens typo tolerance: a word that looks mistyped gets
		 * its corrections as without it; any other word, its neighbours
		 * a typo or two away, weighted lower.
		 */
		if ((b->flags & (LUPE_BUILD_FUZZY | LUPE_BUILD_TYPO)) && !phrase_only && k->kind == LUPE_TOKEN_WORD &&
		    !(k->flags & LUPE_TOKEN_STOPWORD) && wq) {
			lx_query *as_typed = wq;
			if (b->flags & LUPE_BUILD_TYPO)
				wq = typo_q(b, f, k, nl >= 2, wq);
			if ((b->flags & LUPE_BUILD_FUZZY) && wq == as_typed)
				wq = fuzzy_q(b, f, k, wq);
		}
		if (parts.n >= 2) {
			/* Copies for the AND branch: a query is consumed by its parent. */
			qlist parts2 = {0};
			for (size_t p = i + 1; p < i + 1 + parts.n; p++)
				ql_push(b, &parts2, term_q(b, f, lupe_itok_term(t, &t->v[p]), t->v[p].term_len));
			lx_query *nearq = lx_q_scale(ql_combine(b, &parts, LX_NEAR, PART_WINDOW), PART_NEAR_SCALE);
			lx_query *andq = lx_q_scale(ql_combine(b, &parts2, LX_AND, 0), PART_AND_SCALE);
			/* Only a compound the index does not hold backs off to its pieces. */
			lx_query *boq = lupe_typo_memo_termfreq(b->memo, b->x, term, k->term_len) == 0
						? backoff_q(b, f, lupe_itok_form(t, k), leaves, nl)
						: NULL;
			/*
			 * Backing off, the parts scattered over a document (the AND)
			 * are weaker evidence than a sub-compound: weighted down, so
			 * that Bundesstaat ... Verfassung ... Gericht does not come
			 * before Verfassungsgericht, but kept, as a long question
			 * still needs the documents that hold them.
			 */
			if (boq)
				andq = lx_q_scale(andq, PART_AND_BACKOFF_SCALE / PART_AND_SCALE);
			lx_query *kids[4] = {wq, nearq, andq, boq};
			if (!wq || !nearq || !andq) {
				lx_q_free(wq), lx_q_free(nearq), lx_q_free(andq), lx_q_free(boq);
				b->oom = 1;
				wq = NULL;
			} else {
				wq = lx_q_combine(LX_OR, kids, boq ? 4 : 3, 0);
			}
		} else if (parts.n > 0) {
			ql_free(&parts); /* camel-case parts of one more word: the word is enough */
		}
		ql_push(b, &words, wq);
		i = j;
	}
	lx_query *main = ql_combine(b, &words, LX_PHRASE, 0);
	if (!main) {
		ql_free(&alts);
		return NULL;
	}
	if (alts.n == 0)
		return main;
	ql_push(b, &alts, main);
	return ql_combine(b, &alts, LX_OR, 0);
}

static lx_query *build(builder *b, const lq_node *n, int depth);

/*
 * A word that b->toks holds alone, which the index lacks, which the
 * splitter does not cut, and which has no typo correction of its own: a
 * compound with a typo ("Bundesverfasungsgericht") is searched as its
 * variant one edit away that splits into parts the index holds
 * (lupe_typo_compound), so that it backs off to them as the compound
 * typed right would.  Writes the variant to out; 0 when there is none.
 * Each try splits one or two thousand variants (~15 M instructions, a
 * few milliseconds, for a 23-letter word), so only a keyword query of at
 * most COMPOUND_REPAIR_WORDS words and phrases makes them, at most
 * COMPOUND_REPAIRS_MAX: in a question the other words carry it, and a
 * pasted text of misspelt words must not pay for each.
 */
#define COMPOUND_REPAIRS_MAX 2
#define COMPOUND_REPAIR_WORDS 4

static int compound_typo(builder *b, char *out)
{
	const lupe_tokens *t = b->toks;
	if (!(b->flags & LUPE_BUILD_TYPO) || !b->memo || t->n != 1 ||
	    b->compound_repairs >= COMPOUND_REPAIRS_MAX)
		return 0;
	const lupe_itok *k = &t->v[0];
	if (k->kind != LUPE_TOKEN_WORD || (k->flags & LUPE_TOKEN_STOPWORD) ||
	    k->form_len < LUPE_TYPO_COMPOUND_MIN ||
	    lupe_typo_memo_termfreq(b->memo, b->x, lupe_itok_term(t, k), k->term_len) != 0)
		return 0;
	/* Its own corrections come first: asked here on a copy of the budget (the memo keeps the work). */
	lupe_typo_cand c[LUPE_TYPO_ALTS];
	int spare = b->typo_budget;
	if (lupe_typo_corrections(b->x, b->an, b->memo, lupe_itok_form(t, k), k->form_len, lupe_itok_term(t, k),
				  k->term_len, 0, &spare, NULL, c, LUPE_TYPO_ALTS) != 0)
		return 0;
	char form[LUPE_TYPO_FORM];
	if (k->form_len >= sizeof form)
		return 0;
	memcpy(form, lupe_itok_form(t, k), k->form_len); /* b->toks may change under the search */
	b->compound_repairs++;
	return lupe_typo_compound(b->x, b->an, b->memo, form, k->form_len, &b->typo_budget, out) > 0;
}

/*
 * A hyphen group that holds a word the index does not ("Datenschutz-
 * Grundverordnung" where no document has Grundverordnung) cannot match as
 * its phrase.  Beside the phrase, its words are then searched each on its
 * own, as if typed apart: each backs off to its compound parts and gets
 * typo tolerance, as the closed compound (Datenschutzgrundverordnung)
 * does.  A group whose words the index all holds stays a phrase; when
 * that leaves the search with no hit (Bundesliga-Trainer where no
 * document has the two words side by side), lupe_search builds the query
 * again with LUPE_BUILD_HYPHEN_WORDS, and every group is searched so.  A group of more words than HYPHEN_WORDS_MAX is left as it is, and
 * so are the groups of a query after its first HYPHEN_FALLBACKS_MAX: a
 * pasted text of hyphen groups must not cost twice.
 */
#define HYPHEN_WORDS_MAX 8
#define HYPHEN_FALLBACKS_MAX 4

static void join_pair(builder *b, const lq_node *a, const lq_node *c, double scale, int plain, qlist *opt);

static lx_query *word_q(builder *b, const lq_node *n, int *all_stop)
{
	lupe_tokens_reset(b->toks);
	if (lupe_analyze_into(b->an, b->toks, n->text, n->text_len, 0) < 0) {
		b->oom = 1;
		return NULL;
	}
	/* The group's words (byte ranges), read before tokens_q and the words' own analyses reuse b->toks. */
	size_t spans[HYPHEN_WORDS_MAX][2], nspans = 0;
	int absent = 0;
	if (n->kind == LQ_WORD && b->hyphen_fallbacks < HYPHEN_FALLBACKS_MAX && memchr(n->text, '-', n->text_len)) {
		for (size_t i = 0; i < b->toks->n && nspans <= HYPHEN_WORDS_MAX; i++) {
			const lupe_itok *k = &b->toks->v[i];
			if (k->kind == LUPE_TOKEN_URL || k->kind == LUPE_TOKEN_EMAIL) {
				nspans = HYPHEN_WORDS_MAX + 1;
				break;
			}
			if (k->kind != LUPE_TOKEN_WORD && k->kind != LUPE_TOKEN_NUMBER)
				continue; /* MP3-Player: "mp3" is a number token, and a word of the group */
			if (nspans < HYPHEN_WORDS_MAX) {
				spans[nspans][0] = k->start;
				spans[nspans][1] = k->end;
			}
			nspans++;
			if (!(k->flags & LUPE_TOKEN_STOPWORD) &&
			    lupe_typo_memo_termfreq(b->memo, b->x, lupe_itok_term(b->toks, k), k->term_len) == 0)
				absent = 1;
		}
	}
	char fixed[LUPE_TYPO_FORM];
	unsigned flags = b->flags;
	if (n->kind == LQ_WORD && compound_typo(b, fixed)) {
		lupe_tokens_reset(b->toks);
		if (lupe_analyze_into(b->an, b->toks, fixed, strlen(fixed), 0) < 0) {
			b->oom = 1;
			return NULL;
		}
		b->flags &= ~(unsigned)LUPE_BUILD_TYPO; /* mended once: its parts are in the index */
	}
	b->src = n->text;
	lx_query *q = tokens_q(b, n->field, n->kind == LQ_PHRASE, all_stop);
	b->flags = flags;
	b->src = NULL;
	b->in_phrase = 0;
	if (q && nspans == 2 && n->field < LQ_FIELD_SOURCE && n->text_len <= 120) {
		/*
		 * Two words joined by a hyphen name the compound the two typed
		 * apart would make (join_neighbours): Berechnungs-Ergebnis and
		 * Berechnung-Ergebnis mean Berechnungsergebnis.  When the group is
		 * the whole query, each of those compounds the index holds is a
		 * tier above the phrase, as for the two words.  In a longer query
		 * the plain join is already the group's (the analyzer's joined
		 * token), and the others weigh as it does: one spelling of the
		 * same compound must not outweigh the rest of a question.
		 */
		lq_node pair[2] = {*n, *n};
		qlist joins = {0};
		for (int i = 0; i < 2; i++) {
			pair[i].text = n->text + spans[i][0];
			pair[i].text_len = spans[i][1] - spans[i][0];
			pair[i].kids = NULL;
			pair[i].n_kids = 0;
		}
		join_pair(b, &pair[0], &pair[1], b->lone ? JOIN_TIER_SCALE : 1.0, b->lone, &joins);
		if (joins.n) {
			ql_push(b, &joins, q);
			q = ql_combine(b, &joins, LX_OR, 0);
		} else {
			ql_free(&joins);
		}
	}
	if (!q || nspans < 2 || nspans > HYPHEN_WORDS_MAX)
		return q;
	if (!absent && !(b->flags & LUPE_BUILD_HYPHEN_WORDS)) {
		b->qt->hyphen_phrases++;
		return q;
	}
	b->hyphen_fallbacks++;
	qlist words = {0};
	for (size_t i = 0; i < nspans && !b->oom; i++) {
		lq_node w = *n;
		w.text = n->text + spans[i][0];
		w.text_len = spans[i][1] - spans[i][0];
		w.kids = NULL;
		w.n_kids = 0;
		int stop;
		lx_query *wq = word_q(b, &w, &stop);
		if (wq)
			ql_push(b, &words, wq);
	}
	lx_query *kids[2] = {q, ql_combine(b, &words, LX_OR, 0)};
	if (!kids[1])
		return q;
	return lx_q_combine(LX_OR, kids, 2, 0);
}

/* lx_allterms' callback for prefix_q: one more term against the budget; past it, stop (1). */
static int count_term(void *ctx, const char *t, size_t n, lx_term_here *at)
{
	size_t *left = ctx;
	(void)t;
	(void)n;
	(void)at;
	if (*left == 0)
		return 1;
	(*left)--;
	return 0;
}

static lx_query *prefix_q(builder *b, const lq_node *n)
{
	b->tmp.len = 0;
	if (n->field == LQ_FIELD_TITLE && lupe_buf_append(&b->tmp, LUPE_PFX_TITLE, 1) < 0)
		goto oom;
	size_t pl = b->tmp.len;
	if (lupe_analyzer_fold(b->an, n->text, n->text_len, &b->tmp) < 0)
		goto oom;
	if (b->tmp.len == pl)
		return NULL;
	b->group++;
	note_term(b, b->tmp.p + pl, b->tmp.len - pl, 1, LUPE_QT_WORD);
	if (b->qerr[0])
		return NULL;
	int rc = lx_allterms(b->x, b->tmp.p, b->tmp.len, count_term, &b->expand_left, b->err);
	if (rc < 0) {
		b->failed = rc;
		return NULL;
	}
	if (rc > 0) {
		snprintf(b->qerr, sizeof b->qerr,
			 "query expands to too many terms: %.*s* and the query's other prefixes match over %u index "
			 "terms (use longer prefixes)",
			 (int)(n->text_len > 40 ? 40 : n->text_len), n->text, EXPANSION_MAX);
		return NULL;
	}
	lx_query *wq = lx_q_wildcard(b->tmp.p, b->tmp.len, WILDCARD_MAX);
	if (!wq)
		goto oom;
	/*
	 * The index holds stems, so a whole word before the '*' starts no
	 * term of its own inflections: "Berater*" starts no term, as Berater,
	 * Beraterin and Beratern are all "berat".  Those words start with the
	 * prefix too, so the prefix's own stem joins the expansion, as one
	 * word with it (a synonym): "Berater*" finds every document holding
	 * Berater in any inflection, and still not "Management" for
	 * "Manager*" (stems "management", "manag").
	 */
	char folded[LUPE_WORD_MAX * 3], stem[LUPE_WORD_MAX * 3];
	size_t fl = b->tmp.len - pl, sl = 0;
	if (fl > sizeof folded)
		return wq;
	memcpy(folded, b->tmp.p + pl, fl);
	const char *st = lupe_analyzer_stem_folded(b->an, folded, fl, &sl);
	if (!st) {
		lx_q_free(wq);
		goto oom;
	}
	if (sl == 0 || sl > sizeof stem || (sl >= fl && memcmp(st, folded, fl) == 0))
		return wq; /* no stem, or one the expansion holds already */
	memcpy(stem, st, sl);
	note_term(b, stem, sl, 0, LUPE_QT_WORD);
	lx_query *sq = term_q(b, n->field, stem, sl);
	if (!sq) {
		lx_q_free(wq);
		goto oom;
	}
	lx_query *kids[2] = {wq, sq};
	lx_query *r = lx_q_combine(LX_SYNONYM, kids, 2, 0);
	if (!r)
		goto oom;
	return r;
oom:
	b->oom = 1;
	return NULL;
}

static lx_query *source_q(builder *b, const lq_node *n)
{
	b->tmp.len = 0;
	if (lupe_buf_append(&b->tmp, LUPE_PFX_SOURCE, 2) < 0) {
		b->oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < n->text_len; i++) {
		char c = n->text[i];
		if (lupe_buf_putc(&b->tmp, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c) < 0) {
			b->oom = 1;
			return NULL;
		}
	}
	/* A filter has no weight: scaling by 0 makes it purely boolean. */
	return lx_q_scale(lx_q_term(b->tmp.p, b->tmp.len, 1), 0.0);
}

/* path:/srv/docs -> every path starting so; no weight. */
static lx_query *path_q(builder *b, const lq_node *n)
{
	b->tmp.len = 0;
	if (lupe_buf_append(&b->tmp, LUPE_PFX_PATH, 2) < 0 || lupe_buf_append(&b->tmp, n->text, n->text_len) < 0) {
		b->oom = 1;
		return NULL;
	}
	return lx_q_scale(lx_q_wildcard(b->tmp.p, b->tmp.len, 0), 0.0);
}

/* The last second of a date given as YYYY, YYYY-MM or YYYY-MM-DD[THH:MM[:SS]]. */
static int date_end(const char *d, char *out)
{
	if (lupe_date_normalise(d, out) < 0)
		return -1;
	size_t n = strlen(d);
	if (n == 4)
		memcpy(out + 4, "1231235959", 10);
	else if (n == 7)
		memcpy(out + 6, "31235959", 8);
	else if (n == 10)
		memcpy(out + 8, "235959", 6);
	return 0;
}

/* date:A..B, date:A.., date:..B, date:A (that year, month or day); no weight. */
static lx_query *date_q(builder *b, const lq_node *n)
{
	char lo[15], hi[15], a[40], z[40];
	const char *dots = strstr(n->text, "..");
	if (n->text_len >= sizeof a)
		goto bad;
	if (dots) {
		size_t al = (size_t)(dots - n->text);
		memcpy(a, n->text, al);
		a[al] = '\0';
		snprintf(z, sizeof z, "%s", dots + 2);
	} else {
		snprintf(a, sizeof a, "%s", n->text);
		snprintf(z, sizeof z, "%s", n->text);
	}
	if ((!*a && !*z) || (*a && lupe_date_normalise(a, lo) < 0) || (*z && date_end(z, hi) < 0))
		goto bad;
	return lx_q_scale(lx_q_value_range(LX_SLOT_DATE, *a ? lo : NULL, *z ? hi : NULL), 0.0);
bad:
	snprintf(b->qerr, sizeof b->qerr, "date:%.40s is not a date range (write date:2015-01-01..2016-12-31)",
		 n->text);
	return NULL;
}

static int is_filter(const lq_node *n)
{
	return n->field == LQ_FIELD_SOURCE || n->field == LQ_FIELD_PATH || n->field == LQ_FIELD_DATE;
}

/* a NEAR/n b: each operand a word (its main term) or a phrase. */
static lx_query *near_q(builder *b, const lq_node *n)
{
	qlist l = {0};
	for (size_t i = 0; i < n->n_kids; i++) {
		int all_stop;
		lupe_tokens_reset(b->toks);
		if (lupe_analyze_into(b->an, b->toks, n->kids[i]->text, n->kids[i]->text_len, 0) < 0) {
			b->oom = 1;
			break;
		}
		b->src = n->kids[i]->text;
		lx_query *q = tokens_q(b, n->field, 1, &all_stop);
		b->src = NULL;
		b->in_phrase = 0;
		if (q)
			ql_push(b, &l, q);
	}
	if (l.n < 2)
		return ql_combine(b, &l, LX_AND, 0);
	unsigned window = n->window ? n->window : LQ_NEAR_DEFAULT;
	return ql_combine(b, &l, LX_NEAR, window + (unsigned)l.n - 1);
}

static lx_query *leaf(builder *b, const lq_node *n, int *all_stop)
{
	*all_stop = 0;
	if (n->kind == LQ_WORD || n->kind == LQ_PHRASE || n->kind == LQ_PREFIX) {
		if (n->field == LQ_FIELD_SOURCE)
			return source_q(b, n);
		if (n->field == LQ_FIELD_PATH)
			return path_q(b, n);
		if (n->field == LQ_FIELD_DATE)
			return date_q(b, n);
	}
	if (n->kind == LQ_NEAR)
		return near_q(b, n);
	switch (n->kind) {
	case LQ_WORD:
	case LQ_PHRASE:
		return word_q(b, n, all_stop);
	case LQ_PREFIX:
		return prefix_q(b, n);
	default:
		return NULL;
	}
}

/*
 * A query word folded for joining, into forms[] (returns how many): as
 * typed, or for a word the index lacks, the corrections typo_q searched
 * for it, as written ("Berechnung Ergebnsi" joins as
 * berechnungsergebnis).  0 when there is none to join.
 */
#define JOIN_FORMS LUPE_TYPO_ALTS
static int join_forms(builder *b, const lq_node *n, char forms[][LUPE_TYPO_FORM])
{
	int nf = 0;
	if (b->nfixes) {
		lupe_tokens_reset(b->toks);
		if (lupe_analyze_words(b->an, b->toks, n->text, n->text_len, 0) < 0) {
			b->oom = 1;
			return 0;
		}
		if (b->toks->n == 1) {
			const char *t = lupe_itok_term(b->toks, &b->toks->v[0]);
			for (int i = 0; i < b->nfixes && !nf; i++)
				if (strcmp(b->fixes[i].term, t) == 0)
					for (int j = 0; j < b->fixes[i].n; j++)
						if (b->fixes[i].form[j][0])
							memcpy(forms[nf++], b->fixes[i].form[j], LUPE_TYPO_FORM);
		}
		if (nf)
			return nf;
	}
	lupe_buf f = {0};
	if (lupe_analyzer_fold(b->an, n->text, n->text_len, &f) < 0) {
		b->oom = 1;
	} else if (f.len < LUPE_TYPO_FORM) {
		memcpy(forms[0], f.p, f.len);
		forms[0][f.len] = '\0';
		nf = 1;
	}
	lupe_buf_free(&f);
	return nf;
}

/*
 * "Berechnung Ergebnis" should find "Berechnungsergebnis": for two
 * neighbouring free-text words, try the compounds German would make of
 * them (plain, with a linking s, es, n, en, or the first word's final e
 * dropped) and add each one the index holds as an extra, heavier term.
 */
static void join_pair(builder *b, const lq_node *a, const lq_node *c, double scale, int plain, qlist *opt)
{
	static const char *const links[] = {"", "s", "es", "n", "en", NULL};
	char fa[JOIN_FORMS][LUPE_TYPO_FORM], fc[JOIN_FORMS][LUPE_TYPO_FORM];
	int na = join_forms(b, a, fa), nc = join_forms(b, c, fc);
	char seen[JOIN_FORMS * JOIN_FORMS][64]; /* terms added: one of each */
	int ns = 0;
	for (int x = 0; x < na * nc && !b->oom; x++) {
		const char *pa = fa[x / nc], *pc = fc[x % nc];
		size_t al0 = strlen(pa), cl = strlen(pc);
		if (al0 < 3 || cl < 3)
			continue;
		for (int k = -1; (k < 0 || links[k]) && !b->oom; k++) {
			char joined[300];
			size_t al = al0;
			const char *link = k < 0 ? "" : links[k];
			if (k == 0 && !plain)
				continue;
			if (k < 0) { /* Farbe + Konstanten -> Farbkonstanten */
				if (pa[al - 1] != 'e')
					continue;
				al--;
			}
			int m = snprintf(joined, sizeof joined, "%.*s%s%s", (int)al, pa, link, pc);
			if (m <= 0 || (size_t)m >= sizeof joined)
				continue;
			/*
			 * Its term only: the parts of a made-up word are the two words
			 * (and cost most).  And only a join that is one word: "Ein-"
			 * before "Ausgang" makes "ein-ausgang", whose first word is
			 * just "ein" again (the truncated word is complete_truncated's).
			 */
			lupe_tokens_reset(b->toks);
			if (lupe_analyze_words(b->an, b->toks, joined, (size_t)m, 0) < 0 || b->toks->n != 1 ||
			    b->toks->v[0].kind != LUPE_TOKEN_WORD || b->toks->v[0].start != 0 ||
			    b->toks->v[0].end != (size_t)m)
				continue;
			const char *t = lupe_itok_term(b->toks, &b->toks->v[0]);
			size_t tl = b->toks->v[0].term_len;
			int dup = tl >= sizeof seen[0];
			for (int i = 0; i < ns && !dup; i++)
				dup = strcmp(seen[i], t) == 0;
			if (dup || lupe_typo_memo_termfreq(b->memo, b->x, t, tl) == 0)
				continue;
			if (ns < JOIN_FORMS * JOIN_FORMS)
				memcpy(seen[ns++], t, tl + 1);
			b->group++;
			note_term(b, t, tl, 0, LUPE_QT_WORD);
			ql_push(b, opt, lx_q_scale(term_q(b, a->field, t, tl), scale));
		}
	}
}

static void join_neighbours(builder *b, const lq_node *g, qlist *opt)
{
	/* Keyword queries only: in a sentence, neighbours are rarely one concept. */
	if (g->n_kids > 3)
		return;
	size_t content = 0;
	for (size_t i = 0; i < g->n_kids; i++)
		content += g->kids[i]->occur != LQ_EXCLUDED && !is_filter(g->kids[i]);
	double scale = content == 2 ? JOIN_TIER_SCALE : JOIN_SCALE;
	for (size_t i = 0; i + 1 < g->n_kids && !b->oom; i++) {
		const lq_node *a = g->kids[i], *c = g->kids[i + 1];
		if (a->kind != LQ_WORD || c->kind != LQ_WORD || a->occur == LQ_EXCLUDED || c->occur == LQ_EXCLUDED ||
		    a->field != c->field || a->field >= LQ_FIELD_SOURCE || a->text_len + c->text_len > 120)
			continue;
		join_pair(b, a, c, scale, 1, opt);
	}
}

/*
 * Proximity: documents where neighbouring query words stand close together
 * rank above those where they are far apart.  Each pair of neighbouring
 * content words (stopwords skipped) adds a NEAR of their terms, weighted
 * PROX_SCALE; a NEAR only checks positions in documents holding both.
 *
 * Only for queries of at most PROX_MAX_WORDS content words.  A few words
 * typed together name one thing ("Kommunikation Berater"); the words of a
 * question are spread over the passage that answers it.  And a NEAR is not
 * cheap: Xapian reads the postings of both terms again, and the positions
 * of every document holding both.  On the public question set (632
 * questions, most with five or more content words) proximity for every
 * query gave MRR@10 0.932, for up to 4 words 0.931, none 0.927; the
 * compound set (short queries) 0.892 in all three; the questions' search
 * took 10% less time with the limit (bench/README.md, session 5).
 */
#define PROX_SCALE 0.15
#define PROX_WINDOW 6
#define PROX_MAX_WORDS 4

/*
 * One side of a proximity pair: the word's term, or for a word the index
 * lacks, the OR of the corrections typo_q searched for it (a NEAR matches
 * the positions of terms and ORs of terms): "letzte Premiermonister"
 * pairs like "letzte Premierminister".
 */
static lx_query *near_side(builder *b, lq_field f, const char *t, size_t n)
{
	for (int i = 0; i < b->nfixes; i++) {
		if (strlen(b->fixes[i].term) != n || memcmp(b->fixes[i].term, t, n))
			continue;
		qlist l = {0};
		for (int j = 0; j < b->fixes[i].n; j++)
			ql_push(b, &l, term_q(b, f, b->fixes[i].alt[j], strlen(b->fixes[i].alt[j])));
		return ql_combine(b, &l, LX_OR, 0);
	}
	return term_q(b, f, t, n);
}

static void proximity(builder *b, const lq_node *g, qlist *opt)
{
	char *terms[PROX_MAX_WORDS + 1];
	size_t lens[PROX_MAX_WORDS + 1], nt = 0;
	lq_field field = LQ_FIELD_ANY;
	for (size_t i = 0; i < g->n_kids && nt <= PROX_MAX_WORDS && !b->oom; i++) {
		const lq_node *k = g->kids[i];
		if (k->kind != LQ_WORD || k->occur == LQ_EXCLUDED || k->field >= LQ_FIELD_SOURCE)
			continue;
		if (nt && k->field != field)
			break;
		field = k->field;
		lupe_tokens_reset(b->toks);
		if (lupe_analyze_into(b->an, b->toks, k->text, k->text_len, 0) < 0) {
			b->oom = 1;
			break;
		}
		/* One word only (a hyphen group or a URL has its own phrase). */
		if (b->toks->n == 0 || b->toks->v[0].kind != LUPE_TOKEN_WORD ||
		    (b->toks->v[0].flags & LUPE_TOKEN_STOPWORD) || b->toks->v[b->toks->n - 1].position != 0)
			continue;
		const lupe_itok *t = &b->toks->v[0];
		terms[nt] = malloc(t->term_len + 1);
		if (!terms[nt]) {
			b->oom = 1;
			break;
		}
		memcpy(terms[nt], lupe_itok_term(b->toks, t), t->term_len + 1);
		lens[nt++] = t->term_len;
	}
	/* One more than PROX_MAX_WORDS was collected to tell a longer query: it gets no pairs. */
	size_t pairs_of = nt <= PROX_MAX_WORDS ? nt : 0;
	for (size_t i = 0; i + 1 < pairs_of && !b->oom; i++) {
		if (lens[i] == lens[i + 1] && !memcmp(terms[i], terms[i + 1], lens[i]))
			continue;
		lx_query *kids[2] = {near_side(b, field, terms[i], lens[i]), NULL};
		kids[1] = near_side(b, field, terms[i + 1], lens[i + 1]);
		if (!kids[0] || !kids[1]) {
			lx_q_free(kids[0]), lx_q_free(kids[1]);
			b->oom = 1;
			break;
		}
		ql_push(b, opt, lx_q_scale(lx_q_combine(LX_NEAR, kids, 2, PROX_WINDOW), PROX_SCALE));
	}
	for (size_t i = 0; i < nt; i++)
		free(terms[i]);
}

/* Whether a typed word ends in a truncation hyphen: "Haus-", "Wirtschafts-,". */
static int truncated_word(const lq_node *n)
{
	size_t l = n->text_len;
	while (l > 0 && n->text[l - 1] == ',')
		l--;
	return n->kind == LQ_WORD && l >= 2 && n->text[l - 1] == '-';
}

/*
 * "Haus- und Gartenarbeit" typed as a query: the parser makes each word a
 * node, so the coordination is analysed again as one text, exactly as a
 * document's would be, and the completed compounds (hausarbeit) become
 * optional terms beside the words.
 */
static void complete_truncated(builder *b, const lq_node *g, qlist *opt)
{
	for (size_t i = 0; i < g->n_kids && !b->oom; i++) {
		const lq_node *a = g->kids[i];
		if (!truncated_word(a) || a->occur == LQ_EXCLUDED || a->field >= LQ_FIELD_SOURCE)
			continue;
		size_t e = i + 1;
		while (e < g->n_kids && e - i < 10 && g->kids[e]->kind == LQ_WORD && g->kids[e]->field == a->field &&
		       g->kids[e]->occur != LQ_EXCLUDED && truncated_word(g->kids[e]))
			e++;
		e += 3; /* a conjunction ("als auch") and the compound that completes them */
		if (e > g->n_kids)
			e = g->n_kids;
		b->tmp.len = 0;
		for (size_t k = i; k < e; k++)
			if (lupe_buf_append(&b->tmp, g->kids[k]->text, g->kids[k]->text_len) < 0 ||
			    lupe_buf_putc(&b->tmp, ' ') < 0) {
				b->oom = 1;
				return;
			}
		lupe_tokens_reset(b->toks);
		if (lupe_analyze_into(b->an, b->toks, b->tmp.p, b->tmp.len, 0) < 0) {
			b->oom = 1;
			return;
		}
		for (size_t k = 0; k < b->toks->n; k++) {
			const lupe_itok *t = &b->toks->v[k];
			if (!(t->flags & LUPE_TOKEN_COMPLETED) || t->start >= a->text_len)
				continue;
			const char *term = lupe_itok_term(b->toks, t);
			b->group++;
			note_term(b, term, t->term_len, 0, LUPE_QT_WORD);
			ql_push(b, opt, term_q(b, a->field, term, t->term_len));
		}
	}
}

/*
 * The words of an optional phrase, each on its own (stopwords left out),
 * OR-ed: NULL when there are none.  Among other words a quoted phrase is
 * mostly a name or a quotation the question repeats ("zu seinen Ehren „die
 * Tesla-Einheit“ genannt"), which the document may word differently ("zu
 * Ehren von Tesla ... die SI-Maßeinheit"): the phrase keeps its weight as a
 * bonus, and its words count as the question's other words do, so that a
 * document missing the exact phrase is still ranked by them.
 */
static lx_query *phrase_words_q(builder *b, const lq_node *n)
{
	lupe_tokens_reset(b->toks);
	if (lupe_analyze_into(b->an, b->toks, n->text, n->text_len, 0) < 0) {
		b->oom = 1;
		return NULL;
	}
	qlist l = {0};
	for (size_t i = 0; i < b->toks->n; i++) {
		const lupe_itok *k = &b->toks->v[i];
		if (k->kind != LUPE_TOKEN_WORD || (k->flags & LUPE_TOKEN_STOPWORD))
			continue;
		ql_push(b, &l, term_q(b, n->field, lupe_itok_term(b->toks, k), k->term_len));
	}
	return ql_combine(b, &l, LX_OR, 0);
}

/* Free text: required kids AND-ed, optional ones add weight, excluded ones filter out. */
static lx_query *group(builder *b, const lq_node *n, int depth)
{
	qlist req = {0}, opt = {0}, exc = {0}, stop = {0}, filt = {0};
	/*
	 * The terms of optional stopwords ("Wie viele ... ?"): they are left out
	 * of the query when anything else is left, so they are not highlighted
	 * either (snippets would be chosen for, and marked at, words that did
	 * not match).  Kept aside here, noted again if the stopwords are all
	 * the query has.
	 */
	lupe_buf stop_terms = {0};
	size_t content = 0; /* kids that are words (a phrase among other words: phrase_words_q) */
	for (size_t i = 0; i < n->n_kids; i++)
		content += n->kids[i]->occur != LQ_EXCLUDED && !is_filter(n->kids[i]);
	for (size_t i = 0; i < n->n_kids && !b->oom; i++) {
		const lq_node *k = n->kids[i];
		int all_stop = 0;
		lx_query *q;
		size_t noted = b->qt->n_terms, noted_len = b->qt->terms.len;
		if (k->kind == LQ_WORD || k->kind == LQ_PHRASE || k->kind == LQ_PREFIX || k->kind == LQ_NEAR)
			q = leaf(b, k, &all_stop);
		else
			q = build(b, k, depth + 1);
		if (!q)
			continue;
		if (is_filter(k) && k->occur != LQ_EXCLUDED)
			ql_push(b, &filt, q); /* source:x restricts, it does not add weight */
		else if (k->occur == LQ_REQUIRED)
			ql_push(b, &req, q);
		else if (k->occur == LQ_EXCLUDED)
			ql_push(b, &exc, q);
		else if (all_stop && k->kind == LQ_WORD) {
			ql_push(b, &stop, q); /* used only if nothing else is left */
			if (b->qt->terms.len > noted_len &&
			    lupe_buf_append(&stop_terms, b->qt->terms.p + noted_len, b->qt->terms.len - noted_len) < 0)
				b->oom = 1;
			b->qt->terms.len = noted_len;
			b->qt->n_terms = noted;
		} else {
			ql_push(b, &opt, q);
			if (k->kind == LQ_PHRASE && content > 1) {
				lx_query *w = phrase_words_q(b, k);
				if (w)
					ql_push(b, &opt, w);
			}
		}
	}
	join_neighbours(b, n, &opt);
	complete_truncated(b, n, &opt);
	if (opt.n >= 2)
		proximity(b, n, &opt);
	if (opt.n == 0 && req.n == 0) {
		qlist tmp = opt;
		opt = stop;
		stop = tmp;
		for (size_t at = 0; at < stop_terms.len; at += strlen(stop_terms.p + at) + 1)
			note_term(b, stop_terms.p + at, strlen(stop_terms.p + at), 0, LUPE_QT_WORD);
	}
	lupe_buf_free(&stop_terms);
	ql_free(&stop);
	lx_query *r = ql_combine(b, &req, LX_AND, 0);
	lx_query *o = ql_combine(b, &opt, LX_OR, 0);
	if (r && o) {
		lx_query *kids[2] = {r, o};
		r = lx_q_combine(LX_AND_MAYBE, kids, 2, 0);
	} else if (!r) {
		r = o;
	}
	lx_query *f = ql_combine(b, &filt, LX_OR, 0);
	if (f && r) {
		lx_query *kids[2] = {r, f};
		r = lx_q_combine(LX_FILTER, kids, 2, 0);
	} else if (f) {
		r = f;
	}
	lx_query *x = ql_combine(b, &exc, LX_OR, 0);
	if (x) {
		if (!r)
			r = lx_q_matchall(); /* "-wort" alone: everything without it */
		lx_query *kids[2] = {r, x};
		r = lx_q_combine(LX_AND_NOT, kids, 2, 0);
	}
	return r;
}

static lx_query *build(builder *b, const lq_node *n, int depth)
{
	int all_stop;
	if (b->oom || depth > 2 * LQ_MAX_DEPTH)
		return NULL;
	switch (n->kind) {
	case LQ_GROUP:
		return group(b, n, depth);
	case LQ_AND:
	case LQ_OR:
	case LQ_ANDNOT: {
		qlist l = {0};
		for (size_t i = 0; i < n->n_kids; i++) {
			lx_query *q = build(b, n->kids[i], depth + 1);
			if (q)
				ql_push(b, &l, q);
			else if (n->kind == LQ_ANDNOT && i == 0) {
				ql_push(b, &l, lx_q_matchall());
			}
		}
		int op = n->kind == LQ_AND ? LX_AND : n->kind == LQ_OR ? LX_OR : LX_AND_NOT;
		if (n->kind == LQ_ANDNOT && l.n == 1) { /* nothing to exclude */
			return ql_combine(b, &l, LX_OR, 0);
		}
		return ql_combine(b, &l, op, 0);
	}
	default:
		return leaf(b, n, &all_stop);
	}
}

/*
 * The terms of the query's words, looked up in one batch before the query
 * is built: typo tolerance and the compound back-off ask for each, and
 * over remote shards one exchange for all beats one per word.
 */
static void prefetch_words(builder *b, const lq_node *n, int depth, lupe_buf *terms, size_t *count)
{
	if (depth > 2 * LQ_MAX_DEPTH || *count >= LUPE_TYPO_BUDGET * 2 || is_filter(n))
		return;
	if (n->kind == LQ_WORD) {
		lupe_tokens_reset(b->toks);
		if (lupe_analyze_into(b->an, b->toks, n->text, n->text_len, 0) < 0)
			return;
		for (size_t i = 0; i < b->toks->n && *count < LUPE_TYPO_BUDGET * 2; i++) {
			const lupe_itok *k = &b->toks->v[i];
			if (k->kind != LUPE_TOKEN_WORD || (k->flags & LUPE_TOKEN_STOPWORD))
				continue;
			if (lupe_buf_append(terms, lupe_itok_term(b->toks, k), k->term_len + 1) < 0 ||
			    lupe_buf_append(terms, lupe_itok_form(b->toks, k), k->form_len) < 0 ||
			    lupe_buf_putc(terms, '\0') < 0)
				return;
			(*count)++;
		}
		return;
	}
	for (size_t i = 0; i < n->n_kids; i++)
		prefetch_words(b, n->kids[i], depth + 1, terms, count);
}

static void prefetch(builder *b, const lq_node *root)
{
	lupe_buf terms = {0};
	size_t n = 0;
	prefetch_words(b, root, 0, &terms, &n);
	const char *t[LUPE_TYPO_BUDGET * 2], *f[LUPE_TYPO_BUDGET * 2];
	size_t l[LUPE_TYPO_BUDGET * 2], fl[LUPE_TYPO_BUDGET * 2];
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		t[i] = terms.p + at;
		l[i] = strlen(t[i]);
		at += l[i] + 1;
		f[i] = terms.p + at;
		fl[i] = strlen(f[i]);
		at += fl[i] + 1;
	}
	/*
	 * Hints: a failure only costs look-ups later.  The words' own
	 * frequencies first, then the variants of those that may be mistyped,
	 * all words in one batch (typo.h).
	 */
	if (lupe_typo_memo_prefetch(b->memo, b->x, t, l, n) == 0)
		lupe_typo_memo_prepare(b->memo, b->x, b->an, f, fl, t, l, n);
	lupe_buf_free(&terms);
}

/* The words and phrases of a query tree, counted up to `most` + 1. */
static size_t count_leaves(const lq_node *n, size_t most, int depth)
{
	if (n->kind == LQ_WORD || n->kind == LQ_PHRASE || n->kind == LQ_PREFIX)
		return 1;
	size_t c = 0;
	for (size_t i = 0; i < n->n_kids && c <= most && depth < 2 * LQ_MAX_DEPTH; i++)
		c += count_leaves(n->kids[i], most, depth + 1);
	return c;
}

int lupe_query_build(lx_db *x, unsigned flags, lupe_analyzer *an, lupe_tokens *toks, lupe_typo_memo *memo,
		     const lq_node *root, lx_query **out, lupe_qterms *qt, lupe_err *err)
{
	builder b = {x, flags, "", an, toks, qt, {0}, err, 0, LUPE_TYPO_BUDGET, memo,
		     0, NULL, EXPANSION_MAX, FUZZY_WORDS_MAX, 0, 0, 0, 0, 0, {{"", {""}, {""}, 0}}, 0};
	/* Compound repairs are for keyword queries (compound_typo). */
	if (count_leaves(root, COMPOUND_REPAIR_WORDS, 0) > COMPOUND_REPAIR_WORDS)
		b.compound_repairs = COMPOUND_REPAIRS_MAX;
	b.lone = count_leaves(root, 1, 0) == 1;
	if (memo && lx_remote(x))
		prefetch(&b, root);
	*out = build(&b, root, 0);
	lupe_buf_free(&b.tmp);
	if (b.failed && !b.oom) {
		lx_q_free(*out);
		*out = NULL;
		return b.failed;
	}
	if (b.qerr[0] && !b.oom) {
		lx_q_free(*out);
		*out = NULL;
		return lupe_err_set(err, LUPE_EQUERY, "query: %s", b.qerr);
	}
	if (b.oom) {
		lx_q_free(*out);
		*out = NULL;
		return lupe_err_set(err, LUPE_ENOMEM, "query: out of memory");
	}
	if (!*out)
		return lupe_err_set(err, LUPE_EQUERY, "query has no searchable words");
	return LUPE_OK;
}
