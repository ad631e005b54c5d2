/*
 * From a parsed query (parse.h) to a Xapian query (through the shim), with
 * every word analysed exactly as document text is.  Also collects the
 * terms that snippets highlight.
 */
#ifndef LUPE_QUERY_BUILD_H
#define LUPE_QUERY_BUILD_H

#include "analysis/analyzer.h"
#include "query/parse.h"
#include "shim/shim.h"
#include "util/buf.h"
#include "util/error.h"

/* The terms a hit's snippet highlights: exact terms and term prefixes. */
typedef struct {
	lupe_buf terms;      /* NUL-separated */
	size_t n_terms;
	lupe_buf prefixes;   /* NUL-separated */
	size_t n_prefixes;
} lupe_qterms;

void lupe_qterms_free(lupe_qterms *qt);
/* Whether term (len bytes) is highlighted. */
int lupe_qterms_match(const lupe_qterms *qt, const char *term, size_t len);

/*
 * Build the query for `root` against the index x (consulted for fuzzy
 * expansion).  `toks` is scratch space.  Returns LUPE_OK with *out set, or
 * LUPE_EQUERY (nothing searchable, a bad date range) / LUPE_ENOMEM with a
 * message in err.
 */
/* Build flags. */
#define LUPE_BUILD_FUZZY 0x1u  /* add words one or two edits away, weighted lower */
#define LUPE_BUILD_TYPO 0x2u   /* add the likely corrections of unknown words (query/typo.h) */

int lupe_query_build(lx_db *x, unsigned flags, lupe_analyzer *an, lupe_tokens *toks, const lq_node *root,
		     lx_query **out, lupe_qterms *qt, lupe_err *err);

#endif
