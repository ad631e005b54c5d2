/*
 * libFuzzer target for lupe-index's JSON Lines reader (examples/jsonl.c).
 *
 * The input is a file: it is cut into lines as lupe-index does and each
 * line goes through jsonl_parse_line() with one tokener, reused.  Besides
 * the sanitizers' findings it checks the promises of jsonl.h: a record
 * with an id (NUL-terminated, no NUL inside) and fields readable for
 * their stated lengths, or a message and nothing to release.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../examples/jsonl.h"

static json_tokener *tok;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!(tok = jsonl_tokener_new()))
		abort();
	return 0;
}

/* Touch every byte, so that a short buffer is caught by ASan. */
static unsigned sum(const char *s, size_t n)
{
	unsigned h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * 31 + (unsigned char)s[i];
	return h;
}

static void check_line(const char *line, size_t n)
{
	jsonl_record rec;
	char why[160];
	size_t len = jsonl_line_len(line, n);
	volatile unsigned h = 0;

	if (len > n)
		abort();
	if (len == 0)
		return;
	memset(why, 0, sizeof why);
	if (!jsonl_parse_line(tok, line, len, &rec, why, sizeof why)) {
		if (why[0] == '\0' || memchr(why, '\0', sizeof why) == NULL || rec.obj != NULL)
			abort();
		return;
	}
	if (!rec.obj || !rec.doc.id || rec.doc.version != LUPE_DOCUMENT_VERSION)
		abort();
	h += sum(rec.doc.id, strlen(rec.doc.id) + 1);
	if ((rec.doc.title_len && !rec.doc.title) || (rec.doc.text_len && !rec.doc.text))
		abort();
	if (rec.doc.title)
		h += sum(rec.doc.title, rec.doc.title_len);
	if (rec.doc.text)
		h += sum(rec.doc.text, rec.doc.text_len);
	if (rec.doc.source)
		h += sum(rec.doc.source, strlen(rec.doc.source) + 1);
	if (rec.doc.path)
		h += sum(rec.doc.path, strlen(rec.doc.path) + 1);
	if (rec.doc.date)
		h += sum(rec.doc.date, strlen(rec.doc.date) + 1);
	jsonl_record_release(&rec);
	if (rec.obj)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		/* An exact-size copy of the line, as getline() would hand it over. */
		char *line = malloc(n + 1);

		if (!line)
			return 0;
		memcpy(line, p, n);
		line[n] = '\0';
		check_line(line, n);
		free(line);
		p += n;
	}
	return 0;
}
