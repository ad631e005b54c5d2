#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "index/document.h"
#include "query/build.h"
#include "query/parse.h"
#include "search/snippet.h"

#define LUPE_LIMIT_MAX 10000

/* Ranking parameters, chosen on the public question set (bench/). */
#define LUPE_BM25_K1 1.2
#define LUPE_BM25_B 0.75

struct lupe_results {
	lupe_hit *hits;
	size_t n;
	uint64_t total;
	int exact;
	int partial;
	char *suggestion;
};

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void free_hit(lupe_hit *h)
{
	free((char *)h->id);
	free((char *)h->title);
	free((char *)h->source);
	free((char *)h->path);
	free((char *)h->date);
	free((char *)h->snippet);
	free((lupe_span *)h->highlights);
	free((lupe_span *)h->matches);
	free((char *)h->explain);
}

LUPE_EXPORT void lupe_results_free(lupe_results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free_hit(&r->hits[i]);
	free(r->hits);
	free(r->suggestion);
	free(r);
}

LUPE_EXPORT const char *lupe_results_suggestion(const lupe_results *r)
{
	return r ? r->suggestion : NULL;
}

LUPE_EXPORT int lupe_results_partial(const lupe_results *r)
{
	return r ? r->partial : 0;
}

LUPE_EXPORT size_t lupe_results_count(const lupe_results *r)
{
	return r ? r->n : 0;
}

LUPE_EXPORT uint64_t lupe_results_total(const lupe_results *r, int *exact)
{
	if (exact)
		*exact = r ? r->exact : 1;
	return r ? r->total : 0;
}

LUPE_EXPORT const lupe_hit *lupe_results_hit(const lupe_results *r, size_t i)
{
	return (r && i < r->n) ? &r->hits[i] : NULL;
}

static int fill_hit(lupe_db *db, const lx_mset *ms, size_t i, size_t rank, const lupe_qterms *qt,
		    size_t snippet_bytes, lupe_hit *h)
{
	lupe_record rec;
	size_t dlen;
	const char *data = lx_mset_data(ms, i, &dlen);
	if (lupe_record_parse(data, dlen, &rec) < 0)
		return lupe_err_set(&db->err, LUPE_ECORRUPT, "search: a stored document record is damaged");
	h->rank = rank;
	h->score = lx_mset_weight(ms, i);
	h->id = dup_n(rec.id, rec.id_len);
	h->title = dup_n(rec.title, rec.title_len);
	h->source = dup_n(rec.source, rec.source_len);
	h->path = dup_n(rec.path, rec.path_len);
	h->date = dup_n(rec.date, rec.date_len);
	if (!h->id || !h->title || !h->source || !h->path || !h->date)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	lupe_buf snip = {0};
	lupe_span *spans;
	size_t nsp;
	if (lupe_snippet(db->an, &db->toks, rec.text, rec.text_len, qt, snippet_bytes, &snip, &spans, &nsp) < 0) {
		lupe_buf_free(&snip);
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	}
	if (!snip.p && lupe_buf_terminate(&snip) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	h->snippet = snip.p;
	h->snippet_len = snip.len;
	h->highlights = spans;
	h->n_highlights = nsp;
	h->mtime = rec.mtime;
	lupe_span *mv;
	size_t mn;
	if (lupe_snippet_matches(&mv, &mn) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	h->matches = mv;
	h->n_matches = mn;
	return LUPE_OK;
}

LUPE_EXPORT int lupe_search(lupe_db *db, lupe_results **out, const char *query, size_t len,
			    const lupe_search_options *opts)
{
	lupe_search_options def = LUPE_SEARCH_OPTIONS_INIT;
	lq_node *tree = NULL;
	lx_query *q = NULL;
	lx_mset *ms = NULL;
	lupe_qterms qt = {0};
	lupe_results *res = NULL;
	char perr[256];
	int rc;

	if (!out)
		return LUPE_EINVAL;
	*out = NULL;
	if (!db)
		return LUPE_EINVAL;
	lupe_err_clear(&db->err);
	if (!query && len)
		return lupe_err_set(&db->err, LUPE_EINVAL, "lupe_search: query is NULL");
	if (!opts)
		opts = &def;
	size_t limit = opts->limit > LUPE_LIMIT_MAX ? LUPE_LIMIT_MAX : opts->limit;
	size_t snippet_bytes = opts->snippet_bytes ? opts->snippet_bytes : def.snippet_bytes;

	if (lq_parse(query ? query : "", len, &tree, perr, sizeof perr) != 0)
		return lupe_err_set(&db->err, LUPE_EQUERY, "query: %s", perr);
	rc = lupe_query_build(db->an, &db->toks, tree, &q, &qt, &db->err);
	if (rc != LUPE_OK)
		goto done;
	lx_params p = {LUPE_BM25_K1, LUPE_BM25_B, 0};
	p.partial = (opts->flags & LUPE_SEARCH_PARTIAL) != 0;
	rc = lx_search(db->x, q, opts->offset, limit, &p, &ms, &db->err);
	if (rc != LUPE_OK)
		goto done;

	res = calloc(1, sizeof *res);
	size_t n = lx_mset_size(ms);
	if (!res || (n && !(res->hits = calloc(n, sizeof *res->hits)))) {
		rc = lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
		goto done;
	}
	res->total = lx_mset_estimate(ms, &res->exact);
	res->partial = lx_mset_partial(ms);
	for (size_t i = 0; i < n; i++) {
		res->n = i + 1;
		rc = fill_hit(db, ms, i, opts->offset + i + 1, &qt, snippet_bytes, &res->hits[i]);
		if (rc != LUPE_OK)
			goto done;
	}
	*out = res;
	res = NULL;
	rc = LUPE_OK;
done:
	lupe_results_free(res);
	lx_mset_free(ms);
	lx_q_free(q);
	lq_free(tree);
	lupe_qterms_free(&qt);
	return rc;
}
