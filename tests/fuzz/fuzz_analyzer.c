/*
 * libFuzzer target for the analysis pipeline (lupe_analyze): ICU word
 * segmentation, normalisation, stemming, compound splitting.
 *
 * The analyzer is made once, as a database handle does, and reused for
 * every input, so state carried from one text to the next is fuzzed too.
 * Besides the sanitizers' findings it checks the promises of lupe.h on
 * every token: NUL-terminated valid UTF-8 terms and forms of the stated
 * length, at most LUPE_TERM_MAX bytes, byte ranges inside the text,
 * a known kind, positions of words that never go back and extra terms
 * (hyphen joins, compound parts) at a word's position already seen: the
 * joined form of "UTF-8" follows "utf" and "8" with the position of "utf".
 * A broken promise aborts, and so does a difference between the
 * tokenizer's segments and ICU's alone (its fast path for plain words
 * must give ICU's result on any input).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lupe.h"
#include "analysis/analyzer.h"
#include "analysis/tokenize.h"
#include "util/utf8.h"

static lupe_analyzer *an, *an_plain;
static lupe_tokenizer *tz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	lupe_analyzer_options plain = LUPE_ANALYZER_OPTIONS_INIT;

	(void)argc;
	(void)argv;
	plain.decompound = 0;
	if (lupe_analyzer_new(&an, NULL) != LUPE_OK || lupe_analyzer_new(&an_plain, &plain) != LUPE_OK ||
	    lupe_tokenizer_new(&tz) < 0)
		abort();
	return 0;
}

static void check_string(const char *s, size_t len)
{
	if (!s || strlen(s) != len || !lupe_utf8_valid(s, len))
		abort();
}

static void check(lupe_analyzer *a, const char *text, size_t size)
{
	lupe_tokens *toks = NULL;
	uint32_t last_pos = 0;

	if (lupe_analyze(a, &toks, text, size) != LUPE_OK) {
		if (toks)
			abort();
		return; /* out of memory is an answer, not a finding */
	}
	size_t n = lupe_tokens_count(toks);

	for (size_t i = 0; i < n; i++) {
		const lupe_token *t = lupe_tokens_get(toks, i);

		if (!t)
			abort();
		check_string(t->term, t->term_len);
		check_string(t->form, t->form_len);
		if (t->term_len == 0 || t->term_len > LUPE_TERM_MAX)
			abort();
		if (t->start > t->end || t->end > size)
			abort();
		if ((unsigned)t->kind > LUPE_TOKEN_PART)
			abort();
		if (t->kind == LUPE_TOKEN_JOINED || t->kind == LUPE_TOKEN_PART) {
			if (i == 0 || t->position > last_pos)
				abort();
		} else {
			if (t->position < last_pos)
				abort();
			last_pos = t->position;
		}
	}
	if (lupe_tokens_get(toks, n) != NULL)
		abort();
	lupe_tokens_free(toks);
}

/* lupe_tokenize (plain words without ICU) and ICU alone agree. */
static void same_segments(const char *text, size_t size)
{
	const lupe_seg *s;
	size_t n, nf;
	if (lupe_tokenize(tz, text, size, &s, &nf) < 0)
		return;
	lupe_seg *fast = malloc((nf ? nf : 1) * sizeof *fast);
	if (!fast)
		return;
	if (nf)
		memcpy(fast, s, nf * sizeof *fast);
	if (lupe_tokenize_icu(tz, text, size, &s, &n) == 0) {
		if (n != nf)
			abort();
		for (size_t i = 0; i < n; i++)
			if (fast[i].start != s[i].start || fast[i].end != s[i].end || fast[i].kind != s[i].kind ||
			    fast[i].flags != s[i].flags)
				abort();
	}
	free(fast);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that a read past the end is caught. */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	check(an, text, size);
	same_segments(text, size);
	/* Half the inputs also without compound splitting, the other path. */
	if (size & 1)
		check(an_plain, text, size);
	free(text);
	return 0;
}
