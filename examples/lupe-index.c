/*
 * lupe-index - keep a lupe index in step with folders of files, or load
 * JSON Lines records into it.
 *
 * A thin client of the public API (lupe.h): lupe_sync_path() walks,
 * compares, extracts and deletes; this program parses arguments, reads
 * JSON Lines, prints progress and messages, and handles signals.
 */
#define _GNU_SOURCE /* getopt_long */
#include <lupe.h>

#include "jsonl.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "lupe-index"
#define MAX_BATCH 100000000L
#define MAX_GLOBS 256

static const char usage_text[] =
	"Usage: " PROG " --db DIR [OPTION...] [PATH...]\n"
	"       " PROG " --db DIR --jsonl FILE|-\n"
	"       " PROG " --db DIR --delete ID...\n"
	"       " PROG " --db DIR --prune\n"
	"       " PROG " --db DIR --check\n"
	"\n"
	"Make the lupe index in DIR (created if missing) hold the files under each\n"
	"PATH: new and changed files are read, unchanged ones skipped, documents of\n"
	"files gone under PATH deleted.  Hidden files, .git and what .gitignore and\n"
	".ignore files name are left out, as ripgrep does.\n"
	"\n"
	"  --db DIR            the index directory (required)\n"
	"  -g, --include GLOB  index the files matching GLOB (repeatable; default:\n"
	"                      *.txt *.text *.md *.markdown *.html *.htm *.xhtml)\n"
	"  -x, --exclude GLOB  leave out files and folders matching GLOB (repeatable)\n"
	"  -., --hidden        also hidden files and folders (never .git)\n"
	"      --no-ignore     do not read .gitignore and .ignore files\n"
	"      --keep-gone     do not delete documents of files gone under PATH\n"
	"  -n, --dry-run       change nothing; with -v, list what would change\n"
	"      --source NAME   the documents' source (default \"files\")\n"
	"      --max-filesize N  read at most N bytes of a file (default 64M; K, M, G)\n"
	"      --jsonl FILE|-  read JSON Lines records from FILE, or stdin for -:\n"
	"                      {\"id\": ..., \"title\": ..., \"text\": ..., \"source\": ...,\n"
	"                       \"path\": ..., \"date\": ...}, one object a line\n"
	"      --delete        the arguments are ids of documents to delete\n"
	"      --prune         delete documents whose file no longer exists\n"
	"      --check         check the index for damage (reads it all, changes nothing)\n"
	"      --no-decompound do not split compound words (new index only)\n"
	"      --batch N       commit every N documents (default 2000) or 4 MB of text\n"
	"      --threads N     analysis threads (default 0: one per core, at most 4)\n"
	"      --compact       rewrite the index compactly at the end (default when\n"
	"                      this run created it)\n"
	"      --no-compact    never compact (and no bulk load)\n"
	"      --no-bulk       into a new index: no bulk load\n"
	"  -w, --watch         after syncing, keep watching the PATHs (inotify) and sync\n"
	"                      again after every change, until interrupted\n"
	"  -v, --verbose       name every file (or JSONL document) added, updated or deleted\n"
	"  -q, --quiet         no progress and no summary\n"
	"  -V, --version       print the version and exit\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 on success (files skipped with a warning included), 1 on\n"
	"failure (a PATH that does not exist, an index that cannot be written), 2\n"
	"on bad usage, 128+N when killed by signal N.\n";

/* Set from the signal handler; checked between documents. */
static volatile sig_atomic_t interrupted;

/* The first signal stops at the next document; a second one kills at once (commits are atomic). */
static void on_signal(int sig)
{
	struct sigaction dfl;

	interrupted = sig;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
}

struct run {
	lupe_db *db;
	unsigned long batch;
	unsigned long added, pending, skipped;
	unsigned long long bytes;
	bool bulk;
	bool progress;        /* stderr is a terminal and not --quiet */
	bool progress_shown;  /* a \r line is on screen */
	bool verbose, quiet, dry_run;
	bool failed;
	struct timespec start, last_progress, phase_start;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void clear_progress(struct run *r)
{
	if (r->progress_shown) {
		fputs("\r\033[K", stderr);
		r->progress_shown = false;
	}
}

/* A path or id with newlines, escapes and control bytes made visible. */
static void put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\\')
			fputs("\\\\", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void message(struct run *r, const char *path, const char *fmt, ...)
{
	va_list ap;

	clear_progress(r);
	fputs(PROG ": ", stderr);
	if (path) {
		put_escaped(stderr, path);
		fputs(": ", stderr);
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *errmsg(lupe_db *db, int rc)
{
	return db && *lupe_errmsg(db) ? lupe_errmsg(db) : lupe_strerror(rc);
}

/* ---------------------------------------------------------------------- */
/* Folders, through lupe_sync_path()                                       */
/* ---------------------------------------------------------------------- */

static void show_eta(double secs)
{
	long s = (long)(secs + 0.5);
	if (s >= 3600)
		fprintf(stderr, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		fprintf(stderr, "%ld:%02ld", s / 60, s % 60);
}

static int on_sync_event(const lupe_sync_event *ev, void *ctx)
{
	struct run *r = ctx;

	switch (ev->kind) {
	case LUPE_SYNC_SCANNED:
		clock_gettime(CLOCK_MONOTONIC, &r->phase_start);
		break;
	case LUPE_SYNC_WARNING:
		message(r, ev->path, "%s", ev->message);
		break;
	case LUPE_SYNC_REMOVED:
		if (r->verbose)
			message(r, ev->path, r->dry_run ? "would be deleted" : "deleted");
		break;
	case LUPE_SYNC_FILE:
		if (r->verbose && strcmp(ev->message, "unchanged") != 0)
			message(r, ev->path, r->dry_run ? "would be %s" : "%s", ev->message);
		break;
	case LUPE_SYNC_COMMITTING:
		if (r->progress) {
			clear_progress(r);
			fprintf(stderr, PROG ": %" PRIu64 "/%" PRIu64 " files, committing...", ev->done, ev->total);
			r->progress_shown = true;
		}
		break;
	}
	if (ev->kind == LUPE_SYNC_FILE && r->progress && seconds_since(&r->last_progress) >= 0.25) {
		double t = seconds_since(&r->phase_start), rate = t > 0 ? (double)ev->done / t : 0;
		clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
		clear_progress(r);
		fprintf(stderr, PROG ": %" PRIu64 "/%" PRIu64 " files (%.0f%%), %.0f files/s, %.1f MB, ETA ", ev->done,
			ev->total, ev->total ? 100.0 * (double)ev->done / (double)ev->total : 100.0, rate,
			(double)ev->bytes / 1e6);
		if (rate > 0)
			show_eta((double)(ev->total - ev->done) / rate);
		else
			fputs("-", stderr);
		r->progress_shown = true;
	}
	return interrupted != 0;
}

static bool sync_path(struct run *r, const char *path, const lupe_sync_options *so, lupe_sync_stats *sum)
{
	lupe_sync_stats st;
	int rc = lupe_sync_path(r->db, path, so, &st);

	sum->files += st.files;
	sum->added += st.added;
	sum->updated += st.updated;
	sum->unchanged += st.unchanged;
	sum->removed += st.removed;
	sum->skipped += st.skipped;
	sum->bytes += st.bytes;
	if (rc != LUPE_OK) {
		message(r, NULL, "%s", errmsg(r->db, rc)); /* the library's message names the path */
		r->failed = true;
		/* A PATH gone or of the wrong kind spoils only itself; the index's failures end the run. */
		return rc == LUPE_ENOTFOUND || rc == LUPE_EINVAL;
	}
	return true;
}

/* ---------------------------------------------------------------------- */
/* Watching                                                                */
/* ---------------------------------------------------------------------- */

#define WATCH_MASK (IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
		    IN_DELETE_SELF | IN_MOVE_SELF | IN_MODIFY)
#define WATCH_QUIET_MS 200

/*
 * Watch a folder and the folders below it (not hidden ones unless
 * `hidden`, never .git, no symbolic links).  Adding a watch twice is
 * harmless, so this runs again after every sync to catch new folders.
 * The library's ignore rules are not applied here: an ignored folder
 * only costs a watch and a sync that finds nothing to do.
 */
static void watch_tree(struct run *r, int fd, char *path, size_t len, size_t cap, bool hidden, int depth)
{
	if (inotify_add_watch(fd, path, WATCH_MASK | IN_ONLYDIR) < 0) {
		if (errno == ENOSPC)
			message(r, path, "cannot watch: too many watches (fs.inotify.max_user_watches)");
		return;
	}
	DIR *d = depth < 256 ? opendir(path) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git") ||
		    (e->d_name[0] == '.' && !hidden) || len + nl + 2 > cap)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, e->d_name, nl + 1);
		struct stat st;
		if ((e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))))
			watch_tree(r, fd, path, len + 1 + nl, cap, hidden, depth + 1);
		path[len] = '\0';
	}
	if (d)
		closedir(d);
}

static void watch_all(struct run *r, int fd, char **paths, int n, bool hidden)
{
	static char buf[PATH_MAX + 1];
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			inotify_add_watch(fd, paths[i], WATCH_MASK);
			continue;
		}
		size_t len = strlen(paths[i]);
		if (len >= sizeof buf)
			continue;
		memcpy(buf, paths[i], len + 1);
		watch_tree(r, fd, buf, len, sizeof buf, hidden, 0);
	}
}

/* Read what inotify has; returns whether anything came (false on a signal or timeout). */
static bool drain(int fd, int timeout_ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	char ev[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool got = false;

	if (poll(&p, 1, timeout_ms) <= 0)
		return false;
	while (read(fd, ev, sizeof ev) > 0)
		got = true;
	return got;
}

/*
 * Keep the index current: sync every PATH again once the file system has
 * been quiet for WATCH_QUIET_MS after a change.  Ends at SIGINT/SIGTERM.
 */
static bool watch(struct run *r, char **paths, int n, const lupe_sync_options *so)
{
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0) {
		message(r, NULL, "inotify: %s", strerror(errno));
		return false;
	}
	watch_all(r, fd, paths, n, so->flags & LUPE_SYNC_HIDDEN);
	message(r, NULL, "watching; Ctrl-C ends");
	fflush(stderr);
	bool ok = true;
	while (ok && !interrupted) {
		if (!drain(fd, -1))
			continue;
		while (!interrupted && drain(fd, WATCH_QUIET_MS))
			;
		if (interrupted)
			break;
		lupe_sync_stats sum;
		memset(&sum, 0, sizeof sum);
		for (int i = 0; ok && !interrupted && i < n; i++)
			ok = sync_path(r, paths[i], so, &sum);
		r->failed = r->failed && !ok; /* a PATH gone meanwhile: said, and the watch goes on */
		watch_all(r, fd, paths, n, so->flags & LUPE_SYNC_HIDDEN);
		if (!r->quiet && (sum.added || sum.updated || sum.removed))
			message(r, NULL, "synced: %" PRIu64 " added, %" PRIu64 " updated, %" PRIu64 " deleted", sum.added,
				sum.updated, sum.removed);
		fflush(stderr);
	}
	close(fd);
	return ok;
}

/* ---------------------------------------------------------------------- */
/* JSON Lines                                                              */
/* ---------------------------------------------------------------------- */

static bool commit(struct run *r)
{
	int rc = lupe_commit(r->db);

	if (rc != LUPE_OK) {
		message(r, NULL, "commit failed: %s", errmsg(r->db, rc));
		r->failed = true;
		return false;
	}
	r->pending = 0;
	return true;
}

static void show_jsonl_progress(struct run *r)
{
	if (!r->progress || seconds_since(&r->last_progress) < 0.5)
		return;
	clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
	double t = seconds_since(&r->start);
	clear_progress(r);
	fprintf(stderr, PROG ": %lu documents, %.1f MB, %.1f s (%.0f documents/s)", r->added, (double)r->bytes / 1e6,
		t, t > 0 ? (double)r->added / t : 0.0);
	r->progress_shown = true;
}

static bool index_jsonl(struct run *r, const char *file)
{
	bool is_stdin = strcmp(file, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : file;
	FILE *f = is_stdin ? stdin : fopen(file, "r");
	char *line = NULL, why[160];
	size_t cap = 0;
	unsigned long lineno = 0;
	bool ok = true;
	ssize_t n;

	if (!f) {
		message(r, file, "cannot open: %s", strerror(errno));
		r->failed = true;
		return false;
	}
	json_tokener *tok = jsonl_tokener_new();
	if (!tok) {
		message(r, NULL, "out of memory");
		r->failed = true;
		if (!is_stdin)
			fclose(f);
		return false;
	}
	while (ok && !interrupted && (errno = 0, n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n;
		jsonl_record rec;

		lineno++;
		r->bytes += len;
		if ((len = jsonl_line_len(line, len)) == 0)
			continue; /* blank lines are harmless */
		if (!jsonl_parse_line(tok, line, len, &rec, why, sizeof why)) {
			clear_progress(r);
			fputs(PROG ": ", stderr);
			put_escaped(stderr, name);
			fprintf(stderr, ":%lu: %s\n", lineno, why);
			r->skipped++;
			continue;
		}
		int rc = lupe_add(r->db, &rec.doc);
		if (rc != LUPE_OK) {
			clear_progress(r);
			fputs(PROG ": ", stderr);
			put_escaped(stderr, name);
			fprintf(stderr, ":%lu: %s%s\n", lineno, rc == LUPE_EINVAL ? "" : "cannot add: ", errmsg(r->db, rc));
			if (rc == LUPE_EINVAL) {
				r->skipped++;
			} else {
				r->failed = true;
				ok = false;
			}
		} else {
			r->added++;
			r->pending++;
			if (r->verbose)
				message(r, rec.doc.id, "added");
			/* Every --batch documents (or 4 MB) the library commits by itself (batch_size). */
			show_jsonl_progress(r);
		}
		jsonl_record_release(&rec);
		if (cap > (64u << 20)) { /* no buffer the size of one huge line for the rest */
			free(line);
			line = NULL;
			cap = 0;
		}
	}
	if (ok && !interrupted && ferror(f)) {
		message(r, name, "read error after line %lu: %s", lineno, strerror(errno));
		r->failed = true;
		ok = false;
	}
	free(line);
	json_tokener_free(tok);
	if (!is_stdin)
		fclose(f);
	return ok;
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

/* A size: digits and an optional K, M or G. */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = 0;
	if (*end && !end[1])
		shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : -1;
	else if (*end)
		shift = -1;
	if (errno || shift < 0 || v == 0 || v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

enum {
	OPT_DB = 256, OPT_NO_IGNORE, OPT_KEEP_GONE, OPT_SOURCE, OPT_MAX_FILESIZE, OPT_JSONL, OPT_DELETE, OPT_PRUNE, OPT_CHECK,
	OPT_NO_DECOMPOUND, OPT_BATCH, OPT_THREADS, OPT_COMPACT, OPT_NO_COMPACT, OPT_NO_BULK
};

static const struct option long_options[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"include", required_argument, NULL, 'g'},
	{"exclude", required_argument, NULL, 'x'},
	{"hidden", no_argument, NULL, '.'},
	{"no-ignore", no_argument, NULL, OPT_NO_IGNORE},
	{"keep-gone", no_argument, NULL, OPT_KEEP_GONE},
	{"dry-run", no_argument, NULL, 'n'},
	{"source", required_argument, NULL, OPT_SOURCE},
	{"max-filesize", required_argument, NULL, OPT_MAX_FILESIZE},
	{"jsonl", required_argument, NULL, OPT_JSONL},
	{"delete", no_argument, NULL, OPT_DELETE},
	{"prune", no_argument, NULL, OPT_PRUNE},
	{"check", no_argument, NULL, OPT_CHECK},
	{"no-decompound", no_argument, NULL, OPT_NO_DECOMPOUND},
	{"batch", required_argument, NULL, OPT_BATCH},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"compact", no_argument, NULL, OPT_COMPACT},
	{"no-compact", no_argument, NULL, OPT_NO_COMPACT},
	{"no-bulk", no_argument, NULL, OPT_NO_BULK},
	{"watch", no_argument, NULL, 'w'},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	const char *db_path = NULL, *jsonl = NULL;
	const char *include[MAX_GLOBS + 1] = {NULL}, *exclude[MAX_GLOBS + 1] = {NULL};
	size_t n_include = 0, n_exclude = 0;
	bool decompound = true, no_bulk = false, do_delete = false, do_prune = false, do_watch = false, do_check = false;
	long batch = 2000, threads = 0;
	int compact = -1; /* -1: when this run created the index */
	lupe_sync_options so = LUPE_SYNC_OPTIONS_INIT;
	lupe_open_options oo = LUPE_OPEN_OPTIONS_INIT;
	struct run r;
	char emsg[512] = "";
	int c, rc;

	memset(&r, 0, sizeof r);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":g:x:.nwvqVh", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_DB: db_path = optarg; break;
		case 'g':
		case 'x':
			if ((c == 'g' ? n_include : n_exclude) == MAX_GLOBS)
				return usage_error("at most %s globs of each kind", "256");
			if (c == 'g')
				include[n_include++] = optarg;
			else
				exclude[n_exclude++] = optarg;
			break;
		case '.': so.flags |= LUPE_SYNC_HIDDEN; break;
		case OPT_NO_IGNORE: so.flags |= LUPE_SYNC_NO_IGNORE; break;
		case OPT_KEEP_GONE: so.flags |= LUPE_SYNC_KEEP_GONE; break;
		case 'n': so.flags |= LUPE_SYNC_DRY_RUN; r.dry_run = true; break;
		case OPT_SOURCE: so.source = optarg; break;
		case OPT_MAX_FILESIZE:
			if (!parse_size(optarg, &so.max_file_bytes))
				return usage_error("--max-filesize: '%s' is not a size such as 4096, 512K, 64M", optarg);
			break;
		case OPT_JSONL:
			if (jsonl)
				return usage_error("--jsonl given twice%s", "");
			jsonl = optarg;
			break;
		case OPT_DELETE: do_delete = true; break;
		case OPT_PRUNE: do_prune = true; break;
		case OPT_CHECK: do_check = true; break;
		case OPT_NO_DECOMPOUND: decompound = false; break;
		case OPT_BATCH:
			if (!parse_number(optarg, 1, MAX_BATCH, &batch))
				return usage_error("--batch: '%s' is not a number from 1 to 100000000", optarg);
			break;
		case OPT_THREADS:
			if (!parse_number(optarg, 0, 64, &threads))
				return usage_error("--threads: '%s' is not a number from 0 to 64", optarg);
			break;
		case OPT_COMPACT: compact = 1; break;
		case OPT_NO_COMPACT: compact = 0; break;
		case OPT_NO_BULK: no_bulk = true; break;
		case 'w': do_watch = true; break;
		case 'v': r.verbose = true; break;
		case 'q': r.quiet = true; break;
		case 'V':
			printf(PROG " %s (liblupe %s)\n", LUPE_VERSION_STRING, lupe_version());
			return fclose(stdout) == 0 ? 0 : 1;
		case 'h':
			fputs(usage_text, stdout);
			return fclose(stdout) == 0 ? 0 : 1;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!db_path || !*db_path)
		return usage_error("--db DIR is required%s", "");
	if (do_check) {
		if (do_delete || do_prune || jsonl || do_watch || optind < argc)
			return usage_error("--check takes no PATH and no other action%s", "");
		rc = lupe_check(db_path, emsg, sizeof emsg);
		if (rc != LUPE_OK) {
			if (*emsg && strstr(emsg, db_path))
				fprintf(stderr, PROG ": %s\n", emsg);
			else
				message(&r, db_path, "%s", *emsg ? emsg : lupe_strerror(rc));
			return 1;
		}
		if (!r.quiet)
			message(&r, db_path, "no errors found");
		return 0;
	}
	if (do_delete && (do_prune || jsonl))
		return usage_error("--delete takes ids only, not with --prune or --jsonl%s", "");
	if (do_watch && (do_delete || jsonl || optind == argc || (so.flags & LUPE_SYNC_DRY_RUN)))
		return usage_error("--watch needs PATHs, and no --delete, --jsonl or --dry-run%s", "");
	if (do_delete && optind == argc)
		return usage_error("--delete needs at least one id%s", "");
	so.include = n_include ? include : NULL;
	so.exclude = n_exclude ? exclude : NULL;
	so.callback = on_sync_event;
	so.ctx = &r;

	/* A mistyped PATH is an error before anything is created. */
	struct stat st;
	for (int i = optind; !do_delete && i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			message(&r, argv[i], "%s", strerror(errno));
			return 1;
		}
	}

	bool created = stat(db_path, &st) != 0 && errno == ENOENT;
	if (created && (do_delete || (do_prune && optind == argc && !jsonl))) {
		message(&r, db_path, "no such index");
		return 1;
	}
	oo.flags = r.dry_run ? LUPE_OPEN_WRITE : LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	oo.decompound = decompound;
	oo.batch_size = (unsigned)batch;
	oo.threads = (unsigned)threads;
	/* A new index fed JSON Lines only, or folders and files only, is loaded in bulk (merged and
	 * compacted at the end): every thread writes, not the caller's alone. */
	r.bulk = created && (jsonl ? optind == argc : optind < argc) && compact != 0 && !no_bulk && !do_prune;
	if (r.bulk)
		oo.flags |= LUPE_OPEN_BULK;
	r.batch = (unsigned long)batch;
	r.progress = isatty(STDERR_FILENO) && !r.quiet;
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	r.last_progress = r.phase_start = r.start;

	/* Before lupe_open: Ctrl-C while a new index is made stops after it, not
	 * in the middle (No SA_RESTART: a read blocked on a pipe or terminal
	 * returns at once). */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = lupe_open(&r.db, db_path, &oo, emsg, sizeof emsg);
	if (rc != LUPE_OK) {
		fputs(PROG ": cannot open index", stderr);
		if (!strstr(emsg, db_path)) {
			fputc(' ', stderr);
			put_escaped(stderr, db_path);
		}
		fprintf(stderr, ": %s\n", *emsg ? emsg : lupe_strerror(rc));
		return 1;
	}

	bool ok = true;
	lupe_sync_stats sum;
	memset(&sum, 0, sizeof sum);

	if (do_delete) {
		for (int i = optind; i < argc; i++) {
			rc = lupe_delete(r.db, argv[i]);
			if (rc == LUPE_ENOTFOUND) {
				message(&r, argv[i], "no such document");
				r.failed = true;
			} else if (rc != LUPE_OK) {
				message(&r, argv[i], "%s", errmsg(r.db, rc));
				r.failed = true;
				break;
			} else {
				sum.removed++;
				if (r.verbose)
					message(&r, argv[i], "deleted");
			}
		}
		ok = !r.failed;
		if (sum.removed && !commit(&r))
			ok = false;
	} else {
		if (jsonl)
			ok = index_jsonl(&r, jsonl);
		if (ok && !interrupted && r.pending > 0 && !r.bulk)
			ok = commit(&r);
		for (int i = optind; ok && !interrupted && i < argc; i++)
			ok = sync_path(&r, argv[i], &so, &sum);
		if (ok && !interrupted && do_watch) {
			clear_progress(&r);
			r.progress = false; /* from here on, messages only */
			ok = watch(&r, argv + optind, argc - optind, &so);
			if (interrupted) {
				lupe_close(r.db);
				return ok ? 0 : 1;
			}
		}
		if (ok && !interrupted && do_prune) {
			lupe_sync_stats ps;
			rc = lupe_sync_prune(r.db, &so, &ps);
			sum.removed += ps.removed;
			if (rc != LUPE_OK) {
				message(&r, NULL, "prune: %s", errmsg(r.db, rc));
				ok = false;
			}
		}
	}

	clear_progress(&r);
	if (interrupted) {
		/* What a sync did is committed; pending JSON lines are dropped (no lupe_close). */
		if (r.pending)
			message(&r, NULL, "interrupted; the documents added since the last commit (at most %lu) discarded",
				r.pending < r.batch ? r.pending : r.batch);
		else
			message(&r, NULL, "interrupted");
		fflush(NULL);
		_exit(128 + interrupted);
	}
	if (ok && r.pending > 0)
		ok = commit(&r);
	if (ok && !r.dry_run && (compact == 1 || (compact == -1 && created && (r.added > 0 || sum.added > 0)))) {
		if (r.progress) {
			fputs(PROG ": compacting...", stderr);
			r.progress_shown = true;
		}
		rc = lupe_compact(r.db);
		clear_progress(&r);
		if (rc != LUPE_OK) {
			message(&r, NULL, "compacting: %s", lupe_errmsg(r.db));
			ok = false;
		}
	}
	lupe_close(r.db);
	if (!ok || r.failed)
		return 1;
	if (!r.quiet) {
		double secs = seconds_since(&r.start);
		if (jsonl) {
			double mb = (double)r.bytes / 1e6;
			fprintf(stderr, PROG ": %lu document%s, %.1f MB in %.1f s (%.2f MB/s), %lu skipped\n", r.added,
				r.added == 1 ? "" : "s", mb, secs, secs > 0 ? mb / secs : 0.0, r.skipped);
		}
		if (optind < argc || do_prune || do_delete)
			fprintf(stderr,
				PROG ": %" PRIu64 " files: %" PRIu64 " added, %" PRIu64 " updated, %" PRIu64
				     " unchanged, %" PRIu64 " deleted, %" PRIu64 " skipped; %.1f MB read in %.2f s%s\n",
				sum.files, sum.added, sum.updated, sum.unchanged, sum.removed, sum.skipped,
				(double)sum.bytes / 1e6, secs, r.dry_run ? " (dry run: nothing changed)" : "");
	}
	return 0;
}
