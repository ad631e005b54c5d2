/*
 * lupe-search - query a lupe index from the command line.
 *
 * A thin client of the public API (lupe.h): it parses arguments, runs
 * lupe_search() and prints the hits, for people (with highlights) or for
 * programs (one JSON object per query on one line).
 */
#include <lupe.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "lupe-search"
#define MAX_LIMIT 10000L

static const char usage_text[] =
	"Usage: " PROG " --db DIR [--limit N] [--offset N] [--json] [--queries FILE|-] [QUERY...]\n"
	"\n"
	"Search the lupe index in DIR.  The QUERY words are joined by spaces into\n"
	"one query; with --queries, each non-blank line of FILE (or stdin for -)\n"
	"is a query of its own.\n"
	"\n"
	"  --db DIR          the index directory (required)\n"
	"  --limit N         hits to show per query (default 10, at most 10000)\n"
	"  --offset N        hits to skip first (default 0)\n"
	"  --json            one JSON object per query on one line\n"
	"  --queries FILE|-  read queries from FILE, one a line\n"
	"  --partial         sharded index: when a shard fails, answer from the others\n"
	"  --fuzzy           also match words a typo or two away (ranked lower)\n"
	"  --exact           no typo tolerance: search the words only as typed\n"
	"  --sort ORDER      relevance (default), date (newest first) or date-asc\n"
	"  --facet FIELD     count hits per source or year (repeatable; JSON \"facets\")\n"
	"  --like ID         documents like the document ID instead of a query\n"
	"  --explain         show which terms matched where, with weights\n"
	"  --html            HTML-escaped snippets with <mark> around matches\n"
	"  --color=WHEN      bold highlights: auto (default: on a terminal, unless\n"
	"                    NO_COLOR is set or TERM=dumb), always or never\n"
	"  --time-budget MS  give up a search after MS milliseconds (default 10000)\n"
	"  --version         print the version and exit\n"
	"  -h, --help        show this help\n"
	"\n"
	"Query syntax: wort wort, \"genaue phrase\", +muss -nicht, a UND b, a ODER b,\n"
	"a NICHT b, ( ... ), präfix*, a NEAR/3 b, title:wort, source:name,\n"
	"path:/prefix, date:2015-01-01..2016-12-31.  A word that starts\n"
	"with '-' is a query word, not an option.\n";

struct out_opts {
	bool json;
	bool tty;   /* bold highlights (--color, NO_COLOR, TERM) */
	bool html;  /* --html: the snippet is marked already */
	bool batch; /* --queries: errors go into the output and processing goes on */
};

/* ---------------------------------------------------------------------- */
/* JSON output                                                             */
/* ---------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Write s as a JSON string.  Control characters are escaped.  The library
 * hands out valid UTF-8, but a query comes from the user: an invalid byte
 * becomes U+FFFD so that the line is always valid JSON.  Note that this
 * changes byte offsets, which is why only the query may ever need it.
 */
static void json_string(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* bytes p[run..i) are written as they are, in one fwrite */

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);

		if (k > 1 || (k == 1 && p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')) {
			i += k;
			continue;
		}
		fwrite(p + run, 1, i - run, f);
		if (k == 0) {
			fputs("\\ufffd", f);
		} else if (p[i] == '"' || p[i] == '\\') {
			fputc('\\', f);
			fputc(p[i], f);
		} else {
			switch (p[i]) {
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			case '\t': fputs("\\t", f); break;
			case '\b': fputs("\\b", f); break;
			case '\f': fputs("\\f", f); break;
			default: fprintf(f, "\\u%04x", p[i]); break;
			}
		}
		i++;
		run = i;
	}
	fwrite(p + run, 1, n - run, f);
	fputc('"', f);
}

static void json_cstring(FILE *f, const char *s)
{
	json_string(f, s ? s : "", s ? strlen(s) : 0);
}

/*
 * A JSON number that reads back as a float: "%g" may print "12", which
 * a JSON reader takes for an integer, so a ".0" is added then.  JSON has
 * no NaN or infinity; they cannot come from a sane ranking, but print 0.
 */
static void json_float(FILE *f, double v)
{
	char buf[64];

	if (!isfinite(v))
		v = 0.0;
	/* The shortest form that reads back as the same double. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (!strpbrk(buf, ".eE"))
		strcat(buf, ".0");
	fputs(buf, f);
}

/* ---------------------------------------------------------------------- */
/* Running a query                                                         */
/* ---------------------------------------------------------------------- */

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Print text for a person: control characters (C0 and C1) would move the cursor. */
static void put_plain(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* bytes p[run..i) are written as they are, in one fwrite */

	for (size_t i = 0; i < n; i++) {
		size_t k = 0; /* bytes of a control character (C0, DEL, C1) here */
		if (p[i] < 0x20 || p[i] == 0x7f)
			k = 1;
		else if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] < 0xa0)
			k = 2;
		if (!k)
			continue;
		fwrite(p + run, 1, i - run, f);
		fputc(' ', f);
		i += k - 1;
		run = i + 1;
	}
	fwrite(p + run, 1, n - run, f);
}

static void put_snippet(FILE *f, const lupe_hit *h, bool tty, bool html)
{
	if (html) { /* <mark> is in the text already: marking the spans again would double it */
		put_plain(f, h->snippet, h->snippet_len);
		return;
	}
	const char *on = tty ? "\033[1m" : "[", *off = tty ? "\033[0m" : "]";
	size_t pos = 0;

	for (size_t k = 0; k < h->n_highlights; k++) {
		size_t s = h->highlights[k].start, e = h->highlights[k].end;

		/* Spans come sorted and disjoint; anything else is not drawn. */
		if (s < pos || e <= s || e > h->snippet_len)
			continue;
		put_plain(f, h->snippet + pos, s - pos);
		fputs(on, f);
		put_plain(f, h->snippet + s, e - s);
		fputs(off, f);
		pos = e;
	}
	put_plain(f, h->snippet + pos, h->snippet_len - pos);
}

/* A count with thousands separated for reading: 1,200. */
static void put_count(FILE *f, uint64_t v)
{
	char d[24];
	int n = snprintf(d, sizeof d, "%" PRIu64, v);
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			fputc(',', f);
		fputc(d[i], f);
	}
}

/* What a run prints beyond the fixed keys: facets and explanations when asked for. */
static const lupe_results *cur_res;
static const char *facet_names[5];
static const char *like_id;

/* The facet counts, after the hits (the suggestion, "Meinten Sie", comes before them). */
static void print_readable_extras(FILE *f)
{
	for (int k = 0; facet_names[k]; k++) {
		size_t nf;
		const lupe_facet *fc = lupe_results_facet(cur_res, facet_names[k], &nf);

		fprintf(f, "\n%s:", facet_names[k]);
		for (size_t j = 0; j < nf; j++) {
			fputs(j ? ", " : " ", f);
			put_plain(f, fc[j].value, strlen(fc[j].value));
			fprintf(f, " (%" PRIu64 ")", fc[j].count);
		}
		fputc('\n', f);
	}
}

static void print_readable(FILE *f, const char *query, size_t len, const lupe_hit **hits, size_t n,
			   uint64_t total, int exact, double took_ms, const char *sug, const struct out_opts *o)
{
	if (o->batch) {
		fputs("Query: ", f);
		put_plain(f, query, len);
		fputc('\n', f);
	}
	fputs(exact ? "" : "about ", f);
	put_count(f, total);
	fprintf(f, " result%s (%.1f ms)\n", total == 1 ? "" : "s", took_ms);
	if (sug) {
		fputs("Meinten Sie: ", f);
		put_plain(f, sug, strlen(sug));
		fputc('\n', f);
	}
	for (size_t i = 0; i < n; i++) {
		const lupe_hit *h = hits[i];

		fprintf(f, "\n%zu. ", h->rank);
		put_plain(f, h->title && *h->title ? h->title : h->id, strlen(h->title && *h->title ? h->title : h->id));
		fprintf(f, "  (%.3f)\n   ", h->score);
		put_plain(f, h->id, strlen(h->id));
		if (h->path && *h->path && strcmp(h->path, h->id) != 0) {
			fputs("  ", f);
			put_plain(f, h->path, strlen(h->path));
		}
		fputs("\n   ", f);
		put_snippet(f, h, o->tty, o->html);
		fputc('\n', f);
		if (h->date && *h->date) {
			fputs("   date: ", f);
			put_plain(f, h->date, strlen(h->date));
			fputc('\n', f);
		}
		if (h->explain) {
			fputs("   explain: ", f);
			put_plain(f, h->explain, strlen(h->explain));
			fputc('\n', f);
		}
	}
	print_readable_extras(f);
	if (o->batch)
		fputc('\n', f);
}


static void print_json(FILE *f, const char *query, size_t len, const lupe_hit **hits, size_t n,
		       uint64_t total, double took_ms, int partial, const char *suggestion)
{
	fputs("{\"query\": ", f);
	json_string(f, query, len);
	/* Microseconds are all the clock is worth here; "%.3f" always reads as a float. */
	uint64_t tmin = total, tmax = total;
	int exact = lupe_results_total_bounds(cur_res, &tmin, &tmax);
	fprintf(f, ", \"total\": %" PRIu64 ", \"total_exact\": %s, \"total_min\": %" PRIu64 ", \"total_max\": %" PRIu64,
		total, exact ? "true" : "false", tmin, tmax);
	fprintf(f, ", \"took_ms\": %.3f, \"partial\": %s, \"suggestion\": ", took_ms, partial ? "true" : "false");
	if (suggestion)
		json_string(f, suggestion, strlen(suggestion));
	else
		fputs("null", f);
	fputs(", \"hits\": [", f);
	for (size_t i = 0; i < n; i++) {
		const lupe_hit *h = hits[i];

		fprintf(f, "%s{\"rank\": %zu, \"id\": ", i ? ", " : "", h->rank);
		json_cstring(f, h->id);
		fputs(", \"title\": ", f);
		json_cstring(f, h->title);
		fputs(", \"score\": ", f);
		json_float(f, h->score);
		fputs(", \"snippet\": ", f);
		json_string(f, h->snippet ? h->snippet : "", h->snippet ? h->snippet_len : 0);
		fputs(", \"highlights\": [", f);
		for (size_t k = 0; k < h->n_highlights; k++)
			fprintf(f, "%s[%zu, %zu]", k ? ", " : "", h->highlights[k].start, h->highlights[k].end);
		fputs("], \"highlight_kinds\": [", f);
		for (size_t k = 0; k < h->n_highlights; k++)
			fprintf(f, "%s\"%s\"", k ? ", " : "",
				h->highlight_kinds ? lupe_highlight_kind_name(h->highlight_kinds[k]) : "");
		fputs("], \"path\": ", f);
		json_cstring(f, h->path ? h->path : "");
		fputs(", \"date\": ", f);
		json_cstring(f, h->date ? h->date : "");
		fputs(", \"source\": ", f);
		json_cstring(f, h->source ? h->source : "");
		if (h->explain) {
			fputs(", \"explain\": ", f);
			json_cstring(f, h->explain);
		}
		fputs("}", f);
	}
	fputs("]", f);
	if (facet_names[0]) {
		fputs(", \"facets\": {", f);
		for (int k = 0; facet_names[k]; k++) {
			size_t nf;
			const lupe_facet *fc = lupe_results_facet(cur_res, facet_names[k], &nf);
			fprintf(f, "%s", k ? ", " : "");
			json_cstring(f, facet_names[k]);
			fputs(": [", f);
			for (size_t j = 0; j < nf; j++) {
				fputs(j ? ", [" : "[", f);
				json_cstring(f, fc[j].value);
				fprintf(f, ", %" PRIu64 "]", fc[j].count);
			}
			fputs("]", f);
		}
		fputs("}", f);
	}
	fputs("}\n", f);
}

static void print_json_error(FILE *f, const char *query, size_t len, const char *msg, double took_ms)
{
	fputs("{\"query\": ", f);
	json_string(f, query, len);
	fputs(", \"error\": ", f);
	json_cstring(f, msg);
	fprintf(f, ", \"total\": 0, \"total_exact\": true, \"total_min\": 0, \"total_max\": 0, \"took_ms\": %.3f, "
		   "\"partial\": false, \"hits\": []}\n", took_ms);
}

/*
 * A search that never returns (a damaged index can make a lookup loop
 * inside Xapian, where the library's time budget is never checked) ends
 * the program with a message instead of hanging it: at the budget and as
 * much again (at most 2 s more; 3 x timeout_ms more for a shard list,
 * whose remote shards are bounded by their timeouts).  The library can do
 * this with a thread and a reader it hands over (LUPE_OPEN_WATCHED); a
 * process that may simply end needs no hand-over.
 *
 * A thread of its own watches, so that a search costs no system call for
 * it: the search names itself under a mutex nobody else holds then (no
 * system call either), and the thread sleeps until the deadline of the
 * search it saw last, or a whole wait when it saw none: a search that
 * started meanwhile has its deadline later than that.  A timer armed and
 * disarmed with setitimer() around each search, with its messages made
 * in advance for a signal handler that may only write, cost 7 us a search.
 */
static struct {
	pthread_mutex_t mu;
	const char *query;         /* the search in flight, or NULL */
	size_t len;
	struct timespec deadline;  /* CLOCK_MONOTONIC */
	unsigned wait, budget;     /* ms, the same for every search of the run (watch_start) */
	int json_batch;
} watch = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, {0, 0}, 0, 0, 0};
static unsigned watch_extra_ms; /* a shard list: 3 x timeout_ms, as the library waits */

static struct timespec ts_plus_ms(struct timespec t, unsigned ms)
{
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* The search in flight is past its deadline (under watch.mu): say so and end the program. */
static void watch_fire(void)
{
	char msg[400];
	snprintf(msg, sizeof msg,
		 "search: no answer after %u ms (its time budget is %u ms): a lookup in the index does not return, "
		 "so the index may be damaged (check it: lupe-index --check)",
		 watch.wait, watch.budget);
	size_t len = watch.len > 200 ? 200 : watch.len;
	/* Batch JSON: the query's line says it too, so a reader of the lines sees where they stop. */
	if (watch.json_batch) {
		char *out = NULL;
		size_t out_len = 0;
		FILE *m = open_memstream(&out, &out_len);
		if (m) {
			print_json_error(m, watch.query, watch.len, msg, watch.wait);
			if (fclose(m) == 0 && out_len && write(STDOUT_FILENO, out, out_len) < 0)
				_exit(1);
		}
	}
	char err[1200];
	int n = snprintf(err, sizeof err, PROG ": %.*s: %s\n", (int)len, watch.query, msg);
	if (n > 0 && write(STDERR_FILENO, err, (size_t)n >= sizeof err ? sizeof err - 1 : (size_t)n) < 0)
		_exit(1);
	_exit(1);
}

static void *watch_thread(void *unused)
{
	(void)unused;
	for (;;) {
		struct timespec now, until;
		clock_gettime(CLOCK_MONOTONIC, &now);
		pthread_mutex_lock(&watch.mu);
		if (watch.query && ms_between(&now, &watch.deadline) <= 0)
			watch_fire();
		/* Nothing in flight: a search that starts now ends its wait after this one's. */
		until = watch.query ? watch.deadline : ts_plus_ms(now, watch.wait);
		pthread_mutex_unlock(&watch.mu);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
			;
	}
	return NULL;
}

/* Start the watch for the run's searches (options so); 0, or -1 when no thread can be made. */
static int watch_start(const lupe_search_options *so, const struct out_opts *o)
{
	pthread_attr_t a;
	pthread_t t;
	watch.budget = so->time_budget_ms ? so->time_budget_ms : LUPE_SEARCH_TIME_BUDGET_MS;
	watch.wait = watch.budget + (watch.budget < 2000 ? watch.budget : 2000) + watch_extra_ms;
	watch.json_batch = o->json && o->batch;
	if (pthread_attr_init(&a) != 0)
		return -1;
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&t, &a, watch_thread, NULL);
	pthread_attr_destroy(&a);
	return rc == 0 ? 0 : -1;
}

/* A search starts at t0. */
static void watch_arm(const char *query, size_t len, const struct timespec *t0)
{
	struct timespec deadline = ts_plus_ms(*t0, watch.wait);
	pthread_mutex_lock(&watch.mu);
	watch.query = query;
	watch.len = len;
	watch.deadline = deadline;
	pthread_mutex_unlock(&watch.mu);
}

static void watch_disarm(void)
{
	pthread_mutex_lock(&watch.mu);
	watch.query = NULL;
	pthread_mutex_unlock(&watch.mu);
}

/*
 * Run one query and print it.  Returns 0, 1 for a failed query (reported
 * on stdout in batch JSON mode, on stderr otherwise) or -1 when out of
 * memory.
 */
static int run_query(lupe_db *db, const char *query, size_t len, const lupe_search_options *so,
		     const struct out_opts *o)
{
	struct timespec t0, t1;
	lupe_results *res = NULL;
	const lupe_hit **hits = NULL;
	size_t n = 0;
	uint64_t total = 0;
	int exact = 0, rc;

	/* The clock covers the search and reading every hit, not the printing. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	watch_arm(query, len, &t0);
	rc = like_id ? lupe_like(db, &res, like_id, so) : lupe_search(db, &res, query, len, so);
	watch_disarm();
	cur_res = res;
	if (rc == LUPE_OK) {
		n = lupe_results_count(res);
		total = lupe_results_total(res, &exact);
		hits = malloc((n ? n : 1) * sizeof *hits);
		if (!hits) {
			lupe_results_free(res);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			hits[i] = lupe_results_hit(res, i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	if (rc != LUPE_OK) {
		const char *msg = *lupe_errmsg(db) ? lupe_errmsg(db) : lupe_strerror(rc);

		if (o->json && o->batch) {
			print_json_error(stdout, query, len, msg, ms_between(&t0, &t1));
		} else {
			fflush(stdout);
			fputs(PROG ": ", stderr);
			put_plain(stderr, query, len);
			fprintf(stderr, ": %s\n", msg);
		}
		return rc == LUPE_ENOMEM ? -1 : 1;
	}
	/* Count the hits that are there: a NULL would be a library bug, not a reason to crash. */
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (hits[i])
			hits[m++] = hits[i];
	if (o->json)
		print_json(stdout, query, len, hits, m, total, ms_between(&t0, &t1), lupe_results_partial(res),
			   lupe_results_suggestion(res));
	else
		print_readable(stdout, query, len, hits, m, total, exact, ms_between(&t0, &t1),
			       lupe_results_suggestion(res), o);
	free(hits);
	lupe_results_free(res);
	return 0;
}

/*
 * One query per line; blank lines are skipped.  The output is flushed after
 * every query so that a program feeding queries through a pipe gets each
 * answer before it sends the next question.
 */
static int run_batch(lupe_db *db, const char *file, const lupe_search_options *so,
		     const struct out_opts *o)
{
	bool is_stdin = strcmp(file, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int status = 0;

	if (!f) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", file, strerror(errno));
		return 1;
	}
	while ((errno = 0, got = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)got, k = 0;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		while (k < len && isspace((unsigned char)line[k]))
			k++;
		if (k == len)
			continue;
		int rc = run_query(db, line, len, so, o);

		if (rc < 0) {
			status = -1;
			break;
		}
		if (rc > 0)
			status = 1;
		if (fflush(stdout) != 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, PROG ": reading %s: %s\n", is_stdin ? "<stdin>" : file, strerror(errno));
		status = 1;
	}
	free(line);
	if (!is_stdin)
		fclose(f);
	return status;
}

/* ---------------------------------------------------------------------- */
/* Arguments                                                               */
/* ---------------------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try '" PROG " --help')\n");
	return 2;
}

/* A decimal number in [min, max], nothing else: no sign, no blanks, no junk. */
static bool parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * The value of a long option: "--opt=VALUE" or "--opt VALUE".  Returns NULL
 * when argv[*i] is not this option; sets *missing when it is but has no value.
 */
static const char *option_value(char **argv, int argc, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	const char *db_path = NULL, *queries = NULL;
	char **words = calloc((size_t)argc + 1, sizeof *words);
	size_t n_words = 0;
	bool only_words = false;
	long limit = 10, offset = 0, budget = 0;
	struct out_opts o = {false, false, false, false};
	lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
	lupe_open_options oo = LUPE_OPEN_OPTIONS_INIT;
	char errmsg[512] = "";
	lupe_db *db;
	int rc, status, color = -1; /* -1: auto */

	if (!words) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;

		/* Only "--" options: "-wort" is a query word that excludes "wort". */
		if (only_words || strncmp(a, "--", 2) != 0) {
			if (strcmp(a, "-h") == 0 && !only_words) {
				fputs(usage_text, stdout);
				free(words);
				return fclose(stdout) == 0 ? 0 : 1;
			}
			words[n_words++] = argv[i];
		} else if (strcmp(a, "--") == 0) {
			only_words = true;
		} else if (strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			free(words);
			return fclose(stdout) == 0 ? 0 : 1;
		} else if ((v = option_value(argv, argc, &i, "--db", &missing)) != NULL) {
			db_path = v;
		} else if ((v = option_value(argv, argc, &i, "--queries", &missing)) != NULL) {
			queries = v;
		} else if ((v = option_value(argv, argc, &i, "--limit", &missing)) != NULL) {
			if (!parse_number(v, 0, MAX_LIMIT, &limit)) {
				free(words);
				return usage_error("--limit: '%s' is not a number from 0 to 10000", v);
			}
		} else if ((v = option_value(argv, argc, &i, "--offset", &missing)) != NULL) {
			if (!parse_number(v, 0, LONG_MAX, &offset)) {
				free(words);
				return usage_error("--offset: '%s' is not a number from 0 up", v);
			}
		} else if ((v = option_value(argv, argc, &i, "--time-budget", &missing)) != NULL) {
			if (!parse_number(v, 1, 3600000, &budget)) {
				free(words);
				return usage_error("--time-budget: '%s' is not a number of milliseconds from 1 to 3600000", v);
			}
		} else if (strcmp(a, "--json") == 0) {
			o.json = true;
		} else if (strcmp(a, "--partial") == 0) {
			so.flags |= LUPE_SEARCH_PARTIAL;
		} else if (strcmp(a, "--fuzzy") == 0) {
			so.flags |= LUPE_SEARCH_FUZZY;
		} else if (strcmp(a, "--exact") == 0) {
			so.flags |= LUPE_SEARCH_EXACT;
		} else if (strcmp(a, "--explain") == 0) {
			so.flags |= LUPE_SEARCH_EXPLAIN;
		} else if (strcmp(a, "--html") == 0) {
			so.flags |= LUPE_SEARCH_HTML;
		} else if ((v = option_value(argv, argc, &i, "--sort", &missing)) != NULL) {
			if (strcmp(v, "relevance") == 0)
				so.sort = LUPE_SORT_RELEVANCE;
			else if (strcmp(v, "date") == 0)
				so.sort = LUPE_SORT_DATE_DESC;
			else if (strcmp(v, "date-asc") == 0)
				so.sort = LUPE_SORT_DATE_ASC;
			else {
				free(words);
				return usage_error("--sort: '%s' is not relevance, date or date-asc", v);
			}
		} else if ((v = option_value(argv, argc, &i, "--facet", &missing)) != NULL) {
			int k = 0;
			while (k < 4 && facet_names[k])
				k++;
			if (k == 4 || (strcmp(v, "source") != 0 && strcmp(v, "year") != 0)) {
				free(words);
				return usage_error("--facet: '%s' is not source or year (at most 4)", v);
			}
			facet_names[k] = v;
			so.facets = facet_names;
		} else if (strcmp(a, "--version") == 0) {
			printf(PROG " %s (liblupe %s)\n", LUPE_VERSION_STRING, lupe_version());
			free(words);
			return fclose(stdout) == 0 ? 0 : 1;
		} else if ((v = option_value(argv, argc, &i, "--color", &missing)) != NULL ||
			   (v = option_value(argv, argc, &i, "--colour", &missing)) != NULL) {
			if (strcmp(v, "auto") == 0) {
				color = -1;
			} else if (strcmp(v, "always") == 0) {
				color = 1;
			} else if (strcmp(v, "never") == 0) {
				color = 0;
			} else {
				free(words);
				return usage_error("--color: '%s' is not auto, always or never", v);
			}
		} else if (strcmp(a, "--color") == 0) {
			color = -1; /* as ls and grep: a bare --color means auto */
		} else if ((v = option_value(argv, argc, &i, "--like", &missing)) != NULL) {
			like_id = v;
		} else if (missing) {
			free(words);
			return usage_error("option '%s' needs a value", a);
		} else {
			free(words);
			return usage_error("unknown option '%s'", a);
		}
	}
	if (!db_path || !*db_path) {
		free(words);
		return usage_error("--db DIR is required%s", "");
	}
	if (queries && n_words > 0) {
		free(words);
		return usage_error("give either --queries or QUERY words, not both%s", "");
	}
	if (like_id && !queries && n_words == 0)
		words[n_words++] = (char *)like_id; /* shown as the query */
	if (!queries && n_words == 0) {
		free(words);
		return usage_error("no query given%s", "");
	}

	oo.flags = LUPE_OPEN_READ;
	struct stat st;
	if (stat(db_path, &st) == 0 && S_ISREG(st.st_mode))
		watch_extra_ms = 3 * oo.timeout_ms;
	rc = lupe_open(&db, db_path, &oo, errmsg, sizeof errmsg);
	if (rc != LUPE_OK) {
		/* The library's message usually names the path already. */
		if (strstr(errmsg, db_path))
			fprintf(stderr, PROG ": cannot open index: %s\n", errmsg);
		else
			fprintf(stderr, PROG ": cannot open index %s: %s\n", db_path,
				*errmsg ? errmsg : lupe_strerror(rc));
		free(words);
		return 1;
	}
	so.limit = (size_t)limit;
	so.time_budget_ms = (unsigned)budget;
	so.offset = (size_t)offset;
	if (color < 0) {
		const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
		/* https://no-color.org: set and not empty turns colour off. */
		color = isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
	}
	o.tty = color == 1;
	o.html = (so.flags & LUPE_SEARCH_HTML) != 0;
	o.batch = queries != NULL;
	if (watch_start(&so, &o) < 0) {
		fprintf(stderr, PROG ": cannot start the thread that watches for a search that never returns\n");
		lupe_close(db);
		free(words);
		return 1;
	}

	if (queries) {
		status = run_batch(db, queries, &so, &o);
	} else {
		/* Join the words with single spaces into one query. */
		size_t len = 0, at = 0;

		for (size_t i = 0; i < n_words; i++)
			len += strlen(words[i]) + 1;
		char *q = malloc(len + 1);

		if (!q) {
			status = -1;
		} else {
			for (size_t i = 0; i < n_words; i++) {
				size_t wl = strlen(words[i]);

				if (i)
					q[at++] = ' ';
				memcpy(q + at, words[i], wl);
				at += wl;
			}
			q[at] = '\0';
			status = run_query(db, q, at, &so, &o);
			free(q);
		}
	}
	lupe_close(db);
	free(words);
	if (status < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		status = 1;
	}
	/* A full disk or a closed pipe shows only here, when the buffer is written. */
	if (fclose(stdout) != 0) {
		fprintf(stderr, PROG ": writing output: %s\n", strerror(errno));
		status = 1;
	}
	return status;
}
