#include <stdlib.h>
#include <string.h>

#include "index/posmap.h"
#include "index/schema.h"
#include "search/snippet.h"
#include "search/zones.h"
#include "util/utf8.h"

#define ZPOS_MAX 4096    /* positions of a hit looked at, at most (past them, the first terms' only) */
#define ZONES_MAX 8      /* zones analysed, at most */
#define ZONE_BYTES 8192  /* and their bytes, at most (beyond the first span's) */
#define ZFORMS_MAX 32    /* query words as written looked for, at most */
#define ZONE_LOOK 256    /* best spans looked at (their blocks for the written word, their zones) */
#define ZONE_PAD 16      /* words around a span that its zone holds too */
/*
 * Bytes a zone reaches past its words on either side: a truncation
 * hyphen's coordination (snippet.c, COORD_REACH) and a hyphen group that
 * starts in the block before stay whole.
 */
#define ZONE_MARGIN 256
/*
 * Bytes before the first stretch's end within which a query word's own
 * term counts as late (lupe_zones_word_late): the next stretch starts up
 * to 64 bytes before it, at a word's start.
 */
#define LATE_MARGIN 256

/* Evidence of a position by the kind of its term, as snippet.c weighs matches (EV_*). */
#define ZW_WORD 12     /* another form of the word's stem, */
#define ZW_WRITTEN 5   /* or, where the block holds a query word as written, the word itself (16 + 1) */
#define ZW_INSIDE 8    /* the word as a part of a compound (snippet.c, EV_INSIDE) */
#define ZW_TYPO 4
#define ZW_PART 2

typedef struct {
	uint32_t w;      /* body word */
	uint16_t group;  /* lupe_qterm_info.group */
	uint8_t weight;  /* ZW_* */
} zpos;

typedef struct {
	uint32_t i, j;   /* positions [i, j] */
	int32_t score;
	uint16_t words;  /* distinct words among them */
	uint8_t word;    /* some is a query word's own term */
} zspan;

struct lupe_zones {
	lupe_buf val;
	lupe_posmap map;
	const lupe_qterms *qt;
	size_t stretch;  /* the end of the first stretch: positions past it are not wanted */
	zpos pos[ZPOS_MAX];
	size_t npos;
	zspan span[ZPOS_MAX];
	lupe_span zone[ZONES_MAX];
	uint8_t written[LUPE_POSMAP_MAX]; /* per block: 0 not looked at, 1 no query word as written, 2 one */
	const char *form[ZFORMS_MAX];     /* the query's words as written (qt->forms), the first ZFORMS_MAX */
	size_t flen[ZFORMS_MAX], nforms;
	int word_late;   /* a query word's own term near the stretch's end or past it, or not known */
	int word_unknown; /* a query word's own term past the map, or positions not all read */
	uint8_t word_block[LUPE_POSMAP_MAX / 8]; /* bit b: block b holds a query word's own term */
	const char *term[LUPE_QTERMS_MAX];
	size_t len[LUPE_QTERMS_MAX];
};

void lupe_zones_free(lupe_zones *z)
{
	if (!z)
		return;
	lupe_buf_free(&z->val);
	free(z);
}

static int on_pos(void *ctx, size_t k, uint32_t p)
{
	lupe_zones *z = ctx;
	if (p < z->map.base)
		return 0; /* a title word */
	uint32_t w = p - z->map.base;
	size_t b = w / LUPE_POSMAP_STEP;
	const lupe_qterm_info *qi = z->qt->n_groups ? &z->qt->info[k] : NULL;
	int kind = qi ? qi->kind : LUPE_QT_WORD;
	if (z->npos == ZPOS_MAX) {
		z->word_late = z->word_unknown = 1; /* the rest is not looked at: not known */
		return 1;
	}
	if (kind == LUPE_QT_WORD) {
		if (b < z->map.n)
			z->word_block[b / 8] |= (uint8_t)(1u << (b % 8));
		else
			z->word_unknown = 1;
	}
	if (b >= z->map.n || z->map.off[b] >= z->stretch) {
		/* Past the stretch (positions ascend): only a word's own term is followed on, for its blocks. */
		z->word_late |= kind == LUPE_QT_WORD;
		return kind != LUPE_QT_WORD || b >= z->map.n;
	}
	/* The word's block ends near the stretch's end, or the map does: the next stretch may hold it. */
	if (kind == LUPE_QT_WORD && (b + 1 >= z->map.n || z->map.off[b + 1] + LATE_MARGIN > z->stretch))
		z->word_late = 1;
	z->pos[z->npos++] = (zpos){w, qi ? qi->group : (uint16_t)k,
				   (uint8_t)(kind == LUPE_QT_TYPO ? ZW_TYPO : kind == LUPE_QT_PART ? ZW_PART : ZW_WORD)};
	return 0;
}

static int cmp_pos(const void *a, const void *b)
{
	const zpos *x = a, *y = b;
	return x->w < y->w ? -1 : x->w > y->w;
}

/* Best first: the most evidence, then the most positions, then the earliest. */
static int cmp_span(const void *a, const void *b)
{
	const zspan *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->words != y->words)
		return x->words > y->words ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int space_at(const char *t, size_t i)
{
	return lupe_ascii_space((unsigned char)t[i]);
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Bytes of words: letters, digits, and every byte of a character past ASCII. */
static const uint8_t word_tab[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
	['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	[0x80 ... 0xFF] = 1,
};

static int word_byte(unsigned char c)
{
	return word_tab[c];
}

/*
 * Whether block b of the body holds one of the query's words as written
 * (forms, lower case; an ASCII letter matches in either case) as a word of
 * its own.  A hint for ranking spans: Xapian's positions are of stems, and
 * the snippet weighs the written word above other forms of its stem.
 * memchr finds the candidates: a few passes over a block cost less than
 * one byte by byte.
 */
static int block_written(lupe_zones *z, const char *text, size_t b)
{
	if (z->written[b])
		return z->written[b] == 2;
	/* (A map may reach past the stretch, into the tail the text here does not hold.) */
	size_t a = z->map.off[b];
	size_t e = b + 1 < z->map.n && z->map.off[b + 1] < z->stretch ? z->map.off[b + 1] : z->stretch;
	const unsigned char *t = (const unsigned char *)text;
	int found = 0;
	for (size_t k = 0; k < z->nforms && !found; k++) {
		const unsigned char *f = (const unsigned char *)z->form[k];
		size_t fl = z->flen[k];
		unsigned char c0 = f[0], c1 = c0 >= 'a' && c0 <= 'z' ? (unsigned char)(c0 - 32) : c0;
		for (int pass = 0; pass < (c1 != c0 ? 2 : 1) && !found; pass++) {
			const unsigned char *p = t + a, *end = t + e;
			while (!found && p < end && (p = memchr(p, pass ? c1 : c0, (size_t)(end - p)))) {
				size_t at = (size_t)(p - t), j = 1;
				p++;
				if (at && word_byte(t[at - 1]))
					continue;
				while (j < fl && at + j < z->stretch && lower(t[at + j]) == f[j])
					j++;
				found = j == fl && (at + fl >= z->stretch || !word_byte(t[at + fl]));
			}
		}
	}
	z->written[b] = found ? 2 : 1;
	return found;
}

/* The bytes of words [w0, w1] of the body, widened by the margin to whitespace, within [0, end). */
static lupe_span zone_of(const lupe_zones *z, const char *text, uint32_t w0, uint32_t w1)
{
	size_t b0 = w0 / LUPE_POSMAP_STEP, b1 = w1 / LUPE_POSMAP_STEP + 1, end = z->stretch;
	size_t a = z->map.off[b0 < z->map.n ? b0 : z->map.n - 1];
	size_t b = b1 < z->map.n ? z->map.off[b1] : end;
	a = a > ZONE_MARGIN ? a - ZONE_MARGIN : 0;
	b = b + ZONE_MARGIN < end ? b + ZONE_MARGIN : end;
	if (a > b)
		a = b;
	while (a > 0 && !space_at(text, a - 1))
		a--;
	while (b < end && !space_at(text, b))
		b++;
	return (lupe_span){a, b};
}

int lupe_zones_find(lupe_zones **zs, lx_db *x, const lx_mset *ms, size_t i, const lupe_qterms *qt,
		    const char *text, size_t len, size_t target, const lupe_span **zones, size_t *nz)
{
	*zones = NULL;
	*nz = 0;
	if (len < LUPE_POSMAP_MIN || !qt->n_terms || qt->n_prefixes || qt->n_terms > LUPE_QTERMS_MAX)
		return 0;
	/* Not calloc: of its 100 KB only the value's buffer needs zeros. */
	if (!*zs) {
		if (!(*zs = malloc(sizeof **zs)))
			return -1;
		(*zs)->val = (lupe_buf){0};
	}
	lupe_zones *z = *zs;
	if (lx_mset_value(x, ms, i, LUPE_SLOT_POSMAP, &z->val) <= 0 ||
	    lupe_posmap_decode(z->val.p, z->val.len, &z->map) < 0)
		return 0; /* an old index, a short body, another backend: the old way */
	z->qt = qt;
	z->stretch = lupe_snippet_stretch(text, len);
	memset(z->written, 0, z->map.n);
	z->nforms = 0;
	const char *f = qt->forms.p;
	for (size_t k = 0; k < qt->n_forms && z->nforms < ZFORMS_MAX; k++, f += strlen(f) + 1)
		if (*f) {
			z->form[z->nforms] = f;
			z->flen[z->nforms++] = strlen(f);
		}
	z->npos = 0;
	const char *p = qt->terms.p;
	for (size_t k = 0; k < qt->n_terms; k++, p += strlen(p) + 1) {
		z->term[k] = p;
		z->len[k] = strlen(p);
	}
	z->word_late = z->word_unknown = 0;
	memset(z->word_block, 0, (z->map.n + 7) / 8);
	if (lx_mset_positions(x, ms, i, z->term, z->len, qt->n_terms, on_pos, z) <= 0)
		return 0;
	if (!z->npos)
		return 1; /* none in the stretch: the passage is its start, as the scan finds */
	qsort(z->pos, z->npos, sizeof z->pos[0], cmp_pos);
	/*
	 * Two query words' own terms at one word: a compound that holds both
	 * ("Währungscodes" for "Währung Code"), where the snippet sees each
	 * word inside a longer one, not as written.
	 */
	for (size_t a = 0, e; a < z->npos; a = e) {
		uint64_t groups = 0;
		for (e = a; e < z->npos && z->pos[e].w == z->pos[a].w; e++)
			if (z->pos[e].weight == ZW_WORD)
				groups |= (uint64_t)1 << (z->pos[e].group < 63 ? z->pos[e].group : 63);
		for (size_t k = a; (groups & (groups - 1)) && k < e; k++)
			if (z->pos[k].weight == ZW_WORD)
				z->pos[k].weight = ZW_INSIDE;
	}

	/* Spans of about a snippet's words from each position on, scored. */
	uint32_t reach = (uint32_t)(target < 40 ? 40 : target > LUPE_SNIPPET_BYTES_MAX ? LUPE_SNIPPET_BYTES_MAX : target) / 6;
	size_t ns = 0;
	for (size_t a = 0, e = 0; a < z->npos; a++) {
		if (e < a)
			e = a;
		while (e + 1 < z->npos && z->pos[e + 1].w - z->pos[a].w <= reach)
			e++;
		int top[64] = {0};
		uint64_t seen = 0;
		size_t words = 0;
		int word = 0;
		for (size_t k = a; k <= e; k++) {
			int g = z->pos[k].group < 63 ? z->pos[k].group : 63;
			seen |= (uint64_t)1 << g;
			if (z->pos[k].weight > top[g])
				top[g] = z->pos[k].weight;
			words += k == a || z->pos[k].w != z->pos[k - 1].w;
			word |= z->pos[k].weight == ZW_WORD;
		}
		long score = 0;
		for (uint64_t g = seen; g; g &= g - 1)
			score += top[__builtin_ctzll(g)];
		z->span[ns++] = (zspan){(uint32_t)a, (uint32_t)e, (int32_t)score, (uint16_t)words, (uint8_t)word};
	}
	/*
	 * The best spans that hold a query word's own term gain where their
	 * blocks show a query word as written; looked for in the best
	 * ZONE_LOOK only (each block once), which the zones are taken from.
	 */
	qsort(z->span, ns, sizeof z->span[0], cmp_span);
	int gained = 0;
	for (size_t k = 0; k < ns && k < ZONE_LOOK; k++) {
		if (!z->span[k].word)
			continue;
		size_t b0 = z->pos[z->span[k].i].w / LUPE_POSMAP_STEP, b1 = z->pos[z->span[k].j].w / LUPE_POSMAP_STEP;
		int w = 0;
		for (size_t b = b0; b <= b1 && !w; b++)
			w = block_written(z, text, b);
		if (w) {
			z->span[k].score += ZW_WRITTEN;
			gained = 1;
		}
	}
	if (gained)
		qsort(z->span, ns < ZONE_LOOK ? ns : ZONE_LOOK, sizeof z->span[0], cmp_span);

	/*
	 * The best spans' zones, as many as the budget holds.  Spans of one
	 * cluster of positions overlap: a zone that meets another is merged
	 * into it and costs only the bytes it adds.
	 */
	size_t n = 0, bytes = 0;
	for (size_t s = 0; s < ns && s < ZONE_LOOK; s++) {
		uint32_t w0 = z->pos[z->span[s].i].w, w1 = z->pos[z->span[s].j].w;
		lupe_span zn = zone_of(z, text, w0 > ZONE_PAD ? w0 - ZONE_PAD : 0, w1 + ZONE_PAD);
		/* Merged with every zone it meets (the zones stay apart from each other). */
		lupe_span big = zn;
		size_t had = 0, met = 0;
		for (size_t k = 0; k < n; k++)
			if (z->zone[k].start <= zn.end && zn.start <= z->zone[k].end) {
				had += z->zone[k].end - z->zone[k].start;
				met++;
				if (z->zone[k].start < big.start)
					big.start = z->zone[k].start;
				if (z->zone[k].end > big.end)
					big.end = z->zone[k].end;
			}
		size_t add = big.end - big.start - had;
		if ((n && bytes + add > ZONE_BYTES) || (!met && n == ZONES_MAX))
			break;
		bytes += add;
		/* In the place of the best zone it meets (the zones stay in the order of their spans). */
		size_t kept = 0, at = n;
		for (size_t k = 0; k < n; k++) {
			if (z->zone[k].start <= zn.end && zn.start <= z->zone[k].end) {
				if (at < n)
					continue;
				at = kept;
			}
			z->zone[kept++] = z->zone[k];
		}
		if (at == n)
			at = kept++;
		z->zone[at] = big;
		n = kept;
	}
	*zones = z->zone;
	*nz = n;
	return 1;
}

int lupe_zones_word_late(const lupe_zones *z)
{
	return z->word_late;
}

int lupe_zones_quiet(const lupe_zones *z, size_t from, size_t to)
{
	if (z->word_unknown)
		return 0;
	/* The blocks whose bytes meet [from, to), a margin wider (a token of a block starts within it). */
	size_t a = from > LATE_MARGIN ? from - LATE_MARGIN : 0, e = to + LATE_MARGIN;
	for (size_t b = 0; b < z->map.n && z->map.off[b] < e; b++)
		if ((b + 1 == z->map.n || z->map.off[b + 1] > a) && (z->word_block[b / 8] >> (b % 8) & 1))
			return 0;
	return 1;
}
