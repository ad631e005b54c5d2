/*
 * The query language parsed into a tree, before analysis.  The parser
 * knows nothing of terms or Xapian: it only finds structure (words,
 * phrases, operators, fields).  query/build.c turns the tree into terms
 * by running each word through the same analyzer as the documents.
 *
 * Grammar (operators only in capitals; German and English forms):
 *   query   := or
 *   or      := and  (("OR" | "ODER") and)*
 *   and     := not  (("AND" | "UND") not)*
 *   not     := group (("NOT" | "NICHT") group)*       -- a NOT b = a AND NOT b
 *   group   := near+                                 -- implicit: free text
 *   near    := unary ("NEAR/" n unary)*               -- within n words (default 10)
 *   unary   := ["+" | "-"] primary
 *   primary := "(" query ")" | field ":" primary | '"' words '"' | word ["*"]
 *   field   := "title" | "source" | "path" | "date"  (others are ordinary words)
 *   path:/srv/docs   documents whose path starts so (text: the prefix)
 *   date:2015-01-01..2016-12-31, date:2015.., date:..2016, date:2015 (text: as typed)
 */
#ifndef LUPE_QUERY_PARSE_H
#define LUPE_QUERY_PARSE_H

#include <stddef.h>

typedef enum {
	LQ_WORD,    /* text: one word as typed (may still hold hyphens: Social-Media) */
	LQ_PHRASE,  /* text: the words between the quotes, as typed */
	LQ_PREFIX,  /* text: the prefix before '*', as typed */
	LQ_GROUP,   /* free text: kids each with occur OPTIONAL, REQUIRED or EXCLUDED */
	LQ_AND,     /* all kids */
	LQ_OR,      /* any kid */
	LQ_ANDNOT,  /* kids[0] but none of kids[1..] */
	LQ_NEAR     /* kids (words or phrases) within `window` words of each other */
} lq_kind;

typedef enum { LQ_OPTIONAL = 0, LQ_REQUIRED = 1, LQ_EXCLUDED = 2 } lq_occur;

typedef enum {
	LQ_FIELD_ANY = 0,
	LQ_FIELD_TITLE = 1,
	LQ_FIELD_SOURCE = 2,
	LQ_FIELD_PATH = 3,
	LQ_FIELD_DATE = 4
} lq_field;

#define LQ_NEAR_DEFAULT 10
#define LQ_NEAR_MAX 100

typedef struct lq_node lq_node;
struct lq_node {
	lq_kind kind;
	lq_occur occur;      /* meaningful for kids of an LQ_GROUP */
	lq_field field;      /* inherited by the subtree: title:(a b) */
	char *text;          /* LQ_WORD/LQ_PHRASE/LQ_PREFIX: NUL-terminated copy */
	size_t text_len;
	lq_node **kids;
	size_t n_kids;
	unsigned window;     /* LQ_NEAR: at most this many words apart */
};

/* Limits that keep hostile queries cheap. */
#define LQ_MAX_DEPTH 64     /* deeper nesting is flattened or refused */
/*
 * Words beyond this are ignored (a phrase is cut where the count ends), as
 * Google ignores words past the 32nd: each word is analysed, split into
 * its compound parts and looked up, so a pasted page of 1,000 words took
 * ~95 ms of CPU on the benchmark collection where 64 take ~15.
 */
#define LQ_MAX_WORDS 64

/*
 * Parse `len` bytes of UTF-8.  Returns 0 and a tree in *out, or -1 with a
 * one-line English message in errbuf (empty query, nothing but operators,
 * too deeply nested) and *out NULL.  Malformed but readable input gets a
 * lenient reading instead of an error: an unclosed quote ends at the end,
 * unbalanced parentheses are closed or ignored, a lone operator is a word.
 */
int lq_parse(const char *q, size_t len, lq_node **out, char *errbuf, size_t errcap);
void lq_free(lq_node *n);

#endif
