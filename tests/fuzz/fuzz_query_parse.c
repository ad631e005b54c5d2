/*
 * libFuzzer target for the query parser (lib/query/parse.c).
 *
 * Besides the sanitizers' own findings (overflows, leaks, undefined
 * behaviour, timeouts), it checks the promises of parse.h on every input:
 * a tree exactly when the status is 0, a message otherwise, leaves with
 * NUL-terminated text of the stated length, at most LQ_MAX_WORDS leaves and
 * a depth bounded by LQ_MAX_DEPTH.  A broken promise aborts: a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/parse.h"

/*
 * Each of the at most LQ_MAX_DEPTH + 1 levels (top plus open '(') adds at
 * most OR > ANDNOT (from "AND NOT") > AND > ANDNOT > group > NEAR.
 */
#define MAX_TREE_DEPTH (6 * (LQ_MAX_DEPTH + 1))

static size_t check(const lq_node *n, size_t depth)
{
	size_t leaves = 0;

	if (depth > MAX_TREE_DEPTH || (unsigned)n->occur > LQ_EXCLUDED ||
	    (unsigned)n->field > LQ_FIELD_DATE)
		abort();
	switch (n->kind) {
	case LQ_WORD:
	case LQ_PHRASE:
	case LQ_PREFIX:
		if (!n->text || n->text_len == 0 || strlen(n->text) != n->text_len || n->n_kids)
			abort();
		return 1;
	case LQ_NEAR:
		if (n->text || n->n_kids < 2 || !n->kids || n->window < 1 || n->window > LQ_NEAR_MAX)
			abort();
		for (size_t i = 0; i < n->n_kids; i++)
			leaves += check(n->kids[i], depth + 1);
		return leaves;
	case LQ_GROUP:
	case LQ_AND:
	case LQ_OR:
	case LQ_ANDNOT:
		if (n->text || n->n_kids == 0 || !n->kids)
			abort();
		if (n->kind != LQ_GROUP && n->kind != LQ_ANDNOT && n->n_kids < 2)
			abort();
		for (size_t i = 0; i < n->n_kids; i++)
			leaves += check(n->kids[i], depth + 1);
		return leaves;
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lq_node *n = NULL;
	char err[128];
	int rc = lq_parse((const char *)data, size, &n, err, sizeof err);

	if (rc == 0) {
		if (!n || check(n, 0) > LQ_MAX_WORDS)
			abort();
		lq_free(n);
	} else if (rc != -1 || n || err[0] == '\0') {
		abort();
	}
	return 0;
}
