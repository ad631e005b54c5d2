/*
 * Analysis speed with compound splitting on and off: loads the title and
 * text of every document of a JSON Lines file into memory, then runs
 * lupe_analyze() over all of them with each analyzer and prints MB/s
 * (bytes of title + text, in 10^6 bytes) and the ratio.  Built by
 * bench/build.sh against the liblupe of $LUPE_BUILD (default build).
 *
 *   bench/out/analysis_speed bench/data/de-corpus.jsonl [ROUNDS]
 *
 * Each mode runs ROUNDS times (default 3), alternating, and the fastest
 * round counts: the machine is shared, and the minimum is the least noisy.
 */
#define _POSIX_C_SOURCE 200809L
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lupe.h>

typedef struct {
	char *s;
	size_t n;
} text;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over every text; returns seconds, or -1 on an analysis error. */
static double pass(lupe_analyzer *an, const text *v, size_t n, size_t *tokens)
{
	double t0 = now();
	*tokens = 0;
	for (size_t i = 0; i < n; i++) {
		lupe_tokens *t;
		if (lupe_analyze(an, &t, v[i].s, v[i].n) != LUPE_OK)
			return -1;
		*tokens += lupe_tokens_count(t);
		lupe_tokens_free(t);
	}
	return now() - t0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE.jsonl [ROUNDS]\n", argv[0]);
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	text *v = NULL;
	size_t n = 0, cap = 0, bytes = 0;
	char *line = NULL;
	size_t lcap = 0;
	while (getline(&line, &lcap, f) > 0) {
		json_object *o = json_tokener_parse(line), *x;
		if (!o)
			continue;
		static const char *const fields[] = {"title", "text"};
		for (int k = 0; k < 2; k++) {
			if (!json_object_object_get_ex(o, fields[k], &x) || !json_object_is_type(x, json_type_string))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				v = realloc(v, cap * sizeof *v);
				if (!v)
					return 1;
			}
			v[n].n = (size_t)json_object_get_string_len(x);
			v[n].s = malloc(v[n].n + 1);
			if (!v[n].s)
				return 1;
			memcpy(v[n].s, json_object_get_string(x), v[n].n + 1);
			bytes += v[n].n;
			n++;
		}
		json_object_put(o);
	}
	free(line);
	fclose(f);

	lupe_analyzer *an[2];
	lupe_analyzer_options o = LUPE_ANALYZER_OPTIONS_INIT;
	for (int m = 0; m < 2; m++) {
		o.decompound = m == 0;
		if (lupe_analyzer_new(&an[m], &o) != LUPE_OK) {
			fprintf(stderr, "analyzer: out of memory\n");
			return 1;
		}
	}
	double best[2] = {0, 0};
	size_t toks[2] = {0, 0};
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < 2; m++) {
			double s = pass(an[m], v, n, &toks[m]);
			if (s < 0) {
				fprintf(stderr, "analysis failed\n");
				return 1;
			}
			if (r == 0 || s < best[m])
				best[m] = s;
		}
	double mb = (double)bytes / 1e6;
	printf("analysis: %.1f MB in %zu texts, best of %d rounds\n", mb, n, rounds);
	printf("decompound on:  %7.2f MB/s  %.2f s/MB  %zu tokens\n", mb / best[0], best[0] / mb, toks[0]);
	printf("decompound off: %7.2f MB/s  %.2f s/MB  %zu tokens\n", mb / best[1], best[1] / mb, toks[1]);
	printf("time per MB, on / off: %.2f\n", best[0] / best[1]);
	for (int m = 0; m < 2; m++)
		lupe_analyzer_free(an[m]);
	for (size_t i = 0; i < n; i++)
		free(v[i].s);
	free(v);
	return 0;
}
