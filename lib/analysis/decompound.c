/*
 * German compound splitting after Koehn & Knight (2003): every way to cover
 * the word with dictionary words and linking elements is a candidate, and
 * the candidate whose parts are most frequent (geometric mean) wins, the
 * unsplit word being a candidate too.  The dictionary is Debian's wngerman
 * list, compiled into the library as a hash table by
 * tools/gen_decomp_dict.py; see README-decompound.md for the rules and the
 * reasons behind them.
 *
 * Nothing here allocates or writes shared memory after lupe_decomp_new():
 * a split works on the caller's stack only.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/decompound.h"

/* The generated table (decompound_dict.c); flags as in the generator. */
extern const uint32_t lupe_decomp_dict_nwords;
extern const uint32_t lupe_decomp_dict_mask;
extern const uint32_t lupe_decomp_dict_slots[];
extern const uint8_t lupe_decomp_dict_fp[];
extern const char lupe_decomp_dict_blob[];

enum {
	F_NOUN = 1,    /* capitalised in the list: a noun */
	F_LOWER = 2,   /* lower case in the list: verb, adjective, ... or a noun
			  (wngerman keeps only "bahn" for Bahn/bahn) */
	F_ENGLISH = 4, /* an English word as well */
	F_FUNC = 8     /* function word or particle: never a part */
};

/* Entries only the English list has are there to be recognised, not used. */
static int usable(const uint8_t *e)
{
	return e && (e[1] & (F_NOUN | F_LOWER)) && !(e[1] & F_FUNC);
}

/*
 * Precision limits.  A part has at least MIN_PART characters; only the last
 * part (the head) may have MIN_HEAD, because three-letter heads (typ, amt,
 * tag, weg) are common and a modifier of four letters before them already
 * has to be a dictionary word.  Longer words than MAX_WORD bytes are left
 * alone, and a word never splits into more than MAX_PARTS parts.
 */
#define MIN_PART 4
#define MIN_HEAD 3
#define MAX_WORD 96
#define MAX_LOOKUP 63
#define MAX_PARTS 4
#define MAX_CANDS 16
#define MAX_PROBES 1500 /* dictionary look-ups per word, a bound for odd input */

/* Score penalties, in the 1/64-bit units of log2 used for priors. */
#define PEN_DROPPED_E 8   /* schul|buch from schule */
#define PEN_RARE_LINK 128 /* -e-, -er-, -ens-: dienst|erstellung, not dienst|er|stellung */
#define PEN_INFL_MOD 8     /* modifier without link ending in -s/-n: unternehmens|... */
#define PEN_SHORT_HEAD 16 /* three-letter head */
#define PEN_LOWER_HEAD 32 /* head only in lower case (ätze, a verb form): daten|sätze */
#define PEN_GENITIVE 96   /* head seen only with an added -s: namens, typs */

struct lupe_decompounder {
	lupe_freq_fn fn;
	void *ctx;
};

typedef struct {
	const uint8_t *e; /* dictionary entry: len, flags, prior, bytes */
} entry_ref;

static uint32_t fnv_step(uint32_t h, uint8_t b)
{
	return (h ^ b) * 0x01000193u;
}

#define FNV_INIT 0x811C9DC5u

/*
 * Find the word s[0..n) followed by the `extra` bytes (0 to 2 of them) whose
 * hash `h` the caller computed incrementally.  Returns the entry or NULL.
 */
static const uint8_t *dict_get(const char *s, size_t n, const char *extra, size_t nx, uint32_t h)
{
	uint32_t i = h & lupe_decomp_dict_mask;
	uint8_t fp = (uint8_t)(h >> 24);
	if (!fp)
		fp = 1;
	for (;;) {
		uint8_t f = lupe_decomp_dict_fp[i];
		if (!f)
			return NULL;
		if (f == fp) {
			const uint8_t *e = (const uint8_t *)lupe_decomp_dict_blob + lupe_decomp_dict_slots[i];
			if (e[0] == n + nx && !memcmp(e + 3, s, n) && !memcmp(e + 3 + n, extra, nx))
				return e;
		}
		i = (i + 1) & lupe_decomp_dict_mask;
	}
}

/*
 * log2(p + 1) * 64 for a prior p, linear between powers of two: integer
 * scores keep the result the same on every machine.
 */
static int64_t log_count(uint64_t f);

static int log_prior(unsigned p)
{
	return (int)log_count(p);
}

static int ends_with(const uint8_t *e, const char *suf)
{
	size_t n = e[0], k = strlen(suf);
	return n >= k && !memcmp(e + 3 + n - k, suf, k);
}

static int is_vowel_end(const uint8_t *e)
{
	char c = (char)e[3 + e[0] - 1];
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' ||
	       (e[0] >= 2 && (uint8_t)e[3 + e[0] - 2] == 0xC3); /* ä ö ü as last letter */
}

/*
 * Whether a lower-case head makes an adjective we split even when the whole
 * word is a lower-case dictionary word (benutzer|freundlich); other
 * lower-case dictionary words (verbs: be|inhalten) stay whole.
 */
static int lower_head_ok(const uint8_t *e)
{
	static const char *const suffixes[] = {"lich", "liche", "lichen", "licher", "liches", "lichem",
		"ig", "ige", "igen", "iger", "iges", "igem", "isch", "ische", "ischen", "ischer",
		"isches", "ischem", "bar", "bare", "baren", "barer", "bares", "barem", "los", "lose",
		"losen", "loser", "loses", "losem", "weise", NULL};
	for (int i = 0; suffixes[i]; i++)
		if (e[0] >= strlen(suffixes[i]) + 3 && ends_with(e, suffixes[i]))
			return 1; /* a word with the suffix, not the suffix alone (bar, los) */
	return 0;
}

/* Linking elements a modifier may take, each with the condition it needs. */
enum { L_NONE, L_S, L_ES, L_N, L_EN, L_NS, L_ENS, L_ER, L_E, L_COUNT };
static const char *const link_text[L_COUNT] = {"", "s", "es", "n", "en", "ns", "ens", "er", "e"};

static int link_ok(int link, const uint8_t *e, int dropped_e)
{
	size_t n = e[0];
	char last = (char)e[3 + n - 1];
	if (link == L_NONE)
		return 1;
	if (dropped_e) /* hilf|s|mittel, geschicht|s|buch */
		return link == L_S;
	switch (link) {
	case L_S:
		return !is_vowel_end(e) && last != 's' && last != 'x' && last != 'z';
	case L_ES:
		return n <= 6 && !is_vowel_end(e) && last != 'e';
	case L_N:
		return last == 'e' || ends_with(e, "el") || ends_with(e, "er");
	case L_EN:
		return !is_vowel_end(e) || last == 'u';
	case L_NS:
		return last == 'e';
	case L_ENS:
	case L_ER:
	case L_E:
		return !is_vowel_end(e) && n <= 6;
	}
	return 0;
}

typedef struct {
	uint32_t start, end;  /* bytes of the part in the word */
	const uint8_t *entry; /* its dictionary entry (dropped -e: the full word) */
	uint8_t ext;          /* bytes the entry has beyond the part: 'e' (schul), 0 */
} part_t;

typedef struct {
	part_t parts[MAX_PARTS];
	int n;
	int score;       /* dictionary score, higher is better */
	int adj_head;    /* the head is a lower-case adjective (...lich, ...bar) */
} cand_t;

typedef struct {
	const char *w;
	size_t n;
	uint8_t chars[MAX_WORD + 1]; /* characters before each byte offset */
	int maxparts;
	int probes;
	part_t stack[MAX_PARTS];
	int penalty[MAX_PARTS + 1];
	cand_t cands[MAX_CANDS];
	int ncands;
} search_t;

static int boundary(const search_t *S, size_t i)
{
	return i == S->n || ((uint8_t)S->w[i] & 0xC0) != 0x80;
}

/*
 * The dictionary's order of candidates: fewest parts first (a compound part
 * that is a word of its own, "datenbank|schnittstelle", stays whole), then
 * the higher score.
 */
static int better(const cand_t *a, const cand_t *b)
{
	return a->n != b->n ? a->n < b->n : a->score > b->score;
}

static void add_candidate(search_t *S, int depth)
{
	cand_t c;
	int sum = 0, pen = 0;
	for (int i = 0; i < depth; i++) {
		c.parts[i] = S->stack[i];
		sum += log_prior(S->stack[i].entry[2]);
		pen += S->penalty[i];
	}
	const uint8_t *head = S->stack[depth - 1].entry;
	c.adj_head = !(head[1] & F_NOUN) && lower_head_ok(head);
	c.n = depth;
	c.score = sum / depth - pen;
	if (S->ncands < MAX_CANDS) {
		S->cands[S->ncands++] = c;
		return;
	}
	/* Full: replace the worst, keeping the earliest found on ties. */
	int worst = 0;
	for (int i = 1; i < MAX_CANDS; i++)
		if (better(&S->cands[worst], &S->cands[i]))
			worst = i;
	if (better(&c, &S->cands[worst]))
		S->cands[worst] = c;
}

static void search(search_t *S, size_t s, int depth);

static const uint8_t *get_with(const search_t *S, size_t s, size_t e, const char *link, size_t ll)
{
	uint32_t h = FNV_INIT;
	for (size_t i = s; i < e; i++)
		h = fnv_step(h, (uint8_t)S->w[i]);
	for (size_t i = 0; i < ll; i++)
		h = fnv_step(h, (uint8_t)link[i]);
	return dict_get(S->w + s, e - s, link, ll, h);
}

/* The plural links -er- and -e- need the plural: kinder, hunde. */
static int with_link_is_word(const search_t *S, size_t s, size_t e, const char *link, size_t ll)
{
	return usable(get_with(S, s, e, link, ll));
}

/* Whether w[s..e) followed by `link` is a function word (weit + er). */
static int is_func_with(const search_t *S, size_t s, size_t e, const char *link, size_t ll)
{
	const uint8_t *f = get_with(S, s, e, link, ll);
	return f && (f[1] & F_FUNC);
}

/* The part [s, e) is a modifier (through entry `ent`): try the links after it. */
static void after_modifier(search_t *S, size_t s, size_t e, int depth, const uint8_t *ent, int dropped_e,
			   int pen)
{
	if (!usable(ent) || depth + 1 >= S->maxparts)
		return;
	for (int l = 0; l < L_COUNT; l++) {
		size_t ll = strlen(link_text[l]);
		size_t next = e + ll;
		if (next >= S->n || memcmp(S->w + e, link_text[l], ll) || !link_ok(l, ent, dropped_e))
			continue;
		if (S->chars[S->n] - S->chars[next] < MIN_HEAD)
			continue;
		if (ll && !dropped_e && is_func_with(S, s, e, link_text[l], ll))
			continue; /* inne|n|..., weit|er|...: the particle innen, weiter */
		if ((l == L_ER || l == L_E) && !with_link_is_word(S, s, e, link_text[l], ll))
			continue; /* kind|er|garten (kinder), not mast|er|folie (master is English) */
		S->stack[depth] = (part_t){(uint32_t)s, (uint32_t)e, ent, (uint8_t)(dropped_e ? 'e' : 0)};
		S->penalty[depth] = pen + (l >= L_ENS ? PEN_RARE_LINK : 0) +
				    (l == L_NONE && !dropped_e && (S->w[e - 1] == 's' || S->w[e - 1] == 'n')
					     ? PEN_INFL_MOD
					     : 0);
		search(S, next, depth + 1);
	}
}

static void search(search_t *S, size_t s, int depth)
{
	uint32_t h = FNV_INIT;
	size_t lim = S->n - s < MAX_LOOKUP ? S->n : s + MAX_LOOKUP;
	for (size_t e = s + 1; e <= lim; e++) {
		h = fnv_step(h, (uint8_t)S->w[e - 1]);
		if (!boundary(S, e))
			continue;
		int chars = S->chars[e] - S->chars[s];
		if (S->probes++ > MAX_PROBES)
			return;
		if (e == S->n) {
			if (depth == 0 || chars < MIN_HEAD)
				return;
			int pen = chars < MIN_PART ? PEN_SHORT_HEAD : 0;
			const uint8_t *ent = dict_get(S->w + s, e - s, "", 0, h);
			part_t p = {(uint32_t)s, (uint32_t)e, ent, 0};
			if (!ent && chars > MIN_PART && S->w[e - 1] == 's') {
				/* A genitive head the list lacks: kapitel|namens from "namen". */
				uint32_t h2 = FNV_INIT;
				for (size_t i = s; i < e - 1; i++)
					h2 = fnv_step(h2, (uint8_t)S->w[i]);
				ent = dict_get(S->w + s, e - 1 - s, "", 0, h2);
				if (ent && ent[3 + ent[0] - 1] == 's')
					ent = NULL;
				p.entry = ent;
				pen += PEN_GENITIVE;
			}
			if (!usable(ent))
				return;
			if (chars < MIN_PART && !(ent[1] & F_NOUN))
				return;
			if (!(ent[1] & F_NOUN))
				pen += PEN_LOWER_HEAD;
			S->stack[depth] = p;
			S->penalty[depth] = pen;
			add_candidate(S, depth + 1);
			return;
		}
		if (chars < MIN_PART || S->chars[S->n] - S->chars[e] < MIN_HEAD)
			continue;
		const uint8_t *plain = dict_get(S->w + s, e - s, "", 0, h);
		after_modifier(S, s, e, depth, plain, 0, 0);
		if (plain && !usable(plain))
			continue; /* unter, zwischen: no untere, zwische */
		/*
		 * schul|buch, farb|konstanten: the modifier's final -e is dropped.
		 * Not when the shorter form is a word itself (unter, not untere).
		 */
		if (!plain && S->w[e - 1] != 'e') {
			const uint8_t *ent = dict_get(S->w + s, e - s, "e", 1, fnv_step(h, 'e'));
			if (ent)
				after_modifier(S, s, e, depth, ent, 1, PEN_DROPPED_E);
		}
	}
}

int lupe_decomp_new(lupe_decompounder **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : -1;
}

void lupe_decomp_free(lupe_decompounder *d)
{
	free(d);
}

void lupe_decomp_set_freq(lupe_decompounder *d, lupe_freq_fn fn, void *ctx)
{
	d->fn = fn;
	d->ctx = ctx;
}

/* The frequency of a part in its dictionary form (farbe for farb|...). */
static uint64_t part_freq(const lupe_decompounder *d, const part_t *p)
{
	return d->fn(d->ctx, (const char *)p->entry + 3, p->entry[0]);
}

/* log2(f + 1) * 64 in integers, like log_prior, for collection counts. */
static int64_t log_count(uint64_t f)
{
	uint64_t v = f + 1;
	int r = 0;
	while (v >> (r + 1))
		r++;
	uint64_t lo = (uint64_t)1 << r;
	return (int64_t)r * 64 + (int64_t)(((v - lo) * 64) / lo);
}

/*
 * log2 of the geometric mean of the part frequencies (add-one smoothed),
 * times 64; *any is set when some part has a non-zero frequency.
 */
static int64_t log_geomean(const lupe_decompounder *d, const cand_t *c, int *any)
{
	int64_t sum = 0;
	for (int i = 0; i < c->n; i++) {
		uint64_t f = part_freq(d, &c->parts[i]);
		if (f)
			*any = 1;
		sum += log_count(f);
	}
	return sum / c->n;
}

int lupe_decomp_split(const lupe_decompounder *d, const char *word, size_t len, lupe_part *parts, int max)
{
	if (!d || !word || !parts || max < 2 || len > MAX_WORD || len < 2 * MIN_PART)
		return 0;
	search_t S;
	S.w = word;
	S.n = len;
	S.maxparts = max < MAX_PARTS ? max : MAX_PARTS;
	S.probes = 0;
	S.ncands = 0;
	uint32_t h = FNV_INIT;
	uint8_t c = 0;
	for (size_t i = 0; i < len; i++) {
		S.chars[i] = c;
		uint8_t b = (uint8_t)word[i];
		if (b < 'a' && b < 0x80)
			return 0; /* digits, hyphens, upper case: not a word we split */
		if ((b & 0xC0) != 0x80)
			c++;
		h = fnv_step(h, b);
	}
	S.chars[len] = c;
	if (c < 2 * MIN_PART - 1)
		return 0;
	search(&S, 0, 0);
	if (!S.ncands)
		return 0;

	/* Best dictionary candidate first; ties keep the order found (stable). */
	int best = 0;
	for (int i = 1; i < S.ncands; i++)
		if (better(&S.cands[i], &S.cands[best]))
			best = i;

	/*
	 * The whole word competes.  Its dictionary prior counts the compounds
	 * built on it, so "verbraucher" (in many compounds) beats "verb" +
	 * "raucher", while "kommunikationsberater" (in none) does not.
	 */
	const uint8_t *whole = len <= MAX_LOOKUP ? dict_get(word, len, "", 0, h) : NULL;
	int whole_score = whole ? log_prior(whole[2]) : -1;
	int split = S.cands[best].score > whole_score;
	/*
	 * A lower-case dictionary word is a verb, adjective or adverb: only
	 * adjectives with an adjective head split (be|inhalten, erst|ellen,
	 * kopie|ren stay whole, benutzer|freundlich does not).
	 * English guard: a word that only the English list has (password,
	 * sandbox, background) is never split.
	 */
	if (whole && !(whole[1] & F_NOUN) && (whole[1] & F_LOWER) && !S.cands[best].adj_head)
		split = 0;
	if (whole && !(whole[1] & (F_NOUN | F_LOWER)))
		split = 0;

	if (d->fn) {
		/*
		 * Collection statistics decide when they know anything: the
		 * geometric mean of the part frequencies against the whole
		 * word's frequency, as Koehn & Knight do.  Only the dictionary's
		 * best candidate of each part count is asked about (datenbank|
		 * schnittstelle against daten|bank|schnittstelle), to keep
		 * calls few.
		 */
		int top[MAX_PARTS + 1], ntop = 0;
		for (int k = 2; k <= MAX_PARTS; k++) {
			int bi = -1;
			for (int i = 0; i < S.ncands; i++)
				if (S.cands[i].n == k && (bi < 0 || S.cands[i].score > S.cands[bi].score))
					bi = i;
			if (bi >= 0)
				top[ntop++] = bi;
		}
		int any = 0, fbest = -1;
		int64_t fscore = 0;
		for (int k = 0; k < ntop; k++) {
			int64_t g = log_geomean(d, &S.cands[top[k]], &any);
			if (fbest < 0 || g > fscore) {
				fbest = top[k];
				fscore = g;
			}
		}
		uint64_t fw = d->fn(d->ctx, word, len);
		if (any || fw) {
			best = fbest;
			split = fscore > log_count(fw);
		}
	}
	if (!split)
		return 0;
	const cand_t *b = &S.cands[best];
	for (int i = 0; i < b->n; i++) {
		parts[i].start = b->parts[i].start;
		parts[i].end = b->parts[i].end;
	}
	return b->n;
}

size_t lupe_decomp_head(const lupe_decompounder *d, const char *word, size_t len)
{
	lupe_part parts[MAX_PARTS];
	if (!d || !word || len > MAX_WORD)
		return 0;
	int np = lupe_decomp_split(d, word, len, parts, MAX_PARTS);
	if (np >= 2)
		return parts[1].start;
	/*
	 * Not a compound the splitter accepts (ausgabe is a word of its own,
	 * and "aus" never a part): the longest dictionary word ending it, with
	 * the split rules' limits on length (a three-letter head only if a noun).
	 */
	size_t chars = 0, at = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = (uint8_t)word[i];
		if (b < 'a' && b < 0x80)
			return 0;
		chars += (b & 0xC0) != 0x80;
	}
	for (size_t s = 1, c = 0; s < len; s++) {
		if (((uint8_t)word[s] & 0xC0) == 0x80)
			continue;
		c++; /* characters before s */
		if (c < 2)
			continue;
		if (chars - c < MIN_HEAD || len - s > MAX_LOOKUP)
			continue;
		uint32_t h = FNV_INIT;
		for (size_t i = s; i < len; i++)
			h = fnv_step(h, (uint8_t)word[i]);
		const uint8_t *e = dict_get(word + s, len - s, "", 0, h);
		if (usable(e) && (chars - c >= MIN_PART || (e[1] & F_NOUN))) {
			at = s;
			break;
		}
	}
	return at;
}
