/*
 * Words of the index close to a query word, for typo tolerance and
 * did-you-mean.  The terms that share the first two letters are scanned and
 * compared; one-edit variants that change those letters are generated and
 * asked for one by one.  Neither scans the whole vocabulary.
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
 * term itself excluded; closest first, then most frequent.  Every term one
 * edit away is found; of those two edits away, the ones that share the
 * first two letters.  The first `keep` letters (0..2) are kept: 0 for
 * typo-tolerant search (Lucene's FuzzyQuery and Elasticsearch default to
 * prefix_length 0), 1 for did-you-mean (Lucene's DirectSpellChecker's
 * minPrefix 1: a first letter is rarely mistyped, and a suggestion that
 * changes it is rarely the word meant).  Only plain ASCII stems of 4..60
 * bytes are expanded.  Returns the count (at most max).
 */
int lupe_fuzzy_terms(lx_db *db, const char *term, size_t len, int maxdist, size_t keep, lupe_fuzzy_cand *out,
		     int max);

/*
 * The edit distance of two byte strings (Damerau-Levenshtein, optimal
 * string alignment), or max + 1 when it is over max (or either is 63 bytes
 * or longer).
 */
int lupe_fuzzy_osa(const char *a, size_t la, const char *b, size_t lb, int max);

/* The distance a word of `chars` letters may be off by: 0, 1 (5+) or 2 (9+). */
int lupe_fuzzy_distance(size_t chars);

#endif
