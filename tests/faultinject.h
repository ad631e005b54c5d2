/* Fault injection (tests/faultinject.c): arm from a test program. */
#ifndef LUPE_FAULTINJECT_H
#define LUPE_FAULTINJECT_H

enum { FI_NONE, FI_KILL, FI_EIO, FI_ENOSPC, FI_SIGINT,
       FI_EBUSY /* as rename(2) onto a mount point says */ };

/*
 * From now on, the nth call (1-based; 0: never) of `call` ("rename",
 * "renameat2", "mkdir", "open", "openat", "pwrite", "fdatasync", "fsync",
 * or "*" for any of them) does `action`.  Resets the count.
 */
void fi_arm(const char *call, long nth, int action);
/* Calls of the armed function counted since fi_arm(). */
long fi_calls(void);

#endif
