/* UTF-8 helpers that never trust their input. */
#ifndef LUPE_UTF8_H
#define LUPE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define LUPE_REPLACEMENT 0xFFFDu

/*
 * Decode the code point at s[*i] (i < n) and advance *i past it.  An
 * invalid or truncated sequence yields U+FFFD and advances by one byte.
 */
uint32_t lupe_utf8_next(const char *s, size_t n, size_t *i);

/* Encode cp into out (4 bytes room); returns the byte count. */
size_t lupe_utf8_encode(uint32_t cp, char *out);

/* Whether s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int lupe_utf8_valid(const char *s, size_t n);

/*
 * Append s[0..n) to out with invalid sequences replaced by U+FFFD and NUL
 * bytes replaced by `nul_as` (pass '\0' to keep them).
 */
int lupe_utf8_repair(const char *s, size_t n, char nul_as, lupe_buf *out);

/*
 * ASCII white space (space, tab, line ends, form feed, vertical tab): where
 * the tokenizer splits plain chunks and where snippet windows end, which
 * must agree.
 */
static inline int lupe_ascii_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The largest k <= n such that s[0..k) does not end inside a sequence. */
size_t lupe_utf8_floor(const char *s, size_t n);

/* Code points (not bytes) in s[0..n): the bytes that do not continue a sequence. */
size_t lupe_utf8_count(const char *s, size_t n);

#endif
