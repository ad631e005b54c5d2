#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libstemmer.h>

#include "analysis/stem.h"

/*
 * The stem cache.  Snowball's German stemmer costs a few thousand
 * instructions a word, and the words it is given repeat: a compound's parts
 * (gericht, verfassung, bund) are stemmed again for every compound that
 * holds them, which the analyzer's word cache cannot save.  A stem depends
 * on the word's bytes alone, so a direct-mapped table of recent words gives
 * the same result; a slot holds the last word that hashed to it.  Fixed
 * size (STEM_SLOTS slots of ~128 bytes, allocated on first use), and only
 * words of up to STEM_WORD_MAX bytes whose stem fits are kept.
 */
#define STEM_SLOTS 16384
#define STEM_WORD_MAX 48
#define STEM_TERM_MAX 72

struct stem_slot {
	uint32_t hash;
	uint8_t word_len, term_len; /* word_len 0: empty */
	char word[STEM_WORD_MAX];
	char term[STEM_TERM_MAX + 1]; /* NUL-terminated, as Snowball's result */
};

struct lupe_stemmer {
	struct sb_stemmer *sb;
	struct stem_slot *cache; /* STEM_SLOTS, or NULL before first use or when out of memory */
	int cache_failed;
};

int lupe_stemmer_new(lupe_stemmer **out)
{
	lupe_stemmer *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->sb = sb_stemmer_new("german", "UTF_8");
	if (!s->sb) {
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void lupe_stemmer_free(lupe_stemmer *s)
{
	if (!s)
		return;
	sb_stemmer_delete(s->sb);
	free(s->cache);
	free(s);
}

static const char *stem_uncached(lupe_stemmer *s, const char *word, size_t len, size_t *out_len)
{
	const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
	if (!r)
		return NULL;
	*out_len = (size_t)sb_stemmer_length(s->sb);
	return (const char *)r;
}

const char *lupe_stem(lupe_stemmer *s, const char *word, size_t len, size_t *out_len)
{
	if (len == 0 || len > STEM_WORD_MAX)
		return stem_uncached(s, word, len, out_len);
	if (!s->cache) {
		if (s->cache_failed || !(s->cache = calloc(STEM_SLOTS, sizeof *s->cache))) {
			s->cache_failed = 1; /* a cache, not a must */
			return stem_uncached(s, word, len, out_len);
		}
	}
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)word[i]) * 16777619u;
	struct stem_slot *e = &s->cache[h & (STEM_SLOTS - 1)];
	if (e->hash == h && e->word_len == len && memcmp(e->word, word, len) == 0) {
		*out_len = e->term_len;
		return e->term;
	}
	const char *r = stem_uncached(s, word, len, out_len);
	if (r && *out_len <= STEM_TERM_MAX) {
		e->hash = h;
		e->word_len = (uint8_t)len;
		e->term_len = (uint8_t)*out_len;
		memcpy(e->word, word, len);
		memcpy(e->term, r, *out_len);
		e->term[*out_len] = '\0';
	}
	return r;
}
