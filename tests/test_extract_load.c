/*
 * libxml2 and ICU's charset detector are loaded when a file first needs
 * them (index/extract.c), not with liblupe.  When they cannot be: HTML
 * extraction fails with LUPE_EINTERNAL and says which library, indexing a
 * folder names the file and the library and adds nothing, and a text in
 * no declared charset is read as windows-1252 (no guess).  The sonames
 * are set before this process's first extraction: this binary does
 * nothing else (the other tests load the real libraries).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "index/extract.h"
#include "lupe.h"

START_TEST(test_missing_libraries)
{
	lupe_extract_xml_soname = "liblupe-no-such-xml.so.2";
	lupe_extract_icu_soname = "liblupe-no-such-icu.so.1";
	lupe_extracted x;
	const char html[] = "<html><head><title>Titel</title></head><body>Ein G\xc3\xbcrteltier.</body></html>";
	ck_assert_int_eq(lupe_extract(LUPE_KIND_HTML, html, strlen(html), &x), LUPE_EINTERNAL);
	const char *why = lupe_extract_why();
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, "liblupe-no-such-xml.so.2") && strstr(why, "HTML"), "%s", why);
	/*
	 * Plain text goes on; with no guess, bytes that are not UTF-8 are
	 * windows-1252: a windows-1251 text ICU's detector reads as Cyrillic
	 * ("зонтик" in test_sync) comes out as Latin letters here.
	 */
	const char cp[] = "\xcf\xee\xe3\xee\xe4\xe0 \xe2 \xcc\xee\xf1\xea\xe2\xe5, \xe2\xee\xe7\xfc\xec\xe8\xf2\xe5 "
			  "\xe7\xee\xed\xf2\xe8\xea.";
	ck_assert_int_eq(lupe_extract(LUPE_KIND_TEXT, cp, strlen(cp), &x), LUPE_OK);
	ck_assert_msg(strstr(x.text, "\xc3\xa7\xc3\xae\xc3\xad\xc3\xb2\xc3\xa8\xc3\xaa.") != NULL, "%s", x.text);
	lupe_extracted_release(&x);

	/* A folder with the HTML file: the error names it and the library. */
	char *dir = fx_tmpdir(), path[4096], dbp[4096];
	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof path, "%s/seite.html", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(html, f);
	fclose(f);
	snprintf(dbp, sizeof dbp, "%s.db", dir);
	lupe_db *db = fx_open_write(dbp);
	ck_assert_ptr_nonnull(db);
	lupe_sync_options o = LUPE_SYNC_OPTIONS_INIT;
	lupe_sync_stats st;
	int rc = lupe_sync_path(db, dir, &o, &st);
	ck_assert_int_eq(rc, LUPE_EINTERNAL);
	ck_assert_msg(strstr(lupe_errmsg(db), "seite.html") && strstr(lupe_errmsg(db), "liblupe-no-such-xml.so.2"),
		      "%s", lupe_errmsg(db));
	uint64_t n = 1;
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	ck_assert_uint_eq(n, 0);
	lupe_close(db);
	fx_rmrf(dbp);
	fx_rmrf(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("extract_load");
	TCase *tc = tcase_create("extract_load");
	tcase_add_test(tc, test_missing_libraries);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_NOFORK);
}
