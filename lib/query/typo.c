#include <string.h>

#include "query/typo.h"

/*
 * A word the index holds is taken as a typo only when a neighbour is this
 * many times more frequent and the word itself occurs at most
 * TYPO_RARE_MAX times: a rare name ("Hutton") next to a frequent word
 * ("Huston") is searched as typed alone unless the gap is wide.
 */
#define TYPO_RARE_RATIO 50
#define TYPO_RARE_MAX 3
/* A candidate further out than the closest ones must be this much more frequent. */
#define TYPO_FAR_RATIO 20

int lupe_typo_corrections(lx_db *db, const char *term, size_t tlen, size_t chars, size_t keep, int *budget,
			  lupe_fuzzy_cand *out, int max)
{
	lupe_fuzzy_cand c[LUPE_FUZZY_MAX];
	int dist = lupe_fuzzy_distance(chars);
	if (dist == 0 || max <= 0 || *budget <= 0)
		return 0;
	uint64_t own = lx_termfreq(db, term, tlen);
	if (own > TYPO_RARE_MAX)
		return 0;
	(*budget)--;
	int n = lupe_fuzzy_terms(db, term, tlen, dist, keep, c, LUPE_FUZZY_MAX);
	if (n <= 0)
		return 0;
	/* c is sorted: closest first, then most frequent. */
	int best = c[0].dist;
	uint64_t top = 0;
	for (int i = 0; i < n && c[i].dist == best; i++)
		if (c[i].freq > top)
			top = c[i].freq;
	int k = 0;
	for (int i = 0; i < n && k < max; i++) {
		if (c[i].dist != best && c[i].freq < top * TYPO_FAR_RATIO)
			continue;
		if (own && c[i].freq < own * TYPO_RARE_RATIO)
			continue;
		out[k++] = c[i];
	}
	return k;
}
