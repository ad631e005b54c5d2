#include <stdlib.h>
#include <string.h>

#include "search/record_cache.h"

typedef struct {
	uint32_t docid;
	uint64_t used; /* the clock when last looked up or kept; 0: a free slot */
	size_t bytes;  /* counted against LUPE_RCACHE_BYTES: the buffer's capacity and the tail */
	lupe_record rec; /* its strings point into buf, its tail into tail */
	lupe_buf buf;
	char *tail;
} entry;

struct lupe_rcache {
	uint64_t gen, clock;
	size_t bytes;
	entry e[LUPE_RCACHE_ENTRIES];
};

static void drop(lupe_rcache *c, entry *e)
{
	lupe_buf_free(&e->buf);
	free(e->tail);
	c->bytes -= e->bytes;
	memset(e, 0, sizeof *e);
}

/* Take e out, its buffer kept for scratch (when scratch has none, else freed). */
static void recycle(lupe_rcache *c, entry *e, lupe_buf *spare)
{
	if (!spare->p) {
		*spare = e->buf;
		spare->len = 0;
		e->buf = (lupe_buf){0};
	}
	drop(c, e);
}

static void drop_all(lupe_rcache *c)
{
	for (size_t i = 0; i < LUPE_RCACHE_ENTRIES; i++)
		if (c->e[i].used)
			drop(c, &c->e[i]);
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

void lupe_rcache_put(lupe_rcache **pc, uint64_t gen, uint32_t docid, lupe_record *rec, lupe_buf *scratch)
{
	size_t bytes = scratch->cap + rec->tail_len;
	if (bytes > LUPE_RCACHE_BYTES / 4)
		return;
	if (!*pc && !(*pc = calloc(1, sizeof **pc)))
		return;
	lupe_rcache *c = *pc;
	to_generation(c, gen);
	char *tail = NULL;
	if (rec->tail && !(tail = malloc(rec->tail_len ? rec->tail_len : 1)))
		return;
	/* Room: the least recently used out until the record fits in a free slot. */
	lupe_buf spare = {0};
	entry *slot;
	for (;;) {
		entry *lru = NULL;
		slot = NULL;
		for (size_t i = 0; i < LUPE_RCACHE_ENTRIES; i++) {
			entry *e = &c->e[i];
			if (e->used && e->docid == docid)
				recycle(c, e, &spare); /* kept again: the newer one stays */
			if (!e->used)
				slot = slot ? slot : e;
			else if (!lru || e->used < lru->used)
				lru = e;
		}
		if ((slot && c->bytes + bytes <= LUPE_RCACHE_BYTES) || !lru)
			break; /* (!lru: the cache is empty, and a quarter of it fits) */
		recycle(c, lru, &spare);
	}
	if (rec->tail) {
		memcpy(tail, rec->tail, rec->tail_len);
		rec->tail = tail;
	}
	slot->rec = *rec;
	slot->buf = *scratch;
	slot->tail = tail;
	slot->docid = docid;
	slot->bytes = bytes;
	slot->used = ++c->clock;
	c->bytes += bytes;
	*scratch = spare;
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
