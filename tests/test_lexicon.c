/*
 * The lexicon a writer keeps in the index (lib/shim/lexicon.cc): after each
 * commit, the stored terms and frequencies of every two-byte prefix equal
 * the index's own term listing, through adds, replaces, deletes, a bulk
 * load's merge and a compaction (table-driven); a damaged stored value is
 * refused, never read.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fixture.h"
#include "shim/shim.h"
#include "util/buf.h"

static int list_cb(void *ctx, const char *term, size_t len, lx_term_here *at)
{
	fx_text_put(ctx, term, len, lx_term_here_freq(at));
	return 0;
}

static int lex_cb(void *ctx, const char *term, size_t len, uint64_t freq)
{
	fx_text_put(ctx, term, len, freq);
	return 0;
}

/* Every two-byte prefix any step's index held (id terms aside), as 2-byte strings. */
static char prefixes[4096][2];
static size_t nprefixes;

static int note_prefix(void *ctx, const char *term, size_t len, lx_term_here *at)
{
	(void)ctx;
	(void)at;
	if (len < 2 || term[0] == 'Q')
		return 0;
	for (size_t i = 0; i < nprefixes; i++)
		if (prefixes[i][0] == term[0] && prefixes[i][1] == term[1])
			return 0;
	ck_assert_uint_lt(nprefixes, 4096);
	prefixes[nprefixes][0] = term[0];
	prefixes[nprefixes][1] = term[1];
	nprefixes++;
	return 0;
}

/* The lexicon of every prefix seen so far equals the listing; step names the row. */
static void check_lexicon(lupe_db *db, int step)
{
	lupe_err err;
	ck_assert_int_eq(lx_allterms(db->x, "", 0, note_prefix, NULL, &err), LUPE_OK);
	ck_assert_uint_gt(nprefixes, 0);
	for (size_t i = 0; i < nprefixes; i++) {
		fx_text want = {0}, got = {0};
		fx_text_put(&want, "", 0, 0);
		fx_text_put(&got, "", 0, 0);
		ck_assert_int_eq(lx_allterms(db->x, prefixes[i], 2, list_cb, &want, &err), LUPE_OK);
		int rc = lx_lexicon_get(db->x, prefixes[i], lex_cb, &got);
		ck_assert_msg(rc == 1, "step %d: no lexicon that matches the index (%d)", step, rc);
		ck_assert_msg(strcmp(want.p, got.p) == 0, "step %d, prefix %.2s: lexicon\n%s\nlisting\n%s", step,
			      prefixes[i], got.p, want.p);
		/* The whole lexicon (every prefix's value in a few values) too. */
		fx_text whole = {0};
		fx_text_put(&whole, "", 0, 0);
		rc = lx_lexicon_whole_get(db->x, prefixes[i], lex_cb, &whole);
		ck_assert_msg(rc == 1, "step %d: no whole lexicon that matches the index (%d)", step, rc);
		ck_assert_msg(strcmp(want.p, whole.p) == 0, "step %d, prefix %.2s: whole lexicon\n%s\nlisting\n%s",
			      step, prefixes[i], whole.p, want.p);
		free(whole.p);
		free(want.p);
		free(got.p);
	}
}

/* A row: what to do, an id, a text (for adds). */
enum { ADD, DEL, COMMIT, COMPACT, REOPEN };
static const struct {
	int op;
	const char *id, *title, *text;
} steps[] = {
	{ADD, "a", "Gewerkschaft", "Die Gewerkschaft fordert mehr Gehalt im Gebirge."},
	{ADD, "b", "Gebirge", "Ein Gewitter zieht über das Gebirge, Gemüse wächst."},
	{COMMIT, 0, 0, 0},
	/* Replaced: "gehalt" and "gewerkschaft" lose a document, "zaubertrank" is new. */
	{ADD, "a", "Zaubertrank", "Der Zaubertrank im Kessel, kein Gehalt."},
	{COMMIT, 0, 0, 0},
	/* Deleted: prefixes whose only term goes ("ke" of kessel) must be empty. */
	{DEL, "a", 0, 0},
	{COMMIT, 0, 0, 0},
	{ADD, "c", "Kessel", "Kessel und Kesselflicker, Gewitter und Gewerkschaft."},
	{ADD, "d", "Wirbelsturm", "Ein Wirbelsturm zieht über die Küste."},
	{DEL, "b", 0, 0},
	{ADD, "b", "Gebirge", "Das Gebirge ohne Gewitter."},
	{COMMIT, 0, 0, 0},
	/* A writer opened anew trusts the stored lexicon only by its stamp. */
	{REOPEN, 0, 0, 0},
	{ADD, "e", "Umsetzung", "Die Umsetzung der Abstimmung im Gebirge."},
	{COMMIT, 0, 0, 0},
	/* A compaction renumbers and keeps the terms: the stamp is made anew. */
	{DEL, "c", 0, 0},
	{COMPACT, 0, 0, 0},
	{ADD, "f", "Mitarbeiter", "Mitarbeiter:innen der Gewerkschaft."},
	{COMMIT, 0, 0, 0},
	/* Many new terms of one prefix: its delta outgrows a quarter of its base. */
	{ADD, "g", "Gegenwart", "Gebäude Gebet Geburt Gedanke Geduld Gefahr Gefühl Gegend Gegner Gehirn Geist Geld "
				"Gelegenheit Gemeinde Genuss Gepäck Gerät Gericht Geruch Gesang Geschäft Geschenk "
				"Geschichte Gesetz Gesicht Gespräch Gestalt Gewalt Gewicht Gewinn Gewohnheit Gift"},
	{COMMIT, 0, 0, 0},
};

static void run_steps(const char *path, lupe_db *db)
{
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		switch (steps[i].op) {
		case ADD:
			ck_assert_int_eq(fx_add(db, steps[i].id, steps[i].title, steps[i].text), LUPE_OK);
			break;
		case DEL:
			ck_assert_int_eq(lupe_delete(db, steps[i].id), LUPE_OK);
			break;
		case COMMIT:
			ck_assert_int_eq(lupe_commit(db), LUPE_OK);
			check_lexicon(db, (int)i);
			break;
		case COMPACT:
			ck_assert_int_eq(lupe_compact(db), LUPE_OK);
			check_lexicon(db, (int)i);
			break;
		case REOPEN:
			lupe_close(db);
			db = fx_open_write(path);
			ck_assert_ptr_nonnull(db);
			check_lexicon(db, (int)i);
			break;
		}
	}
	lupe_close(db);
}

START_TEST(test_steps)
{
	char *dir = fx_tmpdir();
	char path[4200];
	snprintf(path, sizeof path, "%s/idx", dir);
	nprefixes = 0;
	lupe_db *db = fx_open_write(path);
	ck_assert_ptr_nonnull(db);
	run_steps(path, db);
	fx_rmrf(dir);
	free(dir);
}
END_TEST

/*
 * A lexicon over the whole's bound leaves chunk 0 saying so and its size
 * ("B" and decimal bytes, lexicon.cc).  A writer that finds one over twice
 * the bound (32 MB) composes no whole at its commits (it would read every
 * value to write none); under that it composes one again.  Each row: the
 * chunk 0 a commit finds, whether the next commit leaves a whole.
 */
static const struct {
	const char *chunk0;
	int whole;
} big_rows[] = {
	{"B40000000", 0}, /* far over: left as it is */
	{"B20000000", 1}, /* over, not twice: composed again (the lexicon shrank) */
	{"B", 1},         /* no size: not a marker */
	{"B40000000x", 1},
};

START_TEST(test_whole_far_over)
{
	char *dir = fx_tmpdir();
	char path[4200], id[32];
	snprintf(path, sizeof path, "%s/idx", dir);
	lupe_db *db = fx_open_write(path);
	ck_assert_ptr_nonnull(db);
	for (size_t i = 0; i < sizeof big_rows / sizeof big_rows[0]; i++) {
		lupe_err err;
		ck_assert_int_eq(lx_set_metadata(db->x, "\x01lupe:tl-all:0", big_rows[i].chunk0, &err), LUPE_OK);
		snprintf(id, sizeof id, "d%zu", i);
		ck_assert_int_eq(fx_add(db, id, "Titel", "Gewerkschaft Gebirge Kessel"), LUPE_OK);
		ck_assert_int_eq(lupe_commit(db), LUPE_OK);
		fx_text got = {0};
		fx_text_put(&got, "", 0, 0);
		int rc = lx_lexicon_whole_get(db->x, "ge", lex_cb, &got);
		ck_assert_msg(rc == big_rows[i].whole, "row %zu (%s): whole %d, want %d", i, big_rows[i].chunk0, rc,
			      big_rows[i].whole);
		if (!big_rows[i].whole) {
			lupe_buf v = {0};
			ck_assert_int_eq(lx_get_metadata(db->x, "\x01lupe:tl-all:0", &v, &err), LUPE_OK);
			ck_assert_msg(v.len == strlen(big_rows[i].chunk0) && memcmp(v.p, big_rows[i].chunk0, v.len) == 0,
				      "row %zu: chunk 0 rewritten", i);
			lupe_buf_free(&v);
		}
		free(got.p);
	}
	lupe_close(db);
	fx_rmrf(dir);
	free(dir);
}
END_TEST

/* The bulk path: the parts keep no lexicon, the merge writes it whole. */
START_TEST(test_bulk_then_steps)
{
	char *dir = fx_tmpdir();
	char path[4200], msg[256];
	snprintf(path, sizeof path, "%s/idx", dir);
	nprefixes = 0;
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | LUPE_OPEN_BULK;
	o.threads = 2;
	ck_assert_int_eq(lupe_open(&db, path, &o, msg, sizeof msg), LUPE_OK);
	char id[32], body[128];
	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof id, "bulk/%d", i);
		snprintf(body, sizeof body, "Gewerkschaft %d Gebirge Wort%d Kessel%d", i % 7, i, i % 13);
		ck_assert_int_eq(fx_add(db, id, "Titel", body), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	check_lexicon(db, -1);
	lupe_close(db);
	db = fx_open_write(path);
	ck_assert_ptr_nonnull(db);
	run_steps(path, db);
	fx_rmrf(dir);
	free(dir);
}
END_TEST

/*
 * Automatic commits (every batch_size documents) leave the lists to the
 * next lupe_commit: meanwhile the index has no lexicon that matches it,
 * so readers list terms; the lupe_commit then writes lists that count
 * every document since, counted by the writer of a new index, and asked
 * of the index once a document was replaced.
 */
START_TEST(test_automatic_commits)
{
	char *dir = fx_tmpdir();
	char path[4200], msg[256], id[32], body[160];
	snprintf(path, sizeof path, "%s/idx", dir);
	nprefixes = 0;
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.batch_size = 3;
	ck_assert_int_eq(lupe_open(&db, path, &o, msg, sizeof msg), LUPE_OK);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 10; i++) {
			/* The second round replaces the first's documents 0..4 and adds 10..14. */
			int n = round == 0 ? i : i < 5 ? i : i + 5;
			snprintf(id, sizeof id, "auto/%d", n);
			snprintf(body, sizeof body, "Gewerkschaft %d Gebirge Wort%d Kessel%d Runde%d", n % 4, n, n % 3,
				 round);
			ck_assert_int_eq(fx_add(db, id, "Titel", body), LUPE_OK);
			if (i == 3) { /* one automatic commit made: its lists wait */
				fx_text got = {0};
				ck_assert_msg(lx_lexicon_get(db->x, "ge", lex_cb, &got) != 1,
					      "round %d: a lexicon matches after an automatic commit", round);
				free(got.p);
			}
		}
		ck_assert_int_eq(lupe_commit(db), LUPE_OK);
		check_lexicon(db, round);
	}
	lupe_close(db);
	fx_rmrf(dir);
	free(dir);
}
END_TEST

/*
 * A stored value: 'M', the base's count and length (varints, one byte
 * here), the base ('L', a flag, the entries), the delta's entries.
 */
static size_t value(char *out, const char *base, size_t blen, unsigned count, const char *delta, size_t dlen)
{
	out[0] = 'M';
	out[1] = (char)count;
	out[2] = (char)blen;
	memcpy(out + 3, base, blen);
	memcpy(out + 3 + blen, delta, dlen);
	return 3 + blen + dlen;
}

#define GOOD_BASE "L\0\2\0\2ge\1\2\1x\3", 12, 2 /* ge:1, gex:3 */

/* Damaged values: refused (0), never read.  Row: base, its length, the count the value claims, delta, why. */
static const struct {
	const char *base;
	size_t blen;
	unsigned count;
	const char *delta;
	size_t dlen;
	const char *why;
} damaged[] = {
	{"X\0\1\0\2ge\1", 8, 1, "\0", 1, "another magic byte"},
	{"L\2\1\0\2ge\1", 8, 1, "\0", 1, "an unknown flag"},
	{"L\0\1\0\2ge", 7, 1, "\0", 1, "cut before the frequency"},
	{"L\0\2\0\2ge\1", 8, 2, "\0", 1, "fewer terms than counted"},
	{"L\0\1\0\2ge\1\0", 9, 1, "\0", 1, "bytes after the last term"},
	{"L\0\1\0\2ge\0", 8, 1, "\0", 1, "a frequency of 0 in the base"},
	{"L\0\1\0\2xy\1", 8, 1, "\0", 1, "a term of another prefix"},
	{"L\0\2\0\2ge\1\1\1x\1", 12, 2, "\0", 1, "a later term of another prefix (sharing one byte)"},
	{"L\0\2\0\3gex\1\0\2ge\1", 14, 2, "\0", 1, "terms out of order"},
	{"L\0\1\5\2ge\1", 8, 1, "\0", 1, "more bytes shared than the last term has"},
	{"L\0\1\0\x7fge\1", 8, 1, "\0", 1, "a term longer than the value"},
	{"L\1\x28\xb5\x2f\xfd\0\0", 8, 1, "\0", 1, "a broken zstd frame"},
	{"L\0\1\0\2ge\1", 8, 2, "\0", 1, "a base count other than the base's"},
	{GOOD_BASE, "\2\0\3gey\5\2\1x\0", 11, "delta terms out of order"},
	{GOOD_BASE, "\1\0\2xy\5", 6, "a delta term of another prefix"},
	{GOOD_BASE, "\2\0\3gex\0", 7, "fewer delta terms than counted"},
	{GOOD_BASE, "\1\0\3gex\0\7", 8, "bytes after the delta"},
	{GOOD_BASE, "", 0, "no delta"},
};


/* Local readers list a two-byte prefix from the lexicon (lx_hooks.at "terms:lexicon"). */
static int lexicon_reads;

static void count_lexicon_read(const char *point)
{
	if (strcmp(point, "terms:lexicon") == 0)
		lexicon_reads++;
}

static fx_text list_of(lupe_db *db, const char *p2)
{
	lupe_err err;
	fx_text t = {0};
	fx_text_put(&t, "", 0, 0);
	ck_assert_int_eq(lx_allterms(db->x, p2, 2, list_cb, &t, &err), LUPE_OK);
	return t;
}

/*
 * A local reader's "ge" list, read from the lexicon once a revision (the
 * writer's is its own listing): equal to the writer's after every commit
 * the reader reopens on, never the list of an older revision, and the
 * listing when an automatic commit left the index without a lexicon that
 * matches it.
 */
START_TEST(test_local_reader)
{
	char *dir = fx_tmpdir();
	char path[4200], msg[256];
	snprintf(path, sizeof path, "%s/idx", dir);
	lupe_db *w = fx_open_write(path), *r = NULL;
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(fx_add(w, "a", "Titel", "Gewerkschaft Gebirge Gemeinde"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(w), LUPE_OK);
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	ck_assert_int_eq(lupe_open(&r, path, &o, msg, sizeof msg), LUPE_OK);
	lexicon_reads = 0;
	lx_hooks.at = count_lexicon_read;
	const char *added[] = {"Gewitter Gerste", "Geysir Gelände"};
	for (int round = 0; round < 3; round++) {
		fx_text want = list_of(w, "ge"), got = list_of(r, "ge"), again = list_of(r, "ge");
		ck_assert_msg(strcmp(want.p, got.p) == 0, "round %d: the reader lists\n%s\nthe index holds\n%s", round,
			      got.p, want.p);
		ck_assert_str_eq(again.p, got.p);
		/* Rounds 0 and 1 read the lexicon once (the second listing is kept); round 2 has none. */
		ck_assert_int_eq(lexicon_reads, round < 2 ? round + 1 : 2);
		free(want.p), free(got.p), free(again.p);
		if (round == 2)
			break;
		if (round == 1) {
			/* An automatic commit after 2 documents: the lists wait for lupe_commit. */
			lupe_close(w);
			lupe_open_options wo = LUPE_OPEN_OPTIONS_INIT;
			wo.flags = LUPE_OPEN_WRITE;
			wo.batch_size = 2;
			ck_assert_int_eq(lupe_open(&w, path, &wo, msg, sizeof msg), LUPE_OK);
			ck_assert_int_eq(fx_add(w, "c", "Titel", "Geysir"), LUPE_OK);
		}
		ck_assert_int_eq(fx_add(w, round ? "d" : "b", "Titel", added[round]), LUPE_OK);
		if (round == 0)
			ck_assert_int_eq(lupe_commit(w), LUPE_OK);
		lupe_err err;
		ck_assert_int_eq(lx_reopen(r->x, &err), LUPE_OK);
	}
	lx_hooks.at = NULL;
	lupe_close(r);
	lupe_close(w);
	fx_rmrf(dir);
	free(dir);
}
END_TEST

/*
 * A local reader's term frequencies (lx_termfreq, lx_termfreq_sure), which
 * it keeps for the revision read (looked up before, or from a kept list):
 * equal to the writer's after every commit the reader reopens on, never
 * an older revision's, whether they come from Xapian, from what it kept
 * of earlier look-ups, or from the list of their prefix.  Rows: a term
 * and its frequency after each of the three commits.
 */
static const struct {
	const char *term;
	uint64_t freq[3];
} kept_rows[] = {
	{"gewitt", {0, 1, 2}},
	{"gebirg", {1, 2, 2}},
	{"gewerkschaft", {1, 1, 1}},
	{"geysir", {0, 0, 1}},
};

START_TEST(test_local_termfreq_kept)
{
	char *dir, path[4200];
	lupe_db *w = fx_new_index(&dir), *r = NULL;
	snprintf(path, sizeof path, "%s/db", dir);
	const char *docs[3] = {"Gewerkschaft Gebirge", "Gewitter Gebirge", "Gewitter Geysir"};
	const char *ids[3] = {"a", "b", "c"};
	lupe_err err;
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(fx_add(w, ids[round], "Titel", docs[round]), LUPE_OK);
		ck_assert_int_eq(lupe_commit(w), LUPE_OK);
		if (round == 0) {
			r = fx_open_read(path);
		} else {
			ck_assert_int_eq(lx_reopen(r->x, &err), LUPE_OK);
		}
		/*
		 * Each row asked (pass 0), then kept (1), then by a reader opened
		 * now that keeps the list of "ge" (2): its answers come from the list.
		 */
		lupe_db *fresh = NULL;
		for (int pass = 0; pass < 3; pass++) {
			if (pass == 2) {
				fresh = fx_open_read(path);
				fx_text l = list_of(fresh, "ge");
				free(l.p);
			}
			lupe_db *rd = pass == 2 ? fresh : r;
			for (size_t i = 0; i < sizeof kept_rows / sizeof kept_rows[0]; i++) {
				const char *t = kept_rows[i].term;
				uint64_t want = kept_rows[i].freq[round], fw = 99, fr = 99;
				ck_assert_int_eq(lx_termfreq_sure(w->x, t, strlen(t), &fw), LUPE_OK);
				ck_assert_msg(fw == want, "round %d: the writer has %s %llu times, not %llu", round, t,
					      (unsigned long long)fw, (unsigned long long)want);
				ck_assert_int_eq(lx_termfreq_sure(rd->x, t, strlen(t), &fr), LUPE_OK);
				ck_assert_msg(fr == want, "round %d pass %d: the reader says %s %llu times, not %llu", round,
					      pass, t, (unsigned long long)fr, (unsigned long long)want);
				ck_assert_uint_eq(lx_termfreq(rd->x, t, strlen(t)), want);
			}
		}
		lupe_close(fresh);
	}
	lupe_close(r);
	fx_drop(w, dir);
}
END_TEST

/* Whole values. Row: bytes, length, what the list is ("" damaged). */
static const struct {
	const char *v;
	size_t len;
	const char *want;
} whole[] = {
	{"", 0, ""},
	{"M", 1, ""},
	{"X\2\x0cL\0\2\0\2ge\1\2\1x\3\0", 16, ""},
	{"M\2\x0dL\0\2\0\2ge\1\2\1x\3\0", 16, ""},
	{"M\2\x0cL\0\2\0\2ge\1\2\1x\3\0", 16, "ge:1\ngex:3\n"},
	/* The delta: gex gone, gey new, ge changed. */
	{"M\2\x0cL\0\2\0\2ge\1\2\1x\3\3\0\2ge\7\2\1x\0\2\1y\5", 29, "ge:7\ngey:5\n"},
	/* No base: the delta alone. */
	{"M\0\0\1\0\3gez\4", 10, "gez:4\n"},
};

/* A whole lexicon's chunk 0 of 1 (lexicon.cc, write_whole): 'W', its number,
 * the number of chunks, the stamp, the payload's size, then the payload:
 * the count and per prefix its two bytes, the value's size and the value.
 * Row: the chunk's fields as written (count and sizes may lie), the
 * prefix asked, what the list is ("" refused). */
static const char ge_value[] = "M\2\x0cL\0\2\0\2ge\1\2\1x\3\0";            /* ge:1 gex:3 */
static const char ge_delta[] = "M\2\x0cL\0\2\0\2ge\1\2\1x\3\3\0\2ge\7\2\1x\0\2\1y\5"; /* ge:7 gey:5 */
static const struct {
	char magic;
	int k, chunks;
	const char *stamp;
	int total_extra, count_extra; /* added to the true payload size and count */
	const char *p2a, *va;         /* the first prefix and its value (NULL: none) */
	size_t la;
	const char *p2b, *vb;         /* a second one */
	size_t lb;
	const char *ask, *want;
} chunks[] = {
	{'W', 0, 1, "S", 0, 0, "ge", ge_value, 16, NULL, NULL, 0, "ge", "ge:1\ngex:3\n"},
	{'W', 0, 1, "S", 0, 0, "ge", ge_delta, 29, NULL, NULL, 0, "ge", "ge:7\ngey:5\n"},
	{'W', 0, 1, "S", 0, 0, "ga", ge_value, 0, "ge", ge_delta, 29, "ge", "ge:7\ngey:5\n"},
	{'W', 0, 1, "S", 0, 0, "ge", ge_value, 16, NULL, NULL, 0, "gx", "-"}, /* no such prefix: none */
	{'X', 0, 1, "S", 0, 0, "ge", ge_value, 16, NULL, NULL, 0, "ge", ""},
	{'W', 1, 1, "S", 0, 0, "ge", ge_value, 16, NULL, NULL, 0, "ge", ""},
	{'W', 0, 2, "S", 0, 0, "ge", ge_value, 16, NULL, NULL, 0, "ge", ""},
	{'W', 0, 1, "T", 0, 0, "ge", ge_value, 16, NULL, NULL, 0, "ge", ""},
	{'W', 0, 1, "S", 1, 0, "ge", ge_value, 16, NULL, NULL, 0, "ge", ""},
	{'W', 0, 1, "S", -1, 0, "ge", ge_value, 16, NULL, NULL, 0, "ge", ""},
	{'W', 0, 1, "S", 0, 1, "ge", ge_value, 16, NULL, NULL, 0, "ge", ""},
	{'W', 0, 1, "S", 0, 0, "ge", ge_value, 16, "ge", ge_value, 16, "ge", ""}, /* a prefix twice */
	{'W', 0, 1, "S", 0, 0, "gf", ge_value, 16, "ge", ge_value, 16, "ge", ""}, /* out of order */
	{'W', 0, 1, "S", 0, 0, "Qa", ge_value, 16, NULL, NULL, 0, "ge", ""},      /* the id prefix */
	{'W', 0, 1, "S", 0, 0, "ge", "X\2\x0cL\0\2\0\2ge\1\2\1x\3\0", 16, NULL, NULL, 0, "ge", ""},
};

static size_t put_chunk(char *out, size_t i)
{
	char payload[256];
	size_t p = 0, n = 0;
	payload[p++] = (char)((chunks[i].p2b ? 2 : 1) + chunks[i].count_extra);
	const char *p2s[2] = {chunks[i].p2a, chunks[i].p2b}, *vs[2] = {chunks[i].va, chunks[i].vb};
	size_t ls[2] = {chunks[i].la, chunks[i].lb};
	for (int e = 0; e < 2 && p2s[e]; e++) {
		memcpy(payload + p, p2s[e], 2);
		p += 2;
		payload[p++] = (char)ls[e];
		memcpy(payload + p, vs[e], ls[e]);
		p += ls[e];
	}
	out[n++] = chunks[i].magic;
	out[n++] = (char)chunks[i].k;
	out[n++] = (char)chunks[i].chunks;
	out[n++] = (char)strlen(chunks[i].stamp);
	memcpy(out + n, chunks[i].stamp, strlen(chunks[i].stamp));
	n += strlen(chunks[i].stamp);
	out[n++] = (char)((int)p + chunks[i].total_extra);
	memcpy(out + n, payload, p);
	return n + p;
}

START_TEST(test_whole_chunks)
{
	char c[512];
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		fx_text got = {0};
		fx_text_put(&got, "", 0, 0);
		got.len = 0;
		got.p[0] = '\0';
		size_t n = put_chunk(c, i);
		int rc = lx_lexicon_whole_decode(c, n, "S", chunks[i].ask, lex_cb, &got);
		ck_assert_msg(rc == (*chunks[i].want ? 1 : 0), "chunk row %zu: %d", i, rc);
		if (rc == 1)
			ck_assert_msg(strcmp(got.p, *chunks[i].want == '-' ? "" : chunks[i].want) == 0, "chunk row %zu: %s",
				      i, got.p);
		free(got.p);
	}
}
END_TEST

START_TEST(test_damaged)
{
	char v[64];
	for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
		fx_text got = {0};
		size_t n = value(v, damaged[i].base, damaged[i].blen, damaged[i].count, damaged[i].delta, damaged[i].dlen);
		ck_assert_msg(lx_lexicon_decode("ge", v, n, lex_cb, &got) == 0, "row %zu: %s", i, damaged[i].why);
		free(got.p);
	}
	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
		fx_text got = {0};
		fx_text_put(&got, "", 0, 0);
		got.len = 0;
		got.p[0] = '\0';
		int rc = lx_lexicon_decode("ge", whole[i].v, whole[i].len, lex_cb, &got);
		ck_assert_msg(rc == (*whole[i].want ? 1 : 0), "whole row %zu: %d", i, rc);
		if (rc == 1)
			ck_assert_msg(strcmp(got.p, whole[i].want) == 0, "whole row %zu: %s", i, got.p);
		free(got.p);
	}
}
END_TEST

/* One front-coded entry (lexicon.cc): shared bytes, the rest's length, the rest, the frequency. */
static void put_entry(lupe_buf *b, size_t shared, const char *rest, size_t rlen, unsigned freq)
{
	ck_assert_int_eq(lupe_buf_put_varint(b, shared), 0);
	ck_assert_int_eq(lupe_buf_put_varint(b, rlen), 0);
	ck_assert_int_eq(lupe_buf_append(b, rest, rlen), 0);
	ck_assert_int_eq(lupe_buf_put_varint(b, freq), 0);
}

/*
 * Terms longer than the 256 bytes a decoder builds them in on its stack
 * (Xapian writes none, a damaged or hostile value may): ge + 200 a's (202
 * bytes), the same + 100 b's (302: the term outgrows the stack while it
 * shares 202 bytes with the one before), the same + c (303), then geb
 * (shared 2), read back whole, from a value's base and from its delta alone.
 */
START_TEST(test_long_terms)
{
	char t[303];
	memset(t, 'a', 202);
	memcpy(t, "ge", 2);
	memset(t + 202, 'b', 100);
	t[302] = 'c';
	lupe_buf entries = {0}, v = {0};
	ck_assert_int_eq(lupe_buf_put_varint(&entries, 4), 0);
	put_entry(&entries, 0, t, 202, 1);
	put_entry(&entries, 202, t + 202, 100, 2);
	put_entry(&entries, 302, t + 302, 1, 3);
	put_entry(&entries, 2, "b", 1, 4);
	fx_text want = {0};
	fx_text_put(&want, t, 202, 1);
	fx_text_put(&want, t, 302, 2);
	fx_text_put(&want, t, 303, 3);
	fx_text_put(&want, "geb", 3, 4);
	for (int delta = 0; delta < 2; delta++) {
		v.len = 0;
		ck_assert_int_eq(lupe_buf_putc(&v, 'M'), 0);
		if (delta) { /* no base: the delta alone */
			ck_assert_int_eq(lupe_buf_put_varint(&v, 0), 0);
			ck_assert_int_eq(lupe_buf_put_varint(&v, 0), 0);
			ck_assert_int_eq(lupe_buf_append(&v, entries.p, entries.len), 0);
		} else { /* a raw base of four terms, an empty delta */
			ck_assert_int_eq(lupe_buf_put_varint(&v, 4), 0);
			ck_assert_int_eq(lupe_buf_put_varint(&v, 2 + entries.len), 0);
			ck_assert_int_eq(lupe_buf_append(&v, "L\0", 2), 0);
			ck_assert_int_eq(lupe_buf_append(&v, entries.p, entries.len), 0);
			ck_assert_int_eq(lupe_buf_putc(&v, 0), 0);
		}
		fx_text got = {0};
		fx_text_put(&got, "", 0, 0);
		got.len = 0;
		got.p[0] = '\0';
		ck_assert_int_eq(lx_lexicon_decode("ge", v.p, v.len, lex_cb, &got), 1);
		ck_assert_msg(strcmp(got.p, want.p) == 0, "%s: got %zu bytes, want %zu", delta ? "delta" : "base",
			      strlen(got.p), strlen(want.p));
		free(got.p);
	}
	free(want.p);
	lupe_buf_free(&entries);
	lupe_buf_free(&v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lexicon");
	TCase *tc = tcase_create("lexicon");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_steps);
	tcase_add_test(tc, test_bulk_then_steps);
	tcase_add_test(tc, test_automatic_commits);
	tcase_add_test(tc, test_damaged);
	tcase_add_test(tc, test_long_terms);
	tcase_add_test(tc, test_whole_chunks);
	tcase_add_test(tc, test_whole_far_over);
	tcase_add_test(tc, test_local_reader);
	tcase_add_test(tc, test_local_termfreq_kept);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
