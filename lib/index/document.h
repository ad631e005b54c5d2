/*
 * Turning a lupe_document into index terms and a stored record, and
 * reading the record back.  The record keeps the fields and the (repaired)
 * body for snippets.
 */
#ifndef LUPE_DOCUMENT_H
#define LUPE_DOCUMENT_H

#include <stdint.h>

#include "lupe.h"
#include "analysis/analyzer.h"
#include "index/schema.h"
#include "shim/shim.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/error.h"


/*
 * The unique term of the document `id` (LUPE_PFX_ID + id; an id prefix
 * gives the prefix of such terms) into out, replacing what it held.
 * 0, or -1 when out of memory.
 */
int lupe_id_term(lupe_buf *out, const char *id);

/* Body positions start this far after the title's, so phrases never span both. */
#define LUPE_BODY_POS_GAP 100
/* A title word counts this many times in the unprefixed (any field) terms. */
#define LUPE_TITLE_WDF 3

typedef struct {
	const char *id, *title, *source, *path, *date, *text;
	size_t id_len, title_len, source_len, path_len, date_len, text_len;
	int64_t mtime;
	/* The body past text (LUPE_RECORD_TEXT_MAX), still packed: NULL and 0 when there is none. */
	const char *tail;
	size_t tail_len;
} lupe_record;

/* Dates: util/date.h (lupe_date_normalise). */

/*
 * Build the Xapian document for doc.  `tmp` and `toks` are scratch space
 * owned by the caller and reused between documents; `toks` is released
 * when a document made it larger than LUPE_SCRATCH_KEEP bytes.
 */
#define LUPE_SCRATCH_KEEP (16u * 1024 * 1024)
int lupe_document_build(lupe_analyzer *an, const lupe_document *doc, lupe_tokens *toks, lupe_buf *tmp,
			lx_doc **out, lupe_err *err);

/*
 * Copy doc (its id already checked) into one allocation, for another
 * thread to analyse: the strings of *copy point into *buf, which the
 * caller frees.  Returns the bytes allocated, 0 when out of memory.
 */
size_t lupe_document_copy(const lupe_document *doc, lupe_document *copy, char **buf);

/*
 * The zstd dictionary records are packed with (lib/index/zdict-de1.bin,
 * compiled in by tools/gen_zdict.py): its id, as frames name it, its size
 * and its bytes.
 */
extern const unsigned lupe_zdict_de1_id;
extern const size_t lupe_zdict_de1_size;
extern const unsigned char lupe_zdict_de1[];

/*
 * Parse a stored record; the fields point into data, or into `scratch`
 * when the record is compressed (so they last until scratch is used
 * again).  0; -1 when it is damaged, -2 when out of memory.
 */
int lupe_record_parse(const char *data, size_t len, lupe_buf *scratch, lupe_record *out);

/*
 * The body a record keeps in all (at most LUPE_RECORD_DEEP_MAX bytes): its
 * text followed by its unpacked tail, into out (replacing what it held;
 * not NUL-terminated).  The record r must still be valid (its data and
 * scratch untouched).  0; -1 when the tail is damaged, -2 when out of
 * memory.
 */
int lupe_record_text_all(const lupe_record *r, lupe_buf *out);

#endif
