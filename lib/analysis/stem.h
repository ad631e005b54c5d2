/*
 * Snowball German stemming (libstemmer), one stemmer per analyzer: a
 * libstemmer handle keeps its own buffer, so it is never shared by threads.
 */
#ifndef LUPE_STEM_H
#define LUPE_STEM_H

#include <stddef.h>

typedef struct lupe_stemmer lupe_stemmer;

/* 0, or -1 when out of memory. */
int lupe_stemmer_new(lupe_stemmer **out);
void lupe_stemmer_free(lupe_stemmer *s);

/*
 * Stem one lower-case UTF-8 word.  The result is borrowed from the stemmer
 * and valid until its next call; *out_len receives its length.  Returns
 * NULL only when out of memory.
 */
const char *lupe_stem(lupe_stemmer *s, const char *word, size_t len, size_t *out_len);

#endif
