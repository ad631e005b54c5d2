#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "index/document.h"
#include "query/build.h"
#include "query/parse.h"
#include "search/record_cache.h"
#include "search/snippet.h"
#include "search/suggest.h"
#include "search/zones.h"
#include "util/clock.h"
#include "util/utf8.h"
#include <stdio.h>

#define LUPE_LIMIT_MAX 10000

/* Ranking parameters, chosen on the public question set (bench/). */
#define LUPE_BM25_K1 0.6
#define LUPE_BM25_B 0.75

struct lupe_results {
	lupe_hit *hits;
	size_t n;
	uint64_t total, total_min, total_max;
	int exact;
	int partial;
	char *suggestion;
	/* facets: per requested field, its counts */
	char *facet_field[4];
	lupe_facet *facet[4];
	size_t n_facet[4];
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
	free((unsigned char *)h->highlight_kinds);
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
	for (int f = 0; f < 4; f++) {
		for (size_t k = 0; k < r->n_facet[f]; k++)
			free((char *)r->facet[f][k].value);
		free(r->facet[f]);
		free(r->facet_field[f]);
	}
	free(r);
}

LUPE_EXPORT const lupe_facet *lupe_results_facet(const lupe_results *r, const char *field, size_t *n)
{
	if (n)
		*n = 0;
	if (!r || !field)
		return NULL;
	for (int f = 0; f < 4; f++)
		if (r->facet_field[f] && strcmp(r->facet_field[f], field) == 0) {
			if (n)
				*n = r->n_facet[f];
			return r->facet[f];
		}
	return NULL;
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

LUPE_EXPORT int lupe_results_total_bounds(const lupe_results *r, uint64_t *min, uint64_t *max)
{
	if (min)
		*min = r ? r->total_min : 0;
	if (max)
		*max = r ? r->total_max : 0;
	return r ? r->exact : 1;
}

LUPE_EXPORT const char *lupe_highlight_kind_name(int kind)
{
	static const char *const names[] = {"exact", "stem", "part", "typo"};
	return kind >= 0 && kind < (int)(sizeof names / sizeof names[0]) ? names[kind] : "";
}

LUPE_EXPORT const lupe_hit *lupe_results_hit(const lupe_results *r, size_t i)
{
	return (r && i < r->n) ? &r->hits[i] : NULL;
}

/* The snippet HTML-escaped with <mark> around each highlight; spans moved to the marked text. */
static int html_snippet(lupe_hit *h)
{
	lupe_buf o = {0};
	lupe_span *sp = (lupe_span *)h->highlights;
	size_t k = 0, ks = 0;
	/* Original offsets are read from a copy while sp is rewritten. */
	lupe_span orig[LUPE_MATCHES_MAX * 4];
	size_t nh = h->n_highlights < sizeof orig / sizeof orig[0] ? h->n_highlights : sizeof orig / sizeof orig[0];
	if (nh) /* sp is NULL when there are none: memcpy(…, NULL, 0) is undefined */
		memcpy(orig, sp, nh * sizeof *sp);
	h->n_highlights = nh;
	for (size_t i = 0; i <= h->snippet_len; i++) {
		if (k < nh && i == orig[k].end) {
			sp[k].end = o.len;
			if (lupe_buf_append(&o, "</mark>", 7) < 0)
				goto oom;
			k++;
		}
		if (i == h->snippet_len)
			break;
		if (ks < nh && i == orig[ks].start) {
			if (lupe_buf_append(&o, "<mark>", 6) < 0)
				goto oom;
			sp[ks++].start = o.len;
		}
		const char *e = NULL;
		switch (h->snippet[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		}
		if (e ? lupe_buf_append(&o, e, strlen(e)) < 0 : lupe_buf_putc(&o, h->snippet[i]) < 0)
			goto oom;
	}
	if (lupe_buf_terminate(&o) < 0)
		goto oom;
	free((char *)h->snippet);
	h->snippet = o.p;
	h->snippet_len = o.len;
	return 0;
oom:
	lupe_buf_free(&o);
	return -1;
}

/* "term=weight;..." from the shim as readable text: title terms marked, weights rounded. */
static char *explain_text(const char *raw)
{
	lupe_buf o = {0};
	const char *p = raw;
	while (*p) {
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (eq) {
			int title = p[0] == LUPE_PFX_TITLE[0];
			char w[32];
			snprintf(w, sizeof w, "%.3f", atof(eq + 1));
			if (o.len)
				lupe_buf_append(&o, ", ", 2);
			lupe_buf_append(&o, title ? "title:" : "body:", title ? 6 : 5);
			lupe_buf_append(&o, p + title, (size_t)(eq - p) - (size_t)title);
			lupe_buf_append(&o, " w=", 3);
			lupe_buf_append(&o, w, strlen(w));
		}
		p += n + (semi ? 1 : 0);
	}
	if (lupe_buf_terminate(&o) < 0) {
		lupe_buf_free(&o);
		return NULL;
	}
	return o.p;
}

/*
 * Whether the i-th hit may show a query word as written: it holds one of
 * the words' own terms (not only parts or typos), or that cannot be told.
 */
static int may_show_word(lupe_db *db, const lx_mset *ms, size_t i, const char *id, const lupe_qterms *qt)
{
	if (qt->n_prefixes)
		return 1;
	/* All at once: over remote shards the hit's own shard is asked, not every shard a term. */
	const char *own[64], *p = qt->terms.p;
	size_t lens[64], n = 0;
	lupe_buf idt = {0};
	int r = 0;
	if (lupe_id_term(&idt, id) < 0)
		idt.len = 0;
	for (size_t k = 0; k < qt->n_terms && !r; k++, p += strlen(p) + 1) {
		if (qt->n_groups && k < LUPE_QTERMS_MAX && qt->info[k].kind != LUPE_QT_WORD)
			continue;
		if (n == sizeof own / sizeof own[0]) {
			r = lx_mset_hit_has_any_term(db->x, ms, i, idt.len ? idt.p : NULL, idt.len, own, lens, n) != 0;
			n = 0;
		}
		own[n] = p;
		lens[n++] = strlen(p);
	}
	if (!r && n)
		r = lx_mset_hit_has_any_term(db->x, ms, i, idt.len ? idt.p : NULL, idt.len, own, lens, n) != 0;
	lupe_buf_free(&idt);
	return r;
}

/* lupe_snippet_deep's quiet: the stretches the zones' map shows without a query word's own term. */
struct quiet_ctx {
	lupe_db *db;
	const lupe_zones *zs;
};

static int quiet(void *ctx, size_t from, size_t to)
{
	struct quiet_ctx *q = ctx;
	int r = lupe_zones_quiet(q->zs, from, to);
	q->db->deep_quiet += (unsigned)r;
	return r;
}

static int fill_hit(lupe_db *db, lx_mset *ms, size_t i, size_t rank, const lupe_qterms *qt,
		    lupe_snip_keys *keys, lupe_zones **zs, size_t snippet_bytes, unsigned flags, lupe_hit *h)
{
	lupe_record rec;
	size_t dlen;
	uint64_t gen;
	uint32_t docid;
	int keyed = lx_mset_record_key(ms, i, &gen, &docid);
	int prc = 0;
	if (!keyed || !lupe_rcache_get(db->records, gen, docid, &rec)) {
		const char *data = lx_mset_data(ms, i, &dlen);
		if (!data) { /* held when the match ran (have_record), since put out of the cache */
			int rrc = lx_mset_read_data(db->x, ms, i, &db->err);
			if (rrc != LUPE_OK)
				return rrc;
			data = lx_mset_data(ms, i, &dlen);
		}
		db->rec.len = 0; /* more after the parse: the record was unpacked */
		prc = lupe_record_parse(data, dlen, &db->rec, &rec);
		if (prc == 0 && keyed && db->rec.len)
			lupe_rcache_put(&db->records, gen, docid, &rec);
	}
	if (prc == -2)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	if (prc < 0)
		return lupe_err_set(&db->err, LUPE_ECORRUPT,
				    "search: the stored record of hit %zu is damaged (its checksum or its layout is wrong): "
				    "re-index that document or rebuild the index",
				    rank);
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
	lupe_span *spans, *mv;
	unsigned char *kinds;
	size_t nsp, mn;
	/* A long body: only the zones around the query's positions (search/zones.h). */
	const lupe_span *zones;
	size_t nz;
	int cut = lupe_zones_find(zs, db->x, ms, i, qt, rec.text, rec.text_len, snippet_bytes, &zones, &nz);
	/* Zoned: the query words' own terms all stand well inside the first stretch (search/zones.h). */
	int zoned = cut > 0, early = zoned && !lupe_zones_word_late(*zs);
	if (cut > 0)
		cut = lupe_snippet_zoned(db->an, &db->toks, rec.text, rec.text_len, qt, keys, snippet_bytes, zones, nz,
					 &snip, &spans, &kinds, &nsp, &mv, &mn);
	else if (cut == 0)
		cut = lupe_snippet(db->an, &db->toks, rec.text, rec.text_len, qt, keys, snippet_bytes, &snip, &spans,
				   &kinds, &nsp, &mv, &mn);
	else
		snip = (lupe_buf){0}, spans = NULL, kinds = NULL, mv = NULL;
	if (cut < 0) {
		lupe_buf_free(&snip);
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	}
	if ((rec.tail || cut) && !early && !lupe_snippet_has_exact(kinds, nsp) && may_show_word(db, ms, i, h->id, qt)) {
		/*
		 * The passage shows no query word as written, but the rest of the
		 * body may (past the first 64 KB, or past where many matches of
		 * compound parts stopped the analysis).
		 */
		db->deep_searched++;
		struct quiet_ctx qc = {db, *zs};
		const char *all = rec.text;
		size_t all_len = rec.text_len;
		int trc = 0;
		/* The tail unpacked once while the body is kept (search/record_cache.h). */
		if (rec.tail && !(keyed && lupe_dcache_get(db->deep_bodies, gen, docid, &all, &all_len))) {
			db->deep_unpacked++;
			trc = lupe_record_text_all(&rec, &db->deep);
			all = db->deep.p;
			all_len = db->deep.len;
			const lupe_buf *kept = trc == 0 && keyed ? lupe_dcache_put(&db->deep_bodies, gen, docid, &db->deep) : NULL;
			if (kept) { /* else not kept: still db->deep's */
				all = kept->p;
				all_len = kept->len;
			}
		}
		if (trc == 0 && lupe_snippet_deep(db->an, &db->toks, all, all_len, qt, cut, snippet_bytes,
						 zoned ? quiet : NULL, &qc, &snip, &spans, &kinds, &nsp, &mv, &mn) < 0)
			trc = -2;
		if (trc < 0) {
			lupe_buf_free(&snip);
			free(spans);
			free(kinds);
			free(mv);
			if (trc == -2)
				return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
			return lupe_err_set(&db->err, LUPE_ECORRUPT, "search: a stored document record is damaged");
		}
	}
	if (!snip.p && lupe_buf_terminate(&snip) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	h->snippet = snip.p;
	h->snippet_len = snip.len;
	h->highlights = spans;
	h->highlight_kinds = kinds;
	h->n_highlights = nsp;
	h->mtime = rec.mtime;
	h->matches = mv;
	h->n_matches = mn;
	if ((flags & LUPE_SEARCH_HTML) && html_snippet(h) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	if ((flags & LUPE_SEARCH_EXPLAIN) && !(h->explain = explain_text(lx_mset_explain(ms, i))))
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	return LUPE_OK;
}

static int make_params(lupe_db *db, const lupe_search_options *opts, lx_params *p);
static int finish_results(lupe_db *db, lx_mset *ms, const lupe_search_options *opts, const lupe_qterms *qt,
			  const lx_params *p, lupe_results **out);

/* A search's time budget in ms: time_budget_ms of opts (since version 2), or the default. */
static unsigned budget_of(const lupe_search_options *opts)
{
	return opts && opts->version >= 2 && opts->time_budget_ms ? opts->time_budget_ms
								  : LUPE_SEARCH_TIME_BUDGET_MS;
}

/* Start the clock of a search's time budget (lupe_search_options.time_budget_ms). */
static void start_budget(const lupe_search_options *opts, lx_params *p)
{
	p->budget_ms = budget_of(opts);
	p->deadline_ns = lupe_now_ns() + (uint64_t)p->budget_ms * 1000000u;
}

static int out_of_time(lupe_db *db, const lx_params *p)
{
	return lupe_err_set(&db->err, LUPE_ETIMEOUT, "search: stopped after its time budget of %u ms", p->budget_ms);
}

static int search_now(lupe_db *db, lupe_results **out, const char *query, size_t len,
		      const lupe_search_options *opts)
{
	lupe_search_options def = LUPE_SEARCH_OPTIONS_INIT;
	lq_node *tree = NULL;
	lx_query *q = NULL;
	lx_mset *ms = NULL;
	lupe_qterms qt = {0};
	lupe_results *res = NULL;
	lx_params p = {0};
	lupe_typo_memo *memo = NULL;
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
	if ((rc = lupe_db_sync(db)) != LUPE_OK)
		return rc;
	if (!opts)
		opts = &def;
	start_budget(opts, &p);
	size_t limit = opts->limit > LUPE_LIMIT_MAX ? LUPE_LIMIT_MAX : opts->limit;

	if (lq_parse(query ? query : "", len, &tree, perr, sizeof perr) != 0)
		return lupe_err_set(&db->err, LUPE_EQUERY, "query: %s", perr);
	unsigned bflags = (opts->flags & LUPE_SEARCH_FUZZY) ? LUPE_BUILD_FUZZY : 0;
	if (!(opts->flags & LUPE_SEARCH_EXACT))
		bflags |= LUPE_BUILD_TYPO; /* typo tolerance is on by default */
	/*
	 * A reader picks up the newest revision before the query is built:
	 * typo tolerance, the back-off and the suggestion look terms up, and
	 * the match must read the revision they read (lx_params.reopened).
	 * A failure leaves the old revision; the search says what is wrong.
	 */
	int reopened = !db->writable && lx_reopen(db->x, &db->err) == LUPE_OK;
	lupe_err_clear(&db->err);
	if (lupe_typo_memo_new(&memo) < 0) {
		rc = lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
		goto done;
	}
	rc = lupe_query_build(db->x, bflags, db->an, &db->toks, memo, tree, &q, &qt, &db->err);
	if (rc != LUPE_OK)
		goto done;
	rc = make_params(db, opts, &p);
	if (rc != LUPE_OK)
		goto done;
	p.reopened = reopened;
	rc = lx_search(db->x, q, opts->offset, limit, &p, &ms, &db->err);
	if (rc != LUPE_OK)
		goto done;
	uint64_t lower, upper;
	lx_mset_bounds(ms, &lower, &upper);
	if (upper == 0 && qt.hyphen_phrases && !(bflags & LUPE_BUILD_HYPHEN_WORDS)) {
		/*
		 * No hit, and hyphen groups were searched as phrases alone: a
		 * user who typed Bundesliga-Trainer means what Bundesligatrainer
		 * finds, not nothing.  Their words are searched too (build.c,
		 * word_q).  A quoted phrase is what the user asked for: it stays.
		 */
		lx_mset_free(ms);
		ms = NULL;
		lx_q_free(q);
		q = NULL;
		lupe_qterms_free(&qt);
		qt = (lupe_qterms){0};
		bflags |= LUPE_BUILD_HYPHEN_WORDS;
		rc = lupe_query_build(db->x, bflags, db->an, &db->toks, memo, tree, &q, &qt, &db->err);
		if (rc == LUPE_OK)
			rc = lx_search(db->x, q, opts->offset, limit, &p, &ms, &db->err);
		if (rc != LUPE_OK)
			goto done;
	}
	rc = finish_results(db, ms, opts, &qt, &p, &res);
	if (rc != LUPE_OK)
		goto done;
	{
		/* The match's own term statistics: the suggestion need not ask for them again. */
		const char *t;
		size_t tl;
		uint64_t f;
		for (size_t i = 0; lx_mset_termfreq(ms, i, &t, &tl, &f); i++)
			lupe_typo_memo_learn(memo, t, tl, f);
	}
	/*
	 * After the match, from what building the query looked up (memo): the
	 * suggestion asks the index only for the written forms of corrections.
	 * It had a thread and a reader of its own, looking everything up again;
	 * on the public typo set this is 36% faster at p50 with 40% less CPU
	 * (bench/ab_latency.py, a loaded 2-core machine), questions level.
	 */
	res->suggestion = lupe_suggest(db->x, db->an, &db->toks, memo, tree, query ? query : "", len);
	*out = res;
	res = NULL;
	rc = LUPE_OK;
done:
	lupe_results_free(res);
	lx_mset_free(ms);
	lx_q_free(q);
	lq_free(tree);
	lupe_qterms_free(&qt);
	lupe_typo_memo_free(memo);
	return rc;
}

/* Facet field names and their value slots. */
static int facet_slot(const char *field)
{
	if (strcmp(field, "source") == 0)
		return LX_SLOT_SOURCE;
	if (strcmp(field, "year") == 0)
		return LX_SLOT_YEAR;
	return -1;
}

/* lx_params.have_record: the hit's record is in the handle's cache (and now its most recently used). */
static int have_record(void *ctx, uint64_t gen, uint32_t docid)
{
	lupe_db *db = ctx;
	lupe_record rec;
	return lupe_rcache_get(db->records, gen, docid, &rec);
}

static int make_params(lupe_db *db, const lupe_search_options *opts, lx_params *p)
{
	p->have_record = have_record;
	p->have_ctx = db;
	p->k1 = LUPE_BM25_K1;
	p->b = LUPE_BM25_B;
	p->sort = opts->sort;
	if (p->sort < LUPE_SORT_RELEVANCE || p->sort > LUPE_SORT_DATE_ASC)
		return lupe_err_set(&db->err, LUPE_EINVAL, "search: unknown sort order %d", opts->sort);
	p->partial = (opts->flags & LUPE_SEARCH_PARTIAL) != 0;
	p->explain = (opts->flags & LUPE_SEARCH_EXPLAIN) != 0;
	for (size_t f = 0; opts->facets && opts->facets[f]; f++) {
		int slot = facet_slot(opts->facets[f]);
		if (slot < 0 || f >= 4)
			return lupe_err_set(&db->err, LUPE_EINVAL, "search: no facet \"%.40s\" (there are: source, year)",
					    opts->facets[f]);
		p->facet_slots |= 1u << slot;
	}
	return LUPE_OK;
}

/*
 * The total and its bounds from the matcher, made consistent with the page:
 * never below the hits already handed out (offset + n), and exact when the
 * page came back short (nothing lies beyond it).
 */
static void set_total(lupe_results *res, const lx_mset *ms, const lupe_search_options *opts, size_t n)
{
	/* A page past the end hands out nothing and says nothing of the total. */
	uint64_t seen = n ? (uint64_t)opts->offset + n : 0;
	res->total = lx_mset_estimate(ms, &res->exact);
	lx_mset_bounds(ms, &res->total_min, &res->total_max);
	size_t limit = opts->limit > LUPE_LIMIT_MAX ? LUPE_LIMIT_MAX : opts->limit;
	if (n && n < limit)
		res->total_min = res->total_max = seen;
	if (res->total_min < seen)
		res->total_min = seen;
	if (res->total_max < res->total_min)
		res->total_max = res->total_min;
	if (res->total < res->total_min)
		res->total = res->total_min;
	if (res->total > res->total_max)
		res->total = res->total_max;
	res->exact = res->total_min == res->total_max;
}

static int finish_results(lupe_db *db, lx_mset *ms, const lupe_search_options *opts, const lupe_qterms *qt,
			  const lx_params *p, lupe_results **out)
{
	size_t snippet_bytes = opts->snippet_bytes ? opts->snippet_bytes : 240;
	lupe_results *res = calloc(1, sizeof *res);
	size_t n = lx_mset_size(ms);
	*out = res;
	if (!res || (n && !(res->hits = calloc(n, sizeof *res->hits))))
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	set_total(res, ms, opts, n);
	res->partial = lx_mset_partial(ms);
	/* The snippets' prefilter keys, once for all hits. */
	lupe_snip_keys *keys = NULL;
	lupe_zones *zs = NULL;
	if (n && lupe_snip_keys_new_lent(&keys, qt, &db->snip) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	int rc = LUPE_OK;
	for (size_t i = 0; i < n && rc == LUPE_OK; i++) {
		/* Snippets of 10,000 long bodies take a while: they count too. */
		if (lupe_past(p->deadline_ns)) {
			rc = out_of_time(db, p);
			break;
		}
		res->n = i + 1;
		rc = fill_hit(db, ms, i, opts->offset + i + 1, qt, keys, &zs, snippet_bytes, opts->flags, &res->hits[i]);
	}
	db->snip_scanned += lupe_snip_keys_scanned(keys);
	lupe_snip_keys_free(keys);
	lupe_zones_free(zs);
	if (rc != LUPE_OK)
		return rc;
	for (size_t f = 0; opts->facets && opts->facets[f] && f < 4; f++) {
		int slot = facet_slot(opts->facets[f]);
		const char *v;
		uint64_t c;
		size_t k = 0;
		res->facet_field[f] = dup_n(opts->facets[f], strlen(opts->facets[f]));
		while (lx_mset_facet(ms, (unsigned)slot, k, &v, &c))
			k++;
		res->facet[f] = k ? calloc(k, sizeof *res->facet[f]) : NULL;
		if (!res->facet_field[f] || (k && !res->facet[f]))
			return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
		for (size_t j = 0; j < k; j++) {
			lx_mset_facet(ms, (unsigned)slot, j, &v, &c);
			res->facet[f][j].value = dup_n(v, strlen(v));
			res->facet[f][j].count = c;
			res->n_facet[f] = j + 1;
		}
	}
	return LUPE_OK;
}

static int like_now(lupe_db *db, lupe_results **out, const char *id, const lupe_search_options *opts)
{
	lupe_search_options def = LUPE_SEARCH_OPTIONS_INIT;
	lupe_qterms qt = {0};
	lx_mset *ms = NULL;
	lupe_results *res = NULL;
	int found, rc;
	if (!out)
		return LUPE_EINVAL;
	*out = NULL;
	if (!db || !id)
		return LUPE_EINVAL;
	lupe_err_clear(&db->err);
	if ((rc = lupe_db_read_newest(db)) != LUPE_OK)
		return rc;
	if (!opts)
		opts = &def;
	size_t limit = opts->limit > LUPE_LIMIT_MAX ? LUPE_LIMIT_MAX : opts->limit;
	lx_params p = {0};
	start_budget(opts, &p);
	if ((rc = make_params(db, opts, &p)) != LUPE_OK)
		return rc;
	if (lupe_id_term(&db->tmp, id) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "out of memory");
	rc = lx_like(db->x, db->tmp.p, db->tmp.len, 40, opts->offset, limit, &p, &ms, &found, &db->err);
	if (rc == LUPE_OK && !found)
		rc = lupe_err_set(&db->err, LUPE_ENOTFOUND, "no document with id %.200s", id);
	if (rc == LUPE_OK)
		rc = finish_results(db, ms, opts, &qt, &p, &res);
	if (rc == LUPE_OK) {
		*out = res;
		res = NULL;
	}
	lupe_results_free(res);
	lx_mset_free(ms);
	return rc;
}

/* ---- watched searches (LUPE_OPEN_WATCHED in lupe.h) ----
 * A reader's search runs on its watch's thread.  Everything that thread
 * reads is copied into the call first (query, id, options and facet
 * names): when the wait runs out the caller returns and may free its own
 * copies while the thread is still inside the lookup. */
typedef struct {
	lupe_db *db;
	int like;
	char *text; /* the query, or the id */
	size_t len;
	lupe_search_options opts;
	int has_opts;
	lupe_results *res;
} watched_call;

static int watched_run(void *arg)
{
	watched_call *c = arg;
	const lupe_search_options *o = c->has_opts ? &c->opts : NULL;
	if (c->like)
		return like_now(c->db, &c->res, c->text, o);
	return search_now(c->db, &c->res, c->text, c->len, o);
}

static void watched_free(watched_call *c)
{
	if (!c)
		return;
	if (c->opts.facets) {
		for (char **f = (char **)c->opts.facets; *f; f++)
			free(*f);
		free((void *)c->opts.facets);
	}
	free(c->text);
	free(c);
}

static watched_call *watched_new(lupe_db *db, int like, const char *text, size_t len, const lupe_search_options *opts)
{
	watched_call *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->db = db;
	c->like = like;
	c->len = len;
	c->text = malloc(len + 1);
	if (!c->text)
		goto oom;
	if (len)
		memcpy(c->text, text, len);
	c->text[len] = 0;
	if (opts) {
		/* Only the fields the caller's version has (search_now reads no more). */
		memcpy(&c->opts, opts,
		       opts->version >= 2 ? sizeof *opts : offsetof(lupe_search_options, time_budget_ms));
		c->opts.facets = NULL;
		c->has_opts = 1;
		if (opts->facets) {
			size_t n = 0;
			while (opts->facets[n])
				n++;
			char **f = calloc(n + 1, sizeof *f);
			if (!f)
				goto oom;
			c->opts.facets = (const char *const *)f;
			for (size_t i = 0; i < n; i++)
				if (!(f[i] = strdup(opts->facets[i])))
					goto oom;
		}
	}
	return c;
oom:
	watched_free(c);
	return NULL;
}

/* How long the caller waits for a watched search: its budget, as much
 * again up to 2 s, and three times timeout_ms for remote shards. */
static unsigned watched_wait_ms(const lupe_db *db, const lupe_search_options *opts)
{
	unsigned budget = budget_of(opts);
	uint64_t ms = (uint64_t)budget + (budget < 2000 ? budget : 2000);
	if (db->remote)
		ms += 3 * (uint64_t)db->timeout_ms;
	return ms > UINT32_MAX ? UINT32_MAX : (unsigned)ms;
}

static int watched(lupe_db *db, lupe_results **out, int like, const char *text, size_t len,
		   const lupe_search_options *opts)
{
	int rc;
	watched_call *c = watched_new(db, like, text, len, opts);
	if (!c)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: out of memory");
	unsigned wait = watched_wait_ms(db, opts);
	int w = lupe_watch_run(db->watch, watched_run, c, wait, &rc);
	if (w > 0) {
		/* c, db and the watch stay with the thread for good. */
		db->hung = 1;
		snprintf(db->hung_msg, sizeof db->hung_msg,
			 "search: no answer after %u ms (its time budget is %u ms): a lookup in the index does not "
			 "return, so the index may be damaged (check it: lupe-index --check); this handle cannot be "
			 "used any more: close it and open the index again",
			 wait, budget_of(opts));
		return LUPE_EHUNG;
	}
	if (w < 0) {
		watched_free(c);
		return lupe_err_set(&db->err, LUPE_ENOMEM, "search: cannot start the search thread");
	}
	*out = c->res;
	watched_free(c);
	return rc;
}

LUPE_EXPORT int lupe_search(lupe_db *db, lupe_results **out, const char *query, size_t len,
			    const lupe_search_options *opts)
{
	if (!out)
		return LUPE_EINVAL;
	*out = NULL;
	if (!db)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	if (!db->watch)
		return search_now(db, out, query, len, opts);
	if (!query && len) {
		lupe_err_clear(&db->err);
		return lupe_err_set(&db->err, LUPE_EINVAL, "lupe_search: query is NULL");
	}
	return watched(db, out, 0, query, len, opts);
}

LUPE_EXPORT int lupe_like(lupe_db *db, lupe_results **out, const char *id, const lupe_search_options *opts)
{
	if (!out)
		return LUPE_EINVAL;
	*out = NULL;
	if (!db || !id)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	if (!db->watch)
		return like_now(db, out, id, opts);
	return watched(db, out, 1, id, strlen(id), opts);
}
