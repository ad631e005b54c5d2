#include "util/utf8.h"

uint32_t lupe_utf8_next(const char *str, size_t n, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t k = *i;
	unsigned char c = s[k];
	uint32_t cp, min;
	size_t len;

	if (c < 0x80) {
		*i = k + 1;
		return c;
	} else if ((c & 0xE0) == 0xC0) {
		cp = c & 0x1F, len = 2, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		cp = c & 0x0F, len = 3, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		cp = c & 0x07, len = 4, min = 0x10000;
	} else {
		*i = k + 1;
		return LUPE_REPLACEMENT;
	}
	if (n - k < len) {
		*i = k + 1;
		return LUPE_REPLACEMENT;
	}
	for (size_t j = 1; j < len; j++) {
		if ((s[k + j] & 0xC0) != 0x80) {
			*i = k + 1;
			return LUPE_REPLACEMENT;
		}
		cp = (cp << 6) | (s[k + j] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		*i = k + 1;
		return LUPE_REPLACEMENT;
	}
	*i = k + len;
	return cp;
}

size_t lupe_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

int lupe_utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = i;
		if (lupe_utf8_next(s, n, &i) == LUPE_REPLACEMENT && i == k + 1)
			return 0;
	}
	return 1;
}

int lupe_utf8_repair(const char *s, size_t n, char nul_as, lupe_buf *out)
{
	if (lupe_buf_reserve(out, n) < 0)
		return -1;
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		/* Copy runs of plain ASCII without decoding them. */
		while (run < n && (unsigned char)s[run] < 0x80 && s[run] != '\0')
			run++;
		if (run > i) {
			if (lupe_buf_append(out, s + i, run - i) < 0)
				return -1;
			i = run;
			continue;
		}
		if (s[i] == '\0') {
			if (lupe_buf_putc(out, nul_as) < 0)
				return -1;
			i++;
			continue;
		}
		size_t k = i;
		uint32_t cp = lupe_utf8_next(s, n, &i);
		char enc[4];
		if (cp == LUPE_REPLACEMENT && i == k + 1) {
			size_t m = lupe_utf8_encode(cp, enc);
			if (lupe_buf_append(out, enc, m) < 0)
				return -1;
		} else if (lupe_buf_append(out, s + k, i - k) < 0) {
			return -1;
		}
	}
	return 0;
}

size_t lupe_utf8_floor(const char *s, size_t n)
{
	size_t k = n;
	/* Step back over at most three continuation bytes to a lead byte. */
	while (k > 0 && n - k < 4 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
		k--;
	if (k == 0)
		return n;
	unsigned char lead = (unsigned char)s[k - 1];
	size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (lead < 0x80)
		return n;
	return (n - (k - 1) >= want) ? n : k - 1;
}

size_t lupe_utf8_count(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}
