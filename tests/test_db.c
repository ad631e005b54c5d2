/* Databases: open statuses, add/replace/delete/commit/reopen, locking, queries. */
#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "fixture.h"
#include "shim/shim.h"

static char *dir;
static char dbpath[4200];

static void setup(void)
{
	dir = fx_tmpdir();
	ck_assert_ptr_nonnull(dir);
	snprintf(dbpath, sizeof dbpath, "%s/db", dir);
}

static void teardown(void)
{
	fx_rmrf(dir);
	free(dir);
}

static int open_st(const char *path, unsigned flags, char *msg, size_t cap)
{
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = (lupe_db *)1;
	o.flags = flags;
	int rc = lupe_open(&db, path, &o, msg, cap);
	if (rc == LUPE_OK)
		lupe_close(db);
	else
		ck_assert_ptr_null(db);
	return rc;
}

START_TEST(test_open_statuses)
{
	char msg[256], p[4300];
	/* missing */
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_READ, msg, sizeof msg), LUPE_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(msg, dbpath));
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_WRITE, msg, sizeof msg), LUPE_ENOTFOUND);
	/* a file */
	snprintf(p, sizeof p, "%s/file", dir);
	FILE *f = fopen(p, "w");
	fputs("hello", f);
	fclose(f);
	ck_assert_int_eq(open_st(p, LUPE_OPEN_READ, msg, sizeof msg), LUPE_ENOTLUPE);
	ck_assert_int_eq(open_st(p, LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, msg, sizeof msg), LUPE_ENOTLUPE);
	/* a directory with other things in it is never turned into an index */
	snprintf(p, sizeof p, "%s/other", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/other/notes.txt", dir);
	f = fopen(p, "w");
	fputs("x", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/other", dir);
	ck_assert_int_eq(open_st(p, LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, msg, sizeof msg), LUPE_ENOTLUPE);
	ck_assert_ptr_nonnull(strstr(msg, "not a lupe index"));
	/* created, then opened read-only */
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, msg, sizeof msg), LUPE_OK);
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_READ, msg, sizeof msg), LUPE_OK);
	/* a damaged index: its version file truncated */
	snprintf(p, sizeof p, "%s/iamglass", dbpath);
	ck_assert_int_eq(truncate(p, 3), 0);
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_READ, msg, sizeof msg), LUPE_ECORRUPT);
}
END_TEST

START_TEST(test_second_writer_locked)
{
	char msg[256];
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_WRITE, msg, sizeof msg), LUPE_ELOCKED);
	ck_assert_ptr_nonnull(strstr(msg, "locked"));
	/* readers are not blocked by the writer */
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_READ, msg, sizeof msg), LUPE_OK);
	lupe_close(db);
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_WRITE, msg, sizeof msg), LUPE_OK);
}
END_TEST

START_TEST(test_add_replace_delete)
{
	uint64_t n;
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_int_eq(fx_add(db, "a", "Gartenarbeit", "Der Rasen wird gemäht."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "b", "Kochen", "Die Suppe braucht Salz."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "c", "Reisen", "Der Zug nach Wien fährt pünktlich."), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(fx_top(db, "Suppe"), "b");

	/* replace: same id, new text; the old words are gone */
	ck_assert_int_eq(fx_add(db, "b", "Backen", "Der Kuchen braucht Zucker."), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(fx_top(db, "Kuchen"), "b");
	ck_assert_str_eq(fx_top(db, "Suppe"), "");

	/* delete */
	ck_assert_int_eq(lupe_delete(db, "c"), LUPE_OK);
	ck_assert_int_eq(lupe_delete(db, "c"), LUPE_ENOTFOUND);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_str_eq(fx_top(db, "Wien"), "");
	lupe_close(db);

	/* reopen read-only: what was committed is there; writing is refused */
	lupe_db *rd;
	ck_assert_int_eq(lupe_open(&rd, dbpath, NULL, NULL, 0), LUPE_OK);
	ck_assert_int_eq(lupe_doc_count(rd, &n), LUPE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(fx_top(rd, "Rasen"), "a");
	ck_assert_int_eq(fx_add(rd, "d", "x", "y"), LUPE_EREADONLY);
	ck_assert_int_eq(lupe_commit(rd), LUPE_EREADONLY);
	lupe_close(rd);
}
END_TEST

START_TEST(test_fields_and_errors)
{
	lupe_db *db = fx_open_write(dbpath);
	lupe_document d = LUPE_DOCUMENT_INIT;
	d.id = "x";
	d.date = "15.03.2021";
	ck_assert_int_eq(lupe_add(db, &d), LUPE_EINVAL);
	ck_assert_ptr_nonnull(strstr(lupe_errmsg(db), "ISO 8601"));
	d.date = "2021-03-15T10:30:00Z";
	d.source = "Nachrichten";
	d.path = "/srv/a.txt";
	d.text = "Bahnstreik legt den Verkehr lahm";
	d.text_len = strlen(d.text);
	ck_assert_int_eq(lupe_add(db, &d), LUPE_OK);
	d.id = "";
	ck_assert_int_eq(lupe_add(db, &d), LUPE_EINVAL);
	d.id = NULL;
	ck_assert_int_eq(lupe_add(db, &d), LUPE_EINVAL);
	char longid[300];
	memset(longid, 'i', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	d.id = longid;
	ck_assert_int_eq(lupe_add(db, &d), LUPE_EINVAL);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);

	lupe_results *r;
	ck_assert_int_eq(lupe_search(db, &r, "Bahnstreik", 10, NULL), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	const lupe_hit *h = lupe_results_hit(r, 0);
	ck_assert_str_eq(h->id, "x");
	ck_assert_str_eq(h->source, "Nachrichten");
	ck_assert_str_eq(h->path, "/srv/a.txt");
	ck_assert_str_eq(h->date, "2021-03-15T10:30:00Z");
	ck_assert_uint_eq(h->rank, 1);
	ck_assert_uint_eq(h->n_highlights, 1);
	ck_assert_int_eq(strncmp(h->snippet + h->highlights[0].start, "Bahnstreik", 10), 0);
	ck_assert_ptr_null(lupe_results_hit(r, 1));
	lupe_results_free(r);

	/* source: filters */
	ck_assert_str_eq(fx_top(db, "Verkehr source:nachrichten"), "x");
	ck_assert_str_eq(fx_top(db, "Verkehr source:sport"), "");

	/* queries with no reading are a query error, with a message */
	r = (lupe_results *)1;
	ck_assert_int_eq(lupe_search(db, &r, "", 0, NULL), LUPE_EQUERY);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(lupe_search(db, &r, "   ", 3, NULL), LUPE_EQUERY);
	ck_assert_str_ne(lupe_errmsg(db), "");
	lupe_close(db);
}
END_TEST

/* Text with invalid UTF-8 and NUL bytes is indexed and shown repaired. */
START_TEST(test_bad_text)
{
	lupe_db *db = fx_open_write(dbpath);
	lupe_document d = LUPE_DOCUMENT_INIT;
	const char text[] = "Kaputt\xff\xfe Zeichen\0und Nullbytes";
	d.id = "bad";
	d.text = text;
	d.text_len = sizeof text - 1;
	ck_assert_int_eq(lupe_add(db, &d), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_str_eq(fx_top(db, "Nullbytes"), "bad");
	ck_assert_str_eq(fx_top(db, "Zeichen"), "bad");
	lupe_results *r;
	ck_assert_int_eq(lupe_search(db, &r, "Nullbytes", 9, NULL), LUPE_OK);
	const lupe_hit *h = lupe_results_hit(r, 0);
	ck_assert_uint_eq(strlen(h->snippet), h->snippet_len); /* no NUL inside */
	ck_assert_ptr_nonnull(strstr(h->snippet, "\xEF\xBF\xBD")); /* U+FFFD */
	lupe_results_free(r);
	lupe_close(db);
}
END_TEST

/*
 * A body is stored and shown as given when it is valid UTF-8 without NUL
 * bytes (used in place), and repaired when it has either: each row a body
 * (with its length: NULs inside) and the snippet of its one hit.
 */
static const struct {
	const char *text;
	size_t len;
	const char *shown;
} body_rows[] = {
	{"\xc3\x9c" "berstunden h\xc3\xa4ufen sich", 25, "\xc3\x9c" "berstunden h\xc3\xa4ufen sich"},
	{"Nullbyte\0hier Feld", 18, "Nullbyte hier Feld"},
	{"Kaputt\xff Zeichen Feld", 20, "Kaputt\xef\xbf\xbd Zeichen Feld"},
	{"Feld mit \xc3\xa4 und\0Null", 20, "Feld mit \xc3\xa4 und Null"},
};

START_TEST(test_body_repair_rows)
{
	lupe_db *db = fx_open_write(dbpath);
	lupe_document d = LUPE_DOCUMENT_INIT;
	char id[8];
	snprintf(id, sizeof id, "b%d", _i);
	d.id = id;
	d.text = body_rows[_i].text;
	d.text_len = body_rows[_i].len;
	ck_assert_int_eq(lupe_add(db, &d), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_results *r;
	const char *q = _i == 0 ? "Ueberstunden" : "Feld";
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), NULL), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	const lupe_hit *h = lupe_results_hit(r, 0);
	ck_assert_str_eq(h->id, id);
	ck_assert_uint_eq(h->snippet_len, strlen(body_rows[_i].shown));
	ck_assert_mem_eq(h->snippet, body_rows[_i].shown, h->snippet_len);
	lupe_results_free(r);
	lupe_close(db);
}
END_TEST

/* Query syntax end to end on a tiny index. */
typedef struct {
	const char *q;
	const char *ids; /* the set of ids found, sorted, comma-separated */
} qrow;

static const qrow qrows[] = {
	{"Hund", "1,2"},
	{"Hund Katze", "1,2,3"},
	{"+Hund +Katze", "2"},
	{"Hund AND Katze", "2"},
	{"Hund UND Katze", "2"},
	{"Hund -Katze", "1"},
	{"Hund NOT Katze", "1"},
	{"Hund NICHT Katze", "1"},
	{"Hund ODER Vogel", "1,2,4"},
	{"(Hund OR Vogel) AND Garten", "1,4"},
	{"\"Katze schläft\"", "3"},
	{"\"schläft Katze\"", ""},
	{"Gart*", "1,4"},
	{"title:Garten", "4"},
	{"der", "1,2,4"}, /* only stopwords: they are searched after all */
};

/* Search r->q on db (ids "0".."9") and compare the set of ids found with r->ids. */
static void check_ids(lupe_db *db, const qrow *r)
{
	lupe_results *res;
	ck_assert_int_eq(lupe_search(db, &res, r->q, strlen(r->q), NULL), LUPE_OK);
	char got[64] = "";
	int ids[10] = {0};
	for (size_t i = 0; i < lupe_results_count(res); i++) {
		int id = atoi(lupe_results_hit(res, i)->id);
		ck_assert_int_lt(id, 10);
		ids[id] = 1;
	}
	for (int i = 0; i < 10; i++)
		if (ids[i])
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%d", got[0] ? "," : "", i);
	ck_assert_msg(strcmp(got, r->ids) == 0, "query %s: got {%s}, want {%s}", r->q, got, r->ids);
	lupe_results_free(res);
}

START_TEST(test_query_rows)
{
	static lupe_db *db;
	if (!db) {
		db = fx_open_write(dbpath);
		fx_add(db, "1", "Tiere", "Der Hund spielt im Garten.");
		fx_add(db, "2", "Tiere", "Der Hund und die Katze.");
		fx_add(db, "3", "Tiere", "Die Katze schläft.");
		fx_add(db, "4", "Garten", "Der Vogel singt im Gartenhaus.");
		ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	}
	const qrow *r = &qrows[_i];
	check_ids(db, r);
	if (_i == (int)(sizeof qrows / sizeof qrows[0]) - 1) {
		lupe_close(db);
		db = NULL;
	}
}
END_TEST

/*
 * Prefix queries on an index of stems: a whole word before the '*' finds
 * its own inflections (Berater, Beraterin: both "berat"), besides the
 * longer words that start with it, and no word that merely shares the
 * stem's beginning (Management is "management", Manager "manag").  So
 * "w*" finds every document that holds w in any inflection (the
 * Beraterteam also through its part "berat").
 */
static const qrow prefix_rows[] = {
	{"Berater*", "1,2,3"},
	{"Beraterin*", "1,2,3"},
	{"Berat*", "1,2,3"},
	{"Manager*", "4"},
	{"Management*", "5"},
	{"Häuser*", "6,7"},
	{"title:Berater*", "1"},
	{"Berater* Management", "1,2,3,5"},
};

START_TEST(test_prefix_rows)
{
	static lupe_db *db;
	char path[4300];
	snprintf(path, sizeof path, "%s-prefix", dbpath);
	if (!db) {
		db = fx_open_write(path);
		ck_assert_ptr_nonnull(db);
		fx_add(db, "1", "Berater", "Der Berater kam spät.");
		fx_add(db, "2", "Notiz", "Die Beraterin sprach lange.");
		fx_add(db, "3", "Notiz", "Das Beraterteam tagte.");
		fx_add(db, "4", "Notiz", "Der Manager plant.");
		fx_add(db, "5", "Notiz", "Das Management entscheidet.");
		fx_add(db, "6", "Notiz", "Die Häuser stehen leer.");
		fx_add(db, "7", "Notiz", "Ein Haus steht leer.");
		fx_add(db, "8", "Notiz", "Die Berge sind hoch.");
		ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	}
	const qrow *r = &prefix_rows[_i];
	check_ids(db, r);
	if (_i == (int)(sizeof prefix_rows / sizeof prefix_rows[0]) - 1) {
		lupe_close(db);
		db = NULL;
	}
}
END_TEST


/* ---- Analysis threads and compaction ---- */

static const char *const words[] = {
	"Kommunikationsberater", "Unternehmensstrategie", "Mitarbeiterinnen", "Überstunden", "Ueberstunden",
	"Social-Media-Strategie", "Gartenarbeit", "Straße", "Strasse", "Manager", "Managerinnen", "Netzwerk",
	"Haus- und Gartenarbeit", "Berechnungsergebnis", "Wetter", "Bahnhof", "Zugverspätung", "Kollegen",
	"Mitarbeiter:innen", "Projektleitung", "Rechnung", "Ergebnis", "Berechnung", "Sonne", "Regen",
};
#define NWORDS (sizeof words / sizeof *words)

/* A deterministic German text for document k (version v). */
static void gen_text(unsigned k, unsigned v, char *out, size_t cap)
{
	unsigned x = k * 2654435761u + v * 40503u + 1;
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < 40 && n + 64 < cap; i++) {
		x = x * 1103515245u + 12345u;
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? (i % 9 ? " " : ". ") : "", words[(x >> 16) % NWORDS]);
	}
}

/* Adds, replaces and deletes in one order, with `threads` analysis threads. */
static void build_index(const char *path, unsigned threads, unsigned batch)
{
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	char msg[256], id[32], text[2048];
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.threads = threads;
	o.batch_size = batch;
	ck_assert_int_eq(lupe_open(&db, path, &o, msg, sizeof msg), LUPE_OK);
	for (unsigned k = 0; k < 400; k++) {
		snprintf(id, sizeof id, "d%u", k);
		gen_text(k, 0, text, sizeof text);
		ck_assert_int_eq(fx_add(db, id, k % 7 ? "Bericht" : "Protokoll", text), LUPE_OK);
		if (k % 10 == 9) { /* replace an earlier one right away, delete another */
			snprintf(id, sizeof id, "d%u", k - 3);
			gen_text(k - 3, 1, text, sizeof text);
			ck_assert_int_eq(fx_add(db, id, "Neu", text), LUPE_OK);
			snprintf(id, sizeof id, "d%u", k - 5);
			ck_assert_int_eq(lupe_delete(db, id), LUPE_OK);
		}
	}
	/* an add, then its replace, both queued */
	ck_assert_int_eq(fx_add(db, "twice", "Erst", "Hagelschauer"), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "twice", "Dann", "Nebelbank"), LUPE_OK);
	lupe_close(db);
}

/* "id:score id:score ..." of the first 20 hits for q. */
static void ranking(lupe_db *db, const char *q, char *out, size_t cap)
{
	lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	size_t n = 0;
	so.limit = 20;
	out[0] = '\0';
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), &so), LUPE_OK);
	for (size_t i = 0; i < lupe_results_count(r) && n + 64 < cap; i++) {
		const lupe_hit *h = lupe_results_hit(r, i);
		n += (size_t)snprintf(out + n, cap - n, "%s:%.9f ", h->id, h->score);
	}
	lupe_results_free(r);
}

static const char *const probe[] = {"Strategie", "Kommunikation Berater", "Ueberstunden", "Managerin",
				    "Gartenarbeit", "Hausarbeit", "Strasse", "\"Projektleitung Rechnung\"",
				    "title:Neu", "Sonne", "Regen", "Berechnung Ergebnis"};

START_TEST(test_threads_same_index)
{
	/* Threads change how fast, never what: same documents, same ranking. */
	char p1[4300], p4[4300], a[2048], b[2048];
	uint64_t n1, n4;
	snprintf(p1, sizeof p1, "%s/one", dir);
	snprintf(p4, sizeof p4, "%s/four", dir);
	build_index(p1, 1, 2000);
	build_index(p4, 4, 37); /* small batches: commits while documents are queued */
	lupe_db *d1, *d4;
	ck_assert_int_eq(lupe_open(&d1, p1, NULL, NULL, 0), LUPE_OK);
	ck_assert_int_eq(lupe_open(&d4, p4, NULL, NULL, 0), LUPE_OK);
	ck_assert_int_eq(lupe_doc_count(d1, &n1), LUPE_OK);
	ck_assert_int_eq(lupe_doc_count(d4, &n4), LUPE_OK);
	ck_assert_uint_eq(n1, 400 - 40 + 1);
	ck_assert_uint_eq(n4, n1);
	for (size_t i = 0; i < sizeof probe / sizeof *probe; i++) {
		ranking(d1, probe[i], a, sizeof a);
		ranking(d4, probe[i], b, sizeof b);
		ck_assert_msg(a[0] != '\0' || i == 7, "no hits for %s", probe[i]);
		ck_assert_msg(strcmp(a, b) == 0, "%s: one thread %s, four %s", probe[i], a, b);
	}
	ck_assert_str_eq(fx_top(d4, "Nebelbank"), "twice");
	ck_assert_str_eq(fx_top(d4, "Hagelschauer"), "");
	lupe_close(d1);
	lupe_close(d4);
}
END_TEST

START_TEST(test_threads_read_own_writes)
{
	/* A writer's searches and counts see documents still queued for analysis. */
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	uint64_t n;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.threads = 3;
	ck_assert_int_eq(lupe_open(&db, dbpath, &o, NULL, 0), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "a", "Wetter", "Der Regen hört auf."), LUPE_OK);
	ck_assert_str_eq(fx_top(db, "Regen"), "a");
	ck_assert_int_eq(fx_add(db, "b", "Wetter", "Die Sonne scheint."), LUPE_OK);
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(lupe_delete(db, "b"), LUPE_OK);
	ck_assert_int_eq(lupe_delete(db, "b"), LUPE_ENOTFOUND);
	/* a bad date is refused at once, not later */
	lupe_document d = LUPE_DOCUMENT_INIT;
	d.id = "c";
	d.text = "Text";
	d.text_len = 4;
	d.date = "gestern";
	ck_assert_int_eq(lupe_add(db, &d), LUPE_EINVAL);
	ck_assert_ptr_nonnull(strstr(lupe_errmsg(db), "gestern"));
	lupe_close(db);
}
END_TEST

START_TEST(test_batch_bytes)
{
	/* An automatic commit after batch_bytes of text, before batch_size documents. */
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL, *rd = NULL;
	char text[700];
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	memcpy(text, "Regenbogen ", 11);
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.threads = 1;
	o.batch_bytes = 1000;
	ck_assert_int_eq(lupe_open(&db, dbpath, &o, NULL, 0), LUPE_OK);
	ck_assert_int_eq(lupe_open(&rd, dbpath, NULL, NULL, 0), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "a", "Eins", text), LUPE_OK);
	ck_assert_str_eq(fx_top(rd, "title:Eins"), "");
	ck_assert_int_eq(fx_add(db, "b", "Zwei", text), LUPE_OK); /* 1,400 bytes: committed */
	ck_assert_str_eq(fx_top(rd, "title:Eins"), "a");
	ck_assert_str_eq(fx_top(rd, "title:Zwei"), "b");
	lupe_close(db);

	/* A version-2 caller knows no batch_bytes: whatever is there is not read. */
	o.version = 2;
	o.flags = LUPE_OPEN_WRITE;
	o.batch_bytes = 1;
	ck_assert_int_eq(lupe_open(&db, dbpath, &o, NULL, 0), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "c", "Drei", text), LUPE_OK);
	ck_assert_str_eq(fx_top(rd, "title:Drei"), "");
	lupe_close(db);
	ck_assert_str_eq(fx_top(rd, "title:Drei"), "c");
	lupe_close(rd);
}
END_TEST

static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

START_TEST(test_compact)
{
	char a[2048], b[2048], side[4300];
	uint64_t n;
	build_index(dbpath, 0, 50);
	lupe_db *rd, *wr;
	ck_assert_int_eq(lupe_open(&rd, dbpath, NULL, NULL, 0), LUPE_OK);
	ck_assert_int_eq(lupe_compact(rd), LUPE_EREADONLY);

	wr = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(wr);
	ck_assert_int_eq(fx_add(wr, "late", "Nachtrag", "Zugverspätung am Bahnhof"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	ranking(rd, "Kommunikation Berater", a, sizeof a);
	ck_assert_int_eq(lupe_compact(wr), LUPE_OK);
	snprintf(side, sizeof side, "%s.lupe-compact", dbpath);
	ck_assert(!exists(side));
	snprintf(side, sizeof side, "%s.lupe-old", dbpath);
	ck_assert(!exists(side));

	/* The reader opened before keeps working and sees the compacted index. */
	ranking(rd, "Kommunikation Berater", b, sizeof b);
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(fx_top(rd, "title:Nachtrag"), "late");
	/* The writer goes on writing into the compacted index. */
	ck_assert_int_eq(fx_add(wr, "later", "Nachschlag", "Sonne am Bahnhof"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	ck_assert_str_eq(fx_top(rd, "title:Nachschlag"), "later");
	ck_assert_int_eq(lupe_doc_count(rd, &n), LUPE_OK);
	ck_assert_uint_eq(n, 400 - 40 + 1 + 2);
	/* The lock moved with it: a second writer is refused. */
	char msg[256];
	ck_assert_int_eq(open_st(dbpath, LUPE_OPEN_WRITE, msg, sizeof msg), LUPE_ELOCKED);
	lupe_close(wr);
	lupe_close(rd);
}
END_TEST
/* Dates: a row is (date, whether lupe_add takes it). */
static const struct {
	const char *date;
	int ok;
} date_rows[] = {
	{"2020-02-29", 1}, {"2020-02-30", 0}, {"2019-02-29", 0}, {"2000-02-29", 1}, {"1900-02-29", 0},
	{"2021-04-31", 0}, {"2021-04-30", 1}, {"2021-12-31", 1}, {"2021-13-01", 0}, {"2021-00-10", 0},
	{"2021-01-00", 0}, {"2021-06", 1},    {"2021", 1},       {"2021-06-31T10:00", 0},
};

START_TEST(test_date_rows)
{
	lupe_db *db = fx_open_write(dbpath);
	lupe_document d = LUPE_DOCUMENT_INIT;
	d.id = "x";
	d.date = date_rows[_i].date;
	int rc = lupe_add(db, &d);
	ck_assert_msg(rc == (date_rows[_i].ok ? LUPE_OK : LUPE_EINVAL), "row %d, %s: status %d", _i, d.date, rc);
	lupe_close(db);
}
END_TEST

/*
 * A reader of a shard list takes the shards in any order, but refuses a
 * shard holding another one's documents (a copy, or a server restarted on
 * the wrong folder): every hit would come twice, with partial false.
 */
START_TEST(test_shard_holding_another_ones_data)
{
	char lst[4300], cmd[9000], msg[512];
	snprintf(lst, sizeof lst, "%s/shards.txt", dir);
	FILE *f = fopen(lst, "w");
	ck_assert_ptr_nonnull(f);
	fputs("./s0\n./s1\n", f);
	fclose(f);
	lupe_db *db = fx_open_write(lst);
	ck_assert_ptr_nonnull(db);
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof id, "n%d", i);
		ck_assert_int_eq(fx_add(db, id, "Bahn", "Verspätung am Bahnhof"), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	uint64_t n;
	ck_assert_int_eq(lupe_open(&db, lst, NULL, msg, sizeof msg), LUPE_OK);
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	ck_assert_uint_eq(n, 20);
	lupe_close(db);
	/* Listed the other way round: still fine for reading. */
	f = fopen(lst, "w");
	fputs("./s1\n./s0\n", f);
	fclose(f);
	ck_assert_int_eq(lupe_open(&db, lst, NULL, msg, sizeof msg), LUPE_OK);
	lupe_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s/s1' && cp -r '%s/s0' '%s/s1'", dir, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	db = NULL;
	int rc = lupe_open(&db, lst, NULL, msg, sizeof msg);
	lupe_close(db);
	ck_assert_msg(rc == LUPE_ENOTLUPE && strstr(msg, "twice"), "status %d: %s", rc, msg);
}
END_TEST

/*
 * A reader's reads that are not searches see what was committed since it
 * opened, as its searches do: no search runs in between (a search reopens
 * by itself).  Each row one read, as a string, of three documents ("a"
 * about lawns, "c" and "d" not) after each step of a writer: "b" added
 * (mtime 42, about lawns too), then "b" deleted.
 */
enum { READ_COUNT, READ_MTIME, READ_IDS, READ_LIKE };

static const struct {
	int read;
	const char *name, *before, *added, *deleted;
} newest_rows[] = {
    {READ_COUNT, "lupe_doc_count", "3", "4", "3"},
    {READ_MTIME, "lupe_get_mtime b", "ENOTFOUND", "42", "ENOTFOUND"},
    {READ_IDS, "lupe_list_ids", "a c d", "a b c d", "a c d"},
    {READ_LIKE, "lupe_like a", "", "b", ""},
};

static void read_as(lupe_db *db, int what, char *out, size_t cap)
{
	uint64_t n = 0;
	int64_t mt = 0;
	lupe_strings *ids = NULL;
	lupe_results *res = NULL;
	int rc;
	out[0] = '\0';
	switch (what) {
	case READ_COUNT:
		if ((rc = lupe_doc_count(db, &n)) == LUPE_OK)
			snprintf(out, cap, "%llu", (unsigned long long)n);
		break;
	case READ_MTIME:
		if ((rc = lupe_get_mtime(db, "b", &mt)) == LUPE_OK)
			snprintf(out, cap, "%lld", (long long)mt);
		break;
	case READ_IDS:
		if ((rc = lupe_list_ids(db, &ids, "")) == LUPE_OK)
			for (size_t i = 0; i < lupe_strings_count(ids); i++)
				snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "",
					 lupe_strings_get(ids, i));
		lupe_strings_free(ids);
		break;
	default:
		if ((rc = lupe_like(db, &res, "a", NULL)) == LUPE_OK)
			for (size_t i = 0; i < lupe_results_count(res); i++)
				snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "",
					 lupe_results_hit(res, i)->id);
		lupe_results_free(res);
		break;
	}
	if (rc == LUPE_ENOTFOUND)
		snprintf(out, cap, "ENOTFOUND");
	else if (rc != LUPE_OK)
		snprintf(out, cap, "status %d: %s", rc, lupe_errmsg(db));
}

START_TEST(test_reader_reads_newest_commit)
{
	char got[256];
	lupe_db *wr = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(wr);
	ck_assert_int_eq(fx_add(wr, "a", "Gartenarbeit", "Der Rasen im Garten wird im Sommer gemäht."), LUPE_OK);
	ck_assert_int_eq(fx_add(wr, "c", "Kochen", "Die Suppe braucht Salz und Pfeffer."), LUPE_OK);
	ck_assert_int_eq(fx_add(wr, "d", "Reisen", "Ein Zug nach Wien fährt pünktlich ab."), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	lupe_db *rd = fx_open_read(dbpath);
	read_as(rd, newest_rows[_i].read, got, sizeof got);
	ck_assert_msg(strcmp(got, newest_rows[_i].before) == 0, "%s at open: %s", newest_rows[_i].name, got);

	lupe_document d = LUPE_DOCUMENT_INIT;
	d.id = "b";
	d.title = "Gartenpflege";
	d.title_len = strlen(d.title);
	d.text = "Den Rasen im Garten mäht man im Sommer oft.";
	d.text_len = strlen(d.text);
	d.mtime = 42;
	ck_assert_int_eq(lupe_add(wr, &d), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	read_as(rd, newest_rows[_i].read, got, sizeof got);
	ck_assert_msg(strcmp(got, newest_rows[_i].added) == 0, "%s after b was committed: %s (want %s)",
		      newest_rows[_i].name, got, newest_rows[_i].added);

	ck_assert_int_eq(lupe_delete(wr, "b"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	read_as(rd, newest_rows[_i].read, got, sizeof got);
	ck_assert_msg(strcmp(got, newest_rows[_i].deleted) == 0, "%s after b was deleted: %s (want %s)",
		      newest_rows[_i].name, got, newest_rows[_i].deleted);
	lupe_close(rd);
	lupe_close(wr);
}
END_TEST

/*
 * A listing that a concurrent commit interrupts is read again on the
 * newest revision (with_retry): lupe_list_ids still gives each id once, in
 * order, not the part before the interruption twice.  The commit is
 * simulated at each place of the listing (lx_hooks.modified_after), the
 * reader local.
 */
START_TEST(test_list_ids_once_after_retry)
{
	lupe_db *wr = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(wr);
	char id[16], want[256] = "";
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof id, "d%d", i);
		ck_assert_int_eq(fx_add(wr, id, "Titel", "Ein kurzer Text"), LUPE_OK);
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? " " : "", id);
	}
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	lupe_close(wr);
	lupe_db *rd = fx_open_read(dbpath);
	for (size_t after = 1; after <= 6; after++) {
		lx_hooks.modified_after = after;
		lupe_strings *ids = NULL;
		int rc = lupe_list_ids(rd, &ids, "");
		size_t left = lx_hooks.modified_after;
		lx_hooks.modified_after = 0;
		char got[256] = "";
		for (size_t i = 0; rc == LUPE_OK && i < lupe_strings_count(ids); i++)
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? " " : "",
				 lupe_strings_get(ids, i));
		lupe_strings_free(ids);
		ck_assert_msg(left == 0, "the listing never reached its %zu-th term", after);
		ck_assert_msg(rc == LUPE_OK && strcmp(got, want) == 0,
			      "interrupted after %zu ids: status %d, [%s] (want [%s])", after, rc, got, want);
	}
	lupe_close(rd);
}
END_TEST

/* lx_allterms' callback: the terms, space-separated, in a lupe_buf. */
static int term_join(void *ctx, const char *t, size_t n, lx_term_here *at)
{
	(void)at;
	lupe_buf *b = ctx;
	if ((b->len && lupe_buf_append(b, " ", 1) < 0) || lupe_buf_append(b, t, n) < 0)
		return -1;
	return 0;
}

static int lexicon_reads;
static void count_lexicon(const char *point)
{
	lexicon_reads += strcmp(point, "terms:lexicon") == 0;
}

/*
 * The same for a scan a local reader answers from its lexicon's list of a
 * prefix (the kept list, not Xapian's term iterator): interrupted at each
 * place, it gives what the uninterrupted scan gives.
 */
START_TEST(test_kept_list_once_after_retry)
{
	lupe_db *wr = fx_open_write(dbpath);
	ck_assert_ptr_nonnull(wr);
	ck_assert_int_eq(fx_add(wr, "a", "Tafel", "Tafel Tag Tal Tanne Tante Tasse Taste"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(wr), LUPE_OK);
	lupe_close(wr);
	lupe_db *rd = fx_open_read(dbpath);
	lupe_buf whole = {0}, got = {0};
	lupe_err err;
	lexicon_reads = 0;
	lx_hooks.at = count_lexicon;
	int rc = lx_allterms(rd->x, "ta", 2, term_join, &whole, &err);
	lx_hooks.at = NULL;
	ck_assert_int_eq(rc, LUPE_OK);
	ck_assert_msg(lexicon_reads > 0, "the scan did not read the lexicon's list: the test no longer reaches it");
	ck_assert_msg(lupe_buf_terminate(&whole) == 0 && strstr(whole.p, "taf") && strstr(whole.p, "tass"),
		      "terms under ta: [%s]", whole.p);
	size_t terms = 1;
	for (const char *c = whole.p; *c; c++)
		terms += *c == ' ';
	for (size_t after = 1; after <= terms; after++) {
		got.len = 0;
		lx_hooks.modified_after = after;
		rc = lx_allterms(rd->x, "ta", 2, term_join, &got, &err);
		size_t left = lx_hooks.modified_after;
		lx_hooks.modified_after = 0;
		ck_assert_int_eq(lupe_buf_terminate(&got), 0);
		ck_assert_msg(left == 0, "the scan never reached its %zu-th term", after);
		ck_assert_msg(rc == LUPE_OK && strcmp(got.p, whole.p) == 0, "interrupted after %zu terms: [%s] (want [%s])",
			      after, got.p, whole.p);
	}
	lupe_buf_free(&whole);
	lupe_buf_free(&got);
	lupe_close(rd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_statuses);
	tcase_add_test(tc, test_second_writer_locked);
	tcase_add_test(tc, test_add_replace_delete);
	tcase_add_loop_test(tc, test_reader_reads_newest_commit, 0, (int)(sizeof newest_rows / sizeof newest_rows[0]));
	tcase_add_test(tc, test_list_ids_once_after_retry);
	tcase_add_test(tc, test_kept_list_once_after_retry);
	tcase_add_test(tc, test_fields_and_errors);
	tcase_add_test(tc, test_bad_text);
	tcase_add_loop_test(tc, test_body_repair_rows, 0, (int)(sizeof body_rows / sizeof body_rows[0]));
	tcase_add_test(tc, test_threads_same_index);
	tcase_add_test(tc, test_threads_read_own_writes);
	tcase_add_test(tc, test_compact);
	tcase_add_test(tc, test_batch_bytes);
	tcase_add_test(tc, test_shard_holding_another_ones_data);
	tcase_add_loop_test(tc, test_date_rows, 0, (int)(sizeof date_rows / sizeof date_rows[0]));
	suite_add_tcase(s, tc);
	TCase *tq = tcase_create("query");
	tcase_add_unchecked_fixture(tq, setup, teardown);
	tcase_add_loop_test(tq, test_query_rows, 0, (int)(sizeof qrows / sizeof qrows[0]));
	tcase_add_loop_test(tq, test_prefix_rows, 0, (int)(sizeof prefix_rows / sizeof prefix_rows[0]));
	suite_add_tcase(s, tq);
	return fx_run(s, CK_NOFORK);
}
