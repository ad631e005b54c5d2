/*
 * libFuzzer target for a document and a query on a real index: the whole
 * path from lupe_add (analysis, the record, Xapian) to lupe_search (query
 * parsing and building, typo tolerance, matching, snippets, highlights).
 *
 * Input: byte 0 picks the search flags, byte 1 the sort, facets, offset
 * and whether lupe_like runs too; the rest is "TITLE \x01 BODY \x01
 * QUERY" (missing parts are empty).  One writable index in a temporary
 * folder serves every input: the document is added under one id
 * (replacing the last input's), beside three fixed ones, and searched
 * through the writer, which sees what it has not committed; every 256
 * inputs a commit keeps Xapian's buffers small.
 *
 * Besides the sanitizers' findings it checks lupe.h's promises: a status
 * that is a lupe_status, never LUPE_EINTERNAL nor a search slower than its
 * time budget (LUPE_ETIMEOUT); results exactly on success; every hit with
 * an id, a NUL-terminated snippet of the stated length, highlights inside
 * it in order of start with a known kind.  A broken promise aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lupe.h"

static lupe_db *db;
static char dir[256];
static unsigned inputs;

static void cleanup(void)
{
	lupe_close(db);
	db = NULL;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_search: could not remove %s\n", dir);
}

static void add(const char *id, const char *title, size_t tl, const char *text, size_t xl, const char *date)
{
	lupe_document d = LUPE_DOCUMENT_INIT;
	d.id = id;
	d.title = title;
	d.title_len = tl;
	d.text = text;
	d.text_len = xl;
	d.source = "fuzz";
	d.date = date;
	if (lupe_add(db, &d) != LUPE_OK)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/lupe-fuzz-search-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	char path[300];
	snprintf(path, sizeof path, "%s/db", dir);
	lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
	o.flags = LUPE_OPEN_WRITE | LUPE_OPEN_CREATE;
	o.threads = 1; /* no analysis threads: a finding's stack is the caller's */
	char msg[256];
	if (lupe_open(&db, path, &o, msg, sizeof msg) != LUPE_OK) {
		fprintf(stderr, "fuzz_search: %s\n", msg);
		abort();
	}
	atexit(cleanup);
	static const char a[] = "Die Bundesregierung beschließt ein Gesetz zur Arbeitszeit; Überstunden werden erfasst.";
	static const char b[] = "Kaffee und Kuchen im Gartenhaus: Zwiebelkuchen, Apfelstrudel, Käse-Sahne-Torte.";
	static const char c[] = "Die Datenbank speichert Dokumente (UTF-8) und findet sie per Volltextsuche wieder.";
	add("fix-a", "Arbeitszeit", 11, a, sizeof a - 1, "2020-01-02");
	add("fix-b", "Gartenhaus", 10, b, sizeof b - 1, "2019-06-30");
	add("fix-c", "Suche", 5, c, sizeof c - 1, NULL);
	if (lupe_commit(db) != LUPE_OK)
		abort();
	return 0;
}

static void check_results(lupe_results *res)
{
	size_t n = lupe_results_count(res);
	for (size_t i = 0; i < n; i++) {
		const lupe_hit *h = lupe_results_hit(res, i);
		if (!h || !h->id || !*h->id || !h->title || !h->snippet || h->snippet[h->snippet_len] != '\0')
			abort();
		size_t last = 0;
		for (size_t k = 0; k < h->n_highlights; k++) {
			const lupe_span *s = &h->highlights[k];
			if (s->start > s->end || s->end > h->snippet_len || s->start < last)
				abort();
			if (!h->highlight_kinds || h->highlight_kinds[k] > LUPE_HL_TYPO)
				abort();
			last = s->start;
		}
		for (size_t k = 0; k < h->n_matches; k++)
			if (h->matches[k].start > h->matches[k].end)
				abort();
	}
	if (lupe_results_hit(res, n) != NULL)
		abort();
}

static void check_status(int rc, lupe_results *res)
{
	if (rc > 0 || rc < LUPE_ETIMEOUT || rc == LUPE_EINTERNAL || rc == LUPE_ETIMEOUT)
		abort();
	if ((rc == LUPE_OK) != (res != NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned flags = data[0] & (LUPE_SEARCH_FUZZY | LUPE_SEARCH_EXPLAIN | LUPE_SEARCH_HTML | LUPE_SEARCH_EXACT);
	unsigned opt = data[1];
	const char *p = (const char *)data + 2, *end = (const char *)data + size;
	const char *parts[3] = {p, p, p};
	size_t lens[3] = {0, 0, 0};
	for (int k = 0; k < 3; k++) {
		const char *sep = k < 2 ? memchr(p, '\x01', (size_t)(end - p)) : NULL;
		parts[k] = p;
		lens[k] = (size_t)((sep ? sep : end) - p);
		p = sep ? sep + 1 : end;
	}
	add("fuzz", parts[0], lens[0], parts[1], lens[1], (opt & 0x40) ? "2021-12-31" : NULL);

	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	static const char *const facets[] = {"source", "year", NULL};
	o.flags = flags;
	o.sort = (int)(opt & 3) % 3;
	o.facets = (opt & 4) ? facets : NULL;
	o.offset = (opt >> 3) & 3;
	o.limit = 5;
	o.snippet_bytes = 40 + (opt & 0x38) * 4;
	o.time_budget_ms = 5000; /* a search this slow on four documents is a finding */
	lupe_results *res = NULL;
	int rc = lupe_search(db, &res, parts[2], lens[2], &o);
	check_status(rc, res);
	if (res) {
		check_results(res);
		lupe_results_free(res);
	}
	if (opt & 0x80) {
		res = NULL;
		rc = lupe_like(db, &res, "fuzz", &o);
		check_status(rc, res);
		if (res) {
			check_results(res);
			lupe_results_free(res);
		}
	}
	if (++inputs % 256 == 0 && lupe_commit(db) != LUPE_OK)
		abort();
	return 0;
}
