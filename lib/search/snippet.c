#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/snippet.h"
#include "util/utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * A written word that matched, with the evidence it gives: which query
 * words (groups) it matched, and how well (an EV_ weight, with the
 * highlight kind it is shown as).
 */
typedef struct {
	size_t start, end;
	uint64_t groups;   /* bit per query word; words past the 63rd share bit 63 */
	int weight;        /* EV_* */
	int kind;          /* LUPE_HL_* */
	uint16_t part_group; /* the query word whose parts it holds, */
	unsigned n_parts;    /* and how many distinct ones */
} match;

/*
 * Evidence, strongest first: the query word as written, another form of
 * its stem, the query word inside a longer compound, a sub-compound of a
 * query compound (more of its parts weigh more), a typo of a query word, a
 * single part.  A passage is scored by the best evidence of each query
 * word it holds, summed: different words count, repeats do not.
 */
#define EV_EXACT 16
#define EV_CASE 1     /* added to EV_EXACT when the case is the query's too */
#define EV_STEM 12
#define EV_INSIDE 8   /* the query word as a part of the document's compound */
#define EV_SUB(k) ((k) >= 2 ? ((k) + 4 < 10 ? (int)(k) + 4 : 10) : EV_PART) /* k of its parts */
#define EV_TYPO 4
#define EV_PART 2

/*
 * A token of one window's analysis whose term the query holds, with the
 * evidence it gives before the tokens of one written word are merged into
 * a match: offsets relative to the window.
 */
typedef struct {
	uint32_t start, end;
	uint16_t group;  /* lupe_qterm_info.group */
	uint8_t qkind;   /* lupe_qterm_info.kind */
	uint8_t weight;  /* EV_* */
	uint8_t kind;    /* LUPE_HL_* */
} wtok;

static int is_space(char c)
{
	return lupe_ascii_space((unsigned char)c);
}

/* Step back to the start of a sentence or word within `budget` bytes before pos. */
static size_t left_edge(const char *t, size_t pos, size_t budget)
{
	size_t lo = pos > budget ? pos - budget : 0;
	for (size_t i = pos; i > lo; i--) {
		if ((t[i - 1] == '.' || t[i - 1] == '!' || t[i - 1] == '?' || t[i - 1] == '\n') && i < pos &&
		    is_space(t[i]))
			return i + 1;
	}
	if (lo == 0)
		return 0;
	for (size_t i = lo; i < pos; i++)
		if (is_space(t[i]))
			return i + 1;
	return pos;
}

/* Step forward to the end of a sentence or word, at most to `limit`. */
static size_t right_edge(const char *t, size_t len, size_t pos, size_t limit)
{
	if (limit >= len)
		return len;
	for (size_t i = limit; i > pos; i--)
		if ((t[i - 1] == '.' || t[i - 1] == '!' || t[i - 1] == '?') && is_space(t[i]) && i - pos > (limit - pos) / 2)
			return i;
	for (size_t i = limit; i > pos; i--)
		if (is_space(t[i]))
			return i;
	/* One long word up to the limit: finish it if it ends soon. */
	for (size_t i = limit; i < len && i < limit + 32; i++)
		if (is_space(t[i]))
			return i;
	return lupe_utf8_floor(t, limit);
}

static int cmp_match(const void *a, const void *b)
{
	const match *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/*
 * The prefilter.  Analysing a hit's whole body to find the query's terms
 * costs far more than the match itself (ICU segmentation, folding,
 * stemming and the compound dictionary for every word), yet a body holds a
 * query's words in a few places.  So a cheap byte scan first finds where
 * terms *may* occur, and only windows around those places are analysed.
 *
 * The scan works on a folded copy of the text and of the terms (fold_into
 * below): lower case, ä/ö/ü to a/o/u, ß to ss, every e after a, o or u
 * dropped (so ae/oe/ue fold like ä/ö/ü, whichever pairs the canonical
 * spelling took for umlauts), hyphens and invisible characters dropped.  Every step
 * of the analyzer between a word and its term (case folding, canonical
 * spelling, gender and -in endings, stemming, compound parts, hyphen
 * joins) keeps the term, so folded, a substring of the folded word at the
 * word's place, beginning with the term's first letters: its key.  The
 * exceptions are handled where they arise:
 *
 *  - a term starting with e may have its e merged into the part before
 *    ("kakao|ernte" folds to "kakaornte"): such keys skip their e's;
 *  - characters whose normalisation the fold does not model (ligatures,
 *    combining marks, superscripts, scripts other than Latin) fold to a
 *    marker and make their own window, as does a hyphen that ends a
 *    truncated compound ("Haus- und Gartenarbeit" yields hausarbeit) when
 *    the completed compound may be a query term (completion_may_match);
 *  - a term whose key would begin with such a character turns the
 *    prefilter off for the query (the whole body is analysed).
 *
 * A window is the whitespace-separated word around a place (with the words
 * a U+2010 hyphen joins across a line break), and for a truncation hyphen
 * the COORD_REACH bytes after it, so each word is analysed in the same
 * context as in the whole body (hyphen groups, coordinations).
 * tests/test_fastpath.c compares the result with the full analysis, over
 * the bundled corpus and a table of German cases.
 *
 * The keys depend on the query alone: lupe_snip_keys_new() makes them once
 * per query, and every hit's scan reuses them.
 */

#define KEY_MAX 256       /* bytes of a folded term searched for (terms are at most 200) */
#define KEYS_MAX 256      /* terms of a query (build.c keeps at most 256 of each kind) */
#define KEY_BUCKETS 1024  /* hash buckets of the keys' first two bytes */
#define COORD_REACH 160   /* bytes after a truncation hyphen analysed with it */
#define PLACES_MAX 128    /* places of a body analysed at most (each kind): bounds a hit's cost */
#define UNK '\x01'        /* the fold of a character it does not model */
#define PAIRS_WIDE 8      /* first-two-byte pairs of keys the 16-byte scan tests */

/*
 * Where each folded byte's character stands in the text is kept as runs:
 * folded byte r.f + k comes from text offset r.t + k, up to the next run.
 * Most of a text is ASCII that folds byte for byte, so one run covers a
 * stretch up to the next umlaut, dropped e or hyphen, and the scan does not
 * write an offset for every byte; the few places where a key starts look
 * their offsets up (at_of).
 */
typedef struct {
	uint32_t f, t;
} run;

typedef struct {
	char *f;       /* folded bytes */
	size_t n, cap;
	run *runs;     /* room for cap: at most one run per folded byte */
	size_t nrun;
	size_t delta;  /* text offset - folded offset within the last run */
} folded;

/* Note that folded byte n comes from text offset at. */
static inline void f_at(folded *fo, size_t n, size_t at)
{
	if (!fo->nrun || at - n != fo->delta) {
		fo->runs[fo->nrun++] = (run){(uint32_t)n, (uint32_t)at};
		fo->delta = at - n;
	}
}

/* The text offset of folded byte i (i < fo->n). */
static size_t run_of(const folded *fo, size_t i)
{
	size_t lo = 0, hi = fo->nrun; /* the last run starting at or before i */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (fo->runs[mid].f <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static size_t at_of(const folded *fo, size_t i)
{
	size_t r = run_of(fo, i);
	return fo->runs[r].t + (i - fo->runs[r].f);
}

static int f_put(folded *fo, char c, size_t at)
{
	if (fo->n == fo->cap)
		return -1; /* cannot happen: the buffer holds 2 bytes per input byte */
	f_at(fo, fo->n, at);
	fo->f[fo->n] = c;
	fo->n++;
	return 0;
}

static inline int is_aou(char p)
{
	return p == 'a' || p == 'o' || p == 'u';
}

/* Append the fold of one ASCII byte or lower-case letter. */
static int f_letter(folded *fo, char c, size_t at)
{
	/* Every e after a, o or u (and after such e's): ue, uee, oee all fold alike. */
	if (c == 'e' && fo->n && is_aou(fo->f[fo->n - 1]))
		return 0;
	return f_put(fo, c, at);
}

/*
 * Eight ASCII bytes at once (SWAR; every byte below 0x80, so no sum
 * carries into the next byte): 0x80 in each byte that equals c, and the
 * bytes with A-Z lowered.
 */
#define SW_ONES 0x0101010101010101ull
#define SW_HI 0x8080808080808080ull

static inline uint64_t sw_eq(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (SW_ONES * c);
	return ~(y + SW_ONES * 0x7f) & SW_HI;
}

static inline uint64_t sw_lower(uint64_t x)
{
	uint64_t upper = (x + SW_ONES * (0x80 - 'A')) & ~(x + SW_ONES * (0x80 - 'Z' - 1)) & SW_HI;
	return x | upper >> 2;
}

/*
 * Signs that a body holds many of and that never become letters: U+2025
 * and U+2026 (NFKC makes dots of them), U+27E8 and U+27E9 (angle
 * brackets around the URLs of manual pages), pictographs U+1F300-U+1FAFF
 * and the variation selectors U+FE0E and U+FE0F that follow them (case
 * folding drops those).  ICU's word breaks stand on both sides of each
 * (the selectors belong to the sign before them), so no term of the
 * analysis holds one or spans one.  In a body they fold as a space (the
 * selectors to nothing) and make no window of their own; they still count
 * as places of the fold's unknown characters, so the analysis stops where
 * it stopped before (PLACES_MAX).  Their length in bytes at t[i], or 0.
 */
static size_t quiet_sign(const unsigned char *t, size_t i, size_t len)
{
	if (t[i] == 0xE2 && i + 2 < len) {
		if (t[i + 1] == 0x80 && (t[i + 2] == 0xA5 || t[i + 2] == 0xA6))
			return 3;
		if (t[i + 1] == 0x9F && (t[i + 2] == 0xA8 || t[i + 2] == 0xA9))
			return 3;
	}
	if (t[i] == 0xEF && i + 2 < len && t[i + 1] == 0xB8 && (t[i + 2] == 0x8E || t[i + 2] == 0x8F))
		return 3;
	if (t[i] == 0xF0 && i + 3 < len && t[i + 1] == 0x9F && t[i + 2] >= 0x8C && t[i + 2] <= 0xAB &&
	    t[i + 3] >= 0x80 && t[i + 3] <= 0xBF)
		return 4;
	return 0;
}

/*
 * Fold text[0..len) into fo (see above); records in *unk the offsets of
 * characters folded to UNK, of truncation hyphens and (in a body: unk_f
 * not NULL) of quiet signs, at most unk_cap (*n_unk may exceed it: then
 * the caller gives up), and in *unk_f (when not NULL) their offsets in the
 * folded text.
 */
static int fold_into(folded *fo, const unsigned char *t, size_t len, uint32_t *unk, uint32_t *unk_f, size_t unk_cap,
		     size_t *n_unk)
{
	int body = unk_f != NULL; /* a body (find_windows), not a term (term_key): quiet_sign applies */
	size_t i = 0;
	while (i < len) {
		unsigned char c = t[i];
		size_t at = i;
		int unknown = 0;
		if (c < 0x80) {
			if (c == '-') {
				i++;
				/* "Haus- und", "Wirtschafts-, Sozial-": a truncated compound. */
				if (at && i < len && (t[i] == ' ' || t[i] == ',' || t[i] == '\n' || t[i] == '\t')) {
					if (*n_unk < unk_cap) {
						unk[*n_unk] = (uint32_t)at;
						if (unk_f)
							unk_f[*n_unk] = (uint32_t)fo->n;
					}
					(*n_unk)++;
				}
				continue;
			}
			/*
			 * f_letter over a run of ASCII other than '-', in locals (most
			 * bytes take this way), eight bytes at a time where none of
			 * them is dropped.  The buffer has room: the caller gives 2
			 * bytes per input byte.
			 */
			char *F = fo->f;
			size_t N = fo->n, j = i;
			for (;;) {
#ifdef __SSE2__
				/*
				 * Sixteen bytes at once: all of them when none is dropped
				 * or not ASCII, else those before the first such byte.
				 */
				while (j + 16 <= len) {
					__m128i x = _mm_loadu_si128((const __m128i *)(t + j));
					__m128i up = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)),
								   _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
					__m128i low = _mm_add_epi8(x, _mm_and_si128(up, _mm_set1_epi8(32)));
					unsigned vow = (unsigned)_mm_movemask_epi8(
						_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(low, _mm_set1_epi8('a')),
									  _mm_cmpeq_epi8(low, _mm_set1_epi8('o'))),
							     _mm_cmpeq_epi8(low, _mm_set1_epi8('u'))));
					unsigned prev = vow << 1 | (N && is_aou(F[N - 1]) ? 1u : 0u);
					unsigned stop = (unsigned)_mm_movemask_epi8(x) |
							(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('-'))) |
							((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(low, _mm_set1_epi8('e'))) & prev);
					unsigned take = stop ? (unsigned)__builtin_ctz(stop) : 16;
					if (take) {
						/* Room: the buffer has 2 bytes per input byte, and N <= j. */
						f_at(fo, N, j);
						_mm_storeu_si128((__m128i *)(F + N), low);
						N += take;
						j += take;
					}
					if (stop)
						break;
				}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				while (j + 8 <= len) {
					uint64_t x;
					memcpy(&x, t + j, 8);
					if (x & SW_HI)
						break; /* not ASCII */
					uint64_t low = sw_lower(x);
					uint64_t vow = sw_eq(low, 'a') | sw_eq(low, 'o') | sw_eq(low, 'u');
					uint64_t prev = vow << 8 | (N && is_aou(F[N - 1]) ? 0x80u : 0u);
					if (sw_eq(x, '-') || (sw_eq(low, 'e') & prev))
						break; /* a hyphen, or an e to drop: byte by byte */
					f_at(fo, N, j);
					memcpy(F + N, &low, 8);
					N += 8;
					j += 8;
				}
#endif
				if (j == len || t[j] >= 0x80 || t[j] == '-')
					break;
				c = (unsigned char)(t[j] + ((unsigned)(t[j] - 'A') < 26u) * 32);
				if (!(c == 'e' && N && is_aou(F[N - 1]))) {
					f_at(fo, N, j);
					F[N++] = (char)c;
				}
				j++;
			}
			fo->n = N;
			i = j;
			continue;
		}
		size_t q = body ? quiet_sign(t, i, len) : 0;
		if (q) {
			if (*n_unk < unk_cap) {
				unk[*n_unk] = (uint32_t)at;
				unk_f[*n_unk] = (uint32_t)fo->n;
			}
			(*n_unk)++;
			i += q;
			if (t[at] != 0xEF && f_letter(fo, ' ', at) < 0) /* the selectors: nothing */
				return -1;
			continue;
		}
		if (c == 0xC3 && i + 1 < len && t[i + 1] >= 0x80 && t[i + 1] <= 0xBF) {
			unsigned char d = t[i + 1];
			i += 2;
			if (d == 0x97 || d == 0xB7) { /* × ÷ */
				if (f_letter(fo, ' ', at) < 0)
					return -1;
				continue;
			}
			if (d == 0x9F) { /* ß */
				if (f_letter(fo, 's', at) < 0 || f_letter(fo, 's', at) < 0)
					return -1;
				continue;
			}
			if (d < 0xA0)
				d = (unsigned char)(d + 0x20); /* À-Þ to à-þ */
			if (d == 0xA4 || d == 0xB6 || d == 0xBC) { /* ä ö ü */
				if (f_letter(fo, d == 0xA4 ? 'a' : d == 0xB6 ? 'o' : 'u', at) < 0)
					return -1;
				continue;
			}
			if (f_put(fo, (char)0xC3, at) < 0 || f_put(fo, (char)d, at) < 0)
				return -1;
			continue;
		}
		if (c == 0xC2 && i + 1 < len && t[i + 1] >= 0x80 && t[i + 1] <= 0xBF) {
			unsigned char d = t[i + 1];
			i += 2;
			if (d == 0xAD) /* soft hyphen: ignored by case folding */
				continue;
			/* ª ² ³ µ ¹ º ¼ ½ ¾ change under NFKC; the rest is space or a sign. */
			if (d == 0xAA || d == 0xB2 || d == 0xB3 || d == 0xB5 || d == 0xB9 || d == 0xBA || d >= 0xBC)
				unknown = 1;
			else if (f_letter(fo, ' ', at) < 0)
				return -1;
			if (!unknown)
				continue;
		} else if (c == 0xE2 && i + 2 < len && (t[i + 1] == 0x80 || t[i + 1] == 0x81 || t[i + 1] == 0x82) &&
			   t[i + 2] >= 0x80 && t[i + 2] <= 0xBF) {
			unsigned cp = 0x2000u + ((unsigned)(t[i + 1] - 0x80) << 6) + (unsigned)(t[i + 2] - 0x80);
			i += 3;
			if (cp == 0x2010) {
				/* The tokenizer joins across U+2010 and what whitespace follows ("analy‐ siert"). */
				while (i < len && is_space((char)t[i]))
					i++;
				continue;
			}
			if (cp == 0x2011 || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2060 && cp <= 0x206F))
				continue; /* hyphens, invisible characters */
			if ((cp >= 0x2024 && cp <= 0x2026) || (cp >= 0x2033 && cp <= 0x2037) || cp == 0x203C ||
			    cp == 0x203E || (cp >= 0x2047 && cp <= 0x2049) || cp == 0x2057 || cp >= 0x20D0) {
				unknown = 1; /* changed by NFKC, or combining marks */
			} else if (cp <= 0x200A || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F) {
				if (f_letter(fo, ' ', at) < 0)
					return -1;
				continue;
			} else {
				/* Quotes, dashes, currency signs: kept as they are. */
				for (size_t k = at; k < i; k++)
					if (f_put(fo, (char)t[k], at) < 0)
						return -1;
				continue;
			}
		} else if (c == 0xE2 && i + 2 < len && t[i + 1] >= 0x94 && t[i + 1] <= 0x97 && t[i + 2] >= 0x80 &&
			   t[i + 2] <= 0xBF) {
			/*
			 * Box drawing, block elements, geometric shapes (U+2500-U+25FF):
			 * signs between words, as a space.  Tables drawn with them in
			 * manual pages would otherwise make a place of every sign and
			 * cut the analysis short (PLACES_MAX).
			 */
			i += 3;
			if (f_letter(fo, ' ', at) < 0)
				return -1;
			continue;
		} else {
			/* Any other character: skip it whole (or one byte when invalid). */
			size_t k = i + 1;
			while (k < len && (t[k] & 0xC0) == 0x80 && k - i < 4)
				k++;
			i = k;
			unknown = 1;
		}
		if (unknown) {
			if (*n_unk < unk_cap) {
				unk[*n_unk] = (uint32_t)at;
				if (unk_f)
					unk_f[*n_unk] = (uint32_t)fo->n;
			}
			(*n_unk)++;
			if (f_put(fo, UNK, at) < 0)
				return -1;
		}
	}
	return 0;
}

typedef struct {
	size_t a, b;
} window;

static unsigned bucket(unsigned char a, unsigned char b)
{
	return ((unsigned)a * 31u + b) & (KEY_BUCKETS - 1);
}

static int cmp_window(const void *x, const void *y)
{
	const window *p = x, *q = y;
	return p->a < q->a ? -1 : p->a > q->a;
}

/*
 * Whether w[0..n) is in cmp_window's order already: most bodies give their
 * key windows alone, found in order.  qsort is glibc's merge sort, stable,
 * so an array in order stays as it is either way; the call and its
 * comparisons cost ~800 instructions a hit (0.3% of the short queries').
 */
static int windows_sorted(const window *w, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (w[i].a < w[i - 1].a)
			return 0;
	return 1;
}

/*
 * The key of a term: the term folded, leading e's skipped, cut before a
 * character the fold does not model.  Written to key (cap bytes); returns
 * its length, 0 when it has none.
 */
static size_t term_key(const char *term, size_t len, char *key, size_t cap, size_t *skipped)
{
	uint32_t unk[1];
	run runs[KEY_MAX];
	size_t nu = 0;
	if (cap > KEY_MAX)
		cap = KEY_MAX;
	folded fo = {key, 0, cap, runs, 0, 0};
	/* Folding makes at most 2 bytes of 1: fold what fits. */
	if (len > cap / 2)
		len = cap / 2;
	if (fold_into(&fo, (const unsigned char *)term, len, unk, NULL, 1, &nu) < 0)
		return 0;
	size_t s = 0;
	while (s < fo.n && key[s] == 'e')
		s++;
	*skipped = s;
	size_t k = 0;
	while (s + k < fo.n && key[s + k] != UNK)
		k++;
	memmove(key, key + s, k);
	return k;
}

#define WC_SLOTS 2048 /* the window cache's slots (below) */

/*
 * Which places of a key are windows.  A key is found wherever its bytes
 * stand in the folded text, also inside words that cannot give its term:
 * the key "n" of "n. Chr." stands in nearly every word, "rst" (erst, its
 * e skipped) in Fürst and Durst.  Every place still counts (PLACES_MAX,
 * the cut, the next place after the key: all as before), but a place is a
 * window only when a token with the key's term may stand there:
 *
 *  - KR_SKIP, a term whose leading e's the key skips: its token begins
 *    with those e's, so the folded byte before the key is an e, or the
 *    fold dropped text there (the e's after a, o or u, a hyphen, U+2010
 *    and whitespace, an invisible character); not "Fürst" for erst, not
 *    "über" for EU.
 *  - KR_SHORT (KR_SHORT2), a term of one (two) ASCII letters or digits,
 *    not beginning with e, whose key is the term: Snowball removes no
 *    ending within a word's first three letters, the person bases of
 *    lupe_de_prestem and lupe_de_degender have four or more, and compound
 *    parts three or more (decompound.c, MIN_SHORT_MOD, MIN_HEAD), so the
 *    token is the term itself, a word or a CamelCase or hyphen part of its
 *    own: at both ends of the key, the folded byte beside it is no letter
 *    or digit, or the fold dropped text there, or a CamelCase cut may
 *    stand there.  Not the n in "eines" or "können".
 *  - KR_SKIP2, a two-letter term of KR_SHORT's kind but for its first
 *    letter, an e the key skips ("u" of eu, "n" of en): as KR_SHORT's,
 *    with the token's start at the e before the key (or at a place where
 *    the fold dropped text: passes); not the "u" of neu.
 *  - KR_ANY: every place (the other terms, and prefixes, which may begin
 *    any longer term).
 *
 * A place that fails passes when a key at a place inside it (which the
 * scan skips) passes.  tests/test_fastpath.c compares the windows'
 * matches with the full analysis.
 */
#define KR_ANY 1
#define KR_SKIP 2
#define KR_SHORT 4  /* a one-byte key */
#define KR_SHORT2 8 /* a two-byte key */
#define KR_SKIP2 16 /* a two-letter term whose key skips its e: "u" of eu */

/* Whether the term t[0..tl) (its key key[0..kl)) is one of KR_SHORT's (or, skipped 1, of KR_SKIP2's). */
static int short_term(const char *t, size_t tl, const char *key, size_t kl, size_t skipped)
{
	if (tl > 2 || kl + skipped != tl || memcmp(t + skipped, key, kl) != 0 || t[skipped] == 'e')
		return 0;
	for (size_t i = 0; i < tl; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9')))
			return 0;
	return 1;
}

/*
 * A query's keys, ready for the scan: chained by a hash of their first two
 * bytes (one-byte keys in a table of their own), with a bit per first two
 * bytes, so a place of a body costs a look-up and the few keys sharing its
 * bytes.
 */
struct lupe_snip_keys {
	int usable;                 /* 0: a term does not fold; analyse bodies whole */
	int all_terms;              /* the keys of all the query's terms, not only its words' own */
	size_t n;
	size_t len[KEYS_MAX];
	uint8_t rule[KEYS_MAX];     /* the test of a key's places (KR_*, below) */
	char key[KEYS_MAX][KEY_MAX];
	uint16_t head[KEY_BUCKETS], next[KEYS_MAX];
	uint8_t one[256];           /* one-byte keys by their byte: the KR_ bits of their terms, 0 when none */
	uint8_t pair[65536 / 8];    /* a bit per first two bytes of a key */
	/*
	 * The distinct first two bytes of the keys, each repeated 16 times, for
	 * the scan to test 16 places at once (next_place); npairs 0 when there
	 * are more than PAIRS_WIDE or a one-byte key: then byte by byte.
	 */
	unsigned npairs;
	unsigned char wide0[PAIRS_WIDE][16], wide1[PAIRS_WIDE][16];
	struct wc_ent **wc;         /* the window cache (below): WC_SLOTS slots, NULL until first used */
	uint64_t wc_used[WC_SLOTS / 64]; /* a bit per slot that holds an entry (the slots are not zeroed) */
	/*
	 * The fold's buffers (find_windows), kept for the query's next hit
	 * (and, lent by the handle, for its next query): 64 KB of text take
	 * 1 MB of runs, which malloc would map and unmap for every hit.  A
	 * hit's stretch is at most LUPE_SNIPPET_SCAN_MAX bytes, so they stay
	 * under 1.2 MB.
	 */
	lupe_snip_scratch own;      /* the keys' own, when no handle lends one */
	lupe_snip_scratch *fold;    /* &own or the handle's (lupe_snip_keys_new_lent) */
	size_t scanned;             /* bytes of bodies scanned or analysed for the query (lupe_snip_keys_scanned) */
	size_t served;              /* windows the window cache served (lupe_snip_keys_served) */
};

/*
 * The window cache.  A query's hits hold the same words again and again
 * (the query's own words in their few forms, a manual's recurring terms):
 * of the windows analysed for the 300 first short queries of the
 * benchmark, 60% repeat a window of the same query byte for byte.  What a
 * window gives the snippet (its wtoks) depends only on its bytes and the
 * query, so each distinct window is analysed once per query.  The cache
 * lives in the query's keys, made and freed with them, so no entry serves
 * another query.  Direct-mapped: a slot keeps the last window that hashed
 * to it.  Only windows of at most WC_WIN_MAX bytes with at most
 * WC_TOKS_MAX wtoks are kept, so it never holds more than WC_SLOTS *
 * (WC_WIN_MAX + WC_TOKS_MAX * sizeof(wtok) + 8) bytes (about 1.4 MB; a
 * short query's hold a few KB).  The slots are not zeroed, and freed by
 * the bits of wc_used: a short query fills a few dozen of its 2,048 slots,
 * and zeroing, walking and freeing all of them cost ~37,000 instructions
 * a query (1.2% of the 1,000 short queries' instructions).
 */
#define WC_WIN_MAX 256
#define WC_TOKS_MAX 32

struct wc_ent {
	uint32_t hash;
	uint16_t len, n;
	wtok t[]; /* n of them, then the window's len bytes */
};

static uint32_t wc_hash(const char *w, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	return h;
}

/* The cached wtoks of the window w[0..n) with hash h, or NULL. */
static const struct wc_ent *wc_find(const lupe_snip_keys *k, const char *w, size_t n, uint32_t h)
{
	size_t i = h & (WC_SLOTS - 1);
	const struct wc_ent *e = k->wc && (k->wc_used[i / 64] >> (i % 64) & 1) ? k->wc[i] : NULL;
	if (e && e->hash == h && e->len == n && memcmp(e->t + e->n, w, n) == 0)
		return e;
	return NULL;
}

/* Keep the wtoks t[0..nt) of the window w[0..n) with hash h, if they fit; a cache, so no error. */
static void wc_store(lupe_snip_keys *k, const char *w, size_t n, uint32_t h, const wtok *t, size_t nt)
{
	if (n > WC_WIN_MAX || nt > WC_TOKS_MAX)
		return;
	if (!k->wc && !(k->wc = malloc(WC_SLOTS * sizeof *k->wc)))
		return;
	struct wc_ent *e = malloc(sizeof *e + nt * sizeof *t + n);
	if (!e)
		return;
	e->hash = h;
	e->len = (uint16_t)n;
	e->n = (uint16_t)nt;
	if (nt)
		memcpy(e->t, t, nt * sizeof *t);
	memcpy(e->t + nt, w, n);
	size_t i = h & (WC_SLOTS - 1);
	uint64_t bit = (uint64_t)1 << (i % 64);
	if (k->wc_used[i / 64] & bit)
		free(k->wc[i]);
	k->wc_used[i / 64] |= bit;
	k->wc[i] = e;
}

/*
 * Fill the wide scan's pairs, exactly the pairs of the bit table; returns
 * how many, 0 when a key has one byte or there are more than PAIRS_WIDE.
 */
static unsigned wide_pairs(lupe_snip_keys *k)
{
	unsigned n = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (k->len[i] < 2)
			return 0;
		unsigned char c0 = (unsigned char)k->key[i][0], c1 = (unsigned char)k->key[i][1];
		unsigned j = 0;
		while (j < n && !(k->wide0[j][0] == c0 && k->wide1[j][0] == c1))
			j++;
		if (j < n)
			continue;
		if (n == PAIRS_WIDE)
			return 0;
		memset(k->wide0[n], c0, 16);
		memset(k->wide1[n], c1, 16);
		n++;
	}
	return n;
}

/* words_only: the keys of the query words' own terms (LUPE_QT_WORD) and prefixes, not of parts or typos. */
static int keys_make(lupe_snip_keys **out, const lupe_qterms *qt, int words_only)
{
	/* Not calloc: only the tables need zeros, not the 64 KB of key slots. */
	lupe_snip_keys *k = malloc(sizeof *k);
	*out = k;
	if (!k)
		return -1;
	k->usable = 1;
	k->all_terms = !words_only;
	k->n = 0;
	k->wc = NULL;
	memset(k->wc_used, 0, sizeof k->wc_used);
	k->own = (lupe_snip_scratch){NULL, NULL, 0};
	k->fold = &k->own;
	k->scanned = 0;
	k->served = 0;
	memset(k->head, 0, sizeof k->head);
	memset(k->one, 0, sizeof k->one);
	memset(k->pair, 0, sizeof k->pair);
	for (int list = 0; list < 2 && k->usable; list++) {
		const char *p = list ? qt->prefixes.p : qt->terms.p;
		size_t cnt = list ? qt->n_prefixes : qt->n_terms;
		for (size_t i = 0; i < cnt; i++, p += strlen(p) + 1) {
			if (words_only && !list && qt->n_groups && i < LUPE_QTERMS_MAX && qt->info[i].kind != LUPE_QT_WORD)
				continue;
			size_t skipped = 0, tl = strlen(p);
			size_t l = k->n < KEYS_MAX ? term_key(p, tl, k->key[k->n], KEY_MAX, &skipped) : 0;
			if (!l) { /* too many terms, or one that does not fold */
				k->usable = 0;
				break;
			}
			/* A prefix may begin any longer term: its places are all kept. */
			if (list)
				k->rule[k->n] = KR_ANY;
			else if (short_term(p, tl, k->key[k->n], l, skipped))
				k->rule[k->n] = skipped ? KR_SKIP2 : l == 1 ? KR_SHORT : KR_SHORT2;
			else
				k->rule[k->n] = skipped ? KR_SKIP : KR_ANY;
			k->len[k->n++] = l;
		}
	}
	for (size_t i = 0; i < k->n; i++) {
		unsigned c0 = (unsigned char)k->key[i][0];
		if (k->len[i] == 1) {
			k->one[c0] |= k->rule[i];
			for (unsigned c1 = 0; c1 < 256; c1++) /* any pair starting with it */
				k->pair[(c0 << 8 | c1) >> 3] |= (uint8_t)(1u << (c1 & 7));
			continue;
		}
		unsigned c1 = (unsigned char)k->key[i][1], h = bucket((unsigned char)c0, (unsigned char)c1);
		k->pair[(c0 << 8 | c1) >> 3] |= (uint8_t)(1u << (c1 & 7));
		k->next[i] = k->head[h];
		k->head[h] = (uint16_t)(i + 1);
	}
	k->npairs = wide_pairs(k);
	return 0;
}

int lupe_snip_keys_new(lupe_snip_keys **out, const lupe_qterms *qt)
{
	return keys_make(out, qt, 0);
}

int lupe_snip_keys_new_lent(lupe_snip_keys **out, const lupe_qterms *qt, lupe_snip_scratch *s)
{
	if (keys_make(out, qt, 0) < 0)
		return -1;
	(*out)->fold = s;
	return 0;
}

void lupe_snip_scratch_free(lupe_snip_scratch *s)
{
	free(s->fold_f);
	free(s->fold_runs);
	*s = (lupe_snip_scratch){NULL, NULL, 0};
}

size_t lupe_snip_keys_scanned(const lupe_snip_keys *k)
{
	return k ? k->scanned : 0;
}

size_t lupe_snip_keys_served(const lupe_snip_keys *k)
{
	return k ? k->served : 0;
}

void lupe_snip_keys_free(lupe_snip_keys *k)
{
	if (!k)
		return;
	if (k->wc) {
		for (size_t w = 0; w < WC_SLOTS / 64; w++)
			for (uint64_t u = k->wc_used[w]; u; u &= u - 1)
				free(k->wc[w * 64 + (size_t)__builtin_ctzll(u)]);
		free(k->wc);
	}
	lupe_snip_scratch_free(&k->own);
	free(k);
}

/* Whether a key begins with the bytes c0 c1 (a one-byte key c0: with any c1). */
static inline int has_pair(const lupe_snip_keys *k, unsigned c0, unsigned c1)
{
	return (k->pair[(c0 << 8 | c1) >> 3] >> (c1 & 7)) & 1;
}

/*
 * The length of the longest key at f[i..n), 0 when none; *rules gets the
 * KR_ bits of the keys found there (of all of them, not only the longest).
 */
static size_t key_at(const lupe_snip_keys *k, const unsigned char *f, size_t i, size_t n, unsigned *rules)
{
	unsigned c0 = f[i], c1 = i + 1 < n ? f[i + 1] : 0;
	*rules = 0;
	if (!has_pair(k, c0, c1))
		return 0;
	size_t best = k->one[c0] ? 1 : 0;
	*rules = k->one[c0];
	for (unsigned j = k->head[bucket((unsigned char)c0, (unsigned char)c1)]; j; j = k->next[j - 1])
		if (k->len[j - 1] <= n - i && memcmp(f + i, k->key[j - 1], k->len[j - 1]) == 0) {
			*rules |= k->rule[j - 1];
			if (k->len[j - 1] > best)
				best = k->len[j - 1];
		}
	return best;
}

/* Where next_place is in the folded text: a 16-byte block and its places. */
typedef struct {
	size_t base;
	unsigned mask;
} place_scan;

/*
 * The first place at or after `from` where the first two bytes of a key
 * stand (n when none): where key_at may find one.  f[n] must be readable.
 * With SSE2, sixteen places are tested at once against each pair.
 */
static size_t next_place(const lupe_snip_keys *k, const unsigned char *f, size_t n, size_t from, place_scan *ps)
{
#ifdef __SSE2__
	if (k->npairs) {
		for (;;) {
			if (from >= ps->base && from - ps->base < 16) {
				unsigned m = ps->mask >> (from - ps->base);
				if (m)
					return from + (size_t)__builtin_ctz(m);
				from = ps->base + 16;
			}
			if (from + 17 > n)
				break; /* the last bytes one by one */
			__m128i a = _mm_loadu_si128((const __m128i *)(f + from));
			__m128i b = _mm_loadu_si128((const __m128i *)(f + from + 1));
			__m128i hit = _mm_setzero_si128();
			for (unsigned j = 0; j < k->npairs; j++)
				hit = _mm_or_si128(hit, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_loadu_si128((const __m128i *)k->wide0[j])),
								      _mm_cmpeq_epi8(b, _mm_loadu_si128((const __m128i *)k->wide1[j]))));
			ps->base = from;
			ps->mask = (unsigned)_mm_movemask_epi8(hit);
		}
	}
#else
	(void)ps;
#endif
	for (size_t i = from; i < n; i++)
		if (has_pair(k, f[i], f[i + 1]))
			return i;
	return n;
}

/* Is text[i-3..i) U+2010 HYPHEN, across which the tokenizer joins words over whitespace? */
static int hyphen_before(const char *t, size_t i)
{
	return i >= 3 && (unsigned char)t[i - 3] == 0xE2 && (unsigned char)t[i - 2] == 0x80 &&
	       (unsigned char)t[i - 1] == 0x90;
}

/* Widen [a, b) to whole whitespace-separated words, with U+2010 joins. */
static void snap(const char *text, size_t len, size_t *pa, size_t *pb)
{
	size_t a = *pa, b = *pb;
	for (;;) {
		while (a > 0 && !is_space(text[a - 1]))
			a--;
		size_t k = a;
		while (k > 0 && is_space(text[k - 1]))
			k--;
		if (k == a || !hyphen_before(text, k))
			break;
		a = k;
	}
	for (;;) {
		while (b < len && !is_space(text[b]))
			b++;
		/* A text that ends in U+2010 has nothing to join it to (it looped here for good). */
		if (b == len || !hyphen_before(text, b))
			break;
		while (b < len && is_space(text[b]))
			b++;
	}
	*pa = a;
	*pb = b;
}

/* The start of the whitespace-separated word around text[i]. */
static size_t word_start(const char *text, size_t i)
{
	while (i > 0 && !is_space(text[i - 1]))
		i--;
	return i;
}

/* A folded byte of a letter or digit (ASCII, or ä, ö, ü, ß folded). */
static int folded_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/*
 * What the fold dropped between folded bytes q - 1 and q (0 < q < fo->n):
 * 0 nothing, GAP_E only e's (after a, o or u), GAP_SIGN other text too (a
 * hyphen, U+2010 and whitespace, an invisible character).
 */
#define GAP_E 1
#define GAP_SIGN 2
static int fold_gap(const unsigned char *t, size_t len, const folded *fo, size_t q)
{
	size_t r = run_of(fo, q);
	if (fo->runs[r].f < q)
		return 0; /* q - 1 in the same run: the byte before it in the text */
	size_t c = fo->runs[r - 1].t + (q - 1 - fo->runs[r - 1].f), e = c + 1, to = fo->runs[r].t;
	while (e < len && (t[e] & 0xC0) == 0x80)
		e++;
	if (to <= e)
		return to == e ? 0 : GAP_SIGN; /* before e: a character folded to two bytes (ß) */
	for (size_t k = e; k < to; k++)
		if (t[k] != 'e' && t[k] != 'E')
			return GAP_SIGN;
	return GAP_E;
}

/*
 * Whether a CamelCase cut may stand before the character of folded byte q
 * (0 < q < fo->n): an upper-case letter after a lower-case one, in the
 * text (a dropped e counts: OeNB; a character not in ASCII may be
 * either).
 */
static int camel_cut(const unsigned char *t, const folded *fo, size_t q)
{
	size_t a = at_of(fo, q);
	unsigned char x = a ? t[a - 1] : 0, y = t[a];
	return ((x >= 'a' && x <= 'z') || x >= 0x80) && ((y >= 'A' && y <= 'Z') || y >= 0x80);
}

/*
 * Whether the folded text of the coordination after the truncation hyphen
 * at text offset hy (folded offset hf) holds r[0..rl): from hf to the end
 * of the word at hy + COORD_REACH, the window's end.  A character the fold
 * does not model there (UNK) may hold anything: yes.
 */
static int coord_holds(size_t len, const folded *fo, size_t hf, size_t hy, const char *r, size_t rl)
{
	const unsigned char *f = (const unsigned char *)fo->f;
	size_t end = fo->n;
	if (hy + COORD_REACH < len) {
		size_t lo = hf, hi = fo->n; /* the first folded byte at or after hy + COORD_REACH */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (at_of(fo, mid) < hy + COORD_REACH)
				lo = mid + 1;
			else
				hi = mid;
		}
		end = lo;
		while (end < fo->n && !is_space((char)f[end]))
			end++;
	}
	for (size_t x = hf; x < end; x++)
		if (f[x] == (unsigned char)UNK)
			return 1;
	for (size_t x = hf; x + rl <= end; x++)
		if (f[x] == (unsigned char)r[0] && memcmp(f + x, r, rl) == 0)
			return 1;
	return 0;
}

/*
 * Whether the compound cut short by the truncation hyphen at folded offset
 * hf of f may complete to a term of the keys.  The analyzer completes
 * "Haus- und Gartenarbeit" to hausarbeit: the modifier (the hyphen group
 * that ends at the hyphen, all in the hyphen's whitespace-separated word)
 * and the head of the coordination's last word.  The completed term begins
 * with the modifier, so folded, its key begins with the modifier's folded
 * text from the group's start on, up to the hyphen (or lies within it).
 * A group starts at the word's start, or after a character that is not an
 * ASCII letter or digit (a hyphen the fold drops, a sign, a character not
 * in ASCII) or after an e (the e's its key skips): the key is compared
 * at those places only, not after every letter ("Kinder- und" is no
 * place for the key "rst" of erst).  Where the word holds a character
 * that may stand for other letters (UNK) or may be part of an address
 * (ASCII signs: "www.a.de-"), the answer is yes.
 *
 * Only the keys of all the query's terms may skip a coordination: every
 * other token of it that the query holds is then a place of its own.  The
 * keys of the words alone (lupe_snippet_deep) find fewer places than the
 * query has terms, and the coordination's window shows the parts in it.
 */
static int completion_may_match(const lupe_snip_keys *k, const char *text, size_t len, const folded *fo, size_t hf,
				size_t hy)
{
	const unsigned char *f = (const unsigned char *)fo->f;
	size_t p0 = hf;
	while (p0 > 0 && !is_space((char)f[p0 - 1])) {
		unsigned char c = f[p0 - 1];
		if (c == (unsigned char)UNK || (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))))
			return 1;
		p0--;
	}
	for (size_t p = p0; p < hf; p++) {
		if (p > p0) {
			if (folded_alnum(f[p - 1]) && f[p - 1] != 'e' && !fold_gap((const unsigned char *)text, len, fo, p))
				continue; /* inside a segment: no group starts here */
		}
		for (size_t j = 0; j < k->n; j++) {
			size_t l = k->len[j] < hf - p ? k->len[j] : hf - p;
			if (memcmp(f + p, k->key[j], l) != 0)
				continue;
			if (l == k->len[j])
				return 1; /* the key lies within the modifier */
			/*
			 * The rest of the key is the start of the head, which the
			 * coordination's last word ends with (its leading e's may
			 * have been dropped after the modifier's a, o, u).
			 */
			const char *r = k->key[j] + l;
			size_t rl = k->len[j] - l;
			while (rl && *r == 'e')
				r++, rl--;
			if (!rl || coord_holds(len, fo, hf, hy, r, rl))
				return 1;
		}
	}
	return 0;
}

/* Append x to *w (*n of *cap, doubled when full): 0, or -1 out of memory. */
static int push_window(window **w, size_t *n, size_t *cap, window x)
{
	if (*n == *cap) {
		window *nv = realloc(*w, 2 * *cap * sizeof **w);
		if (!nv)
			return -1;
		*w = nv;
		*cap *= 2;
	}
	(*w)[(*n)++] = x;
	return 0;
}

/* The first i >= from where f[i..i+2) is "nn" (n when none); sixteen places at once with SSE2. */
static size_t next_nn(const unsigned char *f, size_t n, size_t from)
{
	size_t i = from;
#ifdef __SSE2__
	const __m128i nn = _mm_set1_epi8('n');
	for (; i + 17 <= n; i += 16) {
		__m128i a = _mm_loadu_si128((const __m128i *)(f + i)), b = _mm_loadu_si128((const __m128i *)(f + i + 1));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, nn), _mm_cmpeq_epi8(b, nn)));
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i + 1 < n; i++)
		if (f[i] == 'n' && f[i + 1] == 'n')
			return i;
	return n;
}

/*
 * Whether the "innen" at text[at] follows a gender marker (":", "*", "_",
 * "/", "/-", "·") or is a Binnen-I after a lower-case letter: a place
 * lupe_de_degender_inner() may read.
 */
static int inner_gender_at(const char *text, size_t len, size_t at)
{
	const unsigned char *t = (const unsigned char *)text;
	if (at == 0 || at >= len)
		return 0;
	unsigned char b = t[at - 1];
	if (t[at] == 'I')
		return (b >= 'a' && b <= 'z') || (at >= 2 && t[at - 2] == 0xC3 && b >= 0xA0);
	if (t[at] != 'i')
		return 0;
	return b == ':' || b == '*' || b == '_' || b == '/' || (b == '-' && at >= 2 && t[at - 2] == '/') ||
	       (b == 0xB7 && at >= 2 && t[at - 2] == 0xC2);
}

/*
 * Whether the place of keys at folded offset i of fo (the fold of
 * text[0..len)), with the KR_ bits `rules`, may hold a token of one of
 * their terms (see KR_ANY).
 */
static int place_ok(const char *text, size_t len, const folded *fo, size_t i, unsigned rules)
{
	const unsigned char *t = (const unsigned char *)text, *f = (const unsigned char *)fo->f;
	if ((rules & KR_ANY) || i == 0)
		return 1;
	if ((rules & KR_SKIP) && (f[i - 1] == 'e' || fold_gap(t, len, fo, i)))
		return 1;
	/* A short term's token: a word, or a part after a hyphen or at a CamelCase cut. */
	int start = !folded_alnum(f[i - 1]) || fold_gap(t, len, fo, i) == GAP_SIGN || camel_cut(t, fo, i);
	if (rules & KR_SKIP2) {
		/* From its e: the e's own start, or text the fold dropped (a hyphen, an e after a, o, u). */
		size_t q = i + 1;
		int from_e = fold_gap(t, len, fo, i) ||
			     (f[i - 1] == 'e' && (i == 1 || !folded_alnum(f[i - 2]) ||
						  fold_gap(t, len, fo, i - 1) == GAP_SIGN || camel_cut(t, fo, i - 1)));
		if (from_e && (q == fo->n || !folded_alnum(f[q]) || fold_gap(t, len, fo, q) || camel_cut(t, fo, q)))
			return 1;
	}
	for (size_t l = 1; l <= 2 && start; l++) {
		size_t q = i + l;
		if (!(rules & (l == 1 ? KR_SHORT : KR_SHORT2)) || q > fo->n)
			continue;
		if (q == fo->n || !folded_alnum(f[q]) || fold_gap(t, len, fo, q) || camel_cut(t, fo, q))
			return 1;
	}
	return 0;
}

/*
 * The windows of text[0..len) to analyse for the query of `keys`: 1 with
 * *out and *n set, 0 when the prefilter cannot help (analyse
 * text[0..*cut) whole), -1 out of memory.  A body with more than
 * PLACES_MAX places of either kind is cut before the first place over the
 * limit: *cut is where the analysis ends, for the full analysis too
 * (lupe_analyze_near), so both see the same text.  The fold's buffers are
 * scratch's when it is not NULL (see windows_for).
 */
static int find_windows(const char *text, size_t len, const lupe_snip_keys *keys, lupe_snip_keys *scratch,
			size_t max_places, window **out, size_t *n, size_t *cut, size_t *places)
{
	folded fo = {0};
	uint32_t unk[PLACES_MAX + 1], unk_f[PLACES_MAX + 1];
	size_t n_unk = 0, nw = 0, cap = 0, nplaces = 0;
	window *w = NULL;
	int rc = 0;

	*out = NULL;
	*n = 0;
	*cut = len;
	if (!keys->usable || len > UINT32_MAX / 2)
		return 0;
	fo.cap = 2 * len + 8;
	lupe_snip_scratch *sf = scratch ? scratch->fold : NULL;
	if (sf && sf->fold_cap < fo.cap) {
		free(sf->fold_f);
		free(sf->fold_runs);
		sf->fold_f = malloc(fo.cap);
		sf->fold_runs = malloc(fo.cap * sizeof *fo.runs);
		sf->fold_cap = sf->fold_f && sf->fold_runs ? fo.cap : 0;
		if (!sf->fold_cap)
			return -1;
	}
	fo.f = sf ? sf->fold_f : malloc(fo.cap);
	fo.runs = sf ? (run *)sf->fold_runs : malloc(fo.cap * sizeof *fo.runs);
	if (!fo.f || !fo.runs) {
		rc = -1;
		goto done;
	}
	if (fold_into(&fo, (const unsigned char *)text, len, unk, unk_f, PLACES_MAX + 1, &n_unk) < 0) {
		rc = -1;
		goto done;
	}
	if (n_unk > PLACES_MAX) {
		*cut = word_start(text, unk[PLACES_MAX]);
		n_unk = PLACES_MAX;
	}
	cap = n_unk + 16;
	w = malloc(cap * sizeof *w);
	if (!w) {
		rc = -1;
		goto done;
	}
	const unsigned char *f = (const unsigned char *)fo.f;
	fo.f[fo.n] = 0; /* next_place reads one byte past the end */
	for (size_t i = 0; i < n_unk; i++) {
		if (quiet_sign((const unsigned char *)text, unk[i], len))
			continue; /* a sign between words: no window */
		/* A truncation hyphen needs its coordination: "Haus-, Hof- und Gartenarbeit". */
		int hyphen = text[unk[i]] == '-';
		if (hyphen && keys->all_terms && !completion_may_match(keys, text, len, &fo, unk_f[i], unk[i]))
			continue;
		size_t b = hyphen ? unk[i] + COORD_REACH : unk[i] + 1;
		w[nw++] = (window){unk[i], b < len ? b : len};
	}
	/*
	 * A gender marker inside a compound: the analyzer reads
	 * "Schüler:innenvertretung" as schülervertretung (german.h,
	 * lupe_de_degender_inner), which no key shows in the folded text.
	 * Such a word is a window of its own, found by its "innen".
	 */
	size_t gender = 0;
	for (size_t j = next_nn(f, fo.n, 1); j < fo.n; j = next_nn(f, fo.n, j + 2)) {
		size_t fi = j - 1; /* i|nn|en */
		if (f[fi] != 'i' || j + 4 >= fo.n || f[j + 2] != 'e' || f[j + 3] != 'n' || f[j + 4] < 'a' || f[j + 4] > 'z')
			continue;
		size_t at = at_of(&fo, fi);
		if (at >= *cut || !inner_gender_at(text, len, at))
			continue;
		if (gender == PLACES_MAX) {
			*cut = word_start(text, at);
			break;
		}
		if (push_window(&w, &nw, &cap, (window){at, at + 1}) < 0) {
			rc = -1;
			goto done;
		}
		gender++;
	}
	/* One pass over the folded text. */
	place_scan ps = {SIZE_MAX, 0};
	for (size_t i = next_place(keys, f, fo.n, 0, &ps); i < fo.n; i = next_place(keys, f, fo.n, i, &ps)) {
		unsigned rules;
		size_t klen = key_at(keys, f, i, fo.n, &rules);
		if (!klen) {
			i++;
			continue;
		}
		if (nplaces == max_places) {
			size_t c = word_start(text, at_of(&fo, i));
			if (c < *cut)
				*cut = c;
			break;
		}
		nplaces++;
		size_t e = i + klen;
		/*
		 * The scan goes on after the key, over the places inside it: a
		 * key that may stand at one of them keeps the window (CamelCase:
		 * the key "as" of "JavaScript" hides "script").
		 */
		int ok = place_ok(text, len, &fo, i, rules);
		for (size_t j = i + 1; j < e && !ok; j++) {
			unsigned r;
			ok = key_at(keys, f, j, fo.n, &r) && place_ok(text, len, &fo, j, r);
		}
		if (ok && push_window(&w, &nw, &cap, (window){at_of(&fo, i), e < fo.n ? at_of(&fo, e) : len}) < 0) {
			rc = -1;
			goto done;
		}
		i = e; /* the next place starts after this key */
	}
	*places = nplaces;
	/* Whole words, before the cut, then merged. */
	size_t kept = 0;
	for (size_t i = 0; i < nw; i++) {
		if (w[i].a >= *cut)
			continue;
		snap(text, len, &w[i].a, &w[i].b);
		if (w[i].b > *cut)
			w[i].b = *cut;
		w[kept++] = w[i];
	}
	nw = kept;
	if (!windows_sorted(w, nw))
		qsort(w, nw, sizeof *w, cmp_window);
	size_t m = 0, total = 0;
	for (size_t i = 0; i < nw; i++) {
		if (m && w[i].a <= w[m - 1].b) {
			if (w[i].b > w[m - 1].b)
				w[m - 1].b = w[i].b;
			continue;
		}
		w[m++] = w[i];
	}
	for (size_t i = 0; i < m; i++)
		total += w[i].b - w[i].a;
	if (total > *cut / 10 * 7)
		goto done; /* most of the body anyway: one analysis is cheaper */
	*out = w;
	*n = m;
	w = NULL;
	rc = 1;
done:
	free(w);
	if (!scratch) {
		free(fo.f);
		free(fo.runs);
	}
	return rc;
}

/*
 * The windows of text[0..len) to analyse, in order: *win (nwin of them,
 * malloc'd unless it is `whole`, which is all of the text up to where the
 * analysis stops, before the place over max_places: *places gets how
 * many it found).  The fold's buffers are scratch's (the keys of the
 * query, when they may keep them, and count the bytes: scanned) or the
 * call's own.  0 or -1 (no memory).
 */
static int windows_in(const char *text, size_t len, const lupe_snip_keys *keys, lupe_snip_keys *scratch, int full,
		      size_t max_places, window **win, size_t *nwin, window *whole, size_t *places)
{
	*whole = (window){0, len};
	*places = 0;
	if (scratch)
		scratch->scanned += len;
	int pf = find_windows(text, len, keys, scratch, max_places, win, nwin, &whole->b, places);
	if (pf < 0)
		return -1;
	if (pf == 0 || full) {
		free(*win);
		*win = whole;
		*nwin = 1;
	}
	return 0;
}

static int windows_for(const char *text, size_t len, const lupe_snip_keys *keys, lupe_snip_keys *scratch, int full,
		       window **win, size_t *nwin, window *whole)
{
	size_t places;
	return windows_in(text, len, keys, scratch, full, PLACES_MAX, win, nwin, whole, &places);
}

/* lupe_analyze_near, saying where the analysis stopped (*cut, len when it read everything). */
static int analyze_near(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len,
			const lupe_snip_keys *keys, int full, size_t *cut)
{
	window *win = NULL, whole;
	size_t nwin = 0;
	lupe_tokens_reset(toks);
	if (windows_for(text, len, keys, NULL, full, &win, &nwin, &whole) < 0)
		return -1;
	int rc = 0;
	for (size_t wi = 0; wi < nwin && rc == 0; wi++) {
		size_t from = toks->n;
		if (lupe_analyze_into(an, toks, text + win[wi].a, win[wi].b - win[wi].a, 0) < 0) {
			rc = -1;
			break;
		}
		for (size_t i = from; i < toks->n; i++) {
			toks->v[i].start += win[wi].a;
			toks->v[i].end += win[wi].a;
		}
	}
	*cut = whole.b;
	if (win != &whole)
		free(win);
	return rc;
}

int lupe_analyze_near(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len,
		      const lupe_snip_keys *keys, int full)
{
	size_t cut;
	return analyze_near(an, toks, text, len, keys, full, &cut);
}

/* A growing list of wtoks. */
typedef struct {
	wtok *v;
	size_t n, cap;
} wtoks;

/*
 * Analyse the window w[0..n) alone and list in *out (emptied first) its
 * tokens whose term the query holds, with their evidence.  0 or -1 (no
 * memory).
 */
static int window_wtoks(lupe_analyzer *an, lupe_tokens *toks, const char *w, size_t n, const lupe_qterms *qt,
			wtoks *out)
{
	out->n = 0;
	lupe_tokens_reset(toks);
	if (lupe_analyze_into(an, toks, w, n, 0) < 0)
		return -1;
	for (size_t i = 0; i < toks->n; i++) {
		const lupe_itok *k = &toks->v[i];
		lupe_qterm_info qi;
		if (!lupe_qterms_find(qt, lupe_itok_term(toks, k), k->term_len, &qi))
			continue;
		int part = k->kind == LUPE_TOKEN_PART, weight, kind;
		if (qi.kind == LUPE_QT_TYPO) {
			weight = EV_TYPO, kind = LUPE_HL_TYPO;
		} else if (qi.kind == LUPE_QT_PART) {
			weight = EV_PART, kind = LUPE_HL_PART;
		} else if (part) {
			weight = EV_INSIDE, kind = LUPE_HL_PART;
		} else if (!(k->flags & LUPE_TOKEN_COMPLETED) &&
			   lupe_qterms_is_form(qt, lupe_itok_form(toks, k), k->form_len)) {
			/* (A word completed from a coordination is not written so: "Lokal- und ...") */
			weight = EV_EXACT, kind = LUPE_HL_EXACT;
			if (lupe_qterms_is_written(qt, w + k->start, k->end - k->start))
				weight += EV_CASE;
		} else {
			weight = EV_STEM, kind = LUPE_HL_STEM;
		}
		if (out->n == out->cap) {
			size_t c = out->cap ? out->cap * 2 : 64;
			wtok *nv = realloc(out->v, c * sizeof *nv);
			if (!nv)
				return -1;
			out->v = nv;
			out->cap = c;
		}
		out->v[out->n++] = (wtok){(uint32_t)k->start, (uint32_t)k->end, qi.group, qi.kind, (uint8_t)weight,
					  (uint8_t)kind};
	}
	return 0;
}

/*
 * The windows of the zones z[0..nz) of text (apart, at word edges, best
 * first), each zone's found as windows_for finds a stretch's, sorted: *win
 * (malloc'd), offsets of text.  The zones share one limit of PLACES_MAX
 * places, as a stretch has: a zone that reaches it is cut there (its
 * passage chosen from what came before, as in a stretch) and the zones
 * after it are not read.  0 or -1 (no memory).
 */
static int zone_windows(const char *text, const lupe_span *z, size_t nz, const lupe_snip_keys *keys,
			lupe_snip_keys *scratch, window **win, size_t *nwin)
{
	window *all = NULL;
	size_t n = 0, cap = 0, left = PLACES_MAX;
	*win = NULL;
	*nwin = 0;
	for (size_t k = 0; k < nz && left; k++) {
		window *w = NULL, whole;
		size_t nw = 0, used;
		if (windows_in(text + z[k].start, z[k].end - z[k].start, keys, scratch, 0, left, &w, &nw, &whole,
			       &used) < 0) {
			free(all);
			return -1;
		}
		left -= used < left ? used : left;
		if (whole.b < z[k].end - z[k].start)
			left = 0; /* cut: at the limit (or at as many signs the fold does not model) */
		if (n + nw > cap) {
			size_t c = (n + nw) * 2 + 8;
			window *nv = realloc(all, c * sizeof *nv);
			if (!nv) {
				if (w != &whole)
					free(w);
				free(all);
				return -1;
			}
			all = nv;
			cap = c;
		}
		for (size_t i = 0; i < nw; i++)
			all[n++] = (window){z[k].start + w[i].a, z[k].start + w[i].b};
		if (w != &whole)
			free(w);
	}
	if (n)
		qsort(all, n, sizeof *all, cmp_window);
	*win = all;
	*nwin = n;
	return 0;
}

/*
 * The passage is chosen among the matches in text[from..to); it may reach
 * out of that range, up to len.  With zones (from 0), among the matches of
 * the zones z[0..nz) alone (zone_windows).  0; 1 when the analysis stopped
 * short of `to` (PLACES_MAX); -1 when out of memory.
 */
static int snippet(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, size_t from, size_t to,
		   const lupe_qterms *qt, lupe_snip_keys *keys, size_t target, int full, const lupe_span *zones,
		   size_t nz, lupe_buf *out, lupe_span **spans, unsigned char **kinds, size_t *n_spans,
		   lupe_span **matches, size_t *n_matches)
{
	lupe_span *last = NULL;
	size_t last_n = 0;
	match *m = NULL;
	size_t nm = 0, cap = 0;
	int rc = -1;

	*spans = NULL;
	*n_spans = 0;
	if (kinds)
		*kinds = NULL;
	if (matches)
		*matches = NULL;
	if (n_matches)
		*n_matches = 0;
	out->len = 0;
	if (target < 40)
		target = 40;
	if (target > LUPE_SNIPPET_BYTES_MAX)
		target = LUPE_SNIPPET_BYTES_MAX;

	/*
	 * Each window's tokens that the query holds (from the window cache when
	 * the query's hits met the window before), one written word's tokens
	 * merged into one match.  The full analysis is the reference the
	 * prefilter is tested against: it neither reads nor fills the cache.
	 */
	window *win = NULL, whole;
	size_t nwin = 0;
	wtoks scratch = {0};
	if (zones) {
		/* Zoned (lupe_snippet_zoned): from is 0, and nothing is cut. */
		whole = (window){0, to};
		if (zone_windows(text, zones, nz, keys, keys, &win, &nwin) < 0)
			return -1;
	} else if (windows_for(text + from, to - from, keys, keys, full, &win, &nwin, &whole) < 0) {
		return -1;
	}
	size_t cut = whole.b;
	for (size_t wi = 0; wi < nwin; wi++) {
		const char *wt = text + from + win[wi].a;
		size_t wl = win[wi].b - win[wi].a, base = from + win[wi].a, nt;
		uint32_t h = 0;
		const struct wc_ent *e = NULL;
		const wtok *tv;
		if (!full && wl <= WC_WIN_MAX) {
			h = wc_hash(wt, wl);
			e = wc_find(keys, wt, wl, h);
		}
		if (e) {
			tv = e->t;
			nt = e->n;
			keys->served++;
		} else {
			if (window_wtoks(an, toks, wt, wl, qt, &scratch) < 0)
				goto done;
			if (!full && wl <= WC_WIN_MAX)
				wc_store(keys, wt, wl, h, scratch.v, scratch.n);
			tv = scratch.v;
			nt = scratch.n;
		}
		for (size_t i = 0; i < nt; i++) {
			size_t ks = base + tv[i].start, ke = base + tv[i].end;
			int weight = tv[i].weight, kind = tv[i].kind;
			uint64_t bit = (uint64_t)1 << (tv[i].group < 63 ? tv[i].group : 63);
			/* The parts of a word come after it, at its place: one written word. */
			match *w = nm && m[nm - 1].start == ks && m[nm - 1].end == ke ? &m[nm - 1] : NULL;
			if (!w) {
				if (nm == cap) {
					cap = cap ? cap * 2 : 32;
					match *nmv = realloc(m, cap * sizeof *m);
					if (!nmv)
						goto done;
					m = nmv;
				}
				w = &m[nm++];
				*w = (match){ks, ke, 0, 0, kind, tv[i].group, 0};
			}
			w->groups |= bit;
			if (tv[i].qkind == LUPE_QT_PART) {
				if (!w->n_parts || w->part_group == tv[i].group) {
					w->part_group = tv[i].group;
					w->n_parts++;
				}
				if (EV_SUB(w->n_parts) > weight)
					weight = EV_SUB(w->n_parts);
			}
			if (weight > w->weight) {
				w->weight = weight;
				w->kind = kind;
			}
		}
	}
	if (nm)
		qsort(m, nm, sizeof *m, cmp_match);
	/*
	 * A joined hyphen form spans its words: keep the stronger evidence (of
	 * two alike, the words, which matched themselves), with the query words
	 * of both.
	 */
	size_t w = 0;
	for (size_t i = 0; i < nm; i++) {
		if (w && m[i].start < m[w - 1].end) {
			uint64_t g = m[w - 1].groups | m[i].groups;
			if (m[i].weight > m[w - 1].weight ||
			    (m[i].weight == m[w - 1].weight && m[i].end - m[i].start < m[w - 1].end - m[w - 1].start))
				m[w - 1] = m[i];
			m[w - 1].groups = g;
			continue;
		}
		m[w++] = m[i];
	}
	nm = w;

	/*
	 * Best window: the most evidence (each query word's best match in it,
	 * summed), then the most matches, earliest first.
	 */
	size_t best_i = 0, best_j = 0, best_c = 0;
	long best_score = -1;
	for (size_t i = 0, j = 0; i < nm; i++) {
		if (j < i)
			j = i;
		while (j + 1 < nm && m[j + 1].end - m[i].start <= target)
			j++;
		int top[64] = {0};
		uint64_t seen = 0;
		for (size_t a = i; a <= j; a++)
			for (uint64_t g = m[a].groups; g; g &= g - 1) {
				int b = __builtin_ctzll(g);
				seen |= (uint64_t)1 << b;
				if (m[a].weight > top[b])
					top[b] = m[a].weight;
			}
		long score = 0;
		for (uint64_t g = seen; g; g &= g - 1)
			score += top[__builtin_ctzll(g)];
		if (score > best_score || (score == best_score && j - i + 1 > best_c)) {
			best_score = score;
			best_c = j - i + 1;
			best_i = i;
			best_j = j;
		}
	}

	size_t s, e;
	if (nm == 0) {
		s = 0;
		e = right_edge(text, len, 0, target);
	} else {
		size_t ms = m[best_i].start, me = m[best_j].end;
		size_t room = target > me - ms ? target - (me - ms) : 0;
		s = left_edge(text, ms, room / 3 + 1);
		e = right_edge(text, len, me, me + (target > me - s ? target - (me - s) : 0));
		if (e < me)
			e = me;
	}

	/*
	 * Keep the body offsets of the matches: the passage's strongest first
	 * (where a client jumps to), then the rest of the passage, then others.
	 */
	if (matches && nm && !(last = malloc((nm < LUPE_MATCHES_MAX ? nm : LUPE_MATCHES_MAX) * sizeof *last)))
		goto done;
	size_t top_k = best_i;
	for (size_t k = best_i; nm && k <= best_j; k++)
		if (m[k].weight > m[top_k].weight)
			top_k = k;
	if (last) {
		last[last_n++] = (lupe_span){m[top_k].start, m[top_k].end};
		for (size_t k = best_i; k <= best_j && last_n < LUPE_MATCHES_MAX; k++)
			if (k != top_k)
				last[last_n++] = (lupe_span){m[k].start, m[k].end};
		for (size_t k = 0; k < nm && last_n < LUPE_MATCHES_MAX; k++)
			if (k < best_i || k > best_j)
				last[last_n++] = (lupe_span){m[k].start, m[k].end};
	}

	/* Copy with whitespace folded; translate highlight offsets on the way. */
	lupe_span *sp = nm ? calloc(best_j - best_i + 1, sizeof *sp) : NULL;
	unsigned char *kd = nm && kinds ? malloc(best_j - best_i + 1) : NULL;
	size_t nsp = 0, mi = best_i;
	if (nm && (!sp || (kinds && !kd)))
		goto fail_sp;
	if (s > 0 && lupe_buf_append(out, "\xE2\x80\xA6 ", 4) < 0)
		goto fail_sp;
	/* Room for the passage at once: folding whitespace only shortens it. */
	if (lupe_buf_reserve(out, e - s) < 0)
		goto fail_sp;
	int in_space = 0;
	for (size_t i = s; i < e; i++) {
		if (nm && mi <= best_j && i == m[mi].start) {
			sp[nsp].start = out->len;
			in_space = 0;
		}
		if (is_space(text[i])) {
			if (!in_space)
				out->p[out->len++] = ' ';
			in_space = 1;
		} else {
			in_space = 0;
			out->p[out->len++] = text[i];
		}
		if (nm && mi <= best_j && i + 1 == m[mi].end) {
			sp[nsp].end = out->len;
			if (kd)
				kd[nsp] = (unsigned char)m[mi].kind;
			nsp++;
			mi++;
		}
	}
	while (out->len && out->p[out->len - 1] == ' ')
		out->len--;
	if (e < len && lupe_buf_append(out, " \xE2\x80\xA6", 4) < 0)
		goto fail_sp;
	if (lupe_buf_terminate(out) < 0)
		goto fail_sp;
	*spans = sp;
	if (kinds)
		*kinds = kd;
	*n_spans = nsp;
	if (matches) {
		*matches = last;
		*n_matches = last_n;
		last = NULL;
	}
	rc = from + cut < to;
	goto done;
fail_sp:
	free(sp);
	free(kd);
done:
	free(last);
	free(m);
	free(scratch.v);
	if (win != &whole)
		free(win);
	return rc;
}

/* The end of the stretch of text[0..len) searched from `from` on: LUPE_SNIPPET_SCAN_MAX bytes, at a character's start. */
static size_t stretch_end(const char *text, size_t len, size_t from)
{
	return len - from > LUPE_SNIPPET_SCAN_MAX ? from + lupe_utf8_floor(text + from, LUPE_SNIPPET_SCAN_MAX) : len;
}

int lupe_snippet_ex(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		    lupe_snip_keys *keys, size_t target, int full, lupe_buf *out, lupe_span **spans,
		    size_t *n_spans, lupe_span **matches, size_t *n_matches)
{
	return snippet(an, toks, text, len, 0, stretch_end(text, len, 0), qt, keys, target, full, NULL, 0, out, spans,
		       NULL, n_spans, matches, n_matches) < 0 ? -1 : 0;
}

int lupe_snippet(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		 lupe_snip_keys *keys, size_t target, lupe_buf *out, lupe_span **spans, unsigned char **kinds,
		 size_t *n_spans, lupe_span **matches, size_t *n_matches)
{
	return snippet(an, toks, text, len, 0, stretch_end(text, len, 0), qt, keys, target, 0, NULL, 0, out, spans,
		       kinds, n_spans, matches, n_matches);
}

size_t lupe_snippet_stretch(const char *text, size_t len)
{
	return stretch_end(text, len, 0);
}

int lupe_snippet_zoned(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		       lupe_snip_keys *keys, size_t target, const lupe_span *zones, size_t nz, lupe_buf *out,
		       lupe_span **spans, unsigned char **kinds, size_t *n_spans, lupe_span **matches,
		       size_t *n_matches)
{
	static const lupe_span none = {0, 0};
	return snippet(an, toks, text, len, 0, stretch_end(text, len, 0), qt, keys, target, 0, nz ? zones : &none,
		       nz, out, spans, kinds, n_spans, matches, n_matches) < 0 ? -1 : 0;
}

int lupe_snippet_has_exact(const unsigned char *kinds, size_t n)
{
	for (size_t i = 0; kinds && i < n; i++)
		if (kinds[i] == LUPE_HL_EXACT)
			return 1;
	return 0;
}

int lupe_snippet_deep(lupe_analyzer *an, lupe_tokens *toks, const char *text, size_t len, const lupe_qterms *qt,
		      int again, size_t target, int (*quiet)(void *ctx, size_t from, size_t to), void *ctx,
		      lupe_buf *out, lupe_span **spans,
		      unsigned char **kinds, size_t *n_spans, lupe_span **matches, size_t *n_matches)
{
	/*
	 * Only a query word as written makes a stretch's passage worth taking,
	 * so the stretches are searched for the words' own terms alone: the
	 * parts of a compound (many places in a long manual) cost nothing.
	 */
	lupe_snip_keys *wk;
	if (keys_make(&wk, qt, 1) < 0)
		return -1;
	int rc = 0, first = again;
	size_t to = again ? 0 : stretch_end(text, len, 0);
	while ((first || to < len) && rc == 0) {
		/* The next stretch starts at the word the last one cut, if it is not too long a word. */
		size_t from = to;
		while (from > 0 && from > to - 64 && !is_space(text[from - 1]))
			from--;
		if (from > 0 && !is_space(text[from - 1]))
			from = to;
		first = 0;
		to = stretch_end(text, len, from);
		if (quiet && quiet(ctx, from, to))
			continue; /* no token of a word's own term: no word as written */
		lupe_buf o = {0};
		lupe_span *sp, *mv;
		unsigned char *kd;
		size_t nsp, mn;
		if (snippet(an, toks, text, len, from, to, qt, wk, target, 0, NULL, 0, &o, &sp, &kd, &nsp, &mv, &mn) < 0) {
			rc = -1;
			break;
		}
		if (lupe_snippet_has_exact(kd, nsp)) {
			lupe_buf_free(out);
			free(*spans);
			free(*kinds);
			free(*matches);
			*out = o;
			*spans = sp;
			*kinds = kd;
			*n_spans = nsp;
			*matches = mv;
			*n_matches = mn;
			rc = 1;
			break;
		}
		lupe_buf_free(&o);
		free(sp);
		free(kd);
		free(mv);
	}
	lupe_snip_keys_free(wk);
	return rc;
}
