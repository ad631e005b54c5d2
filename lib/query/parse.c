/*
 * The query parser: bytes -> tokens -> tree (see parse.h for the grammar).
 *
 * It works in two passes so that hostile input stays cheap:
 *
 *  1. The lexer walks the bytes once and produces a bounded array of
 *     tokens.  It already applies every limit: words beyond LQ_MAX_WORDS
 *     and tokens beyond LQ_MAX_TOKENS are ignored, a ')' without its '(' is
 *     dropped, and parentheses nested deeper than LQ_MAX_DEPTH are not
 *     emitted at all, so their contents join the enclosing level.  Words
 *     without a letter or digit ("-", "!!", "**") are dropped here too: the
 *     analyzer would drop them anyway, and dropping them early means that
 *     "a OR -" ends in a dangling operator instead of a word-less operand.
 *
 *  2. A recursive descent over the tokens builds the tree.  Recursion only
 *     happens at '(' and the lexer guarantees at most LQ_MAX_DEPTH of them
 *     are open, so the stack stays small.  Every loop consumes a token per
 *     round, so parsing is linear in the number of tokens.
 *
 * Whether a capitalised operator word acts as an operator depends only on
 * its neighbours: it needs an operand before it (it is not the first token
 * of a group) and something after it (neither the end nor ')').  Otherwise
 * it is an ordinary word, which the analyzer searches or drops.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "query/parse.h"
#include "util/utf8.h"

/* Tokens beyond this are ignored; it bounds memory for "()()()...". */
#define LQ_MAX_TOKENS (8 * LQ_MAX_WORDS)

enum { T_LP, T_RP, T_WORD, T_PREFIX, T_PHRASE };
enum { OP_NONE, OP_AND, OP_OR, OP_NOT, OP_NEAR };

typedef struct {
	unsigned char type;  /* T_* */
	unsigned char op;    /* OP_*: a bare word that may act as an operator */
	unsigned char occur; /* lq_occur from a leading '+' or '-' */
	unsigned char field; /* lq_field from a leading "title:" / "source:" */
	size_t start, len;   /* the text (words, prefixes, phrases) */
} lq_tok;

typedef struct {
	const unsigned char *q;
	size_t len;
	lq_tok *toks;
	size_t n, cap;
	size_t words; /* words emitted so far, phrase words included */
	int oom;
} lq_lexer;

/* ---------------------------------------------------------------------- */
/* Characters                                                              */
/* ---------------------------------------------------------------------- */

/*
 * Byte length of a separator at p, or 0.  ASCII controls (NUL included) and
 * space separate words, and so do the Unicode spaces that copy and paste
 * brings along (no-break space, thin spaces, ideographic space, BOM).
 */
static size_t sep_len(const unsigned char *p, const unsigned char *end)
{
	size_t left = (size_t)(end - p);

	if (*p <= 0x20 || *p == 0x7f)
		return 1;
	if (left >= 2 && p[0] == 0xc2 && (p[1] == 0xa0 || p[1] == 0x85))
		return 2;
	if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8b) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3;
	if (left >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3;
	if (left >= 3 && p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	if (left >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 3;
	return 0;
}

/* Byte length of a quotation mark at p: " « » “ ” „, or 0. */
static size_t quote_len(const unsigned char *p, const unsigned char *end)
{
	size_t left = (size_t)(end - p);

	if (*p == '"')
		return 1;
	if (left >= 2 && p[0] == 0xc2 && (p[1] == 0xab || p[1] == 0xbb))
		return 2;
	if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x9c && p[2] <= 0x9e)
		return 3;
	return 0;
}

/*
 * Does a quotation mark end just before q + i?  Then a '+' or '-' there is
 * glued to a phrase ("„Fischglas“-artigen", written text quoting part of a
 * word), not an operator, which must follow a separator or start the query.
 */
static int after_quote(const unsigned char *q, size_t i)
{
	if (i >= 1 && q[i - 1] == '"')
		return 1;
	if (i >= 2 && q[i - 2] == 0xc2 && (q[i - 1] == 0xab || q[i - 1] == 0xbb))
		return 1;
	return i >= 3 && q[i - 3] == 0xe2 && q[i - 2] == 0x80 && q[i - 1] >= 0x9c && q[i - 1] <= 0x9e;
}

/* Does a word end at p? */
static int word_end(const unsigned char *p, const unsigned char *end)
{
	return p == end || *p == '(' || *p == ')' || sep_len(p, end) || quote_len(p, end);
}

/*
 * The length of a bracketed gender ending at p, "(in)" or "(innen)" ending
 * the word, or 0: "Mitarbeiter(innen)" is a gendered word
 * (analysis/german.c), not a word and a group.
 */
static size_t gender_paren(const unsigned char *p, const unsigned char *end)
{
	static const char *const forms[] = {"(in)", "(innen)"};
	for (int k = 0; k < 2; k++) {
		size_t n = strlen(forms[k]);
		if ((size_t)(end - p) >= n && strncasecmp((const char *)p, forms[k], n) == 0 &&
		    (p + n == end || p[n] == ')' || sep_len(p + n, end) || quote_len(p + n, end)))
			return n;
	}
	return 0;
}

/*
 * Decode one UTF-8 sequence at p; returns its length and the code point in
 * *cp, or 1 and U+FFFD for a byte that does not start a valid sequence.
 */
static size_t utf8_next(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	size_t left = (size_t)(end - p), n;
	uint32_t c = p[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (left < n)
		goto bad;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

/*
 * Could the analyzer find a term in this text?  Only a rough filter: ASCII
 * letters and digits count, and so does any other character outside the
 * punctuation and symbol blocks.  Invalid UTF-8 does not count.
 */
static int has_content(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;

	while (p < end) {
		uint32_t c;

		p += utf8_next(p, end, &c);
		if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return 1;
		if (c < 0xc0 || c == 0xd7 || c == 0xf7)
			continue;
		if ((c >= 0x2000 && c <= 0x206f) || (c >= 0x20a0 && c <= 0x20cf) ||
		    (c >= 0x2190 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
		    (c >= 0xfff0 && c <= 0xffff) || (c >= 0x1f000 && c <= 0x1faff))
			continue;
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Lexer                                                                   */
/* ---------------------------------------------------------------------- */

static int push(lq_lexer *lx, int type, int occur, int field, size_t start, size_t len)
{
	if (lx->n == lx->cap) {
		size_t cap = lx->cap ? 2 * lx->cap : 64;
		lq_tok *t = realloc(lx->toks, cap * sizeof *t);

		if (!t) {
			lx->oom = 1;
			return -1;
		}
		lx->toks = t;
		lx->cap = cap;
	}
	lx->toks[lx->n++] = (lq_tok){(unsigned char)type, OP_NONE, (unsigned char)occur,
				     (unsigned char)field, start, len};
	return 0;
}

/* "NEAR" (the default window) or "NEAR/n" with 1 <= n <= LQ_NEAR_MAX: the window, else 0. */
static unsigned near_window(const unsigned char *p, size_t len)
{
	unsigned w = 0;
	if (len < 4 || memcmp(p, "NEAR", 4) != 0)
		return 0;
	if (len == 4)
		return LQ_NEAR_DEFAULT;
	if (p[4] != '/' || len == 5 || len > 8)
		return 0;
	for (size_t i = 5; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		w = w * 10 + (unsigned)(p[i] - '0');
	}
	return (w >= 1 && w <= LQ_NEAR_MAX) ? w : 0;
}

static int op_of(const unsigned char *p, size_t len)
{
	static const struct {
		const char *s;
		int op;
	} ops[] = {{"AND", OP_AND}, {"UND", OP_AND}, {"OR", OP_OR},
		   {"ODER", OP_OR}, {"NOT", OP_NOT}, {"NICHT", OP_NOT}};

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strlen(ops[i].s) == len && memcmp(ops[i].s, p, len) == 0)
			return ops[i].op;
	return near_window(p, len) ? OP_NEAR : OP_NONE;
}

/*
 * A field name followed by ':', or 0.  Returns the bytes it takes: the name,
 * and the separators after it ("title: Bund" is "title:Bund", as people type
 * it and as Lucene reads it).  A name with nothing after it ("title:" at the
 * end, or before ')') applies to nothing and is dropped; a name not followed
 * by ':' ("Fazit: Steuer", "x:y") is not a field.
 */
static size_t field_prefix(const unsigned char *p, const unsigned char *end, int *field)
{
	static const struct {
		const char *name;
		int field;
	} fields[] = {{"title:", LQ_FIELD_TITLE},
		      {"source:", LQ_FIELD_SOURCE},
		      {"path:", LQ_FIELD_PATH},
		      {"date:", LQ_FIELD_DATE}};

	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		size_t n = strlen(fields[i].name), k;

		if ((size_t)(end - p) < n)
			continue;
		for (k = 0; k < n; k++)
			if ((p[k] | (p[k] >= 'A' && p[k] <= 'Z' ? 0x20 : 0)) != (unsigned char)fields[i].name[k])
				break;
		if (k < n)
			continue;
		while (p + k < end && sep_len(p + k, end))
			k += sep_len(p + k, end);
		*field = fields[i].field;
		return k;
	}
	return 0;
}

/*
 * A phrase runs from after its opening quote to the next quotation mark of
 * any kind, or to the end of the query.  Its text is trimmed; its words
 * count against LQ_MAX_WORDS and the phrase is cut where the budget ends.
 * Returns the position after the phrase.
 */
static size_t lex_phrase(lq_lexer *lx, size_t i, int occur, int field)
{
	const unsigned char *q = lx->q, *end = lx->q + lx->len;
	size_t start = i, stop, words = 0, cut = 0;
	int in_word = 0;

	while (i < lx->len && !quote_len(q + i, end)) {
		size_t s = sep_len(q + i, end);

		if (s) {
			if (in_word && words == LQ_MAX_WORDS - lx->words && !cut)
				cut = i;
			in_word = 0;
			i += s;
			continue;
		}
		if (!in_word)
			words++;
		in_word = 1;
		i++;
	}
	stop = i;
	if (i < lx->len)
		i += quote_len(q + i, end);
	if (cut) {
		stop = cut;
		words = LQ_MAX_WORDS - lx->words;
	}

	/* Trim separators at both ends. */
	while (start < stop && sep_len(q + start, q + stop))
		start += sep_len(q + start, q + stop);
	while (stop > start) {
		size_t k = 1;

		while (k <= 3 && k <= stop - start && sep_len(q + stop - k, q + stop) != k)
			k++;
		if (k > 3 || k > stop - start)
			break;
		stop -= k;
	}
	if (has_content(q + start, stop - start)) {
		lx->words += words;
		push(lx, T_PHRASE, occur, field, start, stop - start);
	}
	return i;
}

/*
 * One token starting at i (not a separator); returns the position after it.
 * A leading '+'/'-' and a field name are attributes of the token that
 * follows them, so "-title:(a b)" is one '(' token with both.
 */
static size_t lex_one(lq_lexer *lx, size_t i, int *depth)
{
	const unsigned char *q = lx->q, *end = lx->q + lx->len;
	int occur = LQ_OPTIONAL, field = LQ_FIELD_ANY;
	size_t n, start;

	if (q[i] == ')') {
		/* A stray ')' and the ')' of a flattened '(' are not emitted. */
		if (*depth > 0 && *depth <= LQ_MAX_DEPTH)
			push(lx, T_RP, LQ_OPTIONAL, LQ_FIELD_ANY, i, 1);
		if (*depth > 0)
			(*depth)--;
		return i + 1;
	}
	if ((q[i] == '+' || q[i] == '-') && i + 1 < lx->len && q[i + 1] != ')' &&
	    !sep_len(q + i + 1, end) && !after_quote(q, i)) {
		occur = q[i] == '+' ? LQ_REQUIRED : LQ_EXCLUDED;
		i++;
	}
	while (i < lx->len && (n = field_prefix(q + i, end, &field)) != 0)
		i += n;
	if (i >= lx->len)
		return i; /* a field name with nothing after it */

	if (q[i] == '(') {
		if (*depth < LQ_MAX_DEPTH)
			push(lx, T_LP, occur, field, i, 1);
		(*depth)++;
		return i + 1;
	}
	if ((n = quote_len(q + i, end)) != 0)
		return lex_phrase(lx, i + n, occur, field);

	start = i;
	for (;;) {
		size_t g = i > start && q + i < end && q[i] == '(' ? gender_paren(q + i, end) : 0;
		if (g) {
			i += g;
			continue;
		}
		if (word_end(q + i, end))
			break;
		i++;
	}
	n = i - start;
	if (has_content(q + start, n)) {
		/*
		 * A hyphen group's words count one by one (E-Mail-Adresse is
		 * three), and the group is cut where the budget ends, as a
		 * phrase is: each is analysed, looked up and typo-probed.
		 */
		size_t words = 1, left = LQ_MAX_WORDS - lx->words;
		for (size_t k = 1; k + 1 < n; k++) {
			if (q[start + k] != '-' || q[start + k - 1] == '-' || q[start + k + 1] == '-')
				continue;
			if (words == left && has_content(q + start, k)) {
				n = k;
				break;
			}
			words++;
		}
		size_t stem = n;

		while (stem > 0 && q[start + stem - 1] == '*')
			stem--;
		lx->words += words;
		if (stem < n && lupe_utf8_count((const char *)q + start, stem) >= 2 && has_content(q + start, stem)) {
			push(lx, T_PREFIX, occur, field, start, stem);
		} else if (push(lx, T_WORD, occur, field, start, n) == 0 &&
			   occur == LQ_OPTIONAL && field == LQ_FIELD_ANY) {
			lx->toks[lx->n - 1].op = (unsigned char)op_of(q + start, n);
		}
	}
	return i;
}

static int lex(lq_lexer *lx)
{
	const unsigned char *end = lx->q + lx->len;
	size_t i = 0;
	int depth = 0;

	while (i < lx->len && !lx->oom && lx->words < LQ_MAX_WORDS && lx->n < LQ_MAX_TOKENS) {
		size_t s = sep_len(lx->q + i, end);

		i = s ? i + s : lex_one(lx, i, &depth);
	}
	return lx->oom ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Tree                                                                    */
/* ---------------------------------------------------------------------- */

void lq_free(lq_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_kids; i++)
		lq_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

typedef struct {
	const unsigned char *q;
	const lq_tok *t;
	size_t n, i;
	int depth;
	int oom;
} lq_parser;

static lq_node *new_node(lq_parser *p, lq_kind kind, int field)
{
	lq_node *n = calloc(1, sizeof *n);

	if (!n) {
		p->oom = 1;
		return NULL;
	}
	n->kind = kind;
	n->occur = LQ_OPTIONAL;
	n->field = (lq_field)field;
	return n;
}

static lq_node *new_leaf(lq_parser *p, const lq_tok *t, int field)
{
	lq_kind kind = t->type == T_PHRASE ? LQ_PHRASE : t->type == T_PREFIX ? LQ_PREFIX : LQ_WORD;
	lq_node *n = new_node(p, kind, t->field ? t->field : field);

	if (!n)
		return NULL;
	n->text = malloc(t->len + 1);
	if (!n->text) {
		free(n);
		p->oom = 1;
		return NULL;
	}
	/* Phrases may hold separators: controls become spaces so the text is a C string. */
	for (size_t i = 0; i < t->len; i++) {
		unsigned char c = p->q[t->start + i];

		n->text[i] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
	}
	n->text[t->len] = '\0';
	n->text_len = t->len;
	return n;
}

/* Append kid to n; on failure kid is freed. */
static int add_kid(lq_parser *p, lq_node *n, lq_node *kid)
{
	lq_node **k = realloc(n->kids, (n->n_kids + 1) * sizeof *k);

	if (!k) {
		lq_free(kid);
		p->oom = 1;
		return -1;
	}
	n->kids = k;
	n->kids[n->n_kids++] = kid;
	return 0;
}

/*
 * Append kid to n, splicing in the kids of a child of the same kind:
 * AND in AND and OR in OR are associative, a group of optional words in an
 * optional slot of a group is the same free text, and the first operand of
 * an ANDNOT may itself be an ANDNOT.  A child restricted to another field
 * stays whole, so that every node's field holds for its whole subtree.
 */
static int add_flat(lq_parser *p, lq_node *n, lq_node *kid)
{
	int splice = 0;

	if (kid->kind == n->kind && kid->field == n->field) {
		if (n->kind == LQ_AND || n->kind == LQ_OR)
			splice = 1;
		else if (n->kind == LQ_ANDNOT)
			splice = n->n_kids == 0;
		else if (n->kind == LQ_GROUP && kid->occur == LQ_OPTIONAL) {
			splice = 1;
			for (size_t i = 0; i < kid->n_kids; i++)
				if (kid->kids[i]->occur != LQ_OPTIONAL)
					splice = 0;
		}
	}
	if (!splice)
		return add_kid(p, n, kid);
	for (size_t i = 0; i < kid->n_kids; i++) {
		if (add_kid(p, n, kid->kids[i]) < 0) {
			/* kids[i] is freed; free the kids not moved yet and the shell. */
			for (size_t j = i + 1; j < kid->n_kids; j++)
				lq_free(kid->kids[j]);
			kid->n_kids = 0;
			lq_free(kid);
			return -1;
		}
	}
	kid->n_kids = 0;
	lq_free(kid);
	return 0;
}

/*
 * Turn a node with kids into its simplest form: no kids is nothing, one
 * kid of an AND/OR/ANDNOT is that kid, and so is one optional kid of a group.
 */
static lq_node *finish(lq_node *n)
{
	lq_node *kid;

	if (!n || n->n_kids == 0) {
		lq_free(n);
		return NULL;
	}
	if (n->n_kids > 1 || (n->kind == LQ_GROUP && n->kids[0]->occur != LQ_OPTIONAL))
		return n;
	kid = n->kids[0];
	n->n_kids = 0;
	lq_free(n);
	return kid;
}

/* ---------------------------------------------------------------------- */
/* Parser                                                                  */
/* ---------------------------------------------------------------------- */

static const lq_tok *peek(const lq_parser *p)
{
	return p->i < p->n ? &p->t[p->i] : NULL;
}

/* Is the operator word at position i followed by an operand? (NEAR binds inside a group.) */
static int op_acts(const lq_parser *p, size_t i)
{
	return p->t[i].op != OP_NONE && p->t[i].op != OP_NEAR && i + 1 < p->n && p->t[i + 1].type != T_RP;
}

/* Is there a NEAR operator at i with an operand after it? */
static int near_acts(const lq_parser *p, size_t i)
{
	return i + 1 < p->n && p->t[i].op == OP_NEAR && p->t[i + 1].type != T_RP && p->t[i + 1].op == OP_NONE;
}

static lq_node *parse_or(lq_parser *p, int field);

static lq_node *parse_primary(lq_parser *p, int field)
{
	const lq_tok *t = &p->t[p->i++];
	lq_node *n;

	if (t->field)
		field = t->field;
	if (t->type != T_LP)
		return new_leaf(p, t, field);

	/* The lexer emits no deeper '('; the check only keeps the bound local. */
	if (p->depth >= LQ_MAX_DEPTH)
		return NULL;
	p->depth++;
	n = parse_or(p, field);
	p->depth--;
	if (peek(p) && peek(p)->type == T_RP)
		p->i++;
	/* An unclosed '(' ends at the end of the query. */
	return n;
}

static lq_node *parse_group(lq_parser *p, int field)
{
	lq_node *g = new_node(p, LQ_GROUP, field);
	size_t first = p->i;

	if (!g)
		return NULL;
	while (p->i < p->n && p->t[p->i].type != T_RP && !p->oom) {
		int occur = p->t[p->i].occur;
		lq_node *kid;

		if (p->i > first && op_acts(p, p->i))
			break;
		kid = parse_primary(p, field);
		if (!kid)
			continue;
		/* a NEAR/n b NEAR/m c: one node, the widest window. */
		if (near_acts(p, p->i) && (kid->kind == LQ_WORD || kid->kind == LQ_PHRASE)) {
			lq_node *nr = new_node(p, LQ_NEAR, field);
			if (!nr || add_kid(p, nr, kid) < 0) {
				lq_free(nr);
				break;
			}
			kid = nr;
			while (near_acts(p, p->i) && !p->oom) {
				const lq_tok *op = &p->t[p->i];
				unsigned w = near_window(p->q + op->start, op->len);
				if (w > kid->window)
					kid->window = w;
				if (p->t[p->i + 1].type != T_WORD && p->t[p->i + 1].type != T_PHRASE)
					break;
				p->i++;
				lq_node *b = parse_primary(p, field);
				if (b && add_kid(p, kid, b) < 0)
					break;
			}
			if (kid->n_kids < 2) { /* nothing after NEAR: keep the word alone */
				lq_node *only = kid->kids[0];
				kid->n_kids = 0;
				lq_free(kid);
				kid = only;
			}
		}
		kid->occur = (lq_occur)occur;
		if (add_flat(p, g, kid) < 0)
			break;
	}
	return finish(g);
}

/*
 * Collect operands joined by the operator `op` into a node of `kind`.
 * `sub` parses one operand.  "a AND NOT b" is read as "a NOT b": the
 * negated operands go under an ANDNOT above the AND.
 */
static lq_node *parse_chain(lq_parser *p, int field, int op, lq_kind kind,
			    lq_node *(*sub)(lq_parser *, int))
{
	lq_node *n = new_node(p, kind, field), *neg = NULL, *kid;

	if (!n)
		return NULL;
	kid = sub(p, field);
	if (kid && add_flat(p, n, kid) < 0)
		goto fail;
	while (!p->oom && peek(p) && peek(p)->op == op && op_acts(p, p->i)) {
		int negate = 0;

		p->i++;
		if (op == OP_AND && peek(p)->op == OP_NOT && op_acts(p, p->i)) {
			p->i++;
			negate = 1;
		}
		kid = sub(p, field);
		if (!kid)
			continue;
		if (!negate) {
			if (add_flat(p, n, kid) < 0)
				goto fail;
			continue;
		}
		if (!neg && !(neg = new_node(p, LQ_ANDNOT, field))) {
			lq_free(kid);
			goto fail;
		}
		if (add_kid(p, neg, kid) < 0)
			goto fail;
	}
	if (p->oom)
		goto fail;
	n = finish(n);
	if (!neg)
		return n;
	if (!n) {
		/* "() AND NOT b": nothing to subtract from, keep b as excluded free text. */
		neg->kind = LQ_GROUP;
		for (size_t i = 0; i < neg->n_kids; i++)
			neg->kids[i]->occur = LQ_EXCLUDED;
		return neg;
	}
	/* neg holds kids[1..]; put n in front as kids[0]. */
	if (add_kid(p, neg, n) < 0) {
		n = NULL;
		goto fail;
	}
	memmove(neg->kids + 1, neg->kids, (neg->n_kids - 1) * sizeof *neg->kids);
	neg->kids[0] = n;
	return neg;
fail:
	lq_free(n);
	lq_free(neg);
	p->oom = 1;
	return NULL;
}

static lq_node *parse_not(lq_parser *p, int field)
{
	lq_node *n = new_node(p, LQ_ANDNOT, field), *kid;
	int left;

	if (!n)
		return NULL;
	kid = parse_group(p, field);
	left = kid != NULL;
	if (kid && add_flat(p, n, kid) < 0)
		goto fail;
	while (!p->oom && peek(p) && peek(p)->op == OP_NOT && op_acts(p, p->i)) {
		p->i++;
		kid = parse_group(p, field);
		if (kid && add_kid(p, n, kid) < 0)
			goto fail;
	}
	if (p->oom)
		goto fail;
	if (left || n->n_kids == 0)
		return finish(n);
	/* "() NOT b": nothing to subtract from, b is excluded free text. */
	n->kind = LQ_GROUP;
	for (size_t i = 0; i < n->n_kids; i++)
		n->kids[i]->occur = LQ_EXCLUDED;
	return n;
fail:
	lq_free(n);
	p->oom = 1;
	return NULL;
}

static lq_node *parse_and(lq_parser *p, int field)
{
	return parse_chain(p, field, OP_AND, LQ_AND, parse_not);
}

static lq_node *parse_or(lq_parser *p, int field)
{
	return parse_chain(p, field, OP_OR, LQ_OR, parse_and);
}

/* Free text "a b" of two trees; both are consumed, even on failure. */
static lq_node *join(lq_parser *p, lq_node *a, lq_node *b)
{
	lq_node *g = new_node(p, LQ_GROUP, LQ_FIELD_ANY);

	if (!g) {
		lq_free(a);
		lq_free(b);
		return NULL;
	}
	if (add_flat(p, g, a) < 0) {
		lq_free(b);
		lq_free(g);
		return NULL;
	}
	if (add_flat(p, g, b) < 0) {
		lq_free(g);
		return NULL;
	}
	return g;
}

static int fail(char *errbuf, size_t errcap, const char *msg)
{
	if (errbuf && errcap)
		snprintf(errbuf, errcap, "%s", msg);
	return -1;
}

int lq_parse(const char *q, size_t len, lq_node **out, char *errbuf, size_t errcap)
{
	lq_lexer lx = {(const unsigned char *)q, len, NULL, 0, 0, 0, 0};
	lq_parser p = {0};
	lq_node *root = NULL;

	if (errbuf && errcap)
		errbuf[0] = '\0';
	if (!out)
		return fail(errbuf, errcap, "invalid argument");
	*out = NULL;
	if (!q && len)
		return fail(errbuf, errcap, "invalid argument");

	if (lex(&lx) < 0) {
		free(lx.toks);
		return fail(errbuf, errcap, "out of memory");
	}
	p.q = lx.q;
	p.t = lx.toks;
	p.n = lx.n;
	/*
	 * The lexer leaves no stray ')', so parse_or() consumes every token;
	 * the loop only guards against a token it could not place, whose
	 * remainder is then read as more free text.
	 */
	while (p.i < p.n && !p.oom) {
		size_t before = p.i;
		lq_node *n = parse_or(&p, LQ_FIELD_ANY);

		if (p.i == before || (p.i < p.n && p.t[p.i].type == T_RP))
			p.i++;
		if (n && !root)
			root = n;
		else if (n)
			root = join(&p, root, n);
	}
	free(lx.toks);
	if (p.oom) {
		lq_free(root);
		return fail(errbuf, errcap, "out of memory");
	}
	if (!root)
		return fail(errbuf, errcap, "empty query");
	*out = root;
	return 0;
}
