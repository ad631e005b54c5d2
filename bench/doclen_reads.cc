// The document-length list read back and forth (bench/results/
// query-2026-12-05-faults.md, section 5): lupe's query for
// "window Präsentationsfolie" and the same matches with the proximity parts
// under AND_MAYBE, through plain Xapian on a lupe index, with a line on
// stderr before and after each match so that strace shows its block reads:
//
//     c++ -O2 -o /tmp/doclen_reads bench/doclen_reads.cc -lxapian
//     strace -e trace=pread64,write /tmp/doclen_reads IDX 2>&1 >/dev/null | less
//
// Blocks 44-54 of postlist.glass hold the document lengths (keys \x00\xe0)
// on the benchmark's collection index.
#include <unistd.h>
#include <xapian.h>

#include <iostream>
#include <vector>

using Q = Xapian::Query;

static Q make(Q::op op, std::vector<Q> v, unsigned window = 0)
{
	return Q(op, v.begin(), v.end(), window);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::cerr << "usage: doclen_reads INDEX\n";
		return 2;
	}
	Xapian::Database db(argv[1]);
	Q w("window"), pf("prasentationsfoli"), p("prasentation"), f("foli");
	Q near_pf = make(Q::OP_NEAR, {p, f}, 6), and_pf = make(Q::OP_AND, {p, f});
	Q near_w = make(Q::OP_NEAR, {w, pf}, 6);
	Q inner = make(Q::OP_OR, {pf, Q(Q::OP_SCALE_WEIGHT, near_pf, 0.5), Q(Q::OP_SCALE_WEIGHT, and_pf, 0.25)});
	Q lupe = make(Q::OP_OR, {w, inner, Q(Q::OP_SCALE_WEIGHT, near_w, 0.15)});
	Q base = make(Q::OP_OR, {w, pf, Q(Q::OP_SCALE_WEIGHT, and_pf, 0.25)});
	Q maybe =
	    make(Q::OP_AND_MAYBE, {base, Q(Q::OP_SCALE_WEIGHT, near_pf, 0.5), Q(Q::OP_SCALE_WEIGHT, near_w, 0.15)});
	for (const Q &q : {lupe, maybe}) {
		Xapian::Enquire e(db);
		e.set_query(q);
		e.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
		std::cerr << "=== " << q.get_description() << std::endl;
		Xapian::MSet ms = e.get_mset(0, 10, 100);
		std::cerr << "=== end" << std::endl;
		for (auto it = ms.begin(); it != ms.end(); ++it)
			std::cout << *it << ' ' << it.get_weight() << '\n';
	}
	return 0;
}
