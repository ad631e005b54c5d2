#include <stdlib.h>
#include <string.h>

#include "search/record_cache.h"

typedef struct {
	uint32_t docid;
	uint64_t used; /* the clock when last looked up or kept; 0: a free slot */
	size_t bytes;  /* counted against LUPE_RCACHE_BYTES: the block's size */
	lupe_record rec; /* its strings point into block */
	char *block;
} entry;

struct lupe_rcache {
	uint64_t gen, clock;
	size_t bytes;
	entry e[LUPE_RCACHE_ENTRIES];
	uint32_t ids[LUPE_RCACHE_ENTRIES]; /* e[i].docid, 0 for a free slot: what look-ups scan */
	/* The docids of the last LUPE_RCACHE_SEEN records offered (a ring; 0: none). */
	uint32_t seen[LUPE_RCACHE_SEEN];
	size_t seen_at;
};

static void drop(lupe_rcache *c, entry *e)
{
	free(e->block);
	c->bytes -= e->bytes;
	c->ids[e - c->e] = 0;
	memset(e, 0, sizeof *e);
}

/*
 * Whether v[0..n) holds x: a scan without an early exit, which the
 * compiler turns into vector compares.  A hit's look-up (64 entries) and
 * a new record's admission (256 docids seen) went entry by entry: ~900
 * instructions a hit more, 0.3% of the 1,000 short queries' (callgrind).
 */
static int holds(const uint32_t *v, size_t n, uint32_t x)
{
	unsigned hit = 0;
	for (size_t i = 0; i < n; i++)
		hit |= v[i] == x;
	return hit != 0;
}

static void drop_all(lupe_rcache *c)
{
	for (size_t i = 0; i < LUPE_RCACHE_ENTRIES; i++)
		if (c->e[i].used)
			drop(c, &c->e[i]);
	memset(c->seen, 0, sizeof c->seen);
}

void lupe_rcache_free(lupe_rcache *c)
{
	if (!c)
		return;
	drop_all(c);
	free(c);
}

/* A new generation: nothing read before may be served. */
static void to_generation(lupe_rcache *c, uint64_t gen)
{
	if (c->gen != gen) {
		drop_all(c);
		c->gen = gen;
	}
}

int lupe_rcache_get(lupe_rcache *c, uint64_t gen, uint32_t docid, lupe_record *rec)
{
	if (!c)
		return 0;
	to_generation(c, gen);
	if (docid == 0 || !holds(c->ids, LUPE_RCACHE_ENTRIES, docid))
		return 0;
	for (size_t i = 0; i < LUPE_RCACHE_ENTRIES; i++) {
		entry *e = &c->e[i];
		if (e->used && e->docid == docid) {
			e->used = ++c->clock;
			*rec = e->rec;
			return 1;
		}
	}
	return 0;
}

/* Whether docid was offered among the last LUPE_RCACHE_SEEN; notes it either way. */
static int seen_before(lupe_rcache *c, uint32_t docid)
{
	if (holds(c->seen, LUPE_RCACHE_SEEN, docid))
		return 1;
	c->seen[c->seen_at] = docid;
	c->seen_at = (c->seen_at + 1) % LUPE_RCACHE_SEEN;
	return 0;
}

/* Copy n bytes of s to *at and point *dst there. */
static void put_str(char **at, const char **dst, const char *s, size_t n)
{
	if (n)
		memcpy(*at, s, n);
	*dst = *at;
	*at += n;
}

void lupe_rcache_put(lupe_rcache **pc, uint64_t gen, uint32_t docid, const lupe_record *rec)
{
	size_t bytes = rec->id_len + rec->title_len + rec->source_len + rec->path_len + rec->date_len +
		       rec->text_len + rec->tail_len;
	if (bytes > LUPE_RCACHE_BYTES / 4 || docid == 0)
		return;
	if (!*pc && !(*pc = calloc(1, sizeof **pc)))
		return;
	lupe_rcache *c = *pc;
	to_generation(c, gen);
	if (!seen_before(c, docid))
		return;
	/* Room: the least recently used out until the record fits in a free slot. */
	entry *slot;
	for (;;) {
		entry *lru = NULL;
		slot = NULL;
		for (size_t i = 0; i < LUPE_RCACHE_ENTRIES; i++) {
			entry *e = &c->e[i];
			if (e->used && e->docid == docid)
				drop(c, e); /* kept again: the newer copy stays */
			if (!e->used)
				slot = slot ? slot : e;
			else if (!lru || e->used < lru->used)
				lru = e;
		}
		if ((slot && c->bytes + bytes <= LUPE_RCACHE_BYTES) || !lru)
			break; /* (!lru: the cache is empty, and a quarter of it fits) */
		drop(c, lru);
	}
	if (!(slot->block = malloc(bytes ? bytes : 1)))
		return;
	char *at = slot->block;
	slot->rec = *rec;
	put_str(&at, &slot->rec.id, rec->id, rec->id_len);
	put_str(&at, &slot->rec.title, rec->title, rec->title_len);
	put_str(&at, &slot->rec.source, rec->source, rec->source_len);
	put_str(&at, &slot->rec.path, rec->path, rec->path_len);
	put_str(&at, &slot->rec.date, rec->date, rec->date_len);
	put_str(&at, &slot->rec.text, rec->text, rec->text_len);
	if (rec->tail)
		put_str(&at, &slot->rec.tail, rec->tail, rec->tail_len);
	slot->docid = docid;
	c->ids[slot - c->e] = docid;
	slot->bytes = bytes;
	slot->used = ++c->clock;
	c->bytes += bytes;
}

size_t lupe_rcache_count(const lupe_rcache *c, size_t *bytes)
{
	size_t n = 0;
	for (size_t i = 0; c && i < LUPE_RCACHE_ENTRIES; i++)
		n += c->e[i].used != 0;
	if (bytes)
		*bytes = c ? c->bytes : 0;
	return n;
}

typedef struct {
	uint32_t docid;
	uint64_t used; /* as entry.used */
	lupe_buf body;
} body_entry;

struct lupe_dcache {
	uint64_t gen, clock;
	size_t bytes; /* of the kept bodies' buffers (their capacity) */
	body_entry e[LUPE_DCACHE_ENTRIES];
};

static void body_drop(lupe_dcache *c, body_entry *e)
{
	c->bytes -= e->body.cap;
	lupe_buf_free(&e->body);
	memset(e, 0, sizeof *e);
}

static void body_generation(lupe_dcache *c, uint64_t gen)
{
	if (c->gen == gen)
		return;
	for (size_t i = 0; i < LUPE_DCACHE_ENTRIES; i++)
		if (c->e[i].used)
			body_drop(c, &c->e[i]);
	c->gen = gen;
}

void lupe_dcache_free(lupe_dcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < LUPE_DCACHE_ENTRIES; i++)
		lupe_buf_free(&c->e[i].body);
	free(c);
}

int lupe_dcache_get(lupe_dcache *c, uint64_t gen, uint32_t docid, const char **text, size_t *len)
{
	if (!c || docid == 0)
		return 0;
	body_generation(c, gen);
	for (size_t i = 0; i < LUPE_DCACHE_ENTRIES; i++) {
		body_entry *e = &c->e[i];
		if (e->used && e->docid == docid) {
			e->used = ++c->clock;
			*text = e->body.p;
			*len = e->body.len;
			return 1;
		}
	}
	return 0;
}

const lupe_buf *lupe_dcache_put(lupe_dcache **pc, uint64_t gen, uint32_t docid, lupe_buf *body)
{
	if (docid == 0 || body->cap > LUPE_DCACHE_BYTES)
		return NULL;
	if (!*pc && !(*pc = calloc(1, sizeof **pc)))
		return NULL;
	lupe_dcache *c = *pc;
	body_generation(c, gen);
	/* Room: the least recently used out until the body fits in a free slot. */
	body_entry *slot;
	lupe_buf spare = {0};
	for (;;) {
		body_entry *lru = NULL;
		slot = NULL;
		for (size_t i = 0; i < LUPE_DCACHE_ENTRIES; i++) {
			body_entry *e = &c->e[i];
			if (e->used && e->docid == docid)
				body_drop(c, e); /* kept again: the newer copy stays */
			if (!e->used)
				slot = slot ? slot : e;
			else if (!lru || e->used < lru->used)
				lru = e;
		}
		if ((slot && c->bytes + body->cap <= LUPE_DCACHE_BYTES) || !lru)
			break;
		/* The buffer put out goes back to the caller (the largest one, if several). */
		c->bytes -= lru->body.cap;
		if (lru->body.cap > spare.cap) {
			lupe_buf_free(&spare);
			spare = lru->body;
		} else {
			lupe_buf_free(&lru->body);
		}
		memset(lru, 0, sizeof *lru);
	}
	slot->docid = docid;
	slot->used = ++c->clock;
	slot->body = *body;
	c->bytes += body->cap;
	spare.len = 0;
	*body = spare;
	return &slot->body;
}

size_t lupe_dcache_count(const lupe_dcache *c, size_t *bytes)
{
	size_t n = 0;
	for (size_t i = 0; c && i < LUPE_DCACHE_ENTRIES; i++)
		n += c->e[i].used != 0;
	if (bytes)
		*bytes = c ? c->bytes : 0;
	return n;
}
