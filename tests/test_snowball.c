/*
 * Snowball conformance: the stemming stage alone (lupe_stem) turns the
 * German vocabulary of the Snowball test data (Debian package snowball-data)
 * into its expected output, word for word.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "fixture.h"
#include "analysis/stem.h"

#define DATA "/usr/share/snowball/data/german/"

START_TEST(german_vocabulary)
{
	FILE *voc = fopen(DATA "voc.txt", "r");
	FILE *want = fopen(DATA "output.txt", "r");
	ck_assert_msg(voc && want, "cannot open " DATA "{voc,output}.txt (package snowball-data)");
	lupe_stemmer *st;
	ck_assert_int_eq(lupe_stemmer_new(&st), 0);

	char w[512], e[512];
	long compared = 0, wrong = 0;
	while (fgets(w, sizeof w, voc)) {
		ck_assert_msg(fgets(e, sizeof e, want) != NULL, "output.txt ends before voc.txt");
		size_t wl = strcspn(w, "\n"), el = strcspn(e, "\n");
		size_t sl;
		const char *s = lupe_stem(st, w, wl, &sl);
		ck_assert_ptr_nonnull(s);
		if (sl != el || memcmp(s, e, el) != 0) {
			if (wrong < 20)
				fprintf(stderr, "%.*s -> %.*s, want %.*s\n", (int)wl, w, (int)sl, s, (int)el, e);
			wrong++;
		}
		compared++;
	}
	ck_assert_msg(fgets(e, sizeof e, want) == NULL, "output.txt is longer than voc.txt");
	fprintf(stderr, "snowball german: %ld words compared, %ld differ\n", compared, wrong);
	/* The vocabulary of snowball-data 0+20210120 has 35033 words. */
	ck_assert_int_ge(compared, 35000);
	ck_assert_int_eq(wrong, 0);
	lupe_stemmer_free(st);
	fclose(voc);
	fclose(want);
}
END_TEST

/*
 * lupe_stem takes words whose characters are all Latin-1 through Snowball's
 * ISO-8859-1 stemmer and the others through its UTF-8 one (stem.c): both
 * ways must give what the UTF-8 stemmer gives.  Rows: umlauts and ß,
 * accented Latin-1 letters, signs of Latin-1, characters beyond it (œ, ĳ,
 * €) alone and among Latin-1 ones, and words at and past the length taken
 * as Latin-1 (128 bytes), each stemmed twice (the result is the stemmer's
 * buffer until its next call).
 */
static const char *const latin1_rows[] = {
	"häuser", "straße", "größeren", "übermäßigen", "müllerinnen", "café", "naïven",
	"aufgaben×zahl", "œuvres", "ĳsselmeer", "größe€n", "ärger", "", "a", "ß", "ää",
};

static void same_as_utf8(lupe_stemmer *st, struct sb_stemmer *ref, const char *w, size_t wl)
{
	for (int twice = 0; twice < 2; twice++) {
		size_t sl;
		const char *s = lupe_stem(st, w, wl, &sl);
		ck_assert_ptr_nonnull(s);
		const sb_symbol *r = sb_stemmer_stem(ref, (const sb_symbol *)w, (int)wl);
		size_t rl = (size_t)sb_stemmer_length(ref);
		ck_assert_msg(sl == rl && memcmp(s, r, rl) == 0, "%.*s: lupe %.*s, Snowball UTF-8 %.*s", (int)wl, w,
			      (int)sl, s, (int)rl, (const char *)r);
		ck_assert_int_eq(s[sl], '\0');
	}
}

START_TEST(latin1_as_utf8)
{
	lupe_stemmer *st;
	ck_assert_int_eq(lupe_stemmer_new(&st), 0);
	struct sb_stemmer *ref = sb_stemmer_new("german", "UTF_8");
	ck_assert_ptr_nonnull(ref);
	for (size_t i = 0; i < sizeof latin1_rows / sizeof latin1_rows[0]; i++)
		same_as_utf8(st, ref, latin1_rows[i], strlen(latin1_rows[i]));
	/* "ä" repeated, then "ungen": 122 to 134 bytes, across the Latin-1 limit. */
	char w[256];
	for (size_t n = 58; n <= 64; n++) {
		for (size_t k = 0; k < n; k++)
			memcpy(w + 2 * k, "\xc3\xa4", 2);
		memcpy(w + 2 * n, "ungen", 5);
		same_as_utf8(st, ref, w, 2 * n + 5);
	}
	sb_stemmer_delete(ref);
	lupe_stemmer_free(st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("snowball");
	TCase *tc = tcase_create("german");
	tcase_add_test(tc, german_vocabulary);
	tcase_add_test(tc, latin1_as_utf8);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
