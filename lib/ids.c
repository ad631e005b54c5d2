/* What a caller needs to keep an index of files current: mtimes and ids. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "index/document.h"

struct lupe_strings {
	char **v;
	size_t n, cap;
};

LUPE_EXPORT int lupe_get_mtime(lupe_db *db, const char *id, int64_t *out)
{
	int found, rc;
	if (!db || !id || !out)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	lupe_err_clear(&db->err);
	*out = 0;
	if ((rc = lupe_db_read_newest(db)) != LUPE_OK)
		return rc;
	if (lupe_id_term(&db->tmp, id) < 0)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "out of memory");
	lupe_buf val = {0};
	rc = lx_value_of(db->x, db->tmp.p, db->tmp.len, LX_SLOT_MTIME, &val, &found, &db->err);
	if (rc == LUPE_OK && !found)
		rc = lupe_err_set(&db->err, LUPE_ENOTFOUND, "no document with id %.200s", id);
	if (rc == LUPE_OK && val.len)
		*out = strtoll(val.p, NULL, 10);
	lupe_buf_free(&val);
	return rc;
}

static int collect(void *ctx, const char *term, size_t len, lx_term_here *at)
{
	(void)at;
	lupe_strings *s = ctx;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, nc * sizeof *v);
		if (!v)
			return LUPE_ENOMEM;
		s->v = v;
		s->cap = nc;
	}
	/* Strip the id prefix. */
	char *id = malloc(len);
	if (!id)
		return LUPE_ENOMEM;
	memcpy(id, term + 1, len - 1);
	id[len - 1] = '\0';
	s->v[s->n++] = id;
	return 0;
}

LUPE_EXPORT int lupe_list_ids(lupe_db *db, lupe_strings **out, const char *prefix)
{
	if (!out)
		return LUPE_EINVAL;
	*out = NULL;
	if (!db)
		return LUPE_EINVAL;
	if (db->hung)
		return LUPE_EHUNG;
	lupe_err_clear(&db->err);
	int src = lupe_db_read_newest(db);
	if (src != LUPE_OK)
		return src;
	lupe_strings *s = calloc(1, sizeof *s);
	if (!s)
		return lupe_err_set(&db->err, LUPE_ENOMEM, "out of memory");
	if (lupe_id_term(&db->tmp, prefix ? prefix : "") < 0) {
		free(s);
		return lupe_err_set(&db->err, LUPE_ENOMEM, "out of memory");
	}
	int rc = lx_allterms_every(db->x, db->tmp.p, db->tmp.len, collect, s, &db->err);
	if (rc != LUPE_OK) {
		if (rc == LUPE_ENOMEM)
			lupe_err_set(&db->err, rc, "out of memory");
		lupe_strings_free(s);
		return rc;
	}
	*out = s;
	return LUPE_OK;
}

LUPE_EXPORT size_t lupe_strings_count(const lupe_strings *s)
{
	return s ? s->n : 0;
}

LUPE_EXPORT const char *lupe_strings_get(const lupe_strings *s, size_t i)
{
	return (s && i < s->n) ? s->v[i] : NULL;
}

LUPE_EXPORT void lupe_strings_free(lupe_strings *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s);
}
