#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/decompound.h"
#include "analysis/german.h"
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
/* Documents read to see a variant written when the first SURFACE_DOCS show no close form (shown()). */
#define SHOWN_DOCS 16

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
 * The written form of `term` in the collection closest to `want` (folded:
 * the word typed, or a variant of it), from the first `docs` documents that
 * hold it, if one is within max edits: appended to out, its distance
 * returned; max + 1 when there is none.  One edit away is as close as a
 * typo gets: the search stops there (max 0: an exact match).
 */
static int surface(sctx *c, const char *term, const lupe_buf *want, int max, size_t docs, lupe_buf *out)
{
	lupe_buf unpacked = {0};
	lupe_tokens toks = {0};
	lupe_record rec;
	lupe_err err;
	lupe_qterms qt = {0};
	lupe_snip_keys *keys = NULL;
	lx_mset *ms = NULL;
	lx_params p = {0};
	int best = max + 1, stop = max > 0; /* one edit away is as close as a typo gets */
	/*
	 * Of forms one edit away, one that a usual typo explains
	 * (lupe_typo_usual): "körperliceh" is "körperliche" with two letters
	 * swapped, not "körperlich" with an e added; "englisce" is "englische"
	 * with the h dropped, not "englisch" with the h hit as e.  The first
	 * such form ends the search; else the first form one edit away.
	 */
	int usual = 0, going = 1;
	lx_query *q = lx_q_term(term, strlen(term), 1);
	p.k1 = 1.2;
	p.b = 0.75;
	p.reopened = 1; /* the revision the search and its query read (lupe_search reopened) */
	/*
	 * A remote reader keeps the page of this search for the revision it
	 * reads (lx_search_kept): a correction met again costs no exchange.
	 */
	char key[128];
	int kl = snprintf(key, sizeof key, "surface:%zu:%s", docs, term);
	if (!q || (kl > 0 && (size_t)kl < sizeof key
			   ? lx_search_kept(c->x, q, key, (size_t)kl, docs, &p, &ms, &err)
			   : lx_search(c->x, q, 0, docs, &p, &ms, &err)) != LUPE_OK)
		goto done;
	if (lupe_buf_append(&qt.terms, term, strlen(term) + 1) < 0)
		goto done;
	qt.n_terms = 1;
	if (lupe_snip_keys_new(&keys, &qt) < 0)
		goto done;
	for (size_t d = 0; d < lx_mset_size(ms) && going; d++) {
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
		for (int f = 0; f < 2 && going; f++) {
			/* Only around the places the term may be (snippet.c's prefilter). */
			if (lupe_analyze_near(c->an, &toks, fields[f], lens[f], keys, 0) < 0)
				goto done;
			for (size_t i = 0; i < toks.n && going; i++) {
				const lupe_itok *k = &toks.v[i];
				if (k->kind != LUPE_TOKEN_WORD || strcmp(lupe_itok_term(&toks, k), term) != 0)
					continue;
				const char *w = fields[f] + k->start;
				size_t wl = k->end - k->start;
				c->fb.len = 0;
				if (lupe_analyzer_fold(c->an, w, wl, &c->fb) < 0)
					continue;
				int dist = lupe_fuzzy_osa(want->p, want->len, c->fb.p, c->fb.len, max);
				int u = dist == 1 && lupe_typo_usual(want->p, want->len, c->fb.p, c->fb.len);
				if (dist < best || (dist == 1 && best == 1 && u)) {
					out->len = 0;
					if (lupe_buf_append(out, w, wl) < 0)
						goto done;
					best = dist;
					usual = u;
					going = best > stop || (best == 1 && !usual);
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

/*
 * Whether the first SHOWN_DOCS documents holding `term` write the variant
 * (folded) as a word: a variant no document writes is no word
 * (Südkalifornische -> "Südkaliforniische", whose term is Südkalifornien's).
 */
static int shown(sctx *c, const char *term, const char *variant)
{
	lupe_buf w = {0};
	const lupe_buf want = {(char *)variant, strlen(variant), 0};
	int found = surface(c, term, &want, 0, SHOWN_DOCS, &w) == 0;
	lupe_buf_free(&w);
	return found;
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

/* Whether a word has capitals beyond its first letter (ARPNET, DISCOVERABLE). */
static int inner_capitals(const char *typed, size_t tn)
{
	const unsigned char *t = (const unsigned char *)typed;
	for (size_t i = 1; i < tn; i++)
		if ((t[i] >= 'A' && t[i] <= 'Z') || (t[i - 1] == 0xC3 && t[i] >= 0x80 && t[i] <= 0x9E && i > 1))
			return 1;
	return 0;
}

/*
 * A one-edit variant (folded, lower case) written as the word typed: a
 * capital first letter stays capital.  0, or -1 when the word typed has
 * capitals beyond its first letter (ARPNET), which the variant cannot show.
 */
/*
 * w's first letter in the case of the word typed: lower case when the user
 * wrote it so (not in a word w writes in capitals), a capital when the user
 * wrote one (Englsich -> Englisch where the documents say "englisch"; ä -> Ä).
 */
static void first_case(const char *typed, size_t tn, lupe_buf *w)
{
	const unsigned char *t = (const unsigned char *)typed;
	unsigned char *o = (unsigned char *)w->p;
	if (tn == 0 || w->len == 0)
		return;
	if (t[0] >= 'a' && t[0] <= 'z' && o[0] >= 'A' && o[0] <= 'Z' && !(w->len > 1 && o[1] >= 'A' && o[1] <= 'Z'))
		o[0] = (unsigned char)(o[0] + 32);
	else if (t[0] >= 'A' && t[0] <= 'Z' && o[0] >= 'a' && o[0] <= 'z')
		o[0] = (unsigned char)(o[0] - 32);
	else if (tn > 1 && t[0] == 0xC3 && t[1] >= 0x80 && t[1] <= 0x9E && w->len > 1 && o[0] == 0xC3 &&
		 o[1] >= 0xA0 && o[1] <= 0xBE)
		o[1] = (unsigned char)(o[1] - 0x20);
}

static int as_typed(const char *typed, size_t tn, const char *v, lupe_buf *out)
{
	if (inner_capitals(typed, tn))
		return -1;
	out->len = 0;
	if (lupe_buf_append(out, v, strlen(v)) < 0 || out->len == 0)
		return -1;
	first_case(typed, tn, out);
	return 0;
}

/*
 * A one-edit variant `fixed` (folded) of the word typed (orig, folded:
 * form), as the user wrote it with the one edit made: the letters before
 * and after the edit keep their spelling and case (Straßenbahnhaltstelle
 * -> Straßenbahnhaltestelle, görßten -> größten).  The edit is found by
 * comparing the folded word with the variant, and mapped back through the
 * word folded a character at a time; when that does not give the folded
 * word, the variant is written with the first letter as typed
 * (as_typed()).  Into w: 0, or -1 when there is none (capitals beyond the
 * first letter, as in as_typed(); an edit of the first letter).
 *
 * A compound the search mended (query/typo.h, lupe_typo_compound) is named
 * so (mended()).
 */
#define MEND_CHARS 64

static int written(sctx *c, const char *orig, size_t ol, const char *form, size_t fl, const char *fixed,
		   lupe_buf *w)
{
	if (inner_capitals(orig, ol))
		return -1;
	size_t xl = strlen(fixed);
	size_t cut[MEND_CHARS + 1], fcut[MEND_CHARS + 1], nch = 0; /* char boundaries: bytes of orig, of its fold */
	int mapped = 1;
	c->fb.len = 0;
	cut[0] = fcut[0] = 0;
	for (size_t i = 0; i < ol && mapped;) {
		size_t at = i;
		lupe_utf8_next(orig, ol, &i);
		mapped = nch < MEND_CHARS && lupe_analyzer_fold(c->an, orig + at, i - at, &c->fb) == 0;
		if (mapped) {
			nch++;
			cut[nch] = i;
			fcut[nch] = c->fb.len;
		}
	}
	if (!(mapped && c->fb.len == fl && memcmp(c->fb.p, form, fl) == 0))
		return as_typed(orig, ol, fixed, w);
	size_t p = 0, q = 0;
	while (p < fl && p < xl && form[p] == fixed[p])
		p++;
	while (q < fl - p && q < xl - p && form[fl - 1 - q] == fixed[xl - 1 - q])
		q++;
	size_t a = 0, z = nch; /* orig keeps chars [0, a) and [z, nch) */
	while (a < nch && fcut[a + 1] <= p)
		a++;
	while (z > a && fl - fcut[z - 1] <= q)
		z--;
	if (a < SUGGEST_KEEP)
		return -1; /* as lupe_typo_corrections' candidates: the first letter is the user's */
	w->len = 0;
	if (lupe_buf_append(w, orig, cut[a]) < 0 ||
	    lupe_buf_append(w, fixed + fcut[a], xl - (fl - fcut[z]) - fcut[a]) < 0 ||
	    lupe_buf_append(w, orig + cut[z], ol - cut[z]) < 0)
		return -1;
	return 0;
}

/*
 * A variant's edited letters as the documents write the word: the search
 * makes variants with plain letters, whose terms are those of the umlaut
 * spellings (Snowball stems ä as a), so "Komplexittsklassen" gives
 * "komplexitatsklassen".  When `shown` (folded: a form the documents
 * write, another inflection) is closer to the variant with an a, o or u
 * of the edit written ä, ö or ü, the variant (v, NUL-terminated, room for
 * LUPE_TYPO_FORM bytes) takes the umlaut.
 */
static void umlaut_as_shown(const char *form, size_t fl, char *v, const lupe_buf *shown)
{
	size_t vl = strlen(v), p = 0, q = 0;
	while (p < fl && p < vl && form[p] == v[p])
		p++;
	while (q < fl - p && q < vl - p && form[fl - 1 - q] == v[vl - 1 - q])
		q++;
	int now = lupe_fuzzy_osa(v, vl, shown->p, shown->len, 6);
	for (size_t i = p; i < vl - q && vl + 1 < LUPE_TYPO_FORM; i++) {
		const char *uml = v[i] == 'a' ? "\xC3\xA4" : v[i] == 'o' ? "\xC3\xB6" : v[i] == 'u' ? "\xC3\xBC" : NULL;
		if (!uml)
			continue;
		char t[LUPE_TYPO_FORM];
		memcpy(t, v, i);
		memcpy(t + i, uml, 2);
		memcpy(t + i + 2, v + i + 1, vl - i); /* with the NUL */
		if (lupe_fuzzy_osa(t, vl + 1, shown->p, shown->len, 6) < now) {
			memcpy(v, t, vl + 2);
			return;
		}
	}
}

/* Whether the written form w (one edit from the word typed) is one a usual typo explains. */
static int shown_usual(sctx *c, const lupe_buf *w)
{
	c->fb.len = 0;
	return lupe_analyzer_fold(c->an, w->p, w->len, &c->fb) == 0 &&
	       lupe_typo_usual(c->typed.p, c->typed.len, c->fb.p, c->fb.len);
}

static void mended(sctx *c, const char *orig, size_t ol, const char *form, size_t fl, const char *fixed)
{
	lupe_buf w = {0};
	if (written(c, orig, ol, form, fl, fixed, &w) == 0)
		replace(c, orig, ol, w.p, w.len);
	lupe_buf_free(&w);
}

/* word()'s form takes a one-edit variant of the word as typed in its place. */
_Static_assert(LUPE_TYPO_FORM <= LUPE_WORD_MAX * 3, "a variant fits the form buffer");

/*
 * For a word the splitter cuts into parts: only the usual corrections
 * (lupe_typo_keep_usual), and none that only adds a letter at the end.  A
 * compound the splitter cuts, with a letter added at its end, is another
 * form of the word typed, not the word meant (Zigarettenschachtel: the
 * documents say Zigarettenschachteln).  The search still looks for it.
 */
static int keep_for_split(lupe_typo_cand *cand, int nc, const char *form, size_t fl)
{
	nc = lupe_typo_keep_usual(cand, nc);
	int kept = 0;
	for (int j = 0; j < nc; j++)
		if (!(strlen(cand[j].form) == fl + 1 && memcmp(cand[j].form, form, fl) == 0))
			cand[kept++] = cand[j];
	return kept;
}

/*
 * The closest as written of the first few candidates; ties to the
 * earlier (lupe_typo_corrections' order: a usual typo's first, then the
 * more frequent).  A candidate found as a one-edit variant
 * of the word is one edit away as the variant: when the documents
 * show a form close enough but not that close, the variant is the
 * word meant, in the inflection typed ("Interceptiion" ->
 * "Interception", where the documents say "Interceptions").  With
 * no close form at all the variant is no word ("Turbinen" ->
 * "Turinen", from Turin), unless the index lacks the word typed,
 * the edit undoes a usual typo (lupe_typo_usual) and the variant is a
 * German word of the word list or more of the term's documents
 * write it (shown(): Veretidigung -> Verteidigung, when the first
 * documents of verteid say "verteidigen"); such a variant comes
 * after any form the documents show of a candidate a usual typo
 * explains too, written as the user wrote the rest (written()).  A
 * form shown that no usual typo explains, often a document's own
 * typo, does not displace it ("Anüfhrer" -> "Anführer", not the
 * "Anührer" of one document).
 * A word the index holds, however rarely, or one the splitter cuts
 * into parts (südkalifornische: süd|kalifornische) gets none so.
 *
 * cand[0..nc) are corrections of `form` (the word typed, folded and read as
 * the analyzer reads it, or as typed); own: the word's own frequency.
 * The written form goes to *best; returns its distance (dist + 1: none)
 * and sets *kind: 0 a form the documents show, 1 a variant written so
 * because they show one close enough (its distance then counts as 1), 2
 * a variant they do not show (the last case above).
 */
static int choose(sctx *c, const char *orig, size_t ol, const char *form, size_t fl, const lupe_typo_cand *cand,
		  int nc, uint64_t own, int split, int dist, lupe_buf *best, int *kind)
{
	lupe_buf w = {0};
	int best_d = dist + 1, best_fb = 0, best_usual = 0;
	*kind = 2;
	for (int j = 0; j < nc && (best_d > 1 || best_fb); j++) {
		int d = surface(c, cand[j].c.term, &c->typed, dist, SURFACE_DOCS, &w), fb = 0, rewritten = 0;
		char v[LUPE_TYPO_FORM];
		if (d > 1 && d <= dist && cand[j].form[0]) {
			/* written as the user wrote the rest, the edit as the documents write it */
			snprintf(v, sizeof v, "%s", cand[j].form);
			c->fb.len = 0;
			if (lupe_analyzer_fold(c->an, w.p, w.len, &c->fb) == 0)
				umlaut_as_shown(form, fl, v, &c->fb);
			if (written(c, orig, ol, form, fl, v, &w) == 0 || as_typed(orig, ol, v, &w) == 0) {
				d = 1;
				rewritten = 1;
			}
		} else if (d == 1 && cand[j].usual_form[0] &&
			   lupe_decomp_known(cand[j].usual_form, strlen(cand[j].usual_form)) == 2 &&
			   !shown_usual(c, &w)) {
			/*
			 * The form the documents show is one edit away by an edit no
			 * usual typo explains (an e added: "körperliceh" ->
			 * "körperlich"); a variant that one explains and the word
			 * list knows is the word meant (two letters swapped:
			 * "körperliche").
			 */
			lupe_buf u = {0};
			if (written(c, orig, ol, form, fl, cand[j].usual_form, &u) == 0) {
				lupe_buf t = w;
				w = u;
				u = t;
			}
			lupe_buf_free(&u);
		}
		/* the variant a usual typo explains (the one the word list knows, if any) */
		const char *vf = cand[j].usual_form[0] ? cand[j].usual_form : cand[j].form;
		if (d > dist && own == 0 && !split && vf[0] && lupe_typo_usual(form, fl, vf, strlen(vf)) &&
		    (lupe_decomp_known(vf, strlen(vf)) == 2 || shown(c, cand[j].c.term, vf)) &&
		    written(c, orig, ol, form, fl, vf, &w) == 0) {
			d = dist;
			fb = 1;
		}
		if (d < best_d || (d == best_d && best_fb && !fb && (cand[j].usual || !best_usual))) {
			lupe_buf t = *best;
			*best = w;
			w = t;
			best_d = d;
			best_fb = fb;
			best_usual = cand[j].usual;
			*kind = fb ? 2 : rewritten;
		}
	}
	lupe_buf_free(&w);
	return best_d;
}

/* Whether written form a (folded) is fewer edits from the word typed (c->typed) than b. */
static int closer(sctx *c, const lupe_buf *a, const lupe_buf *b)
{
	int d[2];
	const lupe_buf *w[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		c->fb.len = 0;
		if (!w[i]->len || lupe_analyzer_fold(c->an, w[i]->p, w[i]->len, &c->fb) < 0)
			return 0;
		d[i] = lupe_fuzzy_osa(c->typed.p, c->typed.len, c->fb.p, c->fb.len, 8);
	}
	return d[0] < d[1];
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
		/*
		 * A word the word list knows (German or English) is typed right:
		 * the search still looks for its corrections when the index
		 * lacks it, the suggestion names none (mitspielte, verkündigte).
		 */
		if (lupe_decomp_known(form, fl))
			continue;
		int dist = lupe_fuzzy_distance(lupe_utf8_count(form, fl));
		lupe_typo_cand cand[SUGGEST_TRY];
		uint64_t own = 0;
		/* The splitter cut the word into parts: a compound, not a typo (südkalifornische). */
		int split = i + 1 < nt && c->toks->v[i + 1].kind == LUPE_TOKEN_PART;
		int nc = lupe_typo_corrections(c->x, c->an, c->memo, form, fl, term, k->term_len, SUGGEST_KEEP,
					       &c->budget, &own, cand, SUGGEST_TRY);
		/* As typo_q: a word whose ae, oe or ue a typo made, as typed (köroerliche). */
		char raw[LUPE_TYPO_FORM];
		size_t rl = own == 0 ? lupe_de_unspelled(orig, ol, raw, sizeof raw) : 0;
		int replaced;
		nc = lupe_typo_corrections_as_typed(c->x, c->an, c->memo, raw, rl, form, fl, term, k->term_len,
						    SUGGEST_KEEP, &c->budget, &own, cand, nc, SUGGEST_TRY, &replaced);
		if (replaced) {
			memcpy(form, raw, rl); /* the corrections are variants of the word as typed */
			fl = rl;
		}
		if (nc > 0 && split)
			nc = keep_for_split(cand, nc, form, fl);
		if (nc <= 0) {
			char fixed[LUPE_TYPO_FORM];
			int named;
			if (nc == 0 && lupe_typo_memo_mended(c->memo, form, fl, fixed, &named) > 0 && named)
				mended(c, orig, ol, form, fl, fixed);
			continue;
		}
		c->typed.len = 0;
		if (lupe_analyzer_fold(c->an, orig, ol, &c->typed) < 0)
			continue;
		lupe_buf best = {0};
		int kind;
		int best_d = choose(c, orig, ol, form, fl, cand, nc, own, split, dist, &best, &kind);
		/*
		 * A typo can make an ae, oe or ue pair that the analyzer reads as
		 * an umlaut: "huegnottische" (e and g swapped) reads as
		 * "hügnottische", one edit from "hügenottische", a spelling no
		 * document writes; "spirituele" (an l dropped) as "spiritüle",
		 * one edit from "spiritüale".  When that reading gives no form the
		 * documents show one edit from the word typed, the word as typed
		 * is read too, with those of its corrections that undo a usual
		 * typo, and the closer of the two named, the first on a tie:
		 * "hugenottische", "spirituelle".  (With no usual correction of the first reading,
		 * lupe_typo_corrections_as_typed above already chose.)
		 */
		if (rl > 0 && !replaced && (best_d > 1 || kind != 0) && lupe_typo_any_usual(cand, nc)) {
			lupe_typo_cand alt[SUGGEST_TRY];
			uint64_t aown = 0;
			int na = lupe_typo_corrections(c->x, c->an, c->memo, raw, rl, term, k->term_len, SUGGEST_KEEP,
						       &c->budget, &aown, alt, SUGGEST_TRY);
			/* only what a usual typo explains: the reason to read it so */
			na = split ? keep_for_split(alt, na, raw, rl) : lupe_typo_keep_usual(alt, na);
			if (na > 0) {
				lupe_buf b2 = {0};
				int kind2;
				/* the word typed as it reads so (the fold reads ae, oe, ue as umlauts) */
				c->typed.len = 0;
				if (lupe_buf_append(&c->typed, raw, rl) < 0) {
					lupe_buf_free(&best);
					continue;
				}
				int d2 = choose(c, orig, ol, raw, rl, alt, na, own, split, dist, &b2, &kind2);
				if (d2 < best_d || (d2 == best_d && (kind2 < kind || (kind2 == kind && closer(c, &b2, &best))))) {
					lupe_buf t = best;
					best = b2;
					b2 = t;
					best_d = d2;
					kind = kind2;
				}
				lupe_buf_free(&b2);
			}
		}
		if (best_d <= dist && best.len) {
			first_case(orig, ol, &best); /* Englsich -> Englisch, kommunkation -> kommunikation */
			replace(c, orig, ol, best.p, best.len);
		}
		lupe_buf_free(&best);
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
