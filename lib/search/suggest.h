/* Did you mean: a corrected query when a word is absent from the index. */
#ifndef LUPE_SUGGEST_H
#define LUPE_SUGGEST_H

#include "analysis/analyzer.h"
#include "query/parse.h"
#include "query/typo.h"
#include "shim/shim.h"

/*
 * A corrected copy of query (malloc'd) where words the index does not hold
 * are replaced by a word of the collection one or two edits away (the
 * closest, then the most frequent), written as it appears there; NULL when
 * there is nothing to suggest (or no memory).  memo (may be NULL): what
 * the query's building looked up (query/typo.h), read instead of asking
 * the index again.
 */
char *lupe_suggest(lx_db *x, lupe_analyzer *an, lupe_tokens *toks, lupe_typo_memo *memo, const lq_node *root,
		   const char *query, size_t len);

#endif
