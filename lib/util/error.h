/* The detailed message of a handle's last failure. */
#ifndef LUPE_ERROR_H
#define LUPE_ERROR_H

#include <stddef.h>

#define LUPE_ERRMSG_MAX 512

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	int code;
	char msg[LUPE_ERRMSG_MAX];
} lupe_err;

/* Record code and a printf-style message; returns code, so `return lupe_err_set(...)`. */
int lupe_err_set(lupe_err *e, int code, const char *fmt, ...)
#ifdef __GNUC__
	__attribute__((format(printf, 3, 4)))
#endif
	;
void lupe_err_clear(lupe_err *e);

#ifdef __cplusplus
}
#endif

#endif
