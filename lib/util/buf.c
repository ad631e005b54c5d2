#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

int lupe_buf_reserve(lupe_buf *b, size_t extra)
{
	if (extra <= b->cap - b->len)
		return 0;
	if (extra > (size_t)-1 / 2 - b->len)
		return -1;
	size_t cap = b->cap ? b->cap : 64;
	while (cap - b->len < extra)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

int lupe_buf_append(lupe_buf *b, const void *data, size_t n)
{
	if (lupe_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

int lupe_buf_putc(lupe_buf *b, char c)
{
	return lupe_buf_append(b, &c, 1);
}

int lupe_buf_terminate(lupe_buf *b)
{
	if (lupe_buf_reserve(b, 1) < 0)
		return -1;
	b->p[b->len] = '\0';
	return 0;
}

void lupe_buf_free(lupe_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int lupe_buf_put_varint(lupe_buf *b, uint64_t v)
{
	char tmp[10];
	size_t n = 0;
	do {
		tmp[n++] = (char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return lupe_buf_append(b, tmp, n);
}

int lupe_get_varint(const char *p, size_t len, size_t *i, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*i >= len)
			return -1;
		unsigned char c = (unsigned char)p[(*i)++];
		*v |= (uint64_t)(c & 0x7F) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return -1;
}
