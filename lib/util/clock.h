/* A monotonic clock for time budgets (search deadlines). */
#ifndef LUPE_CLOCK_H
#define LUPE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on CLOCK_MONOTONIC: only differences mean anything. */
static inline uint64_t lupe_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether a deadline (lupe_now_ns() units; 0: none) has passed. */
static inline int lupe_past(uint64_t deadline_ns)
{
	return deadline_ns && lupe_now_ns() >= deadline_ns;
}

#endif
