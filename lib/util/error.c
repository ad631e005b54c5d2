#include <stdarg.h>
#include <stdio.h>

#include "lupe.h"
#include "util/error.h"

int lupe_err_set(lupe_err *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->code = code;
	}
	return code;
}

void lupe_err_clear(lupe_err *e)
{
	e->code = LUPE_OK;
	e->msg[0] = '\0';
}

LUPE_EXPORT const char *lupe_strerror(int status)
{
	switch (status) {
	case LUPE_OK: return "success";
	case LUPE_ENOTFOUND: return "not found";
	case LUPE_ELOCKED: return "index is locked by another writer";
	case LUPE_ENOTLUPE: return "not a lupe index";
	case LUPE_ECORRUPT: return "index is corrupt";
	case LUPE_EIO: return "input/output error";
	case LUPE_ENOMEM: return "out of memory";
	case LUPE_EQUERY: return "query error";
	case LUPE_EINVAL: return "invalid argument";
	case LUPE_EREADONLY: return "index is open read-only";
	case LUPE_ENETWORK: return "remote shard failed";
	case LUPE_EINTERNAL: return "internal error";
	case LUPE_ELOST: return "uncommitted changes were lost";
	case LUPE_EBUSY: return "index busy: it kept changing while being read";
	case LUPE_ETIMEOUT: return "the search ran out of its time budget";
	case LUPE_EHUNG: return "a search never returned; the handle was given up";
	}
	return "unknown status";
}

/* meson passes its project version; a build outside meson (tests/fuzz/run-fuzz.sh)
 * takes the header's, which meson.build checks is the same. */
#ifndef LUPE_VERSION_BUILD
#define LUPE_VERSION_BUILD LUPE_VERSION_STRING
#endif

LUPE_EXPORT const char *lupe_version(void)
{
	return LUPE_VERSION_BUILD;
}
