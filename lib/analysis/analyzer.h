/*
 * The analysis pipeline, internal view.  Documents (index/document.c) and
 * query words (query/build.c) both go through lupe_analyze_into(), so the
 * terms of a query are made exactly like the terms of the index.
 */
#ifndef LUPE_ANALYZER_H
#define LUPE_ANALYZER_H

#include <stdint.h>

#include "lupe.h"
#include "analysis/decompound.h"
#include "util/buf.h"

/* Index terms are cut to this many bytes (Xapian's limit is 245 with prefix). */
#define LUPE_TERM_MAX 200
/* Only this many bytes of one word are normalised; the rest of a longer "word" is noise. */
#define LUPE_WORD_MAX 240

typedef struct {
	uint32_t term_off, term_len; /* into the arena */
	uint32_t form_off, form_len;
	uint32_t position;
	size_t start, end;
	int kind;
	unsigned flags;
} lupe_itok;

struct lupe_tokens {
	lupe_itok *v;
	size_t n, cap;
	lupe_buf arena;
	lupe_token *pub; /* the public view, made on demand */
	size_t pub_n;
};

/* Empty the list but keep its memory for the next analysis. */
void lupe_tokens_reset(lupe_tokens *t);
void lupe_tokens_release(lupe_tokens *t); /* free the contents, not the struct */

static inline const char *lupe_itok_term(const lupe_tokens *t, const lupe_itok *k)
{
	return t->arena.p + k->term_off;
}

static inline const char *lupe_itok_form(const lupe_tokens *t, const lupe_itok *k)
{
	return t->arena.p + k->form_off;
}

/*
 * Analyse text and append its tokens to `out`, numbering word positions
 * from `first_pos`.  Returns the next free position, or -1 (out of memory).
 */
int64_t lupe_analyze_into(lupe_analyzer *an, lupe_tokens *out, const char *text, size_t len,
			  uint32_t first_pos);

/*
 * The words of text only, as lupe_analyze_into() makes them: each word's
 * (or number's, URL's, address's) own token, in the same order, without
 * the extra tokens at its position (compound and CamelCase parts, a hyphen
 * group's joined form, completed truncations, inner words of addresses),
 * and without the word cache (neither read nor filled).  For words the
 * query makes up (compounds of neighbouring query words): the first
 * token's term is lupe_analyze_into()'s first token's term, at a fraction
 * of the cost, and the cache keeps the words of real text.  Returns the
 * next free position, or -1 (out of memory).
 */
int64_t lupe_analyze_words(lupe_analyzer *an, lupe_tokens *out, const char *text, size_t len, uint32_t first_pos);

/* Whether the analyzer splits compounds. */
int lupe_analyzer_decompounds(const lupe_analyzer *an);
/* The analyzer's compound splitter, or NULL when it splits none. */
const lupe_decompounder *lupe_analyzer_decompounder(const lupe_analyzer *an);

/* Collection statistics for compound splitting (see decompound.h); fn may be NULL. */
void lupe_analyzer_set_freq(lupe_analyzer *an, lupe_freq_fn fn, void *ctx);

/*
 * Normalise one word as the analyzer does before stemming (case fold,
 * canonical spelling), for prefix queries.  Appends to out; 0 or -1.
 */
int lupe_analyzer_fold(lupe_analyzer *an, const char *word, size_t len, lupe_buf *out);

/* The same through ICU alone (no fast path for Latin-1 words), for the tests that compare. */
int lupe_analyzer_fold_icu(lupe_analyzer *an, const char *word, size_t len, lupe_buf *out);

/*
 * The term of a word already folded (lupe_analyzer_fold's output), as the
 * analyzer makes it: feminine ending, then Snowball.  Borrowed, valid until
 * the next call on an; NULL when out of memory.  For typo tolerance, which
 * stems the one-edit variants of a word.
 */
const char *lupe_analyzer_stem_folded(lupe_analyzer *an, const char *folded, size_t len, size_t *tlen);

/*
 * How often the analyzer's caches missed since it was made: *stems, calls
 * to Snowball for a form the stem cache could hold; *words, words the word
 * cache could hold analysed anew.  For the tests.
 */
void lupe_analyzer_misses(const lupe_analyzer *an, size_t *stems, size_t *words);

#endif
