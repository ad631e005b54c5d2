#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "db.h"
#include "search/record_cache.h"
#include "search/suggest.h"
#include "index/document.h"

#define LUPE_ID_MAX 200

/* Each shard of a sharded index knows its place, "K/N" (LUPE_META_SHARD), so that a list
 * given in another order or length cannot send documents to the wrong one. */
#define SHARD_LIST_MAX_BYTES (1u << 20)
#define SHARDS_MAX 4096

/* The shim routes documents by the id term minus its prefix. */
_Static_assert(sizeof LUPE_PFX_ID - 1 == LX_ID_PREFIX_LEN, "shards.cc assumes a one-byte id prefix");

static void copy_msg(char *dst, size_t cap, const char *msg)
{
	if (dst && cap) {
		snprintf(dst, cap, "%s", msg);
	}
}

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

/* The shards a shard list names: local paths resolved, tcp:// URLs as written. */
typedef struct {
	char **v;
	size_t n;
} shard_list;

static void shard_list_free(shard_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* "tcp://HOST:PORT": a host without blanks or slashes, a port 1..65535. */
static int is_tcp_url(const char *s, size_t n)
{
	if (n < 6 || memcmp(s, "tcp://", 6) != 0)
		return 0;
	s += 6, n -= 6;
	size_t colon = n;
	while (colon > 0 && s[colon - 1] != ':')
		colon--;
	if (colon < 2 || colon == n || n - colon > 5)
		return 0;
	unsigned long port = 0;
	for (size_t i = colon; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	for (size_t i = 0; i + 1 < colon; i++)
		if (s[i] == '/' || s[i] == ' ' || s[i] == '\t')
			return 0;
	return port >= 1 && port <= 65535;
}

/*
 * A shard line is a tcp:// URL or a path: no blanks or control characters,
 * no other URL scheme, and a slash in it ("./shard0") unless it names an
 * existing directory, so that an ordinary text file ("hello") is never
 * taken for a list of shards to create.
 */
static int is_shard_line(const char *s, size_t n, const char *dir, size_t dir_len)
{
	int slash = 0;
	if (is_tcp_url(s, n))
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f)
			return 0;
		if (c == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
			return 0;
		slash |= c == '/';
	}
	if (n == 0)
		return 0;
	if (slash)
		return 1;
	char p[4096];
	struct stat st;
	if (snprintf(p, sizeof p, "%.*s/%.*s", (int)dir_len, dir, (int)n, s) >= (int)sizeof p)
		return 0;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int shard_list_add(shard_list *l, const char *dir, size_t dir_len, const char *s, size_t n)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v)
		return -1;
	l->v = v;
	int relative = s[0] != '/' && !is_tcp_url(s, n);
	size_t len = (relative ? dir_len + 1 : 0) + n;
	char *p = malloc(len + 1);
	if (!p)
		return -1;
	if (relative) {
		memcpy(p, dir, dir_len);
		p[dir_len] = '/';
	}
	memcpy(p + len - n, s, n);
	p[len] = '\0';
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], p) == 0) {
			free(p);
			return 1;
		}
	l->v[l->n++] = p;
	return 0;
}

/*
 * Read the regular file `path` as a shard list: one shard a line, blank
 * lines and lines starting with # ignored.  LUPE_ENOTLUPE when it is not
 * one (every non-comment line must look like a shard).
 */
static int read_shard_list(const char *path, shard_list *out, lupe_err *err)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	int rc = LUPE_OK;

	if (!f)
		return lupe_err_set(err, LUPE_EIO, "%s: %s", path, strerror(errno));
	text = malloc(SHARD_LIST_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		return lupe_err_set(err, LUPE_ENOMEM, "%s: out of memory", path);
	}
	len = fread(text, 1, SHARD_LIST_MAX_BYTES + 1, f);
	if (ferror(f))
		rc = lupe_err_set(err, LUPE_EIO, "%s: %s", path, strerror(errno));
	else if (len > SHARD_LIST_MAX_BYTES)
		rc = lupe_err_set(err, LUPE_ENOTLUPE, "%s: not a lupe index (a file too big for a shard list)", path);
	fclose(f);
	if (rc != LUPE_OK) {
		free(text);
		return rc;
	}
	const char *slash = strrchr(path, '/');
	const char *dir = slash ? path : ".";
	size_t dir_len = slash ? (size_t)(slash - path) : 1;
	if (slash && dir_len == 0)
		dir = "/", dir_len = 1;
	size_t lineno = 0;
	for (size_t at = 0; at < len && rc == LUPE_OK;) {
		size_t end = at;
		while (end < len && text[end] != '\n')
			end++;
		size_t s = at, e = end;
		at = end + 1;
		lineno++;
		while (s < e && (text[s] == ' ' || text[s] == '\t'))
			s++;
		while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
			e--;
		if (s == e || text[s] == '#')
			continue;
		if (!is_shard_line(text + s, e - s, dir, dir_len)) {
			rc = lupe_err_set(err, LUPE_ENOTLUPE,
					  "%s: not a lupe index (it is a file, not a directory; nor a shard list: line %zu "
					  "is not a directory or tcp://HOST:PORT)",
					  path, lineno);
		} else if (out->n >= SHARDS_MAX) {
			rc = lupe_err_set(err, LUPE_ENOTLUPE, "%s: more than %d shards", path, SHARDS_MAX);
		} else {
			int r = shard_list_add(out, dir, dir_len, text + s, e - s);
			if (r < 0)
				rc = lupe_err_set(err, LUPE_ENOMEM, "%s: out of memory", path);
			else if (r > 0)
				rc = lupe_err_set(err, LUPE_ENOTLUPE, "%s: line %zu names a shard listed before", path,
						  lineno);
		}
	}
	free(text);
	if (rc == LUPE_OK && out->n == 0)
		rc = lupe_err_set(err, LUPE_ENOTLUPE, "%s: not a lupe index (a file that lists no shards)", path);
	if (rc != LUPE_OK)
		shard_list_free(out);
	return rc;
}

static int check_dir(const char *path, int create, int *is_new, lupe_err *err);

/*
 * Check the path before Xapian sees it, so that each kind of wrong path
 * gets its own status and a message that names it.  A regular file may be
 * a shard list: then `shards` receives its shards, each local one checked.
 */
static int check_path(const char *path, int create, int *is_new, shard_list *shards, lupe_err *err)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		*is_new = 0;
		int rc = read_shard_list(path, shards, err);
		for (size_t i = 0; i < shards->n && rc == LUPE_OK; i++) {
			int shard_new;
			if (is_tcp_url(shards->v[i], strlen(shards->v[i])))
				continue;
			rc = check_dir(shards->v[i], create, &shard_new, err);
			if (rc != LUPE_OK) {
				char msg[LUPE_ERRMSG_MAX];
				snprintf(msg, sizeof msg, "%s", err->msg);
				lupe_err_set(err, rc, "shard %s", msg);
			}
		}
		if (rc != LUPE_OK)
			shard_list_free(shards);
		return rc;
	}
	return check_dir(path, create, is_new, err);
}

static int check_dir(const char *path, int create, int *is_new, lupe_err *err)
{
	struct stat st;
	*is_new = 0;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && create) {
			*is_new = 1;
			return LUPE_OK;
		}
		if (errno == ENOENT)
			return lupe_err_set(err, LUPE_ENOTFOUND, "%s: no index there", path);
		return lupe_err_set(err, LUPE_EIO, "%s: %s", path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return lupe_err_set(err, LUPE_ENOTLUPE, "%s: not a lupe index (it is a file, not a directory)", path);
	if (lx_is_index_dir(path))
		return LUPE_OK;
	if ((dir_is_empty(path) || lx_dir_is_blank(path)) && create) {
		*is_new = 1;
		return LUPE_OK;
	}
	return lupe_err_set(err, LUPE_ENOTLUPE, "%s: not a lupe index (no index files in the directory)", path);
}

/*
 * The lupe metadata of a sharded index: every shard that answers must be a
 * lupe index of this format with the same settings, in its place in the
 * list (writers).  A blank shard, new or a fresh xapian-tcpsrv database,
 * becomes one when the handle may create.
 */
/* The keys shard_meta reads, in the order of shard_keys' values. */
enum { META_FORMAT, META_DECOMPOUND, META_SHARD, META_KEYS };

static int shard_keys(lupe_db *db, size_t n, int *blank, lupe_buf *vals, int create, int *decompound,
		      lupe_err *err);

static int shard_meta(lupe_db *db, int create, int *decompound, lupe_err *err)
{
	/* Every shard's keys at once: a remote shard answers a key a round trip. */
	static const char *const keys[META_KEYS] = {LUPE_META_FORMAT, LUPE_META_DECOMPOUND, LUPE_META_SHARD};
	size_t n = lx_shard_count(db->x);
	int *blank = calloc(n ? n : 1, sizeof *blank);
	lupe_buf *vals = calloc(n ? n * META_KEYS : 1, sizeof *vals);
	int rc = blank && vals ? lx_shards_get_metadata(db->x, keys, META_KEYS, blank, vals, err)
			       : lupe_err_set(err, LUPE_ENOMEM, "shard metadata: out of memory");
	if (rc == LUPE_OK)
		rc = shard_keys(db, n, blank, vals, create, decompound, err);
	for (size_t i = 0; vals && i < n * META_KEYS; i++)
		lupe_buf_free(&vals[i]);
	free(vals);
	free(blank);
	return rc;
}

static int shard_keys(lupe_db *db, size_t n, int *blank, lupe_buf *vals, int create, int *decompound,
		      lupe_err *err)
{
	size_t first_blank = n;
	int known = -1, rc;
	const char *known_from = NULL;
	char want[48];
	size_t seen[SHARDS_MAX] = {0}; /* a reader's: 1 + the list index of the shard made as shard K */

	for (size_t i = 0; i < n; i++) {
		const char *name = lx_shard_name(db->x, i);
		const lupe_buf *v = &vals[i * META_KEYS];
		if (!lx_shard_up(db->x, i))
			continue;
		if (blank[i]) {
			if (first_blank == n)
				first_blank = i;
			continue;
		}
		if (v[META_FORMAT].len == 0)
			return lupe_err_set(err, LUPE_ENOTLUPE,
					    "shard %s: not a lupe index (a Xapian database lupe did not make)", name);
		if (strcmp(v[META_FORMAT].p, LUPE_FORMAT) != 0)
			return lupe_err_set(err, LUPE_ENOTLUPE, "shard %s: lupe index format %s is not supported (want %s)",
					    name, v[META_FORMAT].p, LUPE_FORMAT);
		const lupe_buf *dv = &v[META_DECOMPOUND];
		int d = !(dv->len == 1 && dv->p[0] == '0');
		if (known < 0) {
			known = d;
			known_from = name;
		} else if (d != known) {
			return lupe_err_set(err, LUPE_ENOTLUPE,
					    "shard %s: compounds are %s there but %s in shard %s: not one index", name,
					    d ? "split" : "kept", known ? "split" : "kept", known_from);
		}
		const lupe_buf *place = &v[META_SHARD];
		snprintf(want, sizeof want, "%zu/%zu", i, n);
		if (db->writable && place->len && strcmp(place->p, want) != 0)
			return lupe_err_set(err, LUPE_ENOTLUPE,
					    "shard %s: it was made as shard %s (index/count) but is listed as %s: "
					    "documents would go to the wrong shard",
					    name, place->p, want);
		/* A reader takes the shards in any order, but each place once and
		 * all of one index: a shard serving another's data (a server
		 * restarted on the wrong folder) would give every hit twice. */
		unsigned long k, of;
		char end;
		if (!db->writable && place->len && sscanf(place->p, "%lu/%lu%c", &k, &of, &end) == 2) {
			if (of != n || k >= n)
				return lupe_err_set(err, LUPE_ENOTLUPE,
						    "shard %s: it was made as shard %s (index/count) of another index, "
						    "not one of these %zu",
						    name, place->p, n);
			if (seen[k])
				return lupe_err_set(err, LUPE_ENOTLUPE,
						    "shard %s: it holds shard %s's documents, as shard %s does: every hit "
						    "would come twice",
						    name, place->p, lx_shard_name(db->x, seen[k] - 1));
			seen[k] = i + 1;
		}
	}
	if (known >= 0)
		*decompound = known;
	if (first_blank == n)
		return LUPE_OK;
	if (!create)
		return lupe_err_set(err, LUPE_ENOTLUPE, "shard %s: empty, not a lupe index yet (index into it first)",
				    lx_shard_name(db->x, first_blank));
	for (size_t i = first_blank; i < n; i++) {
		if (!lx_shard_up(db->x, i) || !blank[i])
			continue;
		snprintf(want, sizeof want, "%zu/%zu", i, n);
		if ((rc = lx_shard_set_metadata(db->x, i, LUPE_META_FORMAT, LUPE_FORMAT, err)) != LUPE_OK ||
		    (rc = lx_shard_set_metadata(db->x, i, LUPE_META_DECOMPOUND, *decompound ? "1" : "0", err)) !=
			    LUPE_OK ||
		    (rc = lx_shard_set_metadata(db->x, i, LUPE_META_SHARD, want, err)) != LUPE_OK)
			return rc;
	}
	return lx_commit(db->x, err);
}

/* The pipeline's writer: runs on the caller's thread. */
static int lose_on_write(lupe_db *db, int rc);

static int write_doc(void *ctx, const char *idterm, size_t n, lx_doc *d, lupe_err *err)
{
	lupe_db *db = ctx;
	int rc = lx_replace(db->x, idterm, n, d, err);
	if (rc != LUPE_OK && err != &db->err)
		db->err = *err; /* lose() keeps the handle's message */
	return lose_on_write(db, rc);
}

int lupe_db_sync(lupe_db *db)
{
	if (db->bulk)
		return lupe_bulk_sync(db->bulk, &db->err);
	if (!db->pipe)
		return LUPE_OK;
	return lupe_pipeline_flush(db->pipe, &db->err);
}

int lupe_db_read_newest(lupe_db *db)
{
	if (db->writable)
		return lupe_db_sync(db);
	lupe_err scratch;
	lx_reopen(db->x, &scratch);
	return LUPE_OK;
}

/*
 * Text a bulk load's part writes into one segment (index/bulk.h): 64 MB, or
 * lupe_open_options.bulk_segment_bytes (version 4).
 */
static size_t segment_bytes(const lupe_open_options *opts)
{
	if (opts->version >= 4 && opts->bulk_segment_bytes > 0)
		return opts->bulk_segment_bytes;
	return (size_t)64 << 20;
}

/*
 * End a bulk load: merge the parts into the index.  The handle then writes
 * as an ordinary writer, with analysis threads when it has threads.
 */
static int end_bulk(lupe_db *db)
{
	int ended = 0;
	int rc = lupe_bulk_finish(db->bulk, &ended, &db->err);
	if (rc == LUPE_ELOST && !db->lost) {
		db->lost = 1;
		snprintf(db->lost_msg, sizeof db->lost_msg, "%s", db->err.msg);
	}
	if (!ended)
		return rc;
	db->bulk = NULL;
	/* Without the threads (out of memory) the handle still writes, on the caller's thread. */
	lupe_err e;
	if (db->threads > 1 && lupe_pipeline_new(&db->pipe, db->threads, db->decompound, write_doc, db, &e) != LUPE_OK)
		db->pipe = NULL;
	return rc;
}

LUPE_EXPORT int lupe_open(lupe_db **out, const char *path, const lupe_open_options *opts, char *errmsg,
			  size_t errmsg_len)
{
	lupe_open_options def = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	lupe_err err;
	shard_list shards = {NULL, 0};
	int is_new, rc = LUPE_OK, lockfd = -1;

	lupe_err_clear(&err);
	if (!out) {
		copy_msg(errmsg, errmsg_len, "lupe_open: out is NULL");
		return LUPE_EINVAL;
	}
	*out = NULL;
	if (!path || !*path) {
		copy_msg(errmsg, errmsg_len, "lupe_open: no path given");
		return LUPE_EINVAL;
	}
	if (!opts)
		opts = &def;
	int writable = (opts->flags & LUPE_OPEN_WRITE) != 0;
	int create = writable && (opts->flags & LUPE_OPEN_CREATE);

	/* A swap that died half-way left the index beside PATH: back first, so
	 * that nothing new is created in its place (lx_recover). */
	struct stat pst;
	if (writable && !(stat(path, &pst) == 0 && S_ISREG(pst.st_mode)))
		rc = lx_writer_lock(path, &lockfd, &err);
	/* Only a writer, under the lock: a reader moving folders could undo a
	 * writer's swap between its two renames. */
	if (rc == LUPE_OK && writable)
		rc = lx_recover(path, &err);
	if (rc == LUPE_OK)
		rc = check_path(path, create, &is_new, &shards, &err);
	if (rc != LUPE_OK)
		goto fail;
	if (is_new && !shards.n) {
		/* Built aside and renamed into place: a kill at any moment leaves no
		 * index or a complete empty one, never one lupe did not finish. */
		const char *keys[] = {LUPE_META_FORMAT, LUPE_META_DECOMPOUND};
		const char *values[] = {LUPE_FORMAT, opts->decompound ? "1" : "0"};
		if ((rc = lx_create(path, keys, values, 2, &err)) != LUPE_OK ||
		    (rc = check_dir(path, 0, &is_new, &err)) != LUPE_OK)
			goto fail;
	}
	db = calloc(1, sizeof *db);
	if (!db) {
		rc = lupe_err_set(&err, LUPE_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	db->lockfd = lockfd;
	lockfd = -1;
	db->writable = writable;
	db->batch_size = opts->batch_size ? opts->batch_size : 2000;
	db->batch_bytes = opts->version >= 3 && opts->batch_bytes ? opts->batch_bytes : LUPE_BATCH_BYTES;
	db->timeout_ms = opts->timeout_ms ? opts->timeout_ms : 5000;
	for (size_t i = 0; i < shards.n; i++)
		db->remote |= is_tcp_url(shards.v[i], strlen(shards.v[i]));
	if (!writable && (opts->flags & LUPE_OPEN_WATCHED) && !(db->watch = lupe_watch_new())) {
		rc = lupe_err_set(&err, LUPE_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	if (shards.n)
		rc = lx_open_shards(&db->x, (const char *const *)shards.v, shards.n, writable, create, db->timeout_ms,
				    &err);
	else
		rc = lx_open(&db->x, path, writable, create, &err);
	if (rc != LUPE_OK) {
		/* Index files there but Xapian cannot open them: damaged. */
		if (rc == LUPE_ENOTLUPE && lx_is_index_dir(path))
			rc = err.code = LUPE_ECORRUPT;
		goto fail;
	}

	/* A lupe index says so in its metadata; its analysis settings live there too. */
	int decompound = opts->decompound;
	if (shards.n) {
		if ((rc = shard_meta(db, create, &decompound, &err)) != LUPE_OK)
			goto fail;
	} else {
		if ((rc = lx_get_metadata(db->x, LUPE_META_FORMAT, &db->tmp, &err)) != LUPE_OK)
			goto fail;
		if (db->tmp.len == 0) {
			rc = lupe_err_set(&err, LUPE_ENOTLUPE, "%s: not a lupe index (a Xapian database lupe did not make)",
					  path);
			goto fail;
		}
		if (strcmp(db->tmp.p, LUPE_FORMAT) != 0) {
			rc = lupe_err_set(&err, LUPE_ENOTLUPE, "%s: lupe index format %s is not supported (want %s)", path,
					  db->tmp.p, LUPE_FORMAT);
			goto fail;
		}
		if ((rc = lx_get_metadata(db->x, LUPE_META_DECOMPOUND, &db->tmp, &err)) != LUPE_OK)
			goto fail;
		decompound = !(db->tmp.len == 1 && db->tmp.p[0] == '0');
	}
	db->decompound = decompound;
	lupe_analyzer_options ao = LUPE_ANALYZER_OPTIONS_INIT;
	ao.decompound = decompound;
	rc = lupe_analyzer_new(&db->an, &ao);
	if (rc != LUPE_OK) {
		lupe_err_set(&err, rc, "%s: cannot create the analyzer", path);
		goto fail;
	}
	if (writable) {
		unsigned threads = opts->version >= 2 ? opts->threads : 0;
		if (threads == 0) {
			long n = sysconf(_SC_NPROCESSORS_ONLN);
			threads = n < 1 ? 1 : n > 4 ? 4 : (unsigned)n;
		}
		if (threads > LX_PARTS_MAX)
			threads = LX_PARTS_MAX;
		db->threads = threads;
		db->decompound = decompound;
		/* With the lock held: what a dead bulk load or compaction left beside the index goes. */
		if (!shards.n)
			lx_remove_leftovers(db->x);
		/* A bulk load only into a local index without documents; else the flag is ignored. */
		int bulk = (opts->flags & LUPE_OPEN_BULK) && !shards.n;
		if (bulk) {
			uint64_t docs;
			if ((rc = lx_doc_count(db->x, &docs, &err)) != LUPE_OK)
				goto fail;
			bulk = docs == 0;
		}
		if (bulk) {
			/* The parts share the budgets: together they hold what one writer would. */
			unsigned every = db->batch_size / threads;
			size_t bytes = db->batch_bytes / threads;
			if ((rc = lupe_bulk_new(&db->bulk, db->x, threads, decompound, every ? every : 1, bytes ? bytes : 1,
						segment_bytes(opts), &err)) != LUPE_OK)
				goto fail;
		} else if (threads > 1 &&
			   (rc = lupe_pipeline_new(&db->pipe, threads, decompound, write_doc, db, &err)) != LUPE_OK) {
			goto fail;
		}
	}
	shard_list_free(&shards);
	*out = db;
	return LUPE_OK;
fail:
	copy_msg(errmsg, errmsg_len, err.msg);
	shard_list_free(&shards);
	lupe_close(db);
	lx_writer_unlock(lockfd);
	return rc;
}

LUPE_EXPORT void lupe_close(lupe_db *db)
{
	if (!db)
		return;
	/* A search that never returned still uses the handle: leave it all. */
	if (db->hung) {
		lupe_watch_abandon(db->watch);
		return;
	}
	lupe_watch_free(db->watch);
	/* Close commits what was added: a bulk load is merged, queued documents
	 * are written; not after a loss: a part of a batch is never published. */
	if (db->bulk && (db->lost || end_bulk(db) != LUPE_OK) && db->bulk) {
		lupe_bulk_free(db->bulk);
		db->bulk = NULL;
	}
	if (db->pipe) {
		if (!db->lost)
			lupe_db_sync(db);
		lupe_pipeline_free(db->pipe);
	}
	lx_close(db->x);
	lx_writer_unlock(db->lockfd); /* after Xapian's lock is released */
	lupe_analyzer_free(db->an);
	lupe_tokens_release(&db->toks);
	lupe_buf_free(&db->tmp);
	lupe_buf_free(&db->rec);
	lupe_buf_free(&db->deep);
	lupe_rcache_free(db->records);
	lupe_dcache_free(db->deep_bodies);
	lupe_snip_scratch_free(&db->snip);
	free(db);
}

LUPE_EXPORT const char *lupe_errmsg(const lupe_db *db)
{
	if (db && db->hung)
		return db->hung_msg;
	return db ? db->err.msg : "no database handle";
}

LUPE_EXPORT int lupe_doc_count(lupe_db *db, uint64_t *out)
{
	if (!db || !out)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	lupe_err_clear(&db->err);
	int rc = lupe_db_read_newest(db);
	if (rc != LUPE_OK)
		return rc;
	return lx_doc_count(db->x, out, &db->err);
}

static int check_id(lupe_db *db, const char *id)
{
	if (!id || !*id)
		return lupe_err_set(&db->err, LUPE_EINVAL, "document has no id");
	size_t n = strlen(id);
	if (n > LUPE_ID_MAX)
		return lupe_err_set(&db->err, LUPE_EINVAL, "document id is longer than %d bytes: %.40s...",
				    LUPE_ID_MAX, id);
	return LUPE_OK;
}

/*
 * A failed commit: Xapian has discarded every change since the last
 * commit, so a later commit would say LUPE_OK over nothing.  The handle
 * keeps saying so until the caller acknowledges (lupe_acknowledge_loss).
 */
static int lose(lupe_db *db, int rc)
{
	if (rc == LUPE_OK || rc == LUPE_ELOST || db->lost)
		return rc;
	db->lost = 1;
	db->pending = 0, db->pending_bytes = 0;
	snprintf(db->lost_msg, sizeof db->lost_msg, "%s", db->err.msg);
	return rc;
}

/*
 * A write (an add or a delete) that failed may have lost what was not
 * committed: Xapian flushes inside a write when its buffer is full, and a
 * failed flush discards every uncommitted change, as a failed commit does;
 * a remote shard whose connection failed drops what it held.  So reading,
 * writing and network failures of a write are losses; a bad argument, or
 * memory lupe could not get, is not.
 */
static int lose_on_write(lupe_db *db, int rc)
{
	if (rc == LUPE_EIO || rc == LUPE_ECORRUPT || rc == LUPE_ENETWORK)
		return lose(db, rc);
	return rc;
}

static int refuse_if_lost(lupe_db *db, const char *what)
{
	const char *why;
	if (!db->lost && db->bulk && (why = lupe_bulk_broken(db->bulk))) {
		db->lost = 1;
		snprintf(db->lost_msg, sizeof db->lost_msg, "%s", why);
	}
	if (!db->lost)
		return LUPE_OK;
	return lupe_err_set(&db->err, LUPE_ELOST,
			    "%s: uncommitted changes were lost when a commit failed (%s); add them again after "
			    "lupe_acknowledge_loss()",
			    what, db->lost_msg);
}

static size_t text_bytes(const lupe_document *doc)
{
	return (doc->title ? doc->title_len : 0) + (doc->text ? doc->text_len : 0);
}

static int commit(lupe_db *db, int automatic);

static int after_change(lupe_db *db, size_t bytes)
{
	/* A bulk load's parts commit by themselves; committing the handle would end the load. */
	if (db->bulk)
		return LUPE_OK;
	db->pending_bytes += bytes;
	if (++db->pending >= db->batch_size || db->pending_bytes >= db->batch_bytes)
		return commit(db, 1);
	return LUPE_OK;
}

LUPE_EXPORT int lupe_add(lupe_db *db, const lupe_document *doc)
{
	lx_doc *xd;
	int rc;
	if (!db)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	lupe_err_clear(&db->err);
	if (!doc)
		return lupe_err_set(&db->err, LUPE_EINVAL, "lupe_add: document is NULL");
	if (!db->writable)
		return lupe_err_set(&db->err, LUPE_EREADONLY, "lupe_add: index is open read-only");
	if ((rc = refuse_if_lost(db, "lupe_add")) != LUPE_OK)
		return rc;
	if ((rc = check_id(db, doc->id)) != LUPE_OK)
		return rc;
	int small = !doc->text || doc->text_len <= LUPE_PIPE_BYTES / 2;
	if ((db->pipe || db->bulk) && small) {
		/* The one failure of analysis that is the caller's: check it now. */
		char date[15];
		if (doc->date && *doc->date && lupe_date_normalise(doc->date, date) < 0)
			return lupe_err_set(&db->err, LUPE_EINVAL,
					    "document %s: date \"%.40s\" is not ISO 8601 (YYYY-MM-DD)", doc->id, doc->date);
		rc = db->bulk ? lupe_bulk_add(db->bulk, doc, &db->err) : lupe_pipeline_add(db->pipe, doc, &db->err);
		if (rc != LUPE_OK)
			return rc;
		return after_change(db, text_bytes(doc));
	}
	/* A huge document is analysed here, after what is queued for it, without a copy. */
	lx_db *to = db->x;
	rc = db->bulk ? lupe_bulk_part_of(db->bulk, doc->id, &to, NULL, &db->err) : lupe_db_sync(db);
	if (rc != LUPE_OK)
		return rc;
	rc = lupe_document_build(db->an, doc, &db->toks, &db->tmp, &xd, &db->err);
	if (rc != LUPE_OK)
		return rc;
	if (lupe_id_term(&db->tmp, doc->id) < 0) {
		lx_doc_free(xd);
		return lupe_err_set(&db->err, LUPE_ENOMEM, "lupe_add: out of memory");
	}
	rc = lx_replace(to, db->tmp.p, db->tmp.len, xd, &db->err);
	lx_doc_free(xd);
	if (rc != LUPE_OK)
		return db->bulk ? rc : lose_on_write(db, rc);
	return after_change(db, text_bytes(doc));
}

LUPE_EXPORT int lupe_delete(lupe_db *db, const char *id)
{
	int rc, found = 0;
	if (!db)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	lupe_err_clear(&db->err);
	if (!db->writable)
		return lupe_err_set(&db->err, LUPE_EREADONLY, "lupe_delete: index is open read-only");
	if ((rc = refuse_if_lost(db, "lupe_delete")) != LUPE_OK)
		return rc;
	if ((rc = check_id(db, id)) != LUPE_OK)
		return rc;
	/* Keep the order of adds and deletes: what was queued for this id is written first. */
	lx_db *from = db->x;
	int older = 0;
	rc = db->bulk ? lupe_bulk_part_of(db->bulk, id, &from, &older, &db->err) : lupe_db_sync(db);
	if (rc != LUPE_OK)
		return rc;
	if (lupe_id_term(&db->tmp, id) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "lupe_delete: out of memory");
	rc = lx_delete(from, db->tmp.p, db->tmp.len, &found, &db->err);
	if (rc != LUPE_OK)
		return db->bulk ? rc : lose_on_write(db, rc);
	found |= older;
	if (!found)
		return lupe_err_set(&db->err, LUPE_ENOTFOUND, "no document with id %.200s", id);
	return after_change(db, 0);
}

LUPE_EXPORT int lupe_commit(lupe_db *db)
{
	return commit(db, 0);
}

/*
 * lupe_commit, or with `automatic` one of the commits that bound a
 * writer's memory (after_change): those leave the index's term lists for
 * remote readers to the next lupe_commit (lx_commit_batch).
 */
static int commit(lupe_db *db, int automatic)
{
	if (!db)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	lupe_err_clear(&db->err);
	if (!db->writable)
		return lupe_err_set(&db->err, LUPE_EREADONLY, "lupe_commit: index is open read-only");
	int rc = refuse_if_lost(db, "lupe_commit");
	if (rc != LUPE_OK)
		return rc;
	if (db->bulk) {
		rc = end_bulk(db);
		if (rc == LUPE_OK)
			db->pending = 0, db->pending_bytes = 0;
		return rc;
	}
	rc = lupe_db_sync(db);
	if (rc != LUPE_OK)
		return rc;
	rc = lose(db, automatic ? lx_commit_batch(db->x, &db->err) : lx_commit(db->x, &db->err));
	if (rc == LUPE_OK)
		db->pending = 0, db->pending_bytes = 0;
	return rc;
}

LUPE_EXPORT int lupe_compact(lupe_db *db)
{
	if (!db)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	lupe_err_clear(&db->err);
	if (!db->writable)
		return lupe_err_set(&db->err, LUPE_EREADONLY, "lupe_compact: index is open read-only");
	int rc = refuse_if_lost(db, "lupe_compact");
	if (rc != LUPE_OK)
		return rc;
	/* Ending a bulk load is a compaction: lx_compact then has nothing left to do. */
	rc = db->bulk ? end_bulk(db) : lupe_db_sync(db);
	/* Commit first, through lose(): a failed commit discards the pending
	 * changes, which must be reported as lost like lupe_commit() does. */
	if (rc == LUPE_OK && !db->bulk)
		rc = lose(db, lx_commit(db->x, &db->err));
	if (rc != LUPE_OK)
		return rc;
	rc = lx_compact(db->x, &db->err);
	if (rc == LUPE_OK)
		db->pending = 0, db->pending_bytes = 0;
	return rc;
}

LUPE_EXPORT int lupe_acknowledge_loss(lupe_db *db)
{
	if (!db)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	lupe_err_clear(&db->err);
	if (!db->lost)
		return LUPE_OK;
	db->lost = 0;
	db->lost_msg[0] = '\0';
	/* A failed bulk load is given up whole: the index is as it was opened. */
	if (db->bulk) {
		lupe_bulk_free(db->bulk);
		db->bulk = NULL;
		/* Without its threads (no memory or threads for them) the handle
		 * writes on the caller's thread, as with threads = 1: nothing is
		 * lost by that, so it is no failure of this call. */
		lupe_err e;
		if (db->threads > 1 && lupe_pipeline_new(&db->pipe, db->threads, db->decompound, write_doc, db, &e) != LUPE_OK)
			db->pipe = NULL;
	}
	return LUPE_OK;
}

LUPE_EXPORT int lupe_check(const char *path, char *errmsg, size_t errmsg_len)
{
	lupe_err err;
	int is_new, rc;
	lupe_err_clear(&err);
	if (!path || !*path) {
		copy_msg(errmsg, errmsg_len, "lupe_check: no path given");
		return LUPE_EINVAL;
	}
	rc = check_dir(path, 0, &is_new, &err);
	if (rc == LUPE_OK)
		rc = lx_check(path, &err);
	copy_msg(errmsg, errmsg_len, rc == LUPE_OK ? "" : err.msg);
	return rc;
}
