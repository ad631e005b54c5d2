/*
 * Compound back-off for queries: a compound the index does not hold
 * (Bundesverfassungsgericht in a collection that only says
 * Verfassungsgericht) is searched through the sub-compounds and parts the
 * index does hold, the longer ones weighted higher.
 */
#ifndef LUPE_QUERY_BACKOFF_H
#define LUPE_QUERY_BACKOFF_H

#include <stddef.h>

#include "analysis/analyzer.h"
#include "analysis/decompound.h"
#include "shim/shim.h"

#define LUPE_BACKOFF_MAX 32

/* One term to add to the query, with its weight against the word's. */
typedef struct {
	char term[LUPE_TERM_MAX + 1]; /* NUL-terminated */
	size_t len;
	double scale;
} lupe_backoff_term;

/*
 * The leaves among the n part tokens t->v[first..first+n) that follow a
 * word whose folded form is form[0..flen): the analyzer gives a compound's
 * leaves first, in order (bund, verfassung, gericht), then its
 * sub-compounds (verfassungsgericht), and camel-case words their pieces.
 * Writes each leaf's byte range in `form` to leaves[] (at most max) and
 * returns how many of the tokens are leaves (n when they all are).
 */
int lupe_backoff_leaves(const char *form, size_t flen, const lupe_tokens *t, size_t first, size_t n,
			lupe_part *leaves, int max);

/*
 * The back-off terms of a compound with the nl leaves `leaves` in `form`
 * (nl >= 2) whose own term the index does not hold: each run of two or
 * more leaves short of the whole word (verfassungsgericht, and
 * bundesverfassung) that the index holds, scaled by the share of the word
 * it covers, then each leaf the index holds, scaled lowest.  Runs are
 * analysed like any text (`an`; `scratch` is reset and used), so their
 * terms are the index's.  Returns the number written to out (at most max),
 * or -1 when out of memory.
 */
int lupe_backoff_terms(lx_db *x, lupe_analyzer *an, lupe_tokens *scratch, const char *form,
		       const lupe_part *leaves, int nl, lupe_backoff_term *out, int max);

#endif
