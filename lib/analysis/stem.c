#include <stdlib.h>
#include <string.h>
#include <libstemmer.h>

#include "analysis/stem.h"

/*
 * Words are stemmed by Snowball's ISO-8859-1 stemmer when every character
 * is in Latin-1 (all of German), and by its UTF-8 stemmer otherwise.  Both
 * are generated from the same algorithm and give the same stems (all
 * 135,565 words of the benchmark collection, the Snowball vocabulary and
 * the rows of tests/test_snowball.c); the Latin-1 one works on bytes, not
 * on decoded characters, and costs ~30% fewer instructions a word with
 * the conversion both ways (bench/results/query-2026-12-04-q21.md).
 */
#define L1_MAX 128 /* bytes of a word stemmed as Latin-1; longer ones as UTF-8 */

struct lupe_stemmer {
	struct sb_stemmer *sb; /* UTF-8 */
	struct sb_stemmer *l1; /* ISO-8859-1 */
	unsigned char in[L1_MAX];
	char out[2 * L1_MAX + 1];
};

int lupe_stemmer_new(lupe_stemmer **out)
{
	lupe_stemmer *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->sb = sb_stemmer_new("german", "UTF_8");
	s->l1 = sb_stemmer_new("german", "ISO_8859_1");
	if (!s->sb || !s->l1) {
		lupe_stemmer_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void lupe_stemmer_free(lupe_stemmer *s)
{
	if (!s)
		return;
	if (s->sb)
		sb_stemmer_delete(s->sb);
	if (s->l1)
		sb_stemmer_delete(s->l1);
	free(s);
}

/* word as Latin-1 into in: its length, or -1 when a character is not in Latin-1 (or it is too long). */
static int to_latin1(const char *word, size_t len, unsigned char *in)
{
	size_t k = 0;
	if (len > L1_MAX)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)word[i];
		if (c < 0x80) {
			in[k++] = c;
		} else if ((c == 0xC2 || c == 0xC3) && i + 1 < len && ((unsigned char)word[i + 1] & 0xC0) == 0x80) {
			in[k++] = (unsigned char)((c & 0x03) << 6 | ((unsigned char)word[++i] & 0x3F));
		} else {
			return -1;
		}
	}
	return (int)k;
}

const char *lupe_stem(lupe_stemmer *s, const char *word, size_t len, size_t *out_len)
{
	int n = to_latin1(word, len, s->in);
	if (n >= 0) {
		const sb_symbol *r = sb_stemmer_stem(s->l1, s->in, n);
		if (!r)
			return NULL;
		int rl = sb_stemmer_length(s->l1);
		size_t k = 0;
		/* A stem is never longer than its word: 2 bytes a character fit. */
		for (int i = 0; i < rl && i < L1_MAX; i++) {
			if (r[i] < 0x80) {
				s->out[k++] = (char)r[i];
			} else {
				s->out[k++] = (char)(0xC0 | r[i] >> 6);
				s->out[k++] = (char)(0x80 | (r[i] & 0x3F));
			}
		}
		s->out[k] = '\0';
		*out_len = k;
		return s->out;
	}
	const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
	if (!r)
		return NULL;
	*out_len = (size_t)sb_stemmer_length(s->sb);
	return (const char *)r;
}
