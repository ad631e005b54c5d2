#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "analysis/analyzer.h"
#include "analysis/german.h"
#include "analysis/stem.h"
#include "analysis/tokenize.h"
#include "util/utf8.h"

#define MAX_PARTS 8

struct lupe_analyzer {
	lupe_tokenizer *tz;
	lupe_stemmer *stem;
	lupe_decompounder *dc; /* NULL when decompounding is off */
	const UNormalizer2 *nfkc_cf;
	UChar *u16a, *u16b; /* scratch for ICU normalisation */
	int32_t u16cap;
	lupe_buf fold;  /* scratch: the folded word */
	lupe_buf join;  /* scratch: a hyphen group's joined form */
	uint16_t *wc_slot; /* word -> its tokens: WC_SLOTS slots, 0 empty, else 1 + an index into wc_ents */
	struct wc_entry **wc_ents; /* the entries, in the order they came: n_wc of WC_SLOTS */
	uint32_t n_wc;
	uint16_t *stem_slot; /* SC_SLOTS slots: 0 empty, else 1 + the entry's index; NULL if none */
	struct sc_entry *stems; /* the entries, in the order they came: n_stems of SC_SLOTS */
	uint32_t n_stems;
	size_t stem_misses, word_misses; /* lupe_analyzer_misses */
};

/*
 * The stem cache.  Snowball costs ~4,700 instructions a call on the
 * corpus' words, and a word the word cache has not seen is mostly a new
 * compound of parts seen before, each stemmed again: 1,000 short queries
 * (their snippets, mostly) stemmed 84,000 times; 4,096 slots answered
 * 33,000 of them (search -3.1% instructions), 16,384 slots 40,000 (-3.9%).
 * Direct-mapped, forms of at most SC_FORM_MAX bytes, allocated when first
 * needed: SC_SLOTS * 68 bytes (1.1 MB) at most.  A stem depends on the
 * form alone, so an entry is never stale.
 *
 * The slots hold 16-bit indexes (32 KB) into entries stored densely in the
 * order they came; a slot's new form overwrites its entry.  A memory page
 * costs a fault the first time it is touched (~9 us each on a VM), and
 * entries placed by their hash touched a new page for nearly every new
 * form: 216 of a process's first ten questions' 558 faults.  Dense, 60
 * entries share a page.
 */
#define SC_SLOTS 16384
#define SC_FORM_MAX 32
_Static_assert(SC_SLOTS <= UINT16_MAX, "a slot holds 1 + an entry's index in 16 bits");
struct sc_entry {
	uint8_t form_len, term_len; /* form_len 0: an empty slot */
	char form[SC_FORM_MAX];
	char term[SC_FORM_MAX + 2]; /* NUL-terminated, as Snowball's */
};

/*
 * The word cache.  A word's tokens depend only on its bytes, its segment
 * kind and the analyzer's settings, and most words of a text are words seen
 * before (Zipf): replaying their tokens skips case folding, stemming and the
 * compound dictionary, which are most of the analysis.  Two-way: a word
 * may sit in either slot of the pair its hash names, the one used last
 * first (direct-mapped, a quarter of the misses of 1,000 short queries'
 * snippets were words pushed out by another of the same slot).  Only
 * short words with few tokens are kept, so the cache stays under
 * WC_SLOTS * ~300 bytes.  As in the stem cache, the slots hold 16-bit
 * indexes (32 KB, not 128 KB of pointers touched a page per new word)
 * into the entries' pointers, kept densely.
 */
#define WC_SLOTS 16384
#define WC_WORD_MAX 48
#define WC_TOKS_MAX (1 + MAX_PARTS)
_Static_assert(WC_SLOTS <= UINT16_MAX, "a slot holds 1 + an entry's index in 16 bits");

typedef struct {
	uint16_t form_len, term_len;
	uint16_t start, end; /* relative to the word's start */
	uint8_t kind, flags;
} wc_tok;

struct wc_entry {
	uint32_t hash;
	uint16_t key_len;
	uint8_t seg_kind, ntok;
	wc_tok tok[WC_TOKS_MAX];
	char bytes[]; /* key, then each token's form and term */
};

LUPE_EXPORT int lupe_analyzer_new(lupe_analyzer **out, const lupe_analyzer_options *opts)
{
	UErrorCode st = U_ZERO_ERROR;
	lupe_analyzer *an;
	if (!out)
		return LUPE_EINVAL;
	*out = NULL;
	an = calloc(1, sizeof *an);
	if (!an)
		return LUPE_ENOMEM;
	an->nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
	if (U_FAILURE(st)) {
		free(an);
		return LUPE_EINTERNAL;
	}
	if (lupe_tokenizer_new(&an->tz) < 0 || lupe_stemmer_new(&an->stem) < 0 ||
	    ((!opts || opts->decompound) && lupe_decomp_new(&an->dc) < 0)) {
		lupe_analyzer_free(an);
		return LUPE_ENOMEM;
	}
	*out = an;
	return LUPE_OK;
}

LUPE_EXPORT void lupe_analyzer_free(lupe_analyzer *an)
{
	if (!an)
		return;
	lupe_tokenizer_free(an->tz);
	lupe_stemmer_free(an->stem);
	lupe_decomp_free(an->dc);
	free(an->u16a);
	free(an->u16b);
	lupe_buf_free(&an->fold);
	lupe_buf_free(&an->join);
	for (size_t i = 0; i < an->n_wc; i++)
		free(an->wc_ents[i]);
	free(an->wc_slot);
	free(an->wc_ents);
	free(an->stem_slot);
	free(an->stems);
	free(an);
}

int lupe_analyzer_decompounds(const lupe_analyzer *an)
{
	return an->dc != NULL;
}

const lupe_decompounder *lupe_analyzer_decompounder(const lupe_analyzer *an)
{
	return an->dc;
}

static void wc_clear(lupe_analyzer *an)
{
	if (!an->wc_slot)
		return;
	for (size_t i = 0; i < an->n_wc; i++)
		free(an->wc_ents[i]);
	an->n_wc = 0;
	memset(an->wc_slot, 0, WC_SLOTS * sizeof *an->wc_slot);
}

void lupe_analyzer_set_freq(lupe_analyzer *an, lupe_freq_fn fn, void *ctx)
{
	if (an->dc)
		lupe_decomp_set_freq(an->dc, fn, ctx);
	wc_clear(an); /* splits may differ from now on */
}

static int ensure_u16(lupe_analyzer *an, int32_t need)
{
	if (need <= an->u16cap)
		return 0;
	int32_t cap = need * 2 + 64;
	UChar *a = realloc(an->u16a, (size_t)cap * sizeof(UChar));
	if (!a)
		return -1;
	an->u16a = a;
	UChar *b = realloc(an->u16b, (size_t)cap * sizeof(UChar));
	if (!b)
		return -1;
	an->u16b = b;
	an->u16cap = cap;
	return 0;
}

/*
 * NFKC case folding plus canonical German spelling, appended to out.
 * Plain ASCII (most words) takes a fast path that gives the same result.
 */
/*
 * Whether w[0..n) is ASCII (no NUL) and Latin-1 letters U+00C0-U+00FF but
 * the signs U+00D7 and U+00F7: all of German.  Their NFKC case folding is
 * the lower case (U+00C0-U+00DE to U+00E0-U+00FE) with U+00DF (sharp s) as
 * "ss"; nothing composes or decomposes.
 */
static int latin1_letters(const unsigned char *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w[i] >= 0x80) {
			if (w[i] != 0xC3 || i + 1 == n || w[i + 1] < 0x80 || w[i + 1] > 0xBF || w[i + 1] == 0x97 ||
			    w[i + 1] == 0xB7)
				return 0;
			i++;
		} else if (w[i] == 0) {
			return 0;
		}
	}
	return 1;
}

/* NFKC case folding through ICU (any text; the reference of the fast path above). */
static int fold_icu(lupe_analyzer *an, const char *w, size_t n, lupe_buf *out);

/*
 * The word case-folded (NFKC_CF) and in canonical spelling.  A word of
 * latin1_letters is folded here; ICU's conversions and normalisation cost
 * ~900 instructions more a word with an umlaut (0.2% of the 1,000 short
 * queries' instructions, their snippets' first sight of words; indexing
 * folds every word).  lupe_analyzer_fold_icu folds through ICU alone, for the tests
 * that compare.
 */
static int fold_word(lupe_analyzer *an, const char *w, size_t n, lupe_buf *out)
{
	size_t base = out->len;
	const unsigned char *u = (const unsigned char *)w;
	if (latin1_letters(u, n)) {
		if (lupe_buf_reserve(out, 2 * n) < 0) /* sharp s doubles (1 byte more for 2) */
			return -1;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = u[i];
			if (c < 0x80) {
				out->p[out->len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
				continue;
			}
			unsigned char d = u[++i];
			if (d == 0x9F) {
				out->p[out->len++] = 's';
				out->p[out->len++] = 's';
				continue;
			}
			out->p[out->len++] = (char)0xC3;
			out->p[out->len++] = (char)(d <= 0x9E ? d + 0x20 : d);
		}
	} else if (fold_icu(an, w, n, out) < 0) {
		return -1;
	}
	size_t k = lupe_de_spelling(out->p + base, out->len - base, out->p + base, out->len - base);
	out->len = base + k;
	return 0;
}

int lupe_analyzer_fold_icu(lupe_analyzer *an, const char *w, size_t n, lupe_buf *out)
{
	size_t base = out->len;
	if (fold_icu(an, w, n, out) < 0)
		return -1;
	size_t k = lupe_de_spelling(out->p + base, out->len - base, out->p + base, out->len - base);
	out->len = base + k;
	return 0;
}

static int fold_icu(lupe_analyzer *an, const char *w, size_t n, lupe_buf *out)
{
	int ascii = 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)w[i] >= 0x80 || w[i] == '\0') {
			ascii = 0;
			break;
		}
	if (ascii) {
		if (lupe_buf_reserve(out, n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			char c = w[i];
			out->p[out->len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
	} else {
		UErrorCode st = U_ZERO_ERROR;
		int32_t u16len = 0;
		if (ensure_u16(an, (int32_t)n + 8) < 0)
			return -1;
		u_strFromUTF8WithSub(an->u16a, an->u16cap, &u16len, w, (int32_t)n, 0xFFFD, NULL, &st);
		if (U_FAILURE(st))
			return -1;
		/* Case folding can grow a string (ß -> ss, ligatures): retry with room. */
		int32_t m = unorm2_normalize(an->nfkc_cf, an->u16a, u16len, an->u16b, an->u16cap, &st);
		if (st == U_BUFFER_OVERFLOW_ERROR) {
			st = U_ZERO_ERROR;
			if (ensure_u16(an, m + 8) < 0)
				return -1;
			u_strFromUTF8WithSub(an->u16a, an->u16cap, &u16len, w, (int32_t)n, 0xFFFD, NULL, &st);
			m = unorm2_normalize(an->nfkc_cf, an->u16a, u16len, an->u16b, an->u16cap, &st);
		}
		if (U_FAILURE(st))
			return -1;
		int32_t need = 0;
		st = U_ZERO_ERROR;
		u_strToUTF8(NULL, 0, &need, an->u16b, m, &st);
		st = U_ZERO_ERROR;
		if (lupe_buf_reserve(out, (size_t)need + 1) < 0)
			return -1;
		u_strToUTF8WithSub(out->p + out->len, need + 1, &need, an->u16b, m, 0xFFFD, NULL, &st);
		if (U_FAILURE(st))
			return -1;
		out->len += (size_t)need;
	}
	return 0;
}

int lupe_analyzer_fold(lupe_analyzer *an, const char *word, size_t len, lupe_buf *out)
{
	return fold_word(an, word, len, out);
}

/* lupe_stem through the stem cache: borrowed, valid until the next call on an. */
static const char *stem(lupe_analyzer *an, const char *form, size_t len, size_t *tlen)
{
	if (len == 0 || len > SC_FORM_MAX)
		return lupe_stem(an->stem, form, len, tlen);
	if (!an->stems) {
		/* malloc, not calloc: a page is touched when an entry reaches it */
		an->stem_slot = calloc(SC_SLOTS, sizeof *an->stem_slot);
		an->stems = an->stem_slot ? malloc(SC_SLOTS * sizeof *an->stems) : NULL;
		if (!an->stems) {
			free(an->stem_slot);
			an->stem_slot = NULL;
			return lupe_stem(an->stem, form, len, tlen);
		}
	}
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)form[i]) * 16777619u;
	uint16_t *slot = &an->stem_slot[(h ^ (h >> 15)) & (SC_SLOTS - 1)];
	struct sc_entry *e = *slot ? &an->stems[*slot - 1] : NULL;
	if (e && e->form_len == len && memcmp(e->form, form, len) == 0) {
		*tlen = e->term_len;
		return e->term;
	}
	an->stem_misses++;
	const char *t = lupe_stem(an->stem, form, len, tlen);
	if (t && *tlen < SC_FORM_MAX + 2) {
		if (!e) { /* a slot's first form: the next entry (there are as many as slots) */
			e = &an->stems[an->n_stems++];
			*slot = (uint16_t)an->n_stems;
		}
		e->form_len = (uint8_t)len;
		memcpy(e->form, form, len);
		e->term_len = (uint8_t)*tlen;
		memcpy(e->term, t, *tlen);
		e->term[*tlen] = '\0';
	}
	return t;
}

void lupe_analyzer_misses(const lupe_analyzer *an, size_t *stems, size_t *words)
{
	*stems = an->stem_misses;
	*words = an->word_misses;
}

const char *lupe_analyzer_stem_folded(lupe_analyzer *an, const char *folded, size_t len, size_t *tlen)
{
	return stem(an, folded, lupe_de_prestem(folded, len), tlen);
}

static int has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return 1;
	return 0;
}

static int has_letter(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp = lupe_utf8_next(s, n, &i);
		if (u_isalpha((UChar32)cp))
			return 1;
	}
	return 0;
}

static int push_tok(lupe_tokens *t, lupe_itok k)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 128;
		lupe_itok *v = realloc(t->v, nc * sizeof *v);
		if (!v)
			return -1;
		t->v = v;
		t->cap = nc;
	}
	t->v[t->n++] = k;
	return 0;
}

/* Put s into the arena NUL-terminated (cut to LUPE_TERM_MAX); returns its offset or -1. */
static int64_t arena_put(lupe_tokens *t, const char *s, size_t n, uint32_t *len_out)
{
	if (n > LUPE_TERM_MAX)
		n = lupe_utf8_floor(s, LUPE_TERM_MAX);
	if (t->arena.len > UINT32_MAX - n - 1)
		return -1;
	size_t off = t->arena.len;
	if (lupe_buf_append(&t->arena, s, n) < 0 || lupe_buf_putc(&t->arena, '\0') < 0)
		return -1;
	*len_out = (uint32_t)n;
	return (int64_t)off;
}

/*
 * Emit one token for a folded form: the form is stemmed unless it holds a
 * digit (numbers and versions stay as written).
 */
static int emit(lupe_analyzer *an, lupe_tokens *t, const char *form, size_t flen, uint32_t pos,
		size_t start, size_t end, int kind)
{
	lupe_itok k = {0};
	const char *term = form;
	size_t tlen = flen;
	int64_t off;

	if (flen == 0)
		return 0;
	off = arena_put(t, form, flen, &k.form_len);
	if (off < 0)
		return -1;
	k.form_off = (uint32_t)off;
	if (kind == LUPE_TOKEN_WORD || kind == LUPE_TOKEN_JOINED || kind == LUPE_TOKEN_PART) {
		if (has_digit(form, flen)) {
			if (kind == LUPE_TOKEN_WORD)
				kind = LUPE_TOKEN_NUMBER;
		} else {
			/* Stem from the arena copy: `form` may point into a scratch buffer. */
			const char *f = t->arena.p + k.form_off;
			size_t pl = lupe_de_prestem(f, k.form_len);
			term = stem(an, f, pl, &tlen);
			if (!term)
				return -1;
			if (lupe_de_is_stopword(f, k.form_len))
				k.flags |= LUPE_TOKEN_STOPWORD;
		}
	}
	off = arena_put(t, term, tlen, &k.term_len);
	if (off < 0)
		return -1;
	k.term_off = (uint32_t)off;
	k.position = pos;
	k.start = start;
	k.end = end;
	k.kind = kind;
	return push_tok(t, k);
}

/*
 * CamelCase inside a word ("PageNumber", "ReferenceValue"): byte offsets
 * where a lower-case letter is followed by an upper-case one.
 */
static int camel_cuts(const char *w, size_t n, size_t *cuts, int max)
{
	int nc = 0;
	size_t i = 0;
	UChar32 prev = 0;
	while (i < n && nc < max) {
		size_t at = i;
		UChar32 cp = (UChar32)lupe_utf8_next(w, n, &i);
		if (prev && u_islower(prev) && u_isupper(cp))
			cuts[nc++] = at;
		prev = cp;
	}
	return nc;
}

/* Analyse one word segment; its extra terms (parts) share its position and are left out unless `parts`. */
static int word_uncached(lupe_analyzer *an, lupe_tokens *t, const char *text, const lupe_seg *sg, uint32_t pos,
			 int parts)
{
	const char *w = text + sg->start;
	size_t n = sg->end - sg->start;
	size_t fstart, flen;

	if (n > LUPE_WORD_MAX)
		n = lupe_utf8_floor(w, LUPE_WORD_MAX);
	char inner[LUPE_WORD_MAX];
	if (sg->kind == LUPE_SEG_WORD) {
		n = lupe_de_degender(w, n);
		/* Schüler:innenvertretung as Schülervertretung */
		size_t il = lupe_de_degender_inner(w, n, inner, sizeof inner);
		if (il) {
			w = inner;
			n = il;
		}
	}

	an->fold.len = 0;
	if (fold_word(an, w, n, &an->fold) < 0)
		return -1;
	fstart = 0;
	flen = an->fold.len;
	if (sg->kind == LUPE_SEG_NUMBER || !has_letter(an->fold.p, flen)) {
		return emit(an, t, an->fold.p + fstart, flen, pos, sg->start, sg->end, LUPE_TOKEN_NUMBER);
	}
	size_t first = t->n;
	if (emit(an, t, an->fold.p, flen, pos, sg->start, sg->end, LUPE_TOKEN_WORD) < 0)
		return -1;
	if (!parts)
		return 0;

	/* CamelCase parts: each part folded on its own. */
	size_t cuts[MAX_PARTS];
	int nc = camel_cuts(w, n, cuts, MAX_PARTS - 1);
	if (nc > 0) {
		size_t s = 0;
		for (int i = 0; i <= nc; i++) {
			size_t e = i < nc ? cuts[i] : n;
			an->fold.len = 0;
			if (fold_word(an, w + s, e - s, &an->fold) < 0)
				return -1;
			if (emit(an, t, an->fold.p, an->fold.len, pos, sg->start + s, sg->start + e,
				 LUPE_TOKEN_PART) < 0)
				return -1;
			s = e;
		}
		return 0;
	}

	/* Compound parts, from the folded form kept in the arena. */
	if (an->dc && t->v[first].kind == LUPE_TOKEN_WORD) {
		lupe_part cut[MAX_PARTS];
		const char *f = t->arena.p + t->v[first].form_off;
		/*
		 * A feminine form is split as its base: "mitarbeiterinnen" as
		 * "mitarbeiter", so that the ending never makes a part of its
		 * own ("rinn", Rinne).  The parts stay within the base.
		 */
		size_t fl = lupe_de_prestem(f, t->v[first].form_len);
		int np = lupe_decomp_split(an->dc, f, fl, cut, MAX_PARTS);
		for (int i = 0; i < np; i++) {
			/* Copy out: emit() may move the arena. */
			char tmp[LUPE_WORD_MAX * 3];
			size_t pl = cut[i].end - cut[i].start;
			if (pl > sizeof tmp)
				continue;
			memcpy(tmp, t->arena.p + t->v[first].form_off + cut[i].start, pl);
			if (emit(an, t, tmp, pl, pos, sg->start, sg->end, LUPE_TOKEN_PART) < 0)
				return -1;
		}
	}
	return 0;
}

static uint32_t wc_hash(const char *w, size_t n, int kind)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	return h;
}

/* Keep the tokens t->v[first..] of the word w[0..n) in its slot. */
static void wc_store(lupe_analyzer *an, uint32_t h, int kind, const char *w, size_t n, const lupe_tokens *t,
		     size_t first, size_t wstart)
{
	size_t ntok = t->n - first, bytes = n;
	if (ntok > WC_TOKS_MAX)
		return;
	for (size_t i = first; i < t->n; i++) {
		const lupe_itok *k = &t->v[i];
		if (k->start < wstart || k->end < k->start || k->end - wstart > UINT16_MAX ||
		    k->form_len > UINT16_MAX || k->term_len > UINT16_MAX || k->kind > 255 || k->flags > 255)
			return;
		bytes += k->form_len + k->term_len;
	}
	struct wc_entry *e = malloc(sizeof *e + bytes);
	if (!e)
		return; /* a cache, not a must */
	e->hash = h;
	e->key_len = (uint16_t)n;
	e->seg_kind = (uint8_t)kind;
	e->ntok = (uint8_t)ntok;
	char *p = e->bytes;
	memcpy(p, w, n);
	p += n;
	for (size_t i = 0; i < ntok; i++) {
		const lupe_itok *k = &t->v[first + i];
		e->tok[i] = (wc_tok){(uint16_t)k->form_len, (uint16_t)k->term_len, (uint16_t)(k->start - wstart),
				     (uint16_t)(k->end - wstart), (uint8_t)k->kind, (uint8_t)k->flags};
		memcpy(p, lupe_itok_form(t, k), k->form_len);
		p += k->form_len;
		memcpy(p, lupe_itok_term(t, k), k->term_len);
		p += k->term_len;
	}
	/* The newest first in its pair; the older of the two makes way (its entry is e's). */
	uint16_t *pair = &an->wc_slot[h & (WC_SLOTS - 2)];
	uint16_t at = pair[1];
	if (at)
		free(an->wc_ents[at - 1]);
	else
		at = (uint16_t)++an->n_wc; /* a pair's new slot: the next entry (as many as slots) */
	an->wc_ents[at - 1] = e;
	pair[1] = pair[0];
	pair[0] = at;
}

/* Append the cached tokens of e for a word at `wstart` and position pos. */
static int wc_replay(lupe_tokens *t, const struct wc_entry *e, size_t wstart, uint32_t pos)
{
	const char *p = e->bytes + e->key_len;
	for (size_t i = 0; i < e->ntok; i++) {
		const wc_tok *c = &e->tok[i];
		lupe_itok k = {0};
		int64_t off = arena_put(t, p, c->form_len, &k.form_len);
		if (off < 0)
			return -1;
		k.form_off = (uint32_t)off;
		p += c->form_len;
		off = arena_put(t, p, c->term_len, &k.term_len);
		if (off < 0)
			return -1;
		k.term_off = (uint32_t)off;
		p += c->term_len;
		k.position = pos;
		k.start = wstart + c->start;
		k.end = wstart + c->end;
		k.kind = c->kind;
		k.flags = c->flags;
		if (push_tok(t, k) < 0)
			return -1;
	}
	return 0;
}

static int word(lupe_analyzer *an, lupe_tokens *t, const char *text, const lupe_seg *sg, uint32_t pos)
{
	const char *w = text + sg->start;
	size_t n = sg->end - sg->start;
	if (n > WC_WORD_MAX)
		return word_uncached(an, t, text, sg, pos, 1);
	if (!an->wc_slot) {
		/* malloc, not calloc: a page of pointers is touched when an entry reaches it */
		an->wc_ents = malloc(WC_SLOTS * sizeof *an->wc_ents);
		an->wc_slot = an->wc_ents ? calloc(WC_SLOTS, sizeof *an->wc_slot) : NULL;
		if (!an->wc_slot) {
			free(an->wc_ents);
			an->wc_ents = NULL;
			return word_uncached(an, t, text, sg, pos, 1);
		}
	}
	uint32_t h = wc_hash(w, n, sg->kind);
	uint16_t *pair = &an->wc_slot[h & (WC_SLOTS - 2)];
	for (int k = 0; k < 2; k++) {
		struct wc_entry *e = pair[k] ? an->wc_ents[pair[k] - 1] : NULL;
		if (e && e->hash == h && e->key_len == n && e->seg_kind == sg->kind && memcmp(e->bytes, w, n) == 0) {
			if (k) { /* used last: first in its pair */
				uint16_t x = pair[1];
				pair[1] = pair[0];
				pair[0] = x;
			}
			return wc_replay(t, e, sg->start, pos);
		}
	}
	size_t first = t->n;
	an->word_misses++;
	if (word_uncached(an, t, text, sg, pos, 1) < 0)
		return -1;
	wc_store(an, h, sg->kind, w, n, t, first, sg->start);
	return 0;
}

/* A word with a '.' between two letters: a host name or file name. */
static int dotted(const char *w, size_t n)
{
	for (size_t i = 1; i + 1 < n; i++)
		if (w[i] == '.' && ((w[i - 1] | 0x20) >= 'a' && (w[i - 1] | 0x20) <= 'z') &&
		    ((w[i + 1] | 0x20) >= 'a' && (w[i + 1] | 0x20) <= 'z'))
			return 1;
	return 0;
}

/*
 * ICU keeps some addresses whole ("max@example.com"); their inner words
 * must stay findable on their own, so they follow as parts.
 */
static int inner_words(lupe_analyzer *an, lupe_tokens *t, const char *text, const lupe_seg *sg, uint32_t pos)
{
	size_t i = sg->start;
	while (i < sg->end) {
		while (i < sg->end && !((unsigned char)text[i] >= 0x80 || (text[i] >= '0' && text[i] <= '9') ||
					((text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z')))
			i++;
		size_t s = i;
		while (i < sg->end && ((unsigned char)text[i] >= 0x80 || (text[i] >= '0' && text[i] <= '9') ||
				       ((text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z')))
			i++;
		if (i == s || (s == sg->start && i == sg->end))
			continue;
		an->fold.len = 0;
		if (fold_word(an, text + s, i - s, &an->fold) < 0)
			return -1;
		if (emit(an, t, an->fold.p, an->fold.len, pos, s, i, LUPE_TOKEN_PART) < 0)
			return -1;
	}
	return 0;
}

/* Between two words of a coordination only spaces, commas and a "bzw." dot. */
static int coord_gap(const char *text, size_t from, size_t to)
{
	if (to < from || to - from > 4)
		return 0;
	for (size_t i = from; i < to; i++)
		if (!strchr(" ,.-\t\n", text[i]) || text[i] == '\0')
			return 0;
	return 1;
}

/* The conjunctions that join truncated compounds: Haus- und / oder / bzw. / sowie ... */
static int conjunction(const char *w, size_t n)
{
	static const char *const words[] = {"und", "oder", "bzw", "beziehungsweise", "sowie", "noch", "bis",
		"wie", "respektive", "resp", "als", NULL};
	for (int i = 0; words[i]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], w, n) == 0)
			return 1;
	return 0;
}

/*
 * A truncated compound ("Haus-" in "Haus- und Gartenarbeit", "Sozial-" in
 * "Wirtschafts-, Sozial- und Umweltpolitik") shares the head of the
 * compound that ends the coordination.  segs[i] is the truncated word; the
 * modifier is its folded text, or the joined form of the hyphen group it
 * ends (Social-Media- und Marketingabteilung).  Emits modifier + head as
 * an extra term at `pos`; nothing when the coordination or the head is
 * not found.  Pure: depends on the text alone, at index and query time.
 */
static int complete_truncated(lupe_analyzer *an, lupe_tokens *t, const char *text, const lupe_seg *segs,
			      size_t nseg, size_t i, size_t first, uint32_t pos)
{
	size_t j = i + 1;
	lupe_buf w = {0};
	int rc = 0;
	/* Further truncated words of the same coordination, then one conjunction. */
	while (j < nseg && segs[j].kind == LUPE_SEG_WORD && (segs[j].flags & LUPE_SEG_TRUNCATED) &&
	       coord_gap(text, segs[j - 1].end, segs[j].start) && j - i < 8)
		j++;
	if (j + 1 >= nseg || segs[j].kind != LUPE_SEG_WORD || !coord_gap(text, segs[j - 1].end, segs[j].start))
		return 0;
	if (fold_word(an, text + segs[j].start, segs[j].end - segs[j].start, &w) < 0)
		goto oom;
	int conj = conjunction(w.p, w.len);
	if (conj && w.len == 3 && memcmp(w.p, "als", 3) == 0) { /* sowohl Haus- als auch Gartenarbeit */
		w.len = 0;
		if (j + 2 >= nseg || fold_word(an, text + segs[j + 1].start, segs[j + 1].end - segs[j + 1].start, &w) < 0)
			goto out;
		conj = w.len == 4 && memcmp(w.p, "auch", 4) == 0;
		j++;
	}
	j++;
	if (!conj || j >= nseg || segs[j].kind != LUPE_SEG_WORD ||
	    (segs[j].flags & (LUPE_SEG_TRUNCATED | LUPE_SEG_HYPHEN_NEXT)) ||
	    !coord_gap(text, segs[j - 1].end, segs[j].start) || segs[j].end - segs[j].start > LUPE_WORD_MAX ||
	    memchr(text + segs[j - 1].end, ',', segs[j].start - segs[j - 1].end))
		goto out; /* "und, Gartenarbeit" is no coordination */
	/* The head of the last word, in the form the splitter wants. */
	w.len = 0;
	size_t n = lupe_de_degender(text + segs[j].start, segs[j].end - segs[j].start);
	if (fold_word(an, text + segs[j].start, n, &w) < 0)
		goto oom;
	size_t head = lupe_decomp_head(an->dc, w.p, w.len);
	if (!head)
		goto out;
	/* modifier + head, the modifier folded like any word */
	size_t hl = w.len - head;
	memmove(w.p, w.p + head, hl);
	w.len = hl;
	for (size_t k = first; k <= i; k++)
		if (fold_word(an, text + segs[k].start, segs[k].end - segs[k].start, &w) < 0)
			goto oom;
	if (w.len - hl > LUPE_WORD_MAX || lupe_buf_reserve(&w, hl) < 0)
		goto out;
	/* Rotate: head first -> modifier first. */
	memcpy(w.p + w.len, w.p, hl);
	memmove(w.p, w.p + hl, w.len);
	if (emit(an, t, w.p, w.len, pos, segs[first].start, segs[i].end, LUPE_TOKEN_JOINED) < 0)
		goto oom;
	t->v[t->n - 1].flags |= LUPE_TOKEN_COMPLETED;
	goto out;
oom:
	rc = -1;
out:
	lupe_buf_free(&w);
	return rc;
}

/* A URL or e-mail address segment: one token, folded, not stemmed. */
static int address(lupe_analyzer *an, lupe_tokens *t, const char *text, const lupe_seg *sg, uint32_t pos)
{
	an->fold.len = 0;
	if (fold_word(an, text + sg->start, sg->end - sg->start, &an->fold) < 0)
		return -1;
	lupe_itok k = {0};
	int64_t off = arena_put(t, an->fold.p, an->fold.len, &k.form_len);
	if (off < 0)
		return -1;
	k.form_off = k.term_off = (uint32_t)off;
	k.term_len = k.form_len;
	k.position = pos;
	k.start = sg->start;
	k.end = sg->end;
	k.kind = sg->kind == LUPE_SEG_URL ? LUPE_TOKEN_URL : LUPE_TOKEN_EMAIL;
	return push_tok(t, k);
}

int64_t lupe_analyze_words(lupe_analyzer *an, lupe_tokens *t, const char *text, size_t len, uint32_t first_pos)
{
	const lupe_seg *segs;
	size_t nseg;
	uint32_t pos = first_pos;

	if (lupe_tokenize(an->tz, text, len, &segs, &nseg) < 0)
		return -1;
	t->pub_n = 0;
	for (size_t i = 0; i < nseg; i++) {
		const lupe_seg *sg = &segs[i];
		/* An address shares its position with the words that follow it, as in lupe_analyze_into(). */
		if (sg->kind == LUPE_SEG_URL || sg->kind == LUPE_SEG_EMAIL) {
			if (address(an, t, text, sg, pos) < 0)
				return -1;
			continue;
		}
		if (word_uncached(an, t, text, sg, pos++, 0) < 0)
			return -1;
	}
	return pos;
}

int64_t lupe_analyze_into(lupe_analyzer *an, lupe_tokens *t, const char *text, size_t len,
			  uint32_t first_pos)
{
	const lupe_seg *segs;
	size_t nseg;
	uint32_t pos = first_pos;

	if (lupe_tokenize(an->tz, text, len, &segs, &nseg) < 0)
		return -1;
	t->pub_n = 0;
	size_t group_start = 0;    /* first segment of the current hyphen group */
	uint32_t group_pos = 0;
	int in_group = 0;
	for (size_t i = 0; i < nseg; i++) {
		const lupe_seg *sg = &segs[i];
		if (sg->kind == LUPE_SEG_URL || sg->kind == LUPE_SEG_EMAIL) {
			if (address(an, t, text, sg, pos) < 0)
				return -1;
			continue;
		}
		if (!in_group && (sg->flags & LUPE_SEG_HYPHEN_NEXT)) {
			in_group = 1;
			group_start = i;
			group_pos = pos;
		}
		if (word(an, t, text, sg, pos) < 0)
			return -1;
		if (an->dc && sg->kind == LUPE_SEG_WORD && (sg->flags & LUPE_SEG_TRUNCATED) &&
		    complete_truncated(an, t, text, segs, nseg, i, in_group ? group_start : i,
				       in_group ? group_pos : pos) < 0)
			return -1;
		/* Addresses and dotted names ICU keeps whole (blog.socialcast.com):
		 * their inner words are findable too. */
		if (((i > 0 && (segs[i - 1].kind == LUPE_SEG_URL || segs[i - 1].kind == LUPE_SEG_EMAIL) &&
		      segs[i - 1].start == sg->start && segs[i - 1].end <= sg->end) ||
		     (sg->kind == LUPE_SEG_WORD && dotted(text + sg->start, sg->end - sg->start))) &&
		    inner_words(an, t, text, sg, pos) < 0)
			return -1;
		pos++;
		if (in_group && !(sg->flags & LUPE_SEG_HYPHEN_NEXT)) {
			/* End of a hyphen group: add the joined form of all its words. */
			an->join.len = 0;
			for (size_t j = group_start; j <= i; j++) {
				if (segs[j].kind == LUPE_SEG_URL || segs[j].kind == LUPE_SEG_EMAIL)
					continue;
				size_t wl = segs[j].end - segs[j].start;
				if (wl > LUPE_WORD_MAX)
					wl = lupe_utf8_floor(text + segs[j].start, LUPE_WORD_MAX);
				/* each word as its own token reads it: Schüler:innen-Vertretung as schülervertretung */
				if (segs[j].kind == LUPE_SEG_WORD)
					wl = lupe_de_degender(text + segs[j].start, wl);
				if (fold_word(an, text + segs[j].start, wl, &an->join) < 0)
					return -1;
				if (an->join.len > LUPE_WORD_MAX)
					break;
			}
			if (emit(an, t, an->join.p, an->join.len, group_pos, segs[group_start].start, sg->end,
				 LUPE_TOKEN_JOINED) < 0)
				return -1;
			in_group = 0;
		}
	}
	return pos;
}

void lupe_tokens_reset(lupe_tokens *t)
{
	t->n = 0;
	t->arena.len = 0;
	t->pub_n = 0;
}

void lupe_tokens_release(lupe_tokens *t)
{
	free(t->v);
	free(t->pub);
	lupe_buf_free(&t->arena);
	memset(t, 0, sizeof *t);
}

LUPE_EXPORT int lupe_analyze(lupe_analyzer *an, lupe_tokens **out, const char *text, size_t len)
{
	if (!out)
		return LUPE_EINVAL;
	*out = NULL;
	if (!an || (!text && len))
		return LUPE_EINVAL;
	lupe_tokens *t = calloc(1, sizeof *t);
	if (!t)
		return LUPE_ENOMEM;
	if (lupe_analyze_into(an, t, text ? text : "", len, 0) < 0) {
		lupe_tokens_release(t);
		free(t);
		return LUPE_ENOMEM;
	}
	if (t->n) {
		t->pub = calloc(t->n, sizeof *t->pub);
		if (!t->pub) {
			lupe_tokens_release(t);
			free(t);
			return LUPE_ENOMEM;
		}
		for (size_t i = 0; i < t->n; i++) {
			const lupe_itok *k = &t->v[i];
			t->pub[i] = (lupe_token){lupe_itok_term(t, k), k->term_len, lupe_itok_form(t, k), k->form_len,
						 k->position, k->start, k->end, k->kind, k->flags};
		}
	}
	t->pub_n = t->n;
	*out = t;
	return LUPE_OK;
}

LUPE_EXPORT size_t lupe_tokens_count(const lupe_tokens *t)
{
	return t ? t->pub_n : 0;
}

LUPE_EXPORT const lupe_token *lupe_tokens_get(const lupe_tokens *t, size_t i)
{
	return (t && i < t->pub_n) ? &t->pub[i] : NULL;
}

LUPE_EXPORT void lupe_tokens_free(lupe_tokens *t)
{
	if (!t)
		return;
	lupe_tokens_release(t);
	free(t);
}
