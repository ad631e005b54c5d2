/*
 * lupe-module.c - liblupe as an Emacs dynamic module (Emacs 25+ API).
 *
 * A thin layer: each function takes Lisp values, calls the public C API
 * (include/lupe.h) and returns Lisp values.  lupe.el builds the commands
 * on top.  Failures signal `lupe-error' with the library's message, never
 * crash Emacs: every handle is checked, every allocation too.
 *
 * One thing is done here rather than in Lisp: turning the byte offsets of
 * matches (into the body as indexed) into the line and column Emacs shows
 * for the file, because that needs the file's bytes and the library's
 * rule for text that is not UTF-8 (the folder sync converts it, a Latin
 * text from windows-1252: 2 or 3 body bytes for one character in Emacs).
 */
#include <emacs-module.h>
#include <lupe.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int plugin_is_GPL_compatible;

/* Bytes of one file that lupe-module-sync reads (lupe_sync_options). */
#define MAX_FILE_BYTES (10u * 1024 * 1024)

/* The user-ptr's payload: the handle, NULL once closed. */
struct handle {
	lupe_db *db;
};

static void fin_handle(void *p)
{
	struct handle *h = p;
	if (h) {
		lupe_close(h->db);
		free(h);
	}
}

/* ---------------------------------------------------------------------- */
/* Lisp helpers                                                             */
/* ---------------------------------------------------------------------- */

static emacs_value sym(emacs_env *env, const char *name)
{
	return env->intern(env, name);
}

static emacs_value str(emacs_env *env, const char *s, size_t n)
{
	return env->make_string(env, s ? s : "", s ? (ptrdiff_t)n : 0);
}

static emacs_value cstr(emacs_env *env, const char *s)
{
	return str(env, s, s ? strlen(s) : 0);
}

static emacs_value call(emacs_env *env, const char *fn, ptrdiff_t n, emacs_value *args)
{
	return env->funcall(env, sym(env, fn), n, args);
}

static emacs_value list(emacs_env *env, ptrdiff_t n, emacs_value *items)
{
	return call(env, "list", n, items);
}

/* Signal (lupe-error MESSAGE STATUS); returns nil for the caller to return. */
static emacs_value fail(emacs_env *env, int status, const char *fmt, const char *a, const char *b)
{
	char msg[1024];
	snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
	emacs_value data[2] = {cstr(env, msg), env->make_integer(env, status)};
	if (env->non_local_exit_check(env) == emacs_funcall_exit_return)
		env->non_local_exit_signal(env, sym(env, "lupe-error"), list(env, 2, data));
	return sym(env, "nil");
}

static emacs_value fail_db(emacs_env *env, lupe_db *db, int status)
{
	const char *m = lupe_errmsg(db);
	return fail(env, status, "%s", m && *m ? m : lupe_strerror(status), NULL);
}

/* A Lisp string as a malloc'ed NUL-terminated UTF-8 copy (NULL: signalled). */
static char *copy(emacs_env *env, emacs_value v, size_t *len)
{
	ptrdiff_t n = 0;
	if (!env->copy_string_contents(env, v, NULL, &n))
		return NULL;
	char *s = malloc((size_t)n);
	if (!s) {
		fail(env, LUPE_ENOMEM, "out of memory", NULL, NULL);
		return NULL;
	}
	if (!env->copy_string_contents(env, v, s, &n)) {
		free(s);
		return NULL;
	}
	if (len)
		*len = (size_t)n - 1;
	return s;
}

/* The open handle of a user-ptr argument (NULL: signalled). */
static lupe_db *db_of(emacs_env *env, emacs_value v)
{
	struct handle *h = env->get_user_ptr(env, v);
	if (env->non_local_exit_check(env) != emacs_funcall_exit_return)
		return NULL;
	if (env->get_user_finalizer(env, v) != fin_handle) {
		fail(env, LUPE_EINVAL, "not a lupe database", NULL, NULL);
		return NULL;
	}
	if (!h || !h->db) {
		fail(env, LUPE_EINVAL, "the lupe database is closed", NULL, NULL);
		return NULL;
	}
	return h->db;
}

/* ---------------------------------------------------------------------- */
/* Files                                                                    */
/* ---------------------------------------------------------------------- */

/* The whole file, malloc'ed (NULL with errno set; EFBIG when too large). */
static char *read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		errno = EINVAL;
		return NULL;
	}
	if ((unsigned long long)st.st_size > max) {
		fclose(f);
		errno = EFBIG;
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	size_t got;
	while ((got = fread(buf + n, 1, cap - 1 - n, f)) > 0)
		n += got;
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The length of the valid UTF-8 sequence at s[i], or 0 (as lib/util/utf8.c). */
static size_t seq_len(const unsigned char *s, size_t n, size_t i)
{
	unsigned c = s[i];
	unsigned long cp, min;
	size_t len;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0)
		cp = c & 0x1F, len = 2, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		cp = c & 0x0F, len = 3, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		cp = c & 0x07, len = 4, min = 0x10000;
	else
		return 0;
	if (n - i < len)
		return 0;
	for (size_t j = 1; j < len; j++) {
		if ((s[i + j] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i + j] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

struct target {
	size_t body_off;   /* byte offset into the body as indexed */
	size_t match, end; /* which match, start (0) or end (1) */
	long line, col;    /* 1-based line, 0-based column in characters */
};

static int by_offset(const void *a, const void *b)
{
	const struct target *x = a, *y = b;
	return x->body_off < y->body_off ? -1 : x->body_off > y->body_off;
}

/*
 * The UTF-8 length of windows-1252 byte c, as ICU converts it: the folder
 * sync reads a file that is not UTF-8 through ICU, and a Latin text is
 * taken for windows-1252 (lupe.h).  In 0x80-0x9F most are U+20xx (three
 * bytes); these are two.
 */
static size_t cp1252_len(unsigned c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xA0)
		return 2;
	switch (c) {
	case 0x81: case 0x83: case 0x88: case 0x8A: case 0x8C: case 0x8D: case 0x8E:
	case 0x8F: case 0x90: case 0x98: case 0x9A: case 0x9C: case 0x9D: case 0x9E: case 0x9F:
		return 2;
	default:
		return 3;
	}
}

/*
 * Line and column of each target in the file text: one pass over the
 * file, counting body bytes as the library produced them: the file's
 * bytes when it is UTF-8, else its windows-1252 conversion.
 */
static void locate(const char *text, size_t n, struct target *t, size_t nt)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t f = 0, b = 0, k = 0;
	long line = 1, col = 0;
	int utf8 = 1;
	for (size_t i = 0, len; i < n && utf8; i += len)
		utf8 = (len = seq_len(s, n, i)) != 0;
	qsort(t, nt, sizeof *t, by_offset);
	while (k < nt) {
		if (b >= t[k].body_off || f >= n) {
			t[k].line = line, t[k].col = col;
			k++;
			continue;
		}
		size_t len = utf8 ? seq_len(s, n, f) : 0;
		if (len == 0) {
			b += cp1252_len(s[f]), f += 1; /* one character in Emacs */
		} else {
			if (s[f] == '\n')
				line++, col = -1;
			f += len, b += len;
		}
		col++;
	}
}

/* ---------------------------------------------------------------------- */
/* Functions                                                                */
/* ---------------------------------------------------------------------- */

static emacs_value Fversion(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)nargs, (void)args, (void)data;
	return cstr(env, lupe_version());
}

/* (lupe-module-open PATH &optional WRITABLE CREATE) */
static emacs_value Fopen(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)data;
	char *path = copy(env, args[0], NULL);
	if (!path)
		return sym(env, "nil");
	lupe_open_options opts = LUPE_OPEN_OPTIONS_INIT;
	if (nargs > 1 && env->is_not_nil(env, args[1]))
		opts.flags |= LUPE_OPEN_WRITE;
	if (nargs > 2 && env->is_not_nil(env, args[2]))
		opts.flags |= LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	/* A reader's searches run on a watched thread: a lookup that never
	 * returns (a damaged index) is an error after the search's budget and
	 * as much again, not a frozen Emacs. */
	if (!(opts.flags & LUPE_OPEN_WRITE))
		opts.flags |= LUPE_OPEN_WATCHED;
	opts.threads = 1; /* a writer: no analysis threads inside Emacs */
	char msg[512] = "";
	lupe_db *db = NULL;
	int st = lupe_open(&db, path, &opts, msg, sizeof msg);
	if (st != LUPE_OK) {
		emacs_value r = fail(env, st, "%s: %s", path, msg[0] ? msg : lupe_strerror(st));
		free(path);
		return r;
	}
	free(path);
	struct handle *h = malloc(sizeof *h);
	if (!h) {
		lupe_close(db);
		return fail(env, LUPE_ENOMEM, "out of memory", NULL, NULL);
	}
	h->db = db;
	return env->make_user_ptr(env, fin_handle, h);
}

/* (lupe-module-close DB): commits a writer's changes; idempotent. */
static emacs_value Fclose(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)nargs, (void)data;
	struct handle *h = env->get_user_ptr(env, args[0]);
	if (env->non_local_exit_check(env) != emacs_funcall_exit_return)
		return sym(env, "nil");
	if (env->get_user_finalizer(env, args[0]) != fin_handle)
		return fail(env, LUPE_EINVAL, "not a lupe database", NULL, NULL);
	if (h && h->db) {
		lupe_close(h->db);
		h->db = NULL;
	}
	return sym(env, "nil");
}

static emacs_value Fcount(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)nargs, (void)data;
	lupe_db *db = db_of(env, args[0]);
	if (!db)
		return sym(env, "nil");
	uint64_t n = 0;
	int st = lupe_doc_count(db, &n);
	if (st != LUPE_OK)
		return fail_db(env, db, st);
	return env->make_integer(env, (intmax_t)n);
}

static emacs_value Fcommit(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)nargs, (void)data;
	lupe_db *db = db_of(env, args[0]);
	if (!db)
		return sym(env, "nil");
	int st = lupe_commit(db);
	if (st != LUPE_OK)
		return fail_db(env, db, st);
	return sym(env, "t");
}

/* (lupe-module-delete DB ID): t, or nil when there was no such document. */
static emacs_value Fdelete(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)nargs, (void)data;
	lupe_db *db = db_of(env, args[0]);
	char *id = db ? copy(env, args[1], NULL) : NULL;
	if (!id)
		return sym(env, "nil");
	int st = lupe_delete(db, id);
	free(id);
	if (st == LUPE_ENOTFOUND)
		return sym(env, "nil");
	if (st != LUPE_OK)
		return fail_db(env, db, st);
	return sym(env, "t");
}

/* (lupe-module-mtime DB ID): the stored mtime, or nil when there is none. */
static emacs_value Fmtime(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)nargs, (void)data;
	lupe_db *db = db_of(env, args[0]);
	char *id = db ? copy(env, args[1], NULL) : NULL;
	if (!id)
		return sym(env, "nil");
	int64_t m = 0;
	int st = lupe_get_mtime(db, id, &m);
	free(id);
	if (st == LUPE_ENOTFOUND)
		return sym(env, "nil");
	if (st != LUPE_OK)
		return fail_db(env, db, st);
	return env->make_integer(env, (intmax_t)m);
}

/* (lupe-module-ids DB PREFIX): the sorted ids starting with PREFIX. */
static emacs_value Fids(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)nargs, (void)data;
	lupe_db *db = db_of(env, args[0]);
	char *prefix = db ? copy(env, args[1], NULL) : NULL;
	if (!prefix)
		return sym(env, "nil");
	lupe_strings *s = NULL;
	int st = lupe_list_ids(db, &s, prefix);
	free(prefix);
	if (st != LUPE_OK)
		return fail_db(env, db, st);
	emacs_value out = sym(env, "nil");
	for (size_t i = lupe_strings_count(s); i-- > 0;) {
		emacs_value a[2] = {cstr(env, lupe_strings_get(s, i)), out};
		out = call(env, "cons", 2, a);
	}
	lupe_strings_free(s);
	return out;
}

/* What the progress callback of Fsync needs. */
struct sync_ctx {
	emacs_env *env;
	emacs_value progress; /* a function of (DONE TOTAL), or nil */
};

/*
 * Called by lupe_sync_path for every event.  Stops the sync when the user
 * quits (C-g) or when PROGRESS exits non-locally (a signal or throw, which
 * stays pending and reaches Lisp once the module function returns).
 */
static int sync_progress(const lupe_sync_event *ev, void *p)
{
	struct sync_ctx *c = p;
	emacs_env *env = c->env;
	if (env->non_local_exit_check(env) != emacs_funcall_exit_return)
		return 1;
	if ((size_t)env->size >= sizeof(struct emacs_env_26) && env->should_quit(env))
		return 1;
	if (ev->kind == LUPE_SYNC_FILE && env->is_not_nil(env, c->progress)) {
		emacs_value a[2] = {env->make_integer(env, (intmax_t)ev->done),
				    env->make_integer(env, (intmax_t)ev->total)};
		env->funcall(env, c->progress, 2, a);
		if (env->non_local_exit_check(env) != emacs_funcall_exit_return)
			return 1;
	}
	return 0;
}

/*
 * (lupe-module-sync DB PATH &optional PROGRESS EXCLUDE): make DB hold
 * exactly the files under PATH through lupe_sync_path (the sync lupe-index
 * runs: new and changed files read, unchanged ones not, documents of gone
 * files removed; ids are absolute canonical paths).  PROGRESS, when
 * non-nil, is called with (DONE TOTAL) after each file; EXCLUDE is a list
 * of globs to leave out.  Returns (:files N :added N :updated N :unchanged
 * N :removed N :skipped N :stopped BOOL).
 */
static emacs_value Fsync(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)data;
	lupe_db *db = db_of(env, args[0]);
	char *path = db ? copy(env, args[1], NULL) : NULL;
	if (!path)
		return sym(env, "nil");
	struct sync_ctx c = {env, nargs > 2 ? args[2] : sym(env, "nil")};
	lupe_sync_options o = LUPE_SYNC_OPTIONS_INIT;
	o.max_file_bytes = MAX_FILE_BYTES;
	o.callback = sync_progress;
	o.ctx = &c;
	/* EXCLUDE as a NULL-terminated array of copies. */
	char **ex = NULL;
	ptrdiff_t nex = 0;
	if (nargs > 3 && env->is_not_nil(env, args[3])) {
		emacs_value seq = args[3];
		nex = env->extract_integer(env, call(env, "length", 1, &seq));
		ex = env->non_local_exit_check(env) == emacs_funcall_exit_return
			     ? calloc((size_t)nex + 1, sizeof *ex) : NULL;
		for (ptrdiff_t i = 0; ex && i < nex; i++) {
			emacs_value a[2] = {env->make_integer(env, i), seq};
			if (!(ex[i] = copy(env, call(env, "nth", 2, a), NULL)))
				break;
		}
		if (env->non_local_exit_check(env) != emacs_funcall_exit_return || !ex) {
			for (ptrdiff_t i = 0; ex && i < nex; i++)
				free(ex[i]);
			free(ex), free(path);
			return ex ? sym(env, "nil") : fail(env, LUPE_ENOMEM, "out of memory", NULL, NULL);
		}
		o.exclude = (const char *const *)ex;
	}
	lupe_sync_stats st;
	int rc = lupe_sync_path(db, path, &o, &st);
	for (ptrdiff_t i = 0; ex && i < nex; i++)
		free(ex[i]);
	free(ex);
	free(path);
	if (env->non_local_exit_check(env) != emacs_funcall_exit_return)
		return sym(env, "nil"); /* PROGRESS signalled: let that through */
	if (rc != LUPE_OK)
		return fail_db(env, db, rc);
	emacs_value v[14] = {
		sym(env, ":files"), env->make_integer(env, (intmax_t)st.files),
		sym(env, ":added"), env->make_integer(env, (intmax_t)st.added),
		sym(env, ":updated"), env->make_integer(env, (intmax_t)st.updated),
		sym(env, ":unchanged"), env->make_integer(env, (intmax_t)st.unchanged),
		sym(env, ":removed"), env->make_integer(env, (intmax_t)st.removed),
		sym(env, ":skipped"), env->make_integer(env, (intmax_t)st.skipped),
		sym(env, ":stopped"), sym(env, st.stopped ? "t" : "nil"),
	};
	return list(env, 14, v);
}

/* Byte offsets into valid UTF-8 (the library's snippet) to character offsets. */
static long chars_before(const char *s, size_t off)
{
	long n = 0;
	for (size_t i = 0; i < off; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static emacs_value spans_in_snippet(emacs_env *env, const lupe_hit *h)
{
	emacs_value out = sym(env, "nil");
	for (size_t i = h->n_highlights; i-- > 0;) {
		if (h->highlights[i].end > h->snippet_len)
			continue;
		emacs_value pair[2] = {env->make_integer(env, chars_before(h->snippet, h->highlights[i].start)),
				       env->make_integer(env, chars_before(h->snippet, h->highlights[i].end))};
		emacs_value a[2] = {call(env, "cons", 2, pair), out};
		out = call(env, "cons", 2, a);
	}
	return out;
}

/* The matches of a hit as ((LINE COL END-LINE END-COL) ...) in the file. */
static emacs_value matches_in_file(emacs_env *env, const lupe_hit *h, const char *file)
{
	emacs_value out = sym(env, "nil");
	if (h->n_matches == 0)
		return out;
	size_t len = 0;
	char *text = read_file(file, 64u * 1024 * 1024, &len);
	if (!text)
		return out;
	size_t nt = 2 * h->n_matches;
	struct target *t = calloc(nt, sizeof *t);
	if (!t) {
		free(text);
		return out;
	}
	for (size_t i = 0; i < h->n_matches; i++) {
		t[2 * i] = (struct target){h->matches[i].start, i, 0, 0, 0};
		t[2 * i + 1] = (struct target){h->matches[i].end, i, 1, 0, 0};
	}
	locate(text, len, t, nt);
	long (*pos)[4] = calloc(h->n_matches, sizeof *pos);
	if (pos) {
		for (size_t k = 0; k < nt; k++) {
			pos[t[k].match][2 * t[k].end] = t[k].line;
			pos[t[k].match][2 * t[k].end + 1] = t[k].col;
		}
		for (size_t i = h->n_matches; i-- > 0;) {
			emacs_value v[4];
			for (int j = 0; j < 4; j++)
				v[j] = env->make_integer(env, pos[i][j]);
			emacs_value a[2] = {list(env, 4, v), out};
			out = call(env, "cons", 2, a);
		}
		free(pos);
	}
	free(t);
	free(text);
	return out;
}

/*
 * (lupe-module-search DB QUERY LIMIT &optional BASE): a list of hits, each
 * (:rank N :id S :title S :path S :file S :score F :snippet S
 *  :highlights ((START . END) ...) :matches ((LINE COL END-LINE END-COL) ...))
 * with FILE the path made absolute against BASE (a directory), highlight
 * offsets in characters of SNIPPET, and matches in FILE (sorted as the
 * library ranks passages; none when FILE cannot be read).
 */
static emacs_value Fsearch(emacs_env *env, ptrdiff_t nargs, emacs_value *args, void *data)
{
	(void)data;
	lupe_db *db = db_of(env, args[0]);
	if (!db)
		return sym(env, "nil");
	size_t qlen = 0;
	char *q = copy(env, args[1], &qlen);
	if (!q)
		return sym(env, "nil");
	intmax_t limit = env->extract_integer(env, args[2]);
	if (env->non_local_exit_check(env) != emacs_funcall_exit_return) {
		free(q);
		return sym(env, "nil");
	}
	char *base = NULL;
	if (nargs > 3 && env->is_not_nil(env, args[3]) && !(base = copy(env, args[3], NULL))) {
		free(q);
		return sym(env, "nil");
	}
	lupe_search_options opts = LUPE_SEARCH_OPTIONS_INIT;
	opts.limit = limit < 1 ? 1 : limit > 10000 ? 10000 : (size_t)limit;
	lupe_results *res = NULL;
	int st = lupe_search(db, &res, q, qlen, &opts);
	free(q);
	if (st != LUPE_OK) {
		free(base);
		return fail_db(env, db, st);
	}
	emacs_value out = sym(env, "nil");
	for (size_t i = lupe_results_count(res); i-- > 0;) {
		const lupe_hit *h = lupe_results_hit(res, i);
		const char *p = h->path && *h->path ? h->path : h->id;
		char *file = NULL;
		if (p[0] != '/' && base) {
			size_t n = strlen(base) + strlen(p) + 2;
			if ((file = malloc(n)) != NULL)
				snprintf(file, n, "%s/%s", base, p);
		}
		const char *f = file ? file : p;
		emacs_value v[18] = {
			sym(env, ":rank"), env->make_integer(env, (intmax_t)h->rank),
			sym(env, ":id"), cstr(env, h->id),
			sym(env, ":title"), cstr(env, h->title),
			sym(env, ":path"), cstr(env, h->path),
			sym(env, ":file"), cstr(env, f),
			sym(env, ":score"), env->make_float(env, h->score),
			sym(env, ":snippet"), str(env, h->snippet, h->snippet_len),
			sym(env, ":highlights"), spans_in_snippet(env, h),
			sym(env, ":matches"), matches_in_file(env, h, f),
		};
		free(file);
		emacs_value a[2] = {list(env, 18, v), out};
		out = call(env, "cons", 2, a);
		if (env->non_local_exit_check(env) != emacs_funcall_exit_return)
			break;
	}
	free(base);
	lupe_results_free(res);
	return out;
}

/* ---------------------------------------------------------------------- */

static void defun(emacs_env *env, const char *name, ptrdiff_t min, ptrdiff_t max,
		  emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *, void *), const char *doc)
{
	emacs_value f = env->make_function(env, min, max, fn, doc, NULL);
	emacs_value a[2] = {sym(env, name), f};
	call(env, "defalias", 2, a);
}

int emacs_module_init(struct emacs_runtime *rt)
{
	if ((size_t)rt->size < sizeof *rt)
		return 1;
	emacs_env *env = rt->get_environment(rt);
	if ((size_t)env->size < sizeof(struct emacs_env_25))
		return 2;
	emacs_value err[2] = {sym(env, "lupe-error"), cstr(env, "lupe error")};
	call(env, "define-error", 2, err);
	defun(env, "lupe-module-version", 0, 0, Fversion, "The version of liblupe.");
	defun(env, "lupe-module-open", 1, 3, Fopen,
	      "Open the index at PATH: read-only, or WRITABLE, or CREATE it.\n\n(fn PATH &optional WRITABLE CREATE)");
	defun(env, "lupe-module-close", 1, 1, Fclose, "Close DB (a writer commits first).\n\n(fn DB)");
	defun(env, "lupe-module-count", 1, 1, Fcount, "Documents in DB.\n\n(fn DB)");
	defun(env, "lupe-module-commit", 1, 1, Fcommit, "Commit DB's changes.\n\n(fn DB)");
	defun(env, "lupe-module-delete", 2, 2, Fdelete, "Delete document ID; nil when none.\n\n(fn DB ID)");
	defun(env, "lupe-module-mtime", 2, 2, Fmtime, "The stored mtime of ID, or nil.\n\n(fn DB ID)");
	defun(env, "lupe-module-ids", 2, 2, Fids, "The sorted ids starting with PREFIX.\n\n(fn DB PREFIX)");
	defun(env, "lupe-module-sync", 2, 4, Fsync,
	      "Sync DB with the files under PATH (lupe_sync_path); a plist of counts.\n\n"
	      "(fn DB PATH &optional PROGRESS EXCLUDE)");
	defun(env, "lupe-module-search", 3, 4, Fsearch,
	      "Search DB for QUERY; at most LIMIT hits as plists.\n\n(fn DB QUERY LIMIT &optional BASE)");
	emacs_value feature = sym(env, "lupe-module");
	call(env, "provide", 1, &feature);
	return 0;
}
