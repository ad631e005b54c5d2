// How to ask a remote shard whether one of its documents holds some terms
// (docs/SHARDS.md, round twelve; lupe's lx_mset_hit_has_any_term): three
// ways through plain Xapian against one xapian-tcpsrv, each asked ROUNDS
// times, the mean time a question:
//   - a posting list a term, skip_to the document (one exchange a term; the
//     server sends the list a message a document),
//   - the term's positions in the document (one exchange a term; a message
//     a position),
//   - one search of the shard, the terms' OR filtered by the document's id
//     term (two exchanges, lupe's way since round twelve).
//
//     c++ -O2 -o /tmp/has_term_probe bench/has_term_probe.cc -lxapian
//     /tmp/has_term_probe PORT DOCID TERM...      # e.g. a shard of the collection
//
// The document's id term is read from its term list (LUPE_PFX_ID "Q").
// It prints how many of the rounds each way found a term (all three must
// agree: rounds or 0).
#include <xapian.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

static const int ROUNDS = 50;

static double us_since(std::chrono::steady_clock::time_point a)
{
	return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count() / ROUNDS;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		std::cerr << "usage: has_term_probe PORT DOCID TERM...\n";
		return 2;
	}
	Xapian::Database rd = Xapian::Remote::open("127.0.0.1", (unsigned)std::atoi(argv[1]), 10000, 10000);
	Xapian::docid did = (Xapian::docid)std::strtoul(argv[2], nullptr, 10);
	std::vector<std::string> terms(argv + 3, argv + argc);
	std::string idterm;
	for (auto t = rd.termlist_begin(did); t != rd.termlist_end(did); ++t)
		if ((*t)[0] == 'Q') {
			idterm = *t;
			break;
		}
	if (idterm.empty()) {
		std::cerr << "document " << did << " has no id term\n";
		return 1;
	}
	for (const auto &t : terms)
		std::cout << t << ": " << rd.get_termfreq(t) << " documents of the shard\n";
	for (int pass = 0; pass < 2; pass++) {
		int lists = 0, positions = 0, searches = 0;
		auto a = std::chrono::steady_clock::now();
		for (int r = 0; r < ROUNDS; r++)
			for (const auto &t : terms) {
				Xapian::PostingIterator p = rd.postlist_begin(t), end = rd.postlist_end(t);
				if (p == end)
					continue;
				p.skip_to(did);
				if (p != end && *p == did) {
					lists++;
					break;
				}
			}
		double tl = us_since(a);
		a = std::chrono::steady_clock::now();
		for (int r = 0; r < ROUNDS; r++)
			for (const auto &t : terms)
				if (rd.positionlist_begin(did, t) != rd.positionlist_end(did, t)) {
					positions++;
					break;
				}
		double tp = us_since(a);
		a = std::chrono::steady_clock::now();
		for (int r = 0; r < ROUNDS; r++) {
			Xapian::Enquire enq(rd);
			enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER,
						    Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()),
						    Xapian::Query(idterm)));
			enq.set_weighting_scheme(Xapian::BoolWeight());
			Xapian::MSet ms = enq.get_mset(0, 1);
			searches += ms.size() > 0 && *ms.begin() == did;
		}
		double ts = us_since(a);
		std::cout << "pass " << pass + 1 << ", " << terms.size() << " terms: posting lists " << tl << " us ("
			  << lists << "), positions " << tp << " us (" << positions << "), filtered search " << ts
			  << " us (" << searches << ")\n";
	}
	return 0;
}
