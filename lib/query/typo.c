#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/german.h"
#include "query/typo.h"
#include "util/utf8.h"

/*
 * A word the index holds is taken as a typo only when a neighbour is this
 * many times more frequent and the word itself occurs at most
 * TYPO_RARE_MAX times: a rare name ("Sepsis") next to a frequent word
 * ("Skepsis") is searched as typed alone unless the gap is wide.  Once: a
 * typo in a document is mostly a one-off, and a question holds several
 * rare words (names) that each cost a look-up (xquad p50 was 0.08 ms over
 * main's with 3, level with 1, within the noise of a loaded machine).
 */
#define TYPO_RARE_RATIO 50
#define TYPO_RARE_MAX 1
/* What a word costs of a query's budget (LUPE_TYPO_BUDGET): an absent word's look-up is ~30x a known one's. */
#define TYPO_COST_ABSENT 4
#define TYPO_COST_KNOWN 1
/* A candidate further out than the closest ones must be this much more frequent. */
#define TYPO_FAR_RATIO 20
/* Words longer than this (bytes, folded) are not corrected. */
#define TYPO_FORM_MAX 40

/* A word's one-edit variants found in the index kept in its memo entry (a crowded "aaaaaaaa" has a few dozen). */
#define TYPO_HITS_MAX 1024

/* A one-edit variant of a word whose term the index holds. */
typedef struct {
	char term[sizeof ((lupe_fuzzy_cand *)0)->term];
	char form[LUPE_TYPO_FORM]; /* the variant ("" when too long to keep) */
	uint64_t freq;
	unsigned pos; /* the character the edit is at */
} typo_hit;

/* What the query knows of one word: its own frequency and its variants' look-ups. */
typedef struct {
	char form[TYPO_FORM_MAX + 1], term[sizeof ((lupe_fuzzy_cand *)0)->term];
	size_t flen, tlen;
	int probed;      /* the variants were looked up (below: their hits) */
	int all;         /* replaced and inserted letters too, not only deleted and swapped ones */
	typo_hit *hits;
	int n_hits, cap_hits;
	int near_done[3];  /* lupe_fuzzy_terms asked with keep 0, 1, 2 */
	lupe_fuzzy_cand near[3][LUPE_FUZZY_MAX];
	lupe_fuzzy_scan scan; /* lupe_fuzzy_terms_scan's, shared by the keeps */
	int n_near[3];
} typo_word;

/* Compounds lupe_typo_compound answered for, kept a query (it makes at most a few). */
#define TYPO_MENDS_MAX 4

typedef struct {
	char form[TYPO_FORM_MAX + 1];
	size_t flen;
	char fixed[LUPE_TYPO_FORM]; /* "" when no variant splits into held parts */
	int named;                  /* worth a suggestion (compound_search) */
} typo_mend;

struct lupe_typo_memo {
	lupe_probes freqs; /* terms whose frequency is known, with it */
	size_t variants;   /* one-edit variants stemmed (lupe_typo_memo_variants) */
	typo_word **w;
	size_t n, cap;
	typo_mend mends[TYPO_MENDS_MAX];
	int n_mends;
};

int lupe_typo_memo_new(lupe_typo_memo **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : -1;
}

void lupe_typo_memo_free(lupe_typo_memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->w[i]->hits);
		free(m->w[i]);
	}
	free(m->w);
	lupe_probes_free(&m->freqs);
	free(m);
}

int lupe_typo_memo_prefetch(lupe_typo_memo *m, lx_db *db, const char *const *terms, const size_t *lens, size_t n)
{
	lupe_probes fresh = {0};
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (lupe_probes_find(&m->freqs, terms[i], lens[i]) < 0 && lupe_probes_add(&fresh, terms[i], lens[i]) < 0)
			rc = -1;
	if (rc == 0 && lupe_probes_run(&fresh, db, NULL) < 0)
		rc = -1;
	for (size_t i = 0; i < fresh.n && rc == 0; i++) {
		long k = lupe_probes_add(&m->freqs, fresh.terms.p + fresh.off[i], fresh.len[i]);
		if (k < 0)
			rc = -1;
		else
			m->freqs.freq[k] = fresh.freq[i];
	}
	lupe_probes_free(&fresh);
	return rc;
}

lupe_probes *lupe_typo_memo_known(lupe_typo_memo *m)
{
	return m ? &m->freqs : NULL;
}

size_t lupe_typo_memo_variants(const lupe_typo_memo *m)
{
	return m ? m->variants : 0;
}

int lupe_typo_memo_learn(lupe_typo_memo *m, const char *term, size_t len, uint64_t freq)
{
	long k = lupe_probes_add(&m->freqs, term, len);
	if (k < 0)
		return -1;
	m->freqs.freq[k] = freq;
	return 0;
}

uint64_t lupe_typo_memo_termfreq(lupe_typo_memo *m, lx_db *db, const char *term, size_t len)
{
	if (!m)
		return lx_termfreq(db, term, len);
	long k = lupe_probes_find(&m->freqs, term, len);
	if (k >= 0)
		return m->freqs.freq[k];
	uint64_t f = lx_termfreq(db, term, len);
	k = lupe_probes_add(&m->freqs, term, len);
	if (k >= 0)
		m->freqs.freq[k] = f;
	return f;
}

/* The word's entry, made on first use; NULL when out of memory. */
static typo_word *memo_word(lupe_typo_memo *m, const char *form, size_t flen, const char *term, size_t tlen)
{
	for (size_t i = 0; i < m->n; i++) {
		typo_word *w = m->w[i];
		if (w->flen == flen && w->tlen == tlen && memcmp(w->form, form, flen) == 0 &&
		    memcmp(w->term, term, tlen) == 0)
			return w;
	}
	if (flen > TYPO_FORM_MAX || tlen >= sizeof m->w[0]->term)
		return NULL;
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 8;
		typo_word **v = realloc(m->w, nc * sizeof *v);
		if (!v)
			return NULL;
		m->w = v;
		m->cap = nc;
	}
	typo_word *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	memcpy(w->form, form, flen);
	memcpy(w->term, term, tlen);
	w->flen = flen;
	w->tlen = tlen;
	m->w[m->n++] = w;
	return w;
}

/* A variant made by form_variants: its term's index in the batch, and where its edit is. */
typedef struct {
	long probe;
	unsigned pos;
	size_t word;    /* which of the words probed together */
	size_t at, len; /* the variant in the forms buffer */
} variant;

/*
 * What the index holds near a word's beginnings, so that a word's one-edit
 * variants (about 60 a letter, each stemmed at ~4,000 instructions and
 * looked up) are made only where they can meet an index term.  The stemmer
 * (lupe_de_prestem, then Snowball's German) maps letters (ä ö ü to a o u,
 * ß to ss) and cuts an ending: -in or -innen, then at most one suffix of
 * each of Snowball's steps 1, 2 and 3 (cut_s1 .. cut_s3 below; the
 * conditions on what precedes them left out, so more cuts than it makes).
 * So a variant's term is a beginning of the variant, mapped, of three
 * letters or more, and what is cut is such a string of endings
 * (variant_cuts).  A variant edited at letter i has a term only if the
 * index holds a term that starts with the mapped word up to the edit and
 * the new letter (the term keeps the edit), or the edit is cut off with
 * the ending and the index holds the beginning before the cut (Kodierng +
 * u -> kodier|ung).  Checked against the Snowball 2.2 German stemmer
 * (tests/test_typo.c, test_cuts_hold): the term of every word of
 * /usr/share/dict/ngerman and of three random one-edit variants of each is
 * a mapped beginning of 3 letters or more, and what it cuts is one of
 * these endings.
 */
#define PRUNE_STEM_MIN 3

typedef struct {
	int on;
	size_t nc;                             /* letters of the word */
	char m[TYPO_FORM_MAX + 1];             /* the word, mapped */
	size_t mlen[TYPO_FORM_MAX + 2];        /* bytes of the mapped word before letter i */
	uint32_t next[TYPO_FORM_MAX + 1][8];   /* bytes that follow those in index terms */
	unsigned char term[TYPO_FORM_MAX + 1]; /* the mapped word before letter i is an index term */
	uint32_t dead[TYPO_FORM_MAX + 1][2][8]; /* [i][drop]: bytes whose edit no term can keep (prune_deep) */
	int cstate[TYPO_FORM_MAX + 2]; /* cut_trie's node for the letters k.. read from the end; -1: none */
	uint64_t wcuts;                /* lupe_typo_cuts of the word itself, by letter */
} prune;

static void prune_deep(prune *pr, lx_db *db);
static void cut_states(prune *pr);

typedef struct {
	lupe_analyzer *an;
	lupe_probes probes;
	variant *v;
	size_t n, cap;
	lupe_buf forms;
	size_t word; /* the word whose variants are being made */
	int oom;
	const prune *pr; /* NULL: every variant is made */
} variants;

/*
 * lx_allterms' callback for prune_word, over the terms that start with the
 * word's first letter: a term tells, for the longest beginning of the word
 * it starts with, the byte that follows it there (or that the beginning is
 * a term itself); then the walk skips to the next byte there.  One walk in
 * the index's order for all beginnings: each seek reads blocks near the
 * last one's.
 */
typedef struct {
	prune *pr;
	const char *m; /* the mapped word */
	char key[TYPO_FORM_MAX + 2];
} walk_ctx;

static int walk_cb(void *vc, const char *t, size_t n, lx_term_here *at)
{
	walk_ctx *w = vc;
	prune *pr = w->pr;
	size_t cp = 0, ml = pr->mlen[pr->nc], d = 0;
	while (cp < n && cp < ml && t[cp] == w->m[cp])
		cp++;
	while (d < pr->nc && pr->mlen[d + 1] <= cp)
		d++; /* the longest beginning, d letters, that t starts with */
	size_t pl = pr->mlen[d];
	if (n == pl) {
		pr->term[d] = 1;
		return 0;
	}
	unsigned char b = (unsigned char)t[pl];
	pr->next[d][b >> 5] |= 1u << (b & 31);
	/*
	 * Past every term with this byte here, unless it is the first byte of
	 * the word's own next letter (a letter of two bytes, é, that t does not
	 * finish): the longer beginnings are below it.
	 */
	if (b == 0xFF || (pl < ml && b == (unsigned char)w->m[pl]))
		return 0;
	memcpy(w->key, w->m, pl);
	w->key[pl] = (char)(b + 1);
	return lx_term_here_skip_to(at, w->key, pl + 1) < 0 ? -1 : 0;
}

/*
 * What the index holds after a first letter is the same for every word
 * that starts with it: the walk of the first word of a revision finds it
 * (a seek for each second letter, ~16 block reads (pread) a typo question
 * on the benchmark machine), and the reader's memo keeps it for the
 * others (lx_memo_put: until a reopen finds a new revision), whose walks
 * start at their first two letters.  Kept as a first_seen: next[1] with
 * the word's own second letter added when a term has it, and whether the
 * letter alone is a term.  Only for a word whose first two letters are a
 * byte each (the walk leaves the own second letter out of next[1] exactly
 * then).
 */
typedef struct {
	uint32_t next[8];   /* the bytes that follow the first letter in terms */
	unsigned char term; /* the letter alone is a term */
} first_seen;

static int first_known(const prune *pr)
{
	return pr->nc >= 2 && pr->mlen[1] == 1 && pr->mlen[2] == 2;
}

static size_t first_key(char *key, const prune *pr)
{
	memcpy(key, "first:", 6);
	key[6] = pr->m[0];
	return 7;
}

/*
 * Fill pr for the word (folded): its mapped beginnings, and what the index
 * holds after each (one seek per distinct next byte).  Off (every variant
 * made) for a word with ß (two mapped letters for one), and when the index
 * cannot be read.
 *
 * A remote index lists terms at a message a term, so its walk reads the
 * list the reader keeps of the terms that start with the word's first
 * LX_LIST_PREFIX bytes (shim.h: fetched once a revision, and the variants'
 * look-ups read the same list).  What follows a shorter beginning (the
 * first letter alone) is not known from it: every byte is taken to follow
 * there, and the beginning to be a term, so the remote walk keeps every
 * variant the local one keeps, and more at the second letter.
 */
static void prune_word(prune *pr, lx_db *db, const char *form, size_t flen)
{
	char m[TYPO_FORM_MAX + 1];
	size_t ml = 0, nc = 0;
	pr->on = 0;
	if (flen > TYPO_FORM_MAX)
		return;
	for (size_t i = 0; i < flen;) {
		unsigned char b = (unsigned char)form[i];
		if (b == 0xC3 && i + 1 < flen && (unsigned char)form[i + 1] == 0x9F)
			return; /* ß */
		pr->mlen[nc++] = ml;
		if (b == 0xC3 && i + 1 < flen) {
			unsigned char c = (unsigned char)form[i + 1];
			if (c == 0xA4 || c == 0xB6 || c == 0xBC) {
				m[ml++] = c == 0xA4 ? 'a' : c == 0xB6 ? 'o' : 'u';
				i += 2;
				continue;
			}
		}
		size_t l = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
		for (size_t k = 0; k < l && i < flen; k++)
			m[ml++] = form[i++];
	}
	pr->mlen[nc] = ml;
	pr->nc = nc;
	memcpy(pr->m, m, ml);
	cut_states(pr);
	memset(pr->next, 0, sizeof pr->next);
	memset(pr->dead, 0, sizeof pr->dead);
	memset(pr->term, 0, sizeof pr->term);
	memset(pr->next[0], 0xFF, sizeof pr->next[0]); /* any first letter: hardly a beginning the index lacks */
	if (nc == 0)
		return;
	size_t from = pr->mlen[1]; /* the walk's prefix: the first letter */
	if (lx_remote(db)) {
		size_t d = 1;
		while (d < nc && pr->mlen[d] < LX_LIST_PREFIX)
			d++;
		if (pr->mlen[d] < LX_LIST_PREFIX)
			return; /* a word of one letter or two bytes: no list to read */
		for (size_t j = 1; j < d; j++) {
			memset(pr->next[j], 0xFF, sizeof pr->next[j]);
			pr->term[j] = 1;
		}
		from = pr->mlen[d];
	}
	/*
	 * What follows a first letter: the reader's memo keeps it (see
	 * first_key), and the walk starts at the first two letters.
	 */
	int first = !lx_remote(db) && first_known(pr), first_kept = 0;
	unsigned char own = (unsigned char)m[1]; /* the word's second letter: one byte (first_known) */
	first_seen kept;
	char fkey[8];
	const void *fv;
	size_t fvl;
	if (first && lx_memo_get(db, fkey, first_key(fkey, pr), &fv, &fvl) && fvl == sizeof kept) {
		memcpy(&kept, fv, sizeof kept);
		memcpy(pr->next[1], kept.next, sizeof pr->next[1]);
		pr->next[1][own >> 5] &= ~(1u << (own & 31)); /* the walk leaves the word's own out */
		pr->term[1] = kept.term;
		from = pr->mlen[2];
		first_kept = 1;
	}
	walk_ctx w = {pr, m, {0}};
	lupe_err err;
	if (lx_allterms(db, m, from, walk_cb, &w, &err) < 0)
		return;
	if (first && !first_kept) {
		/* What the walk saw after the first letter, and the word's own second letter when a term has it. */
		memset(&kept, 0, sizeof kept);
		memcpy(kept.next, pr->next[1], sizeof kept.next);
		int has_own = pr->term[2];
		for (size_t k = 0; k < 8; k++)
			has_own |= pr->next[2][k] != 0;
		if (has_own)
			kept.next[own >> 5] |= 1u << (own & 31);
		kept.term = pr->term[1];
		lx_memo_put(db, fkey, first_key(fkey, pr), &kept, sizeof kept);
	}
	pr->on = 1;
	prune_deep(pr, db);
}

/*
 * The endings the stemmer may cut (see above): lupe_de_prestem's, then one
 * of step 1's (with the s of -nisse), step 2's and step 3's (with what it
 * cuts before -ung, -heit, -keit), as written: a variant's ending is
 * step3 step2 step1 prestem.  Read from the end, they make cut_trie.
 */
static const char *const cut_pre[] = {"", "in", "innen"};
static const char *const cut_s1[] = {"", "em", "ern", "er", "e", "en", "es", "s", "se", "sen", "ses"};
static const char *const cut_s2[] = {"", "en", "er", "est", "st"};
static const char *const cut_s3[] = {"",	 "end",	   "ung",    "igend",  "igung", "ig",	    "ik",
				     "isch", "lich",   "heit",   "erlich", "enlich", "erheit", "enheit",
				     "keit", "lichkeit", "igkeit"};
#define CUT_NODES 8192 /* 6,274 made */
#define CUT_LONGEST 19  /* lichkeit + est + ern + innen */

/* A node of cut_trie: a letter read from the end, its first child and next sibling (0: none). */
static struct {
	char ch;
	unsigned char end; /* the letters read so far, from the end, are an ending */
	uint16_t kid, next;
} cut_trie[CUT_NODES];
static size_t cut_nodes;
static int cut_full; /* the table did not hold them all: every cut taken possible (no pruning by it) */
static pthread_once_t cut_once = PTHREAD_ONCE_INIT;

/*
 * Add s, read from its end, below node; returns the node its first letter
 * ends at, or 0 when the table is full (cut_full: every cut is then taken
 * possible, which prunes nothing and loses nothing).
 */
static size_t cut_add(size_t node, const char *s)
{
	for (size_t k = strlen(s); k-- > 0;) {
		size_t c = cut_trie[node].kid;
		while (c && cut_trie[c].ch != s[k])
			c = cut_trie[c].next;
		if (!c) {
			if (cut_nodes == CUT_NODES) {
				cut_full = 1; /* not reached: the endings are fixed (test_cuts_hold counts the nodes) */
				return 0;
			}
			c = cut_nodes++;
			cut_trie[c].ch = s[k];
			cut_trie[c].next = cut_trie[node].kid;
			cut_trie[node].kid = (uint16_t)c;
		}
		node = c;
	}
	return node;
}

/*
 * Every step3 step2 step1 prestem, read from the end: each part is added
 * below the node the parts after it end at, so the 2,805 endings cost a
 * walk of one part each (once one string each, formatted: 4.6 M
 * instructions in the first query of a process that checked a typo).
 */
static void cut_build(void)
{
	cut_nodes = 1;
	for (size_t d = 0; d < sizeof cut_pre / sizeof *cut_pre; d++) {
		size_t n1 = cut_add(0, cut_pre[d]);
		for (size_t c = 0; c < sizeof cut_s1 / sizeof *cut_s1; c++) {
			size_t n2 = cut_add(n1, cut_s1[c]);
			for (size_t b = 0; b < sizeof cut_s2 / sizeof *cut_s2; b++) {
				size_t n3 = cut_add(n2, cut_s2[b]);
				for (size_t a = 0; a < sizeof cut_s3 / sizeof *cut_s3; a++) {
					size_t n4 = cut_add(n3, cut_s3[a]);
					if (cut_full)
						return;
					cut_trie[n4].end = 1;
				}
			}
		}
	}
}

size_t lupe_typo_cut_nodes(void)
{
	pthread_once(&cut_once, cut_build);
	return cut_nodes;
}

/* cut_trie's child of node for byte ch, or -1. */
static int cut_child(int node, unsigned char ch)
{
	if (node < 0)
		return -1;
	for (size_t c = cut_trie[node].kid; c; c = cut_trie[c].next)
		if ((unsigned char)cut_trie[c].ch == ch)
			return (int)c;
	return -1;
}

/* Every cut of letters j <= n possible: what a full table answers. */
static uint64_t cuts_all(size_t n)
{
	return n < 63 ? ((uint64_t)1 << (n + 1)) - 1 : ~(uint64_t)0;
}

uint64_t lupe_typo_cuts(const char *v, size_t n)
{
	pthread_once(&cut_once, cut_build);
	if (n >= 64)
		return 0;
	if (cut_full)
		return cuts_all(n);
	uint64_t mask = (uint64_t)1 << n;
	int node = 0;
	for (size_t k = n; k-- > 0 && (node = cut_child(node, (unsigned char)v[k])) >= 0;)
		if (cut_trie[node].end)
			mask |= (uint64_t)1 << k;
	return mask;
}

/* The byte of the word's letter k, 0 for a letter of more than one byte. */
static unsigned char word_byte(const prune *pr, size_t k)
{
	return pr->mlen[k + 1] - pr->mlen[k] == 1 ? (unsigned char)pr->m[pr->mlen[k]] : 0;
}

/* The word's cut_trie nodes read from its end (cstate) and its own cuts (wcuts), for variant_cuts. */
static void cut_states(prune *pr)
{
	pthread_once(&cut_once, cut_build);
	int node = 0;
	pr->cstate[pr->nc] = 0;
	pr->wcuts = (uint64_t)1 << pr->nc;
	for (size_t k = pr->nc; k-- > 0;) {
		unsigned char b = word_byte(pr, k);
		node = b ? cut_child(node, b) : -1;
		pr->cstate[k] = node;
		if (node >= 0 && cut_trie[node].end)
			pr->wcuts |= (uint64_t)1 << k;
	}
}

/*
 * lupe_typo_cuts of a variant of the word (bit j set when its letters j..
 * may be cut): byte c inserted at letter i (mode 0) or replacing it (1),
 * letter i deleted (2), or letters i and i + 1 swapped (3).  From the
 * word's own: the letters after the edit are the word's, read once in
 * cut_states; only the edit and the letters before it are read here.
 */
static uint64_t variant_cuts(const prune *pr, size_t i, unsigned char c, int mode)
{
	uint64_t mask;
	int node;
	size_t k; /* the variant's next letter to read, going down; it is the word's letter k (below) */
	if (cut_full)
		return cuts_all(pr->nc + 1);
	switch (mode) {
	case 0: /* the word's letters i.. (inserted) or i + 1.. (replaced) are the variant's i + 1.. */
	case 1:
		mask = pr->wcuts >> (i + (size_t)mode) << (i + 1);
		node = cut_child(pr->cstate[i + (size_t)mode], c);
		if (node >= 0 && cut_trie[node].end)
			mask |= (uint64_t)1 << i;
		k = i;
		break;
	case 2: /* the word's letters i + 1.. are the variant's i.. */
		mask = pr->wcuts >> (i + 1) << i;
		node = pr->cstate[i + 1];
		k = i;
		break;
	default: /* the variant's letter i + 1 is the word's i, its i the word's i + 1 */
		mask = pr->wcuts >> (i + 2) << (i + 2);
		node = cut_child(pr->cstate[i + 2], word_byte(pr, i));
		if (node >= 0 && cut_trie[node].end)
			mask |= (uint64_t)1 << (i + 1);
		node = cut_child(node, word_byte(pr, i + 1));
		if (node >= 0 && cut_trie[node].end)
			mask |= (uint64_t)1 << i;
		k = i;
		break;
	}
	/* the letters before the edit: the word's k - 1, k - 2, .. at the same places */
	while (node >= 0 && k-- > 0) {
		unsigned char b = word_byte(pr, k);
		node = b ? cut_child(node, b) : -1;
		if (node >= 0 && cut_trie[node].end)
			mask |= (uint64_t)1 << k;
	}
	return mask;
}

/* Whether a term may be what is left of the variant (cuts: variant_cuts) cut at a letter j <= i. */
static int prune_cut(const prune *pr, size_t i, uint64_t cuts)
{
	for (size_t j = PRUNE_STEM_MIN; j <= i; j++)
		if ((cuts >> j & 1) && pr->term[j])
			return 1;
	return 0;
}

/*
 * Whether a letter replaced at letter i (drop 1) or inserted before it
 * (drop 0), mapped to byte c, can give a term.
 */
static int prune_keeps(const prune *pr, size_t i, unsigned char c, int drop)
{
	if (!pr || !pr->on)
		return 1;
	if (pr->dead[i][drop][c >> 5] & (1u << (c & 31)))
		return 0; /* no term holds the variant as far as one must (prune_deep) */
	if (pr->next[i][c >> 5] & (1u << (c & 31)))
		return 1; /* a term may keep the edit */
	return prune_cut(pr, i, variant_cuts(pr, i, c, drop)); /* cut at a letter j, leaving a term */
}

/*
 * A term that keeps an edit holds more than the letter edited: it is the
 * variant but for an ending the stemmer may cut (variant_cuts), and of
 * three letters or more.  "wissenschaft" with a letter replaced at 0 has
 * a term only if one starts with that letter and "issenschaft" (no
 * ending cuts its t).  For each edit that
 * prune_keeps lets through and whose term must reach past the edit, the
 * index is asked whether a term starts so: the beginnings in the index's
 * order, one walk of its terms that skips from each to the next.  A remote
 * index lists terms at a message a term: there the lists the reader
 * keeps answer (lx_terms_start_known), and an edit they do not answer
 * for is made, as before.
 */
/* A beginning a term must start with, for the edit at letter i of byte c (drop 1: replaced). */
typedef struct {
	const char *p; /* (an offset into the keys while they are made) */
	size_t len;
	unsigned char i, drop, c;
} deep_key;

typedef struct {
	deep_key *v;
	size_t n, k; /* beginnings, sorted; the walk's next */
	prune *pr;
} deep_walk;

static int deep_cmp(const void *x, const void *y)
{
	const deep_key *a = x, *b = y;
	int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void deep_mark(prune *pr, const deep_key *e)
{
	pr->dead[e->i][e->drop][e->c >> 5] |= 1u << (e->c & 31);
}

static int deep_cb(void *vc, const char *t, size_t n, lx_term_here *at)
{
	deep_walk *d = vc;
	while (d->k < d->n) {
		const deep_key *e = &d->v[d->k];
		int c = memcmp(t, e->p, n < e->len ? n : e->len);
		if (c == 0 && n >= e->len) {
			d->k++; /* a term starts so: kept */
			continue;
		}
		if (c > 0) {
			deep_mark(d->pr, &d->v[d->k++]); /* past it: no term starts so */
			continue;
		}
		return lx_term_here_skip_to(at, e->p, e->len) < 0 ? -1 : 0;
	}
	return 1;
}

/*
 * How many letters of the variant (letter byte c at i, drop 1: replacing
 * letter i) a term that keeps the edit holds at least: the fewest an
 * ending may leave past the edit.  0 when no term need keep the edit: a
 * cut before it may leave one (prune_cut).
 */
static size_t deep_reach(const prune *pr, size_t i, unsigned char c, int drop)
{
	uint64_t cuts = variant_cuts(pr, i, c, drop);
	if (prune_cut(pr, i, cuts))
		return 0;
	size_t from = i + 1 > PRUNE_STEM_MIN ? i + 1 : PRUNE_STEM_MIN;
	uint64_t past = from < 64 ? cuts >> from << from : 0;
	return past ? (size_t)__builtin_ctzll(past) : 0;
}

static void prune_deep(prune *pr, lx_db *db)
{
	lupe_buf keys = {0};
	deep_walk d = {.pr = pr};
	d.v = malloc((pr->nc + 1) * 2 * 26 * sizeof *d.v);
	if (!d.v)
		return;
	/*
	 * Made in the index's order, with no sort: the keys of letter i whose
	 * byte is below the word's own there come before every key of a later
	 * letter (which keeps the word's byte at i), those above it after
	 * them.  The word's own byte at i is not asked (its edits are made).
	 */
	for (int pass = 0; pass < 2; pass++)
		for (size_t n = 0; n <= pr->nc; n++) {
			size_t i = pass ? pr->nc - n : n;
			unsigned own = i < pr->nc ? (unsigned char)pr->m[pr->mlen[i]] : 256;
			for (unsigned c = pass ? own + 1 : 'a'; c <= 'z' && (pass || c < own); c++) {
				size_t first = d.n;
				for (int drop = 0; drop <= (i < pr->nc); drop++) {
					/* (no cut before the edit leaves a term, deep_reach says: prune_keeps is next[] alone) */
					size_t j = deep_reach(pr, i, (unsigned char)c, drop);
					if (j <= i + 1 || !(pr->next[i][c >> 5] & (1u << (c & 31))))
						continue; /* nothing to ask past the edit, or never made */
					size_t at = keys.len, from = i + (size_t)drop, to = from + (j - i - 1);
					if (lupe_buf_append(&keys, pr->m, pr->mlen[i]) < 0 ||
					    lupe_buf_putc(&keys, (char)c) < 0 ||
					    lupe_buf_append(&keys, pr->m + pr->mlen[from], pr->mlen[to] - pr->mlen[from]) < 0)
						goto done; /* out of memory: every edit made */
					d.v[d.n++] = (deep_key){(const char *)(uintptr_t)at, keys.len - at, (unsigned char)i,
								(unsigned char)drop, (unsigned char)c};
				}
				if (d.n == first + 2) { /* the inserted letter's key and the replaced one's, in order */
					deep_key a = d.v[first], b = d.v[first + 1];
					a.p = keys.p + (uintptr_t)a.p;
					b.p = keys.p + (uintptr_t)b.p;
					if (deep_cmp(&a, &b) > 0) {
						deep_key t = d.v[first];
						d.v[first] = d.v[first + 1];
						d.v[first + 1] = t;
					}
				}
			}
		}
	for (size_t e = 0; e < d.n; e++)
		d.v[e].p = keys.p + (uintptr_t)d.v[e].p;
	/*
	 * The lists the reader keeps answer first (no exchange, no read of the
	 * index), and a local reader's lists it reads now (lx_terms_start: a
	 * prefix met again).  A remote reader makes every edit they do not
	 * answer for (its index lists terms at a message a term); a local one
	 * walks its index for them.  The walk's seeks are block reads where the
	 * keys lie apart (an edit at the first letters: a region of the index
	 * each), 3.3 us each on the benchmark machine.
	 */
	size_t left = 0;
	lx_terms_start_word(db);
	for (size_t e = 0; e < d.n; e++) {
		int known = lx_terms_start(db, d.v[e].p, d.v[e].len);
		if (known == 0)
			deep_mark(pr, &d.v[e]);
		else if (known < 0)
			d.v[left++] = d.v[e];
	}
	d.n = left;
	if (lx_remote(db))
		goto done;
	for (size_t e = 1; e < d.n; e++)
		if (deep_cmp(&d.v[e - 1], &d.v[e]) > 0) { /* not so after all: sorted (the walk needs the order) */
			qsort(d.v, d.n, sizeof *d.v, deep_cmp);
			break;
		}
	lupe_err err;
	if (d.n && lx_allterms(db, "", 0, deep_cb, &d, &err) < 0) {
		memset(pr->dead, 0, sizeof pr->dead); /* the index cannot be read: every edit made */
		goto done;
	}
	while (d.k < d.n)
		deep_mark(pr, &d.v[d.k++]); /* after the last term */
done:
	lupe_buf_free(&keys);
	free(d.v);
}

/*
 * The same for a letter deleted at i (swap 0) or swapped with the next
 * (swap 1): the variant's letter i is the word's letter i + 1, which a
 * term that keeps the edit holds there; else the edit is cut off with
 * the ending.  One of a
 * doubled letter deleted, the variant is the other one deleted, which
 * this keeps where a term may follow (next[] does not record the word's
 * own letter at i).
 */
static int prune_keeps_shift(const prune *pr, size_t i, int swap)
{
	if (!pr || !pr->on)
		return 1;
	if (i + 1 < pr->nc) {
		unsigned char c = (unsigned char)pr->m[pr->mlen[i + 1]];
		if (pr->next[i][c >> 5] & (1u << (c & 31)))
			return 1;
	}
	return prune_cut(pr, i, variant_cuts(pr, i, 0, swap ? 3 : 2));
}

/* One variant of the word: stemmed as the analyzer stems, to be looked up in the batch. */
static void try_variant(variants *vs, const char *v, size_t n, unsigned pos)
{
	size_t tl;
	const char *t = lupe_analyzer_stem_folded(vs->an, v, n, &tl);
	if (!t || tl == 0 || tl >= sizeof ((lupe_fuzzy_cand *)0)->term)
		return;
	long k = lupe_probes_add(&vs->probes, t, tl);
	if (k < 0) {
		vs->oom = 1;
		return;
	}
	if (vs->n == vs->cap) {
		size_t nc = vs->cap ? vs->cap * 2 : 256;
		variant *nv = realloc(vs->v, nc * sizeof *nv);
		if (!nv) {
			vs->oom = 1;
			return;
		}
		vs->v = nv;
		vs->cap = nc;
	}
	size_t at = vs->forms.len;
	if (lupe_buf_append(&vs->forms, v, n) < 0) {
		vs->oom = 1;
		return;
	}
	vs->v[vs->n++] = (variant){k, pos, vs->word, at, n};
}
/* One variant of a word (edits()): its bytes and the letter the edit is at. */
typedef void (*edit_fn)(void *ctx, const char *v, size_t n, unsigned pos);

/*
 * The words one edit away from `form` (folded): deleted and swapped
 * letters, and with `all` replaced and inserted ones, umlauts among them,
 * each given to fn.  pr (may be NULL) leaves out replacements and
 * insertions no index term can follow (prune_keeps).
 */
static void edits(const char *form, size_t flen, int all, const prune *pr, edit_fn fn, void *ctx)
{
	static const char *const letters[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
		"k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "\xc3\xa4",
		"\xc3\xb6", "\xc3\xbc"};
	size_t at[TYPO_FORM_MAX + 1], nc = 0; /* where each character starts */
	char v[TYPO_FORM_MAX + 8];
	if (flen > TYPO_FORM_MAX)
		return;
	for (size_t i = 0; i < flen; i++) {
		unsigned char b = (unsigned char)form[i];
		if (b >= '0' && b <= '9')
			return;
		if ((b & 0xC0) != 0x80)
			at[nc++] = i;
	}
	at[nc] = flen;
	for (size_t i = 0; i < nc; i++) { /* deletion */
		size_t a = at[i], b = at[i + 1];
		if (!prune_keeps_shift(pr, i, 0))
			continue;
		memcpy(v, form, a);
		memcpy(v + a, form + b, flen - b);
		fn(ctx, v, flen - (b - a), (unsigned)i);
	}
	for (size_t i = 0; i + 1 < nc; i++) { /* transposition */
		size_t a = at[i], b = at[i + 1], e = at[i + 2];
		if ((b - a == e - b && memcmp(form + a, form + b, b - a) == 0) || !prune_keeps_shift(pr, i, 1))
			continue;
		memcpy(v, form, a);
		memcpy(v + a, form + b, e - b);
		memcpy(v + a + (e - b), form + a, b - a);
		memcpy(v + e, form + e, flen - e);
		fn(ctx, v, flen, (unsigned)i);
	}
	if (!all)
		return;
	for (size_t i = 0; i <= nc; i++) { /* replacement (i < nc) and insertion */
		size_t a = at[i], b = i < nc ? at[i + 1] : flen;
		for (size_t k = 0; k < sizeof letters / sizeof letters[0]; k++) {
			size_t ll = strlen(letters[k]);
			unsigned char mc = ll == 1 ? (unsigned char)letters[k][0] : "aou"[k - 26]; /* ä ö ü */
			if (i < nc && b - a == ll && memcmp(form + a, letters[k], ll) == 0)
				continue; /* the letter itself; inserted before itself, made as inserted after it */
			memcpy(v, form, a);
			memcpy(v + a, letters[k], ll);
			if (i < nc && prune_keeps(pr, i, mc, 1)) {
				memcpy(v + a + ll, form + b, flen - b);
				fn(ctx, v, a + ll + flen - b, (unsigned)i);
			}
			if (!prune_keeps(pr, i, mc, 0))
				continue;
			memcpy(v + a + ll, form + a, flen - a);
			fn(ctx, v, flen + ll, (unsigned)i);
		}
	}
}

static void try_variant_cb(void *vs, const char *v, size_t n, unsigned pos)
{
	try_variant(vs, v, n, pos);
}

/*
 * The words one edit away from the word as written, each stemmed as the
 * analyzer stems.  This finds what the stem misses when the typo is in
 * the ending: "Kodierng" has the stem kodierng, two edits from kodier
 * (Kodierung), but one inserted u away from the word.
 */
static void form_variants(variants *vs, const char *form, size_t flen, int all)
{
	edits(form, flen, all, vs->pr, try_variant_cb, vs);
}

/*
 * A reader keeps what a word's variants found (lx_memo_put, until a
 * reopen finds a new revision): a word met again, in the next query or
 * another's suggestion, costs no stemming and look-ups (a remote reader:
 * no exchange).  XQuAD asks several questions of each paragraph, so their
 * rare words (names) come again.  Key: the word as written and
 * whether every edit was made; value: a memo_hits, then its typo_hits.
 */
typedef struct {
	size_t variants; /* the variants made (counted against LUPE_TYPO_VARIANTS_MAX again) */
	int n_hits;
} memo_hits;

static size_t memo_key(char *key, const typo_word *w)
{
	memcpy(key, "typo:", 5);
	key[5] = (char)('0' + w->all);
	memcpy(key + 6, w->form, w->flen);
	return w->flen + 6;
}

/* The word's hits from the reader's memo into w: 1, or 0 when not kept (or out of memory). */
static int memo_recall(lx_db *db, lupe_typo_memo *m, typo_word *w)
{
	char key[TYPO_FORM_MAX + 8];
	const void *v;
	size_t vl;
	memo_hits h;
	if (!lx_memo_get(db, key, memo_key(key, w), &v, &vl) || vl < sizeof h)
		return 0;
	memcpy(&h, v, sizeof h);
	if (h.n_hits < 0 || vl != sizeof h + (size_t)h.n_hits * sizeof(typo_hit))
		return 0;
	typo_hit *hits = h.n_hits ? malloc((size_t)h.n_hits * sizeof *hits) : NULL;
	if (h.n_hits && !hits)
		return 0;
	if (h.n_hits)
		memcpy(hits, (const char *)v + sizeof h, (size_t)h.n_hits * sizeof *hits);
	/* What the look-ups would have taught the query (corrections are looked up again otherwise). */
	for (int i = 0; i < h.n_hits; i++)
		if (lupe_typo_memo_learn(m, hits[i].term, strlen(hits[i].term), hits[i].freq) < 0) {
			free(hits);
			return 0;
		}
	free(w->hits);
	w->hits = hits;
	w->n_hits = w->cap_hits = h.n_hits;
	w->probed = 1;
	m->variants += h.variants;
	return 1;
}

static void memo_keep(lx_db *db, const typo_word *w, size_t variants)
{
	char key[TYPO_FORM_MAX + 8];
	memo_hits h = {variants, w->n_hits};
	size_t vl = sizeof h + (size_t)w->n_hits * sizeof(typo_hit);
	char *v = malloc(vl);
	if (!v)
		return;
	memcpy(v, &h, sizeof h);
	if (w->n_hits)
		memcpy(v + sizeof h, w->hits, (size_t)w->n_hits * sizeof(typo_hit));
	lx_memo_put(db, key, memo_key(key, w), v, vl);
	free(v);
}

/*
 * The same for what lupe_fuzzy_terms_scan found near a word's stem (a
 * word none of whose variants the index holds): key the term, the keep
 * and the distance; value the count, then the candidates.
 */
static size_t near_key(char *key, const char *term, size_t tlen, size_t keep, int dist)
{
	memcpy(key, "near:", 5);
	key[5] = (char)('0' + keep);
	key[6] = (char)('0' + dist);
	memcpy(key + 7, term, tlen);
	return tlen + 7;
}

static int near_recall(lx_db *db, typo_word *w, size_t keep, int dist)
{
	char key[sizeof w->term + 8];
	const void *v;
	size_t vl;
	int n;
	if (!lx_memo_get(db, key, near_key(key, w->term, w->tlen, keep, dist), &v, &vl) || vl < sizeof n)
		return 0;
	memcpy(&n, v, sizeof n);
	if (n < 0 || n > LUPE_FUZZY_MAX || vl != sizeof n + (size_t)n * sizeof w->near[0][0])
		return 0;
	memcpy(w->near[keep], (const char *)v + sizeof n, (size_t)n * sizeof w->near[0][0]);
	w->n_near[keep] = n;
	return 1;
}

static void near_keep(lx_db *db, const typo_word *w, size_t keep, int dist)
{
	char key[sizeof w->term + 8];
	char v[sizeof(int) + sizeof w->near[0]];
	int n = w->n_near[keep];
	if (n < 0 || n > LUPE_FUZZY_MAX)
		return;
	memcpy(v, &n, sizeof n);
	memcpy(v + sizeof n, w->near[keep], (size_t)n * sizeof w->near[0][0]);
	lx_memo_put(db, key, near_key(key, w->term, w->tlen, keep, dist), v, sizeof n + (size_t)n * sizeof w->near[0][0]);
}

/*
 * Look up every one-edit variant of the word (from its first letter on:
 * a caller that keeps letters filters by position) in one batch, and keep
 * those the index holds, in the order they were made.  0, or -1 out of memory.
 */
static int probe_words(typo_word **ws, size_t nw, lx_db *db, lupe_analyzer *an, lupe_typo_memo *m)
{
	lupe_probes *known = &m->freqs;
	variants vs = {.an = an};
	int rc = 0, full = 0;
	size_t made[LUPE_TYPO_BUDGET] = {0};
	unsigned char recalled[LUPE_TYPO_BUDGET] = {0};
	prune *pr = malloc(sizeof *pr);
	for (size_t k = 0; k < nw; k++) {
		if (k < LUPE_TYPO_BUDGET && memo_recall(db, m, ws[k])) {
			recalled[k] = 1;
			continue;
		}
		size_t before = vs.n;
		vs.word = k;
		vs.pr = NULL;
		if (pr && ws[k]->all) {
			prune_word(pr, db, ws[k]->form, ws[k]->flen);
			vs.pr = pr;
		}
		form_variants(&vs, ws[k]->form, ws[k]->flen, ws[k]->all);
		if (k < LUPE_TYPO_BUDGET)
			made[k] = vs.n - before;
	}
	free(pr);
	m->variants += vs.n;
	if (vs.oom || lupe_probes_run(&vs.probes, db, known) < 0)
		rc = -1;
	for (size_t i = 0; i < vs.n && rc == 0; i++) {
		const variant *x = &vs.v[i];
		typo_word *w = ws[x->word];
		uint64_t f = vs.probes.freq[x->probe];
		if (!f)
			continue;
		if (w->n_hits == TYPO_HITS_MAX) {
			full = 1;
			break;
		}
		if (w->n_hits == w->cap_hits) {
			int nc = w->cap_hits ? w->cap_hits * 2 : 16;
			typo_hit *nh = realloc(w->hits, (size_t)nc * sizeof *nh);
			if (!nh) {
				rc = -1;
				break;
			}
			w->hits = nh;
			w->cap_hits = nc;
		}
		typo_hit *h = &w->hits[w->n_hits++];
		size_t tl = vs.probes.len[x->probe];
		memcpy(h->term, vs.probes.terms.p + vs.probes.off[x->probe], tl + 1);
		size_t fl = x->len < LUPE_TYPO_FORM ? x->len : 0;
		memcpy(h->form, vs.forms.p + x->at, fl);
		h->form[fl] = '\0';
		h->freq = f;
		h->pos = x->pos;
	}
	lupe_probes_free(&vs.probes);
	lupe_buf_free(&vs.forms);
	free(vs.v);
	for (size_t k = 0; k < nw; k++) {
		if (k < LUPE_TYPO_BUDGET && recalled[k])
			continue;
		ws[k]->probed = rc == 0;
		/* A batch cut short at TYPO_HITS_MAX may have left this word's hits out: not kept. */
		if (rc == 0 && !full && k < LUPE_TYPO_BUDGET)
			memo_keep(db, ws[k], made[k]);
	}
	return rc;
}

int lupe_typo_memo_prepare(lupe_typo_memo *m, lx_db *db, lupe_analyzer *an, const char *const *forms,
			   const size_t *flens, const char *const *terms, const size_t *tlens, size_t n)
{
	typo_word *ws[LUPE_TYPO_BUDGET];
	size_t nw = 0;
	int budget = LUPE_TYPO_BUDGET;
	for (size_t i = 0; i < n && budget > 0 && nw < LUPE_TYPO_BUDGET; i++) {
		if (lupe_fuzzy_distance(lupe_utf8_count(forms[i], flens[i])) == 0 || flens[i] > TYPO_FORM_MAX)
			continue;
		long k = lupe_probes_find(&m->freqs, terms[i], tlens[i]);
		if (k < 0 || m->freqs.freq[k] > TYPO_RARE_MAX)
			continue;
		uint64_t own = m->freqs.freq[k];
		budget -= own ? TYPO_COST_KNOWN : TYPO_COST_ABSENT;
		typo_word *w = memo_word(m, forms[i], flens[i], terms[i], tlens[i]);
		if (!w || w->probed)
			continue;
		w->all = own == 0;
		ws[nw++] = w;
	}
	return nw ? probe_words(ws, nw, db, an, m) : 0;
}

/* Whether candidate a comes before b: usual first, then more frequent (stable: the earlier made on a tie). */
static int before(const lupe_fuzzy_cand *c, const unsigned char *usual, int a, int b)
{
	if (usual[a] != usual[b])
		return usual[a] > usual[b];
	return c[a].freq > c[b].freq;
}

int lupe_typo_corrections(lx_db *db, lupe_analyzer *an, lupe_typo_memo *memo, const char *form, size_t flen,
			  const char *term, size_t tlen, size_t keep, int *budget, uint64_t *own_freq, lupe_typo_cand *out,
			  int max)
{
	lupe_fuzzy_cand c[LUPE_FUZZY_MAX];
	char forms[LUPE_FUZZY_MAX][LUPE_TYPO_FORM];
	unsigned char usual[LUPE_FUZZY_MAX] = {0};
	signed char known[LUPE_FUZZY_MAX]; /* whether the word list knows usual_forms[i]: -1 not asked */
	char usual_forms[LUPE_FUZZY_MAX][LUPE_TYPO_FORM];
	int order[LUPE_FUZZY_MAX];
	if (own_freq)
		*own_freq = 0;
	int dist = lupe_fuzzy_distance(lupe_utf8_count(form, flen));
	/* A word longer than TYPO_FORM_MAX bytes is no typo worth its neighbourhood (a 100-letter word). */
	if (dist == 0 || max <= 0 || *budget <= 0 || flen > TYPO_FORM_MAX || tlen >= sizeof c[0].term)
		return 0;
	lupe_typo_memo *own_memo = NULL;
	if (!memo && lupe_typo_memo_new(&own_memo) < 0)
		return 0;
	if (!memo)
		memo = own_memo;
	int k = 0;
	uint64_t own = lupe_typo_memo_termfreq(memo, db, term, tlen);
	if (own_freq)
		*own_freq = own;
	if (own > TYPO_RARE_MAX)
		goto done;
	*budget -= own ? TYPO_COST_KNOWN : TYPO_COST_ABSENT;
	if (keep > 2)
		keep = 2;
	typo_word *w = memo_word(memo, form, flen, term, tlen);
	if (!w)
		goto done;
	/*
	 * One edit of the word as written first: the closest reading of what
	 * was typed.  Only when there is none, the terms near its stem (one
	 * edit from 5 letters, two from 9).  A word the index holds is
	 * checked more cheaply, since most rare words are no typos (names,
	 * terms of art) and a question holds several: only its deleted and
	 * swapped letters (a doubled or swapped letter makes most of the
	 * typos that happen to be words somewhere), about 2 lookups a letter
	 * instead of 60 and a scan of the stem's neighbours.  The variants
	 * are looked up once per query, all of them in one batch, and every
	 * caller (the query, the suggestion) reads the same look-ups.
	 */
	w->all = own == 0;
	/* The query's typo work is bounded by what it stemmed, too (typo.h). */
	if (!w->probed && memo->variants >= LUPE_TYPO_VARIANTS_MAX)
		goto done;
	if (!w->probed && probe_words(&w, 1, db, an, memo) < 0)
		goto done;
	int n = 0;
	lupe_probes seen = {0};
	for (int i = 0; i < w->n_hits; i++) {
		const typo_hit *h = &w->hits[i];
		size_t hl = strlen(h->term);
		if (h->pos < keep)
			continue;
		/*
		 * A term counts once, for the first variant that gave it (a
		 * doubled letter gives the same twice); it is usual when any
		 * variant that gave it undoes a usual typo (verkehrsreichte:
		 * verkehrsreichste, s dropped, though verkehrsreiche, t added,
		 * came first).
		 */
		int u = h->form[0] && lupe_typo_usual(w->form, w->flen, h->form, strlen(h->form));
		size_t before = seen.n;
		if (lupe_probes_add(&seen, h->term, hl) < 0)
			break;
		if (seen.n == before) {
			for (int j = 0; j < n && u; j++) {
				if (strcmp(c[j].term, h->term) != 0)
					continue;
				/*
				 * Of two usual variants, one the word list knows (papir:
				 * "papier", an e dropped, not "papie", r hit for e).
				 */
				if (usual[j] && known[j] < 0)
					known[j] = lupe_decomp_known(usual_forms[j], strlen(usual_forms[j])) == 2;
				if (!usual[j] || (!known[j] && lupe_decomp_known(h->form, strlen(h->form)) == 2)) {
					known[j] = usual[j] ? 1 : -1;
					usual[j] = 1;
					memcpy(usual_forms[j], h->form, LUPE_TYPO_FORM);
				}
			}
			continue;
		}
		int at = lupe_fuzzy_add(c, &n, LUPE_FUZZY_MAX, term, tlen, h->term, hl, 1, h->freq);
		if (at >= 0) {
			memcpy(forms[at], h->form, LUPE_TYPO_FORM);
			usual[at] = (unsigned char)u;
			known[at] = -1;
			memcpy(usual_forms[at], u ? h->form : "", u ? LUPE_TYPO_FORM : 1);
		}
	}
	lupe_probes_free(&seen);
	for (int i = 0; i < n; i++)
		order[i] = i;
	if (n > 0) {
		/*
		 * Those a usual typo explains first (lupe_typo_usual: a letter
		 * dropped, doubled or swapped, a neighbouring key), then the most
		 * frequent: a typo is far likelier to be one of those than any
		 * other one-edit change, so "Traner" reads as Trainer (an i
		 * dropped) before the far more frequent Trauer (n hit for u).
		 * Insertion sort: a few dozen at most.
		 */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 && before(c, usual, order[j], order[j - 1]); j--) {
				int t = order[j];
				order[j] = order[j - 1];
				order[j - 1] = t;
			}
	} else if (own == 0) {
		if (!w->near_done[keep] && !near_recall(db, w, keep, dist)) {
			w->n_near[keep] = lupe_fuzzy_terms_scan(db, &memo->freqs, &w->scan, term, tlen, dist, keep,
								w->near[keep], LUPE_FUZZY_MAX);
			near_keep(db, w, keep, dist);
		}
		w->near_done[keep] = 1;
		n = w->n_near[keep] < LUPE_FUZZY_MAX ? w->n_near[keep] : LUPE_FUZZY_MAX;
		if (n <= 0)
			goto done;
		memcpy(c, w->near[keep], (size_t)n * sizeof c[0]);
		for (int i = 0; i < n; i++) {
			order[i] = i;
			forms[i][0] = '\0';
		}
	}
	if (n <= 0)
		goto done;
	/* Closest first, then most frequent. */
	int best = c[order[0]].dist;
	uint64_t top = 0;
	for (int i = 0; i < n && c[order[i]].dist == best; i++)
		if (c[order[i]].freq > top)
			top = c[order[i]].freq;
	for (int i = 0; i < n && k < max; i++) {
		const lupe_fuzzy_cand *x = &c[order[i]];
		if (x->dist != best && x->freq < top * TYPO_FAR_RATIO)
			continue;
		if (own && x->freq < own * TYPO_RARE_RATIO)
			continue;
		out[k].c = *x;
		memcpy(out[k].form, forms[order[i]], LUPE_TYPO_FORM);
		out[k].usual = usual[order[i]];
		memcpy(out[k].usual_form, usual[order[i]] ? usual_forms[order[i]] : "", usual[order[i]] ? LUPE_TYPO_FORM : 1);
		k++;
	}
done:
	lupe_typo_memo_free(own_memo);
	return k;
}

/* lupe_typo_compound's search: the best variant so far. */
typedef struct {
	lx_db *db;
	lupe_analyzer *an;
	lupe_typo_memo *memo;
	const lupe_decompounder *dc;
	const char *form; /* the word as written */
	size_t flen;
	char best[LUPE_TYPO_FORM];
	size_t best_len;
	uint64_t best_key[5];
	/*
	 * Whether the best variant is worth naming as a suggestion: its edit
	 * undoes a usual typo (lupe_typo_usual), and it changed the part's term
	 * (verfasung -> verfassung) or made the part one of a sub-compound the
	 * index holds (halt|stelle -> haltestelle).  An edit that leaves the
	 * part's term as it was and makes no held word searches what the word
	 * typed meant, but naming it would only show a stranger word
	 * (Nichtvorhandensein -> "Nichte|vorhandensein": nicht is never a
	 * part, so only the variant splits).
	 */
	int best_named;
} compound_search;

/* Where character c (n bytes of UTF-8) is on a German keyboard: its row, and *col; -1 when no letter key. */
static int key_at(const char *c, size_t n, int *col)
{
	static const char *const rows[] = {"qwertzuiop\xc3\xbc", "asdfghjkl\xc3\xb6\xc3\xa4", "yxcvbnm"};
	for (int r = 0; r < 3; r++) {
		*col = 0;
		for (const char *k = rows[r]; *k; (*col)++) {
			size_t kl = ((unsigned char)*k & 0x80) ? 2 : 1;
			if (kl == n && memcmp(k, c, n) == 0)
				return r;
			k += kl;
		}
	}
	return -1;
}

int lupe_typo_usual(const char *form, size_t flen, const char *v, size_t n)
{
	size_t d = 0, s = 0;
	while (d < n && d < flen && v[d] == form[d])
		d++;
	while (s < n - d && s < flen - d && v[n - 1 - s] == form[flen - 1 - s])
		s++;
	size_t fr = flen - d - s, vr = n - d - s; /* the differing bytes of each */
	if (fr == 0)
		return 1; /* a letter inserted: the one dropped */
	if (vr == 0) { /* deleted: a letter that stands twice */
		while (d > 0 && ((unsigned char)form[d] & 0xC0) == 0x80)
			d--;
		return (d >= fr && memcmp(form + d - fr, form + d, fr) == 0) ||
		       (d + 2 * fr <= flen && memcmp(form + d, form + d + fr, fr) == 0);
	}
	/* back to whole characters */
	while (d > 0 && (((unsigned char)form[d] & 0xC0) == 0x80 || ((unsigned char)v[d] & 0xC0) == 0x80)) {
		d--;
		fr++;
		vr++;
	}
	if (fr == vr && fr >= 2) { /* swapped: the two characters in the other order */
		size_t a = ((unsigned char)form[d] & 0x80) ? 2 : 1;
		return a < fr && fr - a == (((unsigned char)form[d + a] & 0x80) ? 2u : 1u) &&
		       memcmp(v + d, form + d + a, fr - a) == 0 && memcmp(v + d + fr - a, form + d, a) == 0;
	}
	if (fr > 2 || vr > 2)
		return 0;
	int fc, vc, frow = key_at(form + d, fr, &fc), vrow = key_at(v + d, vr, &vc);
	if (frow < 0 || vrow < 0)
		return 0;
	static const char *const dots[][2] = {{"a", "\xc3\xa4"}, {"o", "\xc3\xb6"}, {"u", "\xc3\xbc"}};
	for (int i = 0; i < 3; i++)
		if (fr == 1 && vr == 2 && form[d] == dots[i][0][0] && memcmp(v + d, dots[i][1], 2) == 0)
			return 1;
	int dr = frow - vrow, dc = fc - vc;
	return (dr == 0 && (dc == 1 || dc == -1)) || ((dr == 1 || dr == -1) && dc >= -1 && dc <= 1);
}

/* The documents of the term of v's bytes [a, b), stemmed as the analyzer stems. */
static uint64_t piece_freq(compound_search *c, const char *v, uint32_t a, uint32_t b)
{
	size_t tl = 0;
	const char *t = lupe_analyzer_stem_folded(c->an, v + a, b - a, &tl);
	return t && tl ? lupe_typo_memo_termfreq(c->memo, c->db, t, tl) : 0;
}

static void compound_cb(void *vc, const char *v, size_t n, unsigned pos)
{
	compound_search *c = vc;
	lupe_part parts[16];
	(void)pos;
	if (n >= LUPE_TYPO_FORM)
		return;
	/* Split as the analyzer splits (a feminine form as its base): its leaves, then its sub-compounds. */
	size_t fl = lupe_de_prestem(v, n);
	int nl = lupe_decomp_leaves(c->dc, v, fl, parts, 16);
	if (nl < 2)
		return;
	uint64_t low = UINT64_MAX;
	for (int i = 0; i < nl && low; i++) {
		uint64_t f = piece_freq(c, v, parts[i].start, parts[i].end);
		if (f < low)
			low = f;
	}
	if (low == 0)
		return; /* a part the index lacks */
	/*
	 * The edit must mend a part, not make another word of one: the part
	 * it falls in, as written, is either no word of the index or the same
	 * word (Halt|stelle -> Halte|stelle).  "Nichtvorhandensein" is no
	 * "Dicht|vorhandensein", and an edit between parts (a linking s
	 * inserted) mends none.
	 */
	size_t d = 0, s = 0;
	while (d < n && d < c->flen && v[d] == c->form[d])
		d++;
	while (s < n - d && s < c->flen - d && v[n - 1 - s] == c->form[c->flen - 1 - s])
		s++;
	/*
	 * The parts the edit touches, from the one it begins in (or the one
	 * after the link it begins in) to the one it ends in: one part
	 * mostly; two when letters are swapped across a link
	 * (Schulednroulette: schuld|en|roulette, written "schuledn").  An
	 * edit within a link alone mends no part.
	 */
	size_t ve = n - s > d ? n - s : d + 1; /* the edit's end in v */
	int in = -1, out = -1;
	for (int i = 0; i < nl; i++) {
		if (in < 0 && parts[i].end > d)
			in = i;
		if (parts[i].start < ve)
			out = i;
	}
	if (in < 0 || out < in || (in == out && d < parts[in].start && ve <= parts[in].start))
		return;
	size_t a = parts[in].start < d ? parts[in].start : d;
	size_t e = parts[out].end > ve ? parts[out].end : ve; /* the parts' bytes in v */
	size_t b = e + c->flen - n;                           /* ... and as written */
	if (b <= a || b > c->flen || e > n)
		return;
	size_t wl = 0, ml = 0;
	const char *w = lupe_analyzer_stem_folded(c->an, c->form + a, b - a, &wl);
	char was[LUPE_TYPO_FORM];
	if (!w || wl == 0 || wl >= sizeof was)
		return;
	memcpy(was, w, wl); /* the stem cache may move under the next call */
	const char *m = lupe_analyzer_stem_folded(c->an, v + a, e - a, &ml);
	if (!m)
		return;
	int named = ml != wl || memcmp(m, was, wl) != 0;
	if (named && lupe_typo_memo_termfreq(c->memo, c->db, was, wl) > 0)
		return;
	/*
	 * Which reading: first the most bytes in sub-compounds the index
	 * holds (Strassenbahn|haltestelle, not Strassenbahn|hart|stelle),
	 * then an edit that undoes a usual typo (lupe_typo_usual), then the most
	 * documents for its rarest part, then the fewest parts (Verordnung,
	 * not Verordn|Aug), then (kept, below) the letters typed kept.
	 */
	uint64_t held = 0;
	int ns = lupe_decomp_split(c->dc, v, fl, parts, 16);
	for (int i = nl; i < ns; i++)
		if (piece_freq(c, v, parts[i].start, parts[i].end) > 0) {
			held += parts[i].end - parts[i].start;
			if (parts[i].start <= parts[in].start && parts[i].end >= parts[in].end)
				named = 1;
		}
	int usual = lupe_typo_usual(c->form, c->flen, v, n);
	/*
	 * Last, of readings alike so far (the same parts, mostly): an edit
	 * that keeps the letters typed, a letter dropped, doubled or swapped,
	 * before a key hit next to the one meant (Inlansnachfrage: the d
	 * dropped, Inlandsnachfrage, not the s for a d, Inlandnachfrage).
	 */
	int kept = usual && (n != c->flen || (ve - d == 2 && v[d] == c->form[d + 1] && v[d + 1] == c->form[d]));
	uint64_t key[5] = {held, (uint64_t)usual, low, (uint64_t)(16 - nl), (uint64_t)kept};
	if (c->best_len) {
		int better = 0;
		for (int i = 0; i < 5 && !better; i++) {
			if (key[i] < c->best_key[i])
				return;
			better = key[i] > c->best_key[i];
		}
		if (!better)
			return;
	}
	memcpy(c->best, v, n);
	c->best[n] = '\0';
	c->best_len = n;
	memcpy(c->best_key, key, sizeof key);
	c->best_named = named && usual;
}

size_t lupe_typo_compound(lx_db *db, lupe_analyzer *an, lupe_typo_memo *memo, const char *form, size_t flen,
			  int *budget, char *out)
{
	const lupe_decompounder *dc = lupe_analyzer_decompounder(an);
	out[0] = '\0';
	if (!dc || !memo || flen < LUPE_TYPO_COMPOUND_MIN || flen > TYPO_FORM_MAX || *budget <= 0)
		return 0;
	long asked = lupe_typo_memo_mended(memo, form, flen, out, NULL);
	if (asked >= 0)
		return (size_t)asked;
	*budget -= LUPE_TYPO_COMPOUND_COST;
	compound_search c = {db, an, memo, dc, form, flen, {0}, 0, {0}, 0};
	edits(form, flen, 1, NULL, compound_cb, &c);
	if (memo->n_mends < TYPO_MENDS_MAX) {
		typo_mend *m = &memo->mends[memo->n_mends++];
		memcpy(m->form, form, flen);
		m->form[flen] = '\0';
		m->flen = flen;
		memcpy(m->fixed, c.best, c.best_len + 1);
		m->named = c.best_named;
	}
	if (!c.best_len)
		return 0;
	memcpy(out, c.best, c.best_len + 1);
	return c.best_len;
}

long lupe_typo_memo_mended(const lupe_typo_memo *memo, const char *form, size_t flen, char *out, int *named)
{
	if (named)
		*named = 0;
	out[0] = '\0';
	for (int i = 0; memo && i < memo->n_mends; i++) {
		const typo_mend *m = &memo->mends[i];
		if (m->flen != flen || memcmp(m->form, form, flen) != 0)
			continue;
		size_t n = strlen(m->fixed);
		memcpy(out, m->fixed, n + 1);
		if (named)
			*named = m->named;
		return (long)n;
	}
	return -1;
}

int lupe_typo_keep_usual(lupe_typo_cand *c, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (c[i].usual)
			c[k++] = c[i];
	return k;
}

int lupe_typo_any_usual(const lupe_typo_cand *c, int n)
{
	for (int i = 0; i < n; i++)
		if (c[i].usual)
			return 1;
	return 0;
}

int lupe_typo_corrections_as_typed(lx_db *db, lupe_analyzer *an, lupe_typo_memo *memo, const char *raw, size_t rl,
				   const char *form, size_t flen, const char *term, size_t tlen, size_t keep,
				   int *budget, uint64_t *own_freq, lupe_typo_cand *c, int n, int max, int *replaced)
{
	if (replaced)
		*replaced = 0;
	if (n < 0 || rl == 0 || (rl == flen && memcmp(raw, form, rl) == 0) || max > LUPE_TYPO_ALTS)
		return n;
	if (lupe_typo_any_usual(c, n))
		return n;
	lupe_typo_cand t[LUPE_TYPO_ALTS];
	uint64_t own = 0;
	int m = lupe_typo_corrections(db, an, memo, raw, rl, term, tlen, keep, budget, &own, t, max);
	if (!lupe_typo_any_usual(t, m))
		return n;
	memcpy(c, t, (size_t)m * sizeof *c);
	if (own_freq)
		*own_freq = own;
	if (replaced)
		*replaced = 1;
	return m;
}

int lupe_typo_corrections_add_typed(lx_db *db, lupe_analyzer *an, lupe_typo_memo *memo, const char *raw, size_t rl,
				    const char *form, size_t flen, const char *term, size_t tlen, size_t keep,
				    int *budget, lupe_typo_cand *c, int n, int max)
{
	if (n <= 0 || rl == 0 || (rl == flen && memcmp(raw, form, rl) == 0) || max > LUPE_TYPO_ALTS)
		return n;
	if (!lupe_typo_any_usual(c, n))
		return n;
	lupe_typo_cand t[LUPE_TYPO_ALTS];
	uint64_t own = 0;
	int m = lupe_typo_corrections(db, an, memo, raw, rl, term, tlen, keep, budget, &own, t, max);
	for (int i = 0; i < m; i++) {
		if (!t[i].usual)
			continue;
		int have = 0;
		for (int j = 0; j < n && !have; j++)
			have = strcmp(c[j].c.term, t[i].c.term) == 0;
		if (have)
			continue;
		if (n < max) {
			c[n++] = t[i];
			continue;
		}
		int j = n - 1;
		while (j >= 0 && c[j].usual)
			j--;
		if (j < 0)
			break;
		c[j] = t[i];
	}
	return n;
}
