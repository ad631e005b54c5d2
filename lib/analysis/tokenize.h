/*
 * Segmentation: UTF-8 text -> raw word segments with byte offsets.  ICU's
 * word break rules (UAX #29) do the work, except for plain words (letters
 * between whitespace), which need no rules and take a fast path that gives
 * ICU's result (tests/test_analyzer.c compares); on top of them this file joins
 * what German writing treats as one word but ICU splits (gender markers
 * "Mitarbeiter*innen", "/-innen"), marks hyphen groups (Social-Media-
 * Manager) and recognises URLs and e-mail addresses.
 */
#ifndef LUPE_TOKENIZE_H
#define LUPE_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	LUPE_SEG_WORD = 0,  /* letters, possibly with digits */
	LUPE_SEG_NUMBER,    /* starts with a digit: 2020, 3.14, 2.0.1 */
	LUPE_SEG_URL,       /* overlaps the words it contains */
	LUPE_SEG_EMAIL      /* overlaps the words it contains */
} lupe_seg_kind;

/* Segment flags. */
#define LUPE_SEG_HYPHEN_NEXT 0x1u  /* joined to the next word by a hyphen */
#define LUPE_SEG_TRUNCATED 0x2u    /* ends in a hyphen before a space or comma: "Haus- und ..." */

typedef struct {
	size_t start, end;
	int kind;
	unsigned flags;
} lupe_seg;

typedef struct lupe_tokenizer lupe_tokenizer;

int lupe_tokenizer_new(lupe_tokenizer **out);
void lupe_tokenizer_free(lupe_tokenizer *tz);

/*
 * Segment text.  On success returns 0 and a borrowed array of *n segments
 * in text order (a URL or e-mail segment comes right before the first word
 * inside it), valid until the next call.  -1 when out of memory.
 */
int lupe_tokenize(lupe_tokenizer *tz, const char *text, size_t len, const lupe_seg **segs, size_t *n);

/*
 * The same segments from ICU's break iterator over the whole text, without
 * the fast path lupe_tokenize takes for plain words: for tests, which check
 * that both agree.
 */
int lupe_tokenize_icu(lupe_tokenizer *tz, const char *text, size_t len, const lupe_seg **segs, size_t *n);

#endif
