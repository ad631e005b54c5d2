/*
 * Typo tolerance, on by default (Meilisearch-like): the likely corrections
 * of a query word the index does not hold, or holds far more rarely than a
 * word one or two edits away.  The query builder searches them beside the
 * word as typed, weighted lower; the did-you-mean suggestion names them.
 */
#ifndef LUPE_TYPO_H
#define LUPE_TYPO_H

#include <stddef.h>
#include <stdint.h>

#include "query/fuzzy.h"
#include "shim/shim.h"

/* At most this many corrections are searched for one word. */
#define LUPE_TYPO_ALTS 4
/*
 * At most this many words of one query are looked up for corrections: the
 * cost of a query stays bounded (a query of 1,000 misspelt words, or many
 * words with crowded neighbourhoods such as "aaaaaaaa").
 */
#define LUPE_TYPO_WORDS 8

/*
 * The corrections of the index term `term` (tlen bytes), the stem of a
 * word of `chars` letters: index terms within the word's distance
 * (lupe_fuzzy_distance: 1 edit from 5 letters, 2 from 9; a transposition
 * is one edit), when the term itself is absent from the index or at least
 * LUPE_TYPO_RARE_RATIO times rarer than the best of them.  The ones kept:
 * those at the closest distance found, most frequent first; from further
 * out only one far more frequent than all of these.  `keep` leading bytes
 * are never changed (see lupe_fuzzy_terms).  Writes up to max (<= 
 * LUPE_FUZZY_MAX) to out and returns their count; 0 when the word is fine
 * or has no neighbour.  *budget counts the neighbourhoods a query may
 * still search (start it at LUPE_TYPO_WORDS): each search takes one, and
 * at 0 none is made.
 */
int lupe_typo_corrections(lx_db *db, const char *term, size_t tlen, size_t chars, size_t keep, int *budget,
			  lupe_fuzzy_cand *out, int max);

#endif
