/*
 * libFuzzer target for extraction (lib/index/extract.c): charset
 * detection and conversion by ICU, HTML through libxml2, titles.
 *
 * The first byte picks the kind (text, Markdown, HTML), the rest is the
 * file.  Besides the sanitizers' findings it checks what lupe_sync_path()
 * relies on: a known status, NUL-terminated text and title of the stated
 * lengths, a title no longer than LUPE_TITLE_MAX, nothing set on failure.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lupe.h"
#include "index/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lupe_extracted x;

	if (size < 1)
		return 0;
	lupe_kind kind = (lupe_kind)(data[0] % 3);
	const char *buf = (const char *)data + 1;
	size_t len = size - 1;
	int rc = lupe_extract(kind, buf, len, &x);
	if (rc != LUPE_OK) {
		if ((rc != LUPE_EINVAL && rc != LUPE_ENOMEM) || x.text || x.title)
			abort();
		return 0;
	}
	if (!x.text || x.text[x.text_len] != '\0')
		abort();
	if (x.title && (x.title_len == 0 || x.title_len > LUPE_TITLE_MAX || strlen(x.title) != x.title_len))
		abort();
	if (!x.title && x.title_len)
		abort();
	size_t n = 0;
	const char *t = lupe_text_title(buf, len, kind == LUPE_KIND_MARKDOWN, &n);
	if (t && (t < buf || t + n > buf + len))
		abort();
	lupe_extracted_release(&x);
	return 0;
}
