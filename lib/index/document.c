#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "index/document.h"
#include "index/posmap.h"
#include "util/date.h"
#include "util/utf8.h"

#define RECORD_MAGIC 'L'
/*
 * Version 1: the fields.  Version 2: a flag byte, then the fields, raw or
 * (flag 1) as one zstd frame.  lupe compresses long records itself because
 * Xapian 1.4.22's own record compression (zlib) can write a record that it
 * cannot read back ("Too few chunks of compressed data"): its inflate loop
 * unpacks into 8 KB at a time and gives up when the last chunk's input is
 * used up while output is still pending, which a record of more than 8 KB
 * that compresses very well can meet.  A zstd frame is stored as it is
 * (Xapian cannot shrink it), and zstd unpacks several times faster.
 */
#define RECORD_VERSION 2
/*
 * Version 3: a version-2 record (its text the first LUPE_RECORD_TEXT_MAX
 * bytes of the body) followed by one zstd frame of the body's tail, up to
 * LUPE_RECORD_DEEP_MAX bytes in all.  Only a body that long gets one, so
 * the records of all other bodies stay version 2; the tail stays packed
 * until a snippet needs it (lupe_record_text_all).
 */
#define RECORD_VERSION_TAIL 3
#define RECORD_RAW 0
#define RECORD_ZSTD 1
/*
 * Shorter fields are stored raw and left to Xapian's compression: they
 * unpack in one step of its loop, so it cannot go wrong on them.  Most
 * records are this short (the median body of the 24 MB corpus has 138
 * bytes), but 89% of its text is in the 23% of records that are not, and
 * those are the ones a search reads most (the bodies of its hits average
 * 2 KB): zstd unpacks them faster than zlib.  Measured with the questions
 * on the x1 index: 8000 bytes here (session 4) -> 512, search task-clock
 * -6%, index +0.4%; indexing +3-5%, because a merge (bulk loads,
 * lupe_compact) offers each zstd frame to zlib again, where a record
 * Xapian compressed is copied as it is.
 */
#define RECORD_ZSTD_MIN 512
#define RECORD_ZSTD_LEVEL 3
#define RECORD_UNPACKED_MAX (256ull * 1024 * 1024)

static int put_field(lupe_buf *b, const char *s, size_t n)
{
	if (lupe_buf_put_varint(b, n) < 0)
		return -1;
	return lupe_buf_append(b, s, n);
}

static int get_field(const char *p, size_t len, size_t *i, const char **s, size_t *n)
{
	uint64_t v;
	if (lupe_get_varint(p, len, i, &v) < 0 || v > len - *i)
		return -1;
	*s = p + *i;
	*n = (size_t)v;
	*i += (size_t)v;
	return 0;
}

/* The zstd contexts of a thread, made when first needed and freed when the thread ends. */
typedef struct {
	ZSTD_CCtx *c;
	ZSTD_DCtx *d;
} zctx;

static pthread_once_t zkey_once = PTHREAD_ONCE_INIT;
static pthread_key_t zkey;
static int zkey_made; /* pthread_key_create can fail (no keys left): then no contexts, "out of memory" */

static void zctx_free(void *p)
{
	zctx *z = p;
	ZSTD_freeCCtx(z->c);
	ZSTD_freeDCtx(z->d);
	free(z);
}

static void make_zkey(void)
{
	zkey_made = pthread_key_create(&zkey, zctx_free) == 0;
}

static zctx *zctx_get(void)
{
	pthread_once(&zkey_once, make_zkey);
	if (!zkey_made)
		return NULL;
	zctx *z = pthread_getspecific(zkey);
	if (!z && (z = calloc(1, sizeof *z)) && pthread_setspecific(zkey, z) != 0) {
		free(z);
		z = NULL;
	}
	return z;
}

/*
 * The dictionary records are packed with (version 2 and 3 alike: a frame's
 * header names its dictionary's id, 0 for none).  Most packed records are a
 * few KB: too short for zstd to find many repeats in them or to make its
 * tables pay, which a dictionary of German text in records' shape supplies
 * (tools/zdict-train: trained on German documentation that no benchmark
 * searches).  Measured on the collection (bench/results/
 * query-2026-12-06-zdict.md): head frames 0.89 of their size, index -1.7%,
 * the short queries' instructions -3.7% (p50 -6.9%), the questions' -2.7%,
 * indexing unchanged.  Part of the index format: the bytes of an id never
 * change; a better dictionary takes a new id and readers keep every old one.
 * Frames written without one (before) still decode; builds before it read
 * frames that name one as damaged.
 */
/*
 * Each made once a process, when first needed (a copy of the 64 KB with the
 * tables made from it): a process that only searches never makes the
 * packing one, whose match tables take ~1 MB.
 */
static pthread_once_t zdict_c_once = PTHREAD_ONCE_INIT, zdict_d_once = PTHREAD_ONCE_INIT;
static ZSTD_CDict *zdict_cd;
static ZSTD_DDict *zdict_dd;

static void zdict_c_make(void)
{
	zdict_cd = ZSTD_createCDict(lupe_zdict_de1, lupe_zdict_de1_size, RECORD_ZSTD_LEVEL);
}

static void zdict_d_make(void)
{
	zdict_dd = ZSTD_createDDict(lupe_zdict_de1, lupe_zdict_de1_size);
}

/* The dictionary to pack with; NULL when out of memory. */
static const ZSTD_CDict *zdict_c(void)
{
	pthread_once(&zdict_c_once, zdict_c_make);
	return zdict_cd;
}

/*
 * Unpack the frame src[0..n) into dst, which it must fill exactly (`want`
 * bytes, from its header), with the library's dictionary when its header
 * names one.  0; -1 when the frame is damaged or names another dictionary
 * (zstd refuses a frame whose id is not the dictionary's); -2 when the
 * dictionary cannot be made for want of memory.
 */
static int unpack_frame(ZSTD_DCtx *d, void *dst, size_t want, const void *src, size_t n)
{
	const ZSTD_DDict *dd = NULL;
	if (ZSTD_getDictID_fromFrame(src, n)) {
		pthread_once(&zdict_d_once, zdict_d_make);
		if (!(dd = zdict_dd))
			return -2;
	}
	size_t got = ZSTD_decompress_usingDDict(d, dst, want, src, n, dd);
	return ZSTD_isError(got) || got != want ? -1 : 0;
}

/*
 * Frames carry a checksum of their content (ZSTD_c_checksumFlag, 4 bytes):
 * without it most bit flips in a stored frame decode to altered text (32 of
 * 41 in a test), which a search would show as the document's.  With it
 * they fail as damage.  Frames written before have none and still decode.
 */
static ZSTD_CCtx *cctx(void)
{
	zctx *z = zctx_get();
	if (z && !z->c && (z->c = ZSTD_createCCtx())) {
		const ZSTD_CDict *cd = zdict_c();
		if (!cd || ZSTD_isError(ZSTD_CCtx_setParameter(z->c, ZSTD_c_compressionLevel, RECORD_ZSTD_LEVEL)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(z->c, ZSTD_c_checksumFlag, 1)) ||
		    ZSTD_isError(ZSTD_CCtx_refCDict(z->c, cd))) {
			ZSTD_freeCCtx(z->c);
			z->c = NULL;
		}
	}
	return z ? z->c : NULL;
}

static ZSTD_DCtx *dctx(void)
{
	zctx *z = zctx_get();
	if (z && !z->d)
		z->d = ZSTD_createDCtx();
	return z ? z->d : NULL;
}

/* A version-2 record: magic, version, flag, then the fields (raw or one zstd frame). */
#define RECORD_HEAD 3

/*
 * The record to store, from `rec` (a raw version-2 record): rec itself, or
 * its fields packed with zstd into `spare` when they are long and zstd
 * shrinks them.  NULL when out of memory.
 */
static lupe_buf *pack(lupe_buf *rec, lupe_buf *spare)
{
	size_t n = rec->len - RECORD_HEAD;
	if (n < RECORD_ZSTD_MIN)
		return rec;
	size_t bound = ZSTD_compressBound(n);
	ZSTD_CCtx *c = cctx();
	spare->len = 0;
	if (!c || lupe_buf_reserve(spare, RECORD_HEAD + bound) < 0)
		return NULL;
	size_t z = ZSTD_compress2(c, spare->p + RECORD_HEAD, bound, rec->p + RECORD_HEAD, n);
	if (ZSTD_isError(z)) /* with room for the bound, only memory can fail */
		return NULL;
	if (z >= n)
		return rec;
	memcpy(spare->p, rec->p, RECORD_HEAD);
	spare->p[2] = RECORD_ZSTD;
	spare->len = RECORD_HEAD + z;
	return spare;
}

/* Append the body's tail to a packed record as one zstd frame; mark it version 3.  -1 when out of memory. */
static int add_tail(lupe_buf *stored, const char *tail, size_t n)
{
	size_t bound = ZSTD_compressBound(n);
	ZSTD_CCtx *c = cctx();
	if (!c || lupe_buf_reserve(stored, bound) < 0)
		return -1;
	/* With a checksum (cctx()): a damaged tail is found, not shown as other text. */
	size_t z = ZSTD_compress2(c, stored->p + stored->len, bound, tail, n);
	if (ZSTD_isError(z))
		return -1;
	stored->len += z;
	stored->p[1] = RECORD_VERSION_TAIL;
	return 0;
}

int lupe_record_parse(const char *data, size_t len, lupe_buf *scratch, lupe_record *r)
{
	size_t i = 2;
	uint64_t mt;
	memset(r, 0, sizeof *r);
	const char *tail = NULL; /* version 3: where the tail's frame starts, once known */
	char version = len >= 2 ? data[1] : 0;
	size_t tail_len = 0;
	if (len < 2 || data[0] != RECORD_MAGIC ||
	    (data[1] != 1 && data[1] != RECORD_VERSION && data[1] != RECORD_VERSION_TAIL))
		return -1;
	if (data[1] != 1) {
		if (len < RECORD_HEAD || (data[2] != RECORD_RAW && data[2] != RECORD_ZSTD))
			return -1;
		i = RECORD_HEAD;
		if (data[2] == RECORD_ZSTD) {
			size_t head = len - RECORD_HEAD;
			if (data[1] == RECORD_VERSION_TAIL) {
				head = ZSTD_findFrameCompressedSize(data + RECORD_HEAD, len - RECORD_HEAD);
				if (ZSTD_isError(head) || head >= len - RECORD_HEAD)
					return -1;
				tail = data + RECORD_HEAD + head;
				tail_len = len - RECORD_HEAD - head;
			}
			unsigned long long n = ZSTD_getFrameContentSize(data + RECORD_HEAD, head);
			/* A damaged frame must not make us allocate without bound: no record is near 256 MB. */
			if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n > RECORD_UNPACKED_MAX)
				return -1;
			ZSTD_DCtx *d = dctx();
			scratch->len = 0;
			if (!d || lupe_buf_reserve(scratch, (size_t)n) < 0)
				return -2;
			int rc = unpack_frame(d, scratch->p, (size_t)n, data + RECORD_HEAD, head);
			if (rc < 0)
				return rc;
			scratch->len = (size_t)n;
			data = scratch->p;
			len = (size_t)n;
			i = 0;
		}
	}
	if (get_field(data, len, &i, &r->id, &r->id_len) < 0 ||
	    get_field(data, len, &i, &r->title, &r->title_len) < 0 ||
	    get_field(data, len, &i, &r->source, &r->source_len) < 0 ||
	    get_field(data, len, &i, &r->path, &r->path_len) < 0 ||
	    get_field(data, len, &i, &r->date, &r->date_len) < 0 || lupe_get_varint(data, len, &i, &mt) < 0 ||
	    get_field(data, len, &i, &r->text, &r->text_len) < 0)
		return -1;
	r->mtime = (int64_t)mt;
	if (version == RECORD_VERSION_TAIL && !tail) { /* raw fields: the tail's frame follows them */
		if (i >= len)
			return -1;
		tail = data + i;
		tail_len = len - i;
	}
	r->tail = tail;
	r->tail_len = tail_len;
	return 0;
}

int lupe_record_text_all(const lupe_record *r, lupe_buf *out)
{
	out->len = 0;
	unsigned long long n = 0;
	if (r->tail) {
		n = ZSTD_getFrameContentSize(r->tail, r->tail_len);
		if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n > LUPE_RECORD_DEEP_MAX)
			return -1;
	}
	if (lupe_buf_reserve(out, r->text_len + (size_t)n) < 0)
		return -2;
	memcpy(out->p, r->text, r->text_len);
	out->len = r->text_len;
	if (!r->tail)
		return 0;
	ZSTD_DCtx *d = dctx();
	if (!d)
		return -2;
	int rc = unpack_frame(d, out->p + out->len, (size_t)n, r->tail, r->tail_len);
	if (rc < 0)
		return rc;
	out->len += (size_t)n;
	return 0;
}

/* Index the tokens of one field: unprefixed terms always, prefixed ones when pfx is set. */
static int add_tokens(lx_doc *xd, const lupe_tokens *toks, const char *pfx, uint32_t wdf, lupe_buf *tmp)
{
	size_t pl = pfx ? strlen(pfx) : 0;
	for (size_t i = 0; i < toks->n; i++) {
		const lupe_itok *k = &toks->v[i];
		const char *term = lupe_itok_term(toks, k);
		/* Parts and joined forms share a position with their word: positions
		 * stay useful for phrases, which are made of words. */
		if (lx_doc_posting(xd, term, k->term_len, k->position + 1, wdf) != 0)
			return -1;
		if (pfx) {
			tmp->len = 0;
			if (lupe_buf_append(tmp, pfx, pl) < 0 || lupe_buf_append(tmp, term, k->term_len) < 0)
				return -1;
			if (lx_doc_posting(xd, tmp->p, tmp->len, k->position + 1, 1) != 0)
				return -1;
		}
	}
	return 0;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

static char *dup_into(char **at, const char *s, size_t n)
{
	char *r = *at;
	memcpy(r, s, n);
	r[n] = '\0';
	*at += n + 1;
	return r;
}

size_t lupe_document_copy(const lupe_document *doc, lupe_document *copy, char **buf)
{
	size_t idl = strlen(doc->id);
	size_t til = doc->title ? doc->title_len : 0, tel = doc->text ? doc->text_len : 0;
	size_t sl = slen(doc->source), pl = slen(doc->path), dl = slen(doc->date);
	size_t need = idl + til + tel + sl + pl + dl + 6;
	char *b = malloc(need);
	*buf = b;
	if (!b)
		return 0;
	*copy = *doc;
	copy->id = dup_into(&b, doc->id, idl);
	copy->title = doc->title ? dup_into(&b, doc->title, til) : NULL;
	copy->text = doc->text ? dup_into(&b, doc->text, tel) : NULL;
	copy->source = doc->source ? dup_into(&b, doc->source, sl) : NULL;
	copy->path = doc->path ? dup_into(&b, doc->path, pl) : NULL;
	copy->date = doc->date ? dup_into(&b, doc->date, dl) : NULL;
	return need;
}

int lupe_id_term(lupe_buf *out, const char *id)
{
	out->len = 0;
	return lupe_buf_append(out, LUPE_PFX_ID, 1) < 0 || lupe_buf_append(out, id, strlen(id)) < 0 ? -1 : 0;
}

int lupe_document_build(lupe_analyzer *an, const lupe_document *doc, lupe_tokens *toks, lupe_buf *tmp,
			lx_doc **out, lupe_err *err)
{
	lupe_buf title = {0}, text = {0}, rec = {0};
	char date[15] = "";
	lx_doc *xd = NULL;
	int rc = LUPE_ENOMEM;
	size_t text_len = doc->text ? doc->text_len : 0;
	size_t title_len = doc->title ? doc->title_len : 0;

	*out = NULL;
	if (doc->date && *doc->date && lupe_date_normalise(doc->date, date) < 0)
		return lupe_err_set(err, LUPE_EINVAL, "document %s: date \"%.40s\" is not ISO 8601 (YYYY-MM-DD)",
				    doc->id, doc->date);
	if (text_len > LUPE_TEXT_MAX)
		text_len = lupe_utf8_floor(doc->text, LUPE_TEXT_MAX);
	if (title_len > 4096)
		title_len = lupe_utf8_floor(doc->title, 4096);

	/* Repair once; what is stored, analysed and shown is the same valid UTF-8.
	 * NUL bytes become spaces so that no reader of the stored text stops early.
	 * A body that needs no repair (nearly all) is used where it is, not copied. */
	const char *tx = doc->text ? doc->text : "";
	size_t txl = text_len;
	if (lupe_utf8_repair(doc->title ? doc->title : "", title_len, ' ', &title) < 0)
		goto fail;
	if (memchr(tx, '\0', txl) || !lupe_utf8_valid(tx, txl)) {
		if (lupe_utf8_repair(tx, txl, ' ', &text) < 0)
			goto fail;
		tx = text.p ? text.p : "";
		txl = text.len;
	}
	xd = lx_doc_new();
	if (!xd)
		goto fail;

	lupe_tokens_reset(toks);
	int64_t next = lupe_analyze_into(an, toks, title.p ? title.p : "", title.len, 0);
	if (next < 0 || add_tokens(xd, toks, LUPE_PFX_TITLE, LUPE_TITLE_WDF, tmp) < 0)
		goto fail;
	lupe_tokens_reset(toks);
	if (lupe_analyze_into(an, toks, tx, txl, (uint32_t)next + LUPE_BODY_POS_GAP) < 0 ||
	    add_tokens(xd, toks, NULL, 1, tmp) < 0)
		goto fail;
	/* A long body's position map (index/posmap.h): snippets read zones of it. */
	if (lupe_posmap_encode(toks, (uint32_t)next + LUPE_BODY_POS_GAP + 1, txl, tmp) < 0 ||
	    (tmp->len && lx_doc_value(xd, LUPE_SLOT_POSMAP, tmp->p, tmp->len) != 0))
		goto fail;

	/* Boolean terms: the unique id, the source facet. */
	if (lupe_id_term(tmp, doc->id) < 0 || lx_doc_term(xd, tmp->p, tmp->len, 0) != 0)
		goto fail;
	if (doc->source && *doc->source) {
		tmp->len = 0;
		if (lupe_buf_append(tmp, LUPE_PFX_SOURCE, 2) < 0)
			goto fail;
		size_t n = strlen(doc->source);
		if (n > LUPE_TERM_MAX)
			n = lupe_utf8_floor(doc->source, LUPE_TERM_MAX);
		for (size_t i = 0; i < n; i++) {
			char c = doc->source[i];
			if (lupe_buf_putc(tmp, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c) < 0)
				goto fail;
		}
		if (lx_doc_term(xd, tmp->p, tmp->len, 0) != 0)
			goto fail;
	}
	if (doc->path && *doc->path) {
		size_t n = strlen(doc->path);
		if (n > LUPE_TERM_MAX)
			n = lupe_utf8_floor(doc->path, LUPE_TERM_MAX);
		tmp->len = 0;
		if (lupe_buf_append(tmp, LUPE_PFX_PATH, 2) < 0 || lupe_buf_append(tmp, doc->path, n) < 0 ||
		    lx_doc_term(xd, tmp->p, tmp->len, 0) != 0)
			goto fail;
	}
	if (doc->source && *doc->source && lx_doc_value(xd, LX_SLOT_SOURCE, doc->source, strlen(doc->source)) != 0)
		goto fail;
	if (date[0] && (lx_doc_value(xd, LX_SLOT_DATE, date, 14) != 0 || lx_doc_value(xd, LX_SLOT_YEAR, date, 4) != 0))
		goto fail;
	if (doc->mtime) {
		char mt[32];
		int n = snprintf(mt, sizeof mt, "%lld", (long long)doc->mtime);
		if (lx_doc_value(xd, LX_SLOT_MTIME, mt, (size_t)n) != 0)
			goto fail;
	}

	rec.len = 0;
	size_t kept = txl > LUPE_RECORD_TEXT_MAX ? lupe_utf8_floor(tx, LUPE_RECORD_TEXT_MAX) : txl;
	if (lupe_buf_putc(&rec, RECORD_MAGIC) < 0 || lupe_buf_putc(&rec, RECORD_VERSION) < 0 ||
	    lupe_buf_putc(&rec, RECORD_RAW) < 0 || put_field(&rec, doc->id, strlen(doc->id)) < 0 ||
	    put_field(&rec, title.p, title.len) < 0 || put_field(&rec, doc->source, slen(doc->source)) < 0 ||
	    put_field(&rec, doc->path, slen(doc->path)) < 0 || put_field(&rec, doc->date, slen(doc->date)) < 0 ||
	    lupe_buf_put_varint(&rec, (uint64_t)doc->mtime) < 0 || put_field(&rec, tx, kept) < 0)
		goto fail;
	/* title's buffer is free now: a packed record goes there. */
	lupe_buf *stored = pack(&rec, &title);
	size_t deep = txl > LUPE_RECORD_DEEP_MAX ? lupe_utf8_floor(tx, LUPE_RECORD_DEEP_MAX) : txl;
	if (!stored || (deep > kept && add_tail(stored, tx + kept, deep - kept) < 0) ||
	    lx_doc_data(xd, stored->p, stored->len) != 0)
		goto fail;
	*out = xd;
	xd = NULL;
	rc = LUPE_OK;
fail:
	if (rc != LUPE_OK)
		lupe_err_set(err, rc, "document %s: out of memory", doc->id);
	lx_doc_free(xd);
	lupe_buf_free(&title);
	lupe_buf_free(&text);
	lupe_buf_free(&rec);
	/* Keep the caller's scratch from staying huge after a huge document. */
	if (toks->arena.cap > LUPE_SCRATCH_KEEP)
		lupe_tokens_release(toks);
	return rc;
}
