/*
 * Zoned snippets (issue 21).  A snippet of a long body scans its first
 * LUPE_SNIPPET_SCAN_MAX bytes for the query's words and analyses where
 * they may be: for the few long bodies among a short query's hits, most
 * of the query's cost.  Yet Xapian knows where the query's terms stand in
 * the body (their positions), and the body's position map
 * (index/posmap.h) turns a position into a stretch of bytes.  So the
 * positions of the query's terms are scored in spans about a snippet long,
 * as the snippet scores matches (each query word's best kind, summed; then
 * the most of them, the earliest), and only the zones around the best
 * spans are scanned and analysed (lupe_snippet_zoned).  The passage is
 * then chosen among their matches as among the whole stretch's.
 */
#ifndef LUPE_ZONES_H
#define LUPE_ZONES_H

#include "lupe.h"
#include "query/build.h"
#include "shim/shim.h"

/*
 * A query's scratch for its hits' zones: made at its first long hit, freed
 * with the query (about 100 KB, fixed: positions past ZPOS_MAX are not
 * looked at).
 */
typedef struct lupe_zones lupe_zones;
void lupe_zones_free(lupe_zones *z);

/*
 * The zones of the i-th hit of ms (a result of lx_search on x) to analyse
 * for a snippet of about `target` bytes of its body text[0..len) (the
 * record's text), for the query's highlight terms qt: 1 with *zones (nz of
 * them, best first, apart, at whitespace edges, within the first stretch;
 * borrowed from *zs until its next use) set; 0 when the body is to be read
 * the old way (short, no map, an old index, a sharded one, prefix terms,
 * anything Xapian did not answer); -1 out of memory.  *zs is made when NULL.
 */
int lupe_zones_find(lupe_zones **zs, lx_db *x, const lx_mset *ms, size_t i, const lupe_qterms *qt,
		    const char *text, size_t len, size_t target, const lupe_span **zones, size_t *nz);

/*
 * After lupe_zones_find gave a hit's zones (returned 1): whether one of the
 * query words' own terms (LUPE_QT_WORD, the terms of a match as written)
 * stands in the body near the first stretch's end or past it, or that is
 * not known (1).  0: no later stretch holds a token of such a term, so none
 * shows a query word as written and lupe_snippet_deep has nothing to find
 * past the first stretch -- the search for it (and the unpacking of the
 * body's tail) is skipped.  A stretch's analysis starts at a word's start,
 * where a token's term is the one the index gave it.
 */
int lupe_zones_word_late(const lupe_zones *z);

/*
 * After lupe_zones_find gave a hit's zones: 1 when the body's bytes
 * [from, to) surely hold no token of a query word's own term (by the
 * position map, which reaches into a long body's tail: index/posmap.h), so
 * that a stretch there shows no query word as written; 0 when they may.
 */
int lupe_zones_quiet(const lupe_zones *z, size_t from, size_t to);

#endif
