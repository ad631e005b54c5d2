/*
 * Extraction of files for lupe_sync_path(): charset conversion by ICU,
 * HTML by libxml2's HTML parser, titles of plain text and Markdown.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dlfcn.h>
#include <pthread.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/uvernum.h>

#include "lupe.h"
#include "index/extract.h"
#include "util/buf.h"
#include "util/utf8.h"

/*
 * libxml2 (HTML) and ICU's i18n library (charset detection) are loaded
 * when a file first needs them, not with liblupe: a process that searches
 * never does, and mapping and relocating them cost every such process
 * 3-5 ms (an empty program linked with both against one without:
 * bench/results/query-2026-12-05-faults.md).  Their sonames are those the
 * build compiled against (LUPE_XML_SONAME from meson; ICU's from its
 * version macro, whose entry points carry the same suffix).
 */
#define LZ_STR2(x) #x
#define LZ_STR(x) LZ_STR2(x)
#define LZ_ICU_I18N "libicui18n.so." LZ_STR(U_ICU_VERSION_MAJOR_NUM)
#ifndef LUPE_XML_SONAME /* a build outside meson (the fuzzers): libxml2 2.x's */
#define LUPE_XML_SONAME "libxml2.so.2"
#endif

static struct {
	pthread_once_t once;
	int xml_ok, icu_ok;
	char why[256]; /* why libxml2 did not load */
	__typeof__(htmlReadMemory) *htmlReadMemory;
	__typeof__(xmlDocGetRootElement) *xmlDocGetRootElement;
	__typeof__(xmlNodeGetContent) *xmlNodeGetContent;
	__typeof__(xmlGetProp) *xmlGetProp;
	__typeof__(xmlFreeDoc) *xmlFreeDoc;
	xmlFreeFunc *xmlFree; /* libxml2's variable */
	__typeof__(ucsdet_open) *ucsdet_open;
	__typeof__(ucsdet_enableInputFilter) *ucsdet_enableInputFilter;
	__typeof__(ucsdet_setText) *ucsdet_setText;
	__typeof__(ucsdet_detect) *ucsdet_detect;
	__typeof__(ucsdet_getName) *ucsdet_getName;
	__typeof__(ucsdet_close) *ucsdet_close;
} lz = {.once = PTHREAD_ONCE_INIT};

/* Where the loaded libraries are looked for: their sonames (tests point these elsewhere). */
const char *lupe_extract_xml_soname = LUPE_XML_SONAME;
const char *lupe_extract_icu_soname = LZ_ICU_I18N;

#define LZ_SYM(h, name) (*(void **)&lz.name = dlsym(h, LZ_STR(name)))

static void lz_load(void)
{
	void *x = dlopen(lupe_extract_xml_soname, RTLD_NOW | RTLD_LOCAL);
	if (x && LZ_SYM(x, htmlReadMemory) && LZ_SYM(x, xmlDocGetRootElement) && LZ_SYM(x, xmlNodeGetContent) &&
	    LZ_SYM(x, xmlGetProp) && LZ_SYM(x, xmlFreeDoc) && LZ_SYM(x, xmlFree))
		lz.xml_ok = 1;
	else
		snprintf(lz.why, sizeof lz.why, "cannot load %s for HTML: %s", lupe_extract_xml_soname,
			 x ? "a function is missing" : dlerror());
	void *i = dlopen(lupe_extract_icu_soname, RTLD_NOW | RTLD_LOCAL);
	lz.icu_ok = i && LZ_SYM(i, ucsdet_open) && LZ_SYM(i, ucsdet_enableInputFilter) && LZ_SYM(i, ucsdet_setText) &&
		    LZ_SYM(i, ucsdet_detect) && LZ_SYM(i, ucsdet_getName) && LZ_SYM(i, ucsdet_close);
}

static void lz_need(void)
{
	pthread_once(&lz.once, lz_load);
}

const char *lupe_extract_why(void)
{
	lz_need();
	return lz.xml_ok ? NULL : lz.why;
}

#define SNIFF_BYTES 8192
#define TEXT_TITLE_LINES 6
#define TEXT_TITLE_CHARS 120

void lupe_extracted_release(lupe_extracted *x)
{
	if (!x)
		return;
	free(x->title);
	free(x->text);
	memset(x, 0, sizeof *x);
}

lupe_kind lupe_kind_of_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	const char *dot = strrchr(base, '.');

	if (!dot || dot == base)
		return LUPE_KIND_TEXT;
	if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm") || !strcasecmp(dot, ".xhtml"))
		return LUPE_KIND_HTML;
	if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"))
		return LUPE_KIND_MARKDOWN;
	return LUPE_KIND_TEXT;
}

/* ---------------------------------------------------------------------- */
/* Charsets                                                                */
/* ---------------------------------------------------------------------- */

/*
 * The charset an HTML page declares in its first bytes (<meta charset=...>
 * or http-equiv's "charset="), copied into name; 0 when none.
 */
static int declared_charset(const char *s, size_t n, char *name, size_t cap)
{
	if (n > SNIFF_BYTES)
		n = SNIFF_BYTES;
	for (size_t i = 0; i + 8 <= n; i++) {
		if (strncasecmp(s + i, "charset=", 8) != 0)
			continue;
		size_t j = i + 8, k = 0;
		while (j < n && (s[j] == '"' || s[j] == '\'' || s[j] == ' '))
			j++;
		while (j < n && k + 1 < cap && (isalnum((unsigned char)s[j]) || s[j] == '-' || s[j] == '_' ||
						 s[j] == ':' || s[j] == '.'))
			name[k++] = s[j++];
		name[k] = '\0';
		if (k > 0)
			return 1;
	}
	return 0;
}

/* ICU's guess of the charset, or NULL. */
static const char *detected_charset(const char *s, size_t n, int html, char *name, size_t cap)
{
	UErrorCode st = U_ZERO_ERROR;
	lz_need();
	if (!lz.icu_ok)
		return NULL; /* no guess: as for a text ICU cannot place */
	UCharsetDetector *d = lz.ucsdet_open(&st);
	const char *res = NULL;

	if (U_FAILURE(st))
		return NULL;
	lz.ucsdet_enableInputFilter(d, html ? 1 : 0);
	lz.ucsdet_setText(d, s, (int32_t)(n > 65536 ? 65536 : n), &st);
	const UCharsetMatch *m = U_SUCCESS(st) ? lz.ucsdet_detect(d, &st) : NULL;
	const char *nm = m && U_SUCCESS(st) ? lz.ucsdet_getName(m, &st) : NULL;
	if (nm && U_SUCCESS(st) && strlen(nm) < cap) {
		strcpy(name, nm);
		res = name;
	}
	lz.ucsdet_close(d);
	return res;
}

/* Convert s[0..n) from `charset` to UTF-8 into out; -1 when ICU cannot. */
static int convert(const char *charset, const char *s, size_t n, lupe_buf *out)
{
	/* What browsers do (WHATWG Encoding): Latin-1 labels mean windows-1252. */
	if (!strcasecmp(charset, "ISO-8859-1") || !strcasecmp(charset, "latin1") ||
	    !strcasecmp(charset, "US-ASCII") || !strcasecmp(charset, "ascii"))
		charset = "windows-1252";
	if (n > INT32_MAX / 4)
		return -1;
	size_t cap = n * 3 + 4;
	if (lupe_buf_reserve(out, cap) != 0)
		return -1;
	UErrorCode st = U_ZERO_ERROR;
	int32_t got = ucnv_convert("UTF-8", charset, out->p + out->len, (int32_t)cap, s, (int32_t)n, &st);
	if (U_FAILURE(st) || got < 0)
		return -1;
	out->len += (size_t)got;
	return 0;
}

/*
 * The bytes as UTF-8 in out: a BOM decides; valid UTF-8 stays; else the
 * page's declaration, else ICU's detector, else windows-1252.
 */
static int to_utf8(const char *s, size_t n, int html, lupe_buf *out)
{
	char name[64];

	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		return lupe_buf_append(out, s + 3, n - 3);
	if (n >= 2 && (memcmp(s, "\xff\xfe", 2) == 0 || memcmp(s, "\xfe\xff", 2) == 0))
		return convert(s[0] == '\xff' ? "UTF-16LE" : "UTF-16BE", s + 2, n - 2, out);
	/* UTF-8 up to a sequence cut at the end (a file read in part): kept as
	 * it is, and lupe_add repairs the cut. */
	if (lupe_utf8_valid(s, lupe_utf8_floor(s, n)))
		return lupe_buf_append(out, s, n);
	if (html && declared_charset(s, n, name, sizeof name) && strcasecmp(name, "utf-8") != 0 &&
	    convert(name, s, n, out) == 0)
		return 0;
	out->len = 0;
	if (detected_charset(s, n, html, name, sizeof name)) {
		/* UTF-8 with a stray bad byte: kept, and repaired by lupe_add, not
		 * read as windows-1252 (which would garble every umlaut). */
		if (strcasecmp(name, "UTF-8") == 0)
			return lupe_buf_append(out, s, n);
		if (convert(name, s, n, out) == 0)
			return 0;
	}
	out->len = 0;
	if (convert("windows-1252", s, n, out) == 0)
		return 0;
	out->len = 0;
	return lupe_buf_append(out, s, n); /* lupe_add repairs what is left */
}

/* ---------------------------------------------------------------------- */
/* Titles                                                                  */
/* ---------------------------------------------------------------------- */

/*
 * Copy a title with white space collapsed, cut at a word end near
 * LUPE_TITLE_MAX, into *out (malloc'd; NULL when it is all blanks).
 * 0, or -1 when out of memory.
 */
static int clean_title(const char *s, size_t n, char **out, size_t *out_len)
{
	char *t = malloc(n + 1);
	size_t o = 0;
	int space = 0;

	*out = NULL;
	if (!t)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (lupe_ascii_space(c) || c == 0) {
			space = o > 0;
			continue;
		}
		if (space)
			t[o++] = ' ';
		space = 0;
		t[o++] = (char)c;
	}
	if (o > LUPE_TITLE_MAX) {
		size_t cut = LUPE_TITLE_MAX;
		while (cut > LUPE_TITLE_MAX / 2 && t[cut] != ' ')
			cut--;
		if (t[cut] != ' ')
			cut = lupe_utf8_floor(t, LUPE_TITLE_MAX);
		o = cut;
	}
	t[o] = '\0';
	if (o == 0) {
		free(t);
		return 0;
	}
	*out = t;
	*out_len = o;
	return 0;
}

static size_t count_words(const char *s, size_t n)
{
	size_t w = 0;
	int in = 0;
	for (size_t i = 0; i < n; i++) {
		int sp = lupe_ascii_space((unsigned char)s[i]);
		if (!sp && !in)
			w++;
		in = !sp;
	}
	return w;
}

/* The first sentence of s[0..n) (at most one line), cut later by clean_title. */
static size_t first_sentence(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n && s[i] != '\n'; i++) {
		if ((s[i] == '.' || s[i] == '?' || s[i] == '!') && i >= 20 && (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\n') &&
		    !isdigit((unsigned char)s[i - 1]))
			return i + 1;
	}
	return i;
}

static const char *markdown_heading(const char *text, size_t len, size_t *n)
{
	size_t i = 0, lines = 0;
	const char *prev = NULL;
	size_t prev_len = 0;

	while (i < len && lines < 200) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		size_t k = i;
		while (k < e && k < i + 3 && text[k] == ' ')
			k++;
		if (k < e && text[k] == '#') {
			size_t h = k;
			while (h < e && text[h] == '#')
				h++;
			if (h - k <= 6 && (h == e || text[h] == ' ' || text[h] == '\t')) {
				size_t end = e;
				while (end > h && (lupe_ascii_space((unsigned char)text[end - 1]) || text[end - 1] == '#'))
					end--;
				while (h < end && lupe_ascii_space((unsigned char)text[h]))
					h++;
				if (end > h) {
					*n = end - h;
					return text + h;
				}
			}
		}
		/* A setext heading: a line underlined with === or ---. */
		if (prev && prev_len > 0 && k < e && (text[k] == '=' || text[k] == '-')) {
			size_t u = k;
			while (u < e && (text[u] == text[k] || lupe_ascii_space((unsigned char)text[u])))
				u++;
			if (u == e && count_words(prev, prev_len) > 0) {
				*n = prev_len;
				return prev;
			}
		}
		prev = text + i;
		prev_len = e - i;
		while (prev_len > 0 && lupe_ascii_space((unsigned char)prev[prev_len - 1]))
			prev_len--;
		i = e + 1;
		lines++;
	}
	return NULL;
}

const char *lupe_text_title(const char *text, size_t len, int markdown, size_t *n)
{
	const char *first = NULL;
	size_t first_len = 0, seen = 0, i = 0;

	if (markdown) {
		const char *h = markdown_heading(text, len, n);
		if (h)
			return h;
	}
	while (i < len && seen < TEXT_TITLE_LINES) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		size_t a = i, b = e;
		while (a < b && lupe_ascii_space((unsigned char)text[a]))
			a++;
		while (b > a && lupe_ascii_space((unsigned char)text[b - 1]))
			b--;
		i = e + 1;
		if (a == b)
			continue;
		seen++;
		if (!first) {
			first = text + a;
			first_len = b - a;
		}
		char last = text[b - 1];
		if (lupe_utf8_count(text + a, b - a) <= TEXT_TITLE_CHARS && count_words(text + a, b - a) >= 3 &&
		    !strchr(".?!:,;", last) && text[a] != '(') {
			*n = b - a;
			return text + a;
		}
	}
	if (!first)
		return NULL;
	*n = first_sentence(first, first_len);
	return *n ? first : NULL;
}

/* ---------------------------------------------------------------------- */
/* HTML                                                                    */
/* ---------------------------------------------------------------------- */

struct html_out {
	lupe_buf text;
	int ws; /* 0: nothing pending, 1: a space, 2: a paragraph break */
};

static int put_text(struct html_out *h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (lupe_ascii_space(c)) {
			if (h->ws < 1)
				h->ws = 1;
			continue;
		}
		/* U+00A0 no-break space counts as space. */
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
			if (h->ws < 1)
				h->ws = 1;
			i++;
			continue;
		}
		if (h->text.len > 0 && h->ws == 1 && lupe_buf_putc(&h->text, ' ') != 0)
			return -1;
		if (h->text.len > 0 && h->ws == 2 && lupe_buf_append(&h->text, "\n\n", 2) != 0)
			return -1;
		h->ws = 0;
		if (lupe_buf_putc(&h->text, (char)c) != 0)
			return -1;
	}
	return 0;
}

static int is_skipped(const char *name)
{
	static const char *const skip[] = {"script", "style", "noscript", "template", "head", "svg",
					   "iframe", "object", "math", NULL};
	for (size_t i = 0; skip[i]; i++)
		if (!strcmp(name, skip[i]))
			return 1;
	return 0;
}

static int is_block(const char *name)
{
	static const char *const block[] = {"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2",
					    "h3", "h4", "h5", "h6", "tr", "td", "th", "table", "section",
					    "article", "header", "footer", "nav", "aside", "main", "pre",
					    "blockquote", "hr", "form", "figure", "figcaption", "address",
					    "body", "caption", "details", "summary", NULL};
	for (size_t i = 0; block[i]; i++)
		if (!strcmp(name, block[i]))
			return 1;
	return 0;
}

/* The first element named `name` in document order (head included), or NULL. */
static xmlNode *find_element(xmlNode *n, const char *name)
{
	while (n) {
		if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name))
			return n;
		if (n->children) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent;
		if (n)
			n = n->next;
	}
	return NULL;
}

/* The content of the page's description meta element (xmlFree it), or NULL. */
static xmlChar *meta_description(xmlNode *root)
{
	for (xmlNode *n = find_element(root, "meta"); n;) {
		xmlChar *name = lz.xmlGetProp(n, (const xmlChar *)"name");
		if (!name)
			name = lz.xmlGetProp(n, (const xmlChar *)"property");
		int hit = name && (!strcasecmp((const char *)name, "description") ||
				   !strcasecmp((const char *)name, "og:description"));
		(*lz.xmlFree)(name);
		if (hit) {
			return lz.xmlGetProp(n, (const xmlChar *)"content");
		}
		/* The next meta element after n. */
		xmlNode *m = n->next;
		while (m && !(m->type == XML_ELEMENT_NODE && !strcmp((const char *)m->name, "meta")))
			m = m->next;
		n = m;
	}
	return NULL;
}

static int walk_body(xmlNode *root, struct html_out *h)
{
	xmlNode *n = root;

	while (n) {
		int descend = 0;
		if (n->type == XML_ELEMENT_NODE) {
			const char *name = (const char *)n->name;
			if (!is_skipped(name)) {
				descend = 1;
				if (is_block(name))
					h->ws = !strcmp(name, "br") || !strcmp(name, "td") || !strcmp(name, "th")
							? (h->ws < 1 ? 1 : h->ws)
							: 2;
			}
		} else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content && put_text(h, (const char *)n->content, strlen((const char *)n->content)) != 0)
				return -1;
		}
		if (descend && n->children) {
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next) {
			n = n->parent;
			if (n && n->type == XML_ELEMENT_NODE && is_block((const char *)n->name))
				h->ws = 2;
		}
		if (!n || n == root)
			break;
		n = n->next;
	}
	return 0;
}

static int extract_html(const char *s, size_t n, lupe_extracted *out)
{
	struct html_out h = {{0}, 0};
	xmlChar *desc = NULL;
	int rc = LUPE_ENOMEM;

	lz_need();
	if (!lz.xml_ok)
		return LUPE_EINTERNAL; /* lupe_extract_why() says why */
	if (n > INT32_MAX)
		n = INT32_MAX;
	htmlDocPtr doc = lz.htmlReadMemory(s, (int)n, NULL, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
						HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
	if (!doc) /* nothing libxml2 could read: an empty body */
		return lupe_buf_terminate(&h.text) == 0 ? (out->text = h.text.p, LUPE_OK) : LUPE_ENOMEM;
	xmlNode *root = lz.xmlDocGetRootElement(doc);
	xmlNode *t = find_element(root, "title");
	if (!t)
		t = find_element(root, "h1");
	if (t) {
		xmlChar *c = lz.xmlNodeGetContent(t);
		int trc = c ? clean_title((const char *)c, strlen((const char *)c), &out->title, &out->title_len) : 0;
		(*lz.xmlFree)(c);
		if (trc != 0)
			goto out;
	}
	desc = root ? meta_description(root) : NULL;
	if (desc && put_text(&h, (const char *)desc, strlen((const char *)desc)) != 0)
		goto out;
	h.ws = 2;
	for (xmlNode *c = doc->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && walk_body(c, &h) != 0)
			goto out;
	if (lupe_buf_terminate(&h.text) != 0)
		goto out;
	out->text = h.text.p;
	out->text_len = h.text.len;
	h.text.p = NULL;
	rc = LUPE_OK;
out:
	(*lz.xmlFree)(desc);
	lupe_buf_free(&h.text);
	lz.xmlFreeDoc(doc);
	return rc;
}

/* ---------------------------------------------------------------------- */

int lupe_extract(lupe_kind kind, const char *buf, size_t len, lupe_extracted *out)
{
	lupe_buf u = {0};
	int rc;

	memset(out, 0, sizeof *out);
	int utf16 = len >= 2 && (memcmp(buf, "\xff\xfe", 2) == 0 || memcmp(buf, "\xfe\xff", 2) == 0);
	if (!utf16 && memchr(buf, '\0', len < SNIFF_BYTES ? len : SNIFF_BYTES))
		return LUPE_EINVAL;
	if (to_utf8(buf, len, kind == LUPE_KIND_HTML, &u) != 0 || lupe_buf_terminate(&u) != 0) {
		lupe_buf_free(&u);
		return LUPE_ENOMEM;
	}
	if (kind == LUPE_KIND_HTML) {
		rc = extract_html(u.p, u.len, out);
		lupe_buf_free(&u);
		if (rc != LUPE_OK)
			lupe_extracted_release(out);
		return rc;
	}
	size_t tn = 0;
	const char *t = lupe_text_title(u.p, u.len, kind == LUPE_KIND_MARKDOWN, &tn);
	/* No title (nothing but blanks): the caller names the file. */
	if (t && clean_title(t, tn, &out->title, &out->title_len) != 0) {
		lupe_buf_free(&u);
		return LUPE_ENOMEM;
	}
	out->text = u.p;
	out->text_len = u.len;
	return LUPE_OK;
}
