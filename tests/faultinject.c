/*
 * Fault injection for the file-system calls lupe and Xapian make: the N-th
 * call of one of them (or of any, "*") kills the process (SIGKILL), sends
 * it SIGINT (as Ctrl-C; the call then goes on), or fails with EIO or ENOSPC.  Counted calls: rename, renameat, renameat2,
 * mkdir, open (open, open64), openat (openat, openat64), pwrite (pwrite,
 * pwrite64), fdatasync, fsync.
 *
 * Two uses, one source:
 *  - built as a shared module (tests/meson.build: faultinject) and put in
 *    LD_PRELOAD, configured by the environment:
 *        LUPE_FI=CALL:N:ACTION   ACTION kill, int, eio or enospc; N 0 = never
 *        LUPE_FI_COUNT=FILE      at exit, write how many CALL calls were made
 *  - compiled into a test program, whose own definitions of these functions
 *    come before libc's for libxapian too; the test arms it with fi_arm().
 */
/* Both names of each call are defined here: no redirection of open to open64. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "faultinject.h"

static char fi_call[32];
static long fi_nth;
static int fi_action;
static long fi_count;
static int fi_env_read;

void fi_arm(const char *call, long nth, int action)
{
	snprintf(fi_call, sizeof fi_call, "%s", call ? call : "");
	fi_nth = nth;
	fi_action = action;
	__atomic_store_n(&fi_count, 0, __ATOMIC_SEQ_CST);
	fi_env_read = 1;
}

long fi_calls(void)
{
	return __atomic_load_n(&fi_count, __ATOMIC_SEQ_CST);
}

static void read_env(void)
{
	if (fi_env_read)
		return;
	fi_env_read = 1;
	const char *e = getenv("LUPE_FI");
	char call[32], action[16];
	long nth;
	if (!e || sscanf(e, "%31[^:]:%ld:%15s", call, &nth, action) != 3)
		return;
	int a = strcmp(action, "kill") == 0 ? FI_KILL : strcmp(action, "eio") == 0 ? FI_EIO
		: strcmp(action, "enospc") == 0 ? FI_ENOSPC : strcmp(action, "int") == 0 ? FI_SIGINT
		: strcmp(action, "ebusy") == 0 ? FI_EBUSY : FI_NONE;
	fi_arm(call, nth, a);
}

__attribute__((destructor)) static void write_count(void)
{
	const char *f = getenv("LUPE_FI_COUNT");
	if (!f || !*f)
		return;
	FILE *o = fopen(f, "w");
	if (o) {
		fprintf(o, "%ld\n", fi_calls());
		fclose(o);
	}
}

/* 1 when this call is to fail (errno set); a kill does not return. */
static int hit(const char *name)
{
	read_env();
	if (!fi_call[0] || (strcmp(fi_call, "*") != 0 && strcmp(fi_call, name) != 0))
		return 0;
	long k = __atomic_add_fetch(&fi_count, 1, __ATOMIC_SEQ_CST);
	if (k != fi_nth || fi_action == FI_NONE)
		return 0;
	if (fi_action == FI_KILL)
		raise(SIGKILL);
	if (fi_action == FI_SIGINT) {
		raise(SIGINT);
		return 0;
	}
	errno = fi_action == FI_EIO ? EIO : fi_action == FI_EBUSY ? EBUSY : ENOSPC;
	return 1;
}

#define REAL(type, name, args) \
	static type(*real) args; \
	if (!real) \
		*(void **)&real = dlsym(RTLD_NEXT, #name)

int rename(const char *a, const char *b)
{
	REAL(int, rename, (const char *, const char *));
	return hit("rename") ? -1 : real(a, b);
}

int renameat(int fa, const char *a, int fb, const char *b)
{
	REAL(int, renameat, (int, const char *, int, const char *));
	return hit("renameat") ? -1 : real(fa, a, fb, b);
}

int renameat2(int fa, const char *a, int fb, const char *b, unsigned flags)
{
	REAL(int, renameat2, (int, const char *, int, const char *, unsigned));
	return hit("renameat2") ? -1 : real(fa, a, fb, b, flags);
}

int mkdir(const char *p, mode_t m)
{
	REAL(int, mkdir, (const char *, mode_t));
	return hit("mkdir") ? -1 : real(p, m);
}

#define OPEN_MODE(flags, mode) \
	mode_t mode = 0; \
	if ((flags) & (O_CREAT | __O_TMPFILE)) { \
		va_list ap; \
		va_start(ap, flags); \
		mode = va_arg(ap, mode_t); \
		va_end(ap); \
	}

int open(const char *p, int flags, ...)
{
	OPEN_MODE(flags, mode);
	REAL(int, open, (const char *, int, ...));
	return hit("open") ? -1 : real(p, flags, mode);
}

int open64(const char *p, int flags, ...)
{
	OPEN_MODE(flags, mode);
	REAL(int, open64, (const char *, int, ...));
	return hit("open") ? -1 : real(p, flags, mode);
}

int openat(int d, const char *p, int flags, ...)
{
	OPEN_MODE(flags, mode);
	REAL(int, openat, (int, const char *, int, ...));
	return hit("openat") ? -1 : real(d, p, flags, mode);
}

int openat64(int d, const char *p, int flags, ...)
{
	OPEN_MODE(flags, mode);
	REAL(int, openat64, (int, const char *, int, ...));
	return hit("openat") ? -1 : real(d, p, flags, mode);
}

ssize_t pwrite(int fd, const void *b, size_t n, off_t o)
{
	REAL(ssize_t, pwrite, (int, const void *, size_t, off_t));
	return hit("pwrite") ? -1 : real(fd, b, n, o);
}

ssize_t pwrite64(int fd, const void *b, size_t n, off_t o)
{
	REAL(ssize_t, pwrite64, (int, const void *, size_t, off_t));
	return hit("pwrite") ? -1 : real(fd, b, n, o);
}

int fdatasync(int fd)
{
	REAL(int, fdatasync, (int));
	return hit("fdatasync") ? -1 : real(fd);
}

int fsync(int fd)
{
	REAL(int, fsync, (int));
	return hit("fsync") ? -1 : real(fd);
}
