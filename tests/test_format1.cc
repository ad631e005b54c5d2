// Format 1 indexes (records in the documents' data) against this lupe,
// which writes format 2 (records in value slot LUPE_SLOT_RECORD,
// index/schema.h).  An index is made with the library, then turned into
// the format 1 layout with Xapian directly: each record moved from the
// slot to the document's data, lupe.format set to "1".  C++: it needs
// Xapian's API beside lupe's.
#include <xapian.h>

#include <check.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "index/schema.h"
#include "lupe.h"

static std::string dir, dbpath;

// German text long enough that its record is zstd-packed, and a short one kept raw.
static const char *const docs[][3] = {
	{"lang", "Die Wasserversorgung",
	 "Die Wasserversorgung der Stadt stützt sich auf drei Brunnen und einen Hochbehälter am Hang. "
	 "Im Sommer reicht das Grundwasser knapp, deshalb baut der Zweckverband eine zweite Leitung "
	 "vom Talsperrenwerk herüber. Die Bürgerinnen und Bürger zahlen dafür einen Zuschlag auf den "
	 "Wasserpreis, der nach zehn Jahren wieder entfallen soll. Der Gemeinderat hat den Plan am "
	 "Dienstag einstimmig beschlossen; die Bauarbeiten beginnen im Frühjahr."},
	{"kurz", "Brunnenfest", "Am Samstag feiert das Dorf sein Brunnenfest."},
	{"drei", "Hochbehälter", "Der Hochbehälter am Hang fasst zweitausend Kubikmeter Wasser."},
};

static lupe_db *open_db(unsigned flags)
{
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = flags;
	lupe_db *db = nullptr;
	char msg[256];
	int rc = lupe_open(&db, dbpath.c_str(), &o, msg, sizeof msg);
	ck_assert_msg(rc == LUPE_OK, "open %s: %s", dbpath.c_str(), msg);
	return db;
}

static void add(lupe_db *db, const char *id, const char *title, const char *text)
{
	lupe_document d = LUPE_DOCUMENT_INIT;
	d.id = id;
	d.title = title;
	d.title_len = strlen(title);
	d.text = text;
	d.text_len = strlen(text);
	ck_assert_int_eq(lupe_add(db, &d), LUPE_OK);
}

// Each hit of q as "id|title|snippet", in rank order.
static std::vector<std::string> hits(lupe_db *db, const char *q)
{
	lupe_results *r = nullptr;
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), nullptr), LUPE_OK);
	std::vector<std::string> out;
	for (size_t i = 0; i < lupe_results_count(r); i++) {
		const lupe_hit *h = lupe_results_hit(r, i);
		out.push_back(std::string(h->id) + "|" + h->title + "|" + std::string(h->snippet, h->snippet_len));
	}
	lupe_results_free(r);
	return out;
}

static const char *const queries[] = {"Wasserversorgung", "Brunnen", "Hochbehälter Hang", "Leitung"};

static void setup(void)
{
	char t[] = "/tmp/lupe-test-format1-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(t));
	dir = t;
	dbpath = dir + "/db";
}

static void teardown(void)
{
	std::string cmd = "rm -rf '" + dir + "'";
	if (system(cmd.c_str()) != 0)
		fprintf(stderr, "could not remove %s\n", dir.c_str());
}

// A new index of docs, made by this lupe.
static void make_index(void)
{
	lupe_db *db = open_db(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE);
	for (auto &d : docs)
		add(db, d[0], d[1], d[2]);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
}

// The index as this lupe writes it: records in the slot, none in the data.
START_TEST(test_records_in_slot)
{
	make_index();
	Xapian::Database x(dbpath);
	ck_assert_str_eq(x.get_metadata(LUPE_META_FORMAT).c_str(), "2");
	ck_assert_uint_eq(x.get_doccount(), 3);
	for (Xapian::PostingIterator it = x.postlist_begin(""); it != x.postlist_end(""); ++it) {
		Xapian::Document d = x.get_document(*it);
		ck_assert_msg(!d.get_value(LUPE_SLOT_RECORD).empty(), "document %u has no record in its slot", *it);
		ck_assert_msg(d.get_data().empty(), "document %u keeps data", *it);
	}
}
END_TEST

// A format 1 index reads as before, and a writer marks it format 2.
START_TEST(test_format1_read_and_upgraded)
{
	make_index();
	std::vector<std::vector<std::string>> want;
	lupe_db *db = open_db(LUPE_OPEN_READ);
	for (const char *q : queries) {
		want.push_back(hits(db, q));
		ck_assert_msg(!want.back().empty(), "%s: no hit", q);
	}
	lupe_close(db);

	{
		// The format 1 layout, as lupe wrote it before format 2.
		Xapian::WritableDatabase w(dbpath, Xapian::DB_OPEN);
		for (Xapian::PostingIterator it = w.postlist_begin(""); it != w.postlist_end(""); ++it) {
			Xapian::Document d = w.get_document(*it);
			std::string rec = d.get_value(LUPE_SLOT_RECORD);
			ck_assert(!rec.empty());
			d.remove_value(LUPE_SLOT_RECORD);
			d.set_data(rec);
			w.replace_document(*it, d);
		}
		w.set_metadata(LUPE_META_FORMAT, LUPE_FORMAT_DATA_RECORDS);
		w.commit();
	}
	db = open_db(LUPE_OPEN_READ);
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		std::vector<std::string> got = hits(db, queries[i]);
		ck_assert_uint_eq(got.size(), want[i].size());
		for (size_t k = 0; k < got.size(); k++)
			ck_assert_str_eq(got[k].c_str(), want[i][k].c_str());
	}
	lupe_close(db);
	ck_assert_str_eq(Xapian::Database(dbpath).get_metadata(LUPE_META_FORMAT).c_str(), "1");

	// A writer adds a document: its record goes to the slot, the index says format 2.
	db = open_db(LUPE_OPEN_WRITE);
	add(db, "neu", "Talsperre", "Die Talsperre liefert das Wasser für die zweite Leitung.");
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	Xapian::Database x(dbpath);
	ck_assert_str_eq(x.get_metadata(LUPE_META_FORMAT).c_str(), "2");
	Xapian::PostingIterator it = x.postlist_begin("Qneu");
	ck_assert(it != x.postlist_end("Qneu"));
	ck_assert(!x.get_document(*it).get_value(LUPE_SLOT_RECORD).empty());
	db = open_db(LUPE_OPEN_READ);
	std::vector<std::string> got = hits(db, "Leitung");
	ck_assert_uint_eq(got.size(), 2);
	bool old_doc = false, new_doc = false;
	for (const std::string &h : got) {
		old_doc |= h.rfind("lang|Die Wasserversorgung|", 0) == 0 && h.find("Leitung") != std::string::npos;
		new_doc |= h.rfind("neu|Talsperre|", 0) == 0 && h.find("Leitung") != std::string::npos;
	}
	ck_assert_msg(old_doc && new_doc, "hits: %s / %s", got[0].c_str(), got[1].c_str());
	lupe_close(db);
}
END_TEST

// A format this lupe does not know is refused with a message, not read.
START_TEST(test_unknown_format_refused)
{
	lupe_db *db = open_db(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE);
	add(db, docs[1][0], docs[1][1], docs[1][2]);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	{
		Xapian::WritableDatabase w(dbpath, Xapian::DB_OPEN);
		w.set_metadata(LUPE_META_FORMAT, "3");
		w.commit();
	}
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	char msg[256];
	db = nullptr;
	ck_assert_int_eq(lupe_open(&db, dbpath.c_str(), &o, msg, sizeof msg), LUPE_ENOTLUPE);
	ck_assert_msg(strstr(msg, "format 3 is not supported"), "%s", msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("format1");
	TCase *tc = tcase_create("format1");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_records_in_slot);
	tcase_add_test(tc, test_format1_read_and_upgraded);
	tcase_add_test(tc, test_unknown_format_refused);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
