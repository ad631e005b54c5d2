/*
 * Snowball conformance: the stemming stage alone (lupe_stem) turns the
 * German vocabulary of the Snowball test data (Debian package snowball-data)
 * into its expected output, word for word.
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

int main(void)
{
	Suite *s = suite_create("snowball");
	TCase *tc = tcase_create("german");
	tcase_add_test(tc, german_vocabulary);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
