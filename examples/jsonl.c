/*
 * jsonl.c - one line of JSON Lines input to one lupe_document (see jsonl.h).
 */
#include "jsonl.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

json_tokener *jsonl_tokener_new(void)
{
	json_tokener *tok = json_tokener_new();

	if (tok)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	return tok;
}

size_t jsonl_line_len(const char *line, size_t n)
{
	size_t k = 0;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	while (k < n && isspace((unsigned char)line[k]))
		k++;
	return k == n ? 0 : n;
}

/*
 * An optional string field: absent or null is fine, a string is stored in
 * *out; anything else is an error.  `nul_ok` says whether the library takes
 * the field with a length (so that a "\u0000" in it is harmless).
 */
static const char *get_string(json_object *obj, const char *key, const char **out, size_t *out_len,
			      bool nul_ok)
{
	json_object *v;

	*out = NULL;
	*out_len = 0;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string))
		return "must be a string";
	*out = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);

	if (!nul_ok && memchr(*out, '\0', len))
		return "must not contain a NUL character";
	*out_len = len;
	return NULL;
}

/* Give up on the line: say why and drop what was parsed. */
static bool fail(jsonl_record *rec, char *why, size_t why_len, const char *field, const char *msg)
{
	if (field)
		snprintf(why, why_len, "\"%s\" %s", field, msg);
	else
		snprintf(why, why_len, "%s", msg);
	json_object_put(rec->obj);
	rec->obj = NULL;
	return false;
}

bool jsonl_parse_line(json_tokener *tok, const char *line, size_t len, jsonl_record *rec, char *why,
		      size_t why_len)
{
	static const char *const fields[] = {"title", "text", "source", "path", "date"};
	const char *s[5];
	size_t s_len[5];
	json_object *id;
	const char *reason;

	memset(rec, 0, sizeof *rec);
	rec->doc = (lupe_document)LUPE_DOCUMENT_INIT;
	if (len > INT_MAX) {
		snprintf(why, why_len, "line too long (%zu bytes)", len);
		return false;
	}
	json_tokener_reset(tok);
	rec->obj = json_tokener_parse_ex(tok, line, (int)len);
	if (!rec->obj) {
		enum json_tokener_error err = json_tokener_get_error(tok);

		/* "null" parses to no object with no error: it is still not a record. */
		if (err == json_tokener_success)
			return fail(rec, why, why_len, NULL, "not a JSON object");
		snprintf(why, why_len, "invalid JSON: %s",
			 err == json_tokener_continue ? "unexpected end of line" : json_tokener_error_desc(err));
		return false;
	}
	/* Strict mode stops at the end of the value; only white space may follow it. */
	for (size_t k = json_tokener_get_parse_end(tok); k < len; k++)
		if (!isspace((unsigned char)line[k]))
			return fail(rec, why, why_len, NULL, "invalid JSON: text after the object");
	if (!json_object_is_type(rec->obj, json_type_object))
		return fail(rec, why, why_len, NULL, "not a JSON object");
	if (!json_object_object_get_ex(rec->obj, "id", &id) || id == NULL)
		return fail(rec, why, why_len, NULL, "missing \"id\"");
	if (json_object_is_type(id, json_type_string)) {
		rec->doc.id = json_object_get_string(id);
		if (memchr(rec->doc.id, '\0', (size_t)json_object_get_string_len(id)))
			return fail(rec, why, why_len, NULL, "\"id\" must not contain a NUL character");
	} else if (json_object_is_type(id, json_type_int)) {
		/* json-c keeps integers above INT64_MAX as unsigned. */
		int64_t v = json_object_get_int64(id);

		if (v == INT64_MAX)
			snprintf(rec->idbuf, sizeof rec->idbuf, "%" PRIu64, json_object_get_uint64(id));
		else
			snprintf(rec->idbuf, sizeof rec->idbuf, "%" PRId64, v);
		rec->doc.id = rec->idbuf;
	} else {
		return fail(rec, why, why_len, NULL, "\"id\" must be a string or an integer");
	}
	for (size_t f = 0; f < 5; f++) {
		reason = get_string(rec->obj, fields[f], &s[f], &s_len[f], f < 2);
		if (reason)
			return fail(rec, why, why_len, fields[f], reason);
	}
	rec->doc.title = s[0];
	rec->doc.title_len = s_len[0];
	rec->doc.text = s[1];
	rec->doc.text_len = s_len[1];
	rec->doc.source = s[2];
	rec->doc.path = s[3];
	rec->doc.date = s[4];
	return true;
}

void jsonl_record_release(jsonl_record *rec)
{
	json_object_put(rec->obj);
	rec->obj = NULL;
}
