#include <stdlib.h>
#include <libstemmer.h>

#include "analysis/stem.h"

struct lupe_stemmer {
	struct sb_stemmer *sb;
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
	free(s);
}

const char *lupe_stem(lupe_stemmer *s, const char *word, size_t len, size_t *out_len)
{
	const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
	if (!r)
		return NULL;
	*out_len = (size_t)sb_stemmer_length(s->sb);
	return (const char *)r;
}
