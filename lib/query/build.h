/*
 * From a parsed query (parse.h) to a Xapian query (through the shim), with
 * every word analysed exactly as document text is.  Also collects the
 * terms that snippets highlight.
 */
#ifndef LUPE_QUERY_BUILD_H
#define LUPE_QUERY_BUILD_H

#include "analysis/analyzer.h"
#include "query/parse.h"
#include "query/typo.h"
#include "shim/shim.h"
#include "util/buf.h"
#include "util/error.h"

/* What a highlight term stands for in its query word (lupe_qterm_info.kind). */
#define LUPE_QT_WORD 0  /* the word's own term (or a form the query joins or completes) */
#define LUPE_QT_PART 1  /* a part of the word, a compound */
#define LUPE_QT_TYPO 2  /* a term a typo or two away from the word (fuzzy search) */

typedef struct {
	uint16_t group;      /* the query word it comes from: the terms of one word share it */
	uint8_t kind;        /* LUPE_QT_* */
} lupe_qterm_info;

/* At most this many terms and prefixes each (more are not noted). */
#define LUPE_QTERMS_MAX 256

/* The terms a hit's snippet highlights: exact terms and term prefixes. */
typedef struct {
	lupe_buf terms;      /* NUL-separated */
	size_t n_terms;
	lupe_buf prefixes;   /* NUL-separated */
	size_t n_prefixes;
	/*
	 * Made by lupe_query_build (a list filled by hand has n_groups 0: then
	 * every term counts as a word of its own).  info[i] belongs to the i-th
	 * term, pinfo[i] to the i-th prefix; forms are the query's words as
	 * written, normalised (lupe_token.form), NUL-separated, so a snippet can
	 * tell the word as written from another form of its stem.
	 */
	lupe_qterm_info info[LUPE_QTERMS_MAX], pinfo[LUPE_QTERMS_MAX];
	unsigned n_groups;
	lupe_buf forms;
	size_t n_forms;
	lupe_buf written;    /* the same words byte for byte as the query has them */
	size_t n_written;
	/* Hyphen groups searched as their phrase alone (see LUPE_BUILD_HYPHEN_WORDS). */
	unsigned hyphen_phrases;
} lupe_qterms;

void lupe_qterms_free(lupe_qterms *qt);
/* Whether term (len bytes) is highlighted. */
int lupe_qterms_match(const lupe_qterms *qt, const char *term, size_t len);
/*
 * The same, saying what it stands for: 1 with *info set (for a prefix, the
 * longest prefix's; groups numbered by term when n_groups is 0), else 0.
 */
int lupe_qterms_find(const lupe_qterms *qt, const char *term, size_t len, lupe_qterm_info *info);
/* Whether form (len bytes) is one of the query's words as written (normalised). */
int lupe_qterms_is_form(const lupe_qterms *qt, const char *form, size_t len);
/* Whether text (len bytes) is one of the query's words byte for byte (case too). */
int lupe_qterms_is_written(const lupe_qterms *qt, const char *text, size_t len);

/*
 * Build the query for `root` against the index x (consulted for fuzzy
 * expansion).  `toks` is scratch space.  `memo` (typo.h; may be NULL)
 * keeps what typo tolerance looked up, for the suggestion to read after.  Returns LUPE_OK with *out set, or
 * LUPE_EQUERY (nothing searchable, a bad date range) / LUPE_ENOMEM with a
 * message in err.
 */
/* Build flags. */
#define LUPE_BUILD_FUZZY 0x1u  /* add words one or two edits away, weighted lower */
#define LUPE_BUILD_TYPO 0x2u   /* add the likely corrections of unknown words (query/typo.h) */
/*
 * Search the words of every hyphen group too, as if typed apart, not only
 * of a group with a word the index lacks: for a search that the groups'
 * phrases left with no hit (qt->hyphen_phrases says whether it had any).
 */
#define LUPE_BUILD_HYPHEN_WORDS 0x4u

int lupe_query_build(lx_db *x, unsigned flags, lupe_analyzer *an, lupe_tokens *toks, lupe_typo_memo *memo,
		     const lq_node *root, lx_query **out, lupe_qterms *qt, lupe_err *err);

#endif
