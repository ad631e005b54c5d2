#include <stdlib.h>
#include <string.h>

#include "index/posmap.h"
#include "index/schema.h"

#define POSMAP_VERSION 1
#define POSMAP_VERSION_DEEP 2 /* reaching past LUPE_RECORD_TEXT_MAX (posmap.h) */

int lupe_posmap_encode(const lupe_tokens *toks, uint32_t base, size_t len, lupe_buf *out)
{
	out->len = 0;
	if (len < LUPE_POSMAP_MIN || !toks->n)
		return 0;
	/*
	 * The smallest start of the tokens of each block of LUPE_POSMAP_STEP
	 * positions (joined and completed forms start at their group's first
	 * word, a little before the words of their position), for the blocks
	 * that start within the bytes the record keeps: a snippet reads no further.
	 */
	size_t reach = len > LUPE_RECORD_TEXT_MAX ? LUPE_RECORD_DEEP_MAX : LUPE_RECORD_TEXT_MAX;
	uint32_t first = base - 1;
	size_t nb = 0;
	for (size_t i = 0; i < toks->n; i++) {
		uint32_t pos = toks->v[i].position;
		if (pos < first || toks->v[i].start >= reach)
			continue;
		size_t b = (pos - first) / LUPE_POSMAP_STEP;
		if (b + 1 > nb)
			nb = b + 1;
	}
	if (nb > LUPE_POSMAP_MAX)
		nb = LUPE_POSMAP_MAX;
	uint32_t *off = malloc((nb ? nb : 1) * sizeof *off);
	if (!off)
		return -1;
	for (size_t b = 0; b < nb; b++)
		off[b] = UINT32_MAX;
	for (size_t i = 0; i < toks->n; i++) {
		uint32_t pos = toks->v[i].position;
		if (pos < first)
			continue;
		size_t b = (pos - first) / LUPE_POSMAP_STEP;
		if (b < nb && toks->v[i].start < off[b])
			off[b] = toks->v[i].start;
	}
	/* A block without tokens starts where the next one does: never decreasing. */
	uint32_t next = (uint32_t)(len < UINT32_MAX ? len : UINT32_MAX);
	for (size_t b = nb; b-- > 0;) {
		if (off[b] > next)
			off[b] = next;
		next = off[b];
	}
	int rc = 0;
	if (lupe_buf_putc(out, len > LUPE_RECORD_TEXT_MAX ? POSMAP_VERSION_DEEP : POSMAP_VERSION) < 0 ||
	    lupe_buf_put_varint(out, base) < 0 || lupe_buf_put_varint(out, nb) < 0)
		rc = -1;
	uint32_t last = 0;
	for (size_t b = 0; b < nb && rc == 0; b++) {
		if (lupe_buf_put_varint(out, off[b] - last) < 0)
			rc = -1;
		last = off[b];
	}
	free(off);
	if (rc < 0)
		out->len = 0;
	return rc;
}

int lupe_posmap_decode(const char *p, size_t n, lupe_posmap *out)
{
	size_t i = 1;
	uint64_t base, cnt, d, at = 0;
	out->n = 0;
	if (n < 1 || (p[0] != POSMAP_VERSION && p[0] != POSMAP_VERSION_DEEP) || lupe_get_varint(p, n, &i, &base) < 0 ||
	    base > UINT32_MAX || lupe_get_varint(p, n, &i, &cnt) < 0 || cnt > LUPE_POSMAP_MAX || cnt == 0)
		return -1;
	for (size_t k = 0; k < cnt; k++) {
		if (lupe_get_varint(p, n, &i, &d) < 0 || d > UINT32_MAX - at)
			return -1;
		at += d;
		out->off[k] = (uint32_t)at;
	}
	if (i != n)
		return -1;
	out->base = (uint32_t)base;
	out->n = (size_t)cnt;
	return 0;
}
