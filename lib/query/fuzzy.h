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
 * Add candidate t (n bytes) at distance dist with freq to out (*count of
 * max used), unless it is `self` (the word's own term), too long or there
 * already; when full, it replaces the least frequent if more frequent.
 * Returns its slot, or -1 when it was not added.  Shared by typo.c.
 */
int lupe_fuzzy_add(lupe_fuzzy_cand *out, int *count, int max, const char *self, size_t self_len, const char *t,
		   size_t n, int dist, uint64_t freq);

/*
 * A set of terms to look up in one batch (lx_termfreqs: one exchange per
 * remote shard for all of them, not one per term).  lupe_probes_add
 * returns the term's index (the same for a term added before), or -1 when
 * out of memory; after lupe_probes_run, lupe_probes_freq(p, i) is its
 * document frequency.  Zero-initialise; lupe_probes_free releases.
 */
typedef struct {
	lupe_buf terms;      /* the terms, NUL-terminated, back to back */
	size_t *off, *len;   /* each term's offset in terms and length */
	uint64_t *freq;
	size_t n, cap;
	uint32_t *slots;     /* hash set of index + 1 (0 free), nslots a power of two */
	size_t nslots;
} lupe_probes;
long lupe_probes_add(lupe_probes *p, const char *t, size_t n);
/* The term's index, or -1 when it was not added. */
long lupe_probes_find(const lupe_probes *p, const char *t, size_t n);
/*
 * Look the terms up; known (may be NULL) holds frequencies read before:
 * those are taken from it, only the others are asked for, and their
 * answers are added to it.  0, or -1 out of memory.
 */
int lupe_probes_run(lupe_probes *p, lx_db *db, lupe_probes *known);
void lupe_probes_free(lupe_probes *p);
#define lupe_probes_freq(p, i) ((p)->freq[i])

/* The same, with frequencies known before (lupe_probes_run's known). */
int lupe_fuzzy_terms_known(lx_db *db, lupe_probes *known, const char *term, size_t len, int maxdist, size_t keep,
			   lupe_fuzzy_cand *out, int max);
/*
 * What does not depend on `keep`: the scan of the terms that share the
 * first two letters, the costly part (up to 20,000 terms).  Kept for one
 * term, maxdist and max (<= LUPE_FUZZY_MAX), it serves a second keep of
 * the same word (the search's 0, the suggestion's 1) with the same result
 * as a scan of its own.  Zero-initialise; valid for one revision.
 */
typedef struct {
	int done;
	size_t from;
	int n;
	lupe_fuzzy_cand out[LUPE_FUZZY_MAX];
} lupe_fuzzy_scan;
int lupe_fuzzy_terms_scan(lx_db *db, lupe_probes *known, lupe_fuzzy_scan *scan, const char *term, size_t len,
			  int maxdist, size_t keep, lupe_fuzzy_cand *out, int max);

/*
 * The edit distance of two byte strings (Damerau-Levenshtein, optimal
 * string alignment), or max + 1 when it is over max (or either is 63 bytes
 * or longer).
 */
int lupe_fuzzy_osa(const char *a, size_t la, const char *b, size_t lb, int max);

/* The distance a word of `chars` letters may be off by: 0, 1 (5+) or 2 (9+). */
int lupe_fuzzy_distance(size_t chars);

#endif
