/* Snippets: the best passage of a body for a query, with highlight spans. */
#ifndef LUPE_SNIPPET_H
#define LUPE_SNIPPET_H

#include "lupe.h"
#include "analysis/analyzer.h"
#include "query/build.h"
#include "util/buf.h"

/* Bytes of a body searched for the best passage; the rest is not read. */
#define LUPE_SNIPPET_SCAN_MAX (256u * 1024)

/*
 * Choose a passage of about `target` bytes of text[0..len) that holds the
 * most distinct query terms, cut at sentence or word edges, whitespace
 * folded.  Writes it (NUL-terminated, "…" marking cuts) to `out` and its
 * highlights to *spans (malloc'd, caller frees).  0 or -1 (no memory).
 */
int lupe_snippet(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		 size_t target, lupe_buf *out, lupe_span **spans, size_t *n_spans);

/* Matches kept per hit for lupe_hit.matches. */
#define LUPE_MATCHES_MAX 64

/*
 * The matches of the last lupe_snippet() call as byte ranges of text, the
 * chosen passage's first: at most LUPE_MATCHES_MAX, malloc'd (caller frees).
 */
int lupe_snippet_matches(lupe_span **out, size_t *n);

#endif
