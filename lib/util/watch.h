/*
 * A watched call: a thread that runs one call at a time for its owner,
 * who waits for the answer with a deadline.  Searches run this way so that
 * a lookup that never returns (a damaged index can make one of Xapian's
 * B-tree lookups loop, where no callback of lupe's is reached) costs the
 * caller an error after a bounded wait instead of a hung program.
 *
 * The owner calls from one thread at a time.  The thread is started at
 * the first call, blocks every signal (they stay with the owner's
 * threads), and is started again in a child after fork().
 */
#ifndef LUPE_WATCH_H
#define LUPE_WATCH_H

typedef struct lupe_watch lupe_watch;

/* A new, idle watch (its thread starts at the first lupe_watch_run).
 * NULL when out of memory. */
lupe_watch *lupe_watch_new(void);

/*
 * Run fn(arg) on the watch's thread and wait at most wait_ms for it.
 * 0: it returned, its status in *rc.  1: it has not returned by then; it
 * keeps running, so arg and everything fn reaches must stay valid for
 * good, and w may then only be given to lupe_watch_abandon().  -1: the
 * thread could not be started (*rc = LUPE_ENOMEM): nothing ran.
 */
int lupe_watch_run(lupe_watch *w, int (*fn)(void *), void *arg, unsigned wait_ms, int *rc);

/* Stop and free an idle watch (NULL allowed). */
void lupe_watch_free(lupe_watch *w);

/* Give up a watch whose call has not returned: nothing is freed while it
 * runs; if it ever returns, its thread frees the watch and ends. */
void lupe_watch_abandon(lupe_watch *w);

#endif
