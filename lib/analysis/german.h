/*
 * German word-level rules: gendered forms, spelling variants, -erin forms,
 * stopwords.  Every function works on one word and is pure: no state, no
 * allocation; the analyzer (analyzer.c) calls them in this order for each
 * word, at index time and at query time alike:
 *
 *   raw word --lupe_de_degender--> NFKC casefold --lupe_de_spelling-->
 *   (decompound) --lupe_de_prestem--> Snowball german
 */
#ifndef LUPE_GERMAN_H
#define LUPE_GERMAN_H

#include <stddef.h>

/*
 * Strip a gender suffix from a raw (not yet case-folded) UTF-8 word as the
 * tokenizer delivers it: "Mitarbeiter:innen", "Mitarbeiter*innen",
 * "Mitarbeiter_innen", "MitarbeiterInnen", "Mitarbeiter/-innen",
 * "Kolleg·innen" (and the singular "...:in", "...In") become their base
 * ("Mitarbeiter", "Kolleg").  Returns the byte length of the base, which is
 * a prefix of `word`; returns `len` when the word has no gender marker.
 */
size_t lupe_de_degender(const char *word, size_t len);

/*
 * A gender marker inside a compound: "Schüler:innenvertretung",
 * "Bürger*innenmeister", "Lehrer_innenzimmer", "SchülerInnenvertretung",
 * "Kolleg·innenkreis", "Lehrer/-innenzimmer" become the compound of the
 * base and the rest ("Schülervertretung", "Bürgermeister"), as
 * lupe_de_degender makes "Schüler:innen" "Schüler".  Only the plural
 * "innen" is read so, followed by at least three lower-case letters and
 * nothing else, after a base that looks like a person noun (not
 * "Haus:innentür", a colon without its space).  Writes the word to out (at most cap bytes;
 * it is shorter than the input) and returns its length, or 0 when the word
 * has no such marker.
 */
size_t lupe_de_degender_inner(const char *word, size_t len, char *out, size_t cap);

/*
 * A raw word of ASCII and Latin-1 letters in lower case (ß as "ss")
 * without the canonical spelling: its ae, oe, ue kept as typed.  Typo
 * tolerance tries it for a word the index lacks whose canonical form has
 * no correction a usual typo explains: a typo can make such a pair ("köroerliche" for körperliche reads as
 * "körörliche", two edits from the word; as typed it is one).  Writes at
 * most cap bytes to out and returns the length, or 0 when the word holds
 * another character or no ae, oe, ue.
 */
size_t lupe_de_unspelled(const char *raw, size_t len, char *out, size_t cap);

/*
 * Canonical spelling of a case-folded word: the transliterations ae, oe, ue
 * become ä, ö, ü (Ueberstunden -> überstunden) except where they are not
 * umlauts (steuer, michael, israel, aktuell, queue, feuer, ...).  ß has
 * already become "ss" by case folding.  Writes at most `cap` bytes to
 * `out` (the result is never longer than the input) and returns its length.
 * `out` may equal `in`.
 */
size_t lupe_de_spelling(const char *in, size_t len, char *out, size_t cap);

/*
 * Before stemming: feminine -in / -innen forms of person nouns
 * ("managerin", "managerinnen", "netzbotschafterinnen") become the base
 * ("manager", "netzbotschafter"), which libstemmer 2.2 does not do.  Works
 * on the canonical case-folded word, returns the new length (<= len).
 */
size_t lupe_de_prestem(const char *word, size_t len);

/* Whether the case-folded word is a German stopword (der, die, und, ...). */
int lupe_de_is_stopword(const char *word, size_t len);

#endif
