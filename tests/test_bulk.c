/*
 * Bulk loading (LUPE_OPEN_BULK): writer threads with sub-indexes of their
 * own, merged at the end.  Replace and delete semantics, the same index as
 * an ordinary load, what readers see, a crash before the merge and the
 * leftovers it leaves.
 */
#include <check.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

static char *dir;
static char dbpath[4200];
/* lupe_open_options.bulk_segment_bytes for open_bulk() and load() (0: 64 MB, one segment a part). */
static size_t seg_bytes;

static void setup(void)
{
	dir = fx_tmpdir();
	ck_assert_ptr_nonnull(dir);
	seg_bytes = 0;
	snprintf(dbpath, sizeof dbpath, "%s/db", dir);
}

static void teardown(void)
{
	fx_rmrf(dir);
	free(dir);
}

static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* Whether PATH.lupe-bulk-K exists. */
static int part_exists(const char *path, unsigned k)
{
	char p[4400];
	snprintf(p, sizeof p, "%s.lupe-bulk-%u", path, k);
	return exists(p);
}

static lupe_db *open_bulk(const char *path, unsigned threads, unsigned batch)
{
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	char msg[256];
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | LUPE_OPEN_BULK;
	o.threads = threads;
	o.batch_size = batch;
	o.bulk_segment_bytes = seg_bytes;
	int rc = lupe_open(&db, path, &o, msg, sizeof msg);
	ck_assert_msg(rc == LUPE_OK, "open %s: %s", path, msg);
	return db;
}

static lupe_db *open_read(const char *path)
{
	lupe_db *db = NULL;
	char msg[256];
	int rc = lupe_open(&db, path, NULL, msg, sizeof msg);
	ck_assert_msg(rc == LUPE_OK, "open %s: %s", path, msg);
	return db;
}

static uint64_t count(lupe_db *db)
{
	uint64_t n = 0;
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	return n;
}

/* The number of ids starting with prefix. */
static size_t ids_count(lupe_db *db, const char *prefix)
{
	lupe_strings *s = NULL;
	ck_assert_int_eq(lupe_list_ids(db, &s, prefix), LUPE_OK);
	size_t n = lupe_strings_count(s);
	lupe_strings_free(s);
	return n;
}

static const char *const words[] = {
	"Kommunikationsberater", "Unternehmensstrategie", "Mitarbeiterinnen", "Überstunden", "Bahnhof",
	"Social-Media-Strategie", "Gartenarbeit", "Straße", "Strasse", "Manager", "Managerinnen", "Netzwerk",
	"Haus- und Gartenarbeit", "Berechnungsergebnis", "Wetter", "Zugverspätung", "Kollegen", "Regen",
	"Mitarbeiter:innen", "Projektleitung", "Rechnung", "Ergebnis", "Berechnung", "Sonne", "Hafen",
	"Schifffahrt", "Krankenhaus", "Pflegekräfte", "Bürgermeisterin", "Gemeinderat", "Haushalt",
};
#define NWORDS (sizeof words / sizeof *words)

/* A deterministic German text for document k (version v), 12 to 50 words. */
static void gen_text(unsigned k, unsigned v, char *out, size_t cap)
{
	unsigned x = k * 2654435761u + v * 40503u + 1;
	size_t n = 0;
	int len = 12 + (int)((k * 7 + v) % 39);
	out[0] = '\0';
	for (int i = 0; i < len && n + 64 < cap; i++) {
		x = x * 1103515245u + 12345u;
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? (i % 9 ? " " : ". ") : "", words[(x >> 16) % NWORDS]);
	}
}

/* Add reports d0 .. d(n-1), each with its generated text. */
static void add_reports(lupe_db *db, unsigned n)
{
	char id[32], text[4096];
	for (unsigned k = 0; k < n; k++) {
		snprintf(id, sizeof id, "d%u", k);
		gen_text(k, 0, text, sizeof text);
		ck_assert_int_eq(fx_add(db, id, "Bericht", text), LUPE_OK);
	}
}

#define NDOCS 600

/*
 * The same adds, replaces and deletes, in one order, into a new index:
 * in bulk or not.  Returns the documents expected.
 */
static unsigned load(const char *path, int bulk, unsigned threads, unsigned batch)
{
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	char msg[256], id[32], text[4096];
	unsigned expect = 0;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | (bulk ? LUPE_OPEN_BULK : 0);
	o.threads = threads;
	o.batch_size = batch;
	o.bulk_segment_bytes = seg_bytes;
	ck_assert_int_eq(lupe_open(&db, path, &o, msg, sizeof msg), LUPE_OK);
	for (unsigned k = 0; k < NDOCS; k++) {
		snprintf(id, sizeof id, "d%u", k);
		gen_text(k, 0, text, sizeof text);
		ck_assert_int_eq(fx_add(db, id, k % 7 ? "Bericht" : "Protokoll", text), LUPE_OK);
		expect++;
		if (k % 10 == 9) { /* replace an earlier one, delete another */
			snprintf(id, sizeof id, "d%u", k - 3);
			gen_text(k - 3, 1, text, sizeof text);
			ck_assert_int_eq(fx_add(db, id, "Neu", text), LUPE_OK);
			snprintf(id, sizeof id, "d%u", k - 5);
			ck_assert_int_eq(lupe_delete(db, id), LUPE_OK);
			expect--;
		}
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	return expect;
}

/*
 * The first 20 hits of q: ids and scores, from a ranking of every match.
 * With a short page Xapian's matcher skips documents that cannot make it
 * and the weight of lupe's proximity (NEAR) clauses can then depend on the
 * order it meets documents in, that is on document numbers; with every
 * match ranked, scores are exact.
 */
typedef struct {
	size_t n;
	char id[20][32];
	double score[20];
} hits;

static void search(lupe_db *db, const char *q, hits *h)
{
	lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	so.limit = 5000;
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), &so), LUPE_OK);
	h->n = lupe_results_count(r) < 20 ? lupe_results_count(r) : 20;
	for (size_t i = 0; i < h->n; i++) {
		const lupe_hit *x = lupe_results_hit(r, i);
		snprintf(h->id[i], sizeof h->id[i], "%s", x->id);
		h->score[i] = x->score;
	}
	lupe_results_free(r);
}

static int same_score(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(a) > 1 ? fabs(a) : 1);
}

/*
 * The same hits with the same scores.  Hits of equal score may come in
 * another order (Xapian orders ties by document number, and a bulk load
 * numbers sub-index after sub-index), and a tie at the end of a full page
 * may show other members of the tie.
 */
static void same_hits(const char *q, const hits *a, const hits *b)
{
	ck_assert_msg(a->n == b->n, "%s: %zu hits, %zu in bulk", q, a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		ck_assert_msg(same_score(a->score[i], b->score[i]), "%s: hit %zu scores %.9f, %.9f in bulk", q, i,
			      a->score[i], b->score[i]);
	for (size_t i = 0; i < a->n;) {
		size_t j = i + 1;
		while (j < a->n && same_score(a->score[j], a->score[i]))
			j++;
		if (j < a->n || a->n < 20)
			for (size_t x = i; x < j; x++) {
				int found = 0;
				for (size_t y = i; y < j; y++)
					found |= strcmp(a->id[x], b->id[y]) == 0;
				ck_assert_msg(found, "%s: %s (rank %zu) missing from the bulk load's hits of that score", q,
					      a->id[x], x + 1);
			}
		i = j;
	}
}

static const char *const probe[] = {"Strategie", "Kommunikation Berater", "Überstunden", "Managerin",
				    "Gartenarbeit", "Hausarbeit", "Strasse", "\"Projektleitung Rechnung\"",
				    "title:Neu", "Sonne Regen", "Berechnung Ergebnis", "Krankenhaus Pflegekraft",
				    "Bürgermeisterin Gemeinderat Haushalt", "Schifffahrt"};

/* The indexes at p1 (an ordinary load) and p2 (a bulk load) hold the same: documents, ids, ranking. */
static void same_index(const char *p1, const char *p2, unsigned want)
{
	for (unsigned k = 0; k < 64; k++)
		ck_assert_msg(!part_exists(p2, k), "part folder %u left", k);
	lupe_db *a = open_read(p1), *b = open_read(p2);
	ck_assert_uint_eq(count(a), want);
	ck_assert_uint_eq(count(b), want);
	lupe_strings *ia = NULL, *ib = NULL;
	ck_assert_int_eq(lupe_list_ids(a, &ia, ""), LUPE_OK);
	ck_assert_int_eq(lupe_list_ids(b, &ib, ""), LUPE_OK);
	ck_assert_uint_eq(lupe_strings_count(ia), want);
	ck_assert_uint_eq(lupe_strings_count(ib), want);
	for (size_t i = 0; i < want; i++)
		ck_assert_str_eq(lupe_strings_get(ia, i), lupe_strings_get(ib, i));
	lupe_strings_free(ia);
	lupe_strings_free(ib);
	for (size_t i = 0; i < sizeof probe / sizeof *probe; i++) {
		hits ha, hb;
		search(a, probe[i], &ha);
		search(b, probe[i], &hb);
		ck_assert_msg(ha.n > 0 || i == 7, "no hits for %s", probe[i]);
		same_hits(probe[i], &ha, &hb);
	}
	/* a replaced document is there in its second version only */
	ck_assert_str_eq(fx_top(b, "title:Neu"), fx_top(a, "title:Neu"));
	ck_assert(fx_finds(b, "title:Neu", "d6", 100));
	ck_assert(!fx_finds(b, "title:Bericht", "d6", 1000));
	lupe_close(a);
	lupe_close(b);
}

START_TEST(test_bulk_same_as_ordinary)
{
	/* A bulk load gives the index an ordinary load gives: documents, ids, ranking. */
	char p1[4300], p2[4300];
	snprintf(p1, sizeof p1, "%s/plain", dir);
	snprintf(p2, sizeof p2, "%s/bulk", dir);
	unsigned want = load(p1, 0, 1, 2000);
	ck_assert_uint_eq(load(p2, 1, 3, 47), want); /* small batches: the parts commit on the way */
	same_index(p1, p2, want);
}
END_TEST

START_TEST(test_bulk_segments)
{
	/*
	 * Parts that go on in new segments (here after every 2,000 bytes of
	 * text; 64 MB by default): a replace or delete reaches the id in an
	 * earlier segment, reads during the load see each id once, and the
	 * merged index is the one an ordinary load gives.
	 */
	seg_bytes = 2000;
	char p1[4300], p2[4300];
	snprintf(p1, sizeof p1, "%s/plain", dir);
	snprintf(p2, sizeof p2, "%s/bulk", dir);
	unsigned want = load(p1, 0, 1, 2000);
	ck_assert_uint_eq(load(p2, 1, 2, 10), want);
	same_index(p1, p2, want);

	lupe_db *db = open_bulk(dbpath, 2, 3);
	add_reports(db, 200);
	ck_assert_uint_eq(count(db), 200);
	/* Each part is past its first segment: PATH.lupe-bulk-(part + segment * 2). */
	ck_assert(part_exists(dbpath, 2) && part_exists(dbpath, 3));
	ck_assert_int_eq(fx_add(db, "d5", "Neu", "Polarlicht"), LUPE_OK);  /* d5 is in a first segment */
	ck_assert_int_eq(lupe_delete(db, "d7"), LUPE_OK);
	ck_assert_int_eq(lupe_delete(db, "d7"), LUPE_ENOTFOUND);
	ck_assert_uint_eq(count(db), 199);
	ck_assert_str_eq(fx_top(db, "Polarlicht"), "d5");
	ck_assert(!fx_finds(db, "title:Bericht", "d5", 1000));
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	seg_bytes = 0;

	db = open_read(dbpath);
	ck_assert_uint_eq(count(db), 199);
	ck_assert_str_eq(fx_top(db, "Polarlicht"), "d5");
	ck_assert(!fx_finds(db, "title:Bericht", "d5", 1000));
	ck_assert(fx_finds(db, "title:Bericht", "d6", 1000));
	ck_assert(!fx_finds(db, "title:Bericht", "d7", 1000));
	lupe_close(db);
	for (unsigned k = 0; k < 64; k++)
		ck_assert_msg(!part_exists(dbpath, k), "part folder %u left", k);
}
END_TEST

START_TEST(test_bulk_duplicate_ids)
{
	/* An id added again in one load: the later version wins, one document. */
	lupe_db *db = open_bulk(dbpath, 2, 5);
	char id[32], text[4096];
	ck_assert_int_eq(fx_add(db, "dup", "Erst", "Hagelschauer im April"), LUPE_OK);
	for (unsigned k = 0; k < 50; k++) {
		snprintf(id, sizeof id, "d%u", k);
		gen_text(k, 0, text, sizeof text);
		ck_assert_int_eq(fx_add(db, id, "Bericht", text), LUPE_OK);
		if (k == 20)
			ck_assert_int_eq(fx_add(db, "dup", "Zweit", "Nebelbank am Hafen"), LUPE_OK);
	}
	ck_assert_int_eq(fx_add(db, "dup", "Dritt", "Glatteis am Bahnhof"), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "dup2", "Eins", "Hagelschauer"), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "dup2", "Zwei", "Nebelbank"), LUPE_OK); /* right after: both queued */
	/* the writer sees it before the merge */
	ck_assert_uint_eq(count(db), 52);
	ck_assert_str_eq(fx_top(db, "Glatteis"), "dup");
	ck_assert_str_eq(fx_top(db, "Hagelschauer"), "");
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);

	db = open_read(dbpath);
	ck_assert_uint_eq(count(db), 52);
	ck_assert_uint_eq(ids_count(db, "dup"), 2);
	ck_assert_str_eq(fx_top(db, "Glatteis"), "dup");
	ck_assert_str_eq(fx_top(db, "title:Dritt"), "dup");
	ck_assert_str_eq(fx_top(db, "Nebelbank"), "dup2");
	ck_assert_str_eq(fx_top(db, "Hagelschauer"), "");
	ck_assert_str_eq(fx_top_exact(db, "title:Zweit"), ""); /* typo tolerance would find "Zwei" */
	lupe_close(db);
}
END_TEST

START_TEST(test_bulk_delete)
{
	lupe_db *db = open_bulk(dbpath, 2, 4);
	add_reports(db, 30);
	ck_assert_int_eq(fx_add(db, "weg", "Weg", "Schneesturm"), LUPE_OK);
	ck_assert_int_eq(lupe_delete(db, "weg"), LUPE_OK); /* while it may still be queued */
	ck_assert_int_eq(lupe_delete(db, "weg"), LUPE_ENOTFOUND);
	ck_assert_int_eq(lupe_delete(db, "nie"), LUPE_ENOTFOUND);
	ck_assert_int_eq(lupe_delete(db, "d3"), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "d3", "Wieder", "Tauwetter"), LUPE_OK); /* and back */
	ck_assert_int_eq(lupe_delete(db, "d4"), LUPE_OK);
	ck_assert_uint_eq(count(db), 29);
	ck_assert_str_eq(fx_top(db, "Schneesturm"), "");
	lupe_close(db); /* close ends the load too */

	db = open_read(dbpath);
	ck_assert_uint_eq(count(db), 29);
	ck_assert_str_eq(fx_top(db, "Schneesturm"), "");
	ck_assert_str_eq(fx_top(db, "Tauwetter"), "d3");
	ck_assert_uint_eq(ids_count(db, "d4"), 0);
	lupe_close(db);
	ck_assert(!part_exists(dbpath, 0) && !part_exists(dbpath, 1));
}
END_TEST

START_TEST(test_bulk_readers_see_the_end)
{
	/* Readers see the index as it was until the load ends, then all of it. */
	lupe_db *db = open_bulk(dbpath, 2, 3);
	lupe_db *rd = open_read(dbpath);
	add_reports(db, 40);
	ck_assert_uint_eq(count(db), 40);
	ck_assert(part_exists(dbpath, 0) && part_exists(dbpath, 1) && !part_exists(dbpath, 2));
	ck_assert_uint_eq(count(rd), 0);
	ck_assert_str_eq(fx_top(rd, "Bahnhof"), "");
	/* lupe_compact ends the load: merged and compact at once */
	ck_assert_int_eq(lupe_compact(db), LUPE_OK);
	ck_assert(!part_exists(dbpath, 0) && !part_exists(dbpath, 1));
	ck_assert_str_ne(fx_top(rd, "Bahnhof"), ""); /* a reader's search takes the new index */
	ck_assert_uint_eq(count(rd), 40);
	/* The handle goes on as an ordinary writer: its commits are seen at once. */
	ck_assert_int_eq(fx_add(db, "spaet", "Nachtrag", "Sternschnuppe"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_str_eq(fx_top(rd, "Sternschnuppe"), "spaet");
	ck_assert_int_eq(lupe_compact(db), LUPE_OK);
	ck_assert_str_eq(fx_top(rd, "Sternschnuppe"), "spaet");
	ck_assert_uint_eq(count(rd), 41);
	ck_assert(!part_exists(dbpath, 0));
	/* The lock moved with the merged index. */
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *other = NULL;
	o.flags = LUPE_OPEN_WRITE;
	ck_assert_int_eq(lupe_open(&other, dbpath, &o, NULL, 0), LUPE_ELOCKED);
	lupe_close(db);
	lupe_close(rd);
}
END_TEST

START_TEST(test_bulk_one_thread)
{
	/* One thread: one part, written on its own thread, merged the same way. */
	lupe_db *db = open_bulk(dbpath, 1, 7);
	add_reports(db, 25);
	ck_assert_int_eq(fx_add(db, "d1", "Neu", "Morgenröte"), LUPE_OK);
	ck_assert(part_exists(dbpath, 0) && !part_exists(dbpath, 1));
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	db = open_read(dbpath);
	ck_assert_uint_eq(count(db), 25);
	ck_assert_str_eq(fx_top(db, "Morgenröte"), "d1");
	lupe_close(db);
}
END_TEST

START_TEST(test_bulk_ignored_on_a_full_index)
{
	/* An index with documents is written as usual, whatever the flag says. */
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_int_eq(fx_add(db, "alt", "Alt", "Pferdekutsche"), LUPE_OK);
	lupe_close(db);
	db = open_bulk(dbpath, 2, 2000);
	lupe_db *rd = open_read(dbpath);
	ck_assert(!part_exists(dbpath, 0));
	ck_assert_int_eq(fx_add(db, "neu", "Neu", "Elektroauto"), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "alt", "Alt", "Dampflok"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_str_eq(fx_top(rd, "Dampflok"), "alt");
	ck_assert_uint_eq(count(rd), 2);
	ck_assert_str_eq(fx_top(rd, "Pferdekutsche"), "");
	lupe_close(rd);
	lupe_close(db);
}
END_TEST

START_TEST(test_bulk_nothing_added)
{
	/* A load that adds nothing leaves the index as it was and no folder behind. */
	lupe_db *db = open_bulk(dbpath, 2, 2000);
	ck_assert(part_exists(dbpath, 0) && part_exists(dbpath, 1));
	ck_assert_uint_eq(count(db), 0);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert(!part_exists(dbpath, 0) && !part_exists(dbpath, 1));
	lupe_close(db);
	db = open_bulk(dbpath, 2, 2000);
	lupe_close(db);
	ck_assert(!part_exists(dbpath, 0) && !part_exists(dbpath, 1));
	db = open_read(dbpath);
	ck_assert_uint_eq(count(db), 0);
	lupe_close(db);
}
END_TEST

/* A child process loads documents in bulk and dies before the merge. */
static void crash_during_load(const char *path, unsigned docs)
{
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
		lupe_db *db = NULL;
		char id[32], text[4096];
		o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | LUPE_OPEN_BULK;
		o.threads = 2;
		o.batch_size = 4; /* the parts commit several times before the end */
		if (lupe_open(&db, path, &o, NULL, 0) != LUPE_OK)
			_exit(2);
		for (unsigned k = 0; k < docs; k++) {
			snprintf(id, sizeof id, "c%u", k);
			gen_text(k, 0, text, sizeof text);
			if (fx_add(db, id, "Absturz", text) != LUPE_OK)
				_exit(3);
		}
		if (lupe_doc_count(db, &(uint64_t){0}) != LUPE_OK) /* everything written to the parts */
			_exit(4);
		_exit(0); /* no lupe_close: the process dies as in a crash */
	}
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: status %d", st);
}

START_TEST(test_bulk_crash_before_merge)
{
	crash_during_load(dbpath, 60);
	/* The parts are left over; the index is as it was opened: valid and empty. */
	ck_assert(part_exists(dbpath, 0) && part_exists(dbpath, 1));
	lupe_db *rd = open_read(dbpath);
	ck_assert_uint_eq(count(rd), 0);
	ck_assert_str_eq(fx_top(rd, "Bahnhof"), "");
	ck_assert(part_exists(dbpath, 0)); /* readers leave them alone */

	/* The next writer removes them and loads in bulk again; nothing of the dead load comes back. */
	lupe_db *db = open_bulk(dbpath, 2, 2000);
	ck_assert_int_eq(fx_add(db, "n1", "Neu", "Sonnenfinsternis"), LUPE_OK);
	ck_assert_uint_eq(count(db), 1);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert(!part_exists(dbpath, 0) && !part_exists(dbpath, 1));
	ck_assert_str_eq(fx_top(rd, "Sonnenfinsternis"), "n1");
	ck_assert_uint_eq(count(rd), 1);
	ck_assert_uint_eq(ids_count(rd, "c"), 0);
	lupe_close(db);
	lupe_close(rd);
}
END_TEST

START_TEST(test_bulk_leftovers_removed)
{
	/* Whatever an interrupted load or compaction left beside the index goes with the next writer. */
	char p[4300], f[4400];
	lupe_db *db = fx_open_write(dbpath);
	ck_assert_int_eq(fx_add(db, "a", "Alt", "Pferdekutsche"), LUPE_OK);
	lupe_close(db);
	const char *side[] = {".lupe-bulk-0", ".lupe-bulk-7", ".lupe-bulk-63", ".lupe-compact", ".lupe-old"};
	for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, side[i]);
		ck_assert_int_eq(mkdir(p, 0755), 0);
		snprintf(f, sizeof f, "%s/postlist.glass", p);
		FILE *fp = fopen(f, "w");
		ck_assert_ptr_nonnull(fp);
		fputs("junk, not an index", fp);
		fclose(fp);
	}
	/* a folder of another name is not the index's */
	snprintf(p, sizeof p, "%s.lupe-bulk-x", dbpath);
	ck_assert_int_eq(mkdir(p, 0755), 0);

	db = open_read(dbpath);
	ck_assert_uint_eq(count(db), 1);
	lupe_close(db);
	snprintf(p, sizeof p, "%s.lupe-bulk-7", dbpath);
	ck_assert(exists(p));

	db = fx_open_write(dbpath);
	for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, side[i]);
		ck_assert_msg(!exists(p), "%s is still there", p);
	}
	snprintf(p, sizeof p, "%s.lupe-bulk-x", dbpath);
	ck_assert(exists(p));
	ck_assert_uint_eq(count(db), 1);
	lupe_close(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bulk");
	TCase *tc = tcase_create("bulk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bulk_same_as_ordinary);
	tcase_add_test(tc, test_bulk_segments);
	tcase_add_test(tc, test_bulk_duplicate_ids);
	tcase_add_test(tc, test_bulk_delete);
	tcase_add_test(tc, test_bulk_readers_see_the_end);
	tcase_add_test(tc, test_bulk_one_thread);
	tcase_add_test(tc, test_bulk_ignored_on_a_full_index);
	tcase_add_test(tc, test_bulk_nothing_added);
	tcase_add_test(tc, test_bulk_crash_before_merge);
	tcase_add_test(tc, test_bulk_leftovers_removed);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
