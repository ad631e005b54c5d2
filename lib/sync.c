/*
 * lupe_sync_path(): keep an index equal to a folder of files, in three
 * steps -- walk (stat only, ignore rules applied), compare (size and
 * mtime against what the index recorded), write (read, extract and add
 * what changed; delete what is gone) -- so that an unchanged folder costs
 * a walk and one look-up per file.  lupe_sync_prune() drops documents of
 * files that no longer exist.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "index/extract.h"

#define SYNC_META_PREFIX LUPE_META_SYNC_PREFIX
#define SYNC_MAX_FILE_BYTES (64u << 20)
#define SYNC_MAX_DEPTH 256
#define SYNC_ID_MAX 200

/* One pattern line of a .gitignore or .ignore file. */
struct rule {
	char *pat;
	unsigned neg : 1, dironly : 1, anchored : 1, any_depth : 1;
};

/* The patterns of one folder's ignore files; they apply below `base`. */
struct ruleset {
	size_t base_len; /* bytes of the folder's path under the root, "sub/dir" (0: the root) */
	struct rule *v;
	size_t n;
};

struct entry {
	char *path;
	uint64_t size;
	int64_t mtime, nsec;
	int state; /* 0: unchanged, 1: new, 2: changed */
};

struct sync {
	lupe_db *db;
	const lupe_sync_options *o;
	lupe_sync_stats *st;
	lupe_buf path;            /* the absolute path being walked */
	size_t root_len;          /* bytes of the root in `path` */
	struct ruleset *rules;
	size_t n_rules, cap_rules;
	struct entry *ent;
	size_t n_ent, cap_ent;
	int stop;
	int nomem;
	int scanned; /* the walk is over: events carry done/total */
};

static int emit(struct sync *s, int kind, const char *path, const char *msg)
{
	if (!s->o->callback)
		return 0;
	/* Before the walk ends there is no total, and nothing is done. */
	lupe_sync_event ev = {kind, path, msg, 0, 0, s->st->bytes};
	if (s->scanned) {
		ev.total = s->st->files;
		ev.done = s->st->added + s->st->updated + s->st->unchanged + s->st->skipped;
	}
	if (s->o->callback(&ev, s->o->ctx) != 0) {
		s->stop = 1;
		s->st->stopped = 1;
	}
	return s->stop;
}

static void warn(struct sync *s, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(struct sync *s, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(s, LUPE_SYNC_WARNING, path, msg);
}

/* ---------------------------------------------------------------------- */
/* Ignore rules                                                            */
/* ---------------------------------------------------------------------- */

static void free_ruleset(struct ruleset *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].pat);
	free(r->v);
}

/* Parse one line into *r; 0 when the line holds no pattern, -1 out of memory. */
static int parse_rule(char *line, struct rule *r)
{
	size_t n = strlen(line);
	memset(r, 0, sizeof *r);
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		line[--n] = '\0';
	/* Trailing blanks go, unless escaped. */
	while (n > 0 && line[n - 1] == ' ' && !(n > 1 && line[n - 2] == '\\'))
		line[--n] = '\0';
	if (n == 0 || line[0] == '#')
		return 0;
	char *p = line;
	if (*p == '!') {
		r->neg = 1;
		p++;
	} else if (*p == '\\' && (p[1] == '#' || p[1] == '!')) {
		p++;
	}
	n = strlen(p);
	if (n > 0 && p[n - 1] == '/') {
		r->dironly = 1;
		p[--n] = '\0';
	}
	if (n >= 3 && !strcmp(p + n - 3, "/**")) {
		/* "dir/" + "**": everything inside dir, i.e. dir itself. */
		n -= 3;
		p[n] = '\0';
		r->dironly = 1;
	}
	if (!strncmp(p, "**/", 3)) {
		p += 3;
		r->any_depth = 1;
	}
	if (*p == '/') {
		r->anchored = 1;
		p++;
	} else if (strchr(p, '/') && !r->any_depth) {
		r->anchored = 1;
	}
	if (!*p)
		return 0;
	if (!(r->pat = strdup(p)))
		return -1;
	return 1;
}

/* Read the .gitignore and .ignore of the folder in s->path (if any) as a new ruleset. */
static int push_rules(struct sync *s, size_t dir_len)
{
	static const char *const files[] = {".gitignore", ".ignore"};
	struct ruleset rs = {dir_len > s->root_len ? dir_len - s->root_len - 1 : 0, NULL, 0};
	size_t cap = 0;

	if (s->o->flags & LUPE_SYNC_NO_IGNORE)
		return 0;
	for (int f = 0; f < 2; f++) {
		s->path.len = dir_len;
		if (lupe_buf_putc(&s->path, '/') || lupe_buf_append(&s->path, files[f], strlen(files[f])) ||
		    lupe_buf_terminate(&s->path))
			goto nomem;
		FILE *fp = fopen(s->path.p, "re");
		if (!fp) {
			if (errno != ENOENT && errno != ENOTDIR)
				warn(s, s->path.p, "%s, its patterns not used", strerror(errno));
			continue;
		}
		char *line = NULL;
		size_t lcap = 0;
		int lines = 0;
		while (getline(&line, &lcap, fp) >= 0 && lines++ < 100000) {
			struct rule r;
			int got = parse_rule(line, &r);
			if (got < 0) {
				free(line);
				fclose(fp);
				goto nomem;
			}
			if (!got)
				continue;
			if (rs.n == cap) {
				size_t nc = cap ? cap * 2 : 16;
				struct rule *v = realloc(rs.v, nc * sizeof *v);
				if (!v) {
					free(r.pat);
					free(line);
					fclose(fp);
					goto nomem;
				}
				rs.v = v;
				cap = nc;
			}
			rs.v[rs.n++] = r;
		}
		free(line);
		fclose(fp);
	}
	s->path.len = dir_len;
	s->path.p[dir_len] = '\0';
	if (rs.n == 0) {
		free(rs.v);
		return 0;
	}
	if (s->n_rules == s->cap_rules) {
		size_t nc = s->cap_rules ? s->cap_rules * 2 : 8;
		struct ruleset *v = realloc(s->rules, nc * sizeof *v);
		if (!v)
			goto nomem;
		s->rules = v;
		s->cap_rules = nc;
	}
	s->rules[s->n_rules++] = rs;
	return 1;
nomem:
	free_ruleset(&rs);
	s->path.len = dir_len;
	s->nomem = 1;
	return -1;
}

static int rule_matches(const struct rule *r, const char *sub, const char *base)
{
	if (r->anchored)
		return fnmatch(r->pat, sub, FNM_PATHNAME) == 0;
	if (!strchr(r->pat, '/'))
		return fnmatch(r->pat, base, 0) == 0;
	/* "**" + "/a/b": a/b at any depth. */
	for (const char *p = sub; p; p = strchr(p, '/'), p = p ? p + 1 : NULL)
		if (fnmatch(r->pat, p, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

/* Whether the entry at rel (its path under the root) is ignored by the rules in force. */
static int ignored(const struct sync *s, const char *rel, const char *base, int is_dir)
{
	int ign = 0;
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct ruleset *rs = &s->rules[i];
		const char *sub = rel + (rs->base_len ? rs->base_len + 1 : 0);
		for (size_t k = 0; k < rs->n; k++) {
			const struct rule *r = &rs->v[k];
			if (r->dironly && !is_dir)
				continue;
			if (rule_matches(r, sub, base))
				ign = !r->neg;
		}
	}
	return ign;
}

/* A glob of include/exclude: with a '/', against the path under the root, else the name. */
static int glob_matches(const char *const *globs, const char *rel, const char *base)
{
	for (size_t i = 0; globs && globs[i]; i++) {
		const char *g = globs[i];
		if (g[0] == '/' ? fnmatch(g + 1, rel, FNM_PATHNAME) == 0
				: strchr(g, '/') ? fnmatch(g, rel, FNM_PATHNAME) == 0 : fnmatch(g, base, 0) == 0)
			return 1;
	}
	return 0;
}

static int default_extension(const char *name)
{
	static const char *const ext[] = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", NULL};
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name)
		return 0;
	for (size_t i = 0; ext[i]; i++)
		if (!strcasecmp(dot, ext[i]))
			return 1;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Walking                                                                 */
/* ---------------------------------------------------------------------- */

static int add_entry(struct sync *s, const char *path, const struct stat *st)
{
	if (strlen(path) > SYNC_ID_MAX) {
		s->st->files++;
		s->st->skipped++;
		warn(s, path, "path longer than %d bytes, skipped", SYNC_ID_MAX);
		return 0;
	}
	if (s->n_ent == s->cap_ent) {
		size_t nc = s->cap_ent ? s->cap_ent * 2 : 256;
		struct entry *v = realloc(s->ent, nc * sizeof *v);
		if (!v)
			return -1;
		s->ent = v;
		s->cap_ent = nc;
	}
	struct entry *e = &s->ent[s->n_ent];
	if (!(e->path = strdup(path)))
		return -1;
	e->size = (uint64_t)st->st_size;
	e->mtime = (int64_t)st->st_mtim.tv_sec;
	e->nsec = (int64_t)st->st_mtim.tv_nsec;
	e->state = 0;
	s->n_ent++;
	s->st->files++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk the folder in s->path (dir_len bytes), in name order. */
static int walk(struct sync *s, size_t dir_len, int depth)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0, pushed = 0;

	if (depth > SYNC_MAX_DEPTH) {
		warn(s, s->path.p, "more than %d folders deep, skipped", SYNC_MAX_DEPTH);
		return 0;
	}
	DIR *d = opendir(s->path.p);
	if (!d) {
		warn(s, s->path.p, "%s, skipped", strerror(errno));
		return 0;
	}
	struct dirent *e;
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!strcmp(e->d_name, ".git"))
			continue;
		if (e->d_name[0] == '.' && !(s->o->flags & LUPE_SYNC_HIDDEN))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **v = realloc(names, nc * sizeof *v);
			if (!v)
				goto nomem;
			names = v;
			cap = nc;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto nomem;
		n++;
	}
	if (errno)
		warn(s, s->path.p, "%s (folder read in part)", strerror(errno));
	closedir(d);
	d = NULL;
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names); /* names is NULL for an empty folder */

	if ((pushed = push_rules(s, dir_len)) < 0)
		goto nomem;
	for (size_t i = 0; i < n && !s->stop; i++) {
		size_t nl = strlen(names[i]);
		s->path.len = dir_len;
		if (lupe_buf_putc(&s->path, '/') || lupe_buf_append(&s->path, names[i], nl) ||
		    lupe_buf_terminate(&s->path))
			goto nomem;
		const char *rel = s->path.p + s->root_len + 1;
		struct stat st;
		if (lstat(s->path.p, &st) != 0) {
			if (errno != ENOENT) /* gone since readdir: nothing to say */
				warn(s, s->path.p, "%s, skipped", strerror(errno));
			continue;
		}
		int is_dir = S_ISDIR(st.st_mode);
		if (S_ISLNK(st.st_mode)) {
			struct stat t;
			if (stat(s->path.p, &t) != 0) {
				warn(s, s->path.p, "%s, skipped", errno == ELOOP ? "symbolic link loop" :
								 errno == ENOENT ? "broken symbolic link" : strerror(errno));
				continue;
			}
			if (S_ISDIR(t.st_mode))
				continue; /* links to folders are not followed: a tree could become endless */
			st = t;
		}
		if (!is_dir && !S_ISREG(st.st_mode))
			continue; /* FIFOs, devices, sockets: reading them could block or never end */
		if (ignored(s, rel, names[i], is_dir) || glob_matches(s->o->exclude, rel, names[i]))
			continue;
		if (is_dir) {
			if (walk(s, s->path.len, depth + 1) < 0)
				goto nomem;
			continue;
		}
		if (s->o->include ? !glob_matches(s->o->include, rel, names[i]) : !default_extension(names[i]))
			continue;
		if (add_entry(s, s->path.p, &st) < 0)
			goto nomem;
	}
	goto out;
nomem:
	rc = -1;
	s->nomem = 1;
out:
	if (d)
		closedir(d);
	if (rc == 0 && pushed > 0)
		free_ruleset(&s->rules[--s->n_rules]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	s->path.len = dir_len;
	if (s->path.p)
		s->path.p[dir_len] = '\0';
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Comparing and writing                                                   */
/* ---------------------------------------------------------------------- */

static int meta_key(lupe_buf *b, const char *id)
{
	b->len = 0;
	return lupe_buf_append(b, SYNC_META_PREFIX, strlen(SYNC_META_PREFIX)) ||
	       lupe_buf_append(b, id, strlen(id)) || lupe_buf_terminate(b);
}

static void signature(char *out, size_t cap, const struct entry *e)
{
	snprintf(out, cap, "%" PRIu64 " %" PRId64 ".%09" PRId64, e->size, e->mtime, e->nsec);
}

/* Whether e's document is missing (1: new) or recorded with another size/mtime (2). */
static int compare(struct sync *s, struct entry *e, lupe_buf *key, lupe_buf *val)
{
	int64_t m;
	int rc = lupe_get_mtime(s->db, e->path, &m);
	if (rc == LUPE_ENOTFOUND)
		return e->state = 1, LUPE_OK;
	if (rc != LUPE_OK)
		return rc;
	if (meta_key(key, e->path))
		return lupe_err_set(&s->db->err, LUPE_ENOMEM, "out of memory");
	if ((rc = lx_get_metadata(s->db->x, key->p, val, &s->db->err)) != LUPE_OK)
		return rc;
	char sig[80];
	signature(sig, sizeof sig, e);
	e->state = strcmp(val->p ? val->p : "", sig) ? 2 : 0;
	return LUPE_OK;
}

/* Read up to max bytes of the file; NULL with errno set on failure. */
static char *read_some(const char *path, uint64_t max, size_t *len, int *truncated)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	size_t cap = (uint64_t)st.st_size < max ? (size_t)st.st_size + 1 : (size_t)max + 1, n = 0;
	if (cap < 4096)
		cap = 4096;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	*truncated = 0;
	for (;;) {
		if (n == max) {
			char c;
			*truncated = read(fd, &c, 1) == 1;
			break;
		}
		if (n + 1 >= cap) { /* the file grew while read */
			size_t nc = cap * 2 > max + 1 ? (size_t)max + 1 : cap * 2;
			char *b = realloc(buf, nc);
			if (!b) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = b;
			cap = nc;
		}
		size_t want = cap - 1 - n;
		if (want > max - n)
			want = (size_t)(max - n);
		ssize_t got = read(fd, buf + n, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static const char *base_name(const char *path)
{
	const char *sl = strrchr(path, '/');
	return sl ? sl + 1 : path;
}

/* Read, extract and add one file; a lupe status only for failures that end the sync. */
static int add_file(struct sync *s, struct entry *e, lupe_buf *key)
{
	uint64_t max = s->o->max_file_bytes ? s->o->max_file_bytes : SYNC_MAX_FILE_BYTES;
	size_t len = 0;
	int trunc = 0;
	char *buf = read_some(e->path, max, &len, &trunc);
	if (!buf) {
		if (errno == ENOMEM)
			return lupe_err_set(&s->db->err, LUPE_ENOMEM, "out of memory reading %.200s", e->path);
		s->st->skipped++;
		warn(s, e->path, "%s, skipped", errno == ENOENT ? "vanished" : strerror(errno));
		return LUPE_OK;
	}
	s->st->bytes += len;
	if (len == 0) {
		free(buf);
		s->st->skipped++;
		warn(s, e->path, "empty file, skipped");
		return LUPE_OK;
	}
	if (trunc)
		warn(s, e->path, "bigger than %" PRIu64 " bytes, only its start indexed", max);
	lupe_extracted x;
	int rc = lupe_extract(lupe_kind_of_name(e->path), buf, len, &x);
	free(buf);
	if (rc == LUPE_EINVAL) {
		s->st->skipped++;
		warn(s, e->path, "binary file, skipped");
		return LUPE_OK;
	}
	const char *why = rc == LUPE_EINTERNAL ? lupe_extract_why() : NULL; /* a library it could not load */
	if (why)
		return lupe_err_set(&s->db->err, rc, "%.200s: %s", e->path, why);
	if (rc != LUPE_OK)
		return lupe_err_set(&s->db->err, rc, "out of memory extracting %.200s", e->path);

	char date[32];
	time_t t = (time_t)e->mtime;
	struct tm tm;
	lupe_document doc = LUPE_DOCUMENT_INIT;
	doc.id = e->path;
	doc.path = e->path;
	doc.source = s->o->source && *s->o->source ? s->o->source : "files";
	doc.title = x.title ? x.title : base_name(e->path);
	doc.title_len = x.title ? x.title_len : strlen(doc.title);
	doc.text = x.text;
	doc.text_len = x.text_len;
	doc.mtime = e->mtime;
	if (gmtime_r(&t, &tm) && tm.tm_year >= 0 && tm.tm_year < 8000 &&
	    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) > 0)
		doc.date = date;
	rc = lupe_add(s->db, &doc);
	lupe_extracted_release(&x);
	if (rc == LUPE_EINVAL) {
		s->st->skipped++;
		warn(s, e->path, "%s, skipped", lupe_errmsg(s->db));
		return LUPE_OK;
	}
	if (rc != LUPE_OK)
		return rc;
	char sig[80];
	signature(sig, sizeof sig, e);
	if (meta_key(key, e->path))
		return lupe_err_set(&s->db->err, LUPE_ENOMEM, "out of memory");
	if ((rc = lx_set_metadata(s->db->x, key->p, sig, &s->db->err)) != LUPE_OK)
		return rc;
	if (e->state == 1)
		s->st->added++;
	else
		s->st->updated++;
	emit(s, LUPE_SYNC_FILE, e->path, e->state == 1 ? "added" : "updated");
	return LUPE_OK;
}

static int remove_doc(struct sync *s, const char *id, lupe_buf *key)
{
	int rc = LUPE_OK;
	if (!(s->o->flags & LUPE_SYNC_DRY_RUN)) {
		rc = lupe_delete(s->db, id);
		if (rc == LUPE_ENOTFOUND)
			rc = LUPE_OK;
		if (rc != LUPE_OK)
			return rc;
		if (meta_key(key, id))
			return lupe_err_set(&s->db->err, LUPE_ENOMEM, "out of memory");
		if ((rc = lx_set_metadata(s->db->x, key->p, "", &s->db->err)) != LUPE_OK)
			return rc;
	}
	s->st->removed++;
	emit(s, LUPE_SYNC_REMOVED, id, NULL);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/* Delete the documents under the root (prefix) that the walk did not find. */
static int remove_gone(struct sync *s, const char *prefix, int is_dir, lupe_buf *key)
{
	lupe_strings *ids = NULL;
	int rc = lupe_list_ids(s->db, &ids, prefix);
	if (rc != LUPE_OK)
		return rc;
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < lupe_strings_count(ids) && rc == LUPE_OK; i++) {
		const char *id = lupe_strings_get(ids, i);
		/* "/a/b" as a prefix also lists "/a/bc": only the root itself and what is below it. */
		if (is_dir ? id[plen] != '/' && id[plen] != '\0' : id[plen] != '\0')
			continue;
		struct entry k = {(char *)id, 0, 0, 0, 0};
		if (!bsearch(&k, s->ent, s->n_ent, sizeof *s->ent, cmp_entry))
			rc = remove_doc(s, id, key);
	}
	lupe_strings_free(ids);
	return rc;
}

static void free_sync(struct sync *s)
{
	for (size_t i = 0; i < s->n_ent; i++)
		free(s->ent[i].path);
	free(s->ent);
	for (size_t i = 0; i < s->n_rules; i++)
		free_ruleset(&s->rules[i]);
	free(s->rules);
	lupe_buf_free(&s->path);
}

/*
 * What lupe_sync_path and lupe_sync_prune check and set up alike: a
 * writable handle, known options, zeroed stats (into *dummy when the caller
 * passed none).  LUPE_OK, or the status with the handle's message set.
 */
static int sync_begin(struct sync *s, lupe_db *db, const lupe_sync_options *opts, lupe_sync_stats *stats,
		      lupe_sync_stats *dummy)
{
	static const lupe_sync_options defaults = LUPE_SYNC_OPTIONS_INIT;
	if (!stats)
		stats = dummy;
	memset(stats, 0, sizeof *stats);
	memset(s, 0, sizeof *s);
	if (!db)
		return LUPE_EINVAL;
	lupe_err_clear(&db->err);
	if (!db->writable)
		return lupe_err_set(&db->err, LUPE_EREADONLY, "the index is open read-only");
	if (opts && (opts->version < 1 || opts->version > LUPE_SYNC_OPTIONS_VERSION))
		return lupe_err_set(&db->err, LUPE_EINVAL, "unknown lupe_sync_options version %u", opts->version);
	s->db = db;
	s->o = opts ? opts : &defaults;
	s->st = stats;
	return LUPE_OK;
}

LUPE_EXPORT int lupe_sync_path(lupe_db *db, const char *path, const lupe_sync_options *opts,
			       lupe_sync_stats *stats)
{
	lupe_sync_stats dummy;
	struct sync s;
	lupe_buf key = {0}, val = {0};
	int rc = sync_begin(&s, db, opts, stats, &dummy);

	if (rc != LUPE_OK)
		return rc;
	if (!path || !*path)
		return lupe_err_set(&db->err, LUPE_EINVAL, "no path to sync");

	char *root = realpath(path, NULL);
	if (!root) {
		int e = errno;
		return lupe_err_set(&db->err, e == ENOENT || e == ENOTDIR ? LUPE_ENOTFOUND : LUPE_EIO, "%.400s: %s",
				    path, strerror(e));
	}
	struct stat st;
	if (stat(root, &st) != 0) {
		rc = lupe_err_set(&db->err, LUPE_ENOTFOUND, "%.400s: %s", path, strerror(errno));
		goto out;
	}

	int is_dir = S_ISDIR(st.st_mode);
	size_t rlen = strlen(root);
	if (is_dir && rlen == 1)
		rlen = 0; /* the root folder "/": children are "/name" */
	if (lupe_buf_append(&s.path, root, rlen) || lupe_buf_terminate(&s.path)) {
		rc = lupe_err_set(&db->err, LUPE_ENOMEM, "out of memory");
		goto out;
	}
	s.root_len = rlen;
	if (is_dir) {
		if (walk(&s, rlen, 0) < 0 || s.nomem) {
			rc = lupe_err_set(&db->err, LUPE_ENOMEM, "out of memory walking %.400s", path);
			goto out;
		}
	} else if (S_ISREG(st.st_mode)) {
		/* A file named by itself is indexed whatever its name. */
		if (add_entry(&s, root, &st) < 0) {
			rc = lupe_err_set(&db->err, LUPE_ENOMEM, "out of memory");
			goto out;
		}
	} else {
		rc = lupe_err_set(&db->err, LUPE_EINVAL, "%.400s: not a regular file or folder", path);
		goto out;
	}
	if (s.n_ent > 1)
		qsort(s.ent, s.n_ent, sizeof *s.ent, cmp_entry);
	s.scanned = 1;
	emit(&s, LUPE_SYNC_SCANNED, root, NULL);

	/* Compare everything before writing anything: a writer's threads then run
	 * undisturbed.  In an index without documents every file is new: no
	 * look-up per file (they run before the first file is read). */
	uint64_t docs = 1;
	if (s.n_ent && lupe_doc_count(db, &docs) == LUPE_OK && docs == 0)
		for (size_t i = 0; i < s.n_ent; i++)
			s.ent[i].state = 1;
	else
		for (size_t i = 0; i < s.n_ent && rc == LUPE_OK; i++)
			rc = compare(&s, &s.ent[i], &key, &val);
	for (size_t i = 0; i < s.n_ent && rc == LUPE_OK && !s.stop; i++) {
		struct entry *e = &s.ent[i];
		if (e->state == 0) {
			stats->unchanged++;
			emit(&s, LUPE_SYNC_FILE, e->path, "unchanged");
		} else if (s.o->flags & LUPE_SYNC_DRY_RUN) {
			if (e->state == 1)
				stats->added++;
			else
				stats->updated++;
			emit(&s, LUPE_SYNC_FILE, e->path, e->state == 1 ? "added" : "updated");
		} else {
			rc = add_file(&s, e, &key);
		}
	}
	if (rc == LUPE_OK && !s.stop && !(s.o->flags & LUPE_SYNC_KEEP_GONE))
		rc = remove_gone(&s, is_dir && rlen == 0 ? "/" : root, is_dir && rlen > 0, &key);
	if (rc == LUPE_OK && !(s.o->flags & LUPE_SYNC_DRY_RUN)) {
		emit(&s, LUPE_SYNC_COMMITTING, NULL, NULL);
		rc = lupe_commit(db);
	}
out:
	free(root);
	free_sync(&s);
	lupe_buf_free(&key);
	lupe_buf_free(&val);
	return rc;
}

LUPE_EXPORT int lupe_sync_prune(lupe_db *db, const lupe_sync_options *opts, lupe_sync_stats *stats)
{
	lupe_sync_stats dummy;
	lupe_buf key = {0};
	lupe_strings *ids = NULL;
	struct sync s;
	int rc = sync_begin(&s, db, opts, stats, &dummy);

	if (rc != LUPE_OK)
		return rc;
	rc = lupe_list_ids(db, &ids, "/");
	for (size_t i = 0; rc == LUPE_OK && i < lupe_strings_count(ids) && !s.stop; i++) {
		const char *id = lupe_strings_get(ids, i);
		struct stat st;
		if (lstat(id, &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
			rc = remove_doc(&s, id, &key);
	}
	lupe_strings_free(ids);
	lupe_buf_free(&key);
	if (rc == LUPE_OK && !(s.o->flags & LUPE_SYNC_DRY_RUN)) {
		emit(&s, LUPE_SYNC_COMMITTING, NULL, NULL);
		rc = lupe_commit(db);
	}
	return rc;
}
