/*
 * jsonl.h - one line of JSON Lines input to one lupe_document.
 *
 * Shared by lupe-index and the libFuzzer target tests/fuzz/fuzz_jsonl.c, so
 * that what is fuzzed is exactly what the program runs.  File handling,
 * messages with file names and line numbers, and adding to the index stay
 * in lupe-index.
 */
#ifndef LUPE_EXAMPLES_JSONL_H
#define LUPE_EXAMPLES_JSONL_H

#include <json-c/json.h>
#include <lupe.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
	lupe_document doc;  /* its strings point into obj (or idbuf) */
	json_object *obj;   /* the parsed line; owned, see jsonl_record_release() */
	char idbuf[32];     /* an integer id, printed in decimal */
} jsonl_record;

/* A tokener in the mode jsonl_parse_line() expects (strict); NULL when out of memory. */
json_tokener *jsonl_tokener_new(void);

/*
 * The length of `line` (n bytes, as read) without its line end ("\n",
 * "\r\n"), or 0 when it holds nothing but white space: such lines are
 * skipped, not errors.
 */
size_t jsonl_line_len(const char *line, size_t n);

/*
 * Parse one record: a JSON object with "id" (a string without NUL, or an
 * integer) and the optional string fields "title", "text" (both may hold
 * NUL characters: the library takes them with a length), "source", "path"
 * and "date".  Returns true and fills *rec; release it with
 * jsonl_record_release() after lupe_add().  Returns false with a one-line
 * reason in why (why_len bytes, NUL-terminated) and nothing to release
 * when the line is not such a record.
 */
bool jsonl_parse_line(json_tokener *tok, const char *line, size_t len, jsonl_record *rec, char *why,
		      size_t why_len);

void jsonl_record_release(jsonl_record *rec);

#endif
