// Xapian baseline for the lupe benchmarks: plain Xapian as its own examples use it.
//
//   xapian_peer index DB FILE.jsonl       index {"id","title","text"} lines
//   xapian_peer search DB --queries FILE  one JSON result line per query line
//
// Indexing follows xapian-core's examples/simpleindex and omega: TermGenerator with
// Stem("german") and the default STEM_SOME, positional terms, the title once with
// prefix "S" and once unprefixed, then a position gap, then the body. The document
// data is the id and the boolean term "Q"+id makes re-indexing replace, not add.
// Searching is QueryParser with the same stemmer, STEM_SOME, default operator OR and
// the default flags, ranked by the default BM25Weight. Nothing here is tuned: this is
// the figure a user gets from Xapian out of the box.

#include <xapian.h>
#include <json-c/json.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "jsonout.h"

namespace {

const Xapian::valueno SLOT_TITLE = 0;  // kept only so result lines can show a title
const unsigned COMMIT_EVERY = 10000;

const char *field(json_object *doc, const char *name)
{
    json_object *v = nullptr;
    if (!json_object_object_get_ex(doc, name, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

int cmd_index(const char *dbpath, const char *jsonl)
{
    FILE *in = std::fopen(jsonl, "r");
    if (!in) {
        std::perror(jsonl);
        return 1;
    }
    Xapian::WritableDatabase db(dbpath, Xapian::DB_CREATE_OR_OPEN);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("german"));  // stemming strategy stays the default, STEM_SOME

    char *line = nullptr;
    size_t cap = 0;
    ssize_t n;
    unsigned long count = 0, lineno = 0;
    while ((n = getline(&line, &cap, in)) != -1) {
        lineno++;
        if (chomp(line, (size_t)n) == 0)
            continue;
        json_object *doc = json_tokener_parse(line);
        if (!doc) {
            std::fprintf(stderr, "%s:%lu: not JSON, skipped\n", jsonl, lineno);
            continue;
        }
        std::string id = field(doc, "id"), title = field(doc, "title"), text = field(doc, "text");

        Xapian::Document xdoc;
        tg.set_document(xdoc);
        tg.index_text(title, 1, "S");
        tg.index_text(title);
        tg.increase_termpos();
        tg.index_text(text);
        xdoc.set_data(id);
        xdoc.add_value(SLOT_TITLE, title);
        std::string idterm = "Q" + id;
        xdoc.add_boolean_term(idterm);
        db.replace_document(idterm, xdoc);
        json_object_put(doc);

        if (++count % COMMIT_EVERY == 0)
            db.commit();
    }
    db.commit();
    std::free(line);
    std::fclose(in);
    std::fprintf(stderr, "xapian_peer: indexed %lu documents into %s\n", count, dbpath);
    return 0;
}

int cmd_search(const char *dbpath, const char *queries)
{
    FILE *in = std::fopen(queries, "r");
    if (!in) {
        std::perror(queries);
        return 1;
    }
    Xapian::Database db(dbpath);
    Xapian::Enquire enquire(db);  // default weighting scheme: BM25Weight()
    Xapian::QueryParser qp;
    qp.set_stemmer(Xapian::Stem("german"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(Xapian::Query::OP_OR);
    qp.set_database(db);

    char *line = nullptr;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) != -1) {
        chomp(line, (size_t)n);
        auto t0 = std::chrono::steady_clock::now();
        Xapian::Query query;
        try {
            query = qp.parse_query(line, Xapian::QueryParser::FLAG_DEFAULT);
        } catch (const Xapian::QueryParserError &) {
            // What a search box would do: retry with the words taken literally.
            query = qp.parse_query(line, Xapian::QueryParser::FLAG_DEFAULT & ~Xapian::QueryParser::FLAG_BOOLEAN);
        }
        enquire.set_query(query);
        Xapian::MSet mset = enquire.get_mset(0, 10);
        struct Hit { std::string id, title; double score; };
        Hit hits[10];
        int nhits = 0;
        for (Xapian::MSetIterator it = mset.begin(); it != mset.end() && nhits < 10; ++it, ++nhits) {
            Xapian::Document d = it.get_document();
            hits[nhits] = {d.get_data(), d.get_value(SLOT_TITLE), it.get_weight()};
        }
        double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

        json_begin_result(stdout, line, (long long)mset.get_matches_estimated(), took);
        for (int i = 0; i < nhits; i++)
            json_hit(stdout, i + 1, hits[i].id.c_str(), hits[i].title.c_str(), hits[i].score);
        json_end_result(stdout);
    }
    std::free(line);
    std::fclose(in);
    return 0;
}

int usage()
{
    std::fputs("usage: xapian_peer index DB FILE.jsonl\n"
               "       xapian_peer search DB --queries FILE\n", stderr);
    return 2;
}

}  // namespace

int main(int argc, char **argv)
{
    try {
        if (argc == 4 && std::strcmp(argv[1], "index") == 0)
            return cmd_index(argv[2], argv[3]);
        if (argc == 5 && std::strcmp(argv[1], "search") == 0 && std::strcmp(argv[3], "--queries") == 0)
            return cmd_search(argv[2], argv[4]);
        return usage();
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_peer: %s\n", e.get_description().c_str());
        return 1;
    }
}
