/* Snippets: the best passage of a body for a query, with highlight spans. */
#ifndef LUPE_SNIPPET_H
#define LUPE_SNIPPET_H

#include "lupe.h"
#include "index/schema.h"
#include "analysis/analyzer.h"
#include "query/build.h"
#include "util/buf.h"

/*
 * LUPE_SNIPPET_SCAN_MAX bytes of a body are searched for the best passage
 * (index/schema.h), and further stretches as long only when that one shows
 * no query word as written (lupe_snippet_deep); the analysis of a stretch
 * also stops before the 129th place a query term may occur (snippet.c,
 * PLACES_MAX).
 */

/*
 * The prefilter's keys for one query's terms (snippet.c): made once per
 * query, used for each of its hits.  lupe_snippet also keeps in them what
 * each window of text gave the query (so a window met again in another
 * hit is not analysed again) and its scratch buffers: they are the state
 * of one query on one thread, never shared between queries or threads.
 * Bounded: about 1.4 MB of windows and 1.2 MB of scratch at most.  0, or
 * -1 when out of memory (*out is then NULL).
 */
typedef struct lupe_snip_keys lupe_snip_keys;
int lupe_snip_keys_new(lupe_snip_keys **out, const lupe_qterms *qt);
void lupe_snip_keys_free(lupe_snip_keys *k);

/*
 * Scratch a handle keeps for its queries' keys: the fold of a hit's text
 * (~18 bytes a byte of text, ~1.2 MB at most), so that each query does
 * not take fresh memory for it again (malloc maps a large block anew, and
 * each page's first touch is a fault: ~9 us on the benchmark machine, 554
 * of the 1,000 short queries' 2,117 faults).  Zeroed to start; one query
 * at a time; lupe_snip_scratch_free frees what it holds.
 */
typedef struct {
	char *fold_f;
	void *fold_runs;
	size_t fold_cap;
} lupe_snip_scratch;
void lupe_snip_scratch_free(lupe_snip_scratch *s);
/* As lupe_snip_keys_new; the keys fold into s's buffers (s outlives them). */
int lupe_snip_keys_new_lent(lupe_snip_keys **out, const lupe_qterms *qt, lupe_snip_scratch *s);

/*
 * Choose a passage of about `target` bytes of text[0..len) that holds the
 * best evidence for the query (qt, whose keys are `keys`): each query word's
 * best match in it, summed, where the word as written beats another form of
 * its stem, which beats the word inside a longer compound, a sub-compound of
 * it, a typo and a single compound part (snippet.c, EV_*); then the most
 * matches, the earliest.  Cut at sentence or word edges, whitespace folded.
 * Writes it (NUL-terminated, "…" marking cuts) to `out`, its highlights
 * (whole written words) to *spans and their LUPE_HL_* kinds to *kinds
 * (both malloc'd, *n_spans entries, caller frees; kinds may be NULL), and
 * the matches as byte ranges of text to *matches (the chosen passage's
 * strongest first, then the rest of the passage, then others; at most
 * LUPE_MATCHES_MAX, malloc'd, caller frees; matches may be NULL).
 * 0; 1 when the analysis stopped at a place over PLACES_MAX, before the
 * end of the stretch (the passage is then chosen from the matches before);
 * -1 (no memory; every out-parameter is then empty).
 */
int lupe_snippet(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		 lupe_snip_keys *keys, size_t target, lupe_buf *out, lupe_span **spans, unsigned char **kinds,
		 size_t *n_spans, lupe_span **matches, size_t *n_matches);

/*
 * Whether a passage's highlights (kinds, n of them) show a query word as
 * written (LUPE_HL_EXACT).
 */
int lupe_snippet_has_exact(const unsigned char *kinds, size_t n);

/*
 * For a body (text[0..len), all of what the record keeps:
 * lupe_record_text_all) whose first stretch gave a passage without a query
 * word as written: look for one in the following stretches of
 * LUPE_SNIPPET_SCAN_MAX bytes, in order, and in the first stretch again
 * when `again` is set (lupe_snippet stopped short of its end), where only
 * the query words' own terms are looked for (not their parts).  At the first
 * passage that shows one, replaces *out, *spans, *kinds and *matches
 * (freeing what they held; none may be NULL) and returns 1; 0 when no
 * stretch has one (nothing changed), -1 when out of memory (nothing
 * changed).  Offsets are offsets of text, as lupe_snippet's.  When `quiet`
 * is set, a stretch [from, to) for which quiet(ctx, from, to) is 1 holds no
 * token of a query word's own term and is passed over (lupe_zones_quiet).
 */
int lupe_snippet_deep(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		      int again, size_t target, int (*quiet)(void *ctx, size_t from, size_t to), void *ctx,
		      lupe_buf *out, lupe_span **spans,
		      unsigned char **kinds, size_t *n_spans, lupe_span **matches, size_t *n_matches);

/*
 * The same with `full` set: the whole body is analysed, without the
 * prefilter (snippet.c).  The result must be identical; tests compare.
 */
int lupe_snippet_ex(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		    lupe_snip_keys *keys, size_t target, int full, lupe_buf *out, lupe_span **spans,
		    size_t *n_spans, lupe_span **matches, size_t *n_matches);

/*
 * Analyse the parts of text[0..len) where a term of the keys' query may
 * occur (all of it when `full` is set or the prefilter cannot tell) into
 * toks, which is reset first; token offsets are offsets of text.  Every
 * token of the full analysis whose term the query matches is among them,
 * with the same offsets.  A text with very many places is analysed only up
 * to a cut before the place over the limit, in both modes alike.
 * Word positions are not meaningful.  0 or -1 (no memory).
 */
int lupe_analyze_near(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len,
		      const lupe_snip_keys *keys, int full);

/*
 * lupe_snippet for a long body whose query positions are known
 * (search/zones.h): only the zones z[0..nz) of text (byte ranges, best
 * first, apart, at whitespace edges, within lupe_snippet_stretch) are
 * scanned and analysed, up to PLACES_MAX places in all (the best zones
 * first), and the passage is chosen among their matches; it may reach out
 * of them.  Returns 0 (never 1 as lupe_snippet: the zones are the
 * positions' best, so no other stretch is searched for want of them), or
 * -1 when out of memory.
 */
int lupe_snippet_zoned(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		       lupe_snip_keys *keys, size_t target, const lupe_span *zones, size_t nz, lupe_buf *out,
		       lupe_span **spans, unsigned char **kinds, size_t *n_spans, lupe_span **matches,
		       size_t *n_matches);

/* The end of the first stretch of text[0..len) that lupe_snippet searches. */
size_t lupe_snippet_stretch(const char *text, size_t len);

/*
 * Bytes of bodies that the query's snippets (lupe_snippet,
 * lupe_snippet_zoned with these keys) scanned or analysed so far: what a
 * zoned snippet saves, for tests.
 */
size_t lupe_snip_keys_scanned(const lupe_snip_keys *k);

/* Windows whose analysis the query's window cache served so far (for tests). */
size_t lupe_snip_keys_served(const lupe_snip_keys *k);

/* Matches kept per hit for lupe_hit.matches. */
#define LUPE_MATCHES_MAX 64

#endif
