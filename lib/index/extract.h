/*
 * Extraction: the bytes of a file -> UTF-8 title and body.  HTML goes
 * through libxml2's HTML parser, other charsets than UTF-8 through ICU
 * (the document's declaration, else ucsdet's guess).
 */
#ifndef LUPE_EXTRACT_H
#define LUPE_EXTRACT_H

#include <stddef.h>

typedef enum {
	LUPE_KIND_TEXT = 0,
	LUPE_KIND_MARKDOWN = 1,
	LUPE_KIND_HTML = 2
} lupe_kind;

typedef struct {
	char *title;       /* NUL-terminated, NULL when the file has none */
	size_t title_len;
	char *text;        /* NUL-terminated UTF-8 body (may be invalid in places; lupe_add repairs) */
	size_t text_len;
} lupe_extracted;

/* Titles are cut to about this many bytes (at a word end). */
#define LUPE_TITLE_MAX 160

/*
 * Extract `len` bytes of a file of this kind into *out (owned by the
 * caller: lupe_extracted_release).  LUPE_EINVAL when the bytes look binary
 * (a NUL byte in the first 8 KB), LUPE_ENOMEM; *out is zeroed on failure.
 */
int lupe_extract(lupe_kind kind, const char *buf, size_t len, lupe_extracted *out);
void lupe_extracted_release(lupe_extracted *x);

/*
 * libxml2 and ICU's charset detector are loaded (dlopen) when a file first
 * needs them.  When libxml2 cannot be, lupe_extract of HTML returns
 * LUPE_EINTERNAL and this says why ("cannot load libxml2.so.2 for HTML:
 * ..."); NULL when it loaded.  Without ICU's detector a text in no
 * declared charset is taken as if ICU had no guess.  The sonames tried
 * (tests set them before the first extraction of the process).
 */
const char *lupe_extract_why(void);
extern const char *lupe_extract_xml_soname, *lupe_extract_icu_soname;

/* The kind a file name suggests: .html/.htm/.xhtml, .md/.markdown, else text. */
lupe_kind lupe_kind_of_name(const char *name);

/*
 * A plain-text title: the first of the first six non-blank lines that is
 * short (<= 120 characters), has three words or more and does not end like
 * a sentence or a lead-in (. ? ! : ,); else the text's first sentence.
 * Returns a pointer into text (*n bytes), or NULL.  With `markdown`, the
 * first "# heading" wins.
 */
const char *lupe_text_title(const char *text, size_t len, int markdown, size_t *n);

#endif
