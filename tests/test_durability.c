/*
 * Durability (issue 17): nothing committed is lost, whatever moment a
 * process dies or a file-system call fails.  Faults come from
 * tests/faultinject.c, compiled into this program (its rename, open,
 * pwrite, fdatasync, ... come before libc's for libxapian too), and from
 * the shim's test hooks (lx_hooks: the two-rename swap, named points).
 * Each death is a real SIGKILL of a forked child on a real index.
 */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "faultinject.h"
#include "shim/shim.h"

static char *dir;
static char dbpath[4096];

static void setup(void)
{
	dir = fx_tmpdir();
	ck_assert_ptr_nonnull(dir);
	snprintf(dbpath, sizeof dbpath, "%s/db", dir);
	memset(&lx_hooks, 0, sizeof lx_hooks);
	fi_arm("", 0, FI_NONE);
}

static void teardown(void)
{
	fi_arm("", 0, FI_NONE);
	memset(&lx_hooks, 0, sizeof lx_hooks);
	fx_rmrf(dir);
	free(dir);
}

static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static int side_exists(const char *suffix)
{
	char p[4300];
	snprintf(p, sizeof p, "%s%s", dbpath, suffix);
	return exists(p);
}

static lupe_db *open_flags(unsigned flags, unsigned threads, unsigned batch)
{
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	char msg[512];
	o.flags = flags;
	o.threads = threads;
	o.batch_size = batch;
	int rc = lupe_open(&db, dbpath, &o, msg, sizeof msg);
	ck_assert_msg(rc == LUPE_OK, "open %s: %s", dbpath, msg);
	return db;
}

static uint64_t count_docs(void)
{
	lupe_db *db = NULL;
	char msg[512];
	uint64_t n = 0;
	int rc = lupe_open(&db, dbpath, NULL, msg, sizeof msg);
	ck_assert_msg(rc == LUPE_OK, "open %s read-only: %s", dbpath, msg);
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	lupe_close(db);
	return n;
}

static int add_range(lupe_db *db, unsigned from, unsigned to)
{
	int first = LUPE_OK;
	for (unsigned i = from; i < to; i++) {
		char id[32], text[200];
		snprintf(id, sizeof id, "d%u", i);
		snprintf(text, sizeof text, "Dokument %u über die Bahn, den Bahnhof und Verspätungen im Winter %u", i,
			 i * 7);
		int rc = fx_add(db, id, "Titel", text);
		if (rc != LUPE_OK && first == LUPE_OK)
			first = rc;
	}
	return first;
}

/* ---- the two-rename swap ---- */

static const char *kill_at;
static unsigned between;

static void count_points(const char *point)
{
	if (strcmp(point, "swap:between-renames") == 0)
		between++;
}

static void die_at(const char *point)
{
	if (kill_at && strcmp(point, kill_at) == 0)
		raise(SIGKILL);
}

START_TEST(test_swap_fallback)
{
	lx_hooks.no_exchange = 1;
	lx_hooks.at = count_points;
	between = 0;
	lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, 1, 0);
	ck_assert_int_eq(add_range(db, 0, 30), LUPE_OK);
	ck_assert_int_eq(lupe_compact(db), LUPE_OK);
	ck_assert_uint_eq(between, 1); /* the fallback ran, not RENAME_EXCHANGE */
	ck_assert(!side_exists(".lupe-old"));
	ck_assert(!side_exists(".lupe-compact"));
	/* The writer holds the new folder's lock. */
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *second = NULL;
	o.flags = LUPE_OPEN_WRITE;
	ck_assert_int_eq(lupe_open(&second, dbpath, &o, NULL, 0), LUPE_ELOCKED);
	ck_assert_int_eq(add_range(db, 30, 35), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	ck_assert_uint_eq(count_docs(), 35);
}
END_TEST

/*
 * A death between the fallback's two renames leaves no PATH and the index
 * at PATH.lupe-old.  The next writer (one that may create) must put it
 * back, not make a new index and delete the old one as a leftover.
 * _i: 0 lupe_compact after a commit, 1 the end of a bulk load.
 */
START_TEST(test_death_between_renames)
{
	int bulk = _i == 1;
	if (bulk) {
		/* The bulk load starts on an index that exists, with no documents. */
		lupe_close(open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, 1, 0));
	}
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		lx_hooks.no_exchange = 1;
		lx_hooks.at = die_at;
		kill_at = "swap:between-renames";
		lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
		lupe_db *db = NULL;
		o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | (bulk ? LUPE_OPEN_BULK : 0);
		o.threads = 2;
		if (lupe_open(&db, dbpath, &o, NULL, 0) != LUPE_OK || add_range(db, 0, 25) != LUPE_OK)
			_exit(3);
		if (!bulk && lupe_commit(db) != LUPE_OK)
			_exit(4);
		bulk ? lupe_commit(db) : lupe_compact(db);
		_exit(5); /* not reached: killed between the renames */
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child did not die at the point (status %d)", st);
	ck_assert(!exists(dbpath));
	ck_assert(side_exists(".lupe-old"));

	/* What lupe-index does next: open for writing, creating if missing. */
	lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | (bulk ? LUPE_OPEN_BULK : 0), 2, 0);
	uint64_t n;
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	/* compact: the 25 committed; bulk: the load never ended, all or nothing. */
	ck_assert_uint_eq(n, bulk ? 0 : 25);
	ck_assert(!side_exists(".lupe-old"));
	ck_assert(!side_exists(".lupe-compact"));
	/* A re-run completes with the exact count. */
	ck_assert_int_eq(add_range(db, 0, 25), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	ck_assert_uint_eq(count_docs(), 25);
}
END_TEST

/* ---- creating an index ---- */

/* How many file-system calls creating an index and committing one document makes. */
static long creation_calls(void)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fi_arm("*", 0, FI_NONE);
		lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, 1, 0);
		add_range(db, 0, 1);
		lupe_commit(db);
		lupe_close(db);
		long n = fi_calls();
		ssize_t w = write(fds[1], &n, sizeof n);
		_exit(w == sizeof n ? 0 : 1);
	}
	close(fds[1]);
	long n = 0;
	ck_assert_int_eq(read(fds[0], &n, sizeof n), (ssize_t)sizeof n);
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return n;
}

/*
 * Kill (or fail with EIO) the k-th file-system call of a creation, for
 * every k: the next writer opens the index (none, or a valid empty one, or
 * the one document), and a re-run completes with the exact count.
 */
START_TEST(test_creation_every_point)
{
	int action = _i == 0 ? FI_KILL : FI_EIO;
	long n = creation_calls();
	ck_assert_int_gt(n, 10);
	printf("creation: %s at each of %ld file-system calls\n", action == FI_KILL ? "kill" : "EIO", n);
	for (long k = 1; k <= n; k++) {
		fx_rmrf(dbpath);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
			lupe_db *db = NULL;
			o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
			o.threads = 1;
			fi_arm("*", k, action);
			if (lupe_open(&db, dbpath, &o, NULL, 0) == LUPE_OK) {
				add_range(db, 0, 1);
				lupe_commit(db);
				lupe_close(db);
			}
			_exit(0);
		}
		int st;
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
		lupe_db *db = NULL;
		char msg[512];
		o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
		o.threads = 1;
		int rc = lupe_open(&db, dbpath, &o, msg, sizeof msg);
		ck_assert_msg(rc == LUPE_OK, "%s at call %ld of %ld: next open: %s", action == FI_KILL ? "kill" : "EIO", k,
			      n, msg);
		uint64_t c;
		ck_assert_int_eq(lupe_doc_count(db, &c), LUPE_OK);
		ck_assert_msg(c <= 1, "call %ld: %llu documents", k, (unsigned long long)c);
		ck_assert_int_eq(add_range(db, 0, 3), LUPE_OK);
		ck_assert_int_eq(lupe_commit(db), LUPE_OK);
		lupe_close(db);
		ck_assert_uint_eq(count_docs(), 3);
	}
}
END_TEST

/*
 * A reader never moves folders: with PATH gone and PATH.lupe-old beside it
 * (a swap cut between its renames), a read-only open fails and leaves both
 * as they are; the next writer puts the index back.
 */
START_TEST(test_reader_does_not_recover)
{
	lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, 1, 0);
	ck_assert_int_eq(add_range(db, 0, 4), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	char old[4300];
	snprintf(old, sizeof old, "%s.lupe-old", dbpath);
	ck_assert_int_eq(rename(dbpath, old), 0);
	char msg[512];
	ck_assert_int_ne(lupe_open(&db, dbpath, NULL, msg, sizeof msg), LUPE_OK);
	ck_assert_ptr_null(db);
	ck_assert(exists(old) && !exists(dbpath));
	db = open_flags(LUPE_OPEN_WRITE, 1, 0);
	lupe_close(db);
	ck_assert(!exists(old));
	ck_assert_uint_eq(count_docs(), 4);
}
END_TEST

/* ---- failed commits ---- */

/* _i: 0 the failing commit is lupe_commit's, 1 the one lupe_compact makes first. */
START_TEST(test_failed_commit_is_sticky)
{
	lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, 1, 0);
	ck_assert_int_eq(add_range(db, 0, 5), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_int_eq(add_range(db, 5, 25), LUPE_OK);
	fi_arm("pwrite", 1, FI_EIO);
	int rc = _i == 0 ? lupe_commit(db) : lupe_compact(db);
	ck_assert_int_gt(fi_calls(), 0);
	fi_arm("", 0, FI_NONE);
	ck_assert_int_ne(rc, LUPE_OK);
	/* The retry must not say OK over nothing: the 20 documents are gone. */
	ck_assert_int_eq(lupe_commit(db), LUPE_ELOST);
	ck_assert_ptr_nonnull(strstr(lupe_errmsg(db), "add them again"));
	ck_assert_int_eq(add_range(db, 25, 26), LUPE_ELOST);
	ck_assert_int_eq(lupe_delete(db, "d0"), LUPE_ELOST);
	ck_assert_int_eq(lupe_compact(db), LUPE_ELOST);
	ck_assert_uint_eq(count_docs(), 5);
	/* Acknowledged: the caller adds them again. */
	ck_assert_int_eq(lupe_acknowledge_loss(db), LUPE_OK);
	ck_assert_int_eq(add_range(db, 5, 25), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	ck_assert_uint_eq(count_docs(), 25);
}
END_TEST

/*
 * A write that fails in Xapian's own flush (its buffer holds one change
 * here: XAPIAN_FLUSH_THRESHOLD=1) lost what was uncommitted, as a failed
 * commit does: the handle says so until acknowledged.  _i: 0 lupe_add,
 * 1 lupe_delete, 2 lupe_add through analysis threads (the failure shows
 * at the commit that writes the queue).
 */
START_TEST(test_failed_write_is_sticky)
{
	setenv("XAPIAN_FLUSH_THRESHOLD", "1", 1);
	lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, _i == 2 ? 2 : 1, 0);
	unsetenv("XAPIAN_FLUSH_THRESHOLD");
	ck_assert_int_eq(add_range(db, 0, 5), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	fi_arm("pwrite", 1, FI_EIO);
	int rc = _i == 1 ? lupe_delete(db, "d0") : add_range(db, 5, 6);
	if (_i == 2 && rc == LUPE_OK)
		rc = lupe_commit(db);
	ck_assert_int_gt(fi_calls(), 0);
	fi_arm("", 0, FI_NONE);
	ck_assert_msg(rc == LUPE_EIO, "status %d: %s", rc, lupe_errmsg(db));
	ck_assert_int_eq(add_range(db, 6, 7), LUPE_ELOST);
	ck_assert_int_eq(lupe_commit(db), LUPE_ELOST);
	ck_assert_ptr_nonnull(strstr(lupe_errmsg(db), "add them again"));
	ck_assert_int_eq(lupe_acknowledge_loss(db), LUPE_OK);
	ck_assert_int_eq(add_range(db, 5, 7), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	ck_assert_uint_eq(count_docs(), 7);
}
END_TEST

/*
 * A bulk load whose part fails to write publishes nothing, by commit or by
 * close.  _i: 0 commit twice then close, 1 close at once.
 */
START_TEST(test_bulk_part_failure_publishes_nothing)
{
	lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | LUPE_OPEN_BULK, 2, 20);
	fi_arm("pwrite", 1, FI_EIO);
	add_range(db, 0, 200);
	uint64_t n;
	int rc = lupe_doc_count(db, &n); /* waits for the parts */
	ck_assert_int_gt(fi_calls(), 0);
	fi_arm("", 0, FI_NONE);
	ck_assert_int_ne(rc, LUPE_OK);
	if (_i == 0) {
		ck_assert_int_eq(lupe_commit(db), LUPE_ELOST);
		ck_assert_int_eq(lupe_commit(db), LUPE_ELOST);
		ck_assert_int_eq(add_range(db, 200, 201), LUPE_ELOST);
	}
	lupe_close(db);
	ck_assert_uint_eq(count_docs(), 0);
	ck_assert(!side_exists(".lupe-bulk-0"));
	/* Given up and loaded again: all of it. */
	db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_BULK, 2, 20);
	ck_assert_int_eq(add_range(db, 0, 200), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	ck_assert_uint_eq(count_docs(), 200);
}
END_TEST

START_TEST(test_bulk_loss_acknowledged)
{
	lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | LUPE_OPEN_BULK, 2, 20);
	fi_arm("pwrite", 1, FI_EIO);
	add_range(db, 0, 100);
	ck_assert_int_eq(lupe_commit(db), LUPE_ELOST);
	fi_arm("", 0, FI_NONE);
	ck_assert_int_eq(lupe_acknowledge_loss(db), LUPE_OK);
	ck_assert_int_eq(add_range(db, 0, 100), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	ck_assert_uint_eq(count_docs(), 100);
}
END_TEST

/* ---- every point of commit, bulk load and compaction ---- */

/*
 * A scenario: prepare() makes the state before (c0 documents d0..), act()
 * is what a process does and is killed or failed in (c1 documents after).
 * After each point the next writer opens, xapian-check is clean, the index
 * holds d0..d(c0-1) or d0..d(c1-1) (all or nothing), and act() run again
 * completes with c1.
 */
typedef struct {
	const char *name;
	void (*prepare)(void);
	void (*act)(void);
	unsigned c0, c1;
	int no_exchange;
} scenario;

static void prep_committed(unsigned n)
{
	lupe_db *db = open_flags(LUPE_OPEN_WRITE | LUPE_OPEN_CREATE, 1, 0);
	ck_assert_int_eq(add_range(db, 0, n), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
}

static void prep_none(void) {}
static void prep_10(void) { prep_committed(10); }
static void prep_30(void) { prep_committed(30); }

/* The acts ignore statuses: the checks look at what is on disk. */
static void act_commit(void)
{
	lupe_db *db = NULL;
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.threads = 1;
	if (lupe_open(&db, dbpath, &o, NULL, 0) != LUPE_OK)
		return;
	add_range(db, 10, 30);
	lupe_commit(db);
	lupe_close(db);
}

static void act_bulk(void)
{
	lupe_db *db = NULL;
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE | LUPE_OPEN_BULK;
	o.threads = 2;
	o.batch_size = 20;
	if (lupe_open(&db, dbpath, &o, NULL, 0) != LUPE_OK)
		return;
	add_range(db, 0, 60);
	lupe_commit(db);
	lupe_close(db);
}

static void act_compact(void)
{
	lupe_db *db = NULL;
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = LUPE_OPEN_WRITE;
	o.threads = 1;
	if (lupe_open(&db, dbpath, &o, NULL, 0) != LUPE_OK)
		return;
	lupe_compact(db);
	lupe_close(db);
}

static const scenario scenarios[] = {
	{"commit", prep_10, act_commit, 10, 30, 0},
	{"bulk load", prep_none, act_bulk, 0, 60, 0},
	{"compact (RENAME_EXCHANGE)", prep_30, act_compact, 30, 30, 0},
	{"compact (two renames)", prep_30, act_compact, 30, 30, 1},
};

/* Run sc->act in a child armed for the k-th call (k 0: count); the calls it made, when counting. */
static long run_act(const scenario *sc, long k, int action)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		lx_hooks.no_exchange = sc->no_exchange;
		fi_arm("*", k, k ? action : FI_NONE);
		sc->act();
		long n = fi_calls();
		ssize_t w = write(fds[1], &n, sizeof n);
		_exit(w == sizeof n ? 0 : 1);
	}
	close(fds[1]);
	long n = -1;
	if (read(fds[0], &n, sizeof n) != (ssize_t)sizeof n)
		n = -1;
	close(fds[0]);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return n;
}

static int have_xapian_check(void)
{
	static int have = -1;
	if (have < 0)
		have = system("command -v xapian-check >/dev/null 2>&1") == 0;
	return have;
}

/* The ids in the index are exactly d0..d(n-1). */
static void check_ids(lupe_db *db, uint64_t n, const char *where)
{
	lupe_strings *ids = NULL;
	ck_assert_int_eq(lupe_list_ids(db, &ids, "d"), LUPE_OK);
	ck_assert_msg(lupe_strings_count(ids) == n, "%s: %zu ids for %llu documents", where, lupe_strings_count(ids),
		      (unsigned long long)n);
	for (size_t i = 0; i < lupe_strings_count(ids); i++) {
		unsigned v;
		ck_assert_msg(sscanf(lupe_strings_get(ids, i), "d%u", &v) == 1 && v < n, "%s: unexpected id %s", where,
			      lupe_strings_get(ids, i));
	}
	lupe_strings_free(ids);
}

static unsigned points_tried;

static void check_point(const scenario *sc, long k, long n, int action)
{
	char where[256], msg[512], cmd[4400];
	snprintf(where, sizeof where, "%s: %s at call %ld of %ld", sc->name, action == FI_KILL ? "kill" : "EIO", k, n);
	if (have_xapian_check() && exists(dbpath)) {
		char out[4096];
		size_t len = 0;
		snprintf(cmd, sizeof cmd, "xapian-check '%s' 2>&1", dbpath);
		FILE *f = popen(cmd, "r");
		ck_assert_ptr_nonnull(f);
		for (size_t r; (r = fread(out + len, 1, sizeof out - 1 - len, f)) > 0;)
			len += r;
		out[len] = '\0';
		int st = pclose(f);
		ck_assert_msg(st == 0, "%s: xapian-check finds errors: %s", where, len > 600 ? out + len - 600 : out);
	}
	lupe_db *db = NULL;
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.threads = 1;
	int rc = lupe_open(&db, dbpath, &o, msg, sizeof msg);
	ck_assert_msg(rc == LUPE_OK, "%s: next open: %s", where, msg);
	uint64_t c;
	ck_assert_int_eq(lupe_doc_count(db, &c), LUPE_OK);
	ck_assert_msg(c == sc->c0 || c == sc->c1, "%s: %llu documents, want %u or %u", where, (unsigned long long)c,
		      sc->c0, sc->c1);
	check_ids(db, c, where);
	lupe_close(db);
	ck_assert_msg(!side_exists(".lupe-old") && !side_exists(".lupe-compact"), "%s: leftovers after an open", where);
	/* Run again, to completion. */
	lx_hooks.no_exchange = sc->no_exchange;
	sc->act();
	lx_hooks.no_exchange = 0;
	ck_assert_msg(count_docs() == sc->c1, "%s: re-run gives %llu documents, want %u", where,
		      (unsigned long long)count_docs(), sc->c1);
	points_tried++;
}

/*
 * _i: scenario * 2 + (0 kill, 1 EIO).  By default every 13th point plus
 * the last 8 (the swap is at the end); LUPE_DURABILITY_ALL=1 tries every one.
 */
START_TEST(test_every_point)
{
	const scenario *sc = &scenarios[_i / 2];
	int action = _i % 2 == 0 ? FI_KILL : FI_EIO;
	const char *all_env = getenv("LUPE_DURABILITY_ALL");
	int all = all_env && strcmp(all_env, "1") == 0;
	/* LUPE_DURABILITY_POINT=K: that point alone, to look at a failure. */
	const char *one_env = getenv("LUPE_DURABILITY_POINT");
	long one = one_env ? atol(one_env) : 0;
	fx_rmrf(dbpath);
	sc->prepare();
	long n = run_act(sc, 0, FI_NONE);
	ck_assert_msg(n > 10, "%s: counted %ld calls", sc->name, n);
	points_tried = 0;
	for (long k = 1; k <= n; k++) {
		if (one ? k != one : !all && k % 13 != 1 && k <= n - 8)
			continue;
		char p[4300];
		fx_rmrf(dbpath);
		snprintf(p, sizeof p, "rm -rf '%s'.lupe-*", dbpath);
		ck_assert_int_eq(system(p), 0);
		sc->prepare();
		run_act(sc, k, action);
		check_point(sc, k, n, action);
	}
	printf("%s: %s at %u of %ld file-system call points, all clean%s\n", sc->name,
	       action == FI_KILL ? "kill" : "EIO", points_tried, n,
	       have_xapian_check() ? "" : " (xapian-check not installed: not run)");
}
END_TEST

/* ---- statuses that name the cause ---- */

/*
 * Every open(2) of opening an index, failed in turn with EIO, and opening
 * with few file descriptors left: LUPE_EIO with the cause, never "locked
 * by another writer" nor "corrupt" (a caller rebuilding on LUPE_ECORRUPT
 * would destroy a healthy index).  _i: 0 writer, 1 reader.
 */
START_TEST(test_open_errors_are_eio)
{
	unsigned flags = _i == 0 ? LUPE_OPEN_WRITE : 0;
	prep_committed(5);
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = flags;
	o.threads = 1;
	lupe_db *db = NULL;
	char msg[512];
	fi_arm("open", 0, FI_NONE);
	ck_assert_int_eq(lupe_open(&db, dbpath, &o, msg, sizeof msg), LUPE_OK);
	lupe_close(db);
	long n = fi_calls();
	ck_assert_int_gt(n, 2);
	for (long k = 1; k <= n; k++) {
		fi_arm("open", k, FI_EIO);
		int rc = lupe_open(&db, dbpath, &o, msg, sizeof msg);
		fi_arm("", 0, FI_NONE);
		if (rc == LUPE_OK)
			lupe_close(db);
		ck_assert_msg(rc == LUPE_OK || rc == LUPE_EIO, "EIO at open %ld of %ld: status %d: %s", k, n, rc, msg);
	}
	printf("%s open: EIO at each of %ld open() calls: LUPE_EIO\n", _i == 0 ? "writer" : "reader", n);
	/* Few file descriptors: each limit from 3 to 40 in a child. */
	for (int lim = 3; lim <= 40; lim++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct rlimit rl = {(rlim_t)lim, (rlim_t)lim};
			setrlimit(RLIMIT_NOFILE, &rl);
			int rc = lupe_open(&db, dbpath, &o, msg, sizeof msg);
			_exit(rc == LUPE_OK ? 0 : rc == LUPE_EIO ? 1 : 10 - rc);
		}
		int st;
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) <= 1, "%d descriptors: status %d", lim,
			      WIFEXITED(st) ? 10 - WEXITSTATUS(st) : -100);
	}
}
END_TEST

/*
 * The lock holds across a swap: while the first writer has exchanged the
 * folders but not yet reopened (stopped at "swap:exchanged"), a second
 * writer is refused.  _i: 0 RENAME_EXCHANGE, 1 two renames.
 */
static int hold_fd = -1;

static void hold_at(const char *point)
{
	if (strcmp(point, kill_at) == 0) {
		char c = 1;
		if (write(hold_fd, &c, 1) != 1)
			_exit(7);
		pause(); /* until the parent kills it */
	}
}

START_TEST(test_lock_held_across_swap)
{
	prep_committed(20);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		hold_fd = fds[1];
		lx_hooks.no_exchange = _i;
		lx_hooks.at = hold_at;
		kill_at = "swap:renamed";
		act_compact();
		_exit(5);
	}
	close(fds[1]);
	char c;
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *second = NULL;
	char msg[512];
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	int rc = lupe_open(&second, dbpath, &o, msg, sizeof msg);
	if (rc == LUPE_OK)
		lupe_close(second);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	ck_assert_msg(rc == LUPE_ELOCKED, "second writer during the swap: status %d (%s)", rc, msg);
	ck_assert_uint_eq(count_docs(), 20);
}
END_TEST

/*
 * PATH an empty mount point: the built index cannot be renamed onto it
 * (EBUSY), so its files are copied in, the marker last.  _i: 0 an empty
 * folder, 1 one holding the tables of an in-place creation that was
 * killed (no marker), 2 one holding a file of someone else's (left alone:
 * not an index).
 */
/* Just before lx_create renames the built index into place: that rename fails with EBUSY. */
static unsigned renames_refused;
static void busy_at_rename_into_place(const char *point)
{
	if (strcmp(point, "create:built") == 0) {
		fi_arm("rename", 1, FI_EBUSY);
		renames_refused++;
	}
}

START_TEST(test_create_on_mount_point)
{
	char p[4300];
	ck_assert_int_eq(mkdir(dbpath, 0755), 0);
	if (_i > 0) {
		snprintf(p, sizeof p, "%s/%s", dbpath, _i == 1 ? "postlist.glass" : "notes.txt");
		FILE *f = fopen(p, "w");
		ck_assert_ptr_nonnull(f);
		fputs("leftover", f);
		fclose(f);
	}
	lx_hooks.at = busy_at_rename_into_place;
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	char msg[512];
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.threads = 1;
	int rc = lupe_open(&db, dbpath, &o, msg, sizeof msg);
	lx_hooks.at = NULL;
	fi_arm("", 0, FI_NONE);
	if (_i == 2) {
		ck_assert_msg(rc != LUPE_OK && db == NULL, "opened a folder of someone else's: %d", rc);
		ck_assert(exists(p));
		return;
	}
	ck_assert_msg(rc == LUPE_OK, "status %d: %s", rc, msg);
	ck_assert_uint_eq(renames_refused, 1);
	ck_assert_int_eq(add_range(db, 0, 3), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	ck_assert_uint_eq(count_docs(), 3);
	ck_assert_int_eq(lupe_check(dbpath, msg, sizeof msg), LUPE_OK);
	ck_assert(!side_exists(".lupe-new-0") && !exists(strcat(strcpy(p, dbpath), "/iamglass.lupe-tmp")));
}
END_TEST

/* lupe_check: a healthy index passes; a damaged block is found, not run. */
START_TEST(test_check)
{
	char msg[512], p[4200];
	prep_committed(60);
	ck_assert_int_eq(lupe_check(dbpath, msg, sizeof msg), LUPE_OK);
	ck_assert_str_eq(msg, "");
	snprintf(p, sizeof p, "%s/nothing", dir);
	ck_assert_int_eq(lupe_check(p, msg, sizeof msg), LUPE_ENOTFOUND);
	ck_assert_int_eq(lupe_check("", msg, sizeof msg), LUPE_EINVAL);
	/* Junk near the end of every 8 KB block of the term lists. */
	snprintf(p, sizeof p, "%s/termlist.glass", dbpath);
	FILE *f = fopen(p, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long size = ftell(f);
	ck_assert_int_gt(size, 0);
	unsigned char junk[64];
	memset(junk, 0xA5, sizeof junk);
	for (long at = 8192 - 200; at + (long)sizeof junk <= size; at += 8192) { /* items sit at a block's end */
		ck_assert_int_eq(fseek(f, at, SEEK_SET), 0);
		ck_assert_int_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	}
	fclose(f);
	int rc = lupe_check(dbpath, msg, sizeof msg);
	ck_assert_msg(rc == LUPE_ECORRUPT, "damaged index: status %d: %s", rc, msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("durability");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_swap_fallback);
	tcase_add_loop_test(tc, test_death_between_renames, 0, 2);
	tcase_add_loop_test(tc, test_creation_every_point, 0, 2);
	tcase_add_loop_test(tc, test_failed_commit_is_sticky, 0, 2);
	tcase_add_loop_test(tc, test_failed_write_is_sticky, 0, 3);
	tcase_add_test(tc, test_reader_does_not_recover);
	tcase_add_loop_test(tc, test_bulk_part_failure_publishes_nothing, 0, 2);
	tcase_add_test(tc, test_bulk_loss_acknowledged);
	tcase_add_loop_test(tc, test_open_errors_are_eio, 0, 2);
	tcase_add_loop_test(tc, test_lock_held_across_swap, 0, 2);
	tcase_add_test(tc, test_check);
	tcase_add_loop_test(tc, test_create_on_mount_point, 0, 3);
	tcase_add_loop_test(tc, test_every_point, 0, (int)(2 * sizeof scenarios / sizeof scenarios[0]));
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
