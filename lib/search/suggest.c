#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/document.h"
#include "query/fuzzy.h"
#include "search/snippet.h"
#include "search/suggest.h"
#include "util/buf.h"
#include "util/utf8.h"

/*
 * Which words get a suggestion, and which suggestions are made.
 *
 *  - Only words the index does not hold (Lucene's default,
 *    SUGGEST_WHEN_NOT_IN_INDEX; Xapian's spelling correction likewise): a
 *    rare word that is there is found as typed, and on the public question
 *    set, rare names and terms ("Sepsis", "Hutton") drew suggestions of
 *    frequent words that merely look alike ("Skepsis", "Huston").
 *  - Candidates are the index terms near the word's term (lupe_fuzzy_terms),
 *    but terms are stems, and a stem one edit away can belong to a word
 *    that is not ("turbin" -> "turin": Turbine -> Turin; "algier" ->
 *    "agier": Algier -> agieren).  So the word written in the collection
 *    must itself be within the word's distance of the word typed (compared
 *    in lower case), or the next candidate is tried.
 *  - A suggestion keeps the word's first letter (see lupe_fuzzy_terms).
 */
#define SUGGEST_KEEP 1

/*
 * The word of the collection whose term is `term`, as written in the first
 * document that holds it (so the suggestion reads "Kommunikation", not the
 * stem "kommunikation").  Appends it to out; 0 on success, -1 otherwise.
 */
static int surface(lx_db *x, lupe_analyzer *an, const char *term, lupe_buf *out)
{
	lupe_buf data = {0}, unpacked = {0};
	lupe_tokens toks = {0};
	lupe_record rec;
	lupe_err err;
	lupe_qterms qt = {0};
	lupe_snip_keys *keys = NULL;
	int found, rc = -1;
	if (lx_first_data(x, term, strlen(term), &data, &found, &err) != LUPE_OK || !found ||
	    lupe_record_parse(data.p, data.len, &unpacked, &rec) < 0)
		goto done;
	const char *fields[2] = {rec.title, rec.text};
	/* The part of a body snippets read, so the term is found where a snippet finds it. */
	size_t lens[2] = {rec.title_len, rec.text_len > LUPE_SNIPPET_SCAN_MAX
						 ? lupe_utf8_floor(rec.text, LUPE_SNIPPET_SCAN_MAX)
						 : rec.text_len};
	if (lupe_buf_append(&qt.terms, term, strlen(term) + 1) < 0)
		goto done;
	qt.n_terms = 1;
	if (lupe_snip_keys_new(&keys, &qt) < 0)
		goto done;
	for (int f = 0; f < 2 && rc < 0; f++) {
		/* Only around the places the term may be (snippet.c's prefilter). */
		if (lupe_analyze_near(an, &toks, fields[f], lens[f], keys, 0) < 0)
			break;
		for (size_t i = 0; i < toks.n; i++) {
			const lupe_itok *k = &toks.v[i];
			if (k->kind == LUPE_TOKEN_WORD && strcmp(lupe_itok_term(&toks, k), term) == 0) {
				rc = lupe_buf_append(out, fields[f] + k->start, k->end - k->start);
				break;
			}
		}
	}
done:
	lupe_snip_keys_free(keys);
	lupe_qterms_free(&qt);
	lupe_tokens_release(&toks);
	lupe_buf_free(&data);
	lupe_buf_free(&unpacked);
	return rc;
}

typedef struct {
	lx_db *x;
	lupe_analyzer *an;
	lupe_tokens *toks;
	lupe_buf out;      /* the query being corrected */
	int changed;
	lupe_buf fa, fb;   /* scratch: the two words close_as_written() compares, folded */
} sctx;

/*
 * Whether the word written in the collection is within dist edits of the
 * word typed, both folded as the analyzer folds a word before stemming
 * (case, canonical spelling: "Ueberstunden" and "Überstunden" are 0 apart).
 */
static int close_as_written(sctx *c, const char *typed, size_t tn, const char *found, size_t fn, int dist)
{
	c->fa.len = c->fb.len = 0;
	if (lupe_analyzer_fold(c->an, typed, tn, &c->fa) < 0 || lupe_analyzer_fold(c->an, found, fn, &c->fb) < 0)
		return 0;
	return lupe_fuzzy_osa(c->fa.p, c->fa.len, c->fb.p, c->fb.len, dist) <= dist;
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

static void word(sctx *c, const lq_node *n)
{
	/* surface() analyses into tokens of its own: c->toks holds this word's throughout. */
	lupe_tokens_reset(c->toks);
	if (lupe_analyze_into(c->an, c->toks, n->text, n->text_len, 0) < 0)
		return;
	size_t nt = c->toks->n;
	for (size_t i = 0; i < nt; i++) {
		const lupe_itok *k = &c->toks->v[i];
		if (k->kind != LUPE_TOKEN_WORD || (k->flags & LUPE_TOKEN_STOPWORD) || k->form_len < 4)
			continue;
		char term[64], orig[256];
		if (k->term_len >= sizeof term || k->end - k->start >= sizeof orig)
			continue;
		memcpy(term, lupe_itok_term(c->toks, k), k->term_len + 1);
		size_t ol = k->end - k->start;
		memcpy(orig, n->text + k->start, ol);
		int dist = lupe_fuzzy_distance(k->form_len);
		if (dist == 0 || lx_termfreq(c->x, term, k->term_len) > 0)
			continue;
		lupe_fuzzy_cand cand[LUPE_FUZZY_MAX];
		int nc = lupe_fuzzy_terms(c->x, term, k->term_len, dist, SUGGEST_KEEP, cand, LUPE_FUZZY_MAX);
		/* The closest first, then the most frequent (lupe_fuzzy_terms' order). */
		for (int j = 0; j < nc; j++) {
			lupe_buf w = {0};
			if (surface(c->x, c->an, cand[j].term, &w) == 0 && close_as_written(c, orig, ol, w.p, w.len, dist)) {
				/* Keep the user's capitalisation of the first letter. */
				if (w.len && orig[0] >= 'a' && orig[0] <= 'z' && w.p[0] >= 'A' && w.p[0] <= 'Z')
					w.p[0] = (char)(w.p[0] + 32);
				replace(c, orig, ol, w.p, w.len);
				lupe_buf_free(&w);
				break;
			}
			lupe_buf_free(&w);
		}
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

char *lupe_suggest(lx_db *x, lupe_analyzer *an, lupe_tokens *toks, const lq_node *root, const char *query,
		   size_t len)
{
	sctx c = {x, an, toks, {0}, 0, {0}, {0}};
	if (lupe_buf_append(&c.out, query, len) < 0) {
		lupe_buf_free(&c.out);
		return NULL;
	}
	walk(&c, root, 0);
	lupe_buf_free(&c.fa);
	lupe_buf_free(&c.fb);
	if (!c.changed || lupe_buf_terminate(&c.out) < 0) {
		lupe_buf_free(&c.out);
		return NULL;
	}
	return c.out.p;
}

/* ---- the suggester thread ---- */

enum { SUG_IDLE, SUG_POSTED, SUG_DONE, SUG_QUIT };

struct lupe_suggester {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state;
	pid_t pid; /* the process that made it: a forked child has no such thread */
	lx_db *x;
	lupe_analyzer *an;
	lupe_tokens toks;
	const lq_node *root;
	const char *query;
	size_t len;
	char *result;
};

static void *sug_main(void *arg)
{
	lupe_suggester *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->state != SUG_POSTED && s->state != SUG_QUIT)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->state == SUG_QUIT)
			break;
		pthread_mutex_unlock(&s->mu);
		lupe_err err;
		/* The newest revision, as the search's reader; if it cannot, the one it has. */
		lx_reopen(s->x, &err);
		char *r = lupe_suggest(s->x, s->an, &s->toks, s->root, s->query, s->len);
		pthread_mutex_lock(&s->mu);
		s->result = r;
		s->state = SUG_DONE;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int lupe_suggester_new(lupe_suggester **out, const char *path, int decompound)
{
	lupe_err err;
	lupe_suggester *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s)
		return -1;
	lupe_analyzer_options ao = LUPE_ANALYZER_OPTIONS_INIT;
	ao.decompound = decompound;
	if (lx_open(&s->x, path, 0, 0, &err) != LUPE_OK || lupe_analyzer_new(&s->an, &ao) != LUPE_OK)
		goto fail;
	if (pthread_mutex_init(&s->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&s->cv, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		goto fail;
	}
	s->pid = getpid();
	if (pthread_create(&s->th, NULL, sug_main, s) != 0) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	lupe_analyzer_free(s->an);
	lx_close(s->x);
	free(s);
	return -1;
}

int lupe_suggester_post(lupe_suggester *s, const lq_node *root, const char *query, size_t len)
{
	if (s->pid != getpid())
		return -1;
	pthread_mutex_lock(&s->mu);
	s->root = root;
	s->query = query;
	s->len = len;
	s->result = NULL;
	s->state = SUG_POSTED;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

char *lupe_suggester_wait(lupe_suggester *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->state == SUG_POSTED)
		pthread_cond_wait(&s->cv, &s->mu);
	char *r = s->result;
	s->result = NULL;
	s->state = SUG_IDLE;
	pthread_mutex_unlock(&s->mu);
	return r;
}

void lupe_suggester_free(lupe_suggester *s)
{
	if (!s)
		return;
	if (s->pid == getpid()) {
		pthread_mutex_lock(&s->mu);
		s->state = SUG_QUIT;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->th, NULL);
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
	}
	/* In a forked child the thread is not there: only memory is freed. */
	free(s->result);
	lupe_tokens_release(&s->toks);
	lupe_analyzer_free(s->an);
	lx_close(s->x);
	free(s);
}
