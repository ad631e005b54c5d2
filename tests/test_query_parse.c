/*
 * The query parser (lib/query/parse.c): query text -> tree.
 *
 * Trees are compared in a compact S-expression form:
 *   leaves    w:"text"  (word)   p:"text"  (phrase)   pfx:"text"  (prefix)
 *   inner     (group ...)  (and ...)  (or ...)  (andnot first minus...)
 *   occur     a leading + or - on kids of a group (nothing for optional)
 *   field     @title / @source after the kind: w@title:"a", (group@title ...)
 * Bytes below 0x20, '"' and '\' in texts are escaped; other bytes are as is.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "query/parse.h"

typedef struct {
	char *s;
	size_t len, cap;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = 2 * (b->len + n + 1);
		b->s = realloc(b->s, b->cap);
		ck_assert_ptr_nonnull(b->s);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void puts_(sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void print_node(sbuf *b, const lq_node *n)
{
	static const char *kinds[] = {"w", "p", "pfx", "group", "and", "or", "andnot", "near"};
	static const char *fields[] = {"", "@title", "@source", "@path", "@date"};
	int inner = n->kind >= LQ_GROUP;

	if (n->occur == LQ_REQUIRED)
		puts_(b, "+");
	else if (n->occur == LQ_EXCLUDED)
		puts_(b, "-");
	if (inner)
		puts_(b, "(");
	puts_(b, kinds[n->kind]);
	if (n->kind == LQ_NEAR) {
		char w[16];
		snprintf(w, sizeof w, "/%u", n->window);
		puts_(b, w);
	}
	puts_(b, fields[n->field]);
	if (!inner) {
		puts_(b, ":\"");
		ck_assert_uint_eq(strlen(n->text), n->text_len);
		for (size_t i = 0; i < n->text_len; i++) {
			unsigned char c = (unsigned char)n->text[i];
			char esc[8];

			if (c < 0x20 || c == 0x7f)
				snprintf(esc, sizeof esc, "\\x%02x", c);
			else if (c == '"' || c == '\\')
				snprintf(esc, sizeof esc, "\\%c", c);
			else
				snprintf(esc, sizeof esc, "%c", c);
			puts_(b, esc);
		}
		puts_(b, "\"");
		ck_assert_uint_eq(n->n_kids, 0);
		return;
	}
	ck_assert_ptr_null(n->text);
	ck_assert_uint_ge(n->n_kids, 1);
	for (size_t i = 0; i < n->n_kids; i++) {
		puts_(b, " ");
		print_node(b, n->kids[i]);
	}
	puts_(b, ")");
}

/* Parse and print; "error: <message>" when the parser refuses. */
static char *parse_to_sexpr(const char *q, size_t len)
{
	lq_node *n = (lq_node *)0x1;
	char err[128] = "unset";
	sbuf b = {0};

	if (lq_parse(q, len, &n, err, sizeof err) != 0) {
		ck_assert_ptr_null(n);
		puts_(&b, "error: ");
		puts_(&b, err);
		return b.s;
	}
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(err, "");
	print_node(&b, n);
	lq_free(n);
	return b.s;
}

/* ---------------------------------------------------------------------- */
/* The table                                                               */
/* ---------------------------------------------------------------------- */

typedef struct {
	int no;
	const char *query;
	size_t len; /* 0: strlen(query); set it for queries holding NUL bytes */
	const char *expect;
} row;

static const row rows[] = {
	/* free text, + and - */
	{1, "a", 0, "w:\"a\""},
	{2, "a b", 0, "(group w:\"a\" w:\"b\")"},
	{3, "+a b -\"c d\"", 0, "(group +w:\"a\" w:\"b\" -p:\"c d\")"},
	{4, "-Bahn", 0, "(group -w:\"Bahn\")"},
	{5, "+-a", 0, "(group +w:\"-a\")"},
	{6, "a - b + c", 0, "(group w:\"a\" w:\"b\" w:\"c\")"},
	{7, "C++ C#", 0, "(group w:\"C++\" w:\"C#\")"},

	/* operators */
	{10, "a AND b", 0, "(and w:\"a\" w:\"b\")"},
	{11, "a UND b", 0, "(and w:\"a\" w:\"b\")"},
	{12, "a OR b", 0, "(or w:\"a\" w:\"b\")"},
	{13, "a ODER b", 0, "(or w:\"a\" w:\"b\")"},
	{14, "a NOT b", 0, "(andnot w:\"a\" w:\"b\")"},
	{15, "a NICHT b", 0, "(andnot w:\"a\" w:\"b\")"},
	{16, "a AND b OR c", 0, "(or (and w:\"a\" w:\"b\") w:\"c\")"},
	{17, "a OR b AND c", 0, "(or w:\"a\" (and w:\"b\" w:\"c\"))"},
	{18, "a b AND c d", 0, "(and (group w:\"a\" w:\"b\") (group w:\"c\" w:\"d\"))"},
	{19, "a AND b AND c", 0, "(and w:\"a\" w:\"b\" w:\"c\")"},
	{20, "(a AND b) AND c", 0, "(and w:\"a\" w:\"b\" w:\"c\")"},
	{21, "a OR (b ODER c)", 0, "(or w:\"a\" w:\"b\" w:\"c\")"},
	{22, "a NOT b NOT c", 0, "(andnot w:\"a\" w:\"b\" w:\"c\")"},
	{23, "(a NOT b) NOT c", 0, "(andnot w:\"a\" w:\"b\" w:\"c\")"},
	{24, "a AND NOT b", 0, "(andnot w:\"a\" w:\"b\")"},
	{25, "x AND a UND NICHT b AND c", 0, "(andnot (and w:\"x\" w:\"a\" w:\"c\") w:\"b\")"},
	{26, "a AND (b OR c) NOT d", 0, "(and w:\"a\" (andnot (or w:\"b\" w:\"c\") w:\"d\"))"},
	{27, "a AND -b", 0, "(and w:\"a\" (group -w:\"b\"))"},
	{28, "a AND(b OR c)", 0, "(and w:\"a\" (or w:\"b\" w:\"c\"))"},

	/* operator words that are not operators */
	{30, "a Oder b", 0, "(group w:\"a\" w:\"Oder\" w:\"b\")"},
	{31, "a and b or c", 0, "(group w:\"a\" w:\"and\" w:\"b\" w:\"or\" w:\"c\")"},
	{32, "ANDROID ORDER NOTE", 0, "(group w:\"ANDROID\" w:\"ORDER\" w:\"NOTE\")"},
	{33, "AND", 0, "w:\"AND\""},
	{34, "a OR", 0, "(group w:\"a\" w:\"OR\")"},
	{35, "NOT b", 0, "(group w:\"NOT\" w:\"b\")"},
	{36, "OR a", 0, "(group w:\"OR\" w:\"a\")"},
	{37, "a NOT", 0, "(group w:\"a\" w:\"NOT\")"},
	{38, "(a OR) b", 0, "(group w:\"a\" w:\"OR\" w:\"b\")"},
	{39, "a OR OR b", 0, "(or w:\"a\" (group w:\"OR\" w:\"b\"))"},
	{40, "a OR -", 0, "(group w:\"a\" w:\"OR\")"},
	{41, "+AND title:OR", 0, "(group +w:\"AND\" w@title:\"OR\")"},
	{42, "AND OR NOT", 0, "(or w:\"AND\" w:\"NOT\")"},
	{43, "a AND NOT", 0, "(and w:\"a\" w:\"NOT\")"},

	/* words keep their inner punctuation */
	{50, "E-Mail", 0, "w:\"E-Mail\""},
	{51, "Social-Media-Manager", 0, "w:\"Social-Media-Manager\""},
	{52, "2015-2016", 0, "w:\"2015-2016\""},
	{53, "-E-Mail", 0, "(group -w:\"E-Mail\")"},
	{54, "t3n.de", 0, "w:\"t3n.de\""},
	{55, "Web 2.0", 0, "(group w:\"Web\" w:\"2.0\")"},
	{56, "max@example.com", 0, "w:\"max@example.com\""},
	{57, "https://example.com/a?b=c", 0, "w:\"https://example.com/a?b=c\""},
	{58, "http://x.de", 0, "w:\"http://x.de\""},
	{59, "Mitarbeiter*innen", 0, "w:\"Mitarbeiter*innen\""},
	{60, "Mitarbeiter:innen", 0, "w:\"Mitarbeiter:innen\""},
	{61, "Mitarbeiter(innen)", 0, "w:\"Mitarbeiter(innen)\""},
	{62, "geht's", 0, "w:\"geht's\""},
	{63, "foo\"bar baz\"", 0, "(group w:\"foo\" p:\"bar baz\")"},

	/* prefixes */
	{70, "Bund*", 0, "pfx:\"Bund\""},
	{71, "a*", 0, "w:\"a*\""},
	{72, "\xc3\xa4*", 0, "w:\"\xc3\xa4*\""},
	{73, "\xc3\xa4" "b*", 0, "pfx:\"\xc3\xa4" "b\""},
	{74, "ab**", 0, "pfx:\"ab\""},
	{75, "Mitarbeiter*innen*", 0, "pfx:\"Mitarbeiter*innen\""},
	{76, "-Bund* Bahn", 0, "(group -pfx:\"Bund\" w:\"Bahn\")"},
	{77, "**", 0, "error: empty query"},

	/* fields */
	{80, "title:Bund", 0, "w@title:\"Bund\""},
	{81, "TITLE:Bund Source:heise", 0, "(group w@title:\"Bund\" w@source:\"heise\")"},
	{82, "title:\"a b\"", 0, "p@title:\"a b\""},
	{83, "title:(a b)", 0, "(group@title w@title:\"a\" w@title:\"b\")"},
	{84, "title:(a OR b)", 0, "(or@title w@title:\"a\" w@title:\"b\")"},
	{85, "-source:heise a", 0, "(group -w@source:\"heise\" w:\"a\")"},
	{86, "title:Bund*", 0, "pfx@title:\"Bund\""},
	{87, "title:(a source:b)", 0, "(group@title w@title:\"a\" w@source:\"b\")"},
	{88, "a title:(b c)", 0, "(group w:\"a\" (group@title w@title:\"b\" w@title:\"c\"))"},
	{89, "title: a", 0, "w@title:\"a\""},
	{93, "title:", 0, "error: empty query"},
	{94, "a title:", 0, "w:\"a\""},
	{95, "(a source:) b", 0, "(group w:\"a\" w:\"b\")"},
	{96, "title:\xc2\xa0 \"a b\" c", 0, "(group p@title:\"a b\" w:\"c\")"},
	{97, "Fazit: Steuer", 0, "(group w:\"Fazit:\" w:\"Steuer\")"},
	{98, "-date: 2015 x", 0, "(group -w@date:\"2015\" w:\"x\")"},
	{90, "x:y", 0, "w:\"x:y\""},
	{91, "title:source:x", 0, "w@source:\"x\""},
	{92, "-title:(a b)", 0, "(group -(group@title w@title:\"a\" w@title:\"b\"))"},

	/* quotes */
	{100, "\xe2\x80\x9e" "Deutsche Bahn\xe2\x80\x9c", 0, "p:\"Deutsche Bahn\""},
	{101, "\xe2\x80\x9c" "Deutsche Bahn\xe2\x80\x9d", 0, "p:\"Deutsche Bahn\""},
	{102, "\xc2\xab" "Deutsche Bahn\xc2\xbb", 0, "p:\"Deutsche Bahn\""},
	{103, "\xc2\xbb" "Deutsche Bahn\xc2\xab x", 0, "(group p:\"Deutsche Bahn\" w:\"x\")"},
	{104, "\"  a  b \"", 0, "p:\"a  b\""},
	{105, "\"a b", 0, "p:\"a b\""},
	{106, "x \"a (b OR c", 0, "(group w:\"x\" p:\"a (b OR c\")"},
	{107, "\"\" a", 0, "w:\"a\""},
	{108, "+\"a b\" -\xe2\x80\x9e" "c d\xe2\x80\x9c", 0, "(group +p:\"a b\" -p:\"c d\")"},
	{109, "\"E-Mail\"", 0, "p:\"E-Mail\""},
	{110, "\"a\xc2\xa0\"", 0, "p:\"a\""},

	/* parentheses */
	{120, "a (b c)", 0, "(group w:\"a\" w:\"b\" w:\"c\")"},
	{121, "a (+b c)", 0, "(group w:\"a\" (group +w:\"b\" w:\"c\"))"},
	{122, "+(a b) c", 0, "(group +(group w:\"a\" w:\"b\") w:\"c\")"},
	{123, "-(a OR b) c", 0, "(group -(or w:\"a\" w:\"b\") w:\"c\")"},
	{124, "(((a)))", 0, "w:\"a\""},
	{125, "(a b", 0, "(group w:\"a\" w:\"b\")"},
	{126, "a b)", 0, "(group w:\"a\" w:\"b\")"},
	{127, ")a(", 0, "w:\"a\""},
	{128, "a OR ) b", 0, "(or w:\"a\" w:\"b\")"},
	{129, "(a OR (b AND c", 0, "(or w:\"a\" (and w:\"b\" w:\"c\"))"},
	{130, "() NOT b", 0, "(group -w:\"b\")"},
	{131, "() AND NOT b", 0, "(group -w:\"b\")"},
	{132, "a AND ()", 0, "w:\"a\""},

	/* separators, NUL bytes, invalid UTF-8 */
	{140, "a \t\r\n b", 0, "(group w:\"a\" w:\"b\")"},
	{141, "a\0b", 3, "(group w:\"a\" w:\"b\")"},
	{142, "\0a\0", 3, "w:\"a\""},
	{143, "\"a\0b\"", 5, "p:\"a b\""},
	{144, "a\xc2\xa0" "b\xe2\x80\xaf" "c", 0, "(group w:\"a\" w:\"b\" w:\"c\")"},
	{145, "a\xff" "b", 0, "w:\"a\xff" "b\""},
	{146, "\xff\xfe", 0, "error: empty query"},
	{147, "\xc3", 0, "error: empty query"},
	{148, "\xe2\x80", 0, "error: empty query"},
	{149, "Stra\xc3\x9f" "e \xc3\x9c" "berstunden", 0,
	 "(group w:\"Stra\xc3\x9f" "e\" w:\"\xc3\x9c" "berstunden\")"},
	{150, "\xef\xbb\xbf" "a", 0, "w:\"a\""},

	/* nothing to search */
	{160, "", 0, "error: empty query"},
	{161, "   \t\n", 0, "error: empty query"},
	{162, "!!! ... -- ?", 0, "error: empty query"},
	{163, "()", 0, "error: empty query"},
	{164, "\"\"", 0, "error: empty query"},
	{165, "+ -", 0, "error: empty query"},
	{166, "( ) ( \"\" )", 0, "error: empty query"},
	{167, "\xe2\x80\x93 \xe2\x80\xa6 \xe2\x82\xac", 0, "error: empty query"},
	{168, "\0\0\0", 3, "error: empty query"},

	/* NEAR/n binds words inside free text; without operands it is a word */
	{180, "Social NEAR/3 Strategie", 0, "(near/3 w:\"Social\" w:\"Strategie\")"},
	{181, "a NEAR b", 0, "(near/10 w:\"a\" w:\"b\")"},
	{182, "x a NEAR/2 b NEAR/5 c y", 0,
	 "(group w:\"x\" (near/5 w:\"a\" w:\"b\" w:\"c\") w:\"y\")"},
	{183, "\"social media\" NEAR/4 Manager", 0, "(near/4 p:\"social media\" w:\"Manager\")"},
	{184, "a NEAR/3", 0, "(group w:\"a\" w:\"NEAR/3\")"},
	{185, "NEAR/3 b", 0, "(group w:\"NEAR/3\" w:\"b\")"},
	{186, "a NEAR/0 b", 0, "(group w:\"a\" w:\"NEAR/0\" w:\"b\")"},
	{187, "a near/3 b", 0, "(group w:\"a\" w:\"near/3\" w:\"b\")"},
	{188, "a NEAR/3 b OR c", 0, "(or (near/3 w:\"a\" w:\"b\") w:\"c\")"},

	/* path: and date: restrict, their text as typed */
	{190, "Bericht path:/srv/docs", 0, "(group w:\"Bericht\" w@path:\"/srv/docs\")"},
	{191, "date:2015-01-01..2016-12-31 Wahl", 0,
	 "(group w@date:\"2015-01-01..2016-12-31\" w:\"Wahl\")"},
	{192, "-date:..2010", 0, "(group -w@date:\"..2010\")"},
	/* A '-' glued to a closing quote belongs to the word, it excludes nothing. */
	{193, "\xe2\x80\x9e" "Fischglas\xe2\x80\x9c-artigen Helm", 0,
	 "(group p:\"Fischglas\" w:\"-artigen\" w:\"Helm\")"},
	{194, "\"a b\"-c", 0, "(group p:\"a b\" w:\"-c\")"},
	{195, "\"a b\" -c", 0, "(group p:\"a b\" -w:\"c\")"},
	/* 196: a bracketed gender ending is part of its word; other brackets group */
	{196, "(Ärzt(in) Kolleg(innen))", 0, "(group w:\"Ärzt(in)\" w:\"Kolleg(innen)\")"},
	{197, "Lehrer(innen-)", 0, "(group w:\"Lehrer\" w:\"innen-\")"},
	{198, "Lehrer (innen)", 0, "(group w:\"Lehrer\" w:\"innen\")"},
};

START_TEST(test_row)
{
	const row *r = &rows[_i];
	size_t len = r->len ? r->len : strlen(r->query);
	char *got = parse_to_sexpr(r->query, len);

	ck_assert_msg(strcmp(got, r->expect) == 0, "row %d: [%s]\n  expected %s\n  got      %s",
		      r->no, r->query, r->expect, got);
	free(got);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Hostile input                                                           */
/* ---------------------------------------------------------------------- */

static size_t depth(const lq_node *n)
{
	size_t d = 0;

	for (size_t i = 0; i < n->n_kids; i++) {
		size_t k = depth(n->kids[i]);

		if (k > d)
			d = k;
	}
	return d + 1;
}

static size_t leaves(const lq_node *n)
{
	size_t c = n->n_kids ? 0 : 1;

	for (size_t i = 0; i < n->n_kids; i++)
		c += leaves(n->kids[i]);
	return c;
}

static char *repeat(const char *s, size_t times, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	char *b = malloc(n * times + t + 1);

	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < times; i++)
		memcpy(b + i * n, s, n);
	memcpy(b + n * times, tail, t + 1);
	return b;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse q; returns the tree (or NULL with the message in err) and checks it was quick. */
static lq_node *parse_quick(const char *q, size_t len, char *err, size_t errcap)
{
	lq_node *n = NULL;
	double t0 = now();
	int rc = lq_parse(q, len, &n, err, errcap);

	ck_assert_msg(now() - t0 < 2.0, "parsing %zu bytes took %.3f s", len, now() - t0);
	ck_assert_int_eq(rc == 0, n != NULL);
	return n;
}

START_TEST(test_open_parens)
{
	char err[64];
	char *q = repeat("(", 10000, "");
	lq_node *n = parse_quick(q, strlen(q), err, sizeof err);

	ck_assert_ptr_null(n);
	ck_assert_str_eq(err, "empty query");
	free(q);

	q = repeat("(", 10000, "a");
	n = parse_quick(q, strlen(q), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->kind, LQ_WORD);
	lq_free(n);
	free(q);

	q = repeat(")", 10000, "a");
	n = parse_quick(q, strlen(q), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->kind, LQ_WORD);
	lq_free(n);
	free(q);
}
END_TEST

START_TEST(test_deep_nesting_flattened)
{
	char err[64];
	char *q = repeat("(a OR -b ", 10000, "");
	lq_node *n = parse_quick(q, strlen(q), err, sizeof err);

	ck_assert_ptr_nonnull(n);
	/* Each level is at most an OR over a group: the tree stays shallow. */
	ck_assert_uint_le(depth(n), 2 * LQ_MAX_DEPTH + 4);
	ck_assert_uint_le(leaves(n), LQ_MAX_WORDS);
	lq_free(n);
	free(q);

	/* Balanced: the words beyond the depth limit join the 64th level (fewer words than LQ_MAX_WORDS). */
	char *empty = repeat("(", 2 * LQ_MAX_DEPTH, "");
	char *open = repeat("(x ", LQ_MAX_WORDS / 2, "y");
	char *close = repeat(")", 2 * LQ_MAX_DEPTH + LQ_MAX_WORDS / 2, "");
	char *both = malloc(strlen(empty) + strlen(open) + strlen(close) + 1);

	ck_assert_ptr_nonnull(both);
	strcpy(both, empty);
	strcat(both, open);
	strcat(both, close);
	n = parse_quick(both, strlen(both), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(leaves(n), LQ_MAX_WORDS / 2 + 1);
	ck_assert_uint_le(depth(n), LQ_MAX_DEPTH + 2);
	lq_free(n);
	free(empty);
	free(open);
	free(close);
	free(both);
}
END_TEST

START_TEST(test_many_words)
{
	char err[64];
	char *q = repeat("Wort ", 20000, "");
	lq_node *n = parse_quick(q, strlen(q), err, sizeof err);

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->kind, LQ_GROUP);
	ck_assert_uint_eq(n->n_kids, LQ_MAX_WORDS);
	lq_free(n);
	free(q);

	/* The documented limit (lupe-query(7)): the 65th word is ignored, the 64th is not. */
	q = repeat("Wort ", 63, "Letztes Ignoriert");
	n = parse_quick(q, strlen(q), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(n->n_kids, 64);
	ck_assert_str_eq(n->kids[63]->text, "Letztes");
	lq_free(n);
	free(q);

	/* Operators count as words too, so the tree stays bounded. */
	q = repeat("a OR b AND c NOT ", 20000, "d");
	n = parse_quick(q, strlen(q), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_le(leaves(n), LQ_MAX_WORDS);
	lq_free(n);
	free(q);

	/* A long phrase is cut at the word budget. */
	q = repeat(" Wort", 5000, "\"");
	q[0] = '"';
	n = parse_quick(q, strlen(q), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->kind, LQ_PHRASE);
	ck_assert_uint_eq(n->text_len, LQ_MAX_WORDS * 5 - 1);
	lq_free(n);
	free(q);

	/* So is a long hyphen group: its words count one by one. */
	q = repeat("Wort-", 5000, "Ende");
	n = parse_quick(q, strlen(q), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->kind, LQ_WORD);
	ck_assert_uint_eq(n->text_len, LQ_MAX_WORDS * 5 - 1);
	lq_free(n);
	free(q);

	/* Hyphen groups share the budget with the words around them: 30 + 3 * 11 = 63, then one of 3. */
	q = repeat("Wort ", 30, "");
	char *g = repeat("E-Mail-Adresse ", 12, "Letztes");
	char *both = malloc(strlen(q) + strlen(g) + 1);
	ck_assert_ptr_nonnull(both);
	strcpy(both, q);
	strcat(both, g);
	n = parse_quick(both, strlen(both), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(n->n_kids, 42);
	ck_assert_str_eq(n->kids[41]->text, "E");
	lq_free(n);
	free(q);
	free(g);
	free(both);

	/* Empty groups do not count as words; they are capped as tokens. */
	q = repeat("() ", 500000, "a");
	n = parse_quick(q, strlen(q), err, sizeof err);
	ck_assert_ptr_null(n);
	ck_assert_str_eq(err, "empty query");
	free(q);
}
END_TEST

START_TEST(test_unclosed_quote_long)
{
	char err[64];
	char *q = repeat("a(b) OR ", 50000, "");
	lq_node *n;

	q[0] = '"';
	n = parse_quick(q, strlen(q), err, sizeof err);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->kind, LQ_PHRASE);
	lq_free(n);
	free(q);
}
END_TEST

START_TEST(test_arguments)
{
	lq_node *n = (lq_node *)0x1;
	char err[16];

	ck_assert_int_eq(lq_parse("a", 1, NULL, err, sizeof err), -1);
	ck_assert_int_eq(lq_parse(NULL, 3, &n, err, sizeof err), -1);
	ck_assert_ptr_null(n);
	ck_assert_int_eq(lq_parse(NULL, 0, &n, NULL, 0), -1);
	ck_assert_int_eq(lq_parse("", 0, &n, err, 0), -1);
	/* A short buffer gets a truncated, terminated message. */
	ck_assert_int_eq(lq_parse("", 0, &n, err, 4), -1);
	ck_assert_str_eq(err, "emp");
	ck_assert_int_eq(lq_parse("a", 1, &n, NULL, 0), 0);
	lq_free(n);
	lq_free(NULL);
}
END_TEST

/* Random bytes from a small alphabet of the syntax: no crash, bounded trees. */
START_TEST(test_random_syntax)
{
	static const char *bits[] = {"(", ")", "\"", "\xe2\x80\x9e", "\xc2\xbb", "+", "-", "*",
				     "AND", "OR", "NOT", "ODER", "title:", "source:", " ", "a",
				     "Wort", "\0", "\xff", "\xc3", ":", "x*"};
	unsigned seed = 12345;
	char q[256];

	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		char err[64];
		lq_node *n = NULL;

		while (len < 200) {
			seed = seed * 1103515245u + 12345u;
			const char *b = bits[(seed >> 16) % (sizeof bits / sizeof bits[0])];
			size_t k = *b ? strlen(b) : 1;

			memcpy(q + len, b, k);
			len += k;
			if ((seed >> 8) % 17 == 0)
				break;
		}
		if (lq_parse(q, len, &n, err, sizeof err) == 0) {
			ck_assert_uint_le(leaves(n), LQ_MAX_WORDS);
			lq_free(n);
		} else {
			ck_assert_str_eq(err, "empty query");
		}
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("query_parse");
	TCase *tc = tcase_create("rows");

	tcase_add_loop_test(tc, test_row, 0, (int)(sizeof rows / sizeof rows[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, test_open_parens);
	tcase_add_test(tc, test_deep_nesting_flattened);
	tcase_add_test(tc, test_many_words);
	tcase_add_test(tc, test_unclosed_quote_long);
	tcase_add_test(tc, test_arguments);
	tcase_add_test(tc, test_random_syntax);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(suite(), CK_FORK_GETENV);
}
