/* Shared by the benchmark peers: print one search result line in the protocol of
 * lupe-search --json, so that bench/eval.py reads every engine the same way.
 *
 *   {"query": str, "total": int, "took_ms": float,
 *    "hits": [{"rank": int, "id": str, "title": str, "score": float,
 *              "snippet": str, "highlights": []}]}
 *
 * Plain C so that the C++ peer and the C peer include the same code. */
#ifndef BENCH_JSONOUT_H
#define BENCH_JSONOUT_H

#include <stdio.h>

/* Writes s as a JSON string literal. Bytes >= 0x80 pass through untouched: the
 * inputs are UTF-8 and JSON allows raw UTF-8; only quotes, backslashes and
 * control characters need escaping. */
static void json_put_string(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                putc(*p, f);
        }
    }
    putc('"', f);
}

static void json_begin_result(FILE *f, const char *query, long long total, double took_ms)
{
    fputs("{\"query\": ", f);
    json_put_string(f, query);
    fprintf(f, ", \"total\": %lld, \"took_ms\": %.3f, \"hits\": [", total, took_ms);
}

static void json_hit(FILE *f, int rank, const char *id, const char *title, double score)
{
    if (rank > 1)
        fputs(", ", f);
    fprintf(f, "{\"rank\": %d, \"id\": ", rank);
    json_put_string(f, id);
    fputs(", \"title\": ", f);
    json_put_string(f, title);
    fprintf(f, ", \"score\": %.6g, \"snippet\": \"\", \"highlights\": []}", score);
}

static void json_end_result(FILE *f)
{
    fputs("]}\n", f);
}

/* Strips a trailing newline (and carriage return) in place; returns the new length. */
static size_t chomp(char *line, size_t n)
{
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return n;
}

#endif
