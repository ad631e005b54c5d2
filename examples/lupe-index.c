/*
 * lupe-index - add files or JSON Lines records to a lupe index.
 *
 * A thin client of the public API (lupe.h): it reads files and JSON,
 * turns them into lupe_document records and leaves analysis, replacement
 * of existing ids and durability to the library.  What is here is what a
 * library has no business knowing: file systems, file formats, HTML,
 * terminals and signals.
 */
#include <lupe.h>

#include "jsonl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "lupe-index"
#define SNIFF_BYTES 8192
#define TITLE_MAX_CHARS 120
#define MAX_BATCH 100000000L

static const char usage_text[] =
	"Usage: " PROG " --db DIR [--jsonl FILE|-] [--no-decompound] [--batch N] [--threads N]\n"
	"                  [--compact|--no-compact] [--no-bulk] [PATH...]\n"
	"\n"
	"Add documents to the lupe index in DIR (created if missing).\n"
	"\n"
	"  --db DIR          the index directory (required)\n"
	"  --jsonl FILE|-    read JSON Lines records from FILE, or from stdin for -:\n"
	"                    {\"id\": ..., \"title\": ..., \"text\": ..., \"source\": ...,\n"
	"                     \"path\": ..., \"date\": ...}, one object a line\n"
	"  --no-decompound   do not split compound words\n"
	"  --batch N         commit every N documents (default 2000) or 4 MB of text\n"
	"  --threads N       analysis threads (default 0: one per core, at most 4;\n"
	"                    1: none)\n"
	"  --compact         rewrite the index compactly at the end (smaller, faster\n"
	"                    to search; needs its size again in free space for a moment);\n"
	"                    the default when this run created the index\n"
	"  --no-compact      never compact (and no bulk load)\n"
	"  --no-bulk         when this run creates the index, write into it directly,\n"
	"                    committing every N documents, instead of loading it in\n"
	"                    bulk (on all threads, visible to readers only at the end)\n"
	"  -h, --help        show this help\n"
	"\n"
	"PATHs are files or directories.  Directories are searched recursively for\n"
	".txt, .md, .html and .htm files; a file named on the command line is\n"
	"indexed as text whatever its extension, unless it looks binary.\n";

/* Set from the signal handler; checked between documents. */
static volatile sig_atomic_t interrupted;

/*
 * The first signal asks the run to stop at the next document; a second one
 * (the user pressing Ctrl-C again during a long document) kills at once,
 * which is safe because a commit is atomic.
 */
static void on_signal(int sig)
{
	struct sigaction dfl;

	interrupted = sig;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
}

/* ---------------------------------------------------------------------- */
/* Diagnostics                                                             */
/* ---------------------------------------------------------------------- */

struct run {
	lupe_db *db;
	unsigned long batch;
	unsigned long added;       /* documents added in this run */
	unsigned long pending;     /* added since the last commit */
	bool bulk;                 /* a bulk load: one commit, at the end */
	unsigned long skipped;     /* files or lines left out */
	unsigned long long bytes;  /* input bytes read */
	struct timespec start;
	struct timespec last_progress;
	bool progress;             /* stderr is a terminal */
	bool progress_shown;       /* a \r line is on screen */
	bool failed;               /* a fatal error happened */
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Remove the progress line before printing anything else on stderr. */
static void clear_progress(struct run *r)
{
	if (r->progress_shown) {
		fputs("\r\033[K", stderr);
		r->progress_shown = false;
	}
}

/*
 * Print a one-line message on stderr.  "%P" is not printf; paths go
 * through warn_path() so that a file name with a newline or an escape
 * sequence in it cannot break the line or the terminal.
 */
static void put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\\')
			fputs("\\\\", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void warn_path(struct run *r, const char *path, const char *fmt, ...)
{
	va_list ap;

	clear_progress(r);
	fputs(PROG ": ", stderr);
	put_escaped(stderr, path);
	fputs(": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void show_progress(struct run *r)
{
	if (!r->progress || seconds_since(&r->last_progress) < 0.5)
		return;
	clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
	fprintf(stderr, "\r\033[K" PROG ": %lu documents, %.1f MB, %.1f s", r->added,
		(double)r->bytes / 1e6, seconds_since(&r->start));
	r->progress_shown = true;
}

/* ---------------------------------------------------------------------- */
/* Adding and committing                                                   */
/* ---------------------------------------------------------------------- */

static bool commit(struct run *r)
{
	int rc = lupe_commit(r->db);

	if (rc != LUPE_OK) {
		clear_progress(r);
		fprintf(stderr, PROG ": commit failed: %s\n", *lupe_errmsg(r->db) ? lupe_errmsg(r->db) : lupe_strerror(rc));
		r->failed = true;
		return false;
	}
	r->pending = 0;
	return true;
}

/*
 * Add one document.  A document the library rejects (LUPE_EINVAL: an
 * overlong id, a bad date) is skipped with a message naming `where`; any
 * other failure ends the run.  Returns false when the run must stop.
 */
static bool add_document(struct run *r, const lupe_document *doc, const char *where)
{
	int rc = lupe_add(r->db, doc);

	if (rc == LUPE_EINVAL) {
		warn_path(r, where, "%s", *lupe_errmsg(r->db) ? lupe_errmsg(r->db) : lupe_strerror(rc));
		r->skipped++;
		return true;
	}
	if (rc != LUPE_OK) {
		clear_progress(r);
		fputs(PROG ": cannot add ", stderr);
		put_escaped(stderr, doc->id);
		fprintf(stderr, ": %s\n", *lupe_errmsg(r->db) ? lupe_errmsg(r->db) : lupe_strerror(rc));
		r->failed = true;
		return false;
	}
	r->added++;
	r->pending++;
	if (!r->bulk && r->pending >= r->batch && !commit(r))
		return false;
	show_progress(r);
	return true;
}

/* ---------------------------------------------------------------------- */
/* Text: UTF-8 checks, legacy encodings                                    */
/* ---------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

struct utf8_stats {
	size_t invalid;     /* bytes that are not part of a valid sequence */
	size_t multibyte;   /* valid sequences of two or more bytes */
	size_t controls;    /* ASCII control characters other than white space */
};

/*
 * Count what is in `len` bytes.  When `truncated` the buffer is a prefix of
 * the file, so a sequence cut off at its end is not held against it.
 */
static struct utf8_stats utf8_scan(const char *buf, size_t len, bool truncated)
{
	const unsigned char *p = (const unsigned char *)buf;
	struct utf8_stats st = {0, 0, 0};
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);

		if (n == 0) {
			if (truncated && len - i < 4)
				break;
			st.invalid++;
			n = 1;
		} else if (n > 1) {
			st.multibyte++;
		} else if ((p[i] < 0x20 && !strchr("\t\n\r\f\v\033", p[i])) || p[i] == 0x7f) {
			st.controls++;
		}
		i += n;
	}
	return st;
}

/*
 * Binary if there is a NUL byte in the first 8 KB, or if more than a
 * quarter of them are neither valid UTF-8 nor text control characters.
 * A Latin-1 text has a few per cent of such bytes, a binary file about half.
 */
static bool looks_binary(const char *buf, size_t len)
{
	size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;
	struct utf8_stats st;

	if (memchr(buf, '\0', n))
		return true;
	st = utf8_scan(buf, n, n < len);
	return (st.invalid + st.controls) * 4 > n;
}

/* Windows-1252 0x80..0x9f; the rest of the range is Latin-1. */
static const unsigned short cp1252_high[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Old German text files are often Windows-1252.  When a file is not valid
 * UTF-8 and holds no UTF-8 multi-byte sequence at all, it is re-encoded
 * from Windows-1252; a mostly-UTF-8 file with a stray bad byte is left
 * alone for the library to repair.  Returns a new buffer or NULL (keep).
 */
static char *maybe_from_cp1252(const char *buf, size_t len, size_t *out_len)
{
	struct utf8_stats st = utf8_scan(buf, len, false);
	char *out, *o;

	if (st.invalid == 0 || st.multibyte > 0)
		return NULL;
	out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x80)
			*o++ = (char)c;
		else if (c < 0xa0)
			o += put_utf8(o, cp1252_high[c - 0x80]);
		else
			o += put_utf8(o, c);
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

/* ---------------------------------------------------------------------- */
/* HTML                                                                    */
/* ---------------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned cp;
} entities[] = {
	{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
	{"nbsp", ' '}, {"shy", 0}, /* a soft hyphen only marks where a word may break */
	{"auml", 0xe4}, {"ouml", 0xf6}, {"uuml", 0xfc}, {"Auml", 0xc4}, {"Ouml", 0xd6},
	{"Uuml", 0xdc}, {"szlig", 0xdf}, {"euro", 0x20ac}, {"copy", 0xa9}, {"reg", 0xae},
	{"trade", 0x2122}, {"sect", 0xa7}, {"para", 0xb6}, {"deg", 0xb0}, {"middot", 0xb7},
	{"bull", 0x2022}, {"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014},
	{"laquo", 0xab}, {"raquo", 0xbb}, {"lsaquo", 0x2039}, {"rsaquo", 0x203a},
	{"bdquo", 0x201e}, {"ldquo", 0x201c}, {"rdquo", 0x201d}, {"sbquo", 0x201a},
	{"lsquo", 0x2018}, {"rsquo", 0x2019}, {"times", 0xd7}, {"divide", 0xf7},
	{"plusmn", 0xb1}, {"micro", 0xb5}, {"frac12", 0xbd}, {"frac14", 0xbc},
	{"frac34", 0xbe}, {"sup2", 0xb2}, {"sup3", 0xb3}, {"pound", 0xa3}, {"yen", 0xa5},
	{"cent", 0xa2}, {"iexcl", 0xa1}, {"iquest", 0xbf}, {"ordf", 0xaa}, {"ordm", 0xba},
	{"eacute", 0xe9}, {"egrave", 0xe8}, {"ecirc", 0xea}, {"euml", 0xeb},
	{"Eacute", 0xc9}, {"Egrave", 0xc8}, {"aacute", 0xe1}, {"agrave", 0xe0},
	{"acirc", 0xe2}, {"atilde", 0xe3}, {"aring", 0xe5}, {"aelig", 0xe6},
	{"Aacute", 0xc1}, {"Agrave", 0xc0}, {"ccedil", 0xe7}, {"Ccedil", 0xc7},
	{"iacute", 0xed}, {"igrave", 0xec}, {"icirc", 0xee}, {"iuml", 0xef},
	{"oacute", 0xf3}, {"ograve", 0xf2}, {"ocirc", 0xf4}, {"otilde", 0xf5},
	{"oslash", 0xf8}, {"Oslash", 0xd8}, {"uacute", 0xfa}, {"ugrave", 0xf9},
	{"ucirc", 0xfb}, {"ntilde", 0xf1}, {"Ntilde", 0xd1}, {"yacute", 0xfd},
	{"thinsp", 0x2009}, {"ensp", 0x2002}, {"emsp", 0x2003}, {"zwnj", 0}, {"zwj", 0},
	{"larr", 0x2190}, {"rarr", 0x2192}, {"uarr", 0x2191}, {"darr", 0x2193},
	{"harr", 0x2194}, {"rArr", 0x21d2}, {"lArr", 0x21d0}, {"minus", 0x2212},
};

/*
 * Decode the entity at s[0] == '&' (n bytes available).  Returns the bytes
 * consumed (0 if it is no entity; the '&' is then literal text) and sets *cp
 * (0 for "nothing").
 */
static size_t decode_entity(const char *s, size_t n, unsigned *cp)
{
	size_t i = 1;

	if (i < n && s[i] == '#') {
		unsigned long v = 0;
		bool hex = false, any = false;

		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X'))
			hex = true, i++;
		for (; i < n && (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i])); i++) {
			int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10;

			if (v <= 0x10ffff)
				v = v * (hex ? 16 : 10) + (unsigned long)d;
			any = true;
		}
		if (!any)
			return 0;
		if (i < n && s[i] == ';')
			i++;
		if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			v = 0xfffd;
		else if (v >= 0x80 && v < 0xa0) /* what browsers do: cp1252 */
			v = cp1252_high[v - 0x80];
		*cp = (unsigned)v;
		return i;
	}
	while (i < n && i < 33 && isalnum((unsigned char)s[i]))
		i++;
	if (i == 1 || i >= n || s[i] != ';')
		return 0;
	for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++) {
		if (strlen(entities[k].name) == i - 1 && memcmp(entities[k].name, s + 1, i - 1) == 0) {
			*cp = entities[k].cp;
			return i + 1;
		}
	}
	return 0;
}

/* Does s (n bytes) start with `word` case-insensitively, followed by a non-name byte? */
static bool starts_tag(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	if (n < w || strncasecmp(s, word, w) != 0)
		return false;
	return n == w || !isalnum((unsigned char)s[w]);
}

/* Find `needle` case-insensitively in s[0..n); returns its offset or n. */
static size_t find_ci(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; i + m <= n; i++)
		if (strncasecmp(s + i, needle, m) == 0)
			return i;
	return n;
}

/* End of the tag starting at s[0] == '<': the offset after its '>' (quotes respected). */
static size_t tag_end(const char *s, size_t n)
{
	char quote = 0;

	for (size_t i = 1; i < n; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			quote = s[i];
		} else if (s[i] == '>') {
			return i + 1;
		}
	}
	return n;
}

/* Tags that break a line: text on either side of them is not one word. */
static bool is_block_tag(const char *name, size_t n)
{
	static const char *const block[] = {
		"address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div",
		"dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
		"h5", "h6", "head", "header", "hr", "html", "li", "main", "nav", "ol", "option",
		"p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
	};

	for (size_t k = 0; k < sizeof block / sizeof block[0]; k++)
		if (strlen(block[k]) == n && strncasecmp(block[k], name, n) == 0)
			return true;
	return false;
}

/*
 * Append text to out, decoding entities and folding white space: runs of
 * blanks become one space, and a run holding a line break (from the text or
 * a block tag) becomes one newline.  `*ws` carries the pending white space
 * between calls: 0 none, 1 space, 2 newline.
 */
static void emit_text(char *out, size_t *o, const char *s, size_t n, int *ws)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp = 0;
		size_t used;

		if (c == '&' && (used = decode_entity(s + i, n - i, &cp)) > 0) {
			i += used;
			if (cp == 0)
				continue;
			if (cp == ' ' || cp == 0x2002 || cp == 0x2003 || cp == 0x2009) {
				if (*ws < 1)
					*ws = 1;
				continue;
			}
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n') {
			if (*ws < (c == '\n' ? 2 : 1))
				*ws = c == '\n' ? 2 : 1;
			i++;
			continue;
		} else {
			cp = 0x110000; /* copy the byte as it is */
			i++;
		}
		if (*ws && *o > 0)
			out[(*o)++] = *ws == 2 ? '\n' : ' ';
		*ws = 0;
		if (cp == 0x110000)
			out[(*o)++] = (char)c;
		else
			*o += put_utf8(out + *o, cp);
	}
}

/*
 * Reduce an HTML page to its text: tags, comments, scripts and styles go,
 * entities are decoded, the <title> is returned separately (NULL if there
 * is none).  Both results are NUL-terminated and belong to the caller.
 * A tolerant reader, not a parser: it never fails on broken markup.
 */
static bool html_to_text(const char *s, size_t n, char **text, size_t *text_len, char **title,
			 size_t *title_len)
{
	/* Entities never grow: "&#x10000;" is 9 bytes for a 4-byte character. */
	char *out = malloc(n + 1), *t = NULL;
	size_t o = 0, i = 0;
	int ws = 0;

	if (!out)
		return false;
	*title = NULL;
	*title_len = 0;
	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		size_t j = lt ? (size_t)(lt - s) : n;

		emit_text(out, &o, s + i, j - i, &ws);
		i = j;
		if (i >= n)
			break;
		const char *p = s + i + 1;
		size_t rest = n - i - 1;

		if (rest >= 3 && memcmp(p, "!--", 3) == 0) {
			size_t e = find_ci(p + 3, rest - 3, "-->");

			i += 1 + 3 + e + 3;
		} else if (rest >= 8 && memcmp(p, "![CDATA[", 8) == 0) {
			size_t e = find_ci(p + 8, rest - 8, "]]>");

			emit_text(out, &o, p + 8, e, &ws);
			i += 1 + 8 + e + 3;
		} else if (starts_tag(p, rest, "script") || starts_tag(p, rest, "style") ||
			   starts_tag(p, rest, "title")) {
			bool is_title = starts_tag(p, rest, "title");
			const char *name = is_title ? "</title" : starts_tag(p, rest, "script") ? "</script"
											  : "</style";
			size_t open = tag_end(s + i, n - i);
			size_t body = i + open;
			size_t e = body < n ? find_ci(s + body, n - body, name) : 0;

			if (is_title && !t && body < n) {
				size_t tlen = 0;
				int tws = 0;

				t = malloc(e + 1);
				if (!t) {
					free(out);
					return false;
				}
				emit_text(t, &tlen, s + body, e, &tws);
				t[tlen] = '\0';
				*title_len = tlen;
			}
			i = body + e;
			if (i < n)
				i += tag_end(s + i, n - i);
			if (ws < 2)
				ws = 2;
		} else if (rest > 0 && (isalpha((unsigned char)p[0]) || p[0] == '/' || p[0] == '!' ||
					p[0] == '?')) {
			size_t k = p[0] == '/' ? 1 : 0, name_len = 0;

			while (k + name_len < rest && isalnum((unsigned char)p[k + name_len]))
				name_len++;
			if (is_block_tag(p + k, name_len) && ws < 2)
				ws = 2;
			i += tag_end(s + i, n - i);
		} else {
			emit_text(out, &o, "<", 1, &ws); /* a lone '<' in text */
			i++;
		}
		if (i > n)
			i = n;
	}
	out[o] = '\0';
	*text = out;
	*text_len = o;
	*title = t;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Files                                                                   */
/* ---------------------------------------------------------------------- */

enum kind { KIND_NONE, KIND_TEXT, KIND_MARKDOWN, KIND_HTML };

static enum kind kind_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	if (!dot || dot == (slash ? slash + 1 : path))
		return KIND_NONE;
	if (strcasecmp(dot, ".txt") == 0)
		return KIND_TEXT;
	if (strcasecmp(dot, ".md") == 0)
		return KIND_MARKDOWN;
	if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0)
		return KIND_HTML;
	return KIND_NONE;
}

static const char *base_name(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	return path + n;
}

/*
 * Read the whole file into memory.  Returns the buffer (NUL-terminated,
 * caller frees) or NULL with errno set; the file's size may change while it
 * is read, so it is read to its end rather than to its stat size.
 */
static char *read_file(int fd, size_t hint, size_t *len)
{
	size_t cap = hint + 1 > 4096 ? hint + 1 : 4096, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		ssize_t got;

		if (n + 1 >= cap) {
			char *bigger = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);

			if (!bigger) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = bigger;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR && !interrupted)
			continue;
		if (got < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * The title of a text file: its first non-blank line when that is at most
 * 120 characters (Markdown heading marks removed), else NULL.
 */
static const char *text_title(const char *text, size_t len, enum kind kind, size_t *title_len)
{
	size_t i = 0, end, chars = 0;

	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (kind == KIND_MARKDOWN) {
		while (i < len && text[i] == '#')
			i++;
		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
	}
	for (end = i; end < len && text[end] != '\n'; end++)
		if (((unsigned char)text[end] & 0xc0) != 0x80 && ++chars > TITLE_MAX_CHARS)
			return NULL;
	while (end > i && isspace((unsigned char)text[end - 1]))
		end--;
	if (end == i)
		return NULL;
	*title_len = end - i;
	return text + i;
}

/*
 * Index one file.  `named` is true for a file given on the command line:
 * it is indexed as text whatever its extension.  Problems with the file are
 * warnings; returns false only when the run must stop.
 */
static bool index_file(struct run *r, const char *path, bool named)
{
	enum kind kind = kind_of(path);
	char *buf = NULL, *conv = NULL, *html_text = NULL, *html_title = NULL;
	size_t len = 0, conv_len = 0;
	lupe_document doc = LUPE_DOCUMENT_INIT;
	struct stat st = {0};
	bool ok = true;
	int fd;

	if (kind == KIND_NONE && !named)
		return true;
	if (kind == KIND_NONE)
		kind = KIND_TEXT;
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		warn_path(r, path, "%s, skipped", strerror(errno));
		r->skipped++;
		return true;
	}
	int stat_rc = fstat(fd, &st);

	if (stat_rc != 0 || !S_ISREG(st.st_mode)) {
		const char *why = stat_rc != 0 ? strerror(errno) : "not a regular file";

		warn_path(r, path, "%s, skipped", why);
		r->skipped++;
		close(fd);
		return true;
	}
	buf = read_file(fd, (size_t)st.st_size, &len);
	close(fd);
	if (!buf) {
		if (errno == ENOMEM) {
			warn_path(r, path, "out of memory");
			r->failed = true;
			return false;
		}
		if (!interrupted) {
			warn_path(r, path, "%s, skipped", strerror(errno));
			r->skipped++;
		}
		return true;
	}
	r->bytes += len;
	if (len == 0) {
		warn_path(r, path, "empty file, skipped");
		r->skipped++;
		goto out;
	}
	if (looks_binary(buf, len)) {
		warn_path(r, path, "binary file, skipped");
		r->skipped++;
		goto out;
	}

	const char *text = buf;
	size_t text_len = len;

	if (text_len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3, text_len -= 3;
	if ((conv = maybe_from_cp1252(text, text_len, &conv_len)) != NULL)
		text = conv, text_len = conv_len;

	doc.id = path;
	doc.path = path;
	doc.source = "files";
	doc.mtime = (int64_t)st.st_mtime;
	if (kind == KIND_HTML) {
		if (!html_to_text(text, text_len, &html_text, &text_len, &html_title, &doc.title_len)) {
			warn_path(r, path, "out of memory");
			r->failed = true;
			ok = false;
			goto out;
		}
		text = html_text;
		doc.title = html_title;
		if (doc.title && doc.title_len == 0)
			doc.title = NULL;
	} else {
		doc.title = text_title(text, text_len, kind, &doc.title_len);
	}
	if (!doc.title) {
		doc.title = base_name(path);
		doc.title_len = strlen(doc.title);
	}
	doc.text = text;
	doc.text_len = text_len;
	ok = add_document(r, &doc, path);
out:
	free(html_text);
	free(html_title);
	free(conv);
	free(buf);
	return ok;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Join dir and name without doubling a '/'. */
static char *join_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	bool slash = dl > 0 && dir[dl - 1] == '/';
	char *p = malloc(dl + nl + 2);

	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	if (!slash)
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}

/*
 * Index a directory tree in name order.  Symbolic links to directories are
 * not followed inside a tree (a link can make a tree endless); links to
 * files are.
 */
static bool index_dir(struct run *r, const char *dir)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	bool ok = true;

	if (!d) {
		warn_path(r, dir, "%s, skipped", strerror(errno));
		r->skipped++;
		return true;
	}
	/* Read the names first: the directory stays open for no longer than that. */
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap ? cap * 2 : 64) * sizeof *names);

			if (!more)
				goto nomem;
			names = more;
			cap = cap ? cap * 2 : 64;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto nomem;
		n++;
	}
	if (errno != 0)
		warn_path(r, dir, "%s (directory read incompletely)", strerror(errno));
	closedir(d);
	d = NULL;
	if (n > 1)
		qsort(names, n, sizeof *names, compare_names);

	for (size_t i = 0; i < n && ok && !interrupted; i++) {
		char *path = join_path(dir, names[i]);
		struct stat st;

		if (!path)
			goto nomem;
		if (lstat(path, &st) != 0) {
			/* Gone since readdir(): not worth a warning unless it was a file to index. */
			if (kind_of(path) != KIND_NONE) {
				warn_path(r, path, "%s, skipped", strerror(errno));
				r->skipped++;
			}
		} else if (S_ISDIR(st.st_mode)) {
			ok = index_dir(r, path);
		} else if (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
						  S_ISREG(st.st_mode))) {
			ok = index_file(r, path, false);
		}
		free(path);
	}
	goto done;
nomem:
	clear_progress(r);
	fprintf(stderr, PROG ": out of memory\n");
	r->failed = true;
	ok = false;
done:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok;
}

static bool index_path(struct run *r, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		warn_path(r, path, "%s, skipped", strerror(errno));
		r->skipped++;
		return true;
	}
	if (S_ISDIR(st.st_mode))
		return index_dir(r, path);
	if (!S_ISREG(st.st_mode)) {
		/* Opening a FIFO or a device could block or never end. */
		warn_path(r, path, "not a regular file, skipped");
		r->skipped++;
		return true;
	}
	return index_file(r, path, true);
}

/* ---------------------------------------------------------------------- */
/* JSON Lines                                                              */
/* ---------------------------------------------------------------------- */

/* Report a bad line and count it. */
static void bad_line(struct run *r, const char *name, unsigned long lineno, const char *fmt, ...)
{
	va_list ap;

	clear_progress(r);
	fputs(PROG ": ", stderr);
	put_escaped(stderr, name);
	fprintf(stderr, ":%lu: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->skipped++;
}

/* Index one JSON line (its line end removed); returns false when the run must stop. */
static bool index_json_line(struct run *r, json_tokener *tok, const char *name, unsigned long lineno,
			    const char *line, size_t len)
{
	jsonl_record rec;
	char why[160];
	bool ok = true;

	if (!jsonl_parse_line(tok, line, len, &rec, why, sizeof why)) {
		bad_line(r, name, lineno, "%s", why);
		return true;
	}

	int rc = lupe_add(r->db, &rec.doc);

	if (rc == LUPE_EINVAL) {
		bad_line(r, name, lineno, "%s", *lupe_errmsg(r->db) ? lupe_errmsg(r->db) : lupe_strerror(rc));
	} else if (rc != LUPE_OK) {
		clear_progress(r);
		fprintf(stderr, PROG ": ");
		put_escaped(stderr, name);
		fprintf(stderr, ":%lu: cannot add: %s\n", lineno,
			*lupe_errmsg(r->db) ? lupe_errmsg(r->db) : lupe_strerror(rc));
		r->failed = true;
		ok = false;
	} else {
		r->added++;
		r->pending++;
		if (!r->bulk && r->pending >= r->batch && !commit(r))
			ok = false;
		show_progress(r);
	}
	jsonl_record_release(&rec);
	return ok;
}

static bool index_jsonl(struct run *r, const char *file)
{
	bool is_stdin = strcmp(file, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : file;
	FILE *f = is_stdin ? stdin : fopen(file, "r");
	json_tokener *tok;
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	bool ok = true;
	ssize_t n;

	if (!f) {
		clear_progress(r);
		fprintf(stderr, PROG ": cannot open ");
		put_escaped(stderr, file);
		fprintf(stderr, ": %s\n", strerror(errno));
		r->failed = true;
		return false;
	}
	tok = jsonl_tokener_new();
	if (!tok) {
		fprintf(stderr, PROG ": out of memory\n");
		r->failed = true;
		if (!is_stdin)
			fclose(f);
		return false;
	}
	while (ok && !interrupted && (errno = 0, n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n;

		lineno++;
		r->bytes += len;
		if ((len = jsonl_line_len(line, len)) == 0)
			continue; /* blank lines separate nothing, but are harmless */
		ok = index_json_line(r, tok, name, lineno, line, len);
		/* Do not keep a buffer the size of one huge line for the rest of the file. */
		if (cap > (64u << 20)) {
			free(line);
			line = NULL;
			cap = 0;
		}
	}
	if (ok && !interrupted && ferror(f)) {
		clear_progress(r);
		fprintf(stderr, PROG ": ");
		put_escaped(stderr, name);
		fprintf(stderr, ": read error after line %lu: %s\n", lineno, strerror(errno));
		r->failed = true;
		ok = false;
	}
	free(line);
	json_tokener_free(tok);
	if (!is_stdin)
		fclose(f);
	return ok;
}

/* ---------------------------------------------------------------------- */
/* Arguments                                                               */
/* ---------------------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try '" PROG " --help')\n");
	return 2;
}

/* A decimal number in [min, max], nothing else: no sign, no blanks, no junk. */
static bool parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * The value of a long option: "--opt=VALUE" or "--opt VALUE".  Returns NULL
 * when argv[*i] is not this option; sets *missing when it is but has no value.
 */
static const char *option_value(char **argv, int argc, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	const char *db_path = NULL, *jsonl = NULL;
	char **paths = calloc((size_t)argc + 1, sizeof *paths);
	size_t n_paths = 0;
	bool decompound = true, only_paths = false;
	long batch = 2000, threads = 0;
	int compact = -1; /* -1: when this run creates the index */
	bool no_bulk = false;
	struct run r;
	lupe_open_options oo = LUPE_OPEN_OPTIONS_INIT;
	char errmsg[512] = "";
	int rc;

	if (!paths) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;

		if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
			paths[n_paths++] = argv[i];
		} else if (strcmp(a, "--") == 0) {
			only_paths = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			free(paths);
			return fclose(stdout) == 0 ? 0 : 1;
		} else if ((v = option_value(argv, argc, &i, "--db", &missing)) != NULL) {
			db_path = v;
		} else if ((v = option_value(argv, argc, &i, "--jsonl", &missing)) != NULL) {
			if (jsonl) {
				free(paths);
				return usage_error("--jsonl given twice%s", "");
			}
			jsonl = v;
		} else if ((v = option_value(argv, argc, &i, "--batch", &missing)) != NULL) {
			if (!parse_number(v, 1, MAX_BATCH, &batch)) {
				free(paths);
				return usage_error("--batch: '%s' is not a number from 1 to 100000000", v);
			}
		} else if ((v = option_value(argv, argc, &i, "--threads", &missing)) != NULL) {
			if (!parse_number(v, 0, 64, &threads)) {
				free(paths);
				return usage_error("--threads: '%s' is not a number from 0 to 64", v);
			}
		} else if (strcmp(a, "--compact") == 0) {
			compact = 1;
		} else if (strcmp(a, "--no-compact") == 0) {
			compact = 0;
		} else if (strcmp(a, "--no-bulk") == 0) {
			no_bulk = true;
		} else if (strcmp(a, "--no-decompound") == 0) {
			decompound = false;
		} else if (missing) {
			free(paths);
			return usage_error("option '%s' needs a value", a);
		} else {
			free(paths);
			return usage_error("unknown option '%s'", a);
		}
	}
	if (!db_path || !*db_path) {
		free(paths);
		return usage_error("--db DIR is required%s", "");
	}

	oo.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	oo.decompound = decompound;
	oo.batch_size = (unsigned)batch;
	oo.threads = (unsigned)threads;

	memset(&r, 0, sizeof r);
	r.batch = (unsigned long)batch;
	r.progress = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	r.last_progress = r.start;

	struct stat dbst;
	bool created = stat(db_path, &dbst) != 0 && errno == ENOENT;

	/* A new index is loaded in bulk (on all threads, merged and compacted at the end). */
	r.bulk = created && compact != 0 && !no_bulk;
	if (r.bulk)
		oo.flags |= LUPE_OPEN_BULK;
	rc = lupe_open(&r.db, db_path, &oo, errmsg, sizeof errmsg);
	if (rc != LUPE_OK) {
		/* The library's message usually names the path already. */
		fputs(PROG ": cannot open index", stderr);
		if (!strstr(errmsg, db_path)) {
			fputc(' ', stderr);
			put_escaped(stderr, db_path);
		}
		fprintf(stderr, ": %s\n", *errmsg ? errmsg : lupe_strerror(rc));
		free(paths);
		return 1;
	}

	/* No SA_RESTART: a read blocked on a pipe or terminal returns at once. */
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	bool ok = true;

	if (jsonl)
		ok = index_jsonl(&r, jsonl);
	for (size_t i = 0; ok && !interrupted && i < n_paths; i++)
		ok = index_path(&r, paths[i]);
	free(paths);

	clear_progress(&r);
	if (interrupted) {
		/* No lupe_close(): it would commit the partial batch.  Exiting drops
		 * it, and the index stays as it was at the last commit. */
		if (r.bulk)
			fprintf(stderr, PROG ": interrupted; the %lu documents of this bulk load discarded\n", r.pending);
		else
			fprintf(stderr, PROG ": interrupted; %lu uncommitted documents discarded\n", r.pending);
		fflush(NULL);
		_exit(128 + interrupted); /* no exit handlers: nothing may commit or report on the way out */
	}
	if (ok && r.pending > 0)
		ok = commit(&r);
	if (ok && (compact == 1 || (compact == -1 && created && r.added > 0))) {
		rc = lupe_compact(r.db);
		if (rc != LUPE_OK) {
			/* Everything is committed: the index is whole, only not compacted. */
			fprintf(stderr, PROG ": compacting: %s\n", lupe_errmsg(r.db));
			ok = false;
		}
	}
	lupe_close(r.db);
	if (!ok || r.failed)
		return 1;

	double secs = seconds_since(&r.start), mb = (double)r.bytes / 1e6;

	fprintf(stderr, PROG ": %lu document%s, %.1f MB in %.1f s (%.2f MB/s), %lu skipped\n", r.added,
		r.added == 1 ? "" : "s", mb, secs, secs > 0 ? mb / secs : 0.0, r.skipped);
	return 0;
}
