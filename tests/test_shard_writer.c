/*
 * A writer whose remote shard stops answering (SIGSTOP, a hung server)
 * fails within about one timeout_ms, however many documents are queued for
 * that shard, and its commit and close do not wait again (issue 17).  A
 * reader whose shard stops while it fetches a term list for typo tolerance
 * fails within about one timeout_ms too, naming it, or answers from the
 * others with LUPE_SEARCH_PARTIAL (issue 18).  Real xapian-tcpsrv processes
 * on 127.0.0.1; skipped (77) without xapian-tcpsrv.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "fixture.h"
#include "index/document.h"
#include "shim/shim.h"

#define TIMEOUT_MS 500

static char *dir;
static pid_t servers[2];
static pid_t readers[2]; /* read-only servers (test_reader_shard_stops_at_term_list), each its group's leader */
static int server_out[2] = {-1, -1}; /* their stdout: kept open, or their next line would kill them (SIGPIPE) */
static char urls[2][64];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	socklen_t len = sizeof a;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/*
 * A server on path at port, a one-connection writable one or (readonly) a
 * read-only one for any number; returns once it listens (its
 * "Listening..." line).  start_server_as picks a free port;
 * test_reader_shard_restarted starts one again where the last listened.
 */
static pid_t start_server_on(const char *path, int readonly, unsigned port, char *url, size_t url_len, int *outfd)
{
	char portbuf[16];
	int out[2];
	snprintf(portbuf, sizeof portbuf, "%u", port);
	ck_assert_int_eq(pipe(out), 0);
	pid_t parent = getpid();
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Killed with the test's process: a failed check (or a sanitizer's
		 * abort) ends it before teardown, and the server would outlive it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(127);
		dup2(out[1], 1);
		dup2(out[1], 2); /* not the test's: a server a failed test leaves must not hold meson's pipe */
		close(out[0]);
		close(out[1]);
		setpgid(0, 0); /* its own group: a forking server's children are stopped with it */
		if (readonly)
			execlp("xapian-tcpsrv", "xapian-tcpsrv", "--interface", "127.0.0.1", "--port", portbuf, path,
			       (char *)NULL);
		else
			execlp("xapian-tcpsrv", "xapian-tcpsrv", "--writable", "--one-shot", "--interface",
			       "127.0.0.1", "--port", portbuf, path, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	char buf[512];
	size_t have = 0;
	while (have < sizeof buf - 1) {
		ssize_t n = read(out[0], buf + have, sizeof buf - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "xapian-tcpsrv on port %u ended before listening", port);
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "Listening..."))
			break;
	}
	*outfd = out[0];
	ck_assert_msg(strstr(buf, "Listening..."), "xapian-tcpsrv said: %s", buf);
	snprintf(url, url_len, "tcp://127.0.0.1:%u", port);
	return pid;
}

static pid_t start_server_as(const char *path, int readonly, char *url, size_t url_len, int *outfd)
{
	return start_server_on(path, readonly, free_port(), url, url_len, outfd);
}

static pid_t start_server(const char *path, char *url, size_t url_len, int *outfd)
{
	return start_server_as(path, 0, url, url_len, outfd);
}

static void setup(void)
{
	dir = fx_tmpdir();
	ck_assert_ptr_nonnull(dir);
	for (int k = 0; k < 2; k++) {
		char p[4200];
		snprintf(p, sizeof p, "%s/shard%d", dir, k);
		servers[k] = start_server(p, urls[k], sizeof urls[k], &server_out[k]);
	}
}

static void teardown(void)
{
	for (int k = 0; k < 2; k++) {
		if (servers[k] <= 0)
			continue;
		kill(servers[k], SIGCONT);
		kill(servers[k], SIGKILL);
		waitpid(servers[k], NULL, 0);
		servers[k] = 0;
		close(server_out[k]);
	}
	for (int k = 0; k < 2; k++) {
		if (readers[k] <= 0)
			continue;
		kill(-readers[k], SIGCONT);
		kill(-readers[k], SIGKILL);
		waitpid(readers[k], NULL, 0);
		readers[k] = 0;
	}
	fx_rmrf(dir);
	free(dir);
}

static void add_batch(lupe_db *db, const char *prefix, int n)
{
	char id[32], text[64];
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof id, "%s%d", prefix, i);
		snprintf(text, sizeof text, "Ein Wort für Dokument %d", i);
		ck_assert_msg(fx_add(db, id, "Titel", text) == LUPE_OK, "add %s: %s", id, lupe_errmsg(db));
	}
}

/* The shard list of the two servers, written to dir/shards.txt; its path in list. */
static void write_list(char *list, size_t size)
{
	snprintf(list, size, "%s/shards.txt", dir);
	FILE *f = fopen(list, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n%s\n", urls[0], urls[1]);
	fclose(f);
}

START_TEST(test_stopped_shard_costs_one_timeout)
{
	char list[4200];
	write_list(list, sizeof list);

	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.timeout_ms = TIMEOUT_MS;
	o.threads = (unsigned)_i; /* 0: analysis threads queue documents; 1: none */
	lupe_db *db = NULL;
	char msg[512];
	ck_assert_msg(lupe_open(&db, list, &o, msg, sizeof msg) == LUPE_OK, "open: %s", msg);
	add_batch(db, "a", 20);
	ck_assert_msg(lupe_commit(db) == LUPE_OK, "commit: %s", lupe_errmsg(db));

	/* Twenty documents, about half of them for the shard that stops. */
	add_batch(db, "b", _i == 0 ? 20 : 0);
	int st;
	ck_assert_int_eq(kill(servers[1], SIGSTOP), 0);
	ck_assert_int_eq(waitpid(servers[1], &st, WUNTRACED), servers[1]);
	ck_assert(WIFSTOPPED(st));

	double t0 = now_ms();
	int rc = LUPE_OK;
	char id[32];
	for (int i = 0; i < 20 && rc == LUPE_OK; i++) {
		snprintf(id, sizeof id, "c%d", i);
		rc = fx_add(db, id, "Titel", "Noch ein Wort");
	}
	if (rc == LUPE_OK)
		rc = lupe_commit(db);
	ck_assert_msg(rc == LUPE_ENETWORK, "status %d: %s", rc, lupe_errmsg(db));
	snprintf(msg, sizeof msg, "%s", lupe_errmsg(db));
	/* What the shard held uncommitted is lost: later writes and the commit
	 * say so at once (LUPE_ELOST, until lupe_acknowledge_loss). */
	double t1 = now_ms();
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof id, "d%d", i);
		fx_add(db, id, "Titel", "Wort");
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_ELOST);
	/* Acknowledged, the other shard takes documents again; the stopped one fails at once. */
	ck_assert_int_eq(lupe_acknowledge_loss(db), LUPE_OK);
	int ok = 0, failed = 0;
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof id, "e%d", i);
		int r = fx_add(db, id, "Titel", "Wort");
		ok += r == LUPE_OK;
		failed += r != LUPE_OK;
		if (r != LUPE_OK)
			ck_assert_int_eq(lupe_acknowledge_loss(db), LUPE_OK);
	}
	/* With analysis threads an add only queues: its failure may come later. */
	if (_i == 1)
		ck_assert_msg(ok > 0 && failed > 0, "%d added, %d failed", ok, failed);
	double after = now_ms() - t1;
	lupe_close(db);
	double took = now_ms() - t0;
	ck_assert_msg(took < TIMEOUT_MS * 1.6, "a stopped shard cost %.0f ms with timeout_ms %d", took, TIMEOUT_MS);
	ck_assert_msg(after < TIMEOUT_MS / 2, "after the failure: %.0f ms", after);
	ck_assert_msg(strstr(msg, urls[1]), "message does not name %s: %s", urls[1], msg);
}
END_TEST

/*
 * A remote writer keeps the lexicon's values it wrote (lib/shim/lexicon.cc)
 * instead of asking each back: after commits of adds, replaces and deletes
 * in one process, each shard's lexicon equals its own term listing.
 */
static int lex_list_cb(void *ctx, const char *term, size_t len, lx_term_here *at)
{
	if (len >= 2 && term[0] != 'Q')
		fx_text_put(ctx, term, len, lx_term_here_freq(at));
	return 0;
}

static int lex_cb(void *ctx, const char *term, size_t len, uint64_t freq)
{
	fx_text_put(ctx, term, len, freq);
	return 0;
}

START_TEST(test_remote_writer_lexicon)
{
	char list[4200];
	write_list(list, sizeof list);
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	lupe_db *db = NULL;
	char msg[512], id[32], text[128];
	ck_assert_msg(lupe_open(&db, list, &o, msg, sizeof msg) == LUPE_OK, "open: %s", msg);
	/* Rows: commit by commit, ids i in [from, to) get text `words` (NULL: deleted). */
	static const struct {
		int from, to;
		const char *words;
	} rounds[] = {
		{0, 30, "Gewerkschaft Gebirge Kessel"},
		/* New documents only: "gewerkschaft" keeps its frequency, its prefix's list changes. */
		{40, 45, "Gewitter Zaubertrank"},
		{10, 20, "Zaubertrank Gewitter"},
		{0, 5, NULL},
		{50, 55, "Geduld Kesselflicker"},
		{12, 14, NULL},
	};
	for (size_t r = 0; r < sizeof rounds / sizeof rounds[0]; r++) {
		for (int i = rounds[r].from; i < rounds[r].to; i++) {
			snprintf(id, sizeof id, "lex%d", i);
			if (!rounds[r].words) {
				ck_assert_int_eq(lupe_delete(db, id), LUPE_OK);
				continue;
			}
			snprintf(text, sizeof text, "%s Wort%d", rounds[r].words, i % 7);
			ck_assert_msg(fx_add(db, id, "Titel", text) == LUPE_OK, "add: %s", lupe_errmsg(db));
		}
		ck_assert_msg(lupe_commit(db) == LUPE_OK, "commit: %s", lupe_errmsg(db));
	}
	lupe_close(db);
	for (int k = 0; k < 2; k++) { /* one-shot servers: they end with the writer's connection */
		waitpid(servers[k], NULL, 0);
		servers[k] = 0;
		close(server_out[k]);
	}
	for (int k = 0; k < 2; k++) {
		char p[4200];
		snprintf(p, sizeof p, "%s/shard%d", dir, k);
		lx_db *x = NULL;
		lupe_err err;
		ck_assert_int_eq(lx_open(&x, p, 0, 0, &err), LUPE_OK);
		fx_text all = {0};
		ck_assert_int_eq(lx_allterms(x, "", 0, lex_list_cb, &all, &err), LUPE_OK);
		ck_assert_ptr_nonnull(all.p);
		/* Every two-byte prefix of the listing: its lexicon equals its listing. */
		for (const char *line = all.p; *line;) {
			char p2[2] = {line[0], line[1]};
			fx_text want = {0}, got = {0};
			fx_text_put(&want, "", 0, 0);
			fx_text_put(&got, "", 0, 0);
			ck_assert_int_eq(lx_allterms(x, p2, 2, lex_list_cb, &want, &err), LUPE_OK);
			ck_assert_msg(lx_lexicon_get(x, p2, lex_cb, &got) == 1, "shard %d: no lexicon that matches", k);
			ck_assert_msg(strcmp(want.p, got.p) == 0, "shard %d, prefix %.2s: lexicon\n%s\nlisting\n%s", k, p2,
				      got.p, want.p);
			/* The whole lexicon the remote writer composed from the values it keeps. */
			fx_text whole = {0};
			fx_text_put(&whole, "", 0, 0);
			ck_assert_msg(lx_lexicon_whole_get(x, p2, lex_cb, &whole) == 1, "shard %d: no whole lexicon", k);
			ck_assert_msg(strcmp(want.p, whole.p) == 0, "shard %d, prefix %.2s: whole lexicon\n%s\nlisting\n%s",
				      k, p2, whole.p, want.p);
			free(whole.p);
			free(want.p);
			free(got.p);
			while (*line && (line[0] == p2[0] && line[1] == p2[1]))
				line = strchr(line, '\n') + 1;
		}
		free(all.p);
		lx_close(x);
	}
}
END_TEST

/*
 * lx_hooks.at: the server stop_pid to stop (with its group: the child that
 * serves this reader's connection too) the first time a remote reader
 * reaches stop_point ("terms:list", "records:read"); how often it did.
 */
static const char *stop_point;
static pid_t stop_pid;
static int point_reached;

static void stop_server_at(const char *point)
{
	if (!stop_point || strcmp(point, stop_point) != 0)
		return;
	point_reached++;
	if (stop_pid > 0) {
		int st;
		ck_assert_int_eq(kill(-stop_pid, SIGSTOP), 0);
		ck_assert_int_eq(waitpid(stop_pid, &st, WUNTRACED), stop_pid);
		stop_pid = 0;
	}
}

/* Two local shards, r0 and r1 of dir: their list, dir/local.txt, its path in list. */
static void local_list(char *list, size_t size)
{
	snprintf(list, size, "%s/local.txt", dir);
	FILE *f = fopen(list, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "./r0\n./r1\n");
	fclose(f);
}

/* r0 and r1 served read-only (readers[]): their urls and stdout. */
static void serve_local_shards(char rurls[2][64], int rout[2])
{
	char p[4200];
	for (int k = 0; k < 2; k++) {
		snprintf(p, sizeof p, "%s/r%d", dir, k);
		readers[k] = start_server_as(p, 1, rurls[k], sizeof rurls[k], &rout[k]);
	}
}

/* The servers serve_local_shards started, ended (each with its group, stopped or not). */
static void stop_local_shards(int rout[2])
{
	for (int k = 0; k < 2; k++) {
		kill(-readers[k], SIGCONT);
		kill(-readers[k], SIGKILL);
		waitpid(readers[k], NULL, 0);
		readers[k] = 0;
		close(rout[k]);
	}
}

/* A reader of list whose remote operations wait at most TIMEOUT_MS; NULL (msg set) when it does not open. */
static lupe_db *open_reader(const char *list, char *msg, size_t size)
{
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.timeout_ms = TIMEOUT_MS;
	lupe_db *db = NULL;
	return lupe_open(&db, list, &o, msg, size) == LUPE_OK ? db : NULL;
}

/* Two shards served read-only (readers[]) and a reader of them. */
typedef struct {
	char list[4200]; /* dir/tcp.txt, listing the servers */
	char urls[2][64];
	int out[2]; /* the servers' stdout */
	lupe_db *db;
} served;

/*
 * 40 documents ("w0" ... "w39", "Ein Wort für Dokument N") written to two
 * local shards, served read-only (serve_local_shards), s->list listing
 * the servers; s->db NULL.
 */
static void serve(served *s)
{
	s->db = NULL;
	local_list(s->list, sizeof s->list);
	lupe_db *db = fx_open_write(s->list);
	ck_assert_ptr_nonnull(db);
	add_batch(db, "w", 40);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
	serve_local_shards(s->urls, s->out);
	snprintf(s->list, sizeof s->list, "%s/tcp.txt", dir);
	FILE *f = fopen(s->list, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n%s\n", s->urls[0], s->urls[1]);
	fclose(f);
}

/* As serve, and s->db a reader of the servers (open_reader).  When it does not open, the servers end first. */
static void serve_and_open(served *s)
{
	serve(s);
	char msg[512];
	if (!(s->db = open_reader(s->list, msg, sizeof msg))) {
		stop_local_shards(s->out);
		ck_abort_msg("open: %s", msg);
	}
}

/* Server pid to be stopped the first time a remote reader reaches point (stop_server_at). */
static void stop_at(const char *point, pid_t pid)
{
	stop_point = point;
	stop_pid = pid;
	point_reached = 0;
	lx_hooks.at = stop_server_at;
}

START_TEST(test_reader_shard_stops_at_term_list)
{
	served sv;
	serve_and_open(&sv);
	lupe_db *db = sv.db;
	pid_t *rs = readers;
	/* "Dokumnet" (no index term) and its variants need the list of "do": the
	 * first list this reader needs, which brings every shard's whole lexicon
	 * (no search before it, as one would fetch it). */
	lupe_results *res = NULL;
	stop_at("terms:list", rs[1]);
	double t0 = now_ms();
	res = NULL;
	int rc = lupe_search(db, &res, "Dokumnet", 8, NULL);
	double took = now_ms() - t0;
	char got[512];
	snprintf(got, sizeof got, "%s", rc == LUPE_OK ? "" : lupe_errmsg(db));
	lupe_results_free(res);
	/* With partial: the other shard answers, at once. */
	lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
	so.flags = LUPE_SEARCH_PARTIAL;
	res = NULL;
	t0 = now_ms();
	int prc = lupe_search(db, &res, "Dokumnet", 8, &so);
	double ptook = now_ms() - t0;
	int partial = prc == LUPE_OK && lupe_results_partial(res), hits = prc == LUPE_OK ? (int)lupe_results_count(res) : 0;
	lupe_results_free(res);
	lx_hooks.at = NULL;
	lupe_close(db);
	/* The servers end before any check can fail: a stopped one would outlive the test. */
	stop_local_shards(sv.out);
	ck_assert_msg(point_reached > 0, "no term list fetched: the test no longer reaches its point");
	ck_assert_msg(rc == LUPE_ENETWORK, "status %d after %.0f ms: %s", rc, took, got);
	ck_assert_msg(strstr(got, sv.urls[1]), "message does not name %s: %s", sv.urls[1], got);
	ck_assert_msg(took < TIMEOUT_MS * 1.6, "a stopped shard cost %.0f ms with timeout_ms %d", took, TIMEOUT_MS);
	ck_assert_msg(prc == LUPE_OK && partial && hits > 0, "partial: status %d, partial %d, %d hits", prc, partial,
		      hits);
	ck_assert_msg(ptook < TIMEOUT_MS / 2, "partial search took %.0f ms", ptook);
}
END_TEST

/*
 * A shard that stops after the match, while the hits' records are read
 * from the shards: the search ends with LUPE_ENETWORK naming it within
 * timeout_ms (not a hang, not hits without their records); with
 * LUPE_SEARCH_PARTIAL, a new reader whose shard stops at the same point
 * gets the other shard's hits, each with its own record.
 */
START_TEST(test_reader_shard_stops_at_records)
{
	served sv;
	serve_and_open(&sv);
	lupe_db *db = sv.db;
	pid_t *rs = readers;
	char msg[512] = "";
	/* "Dokument": every document of both shards; no record kept yet. */
	stop_at("records:read", rs[1]);
	lupe_results *res = NULL;
	double t0 = now_ms();
	int rc = lupe_search(db, &res, "Dokument", 8, NULL);
	double took = now_ms() - t0;
	int reached = point_reached;
	char got[512];
	snprintf(got, sizeof got, "%s", rc == LUPE_OK ? "" : lupe_errmsg(db));
	lupe_results_free(res);
	lupe_close(db);
	/* Again from a new reader, with partial results, both servers going. */
	kill(-rs[1], SIGCONT);
	db = open_reader(sv.list, msg, sizeof msg);
	int opened = db != NULL, prc = -1, partial = 0, hits = 0, own = 1, preached = 0;
	double ptook = 0;
	if (opened) {
		stop_at("records:read", rs[1]);
		lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
		so.flags = LUPE_SEARCH_PARTIAL;
		res = NULL;
		t0 = now_ms();
		prc = lupe_search(db, &res, "Dokument", 8, &so);
		ptook = now_ms() - t0;
		preached = point_reached;
		if (prc == LUPE_OK) {
			partial = lupe_results_partial(res);
			hits = (int)lupe_results_count(res);
			/* Each hit's snippet is its own document's text ("Ein Wort für Dokument 7" for w7), to its last
			 * digit. */
			for (int i = 0; i < hits; i++) {
				const lupe_hit *h = lupe_results_hit(res, (size_t)i);
				char want[64];
				snprintf(want, sizeof want, "Dokument %s", h->id + 1);
				const char *at = strstr(h->snippet, want);
				if (!at || (at[strlen(want)] >= '0' && at[strlen(want)] <= '9'))
					own = 0;
			}
		}
		lupe_results_free(res);
		lupe_close(db);
	}
	lx_hooks.at = NULL;
	/* The servers end before any check can fail: a stopped one would outlive the test. */
	stop_local_shards(sv.out);
	ck_assert_msg(reached > 0, "no records read from the shards: the test no longer reaches its point");
	ck_assert_msg(rc == LUPE_ENETWORK, "status %d after %.0f ms: %s", rc, took, got);
	ck_assert_msg(strstr(got, sv.urls[1]), "message does not name %s: %s", sv.urls[1], got);
	ck_assert_msg(took < TIMEOUT_MS * 1.6, "a stopped shard cost %.0f ms with timeout_ms %d", took, TIMEOUT_MS);
	ck_assert_msg(opened, "open again: %s", msg);
	ck_assert_msg(preached > 0, "partial: no records read from the shards");
	ck_assert_msg(prc == LUPE_OK && partial && hits > 0 && own,
		      "partial: status %d, partial %d, %d hits, each its own record %d", prc, partial, hits, own);
	ck_assert_msg(ptook < TIMEOUT_MS * 1.6, "partial search took %.0f ms", ptook);
}
END_TEST

/*
 * A shard that stops while lupe_open reads every shard's lupe metadata: a
 * reader opens within timeout_ms without it, as without a shard that does
 * not answer the connect; its searches then fail at once naming it (not a
 * second timeout), or get the other shard's hits with LUPE_SEARCH_PARTIAL.
 */
START_TEST(test_open_shard_stops_at_metadata)
{
	served sv;
	serve(&sv);
	pid_t *rs = readers;
	char msg[512] = "";
	stop_at("shards:metadata", rs[1]);
	double t0 = now_ms();
	lupe_db *db = open_reader(sv.list, msg, sizeof msg);
	double took = now_ms() - t0;
	int reached = point_reached, rc = -1, prc = -1, partial = 0, hits = 0;
	double stook = 0;
	char got[512] = "";
	if (db) {
		lupe_results *res = NULL;
		t0 = now_ms();
		rc = lupe_search(db, &res, "Dokument", 8, NULL);
		stook = now_ms() - t0;
		snprintf(got, sizeof got, "%s", rc == LUPE_OK ? "" : lupe_errmsg(db));
		lupe_results_free(res);
		lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
		so.flags = LUPE_SEARCH_PARTIAL;
		res = NULL;
		prc = lupe_search(db, &res, "Dokument", 8, &so);
		partial = prc == LUPE_OK && lupe_results_partial(res);
		hits = prc == LUPE_OK ? (int)lupe_results_count(res) : 0;
		lupe_results_free(res);
		lupe_close(db);
	}
	lx_hooks.at = NULL;
	/* The servers end before any check can fail: a stopped one would outlive the test. */
	stop_local_shards(sv.out);
	ck_assert_msg(reached > 0, "open read no metadata from the shards: the test no longer reaches its point");
	ck_assert_msg(db != NULL, "open after %.0f ms: %s", took, msg);
	ck_assert_msg(took < TIMEOUT_MS * 1.6, "open with a stopped shard took %.0f ms with timeout_ms %d", took,
		      TIMEOUT_MS);
	ck_assert_msg(rc == LUPE_ENETWORK && strstr(got, sv.urls[1]), "search: status %d: %s (want %s named)", rc, got,
		      sv.urls[1]);
	ck_assert_msg(stook < TIMEOUT_MS / 2, "search took %.0f ms: the shard found down at open was waited for again",
		      stook);
	ck_assert_msg(prc == LUPE_OK && partial && hits > 0, "partial: status %d, partial %d, %d hits", prc, partial,
		      hits);
}
END_TEST

/*
 * The reads that are not searches, each wrong without a shard: a count, a
 * document's mtime, the list of ids.  With both shards up each answers for
 * both; with one stopped (SIGSTOP) each fails with LUPE_ENETWORK naming it
 * within timeout_ms, not a count or a list of the other shard alone, and
 * the next call fails at once (the shard is down until its back-off ends).
 */
enum { READ_COUNT, READ_MTIME, READ_IDS };

static const struct {
	int read;
	const char *name, *up; /* what it reads with both shards up */
} whole_reads[] = {
    {READ_COUNT, "lupe_doc_count", "40"},
    {READ_MTIME, "lupe_get_mtime w7", "0"},
    {READ_IDS, "lupe_list_ids w1", "w1 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19"},
};

/* Row r's read through db, as a string; its status. */
static int whole_read(lupe_db *db, int r, char *out, size_t cap)
{
	uint64_t n = 0;
	int64_t mt = 0;
	lupe_strings *ids = NULL;
	int rc;
	out[0] = '\0';
	if (whole_reads[r].read == READ_COUNT) {
		if ((rc = lupe_doc_count(db, &n)) == LUPE_OK)
			snprintf(out, cap, "%llu", (unsigned long long)n);
	} else if (whole_reads[r].read == READ_MTIME) {
		if ((rc = lupe_get_mtime(db, "w7", &mt)) == LUPE_OK)
			snprintf(out, cap, "%lld", (long long)mt);
	} else {
		if ((rc = lupe_list_ids(db, &ids, "w1")) == LUPE_OK)
			for (size_t i = 0; i < lupe_strings_count(ids); i++)
				snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "",
					 lupe_strings_get(ids, i));
		lupe_strings_free(ids);
	}
	if (rc != LUPE_OK)
		snprintf(out, cap, "%s", lupe_errmsg(db));
	return rc;
}

START_TEST(test_reader_reads_whole_or_fail)
{
	served sv;
	serve_and_open(&sv);
	lupe_db *db = sv.db;
	char up[512], got[512], again[512];
	int urc = whole_read(db, _i, up, sizeof up);
	ck_assert_int_eq(kill(-readers[1], SIGSTOP), 0);
	double t0 = now_ms();
	int rc = whole_read(db, _i, got, sizeof got);
	double took = now_ms() - t0;
	t0 = now_ms();
	int arc = whole_read(db, _i, again, sizeof again);
	double atook = now_ms() - t0;
	lupe_close(db);
	stop_local_shards(sv.out);
	ck_assert_msg(urc == LUPE_OK && strcmp(up, whole_reads[_i].up) == 0, "%s, both shards up: status %d: %s",
		      whole_reads[_i].name, urc, up);
	ck_assert_msg(rc == LUPE_ENETWORK && strstr(got, sv.urls[1]), "%s, %s stopped: status %d: %s",
		      whole_reads[_i].name, sv.urls[1], rc, got);
	ck_assert_msg(took < TIMEOUT_MS * 1.6, "%s: a stopped shard cost %.0f ms with timeout_ms %d",
		      whole_reads[_i].name, took, TIMEOUT_MS);
	ck_assert_msg(arc == LUPE_ENETWORK && strstr(again, sv.urls[1]), "%s again: status %d: %s",
		      whole_reads[_i].name, arc, again);
	ck_assert_msg(atook < TIMEOUT_MS / 2, "%s again took %.0f ms: the shard down was waited for again",
		      whole_reads[_i].name, atook);
}
END_TEST

/*
 * A shard's server restarted on its port (killed with the children that
 * serve the reader's connections, then started again), its shard grown
 * meanwhile by a writer: the reader's next search finds the new server at
 * once, as a process that just opened would (every hit, not partial, no
 * timeout waited), and sees the documents added while it was down.
 */
START_TEST(test_reader_shard_restarted)
{
	served sv;
	serve_and_open(&sv);
	lupe_db *db = sv.db;
	lupe_results *res = NULL;
	int rc0 = lupe_search(db, &res, "Dokument", 8, NULL);
	uint64_t before = rc0 == LUPE_OK ? lupe_results_total(res, NULL) : 0;
	lupe_results_free(res);
	/* Server 1 ends; a writer adds to both local shards; server 1 starts again on its port. */
	kill(-readers[1], SIGKILL);
	waitpid(readers[1], NULL, 0);
	close(sv.out[1]);
	char local[4200];
	local_list(local, sizeof local);
	lupe_db *w = fx_open_write(local);
	ck_assert_ptr_nonnull(w);
	char id[16];
	for (int i = 0; i < 10; i++) {
		snprintf(id, sizeof id, "x%d", i);
		ck_assert_int_eq(fx_add(w, id, "Titel", "Ein Zusatzwort kam hinzu"), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(w), LUPE_OK);
	lupe_close(w);
	unsigned port = (unsigned)atoi(strrchr(sv.urls[1], ':') + 1);
	char p[4200], url[64];
	snprintf(p, sizeof p, "%s/r1", dir);
	readers[1] = start_server_on(p, 1, port, url, sizeof url, &sv.out[1]);

	res = NULL;
	double t0 = now_ms();
	int rc = lupe_search(db, &res, "Dokument", 8, NULL);
	double took = now_ms() - t0;
	char got[512];
	snprintf(got, sizeof got, "%s", rc == LUPE_OK ? "" : lupe_errmsg(db));
	uint64_t after = rc == LUPE_OK ? lupe_results_total(res, NULL) : 0;
	int partial = rc == LUPE_OK && lupe_results_partial(res);
	lupe_results_free(res);
	res = NULL;
	int nrc = lupe_search(db, &res, "Zusatzwort", strlen("Zusatzwort"), NULL);
	uint64_t added = nrc == LUPE_OK ? lupe_results_total(res, NULL) : 0;
	lupe_results_free(res);
	lupe_close(db);
	stop_local_shards(sv.out);
	ck_assert_msg(rc0 == LUPE_OK && before == 40, "before: status %d, %llu hits", rc0, (unsigned long long)before);
	ck_assert_msg(rc == LUPE_OK && after == 40 && !partial,
		      "after the restart: status %d (%s), %llu hits, partial %d", rc, got, (unsigned long long)after,
		      partial);
	ck_assert_msg(took < TIMEOUT_MS / 2, "after the restart the search took %.0f ms", took);
	ck_assert_msg(nrc == LUPE_OK && added == 10, "documents added while down: status %d, %llu of 10", nrc,
		      (unsigned long long)added);
}
END_TEST

/* lx_hooks.at: the term lists a remote reader fetches (its shards' whole lexicons among them). */
static int fetches;

static void count_fetch(const char *point)
{
	if (strcmp(point, "terms:list") == 0)
		fetches++;
}

/* lx_hooks.at: the shards' whole lexicons' sizes a remote reader asks ("terms:sizes"). */
static int sizes_asked;

static void count_sizes(const char *point)
{
	if (strcmp(point, "terms:sizes") == 0)
		sizes_asked++;
}

/*
 * A remote reader lists a prefix, one list a shard merged, with a term's
 * frequency the sum of its shards', as a reader of the shards on disk
 * lists it (Xapian sums them), and keeps the list; whichever way each
 * shard's list came.  Terms under "do" in both shards, and two in one
 * document each (in one shard).
 */
static const struct {
	const char *how;
	int whole;     /* take the shards' whole lexicons first (two batches of variants) */
	int local1;    /* shard 1 read from its folder (a mixed list): its terms are listed */
	int fetches;   /* lists fetched for "do" ("terms:list") */
} ways[] = {
	{"from the whole lexicons", 1, 0, 0},
	{"from each shard's lexicon value", 0, 0, 1},
	{"listed where a shard is read from its folder", 0, 1, 1},
};

/* 60 documents of words under "do" ("dokument" in 20 of them). */
static void add_do_words(lupe_db *db)
{
	char id[32], text[96];
	static const char *const words[] = {"Dokument", "Donau", "Dose", "Dorf", "Dollar", "Domino"};
	for (int i = 0; i < 60; i++) {
		snprintf(id, sizeof id, "d%d", i);
		snprintf(text, sizeof text, "%s %s Wort", words[i % 6], words[(i * 7) % 5]);
		ck_assert_msg(fx_add(db, id, "Titel", text) == LUPE_OK, "add %s: %s", id, lupe_errmsg(db));
	}
}

/* A writer of shards r0 and r1 (local_list) holding add_do_words' documents, not committed. */
static lupe_db *do_writer(void)
{
	char list[4200];
	local_list(list, sizeof list);
	lupe_db *db = fx_open_write(list);
	ck_assert_ptr_nonnull(db);
	add_do_words(db);
	return db;
}

START_TEST(test_remote_lists_sum)
{
	lupe_db *db = do_writer();
	ck_assert_int_eq(fx_add(db, "once1", "Titel", "Dotter"), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "once2", "Titel", "Dompteur"), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);

	/* What the shards on disk list. */
	const char *specs[2];
	char local[2][4200];
	for (int k = 0; k < 2; k++) {
		snprintf(local[k], sizeof local[k], "%s/r%d", dir, k);
		specs[k] = local[k];
	}
	lx_db *x = NULL;
	lupe_err err;
	ck_assert_int_eq(lx_open_shards(&x, specs, 2, 0, 0, 0, &err), LUPE_OK);
	fx_text want = {0}, got = {0};
	fx_text_put(&want, "", 0, 0);
	fx_text_put(&got, "", 0, 0);
	ck_assert_int_eq(lx_allterms(x, "do", 2, lex_list_cb, &want, &err), LUPE_OK);
	lx_close(x);

	int rout[2];
	char rurls[2][64];
	serve_local_shards(rurls, rout);
	specs[0] = rurls[0];
	specs[1] = ways[_i].local1 ? local[1] : rurls[1];
	ck_assert_int_eq(lx_open_shards(&x, specs, 2, 0, 0, TIMEOUT_MS, &err), LUPE_OK);
	/* Two batches of variants, each word under a prefix of its own: the
	 * second takes the shards' whole lexicons (kLexWholeAfter). */
	char vars[40][8];
	const char *vp[40];
	size_t vl[40];
	uint64_t freqs[40];
	for (int round = 0; round < 2 && ways[_i].whole; round++) {
		for (int i = 0; i < 40; i++) {
			snprintf(vars[i], sizeof vars[i], "%c%cq%d", 'a' + i % 20, 'a' + round * 5 + i / 20, i);
			vp[i] = vars[i];
			vl[i] = strlen(vars[i]);
		}
		lx_termfreqs(x, vp, vl, 40, freqs);
	}
	fetches = 0;
	lx_hooks.at = count_fetch;
	int rc = lx_allterms(x, "do", 2, lex_list_cb, &got, &err);
	lx_hooks.at = NULL;
	/* The list is kept: a word's beginning is answered without an exchange. */
	int dok = lx_terms_start_known(x, "dok", 3), dox = lx_terms_start_known(x, "dox", 3);
	lx_close(x);
	stop_local_shards(rout);
	ck_assert_int_eq(rc, LUPE_OK);
	ck_assert_msg(strstr(want.p, "dokument:20\n") && strstr(want.p, "dott:1\n"), "the shards list: %s", want.p);
	ck_assert_msg(fetches == ways[_i].fetches, "%s: the list of \"do\" fetched %d times", ways[_i].how, fetches);
	ck_assert_msg(strcmp(want.p, got.p) == 0, "%s\n%s\nthe shards list\n%s", ways[_i].how, got.p, want.p);
	ck_assert_msg(dok == 1 && dox == 0, "%s: the reader does not keep the list of \"do\": dok %d, dox %d",
		      ways[_i].how, dok, dox);
	free(want.p);
	free(got.p);
}
END_TEST

/*
 * When a remote reader takes its shards' whole lexicons: at the first
 * batch of words' variants when the sizes their writers noted are small
 * (whole_small, xapian_shim.cc; the test's shards hold a few KB), else at
 * the second.  Row: what each shard's size key says (written with
 * xapian-metadata over what lupe's writer noted), whether the first batch
 * takes the whole lexicons.  Either way the batch's frequencies are the
 * shards' sums.
 */
static const struct {
	const char *how;
	int size; /* 0 as lupe wrote it, 1 a size over the bound, 2 another index's stamp, 3 none, 4 2^63 each */
	int first;
} smalls[] = {
	{"noted small, as written", 0, 1},
	{"noted over the bound", 1, 0},
	{"noted for another index", 2, 0},
	{"not noted (an older writer)", 3, 0},
	{"noted sizes that add up past 64 bits", 4, 0},
};

/* Shards r0 and r1 written with add_do_words, committed. */
static void write_do_shards(void)
{
	lupe_db *db = do_writer();
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);
}

/* 40 terms for one lx_termfreqs batch: "dokument" (in 20 documents), then
 * 39 in no document, all under "do" (under_do) or each under a prefix of its own. */
static void make_variants(char vars[40][12], const char *vp[40], size_t vl[40], int under_do)
{
	for (int i = 0; i < 40; i++) {
		if (i == 0)
			snprintf(vars[i], 12, "dokument");
		else if (under_do)
			snprintf(vars[i], 12, "doq%d", i);
		else
			snprintf(vars[i], 12, "%c%cq%d", 'a' + i % 20, 'a' + i / 20, i);
		vp[i] = vars[i];
		vl[i] = strlen(vars[i]);
	}
}

/* xapian-metadata set on shard folder path: key LUPE_META_LEXICON_WHOLE_SIZE to value. */
static void set_whole_size(const char *path, const char *value)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execlp("xapian-metadata", "xapian-metadata", "set", path, LUPE_META_LEXICON_WHOLE_SIZE, value,
		       (char *)NULL);
		_exit(127);
	}
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "xapian-metadata set %s: status %d", path, st);
}

/* r0 and r1 served (serve_local_shards: their servers' stdout in rout) and a remote reader of both. */
static lx_db *open_served(int rout[2])
{
	char rurls[2][64];
	const char *specs[2];
	serve_local_shards(rurls, rout);
	specs[0] = rurls[0];
	specs[1] = rurls[1];
	lx_db *x = NULL;
	lupe_err err;
	ck_assert_int_eq(lx_open_shards(&x, specs, 2, 0, 0, TIMEOUT_MS, &err), LUPE_OK);
	return x;
}

START_TEST(test_remote_whole_first)
{
	char path[4200];
	write_do_shards();
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/r%d", dir, k);
		/* What lupe's writer noted: "BYTES STAMP". */
		lupe_db *r = NULL;
		lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
		char msg[256];
		ck_assert_msg(lupe_open(&r, path, &o, msg, sizeof msg) == LUPE_OK, "%s", msg);
		lupe_buf v = {0};
		lupe_err err;
		ck_assert_int_eq(lx_get_metadata(r->x, LUPE_META_LEXICON_WHOLE_SIZE, &v, &err), LUPE_OK);
		lupe_close(r);
		const char *sp = v.len ? memchr(v.p, ' ', v.len) : NULL;
		ck_assert_msg(sp && sp > v.p, "shard %d: no whole lexicon size noted", k);
		ck_assert_msg(strtoull(v.p, NULL, 10) < 64 * 1024, "shard %d: a whole lexicon of %s", k, v.p);
		char forged[512];
		if (smalls[_i].size == 1 || smalls[_i].size == 4) {
			snprintf(forged, sizeof forged, "%s%.*s", smalls[_i].size == 1 ? "99999999" : "9223372036854775808",
				 (int)(v.len - (size_t)(sp - v.p)), sp);
			set_whole_size(path, forged);
		} else if (smalls[_i].size == 2) {
			snprintf(forged, sizeof forged, "%.*s 1 1 1 1 1 1", (int)(sp - v.p), v.p);
			set_whole_size(path, forged);
		} else if (smalls[_i].size == 3) {
			set_whole_size(path, "");
		}
		lupe_buf_free(&v);
	}
	int rout[2];
	lx_db *x = open_served(rout);
	/* One batch of variants, each under a prefix of its own, and a word the shards hold. */
	char vars[40][12];
	const char *vp[40];
	size_t vl[40];
	uint64_t freqs[40];
	make_variants(vars, vp, vl, 0);
	fetches = 0;
	lx_hooks.at = count_fetch;
	lx_termfreqs(x, vp, vl, 40, freqs);
	lx_hooks.at = NULL;
	lx_close(x);
	stop_local_shards(rout);
	ck_assert_msg(fetches == smalls[_i].first, "%s: %d fetches at the first batch, want %d", smalls[_i].how, fetches,
		      smalls[_i].first);
	ck_assert_msg(freqs[0] == 20, "%s: \"dokument\" in %llu documents", smalls[_i].how, (unsigned long long)freqs[0]);
	for (int i = 1; i < 40; i++)
		ck_assert_msg(freqs[i] == 0, "%s: \"%s\" in %llu documents", smalls[_i].how, vars[i],
			      (unsigned long long)freqs[i]);
}
END_TEST

/*
 * A batch of variants whose prefixes' lists the reader keeps asks the
 * shards nothing: not the whole lexicons' sizes either (they are asked
 * only when a list is missing).  Then a batch under prefixes not kept
 * asks the sizes once and takes the whole lexicons.
 */
START_TEST(test_remote_whole_sizes_when_missing)
{
	write_do_shards();
	const char *specs[2];
	int rout[2];
	char rurls[2][64];
	serve_local_shards(rurls, rout);
	specs[0] = rurls[0];
	specs[1] = rurls[1];
	/* Each way on a reader of its own: the first batch of its generation. */
	int asked[2] = {-1, -1}, rc = LUPE_OK;
	uint64_t dokument[2] = {0, 0};
	for (int way = 0; way < 2 && rc == LUPE_OK; way++) {
		lx_db *x = NULL;
		lupe_err err;
		ck_assert_int_eq(lx_open_shards(&x, specs, 2, 0, 0, TIMEOUT_MS, &err), LUPE_OK);
		char vars[40][12];
		const char *vp[40];
		size_t vl[40];
		uint64_t freqs[40];
		fx_text got = {0};
		fx_text_put(&got, "", 0, 0);
		if (way == 0) /* the list of "do" kept, the variants all under it */
			rc = lx_allterms(x, "do", 2, lex_list_cb, &got, &err);
		make_variants(vars, vp, vl, way == 0);
		sizes_asked = 0;
		lx_hooks.at = count_sizes;
		lx_termfreqs(x, vp, vl, 40, freqs);
		lx_hooks.at = NULL;
		asked[way] = sizes_asked;
		dokument[way] = freqs[0];
		free(got.p);
		lx_close(x);
	}
	stop_local_shards(rout);
	ck_assert_int_eq(rc, LUPE_OK);
	ck_assert_msg(asked[0] == 0, "a batch under a kept list asked the sizes %d times", asked[0]);
	ck_assert_msg(asked[1] == 1, "a batch under lists not kept asked the sizes %d times", asked[1]);
	ck_assert_msg(dokument[0] == 20 && dokument[1] == 20, "\"dokument\" in %llu and %llu documents",
		      (unsigned long long)dokument[0], (unsigned long long)dokument[1]);
}
END_TEST

/*
 * Whether a hit holds one of some terms (lx_mset_hit_has_any_term, which
 * decides whether a snippet searches a long body through): a remote
 * reader asks the hit's own shard, whatever the terms' frequencies, and
 * answers as a reader of the shards on disk does.  Row: the hit's id, its
 * words (a title word's term with LUPE_PFX_TITLE when title is set, the
 * id term of the document named when id_of is), the answer.
 */
static const struct {
	const char *hit;
	const char *words[3];
	int title;
	const char *id_of;
	int holds;
} has_rows[] = {
	{"held", {"Zwiebelturm"}, 0, NULL, 1},
	{"held", {"Rübenfeld"}, 0, NULL, 0},              /* another document's word */
	{"other", {"Zwiebelturm"}, 0, NULL, 0},           /* the first row's word, not this hit's */
	{"held", {"Rübenfeld", "Zwiebelturm"}, 0, NULL, 1},
	{"held", {"Wort"}, 0, NULL, 1},                   /* in every document: a long posting list */
	{"other", {"Kartoffelacker"}, 0, NULL, 0},        /* in every document but "held" and "other" */
	{"held", {"Leuchtturm"}, 1, NULL, 1},             /* its title word */
	{"held", {"Zwiebelturm"}, 1, NULL, 0},            /* a body word asked as a title word */
	{"held", {NULL}, 0, "held", 1},                   /* its id term (no positions) */
	{"held", {NULL}, 0, "other", 0},
	{"held", {"Xylophonquatsch"}, 0, NULL, 0},        /* no document's */
};

/* The term of word (its first token's), with LUPE_PFX_TITLE when title is set, into out. */
static void word_term(lupe_analyzer *an, const char *word, int title, char *out, size_t size)
{
	lupe_tokens *toks = NULL;
	ck_assert_int_eq(lupe_analyze(an, &toks, word, strlen(word)), LUPE_OK);
	ck_assert_uint_gt(lupe_tokens_count(toks), 0);
	snprintf(out, size, "%s%s", title ? LUPE_PFX_TITLE : "", lupe_tokens_get(toks, 0)->term);
	lupe_tokens_free(toks);
}

/* The rank of the hit whose id is id in m (every document), or -1. */
static long hit_of(lx_mset *m, const char *id)
{
	lupe_buf scratch = {0};
	long at = -1;
	for (size_t i = 0; i < lx_mset_size(m) && at < 0; i++) {
		size_t n;
		const char *d = lx_mset_data(m, i, &n);
		lupe_record r;
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(lupe_record_parse(d, n, &scratch, &r), 0);
		if (r.id_len == strlen(id) && memcmp(r.id, id, r.id_len) == 0)
			at = (long)i;
	}
	lupe_buf_free(&scratch);
	return at;
}

START_TEST(test_remote_hit_has_term)
{
	char list[4200], id[32];
	local_list(list, sizeof list);
	lupe_db *db = fx_open_write(list);
	ck_assert_ptr_nonnull(db);
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof id, "w%d", i);
		ck_assert_int_eq(fx_add(db, id, "Titel", "Ein Wort vom Kartoffelacker."), LUPE_OK);
	}
	ck_assert_int_eq(fx_add(db, "held", "Leuchtturm", "Ein Wort zum Zwiebelturm."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "other", "Titel", "Ein Wort vom Rübenfeld."), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_close(db);

	lupe_analyzer *an = NULL;
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	int rout[2];
	char rurls[2][64], local[2][4200];
	serve_local_shards(rurls, rout);
	const char *specs[2][2] = {{local[0], local[1]}, {rurls[0], rurls[1]}};
	for (int k = 0; k < 2; k++)
		snprintf(local[k], sizeof local[k], "%s/r%d", dir, k);
	int got[2][sizeof has_rows / sizeof has_rows[0]];
	for (int remote = 0; remote < 2; remote++) {
		lx_db *x = NULL;
		lupe_err err;
		ck_assert_int_eq(lx_open_shards(&x, specs[remote], 2, 0, 0, TIMEOUT_MS, &err), LUPE_OK);
		lx_query *q = lx_q_matchall();
		lx_params p = {0};
		p.k1 = 1.2;
		p.b = 0.75;
		lx_mset *m = NULL;
		ck_assert_int_eq(lx_search(x, q, 0, 100, &p, &m, &err), LUPE_OK);
		ck_assert_uint_eq(lx_mset_size(m), 42);
		for (size_t r = 0; r < sizeof has_rows / sizeof has_rows[0]; r++) {
			char terms[3][128], idt[64];
			const char *tp[3];
			size_t tl[3], n = 0;
			for (; n < 3 && has_rows[r].words[n]; n++) {
				word_term(an, has_rows[r].words[n], has_rows[r].title, terms[n], sizeof terms[n]);
				tp[n] = terms[n];
				tl[n] = strlen(terms[n]);
			}
			if (has_rows[r].id_of) {
				snprintf(terms[n], sizeof terms[n], "%s%s", LUPE_PFX_ID, has_rows[r].id_of);
				tp[n] = terms[n];
				tl[n] = strlen(terms[n]);
				n++;
			}
			long i = hit_of(m, has_rows[r].hit);
			ck_assert_int_ge(i, 0);
			snprintf(idt, sizeof idt, "%s%s", LUPE_PFX_ID, has_rows[r].hit);
			got[remote][r] = lx_mset_hit_has_any_term(x, m, (size_t)i, idt, strlen(idt), tp, tl, n);
		}
		lx_mset_free(m);
		lx_q_free(q);
		lx_close(x);
	}
	stop_local_shards(rout);
	lupe_analyzer_free(an);
	for (size_t r = 0; r < sizeof has_rows / sizeof has_rows[0]; r++) {
		ck_assert_msg(got[0][r] == has_rows[r].holds, "row %zu (%s, %s): %d on disk", r, has_rows[r].hit,
			      has_rows[r].words[0] ? has_rows[r].words[0] : has_rows[r].id_of, got[0][r]);
		ck_assert_msg(got[1][r] == has_rows[r].holds, "row %zu (%s, %s): %d served", r, has_rows[r].hit,
			      has_rows[r].words[0] ? has_rows[r].words[0] : has_rows[r].id_of, got[1][r]);
	}
}
END_TEST

/* lx_hooks.at: a remote reader's look-ups in its whole lexicons' zstd bases (from several threads). */
static int bases_unpacked, bases_kept;

static void count_bases(const char *point)
{
	if (strcmp(point, "terms:base-unpack") == 0)
		__atomic_add_fetch(&bases_unpacked, 1, __ATOMIC_RELAXED);
	else if (strcmp(point, "terms:base-kept") == 0)
		__atomic_add_fetch(&bases_kept, 1, __ATOMIC_RELAXED);
}

/*
 * A remote reader unpacks a prefix's base in its shards' whole lexicons
 * once and keeps it for the lexicons' generation (lx_lex_whole::unpacked):
 * a second batch under the prefix reads the kept copy, and the
 * frequencies are the shards' sums either way.  After a commit the
 * reader's next generation takes the new whole lexicons and unpacks their
 * bases anew: what it answers counts the new document (a copy kept past
 * its generation would answer the old frequency).
 */
/* Row: the bound on kept bases (lx_hooks.whole_unpacked_max; 0: lupe's own), whether they fit in it. */
static const struct {
	const char *how;
	size_t max;
	int kept;
} base_bounds[] = {
	{"within lupe's bound", 0, 1},
	{"over a bound of 2 bytes", 2, 0},
};

START_TEST(test_remote_whole_bases_kept)
{
	lupe_db *db = do_writer();
	int keeps = base_bounds[_i].kept;
	/* Enough words under "do" and "wo" that each shard's bases of both are packed with zstd (lexicon.cc, kZstdMin). */
	char id[32], text[64];
	for (int i = 0; i < 160; i++) {
		snprintf(id, sizeof id, "w%d", i);
		snprintf(text, sizeof text, "%s%c%cwort%d", i % 2 ? "Wo" : "Do", 'a' + i % 26, 'a' + i / 52, i);
		ck_assert_int_eq(fx_add(db, id, "Titel", text), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	int rout[2];
	lx_hooks.whole_unpacked_max = base_bounds[_i].max;
	lx_db *x = open_served(rout);
	lupe_err err;
	char vars[40][12];
	const char *vp[40];
	size_t vl[40];
	uint64_t freqs[3][40];
	int unpacked[3], kept[3];
	/* "dokument" alone under "do", "wort" (in 60 documents) under "wo": looked up in place, not listed. */
	make_variants(vars, vp, vl, 0);
	snprintf(vars[1], sizeof vars[1], "wort");
	vl[1] = strlen(vars[1]);
	for (int batch = 0; batch < 3; batch++) {
		if (batch == 2) { /* one more "Dokument", committed; the reader reopens */
			ck_assert_int_eq(fx_add(db, "late", "Titel", "Dokument"), LUPE_OK);
			ck_assert_int_eq(lupe_commit(db), LUPE_OK);
			ck_assert_int_eq(lx_reopen(x, &err), LUPE_OK);
		}
		bases_unpacked = bases_kept = 0;
		lx_hooks.at = count_bases;
		lx_termfreqs(x, vp, vl, 40, freqs[batch]);
		lx_hooks.at = NULL;
		unpacked[batch] = bases_unpacked;
		kept[batch] = bases_kept;
	}
	lx_close(x);
	lx_hooks.whole_unpacked_max = 0;
	lupe_close(db);
	stop_local_shards(rout);
	const char *how = base_bounds[_i].how;
	/* Batch 0 looks the words up in place (each shard's two bases
	 * unpacked), batch 1 decodes and keeps the lists of "do" and "wo"
	 * from the kept copies -- or, over the bound, unpacks them again. */
	ck_assert_msg(unpacked[0] == 4 && kept[0] == 0, "%s: batch 0: %d bases unpacked, %d kept ones read", how,
		      unpacked[0], kept[0]);
	ck_assert_msg(unpacked[1] == (keeps ? 0 : 4) && kept[1] == (keeps ? 4 : 0),
		      "%s: batch 1: %d bases unpacked, %d kept ones read", how, unpacked[1], kept[1]);
	ck_assert_msg(unpacked[2] == 4 && kept[2] == 0, "%s: after the commit: %d bases unpacked, %d kept ones read", how,
		      unpacked[2], kept[2]);
	for (int b = 0; b < 3; b++) {
		ck_assert_msg(freqs[b][0] == (b < 2 ? 20u : 21u), "%s: batch %d: \"dokument\" in %llu documents, want %d",
			      how, b, (unsigned long long)freqs[b][0], b < 2 ? 20 : 21);
		ck_assert_msg(freqs[b][1] == 60, "%s: batch %d: \"wort\" in %llu documents, want 60", how, b,
			      (unsigned long long)freqs[b][1]);
	}
	for (int b = 0; b < 3; b++)
		for (int i = 2; i < 40; i++)
			ck_assert_msg(freqs[b][i] == 0, "%s: batch %d: \"%s\" in %llu documents", how, b, vars[i],
				      (unsigned long long)freqs[b][i]);
}
END_TEST

int main(void)
{
	if (system("command -v xapian-tcpsrv >/dev/null 2>&1") != 0) {
		fprintf(stderr, "xapian-tcpsrv missing (apt-get install xapian-tools): skipped\n");
		return 77;
	}
	Suite *s = suite_create("shard_writer");
	TCase *tc = tcase_create("shard_writer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_stopped_shard_costs_one_timeout, 0, 2);
	tcase_add_test(tc, test_reader_shard_stops_at_term_list);
	tcase_add_test(tc, test_reader_shard_stops_at_records);
	tcase_add_test(tc, test_open_shard_stops_at_metadata);
	tcase_add_test(tc, test_reader_shard_restarted);
	tcase_add_loop_test(tc, test_reader_reads_whole_or_fail, 0, (int)(sizeof whole_reads / sizeof whole_reads[0]));
	tcase_add_test(tc, test_remote_writer_lexicon);
	tcase_add_loop_test(tc, test_remote_lists_sum, 0, (int)(sizeof ways / sizeof ways[0]));
	tcase_add_loop_test(tc, test_remote_whole_first, 0, (int)(sizeof smalls / sizeof smalls[0]));
	tcase_add_test(tc, test_remote_whole_sizes_when_missing);
	tcase_add_loop_test(tc, test_remote_whole_bases_kept, 0, (int)(sizeof base_bounds / sizeof base_bounds[0]));
	tcase_add_test(tc, test_remote_hit_has_term);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
