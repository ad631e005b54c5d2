/* Did you mean: a corrected query when a word is absent from the index. */
#ifndef LUPE_SUGGEST_H
#define LUPE_SUGGEST_H

#include "analysis/analyzer.h"
#include "query/parse.h"
#include "shim/shim.h"

/*
 * A corrected copy of query (malloc'd) where words the index does not hold
 * are replaced by a word of the collection one or two edits away (the
 * closest, then the most frequent), written as it appears there; NULL when
 * there is nothing to suggest (or no memory).
 */
char *lupe_suggest(lx_db *x, lupe_analyzer *an, lupe_tokens *toks, const lq_node *root, const char *query,
		   size_t len);

/*
 * A suggester: lupe_suggest() on a thread of its own, with its own reader
 * of the index at `path` and its own analyzer, so that a search computes
 * its suggestion while it matches and makes snippets (on another core),
 * not after.  For a read-only handle on a local index (a writer's reader
 * sees what it has not committed, which a second reader cannot).
 *
 * lupe_suggester_new: 0, or -1 (no thread, memory or reader: the caller
 * suggests itself).  lupe_suggester_post: hand over a query (its tree and
 * text must stay untouched until lupe_suggester_wait returns); 0, or -1
 * when the suggester cannot take it (a process forked since it was made).
 * lupe_suggester_wait: the suggestion of the posted query, as
 * lupe_suggest() returns it.  lupe_suggester_free ends the thread.
 */
typedef struct lupe_suggester lupe_suggester;
int lupe_suggester_new(lupe_suggester **out, const char *path, int decompound);
int lupe_suggester_post(lupe_suggester *s, const lq_node *root, const char *query, size_t len);
char *lupe_suggester_wait(lupe_suggester *s);
void lupe_suggester_free(lupe_suggester *s);

#endif
