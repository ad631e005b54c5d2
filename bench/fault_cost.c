/*
 * What a page's first touch costs on this machine: a fresh 1 MB mapping
 * touched a byte a page (written, read), and one mapped with MAP_POPULATE;
 * the best of 20 runs, in microseconds a page (bench/results/
 * query-2026-12-05-faults.md).
 *
 *     cc -O2 -o /tmp/fault_cost bench/fault_cost.c && /tmp/fault_cost
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double run(int flags, int write)
{
	const size_t n = 1 << 20;
	double t0 = now_us();
	volatile char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < n; i += 4096) {
		if (write)
			p[i] = 1;
		else
			(void)p[i];
	}
	double t = now_us() - t0;
	munmap((void *)p, n);
	return t / (double)(n / 4096);
}

int main(void)
{
	double best[3] = {1e9, 1e9, 1e9};
	for (int r = 0; r < 20; r++) {
		double t[3] = {run(0, 1), run(0, 0), run(MAP_POPULATE, 1)};
		for (int k = 0; k < 3; k++)
			if (t[k] >= 0 && t[k] < best[k])
				best[k] = t[k];
	}
	printf("us a page: first write %.2f, first read %.2f, MAP_POPULATE and write %.2f\n", best[0], best[1],
	       best[2]);
	return 0;
}
