// What asking many terms' frequencies at once costs over remote shards
// (docs/SHARDS.md, round fourteen; lupe's lx_termfreqs asks a word's
// variants this way when no kept list or whole lexicon answers them): one
// search of the terms, get_mset(0, 0) and MSet::get_termfreq of each, in
// several shapes of query, each asked ROUNDS times on connections made
// before, best and mean.  If the shapes cost the same, the cost is the
// remote protocol's statistics (a term each way, per shard), not the match.
//
//     c++ -O2 -o /tmp/or_probe bench/or_probe.cc -lxapian
//     /tmp/or_probe SHARDS.txt TERMS      # TERMS: one term a line
//
// SHARDS.txt is a lupe shard list (tcp://HOST:PORT lines, '#' comments).
// It prints the sum of the terms' frequencies beside each shape: every
// shape must give the same.
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

static const int ROUNDS = 15;

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: or_probe SHARDS.txt TERMS\n");
		return 2;
	}
	Xapian::Database db;
	{
		std::ifstream f(argv[1]);
		std::string l;
		while (std::getline(f, l)) {
			if (l.compare(0, 6, "tcp://") != 0)
				continue;
			size_t colon = l.rfind(':');
			db.add_database(Xapian::Remote::open(l.substr(6, colon - 6), std::stoi(l.substr(colon + 1)), 10000,
							     10000));
		}
	}
	std::vector<std::string> terms;
	{
		std::ifstream f(argv[2]);
		std::string l;
		while (std::getline(f, l))
			if (!l.empty())
				terms.push_back(l);
	}
	std::vector<Xapian::Query> leaves(terms.begin(), terms.end());
	Xapian::Query any(Xapian::Query::OP_OR, leaves.begin(), leaves.end());
	Xapian::Query none("\x01or-probe-no-such-term");
	struct Shape {
		const char *name;
		Xapian::Query q;
		bool boolean;
	} shapes[] = {
		{"OR, BM25", any, false},
		{"OR, BoolWeight", any, true},
		{"AND(no such term, OR)", Xapian::Query(Xapian::Query::OP_AND, none, any), true},
		{"FILTER(OR, no such term)", Xapian::Query(Xapian::Query::OP_FILTER, any, none), true},
		{"SCALE_WEIGHT(OR, 0)", Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, any, 0.0), false},
		{"SYNONYM", Xapian::Query(Xapian::Query::OP_SYNONYM, leaves.begin(), leaves.end()), false},
	};
	std::printf("%zu terms, %zu shards, %d rounds each\n", terms.size(), db.size(), ROUNDS);
	for (const auto &s : shapes) {
		double best = 1e300, sum = 0;
		unsigned long long freqs = 0;
		for (int r = 0; r < ROUNDS; r++) {
			Xapian::Enquire e(db);
			e.set_query(s.q);
			if (s.boolean)
				e.set_weighting_scheme(Xapian::BoolWeight());
			auto a = std::chrono::steady_clock::now();
			Xapian::MSet ms = e.get_mset(0, 0);
			freqs = 0;
			for (const auto &t : terms)
				freqs += ms.get_termfreq(t);
			double ms_taken =
				std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count();
			best = std::min(best, ms_taken);
			sum += ms_taken;
		}
		std::printf("%-26s best %.2f ms, mean %.2f ms, frequencies summed %llu\n", s.name, best, sum / ROUNDS,
			    freqs);
	}
	return 0;
}
