// The floor of a sharded search: plain Xapian over the same shards lupe searches.
//
//   xapian_shards_peer SHARDS.txt --queries FILE   one JSON result line per query line
//
// SHARDS.txt is a lupe shard list (one tcp://HOST:PORT or directory a line, '#' comments).
// Each shard is opened once, as lupe opens them (Remote::open with the same 5 s timeout),
// and added to one Database.  A query is what any client of xapian-tcpsrv must do at least:
// one get_mset(0, 10) and get_data() of the hits (lupe shows a snippet of each).  The words
// are parsed with QueryParser, German stemmer, STEM_ALL (lupe's index terms are stems
// without the "Z" prefix), default operator OR; ranking BM25.  took_ms covers parse, match
// and data, as lupe-search's took_ms covers its search; the connections are made before.

#include <xapian.h>
#include <json-c/json.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "jsonout.h"

namespace {

const unsigned TIMEOUT_MS = 5000;  // lupe_open_options.timeout_ms default

Xapian::Database open_shards(const char *list)
{
    std::ifstream in(list);
    if (!in)
        throw std::runtime_error(std::string("cannot read ") + list);
    Xapian::Database db;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (line.empty() || line[0] == '#')
            continue;
        if (line.compare(0, 6, "tcp://") == 0) {
            std::string rest = line.substr(6);
            size_t colon = rest.rfind(':');
            std::string host = rest.substr(0, colon);
            unsigned port = (unsigned)std::strtoul(rest.c_str() + colon + 1, nullptr, 10);
            db.add_database(Xapian::Remote::open(host, port, TIMEOUT_MS, TIMEOUT_MS));
        } else {
            db.add_database(Xapian::Database(line));
        }
        n++;
    }
    if (n == 0)
        throw std::runtime_error(std::string("no shard listed in ") + list);
    return db;
}

int cmd_search(const char *list, const char *queries)
{
    FILE *in = std::fopen(queries, "r");
    if (!in) {
        std::perror(queries);
        return 1;
    }
    Xapian::Database db = open_shards(list);
    Xapian::Enquire enquire(db);
    Xapian::QueryParser qp;
    qp.set_stemmer(Xapian::Stem("german"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    qp.set_default_op(Xapian::Query::OP_OR);

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
            query = qp.parse_query(line, Xapian::QueryParser::FLAG_DEFAULT & ~Xapian::QueryParser::FLAG_BOOLEAN);
        }
        enquire.set_query(query);
        Xapian::MSet mset = enquire.get_mset(0, 10);
        size_t bytes = 0;
        int nhits = 0;
        double score[10];
        for (Xapian::MSetIterator it = mset.begin(); it != mset.end() && nhits < 10; ++it, ++nhits) {
            bytes += it.get_document().get_data().size();
            score[nhits] = it.get_weight();
        }
        double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        json_begin_result(stdout, line, (long long)mset.get_matches_estimated(), took);
        for (int i = 0; i < nhits; i++)
            json_hit(stdout, i + 1, "", "", score[i]);
        json_end_result(stdout);
        (void)bytes;
    }
    std::free(line);
    std::fclose(in);
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    try {
        if (argc == 4 && std::strcmp(argv[2], "--queries") == 0)
            return cmd_search(argv[1], argv[3]);
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_shards_peer: %s\n", e.get_description().c_str());
        return 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "xapian_shards_peer: %s\n", e.what());
        return 1;
    }
    std::fputs("usage: xapian_shards_peer SHARDS.txt --queries FILE\n", stderr);
    return 2;
}
