/*
 * Compound splitting for German words (Kommunikationsberater ->
 * kommunikation + berater).  A decompounder is built once (per analyzer)
 * and is read-only afterwards, so one may be shared by threads.
 */
#ifndef LUPE_DECOMPOUND_H
#define LUPE_DECOMPOUND_H

#include <stddef.h>
#include <stdint.h>

typedef struct lupe_decompounder lupe_decompounder;

/* One part: a byte range of the word, linking element (-s-, -en-, ...) excluded. */
typedef struct {
	uint32_t start, end;
} lupe_part;

/*
 * Optional statistics from the indexed collection: how often a part occurs
 * (e.g. its document frequency).  Return 0 when unknown.  `word` is either
 * the whole word or a part in its dictionary form (farbe for farb|konstanten),
 * not NUL-terminated.  Called only for words with a candidate split.
 */
typedef uint64_t (*lupe_freq_fn)(void *ctx, const char *word, size_t len);

/* Build the decompounder (loads the built-in dictionary).  0 or -1 (no memory). */
int lupe_decomp_new(lupe_decompounder **out);
void lupe_decomp_free(lupe_decompounder *d);

/* Attach (or with fn NULL, detach) collection statistics. */
void lupe_decomp_set_freq(lupe_decompounder *d, lupe_freq_fn fn, void *ctx);

/*
 * Split `word` (case-folded, canonical spelling, UTF-8, no hyphens) all the
 * way down into at most `max` parts, the leaves of the split, in order:
 * bundesverfassungsgericht -> bund, verfassung, gericht.  Every byte is a
 * part or a linking element between two.  Returns the number of parts
 * written: 0 when the word is not split (too short, not a compound, not
 * German), else 2 or more.
 */
int lupe_decomp_leaves(const lupe_decompounder *d, const char *word, size_t len,
		       lupe_part *parts, int max);

/*
 * The terms of a compound for the index: the leaves as lupe_decomp_leaves
 * gives them, followed (while `max` allows) by its sub-compounds, each
 * spanning two or more leaves, longest first: for bundesverfassungsgericht
 * bund, verfassung, gericht, then verfassungsgericht.  The leaves come
 * first and in order; the entries after them overlap them.  Returns the
 * number written (0: not split).
 */
int lupe_decomp_split(const lupe_decompounder *d, const char *word, size_t len,
		      lupe_part *parts, int max);

/*
 * Where the head of a compound starts, for completing truncated compounds
 * (Haus- und Gartenarbeit: the head of gartenarbeit is arbeit).  The word
 * as for lupe_decomp_split.  When it splits, the head is everything after
 * the first part and its linking element (umwelt|politik -> politik);
 * otherwise the longest dictionary word that ends it and leaves at least
 * two letters before it (ausgabe -> gabe, abbau -> bau).  Returns the byte
 * offset of the head, or 0 when there is none.
 */
size_t lupe_decomp_head(const lupe_decompounder *d, const char *word, size_t len);

/*
 * Whether the word (folded as the analyzer folds: lower case, ß as ss) is
 * in the compiled word list: 2 as a German word (any inflected form
 * wngerman lists), 1 only as an English one (wamerican), 0 not at all.
 */
int lupe_decomp_known(const char *word, size_t len);

#endif
