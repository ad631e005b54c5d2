/*
 * Snowball conformance: the stemming stage alone (lupe_stem) turns the
 * German vocabulary of the Snowball test data (Debian package snowball-data)
 * into its expected output, word for word, and still does when the words
 * come again and are answered from the stemmer's cache.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * The stem cache (stem.c) answers a word seen before; it must give what
 * Snowball gives.  The vocabulary (35,033 words) is several times the
 * cache, so the passes below meet hits, misses and slots taken by other
 * words: forward, backward (the newest words first: mostly hits), and
 * forward again, each word against the expected output.
 */
START_TEST(german_vocabulary_repeated)
{
	FILE *voc = fopen(DATA "voc.txt", "r");
	FILE *want = fopen(DATA "output.txt", "r");
	ck_assert_msg(voc && want, "cannot open " DATA "{voc,output}.txt (package snowball-data)");
	size_t n = 0, cap = 0;
	char (*w)[64] = NULL, (*e)[64] = NULL;
	char lw[512], le[512];
	while (fgets(lw, sizeof lw, voc) && fgets(le, sizeof le, want)) {
		lw[strcspn(lw, "\n")] = '\0';
		le[strcspn(le, "\n")] = '\0';
		if (strlen(lw) >= sizeof w[0] || strlen(le) >= sizeof e[0])
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			w = realloc(w, cap * sizeof *w);
			e = realloc(e, cap * sizeof *e);
			ck_assert(w && e);
		}
		strcpy(w[n], lw);
		strcpy(e[n], le);
		n++;
	}
	ck_assert_uint_ge(n, 35000);
	lupe_stemmer *st;
	ck_assert_int_eq(lupe_stemmer_new(&st), 0);
	long wrong = 0;
	for (int pass = 0; pass < 3; pass++)
		for (size_t k = 0; k < n; k++) {
			size_t i = pass == 1 ? n - 1 - k : k, sl;
			const char *s = lupe_stem(st, w[i], strlen(w[i]), &sl);
			ck_assert_ptr_nonnull(s);
			if (sl != strlen(e[i]) || memcmp(s, e[i], sl) != 0 || s[sl] != '\0') {
				if (wrong < 20)
					fprintf(stderr, "pass %d: %s -> %.*s, want %s\n", pass, w[i], (int)sl, s, e[i]);
				wrong++;
			}
		}
	ck_assert_int_eq(wrong, 0);
	lupe_stemmer_free(st);
	free(w);
	free(e);
	fclose(voc);
	fclose(want);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("snowball");
	TCase *tc = tcase_create("german");
	tcase_add_test(tc, german_vocabulary);
	tcase_add_test(tc, german_vocabulary_repeated);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
