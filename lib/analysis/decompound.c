/*
 * German compound splitting after Koehn & Knight (2003): every way to cover
 * the word with dictionary words and linking elements is a candidate, and
 * the candidate whose parts are most frequent (geometric mean) wins, the
 * unsplit word being a candidate too.  The parts of the winner are split
 * again the same way, down to the leaves.  The dictionary is Debian's wngerman
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
	F_FUNC = 8,    /* function word or particle: never a part */
	F_TAKES_S = 16 /* as a modifier mostly takes a linking -s- */
};

/* Entries only the English list has are there to be recognised, not used. */
static int usable(const uint8_t *e)
{
	return e && (e[1] & (F_NOUN | F_LOWER)) && !(e[1] & F_FUNC);
}

/*
 * Precision limits.  A part has at least MIN_PART characters; the last part
 * (the head) may have MIN_HEAD, because three-letter heads (typ, amt, tag,
 * weg) are common and a modifier of four letters before them already has to
 * be a dictionary word.  A modifier may have MIN_SHORT_MOD characters only
 * when it is a noun and the head after it is a noun of MIN_PART or more
 * (gas|tank, bau|markt, see|offizier): both sides are then real nouns, and
 * a three-letter verb form or adjective (ist, neu) never starts a split.
 * Longer words than MAX_WORD bytes are left alone.  One level of the split
 * has at most MAX_PARTS parts; each part is split again (MAX_DEPTH levels),
 * so a word may end in up to MAX_LEAVES parts.
 */
#define MIN_PART 4
#define MIN_HEAD 3
#define MIN_SHORT_MOD 3
#define MIN_WORD 7 /* characters: a three-letter modifier and a four-letter head */
#define MAX_WORD 96
#define MAX_LOOKUP 63
#define MAX_PARTS 8
#define MAX_LEAVES 16
#define MAX_DEPTH 4
#define MAX_CANDS 16
#define MAX_PROBES 4000 /* dictionary look-ups per level, a bound for odd input */

/* Score penalties, in the 1/64-bit units of log2 used for priors. */
#define PEN_DROPPED_E 8   /* schul|buch from schule */
#define PEN_RARE_LINK 128 /* -e-, -er-, -ens-: dienst|erstellung, not dienst|er|stellung */
#define PEN_INFL_MOD 8     /* modifier without link ending in -s/-n: unternehmens|... */
#define PEN_SHORT_HEAD 16 /* three-letter head */
#define PEN_LOWER_HEAD 32 /* head only in lower case (ätze, a verb form): daten|sätze */
#define PEN_GENITIVE 96   /* head seen only with an added -s: namens, typs */
#define PEN_SHORT_MOD 16  /* three-letter modifier: gas|tank */
#define PEN_S_GLUED 48    /* no link before an s after a word that takes -s-: betrieb|spanne */

/*
 * Priors (compound family sizes, see the generator) that make a word a
 * noun for our purposes.  wngerman keeps a word that is a noun and a verb
 * form only in lower case (tank, kauf, bahn), so the case alone cannot
 * tell; a word that makes NOUNLIKE_PRIOR compounds is used as a noun.
 */
#define NOUNLIKE_PRIOR 16
#define MIN_LOWER_PRIOR 4
#define SHORT_MOD_WHOLE_MAX 1

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

/* A noun, or a lower-case word that makes many compounds (tank, kauf). */
static int nounlike(const uint8_t *e)
{
	return usable(e) && ((e[1] & F_NOUN) || e[2] >= NOUNLIKE_PRIOR);
}

static const uint8_t *lookup(const char *s, size_t n)
{
	uint32_t h = FNV_INIT;
	if (n > MAX_LOOKUP)
		return NULL;
	for (size_t i = 0; i < n; i++)
		h = fnv_step(h, (uint8_t)s[i]);
	return dict_get(s, n, "", 0, h);
}

/*
 * Whether a lower-case word is a finite verb form (stinkt, arbeitet, baust)
 * rather than a noun the list keeps in lower case (bahn): it ends in -t or
 * -st and its stem with -en or -n is a lower-case word too.  A noun
 * compound never ends in one (urin|stinkt is no reading of Urinstinkt).
 */
static int finite_verb(const uint8_t *e)
{
	static const char *const endings[] = {"et", "st", "t", NULL};
	static const char *const infs[] = {"en", "n", NULL};
	size_t n = e[0];
	const char *w = (const char *)e + 3;
	char buf[MAX_LOOKUP + 3];
	for (int i = 0; endings[i]; i++) {
		size_t k = strlen(endings[i]);
		if (n < k + 3 || memcmp(w + n - k, endings[i], k))
			continue;
		for (int j = 0; infs[j]; j++) {
			size_t m = n - k, l = strlen(infs[j]);
			if (m + l > MAX_LOOKUP)
				continue;
			memcpy(buf, w, m);
			memcpy(buf + m, infs[j], l);
			const uint8_t *v = lookup(buf, m + l);
			if (v && (v[1] & F_LOWER))
				return 1;
		}
	}
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
	case L_ES: /* bund|es|, tag|es|: nouns only, not frag|es|teller */
		return n <= 6 && !is_vowel_end(e) && last != 'e' && (e[1] & F_NOUN);
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
	int short_mod;   /* a modifier has three letters (gas|tank) */
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
	int added; /* candidates offered so far, kept or not */
	/*
	 * dead[i]: the largest number of parts with which the rest of the word
	 * from byte i was searched and gave no candidate; with as many parts or
	 * fewer it gives none again.  Keeps long words (20 parts of odd
	 * input) from searching the same tails over and over.
	 */
	uint8_t dead[MAX_WORD + 1];
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
	S->added++;
	int sum = 0, pen = 0;
	for (int i = 0; i < depth; i++) {
		c.parts[i] = S->stack[i];
		sum += log_prior(S->stack[i].entry[2]);
		pen += S->penalty[i];
	}
	c.short_mod = 0;
	for (int i = 0; i + 1 < depth; i++)
		c.short_mod |= S->chars[S->stack[i].end] - S->chars[S->stack[i].start] < MIN_PART;
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
	/*
	 * A word only the lower-case list has and that makes almost no
	 * compounds is a verb form or an odd entry (engl), not a modifier.
	 */
	if (!(ent[1] & F_NOUN) && ent[2] < MIN_LOWER_PRIOR)
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
		/* betriebs|panne, not betrieb|spanne: after such a word an s is mostly the link */
		int glued = l == L_NONE && S->w[e] == 's' && !dropped_e && (ent[1] & F_TAKES_S);
		S->penalty[depth] = pen + (glued ? PEN_S_GLUED : 0) + (l >= L_ENS ? PEN_RARE_LINK : 0) +
				    (l == L_NONE && !dropped_e && (S->w[e - 1] == 's' || S->w[e - 1] == 'n')
					     ? PEN_INFL_MOD
					     : 0);
		search(S, next, depth + 1);
	}
}

static void search_from(search_t *S, size_t s, int depth);

static void search(search_t *S, size_t s, int depth)
{
	int budget = S->maxparts - depth;
	if (budget <= S->dead[s])
		return;
	int before = S->added;
	search_from(S, s, depth);
	if (S->added == before)
		S->dead[s] = (uint8_t)budget;
}

static void search_from(search_t *S, size_t s, int depth)
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
			/* After a three-letter modifier, only a noun head of four or more. */
			int after_short = S->chars[S->stack[depth - 1].end] - S->chars[S->stack[depth - 1].start] <
					  MIN_PART;
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
			if (chars < MIN_PART && !nounlike(ent))
				return;
			if (after_short && (chars < MIN_PART || !nounlike(ent)))
				return;
			if (chars < MIN_PART && S->chars[S->n] < MIN_PART + MIN_PART)
				return; /* vers|ion: a three-letter head needs a longer word */
			if (!(ent[1] & F_NOUN) && finite_verb(ent))
				return; /* urin|stinkt: a verb form is no head of a noun */
			if (!(ent[1] & F_NOUN))
				pen += PEN_LOWER_HEAD;
			S->stack[depth] = p;
			S->penalty[depth] = pen;
			add_candidate(S, depth + 1);
			return;
		}
		if (chars < MIN_SHORT_MOD || S->chars[S->n] - S->chars[e] < MIN_HEAD)
			continue;
		int short_mod = chars < MIN_PART;
		if (short_mod && S->chars[S->n] - S->chars[e] < MIN_PART)
			continue;
		const uint8_t *plain = dict_get(S->w + s, e - s, "", 0, h);
		if (!short_mod || nounlike(plain))
			after_modifier(S, s, e, depth, plain, 0, short_mod ? PEN_SHORT_MOD : 0);
		if (plain && (plain[1] & F_FUNC))
			continue; /* unter, zwischen: no untere, zwische */
		if (short_mod)
			continue; /* ent|richtung (ente): no three-letter stems without their -e */
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
 * A noun in -er made from a verb of the list splits only where the verb
 * does: verbinder is verbind+er (verbinden), so verb|inder is no reading
 * ("inden" is no word), while bergsteiger (bergsteigen: "steigen" is a
 * word) and staubsauger stay berg|steiger and staub|sauger.  Whether the
 * best candidate's first boundary is such a place: the verb's rest from
 * there is a lower-case word of the list.  An adjective's ending -er
 * (leistungsfähiger) is left alone.
 */
static int deverbal_mismatch(const char *word, size_t len, const cand_t *c)
{
	/* (Its forms, verbindern, herrscherin, come here without their ending.) */
	if (len < 6 || len + 2 > MAX_LOOKUP || word[len - 2] != 'e' || word[len - 1] != 'r')
		return 0;
	uint32_t h = FNV_INIT;
	for (size_t i = 0; i < len - 2; i++)
		h = fnv_step(h, (uint8_t)word[i]);
	const uint8_t *verb = dict_get(word, len - 2, "en", 2, fnv_step(fnv_step(h, 'e'), 'n'));
	if (!verb || !(verb[1] & F_LOWER))
		return 0;
	/* leistungsfähig+er: an adjective's ending, not a verb's agent noun
	 * (an adjective has a form in -em: leistungsfähigem; a verb none) */
	if (dict_get(word, len - 2, "em", 2, fnv_step(fnv_step(h, 'e'), 'm')))
		return 0;
	size_t at = c->parts[0].end;
	if (at == 0 || at >= len - 2)
		return 0;
	h = FNV_INIT;
	for (size_t i = at; i < len - 2; i++)
		h = fnv_step(h, (uint8_t)word[i]);
	const uint8_t *rest = dict_get(word + at, len - 2 - at, "en", 2, fnv_step(fnv_step(h, 'e'), 'n'));
	return !rest || !(rest[1] & F_LOWER);
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

/* One level: the best split of the word into dictionary words, or 0. */
static int split_once(const lupe_decompounder *d, const char *word, size_t len, lupe_part *parts, int max)
{
	if (max < 2 || len > MAX_WORD || len < MIN_WORD)
		return 0;
	search_t S;
	S.w = word;
	S.n = len;
	S.maxparts = max < MAX_PARTS ? max : MAX_PARTS;
	S.probes = 0;
	S.ncands = 0;
	S.added = 0;
	memset(S.dead, 0, len + 1);
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
	if (c < MIN_WORD)
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
	/*
	 * A three-letter modifier splits only a word no other word of the
	 * list is built on: seeoffizier and barkauf (a family of 0) split,
	 * instanz (5) is no ins|tanz.
	 */
	if (whole && whole[2] > SHORT_MOD_WHOLE_MAX && S.cands[best].short_mod)
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
	if (split && deverbal_mismatch(word, len, &S.cands[best]))
		split = 0;
	if (!split)
		return 0;
	const cand_t *b = &S.cands[best];
	for (int i = 0; i < b->n; i++) {
		parts[i].start = b->parts[i].start;
		parts[i].end = b->parts[i].end;
	}
	return b->n;
}

static int ends_in(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !memcmp(w + n - k, suf, k);
}

/*
 * The leaves of the word's split, all the way down: the best split of one
 * level, then each part split again (bundesverfassung|gericht ->
 * bund|verfassung|gericht) while the leaves fit in max.  Parts of split
 * parts (the levels) go to nodes[] when nodes is not NULL.
 */
typedef struct {
	lupe_part *v; /* NULL: not wanted */
	int n, max;
	uint32_t at; /* where the word being split starts in the whole word */
} nodes_t;

static int split_rec(const lupe_decompounder *d, const char *w, size_t len, lupe_part *out, int max, int depth,
		     nodes_t *nodes)
{
	if (depth > MAX_DEPTH || max < 2 || len < MIN_WORD)
		return 0;
	/*
	 * Feminine nouns in -in/-innen whose masculine form is a noun of the
	 * list split as that form does, the suffix staying on the head:
	 * bau|arbeiterin as bau|arbeiter, and mitarbeiterinnen not at all (as
	 * mitarbeiter), never mitarbeite|rinnen.  The suffix is no part.
	 */
	size_t fem = ends_in(w, len, "innen") ? 5 : ends_in(w, len, "in") ? 2 : 0;
	if (fem && len - fem >= MIN_PART + 1) {
		const uint8_t *base = lookup(w, len - fem);
		if (usable(base) && (base[1] & F_NOUN)) {
			int n = split_rec(d, w, len - fem, out, max, depth + 1, nodes);
			if (n >= 2)
				out[n - 1].end = (uint32_t)len;
			return n >= 2 ? n : 0;
		}
	}
	/*
	 * An inflected form of a noun of the list splits as the noun does,
	 * the ending staying on the head: versionen as version (not
	 * vers|ionen), strassenbahnen as strassen|bahn.  An inflectional
	 * ending is never part of a part of its own.
	 */
	static const char *const endings[] = {"en", "n", "e", "es", "s", "er", "ern", "nen", NULL};
	for (int i = 0; endings[i]; i++) {
		size_t k = strlen(endings[i]);
		if (!ends_in(w, len, endings[i]) || len - k < MIN_WORD)
			continue;
		const uint8_t *base = lookup(w, len - k);
		if (!usable(base) || !(base[1] & F_NOUN))
			continue;
		int n = split_rec(d, w, len - k, out, max, depth + 1, nodes);
		if (n >= 2)
			out[n - 1].end = (uint32_t)len;
		return n >= 2 ? n : 0;
	}
	lupe_part top[MAX_PARTS];
	int n = split_once(d, w, len, top, max < MAX_PARTS ? max : MAX_PARTS);
	if (n < 2)
		return 0;
	int k = 0;
	for (int i = 0; i < n; i++) {
		lupe_part sub[MAX_LEAVES];
		size_t pl = top[i].end - top[i].start;
		int room = max - k - (n - 1 - i); /* leave one slot for each part still to come */
		uint32_t at = nodes ? nodes->at : 0;
		if (nodes)
			nodes->at = at + top[i].start;
		int m = room >= 2 ? split_rec(d, w + top[i].start, pl, sub, room < MAX_LEAVES ? room : MAX_LEAVES,
					      depth + 1, nodes)
				  : 0;
		if (nodes)
			nodes->at = at;
		if (m < 2) {
			out[k++] = top[i];
			continue;
		}
		for (int j = 0; j < m; j++)
			out[k++] = (lupe_part){sub[j].start + top[i].start, sub[j].end + top[i].start};
		if (nodes && nodes->n < nodes->max)
			nodes->v[nodes->n++] = (lupe_part){nodes->at + top[i].start, nodes->at + top[i].end};
	}
	return k;
}

int lupe_decomp_leaves(const lupe_decompounder *d, const char *word, size_t len, lupe_part *parts, int max)
{
	if (!d || !word || !parts || max < 2 || len > MAX_WORD)
		return 0;
	return split_rec(d, word, len, parts, max, 0, NULL);
}

static int same_span(const lupe_part *a, const lupe_part *b)
{
	return a->start == b->start && a->end == b->end;
}

int lupe_decomp_split(const lupe_decompounder *d, const char *word, size_t len, lupe_part *parts, int max)
{
	lupe_part nodev[MAX_LEAVES], sub[2 * MAX_LEAVES];
	nodes_t nodes = {nodev, 0, MAX_LEAVES, 0};
	if (!d || !word || !parts || max < 2 || len > MAX_WORD)
		return 0;
	int n = split_rec(d, word, len, parts, max, 0, &nodes);
	const lupe_part *node = nodev;
	int nn = nodes.n;
	if (n < 2)
		return 0;
	/*
	 * The sub-compounds: every level the split went through (the parts
	 * that were split again), and every right-hand run of two or more
	 * leaves, which German reads as a compound of its own whatever the
	 * tree (bundes|verfassungsgericht, kraftfahrzeug|haftpflichtversicherung).
	 * Longest first, as many as fit after the leaves.
	 */
	int ns = 0;
	for (int i = 1; i + 1 < n; i++)
		sub[ns++] = (lupe_part){parts[i].start, (uint32_t)len};
	for (int i = 0; i < nn; i++) {
		int dup = same_span(&node[i], &(lupe_part){0, (uint32_t)len});
		for (int j = 0; j < ns && !dup; j++)
			dup = same_span(&node[i], &sub[j]);
		if (!dup)
			sub[ns++] = node[i];
	}
	for (int i = 1; i < ns; i++) /* insertion sort, longest first, then leftmost */
		for (int j = i; j > 0; j--) {
			uint32_t la = sub[j - 1].end - sub[j - 1].start, lb = sub[j].end - sub[j].start;
			if (la > lb || (la == lb && sub[j - 1].start <= sub[j].start))
				break;
			lupe_part t = sub[j];
			sub[j] = sub[j - 1];
			sub[j - 1] = t;
		}
	for (int i = 0; i < ns && n < max; i++)
		parts[n++] = sub[i];
	return n;
}

size_t lupe_decomp_head(const lupe_decompounder *d, const char *word, size_t len)
{
	lupe_part parts[MAX_LEAVES];
	if (!d || !word || len > MAX_WORD)
		return 0;
	int np = lupe_decomp_leaves(d, word, len, parts, MAX_LEAVES);
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

int lupe_decomp_known(const char *word, size_t len)
{
	const uint8_t *e = word ? lookup(word, len) : NULL;
	if (!e)
		return 0;
	return (e[1] & (F_NOUN | F_LOWER | F_FUNC)) ? 2 : 1;
}
