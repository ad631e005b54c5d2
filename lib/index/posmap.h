/*
 * The position map of a long body (value slot LUPE_SLOT_POSMAP,
 * index/schema.h): the byte offset where every LUPE_POSMAP_STEP-th word of
 * the body starts, so that a word position Xapian gives maps to a stretch
 * of bytes without analysing the body.  Made at indexing for bodies of
 * LUPE_POSMAP_MIN bytes or more, over the part of the body the record
 * keeps (LUPE_RECORD_DEEP_MAX bytes; at most LUPE_POSMAP_MAX blocks).
 *
 * Encoding: a version byte, then varints: the Xapian position of the
 * body's first word, the number of offsets n, and n offsets, each as its
 * difference from the one before (the first from 0).  Offset k is where
 * the first token with body position LUPE_POSMAP_STEP * k or later starts
 * (the smallest start of such tokens), so the offsets never decrease.
 * Version 1: the blocks that start within LUPE_RECORD_TEXT_MAX bytes (all
 * of a body no longer than that).  Version 2: those of a longer body,
 * which reach into its tail, where the snippet's search for a word as
 * written skips the stretches without the word's term (search/zones.h);
 * builds older than version 2 do not read it and read such a body as an
 * index without maps (the whole first stretch).
 */
#ifndef LUPE_POSMAP_H
#define LUPE_POSMAP_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analyzer.h"
#include "util/buf.h"

/*
 * Offsets a map holds at most: a word takes a byte at least, so 72 KB hold
 * 1,152 blocks; 1 MB of German prose (about 7 bytes a word) 2,300.  Blocks
 * past it are not in the map.
 */
#define LUPE_POSMAP_MAX 4096

typedef struct {
	uint32_t base;  /* the Xapian position of body word 0 */
	size_t n;       /* offsets */
	uint32_t off[LUPE_POSMAP_MAX];
} lupe_posmap;

/*
 * Encode the map of a body of len bytes whose tokens are toks (from
 * lupe_analyze_into with first position base - 1, as the index gives Xapian
 * position + 1) into out (replacing what it held).  Nothing (out->len 0)
 * when the body is shorter than LUPE_POSMAP_MIN.  0, or -1 out of memory.
 */
int lupe_posmap_encode(const lupe_tokens *toks, uint32_t base, size_t len, lupe_buf *out);

/* Decode a stored map: 0, or -1 when it is not a map this version reads (then: the old way). */
int lupe_posmap_decode(const char *p, size_t n, lupe_posmap *out);

#endif
