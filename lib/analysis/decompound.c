/* Placeholder until the decompounder lands (see decompound.h). */
#include <stdlib.h>
#include "analysis/decompound.h"
struct lupe_decompounder { lupe_freq_fn fn; void *ctx; };
int lupe_decomp_new(lupe_decompounder **out) { *out = calloc(1, sizeof **out); return *out ? 0 : -1; }
void lupe_decomp_free(lupe_decompounder *d) { free(d); }
void lupe_decomp_set_freq(lupe_decompounder *d, lupe_freq_fn fn, void *ctx) { d->fn = fn; d->ctx = ctx; }
int lupe_decomp_split(const lupe_decompounder *d, const char *w, size_t n, lupe_part *p, int max)
{ (void)d; (void)w; (void)n; (void)p; (void)max; return 0; }
