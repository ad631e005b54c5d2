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

#include "analysis/analyzer.h"
#include "query/fuzzy.h"
#include "shim/shim.h"

/* A correction: its index term, and the one-edit variant of the word that gave it ("" when none). */
#define LUPE_TYPO_FORM 64
typedef struct {
	lupe_fuzzy_cand c;
	char form[LUPE_TYPO_FORM];
	unsigned char usual; /* some one-edit variant that gave the term undoes a usual typo (lupe_typo_usual) */
	char usual_form[LUPE_TYPO_FORM]; /* the first such variant the word list knows, else the first ("" when none) */
} lupe_typo_cand;

/* At most this many corrections are searched for one word. */
#define LUPE_TYPO_ALTS 4
/*
 * What one query may spend on looking up corrections: 8 words the index
 * does not hold, or 32 it holds once (these are checked more cheaply), so the cost of a query stays bounded (a query of 1,000
 * misspelt words, or many words with crowded neighbourhoods such as
 * "aaaaaaaa").
 */
#define LUPE_TYPO_BUDGET 32
/*
 * And on what it stems: once a query's memo has made this many one-edit
 * variants (lupe_typo_memo_variants), no further word is probed and later
 * words are taken as typed.  Words of 40 letters give ~80 variants even
 * where pruning leaves no replaced or inserted letter; 8 of them, or a
 * line of long mistyped words, stayed within the words' budget yet cost
 * 35% of a 58 M-instruction query (2,246 variants).  The public typo
 * questions make 919 at most.
 */
#define LUPE_TYPO_VARIANTS_MAX 1024

/*
 * What one query has looked up for typo tolerance, so that the query
 * builder and the did-you-mean suggestion ask the index once: term
 * frequencies, and each word's one-edit variants the index holds.  Valid
 * for one revision of the index: make one per query (lupe_typo_memo_new:
 * 0, or -1 out of memory; lupe_typo_memo_free accepts NULL).
 */
typedef struct lupe_typo_memo lupe_typo_memo;
int lupe_typo_memo_new(lupe_typo_memo **out);
void lupe_typo_memo_free(lupe_typo_memo *m);
/*
 * Look up n terms in one batch (one exchange per remote shard) and keep
 * their frequencies: the query's own words, before it is built.  0, or -1.
 */
int lupe_typo_memo_prefetch(lupe_typo_memo *m, lx_db *db, const char *const *terms, const size_t *lens, size_t n);
/*
 * After lupe_typo_memo_prefetch of the words' terms: look up the one-edit
 * variants of every word that may be mistyped (forms[i], flens[i] bytes as
 * the analyzer folds them, terms[i] its term) in one batch, within the
 * query's budget.  0, or -1 out of memory.
 */
int lupe_typo_memo_prepare(lupe_typo_memo *m, lx_db *db, lupe_analyzer *an, const char *const *forms,
			   const size_t *flens, const char *const *terms, const size_t *tlens, size_t n);
/* The frequencies the memo holds, for lupe_fuzzy_terms_known (NULL for NULL). */
lupe_probes *lupe_typo_memo_known(lupe_typo_memo *m);
/* How many one-edit variants of words the memo's look-ups made and stemmed (0 for NULL): their cost. */
size_t lupe_typo_memo_variants(const lupe_typo_memo *m);
/* Keep a frequency read elsewhere (a search's own statistics): 0, or -1. */
int lupe_typo_memo_learn(lupe_typo_memo *m, const char *term, size_t len, uint64_t freq);
/* The frequency of term, from the memo or looked up and kept (m NULL: looked up). */
uint64_t lupe_typo_memo_termfreq(lupe_typo_memo *m, lx_db *db, const char *term, size_t len);

/*
 * The corrections of a query word: `form` (flen bytes) as the analyzer
 * folded it, `term` its index term.  Only a word the index does not hold,
 * or holds once (a typo in a document) while a correction is 50 times as
 * frequent, has any; and only a word of 5 letters or more.  The corrections are the
 * index terms of the words one edit from `form` (deleted, swapped,
 * replaced or inserted letter, umlauts included), those that undo a usual
 * typo first (lupe_typo_usual), then the most frequent;
 * when there are none, the index terms within the word's distance of its
 * stem (lupe_fuzzy_distance: 1 edit from 5 letters, 2 from 9; a
 * transposition is one edit), closest first.  `keep` leading characters
 * are never changed.  Writes up to max (<= LUPE_FUZZY_MAX) to out and
 * returns their count.  *budget is what the query may still spend (start
 * it at LUPE_TYPO_BUDGET): each look-up takes its share, at 0 or below
 * none is made.  *own_freq (if not NULL) receives the documents holding `term`
 * when it was looked up, else 0.  memo (may be NULL) holds what the
 * query looked up already and keeps what this call looks up.
 */
/*
 * A compound typed with a typo, which the index holds only in parts
 * ("Bundesverfasungsgericht": no document has the compound, and the typo
 * keeps the splitter from finding its parts): the word one edit from
 * `form` (folded, as lupe_typo_corrections takes it) that the analyzer's
 * splitter cuts into parts the index all holds; of several, the one whose
 * rarest part is most frequent.  Writes it to out (at least
 * LUPE_TYPO_FORM bytes, NUL-terminated) and returns its length; 0 when
 * there is none, the word is shorter than LUPE_TYPO_COMPOUND_MIN bytes or
 * longer than lupe_typo_corrections corrects, or *budget is spent (the
 * call takes LUPE_TYPO_COMPOUND_COST of it).  It splits every variant
 * (~60 a letter, ~1 us each) and looks up the parts of those that split.
 */
#define LUPE_TYPO_COMPOUND_MIN 10
#define LUPE_TYPO_COMPOUND_COST 8
size_t lupe_typo_compound(lx_db *db, lupe_analyzer *an, lupe_typo_memo *memo, const char *form, size_t flen,
			  int *budget, char *out);

/*
 * Whether the one edit from the word typed (form, folded) to v undoes a
 * usual typo: a dropped letter (v inserts one), a doubled one (v deletes a
 * letter that stands twice), two letters swapped, a neighbouring key on a
 * German keyboard or an umlaut typed without its dots (v replaces it).
 * 1 or 0.  Of two readings of a compound whose parts the index holds
 * alike, the one a usual typo explains is meant (Bildunsgberatung:
 * Bildungsberatung, not Bildung|beratung with its s deleted;
 * Rechnervaugruppe: Baugruppe, not Saugruppe); and a suggestion may name
 * such a variant when the documents show no close written form.
 */
int lupe_typo_usual(const char *form, size_t flen, const char *v, size_t n);
/*
 * Where the stemmer may cut an ending off v (n bytes, folded and mapped:
 * ä ö ü as a o u): bit j set when v's bytes j.. may be cut (lupe_de_prestem's
 * -in or -innen, then one suffix of each of Snowball's German steps), bit n
 * always (nothing cut).  A superset of what lupe_analyzer_stem_folded cuts
 * (typo.c, the pruning of variants; test_typo's test_cuts_hold).  n < 64.
 */
uint64_t lupe_typo_cuts(const char *v, size_t n);
/* The nodes of the table lupe_typo_cuts reads (for its test). */
size_t lupe_typo_cut_nodes(void);

/*
 * For a word the splitter cuts into parts (a compound the collection may
 * simply lack: "Spurweite", spur|weite): keeps, in place, only the
 * corrections that some one-edit variant undoing a usual typo gave (the
 * usual flag), and returns how many are left.  A term two edits away
 * ("spurtet", from "spurtete") is another word, not the compound
 * mistyped.
 */
int lupe_typo_keep_usual(lupe_typo_cand *c, int n);

/* Whether one of the n corrections c is usual (a one-edit variant undoing a usual typo gave it). */
int lupe_typo_any_usual(const lupe_typo_cand *c, int n);

/*
 * A word whose ae, oe or ue a typo may have made (callers pass raw only
 * for a word the index lacks): when none of its n
 * corrections c (from the canonical form) is usual, the corrections of
 * the word as typed (raw, rl bytes: lupe_de_unspelled) replace them if
 * one of those is.  "köroerliche" reads as "körörliche", whose one edit
 * finds only "kor"; as typed, one usual edit (o for p) finds körperliche.
 * Takes what lupe_typo_corrections takes; returns the new n, and sets
 * *replaced (if not NULL) to 1 when the corrections are the raw word's
 * (their forms are then variants of raw), else 0.
 */
int lupe_typo_corrections_as_typed(lx_db *db, lupe_analyzer *an, lupe_typo_memo *memo, const char *raw, size_t rl,
				   const char *form, size_t flen, const char *term, size_t tlen, size_t keep,
				   int *budget, uint64_t *own_freq, lupe_typo_cand *c, int n, int max, int *replaced);

/*
 * The search's other half of lupe_typo_corrections_as_typed: when some of
 * the n corrections c of the canonical form are usual (so that function
 * kept them), the word as typed (raw, rl bytes; callers pass raw only for
 * a word the index lacks) is read too, and its usual corrections whose
 * terms c lacks are added: "spirituele" reads as "spiritüle", one usual
 * edit from "spiritüale" (spiritual); as typed, one from "spirituelle".
 * Added at the end while fewer than max, then in place of corrections no
 * usual typo explains, from the last.  Returns the new n.
 */
int lupe_typo_corrections_add_typed(lx_db *db, lupe_analyzer *an, lupe_typo_memo *memo, const char *raw, size_t rl,
				    const char *form, size_t flen, const char *term, size_t tlen, size_t keep,
				    int *budget, lupe_typo_cand *c, int n, int max);

/*
 * What lupe_typo_compound answered for `form` in this memo's query,
 * without a look-up: the mended compound's length, written to out (at
 * least LUPE_TYPO_FORM bytes, NUL-terminated); 0 when it found none; -1
 * when the word was not asked.  *named (if not NULL) is set to 1 when the
 * mend is worth a suggestion: its edit undoes a usual typo (a dropped,
 * doubled or swapped letter, a neighbouring key, an umlaut without dots)
 * and changed a part's term, or made the part one of a sub-compound the
 * index holds (not "Nichtvorhandensein" -> "Nichtevorhandensein",
 * searched for its parts' same terms).
 */
long lupe_typo_memo_mended(const lupe_typo_memo *memo, const char *form, size_t flen, char *out, int *named);

int lupe_typo_corrections(lx_db *db, lupe_analyzer *an, lupe_typo_memo *memo, const char *form, size_t flen,
			  const char *term, size_t tlen, size_t keep, int *budget, uint64_t *own_freq, lupe_typo_cand *out,
			  int max);

#endif
