/* SQLite FTS5 baseline for the lupe benchmarks: FTS5 as a user would set it up.
 *
 *   fts5_peer index DB FILE.jsonl       index {"id","title","text"} lines
 *   fts5_peer search DB --queries FILE  one JSON result line per query line
 *
 * The table is fts5(id UNINDEXED, title, text) with the unicode61 tokenizer folding
 * diacritics (remove_diacritics 2), filled in one transaction. A query is the OR of
 * its whitespace-separated words, each quoted as an FTS5 string so that punctuation
 * ("?", "-", "*", ":") is never read as query syntax; the tokenizer then drops the
 * punctuation inside the string. Ranking is bm25() with equal column weights.
 *
 * took_ms covers splitting the query, preparing and stepping the top-10 statement. The total is counted
 * afterwards by a second statement outside the timing, because FTS5 has no cheap
 * estimate and the other engines report an estimate. */
#include <json-c/json.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonout.h"

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "fts5_peer: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return 1;
}

static const char *field(json_object *doc, const char *name)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(doc, name, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

static int cmd_index(const char *dbpath, const char *jsonl)
{
    FILE *in = fopen(jsonl, "r");
    if (!in) {
        perror(jsonl);
        return 1;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        return fail(db, dbpath);
    if (sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5("
                     "id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2');"
                     "BEGIN;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "create");
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO docs(id, title, text) VALUES (?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
        return fail(db, "prepare insert");

    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long count = 0, lineno = 0;
    while ((n = getline(&line, &cap, in)) != -1) {
        lineno++;
        if (chomp(line, (size_t)n) == 0)
            continue;
        json_object *doc = json_tokener_parse(line);
        if (!doc) {
            fprintf(stderr, "%s:%lu: not JSON, skipped\n", jsonl, lineno);
            continue;
        }
        sqlite3_bind_text(ins, 1, field(doc, "id"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, field(doc, "title"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, field(doc, "text"), -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        json_object_put(doc);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(ins);
            return fail(db, "insert");
        }
        count++;
    }
    free(line);
    fclose(in);
    sqlite3_finalize(ins);
    if (sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "commit");
    sqlite3_close(db);
    fprintf(stderr, "fts5_peer: indexed %lu documents into %s\n", count, dbpath);
    return 0;
}

/* The query's words are the tokens the table's own tokenizer finds in it, so that
 * "AFC-Championship-Spiels?" becomes three words rather than one three-token phrase
 * (which FTS5 would only match adjacent and in order). */
struct words {
    char *buf;      /* `"w1" OR "w2" ...` */
    size_t len, cap;
    int n;
};

static int add_word(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
    struct words *w = ctx;
    (void)start;
    (void)end;
    if (flags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    size_t need = w->len + (size_t)ntok * 2 + 7;  /* ` OR `, two quotes, doubled quotes, NUL */
    if (need > w->cap) {
        size_t cap = need * 2;
        char *b = realloc(w->buf, cap);
        if (!b)
            return SQLITE_NOMEM;
        w->buf = b;
        w->cap = cap;
    }
    if (w->n++)
        w->len += (size_t)sprintf(w->buf + w->len, " OR ");
    w->buf[w->len++] = '"';
    for (int i = 0; i < ntok; i++) {
        if (tok[i] == '"')  /* unicode61 never yields one; kept so any tokenizer is safe */
            w->buf[w->len++] = '"';
        w->buf[w->len++] = tok[i];
    }
    w->buf[w->len++] = '"';
    w->buf[w->len] = '\0';
    return SQLITE_OK;
}

/* The table's tokenizer, created once: unicode61 with the table's arguments. */
struct tokenizer {
    fts5_tokenizer api;
    Fts5Tokenizer *tok;
};

static int tokenizer_open(sqlite3 *db, struct tokenizer *t)
{
    fts5_api *fts5 = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    sqlite3_bind_pointer(st, 1, (void *)&fts5, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!fts5)
        return SQLITE_ERROR;
    void *ud = NULL;
    const char *args[] = {"remove_diacritics", "2"};
    int rc = fts5->xFindTokenizer(fts5, "unicode61", &ud, &t->api);
    if (rc == SQLITE_OK)
        rc = t->api.xCreate(ud, args, 2, &t->tok);
    return rc;
}

/* Returns the MATCH expression for q in w->buf, or w->n == 0 when q holds no word. */
static int or_of_words(struct tokenizer *t, const char *q, struct words *w)
{
    w->len = 0;
    w->n = 0;
    return t->api.xTokenize(t->tok, w, FTS5_TOKENIZE_QUERY, q, (int)strlen(q), add_word);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmd_search(const char *dbpath, const char *queries)
{
    FILE *in = fopen(queries, "r");
    if (!in) {
        perror(queries);
        return 1;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return fail(db, dbpath);
    /* bm25() is lower-is-better; the score printed is its negation so that, as for the
     * other engines, a higher score is a better hit. */
    const char *top_sql = "SELECT id, title, bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10";
    const char *count_sql = "SELECT count(*) FROM docs WHERE docs MATCH ?";
    struct tokenizer tok;
    if (tokenizer_open(db, &tok) != SQLITE_OK)
        return fail(db, "unicode61 tokenizer");
    struct words w = {0};

    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) != -1) {
        chomp(line, (size_t)n);
        /* Collect first, print after: the timing must not include our own output. */
        struct { char *id, *title; double score; } hits[10];
        int nhits = 0;
        long long total = 0;
        double t0 = now_ms();
        if (or_of_words(&tok, line, &w) != SQLITE_OK)
            return fail(db, "tokenize query");
        const char *match = w.n ? w.buf : NULL;
        if (match) {
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(db, top_sql, -1, &st, NULL) != SQLITE_OK)
                return fail(db, "prepare search");
            sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
            while (nhits < 10 && sqlite3_step(st) == SQLITE_ROW) {
                hits[nhits].id = strdup((const char *)sqlite3_column_text(st, 0));
                hits[nhits].title = strdup((const char *)sqlite3_column_text(st, 1));
                hits[nhits].score = -sqlite3_column_double(st, 2);
                nhits++;
            }
            sqlite3_finalize(st);
        }
        double took = now_ms() - t0;
        if (match) {
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(db, count_sql, -1, &st, NULL) != SQLITE_OK)
                return fail(db, "prepare count");
            sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                total = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }

        json_begin_result(stdout, line, total, took);
        for (int i = 0; i < nhits; i++) {
            json_hit(stdout, i + 1, hits[i].id, hits[i].title, hits[i].score);
            free(hits[i].id);
            free(hits[i].title);
        }
        json_end_result(stdout);
    }
    free(line);
    free(w.buf);
    fclose(in);
    tok.api.xDelete(tok.tok);
    sqlite3_close(db);
    return 0;
}

static int usage(void)
{
    fputs("usage: fts5_peer index DB FILE.jsonl\n"
          "       fts5_peer search DB --queries FILE\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "index") == 0)
        return cmd_index(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "search") == 0 && strcmp(argv[3], "--queries") == 0)
        return cmd_search(argv[2], argv[4]);
    return usage();
}
