/*
 * libFuzzer target for the lexicon's value decoder (lx_lexicon_decode,
 * lib/shim/lexicon.cc): what a remote reader reads from a shard's
 * metadata for a two-byte prefix, so what a damaged shard, or another
 * program writing those keys, hands it.
 *
 * The same bytes as a whole lexicon's chunk (lx_lexicon_whole_decode).
 * Promises checked on every input: 1 (read) or 0 (damaged) and nothing
 * else; on 1 the terms come sorted, distinct, starting with the prefix,
 * with frequencies of 1 or more.  A broken promise aborts: a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shim/shim.h"

static char last[4096];
static size_t last_len;
static int seen;

static int check_term(void *ctx, const char *term, size_t len, uint64_t freq)
{
	(void)ctx;
	if (len < 2 || term[0] != 'g' || term[1] != 'e' || freq == 0)
		abort();
	if (seen) {
		size_t n = len < last_len ? len : last_len;
		int c = memcmp(last, term, n);
		if (c > 0 || (c == 0 && len <= last_len))
			abort();
	}
	seen = 1;
	last_len = len < sizeof last ? len : sizeof last;
	memcpy(last, term, last_len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	seen = 0;
	last_len = 0;
	int rc = lx_lexicon_decode("ge", data, size, check_term, NULL);
	if (rc != 0 && rc != 1)
		abort();
	/* The same bytes as a chunk of a whole lexicon (round ten) written with
	 * stamp "S": read or refused, and its look-up in place (-1 when it
	 * answers otherwise than the list) agrees. */
	seen = 0;
	last_len = 0;
	rc = lx_lexicon_whole_decode(data, size, "S", "ge", check_term, NULL);
	if (rc != 0 && rc != 1)
		abort();
	return 0;
}
