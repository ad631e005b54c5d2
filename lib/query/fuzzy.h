/*
 * Words of the index close to a query word, for typo tolerance and
 * did-you-mean.  Edit distance 1 is found by generating every variant of
 * the term and asking the index for it; distance 2 by comparing the terms
 * that share the first two letters.  Neither scans the whole vocabulary.
 */
#ifndef LUPE_FUZZY_H
#define LUPE_FUZZY_H

#include <stdint.h>

#include "shim/shim.h"
#include "util/buf.h"

#define LUPE_FUZZY_MAX 32

typedef struct {
	char term[64];
	uint64_t freq;
	int dist;
} lupe_fuzzy_cand;

/*
 * Index terms (unprefixed) within `maxdist` (1 or 2) edits of term, the
 * term itself excluded; most frequent first.  Only plain ASCII stems of
 * 4..60 bytes are expanded.  Returns the count (at most max) or -1.
 */
int lupe_fuzzy_terms(lx_db *db, const char *term, size_t len, int maxdist, lupe_fuzzy_cand *out, int max);

/* The distance a word of `chars` letters may be off by: 0, 1 (5+) or 2 (9+). */
int lupe_fuzzy_distance(size_t chars);

#endif
