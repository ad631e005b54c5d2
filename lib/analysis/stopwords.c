/* Placeholder until the German stopword list lands (see german.h). */
#include <string.h>
#include "analysis/german.h"
int lupe_de_is_stopword(const char *w, size_t n)
{
	static const char *const sw[] = {"der", "die", "das", "und", "in", "zu", "den", "ist", "von", "mit", "ein", "eine", NULL};
	for (int i = 0; sw[i]; i++) if (strlen(sw[i]) == n && !memcmp(sw[i], w, n)) return 1;
	return 0;
}
