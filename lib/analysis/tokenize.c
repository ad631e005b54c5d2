#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include "analysis/german.h"
#include "analysis/tokenize.h"
#include "util/utf8.h"

/* Longer words are not looked at for a gender ending (the analyzer cuts them anyway). */
#define LUPE_GENDER_WORD_MAX 256

struct lupe_tokenizer {
	UBreakIterator *bi;
	UText *ut;
	lupe_seg *v;
	size_t n, cap;
	lupe_seg *special; /* URL and e-mail spans found by the pre-scan */
	size_t n_special, cap_special;
};

int lupe_tokenizer_new(lupe_tokenizer **out)
{
	UErrorCode st = U_ZERO_ERROR;
	lupe_tokenizer *tz = calloc(1, sizeof *tz);
	if (!tz)
		return -1;
	tz->bi = ubrk_open(UBRK_WORD, "de", NULL, 0, &st);
	if (U_FAILURE(st)) {
		free(tz);
		return -1;
	}
	*out = tz;
	return 0;
}

void lupe_tokenizer_free(lupe_tokenizer *tz)
{
	if (!tz)
		return;
	ubrk_close(tz->bi);
	utext_close(tz->ut);
	free(tz->v);
	free(tz->special);
	free(tz);
}

static int push(lupe_seg **v, size_t *n, size_t *cap, lupe_seg s)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		lupe_seg *nv = realloc(*v, nc * sizeof *nv);
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = s;
	return 0;
}

static int is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static int is_url_char(unsigned char c)
{
	if (c >= 0x80)
		return 1; /* internationalised URLs: keep UTF-8 as written */
	/* strchr() also finds the string's terminating NUL: a NUL byte is no URL character. */
	return is_alnum(c) || (c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

static int is_email_local(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* Trailing sentence punctuation is not part of a URL or address. */
static size_t trim_trailing(const char *t, size_t start, size_t end)
{
	while (end > start && strchr(".,;:!?)'\"]", t[end - 1]))
		end--;
	return end;
}

/*
 * Find URLs (scheme://..., www....) and e-mail addresses.  One linear pass;
 * a span never starts inside the previous one.
 */
static int scan_special(lupe_tokenizer *tz, const char *t, size_t len)
{
	tz->n_special = 0;
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)t[i];
		if (c == ':' && i + 2 < len && t[i + 1] == '/' && t[i + 2] == '/') {
			size_t s = i;
			while (s > 0 && is_alpha((unsigned char)t[s - 1]))
				s--;
			if (s < i && (s == 0 || !is_alnum((unsigned char)t[s - 1]))) {
				size_t e = i + 3;
				while (e < len && is_url_char((unsigned char)t[e]))
					e++;
				e = trim_trailing(t, s, e);
				if (e > i + 3) {
					lupe_seg g = {s, e, LUPE_SEG_URL, 0};
					/* a "www." span already pushed cannot overlap: it starts after s */
					if (push(&tz->special, &tz->n_special, &tz->cap_special, g) < 0)
						return -1;
					i = e;
					continue;
				}
			}
		} else if ((c == 'w' || c == 'W') && i + 4 < len && strncasecmp(t + i, "www.", 4) == 0 &&
			   (i == 0 || !is_url_char((unsigned char)t[i - 1]) || t[i - 1] == '(') &&
			   is_alnum((unsigned char)t[i + 4])) {
			size_t e = i + 4;
			while (e < len && is_url_char((unsigned char)t[e]))
				e++;
			e = trim_trailing(t, i, e);
			lupe_seg g = {i, e, LUPE_SEG_URL, 0};
			if (push(&tz->special, &tz->n_special, &tz->cap_special, g) < 0)
				return -1;
			i = e;
			continue;
		} else if (c == '@' && i > 0 && i + 1 < len) {
			size_t s = i;
			while (s > 0 && is_email_local((unsigned char)t[s - 1]))
				s--;
			size_t e = i + 1, dots = 0;
			while (e < len && (is_alnum((unsigned char)t[e]) || t[e] == '-' || t[e] == '.')) {
				if (t[e] == '.')
					dots++;
				e++;
			}
			while (e > i + 1 && (t[e - 1] == '.' || t[e - 1] == '-'))
				e--;
			size_t first_special = tz->n_special;
			/* The local part may not reach back into a URL found before. */
			if (first_special && tz->special[first_special - 1].end > s)
				s = tz->special[first_special - 1].end;
			if (s < i && dots > 0 && memchr(t + i + 1, '.', e - i - 1)) {
				lupe_seg g = {s, e, LUPE_SEG_EMAIL, 0};
				if (push(&tz->special, &tz->n_special, &tz->cap_special, g) < 0)
					return -1;
				i = e;
				continue;
			}
		}
		i++;
	}
	return 0;
}

static int ieq(const char *a, const char *b, size_t n)
{
	return strncasecmp(a, b, n) == 0;
}

/*
 * A gender marker that ICU splits off: ":in", ":innen", "*in", "*innen",
 * "/in", "/innen", "/-in", "/-innen", "(in)", "(innen)" right after the word
 * text[s..e) and followed by no further letter.  Returns the byte length of
 * marker plus suffix, or 0.  The join is only made when lupe_de_degender()
 * reads the whole as a gendered word (so "10:in", "ein/in", "Hinweis:In"
 * stay apart): the tokenizer and the analyzer decide alike.
 */
static size_t gender_tail(const char *t, size_t len, size_t s0, size_t e)
{
	size_t m;
	if (e >= len || e < s0 + 2)
		return 0;
	if (t[e] == '*' || t[e] == ':' || t[e] == '(')
		m = 1;
	else if (t[e] == '/' && e + 1 < len && t[e + 1] == '-')
		m = 2;
	else if (t[e] == '/')
		m = 1;
	else
		return 0;
	size_t s = e + m;
	size_t n = 0;
	if (len - s >= 5 && ieq(t + s, "innen", 5))
		n = 5;
	else if (len - s >= 2 && ieq(t + s, "in", 2))
		n = 2;
	if (!n)
		return 0;
	if (t[e] == '(') {
		if (s + n >= len || t[s + n] != ')')
			return 0;
		n++;
	}
	if (s + n < len && (is_alnum((unsigned char)t[s + n]) || (unsigned char)t[s + n] >= 0x80 || t[s + n] == '_')) {
		/*
		 * Inside a compound ("Schüler:innenvertretung"): the marker, the
		 * ending and the rest's letters join the base when
		 * lupe_de_degender_inner() reads the whole so.
		 */
		size_t r = s + n;
		while (r < len && ((t[r] >= 'a' && t[r] <= 'z') || ((unsigned char)t[r] == 0xC3 && r + 1 < len)))
			r += (unsigned char)t[r] == 0xC3 ? 2 : 1;
		char buf[LUPE_GENDER_WORD_MAX];
		if (n != 5 || r - s0 > LUPE_GENDER_WORD_MAX || (r < len && (is_alnum((unsigned char)t[r]) ||
									     (unsigned char)t[r] >= 0x80 || t[r] == '_')) ||
		    lupe_de_degender_inner(t + s0, r - s0, buf, sizeof buf) == 0)
			return 0;
		return r - e;
	}
	size_t whole = e + m + n - s0;
	if (whole > LUPE_GENDER_WORD_MAX || lupe_de_degender(t + s0, whole) == whole)
		return 0;
	return m + n;
}

/*
 * Whether a letter or digit (any script) starts at text[i]: "Social-Média",
 * but not "by-…" (a hyphen before an ellipsis joins nothing).
 */
static int alnum_at(const char *text, size_t len, size_t i)
{
	if ((unsigned char)text[i] < 0xC0)
		return 0;
	size_t k = i;
	return u_isalnum((UChar32)lupe_utf8_next(text, len, &k));
}

/* ICU's segments of text[0..len), appended with `base` added to their offsets. */
static int icu_segments(lupe_tokenizer *tz, const char *text, size_t len, size_t base)
{
	UErrorCode st = U_ZERO_ERROR;
	if (len == 0)
		return 0;
	if (scan_special(tz, text, len) < 0)
		return -1;
	tz->ut = utext_openUTF8(tz->ut, text, (int64_t)len, &st);
	if (U_FAILURE(st))
		return -1;
	ubrk_setUText(tz->bi, tz->ut, &st);
	if (U_FAILURE(st))
		return -1;

	size_t sp = 0; /* next special span to emit */
	int32_t prev = ubrk_first(tz->bi);
	for (int32_t b = ubrk_next(tz->bi); b != UBRK_DONE; prev = b, b = ubrk_next(tz->bi)) {
		int status = ubrk_getRuleStatus(tz->bi);
		if (status < UBRK_WORD_NONE_LIMIT)
			continue;
		size_t s = (size_t)prev, e = (size_t)b;

		/* Join a gender marker that ICU split off ("Mitarbeiter*innen"). */
		size_t g = gender_tail(text, len, s, e);
		if (g) {
			e += g;
			while (b != UBRK_DONE && (size_t)b < e)
				b = ubrk_next(tz->bi);
			if (b == UBRK_DONE)
				b = (int32_t)len;
			if ((size_t)b > e) /* cannot happen: the suffix ends at a boundary */
				e = (size_t)b;
		}

		while (sp < tz->n_special && tz->special[sp].start <= s) {
			lupe_seg g = tz->special[sp];
			g.start += base;
			g.end += base;
			if (push(&tz->v, &tz->n, &tz->cap, g) < 0)
				return -1;
			sp++;
		}
		unsigned char c0 = (unsigned char)text[s];
		lupe_seg seg = {s + base, e + base, (c0 >= '0' && c0 <= '9') ? LUPE_SEG_NUMBER : LUPE_SEG_WORD, 0};
		if (e < len && text[e] == '-') {
			if (e + 1 < len && (is_alnum((unsigned char)text[e + 1]) || alnum_at(text, len, e + 1)))
				seg.flags |= LUPE_SEG_HYPHEN_NEXT;
			else if (e + 1 == len || text[e + 1] == ' ' || text[e + 1] == '\n' || text[e + 1] == '\t' ||
				 text[e + 1] == ',') /* Wirtschafts-, Sozial- und Umweltpolitik */
				seg.flags |= LUPE_SEG_TRUNCATED;
		} else if (len - e >= 3 && (unsigned char)text[e] == 0xE2 && (unsigned char)text[e + 1] == 0x80 &&
			   (unsigned char)text[e + 2] == 0x90) { /* U+2010 HYPHEN */
			seg.flags |= LUPE_SEG_HYPHEN_NEXT;
		}
		if (push(&tz->v, &tz->n, &tz->cap, seg) < 0)
			return -1;
		if (b == (int32_t)len)
			break;
	}
	/* A span that starts inside the last word ("x max.muster@beispiel.de") comes after it. */
	for (; sp < tz->n_special; sp++) {
		lupe_seg g = tz->special[sp];
		g.start += base;
		g.end += base;
		if (push(&tz->v, &tz->n, &tz->cap, g) < 0)
			return -1;
	}
	return 0;
}

/*
 * A "plain" chunk (between whitespace) is letters only, Latin-1 letters
 * included, with at most ( or " before and sentence punctuation after:
 * "Straße", "(Überstunden", "Jahr.", "gesagt:".  Its only word is its
 * letters, exactly as ICU's rules (UAX #29) would find: nothing inside
 * joins or splits, and whitespace always breaks.  Sets [*ws, *we) to the
 * word (empty when there are no letters); 0 when the chunk is not plain.
 */
static size_t letters(const unsigned char *t, size_t i, size_t e)
{
	while (i < e) {
		unsigned char c = t[i];
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
			i++;
		} else if (c == 0xC3 && i + 1 < e && t[i + 1] >= 0x80 && t[i + 1] <= 0xBF && t[i + 1] != 0x97 &&
			   t[i + 1] != 0xB7) {
			i += 2; /* À-ÿ without × and ÷ */
		} else {
			break;
		}
	}
	return i;
}

static int plain_chunk(const unsigned char *t, size_t s, size_t e, size_t *ws, size_t *we)
{
	size_t i = s;
	while (i < e && (t[i] == '(' || t[i] == '"'))
		i++;
	*ws = i;
	i = letters(t, i, e);
	*we = i;
	while (i < e && strchr(".,;:!?)\"", t[i]) && t[i] != '\0')
		i++;
	return i == e;
}

/*
 * A hyphen group of plain words between whitespace: letters, then hyphen
 * and letters, as often as they come ("Social-Media-Strategie",
 * "Präsentations-Folie"), maybe a hyphen at the end ("Wirtschafts-,",
 * "Haus-"), with plain_chunk's punctuation before and after.  ICU breaks
 * on both sides of each hyphen-minus (UAX #29 has no rule that joins
 * across it), and icu_segments flags each word as it would here: before a
 * hyphen and a letter, LUPE_SEG_HYPHEN_NEXT; before a hyphen followed by
 * a comma, or that ends the chunk before a space, tab, newline or the end
 * of the text, LUPE_SEG_TRUNCATED.  Nothing in such a
 * chunk is a URL, an address or a gender marker.  Returns 1 when it is
 * such a group (and pushes its words when tz is not NULL), 0 when not
 * (nothing pushed), -1 when out of memory.
 */
static int hyphen_chunk(lupe_tokenizer *tz, const unsigned char *t, size_t len, size_t s, size_t e)
{
	size_t i = s;
	while (i < e && (t[i] == '(' || t[i] == '"'))
		i++;
	size_t w[16][2], nw = 0;
	for (;;) {
		size_t a = i;
		i = letters(t, i, e);
		if (i == a || nw == 16)
			return 0; /* no letters (a hyphen first, two in a row), or very many words */
		w[nw][0] = a;
		w[nw++][1] = i;
		if (i >= e || t[i] != '-')
			break;
		i++;
		if (i == e || t[i] == ',')
			break; /* a truncated word */
	}
	if (nw < 2 && !(w[0][1] < e && t[w[0][1]] == '-'))
		return 0; /* no hyphen: plain_chunk's */
	while (i < e && strchr(".,;:!?)\"", t[i]) && t[i] != '\0')
		i++;
	if (i != e)
		return 0;
	for (size_t k = 0; tz && k < nw; k++) {
		lupe_seg g = {w[k][0], w[k][1], LUPE_SEG_WORD, 0};
		size_t h = w[k][1];
		if (h < e && t[h] == '-') {
			if (k + 1 < nw)
				g.flags |= LUPE_SEG_HYPHEN_NEXT;
			else if ((h + 1 == e && (e == len || t[e] == ' ' || t[e] == '\n' || t[e] == '\t')) || t[h + 1] == ',')
				g.flags |= LUPE_SEG_TRUNCATED; /* as icu_segments: not before other whitespace */
		}
		if (push(&tz->v, &tz->n, &tz->cap, g) < 0)
			return -1;
	}
	return 1;
}

int lupe_tokenize(lupe_tokenizer *tz, const char *text, size_t len, const lupe_seg **segs, size_t *n)
{
	const unsigned char *t = (const unsigned char *)text;
	tz->n = 0;
	*segs = NULL;
	*n = 0;
	if (len > INT32_MAX)
		len = INT32_MAX; /* ICU indexes with int32_t; callers cap documents far below this */
	/*
	 * Plain chunks are segmented here; runs of other chunks go to ICU,
	 * with the whitespace around them so that ICU sees the same context.
	 */
	size_t i = 0, run = SIZE_MAX, run_end = 0;
	while (i <= len) {
		while (i < len && lupe_ascii_space(t[i]))
			i++;
		size_t s = i;
		while (i < len && !lupe_ascii_space(t[i]))
			i++;
		size_t ws, we;
		int plain = s < len && plain_chunk(t, s, i, &ws, &we);
		int hyph = !plain && s < len && memchr(t + s, '-', i - s) && hyphen_chunk(NULL, t, len, s, i) > 0;
		if ((plain || hyph || s >= len) && run != SIZE_MAX) {
			size_t a = run > 0 ? run - 1 : 0, b = run_end < len ? run_end + 1 : len;
			if (icu_segments(tz, text + a, b - a, a) < 0)
				return -1;
			run = SIZE_MAX;
		}
		if (s >= len)
			break;
		if (plain) {
			if (we > ws && push(&tz->v, &tz->n, &tz->cap, (lupe_seg){ws, we, LUPE_SEG_WORD, 0}) < 0)
				return -1;
		} else if (hyph) {
			if (hyphen_chunk(tz, t, len, s, i) < 0)
				return -1;
		} else {
			if (run == SIZE_MAX)
				run = s;
			run_end = i;
		}
	}
	*segs = tz->v;
	*n = tz->n;
	return 0;
}

/* ICU alone, for the tests that compare it with lupe_tokenize. */
int lupe_tokenize_icu(lupe_tokenizer *tz, const char *text, size_t len, const lupe_seg **segs, size_t *n)
{
	tz->n = 0;
	*segs = NULL;
	*n = 0;
	if (len > INT32_MAX)
		len = INT32_MAX;
	if (icu_segments(tz, text, len, 0) < 0)
		return -1;
	*segs = tz->v;
	*n = tz->n;
	return 0;
}
