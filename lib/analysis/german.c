/* Placeholder until the German word rules land (see german.h). */
#include "analysis/german.h"
size_t lupe_de_degender(const char *word, size_t len) { (void)word; return len; }
size_t lupe_de_spelling(const char *in, size_t len, char *out, size_t cap)
{
	size_t n = len < cap ? len : cap;
	for (size_t i = 0; i < n; i++) out[i] = in[i];
	return n;
}
size_t lupe_de_prestem(const char *word, size_t len) { (void)word; return len; }
