/* A growable byte buffer; every function returns 0 or -1 (out of memory). */
#ifndef LUPE_BUF_H
#define LUPE_BUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	char *p;
	size_t len, cap;
} lupe_buf;

int lupe_buf_reserve(lupe_buf *b, size_t extra);
int lupe_buf_append(lupe_buf *b, const void *data, size_t n);
int lupe_buf_putc(lupe_buf *b, char c);
/* Append a NUL without counting it in len, so b->p is a C string. */
int lupe_buf_terminate(lupe_buf *b);
void lupe_buf_free(lupe_buf *b);
/* Append v as a varint (7 bits a byte, low first; the high bit says more follow). */
int lupe_buf_put_varint(lupe_buf *b, uint64_t v);
/* Read a varint at p[*i] (len bytes in all), advancing *i: 0, or -1 when cut short or over 64 bits. */
int lupe_get_varint(const char *p, size_t len, size_t *i, uint64_t *v);

#ifdef __cplusplus
}
#endif

#endif
