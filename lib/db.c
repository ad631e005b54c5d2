#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "index/document.h"

#define LUPE_ID_MAX 200

static void copy_msg(char *dst, size_t cap, const char *msg)
{
	if (dst && cap) {
		snprintf(dst, cap, "%s", msg);
	}
}

static int has_file(const char *dir, const char *name)
{
	char p[4096];
	struct stat st;
	if (snprintf(p, sizeof p, "%s/%s", dir, name) >= (int)sizeof p)
		return 0;
	return stat(p, &st) == 0;
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

/*
 * Check the path before Xapian sees it, so that each kind of wrong path
 * gets its own status and a message that names it.
 */
static int check_path(const char *path, int create, int *is_new, lupe_err *err)
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
	if (has_file(path, "iamglass") || has_file(path, "iamchert"))
		return LUPE_OK;
	if (dir_is_empty(path) && create) {
		*is_new = 1;
		return LUPE_OK;
	}
	return lupe_err_set(err, LUPE_ENOTLUPE, "%s: not a lupe index (no index files in the directory)", path);
}

LUPE_EXPORT int lupe_open(lupe_db **out, const char *path, const lupe_open_options *opts, char *errmsg,
			  size_t errmsg_len)
{
	lupe_open_options def = LUPE_OPEN_OPTIONS_INIT;
	lupe_db *db = NULL;
	lupe_err err;
	int is_new, rc;

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

	rc = check_path(path, create, &is_new, &err);
	if (rc != LUPE_OK)
		goto fail;
	db = calloc(1, sizeof *db);
	if (!db) {
		rc = lupe_err_set(&err, LUPE_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	db->writable = writable;
	db->batch_size = opts->batch_size ? opts->batch_size : 2000;
	db->timeout_ms = opts->timeout_ms ? opts->timeout_ms : 5000;
	rc = lx_open(&db->x, path, writable, create, &err);
	if (rc != LUPE_OK) {
		/* Index files there but Xapian cannot open them: damaged. */
		if (rc == LUPE_ENOTLUPE && (has_file(path, "iamglass") || has_file(path, "iamchert")))
			rc = err.code = LUPE_ECORRUPT;
		goto fail;
	}

	/* A lupe index says so in its metadata; its analysis settings live there too. */
	int decompound = opts->decompound;
	if (is_new) {
		if ((rc = lx_set_metadata(db->x, LUPE_META_FORMAT, LUPE_FORMAT, &err)) != LUPE_OK ||
		    (rc = lx_set_metadata(db->x, LUPE_META_DECOMPOUND, decompound ? "1" : "0", &err)) != LUPE_OK ||
		    (rc = lx_commit(db->x, &err)) != LUPE_OK)
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
	lupe_analyzer_options ao = LUPE_ANALYZER_OPTIONS_INIT;
	ao.decompound = decompound;
	rc = lupe_analyzer_new(&db->an, &ao);
	if (rc != LUPE_OK) {
		lupe_err_set(&err, rc, "%s: cannot create the analyzer", path);
		goto fail;
	}
	*out = db;
	return LUPE_OK;
fail:
	copy_msg(errmsg, errmsg_len, err.msg);
	lupe_close(db);
	return rc;
}

LUPE_EXPORT void lupe_close(lupe_db *db)
{
	if (!db)
		return;
	lx_close(db->x);
	lupe_analyzer_free(db->an);
	lupe_tokens_release(&db->toks);
	lupe_buf_free(&db->tmp);
	free(db);
}

LUPE_EXPORT const char *lupe_errmsg(const lupe_db *db)
{
	return db ? db->err.msg : "no database handle";
}

LUPE_EXPORT int lupe_doc_count(lupe_db *db, uint64_t *out)
{
	if (!db || !out)
		return LUPE_EINVAL;
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

static int after_change(lupe_db *db)
{
	if (++db->pending >= db->batch_size)
		return lupe_commit(db);
	return LUPE_OK;
}

LUPE_EXPORT int lupe_add(lupe_db *db, const lupe_document *doc)
{
	lx_doc *xd;
	int rc;
	if (!db)
		return LUPE_EINVAL;
	lupe_err_clear(&db->err);
	if (!doc)
		return lupe_err_set(&db->err, LUPE_EINVAL, "lupe_add: document is NULL");
	if (!db->writable)
		return lupe_err_set(&db->err, LUPE_EREADONLY, "lupe_add: index is open read-only");
	if ((rc = check_id(db, doc->id)) != LUPE_OK)
		return rc;
	rc = lupe_document_build(db->an, doc, &db->toks, &db->tmp, &xd, &db->err);
	if (rc != LUPE_OK)
		return rc;
	db->tmp.len = 0;
	if (lupe_buf_append(&db->tmp, LUPE_PFX_ID, 1) < 0 || lupe_buf_append(&db->tmp, doc->id, strlen(doc->id)) < 0) {
		lx_doc_free(xd);
		return lupe_err_set(&db->err, LUPE_ENOMEM, "lupe_add: out of memory");
	}
	rc = lx_replace(db->x, db->tmp.p, db->tmp.len, xd, &db->err);
	lx_doc_free(xd);
	if (rc != LUPE_OK)
		return rc;
	return after_change(db);
}

LUPE_EXPORT int lupe_delete(lupe_db *db, const char *id)
{
	int rc, found = 0;
	if (!db)
		return LUPE_EINVAL;
	lupe_err_clear(&db->err);
	if (!db->writable)
		return lupe_err_set(&db->err, LUPE_EREADONLY, "lupe_delete: index is open read-only");
	if ((rc = check_id(db, id)) != LUPE_OK)
		return rc;
	db->tmp.len = 0;
	if (lupe_buf_append(&db->tmp, LUPE_PFX_ID, 1) < 0 || lupe_buf_append(&db->tmp, id, strlen(id)) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "lupe_delete: out of memory");
	rc = lx_delete(db->x, db->tmp.p, db->tmp.len, &found, &db->err);
	if (rc != LUPE_OK)
		return rc;
	if (!found)
		return lupe_err_set(&db->err, LUPE_ENOTFOUND, "no document with id %.200s", id);
	return after_change(db);
}

LUPE_EXPORT int lupe_commit(lupe_db *db)
{
	if (!db)
		return LUPE_EINVAL;
	lupe_err_clear(&db->err);
	if (!db->writable)
		return lupe_err_set(&db->err, LUPE_EREADONLY, "lupe_commit: index is open read-only");
	int rc = lx_commit(db->x, &db->err);
	if (rc == LUPE_OK)
		db->pending = 0;
	return rc;
}
