// A writer that keeps no lupe lexicon (tests/test_shards.py): plain
// Xapian adds TERM to the document with IDTERM in whichever of the DIRs
// holds it, and commits.  Exit 0 when done, 1 when no DIR holds it.
//
// Usage: xapian_add_term IDTERM TERM DIR...
#include <xapian.h>

#include <cstdio>

int main(int argc, char **argv)
{
	if (argc < 4) {
		std::fputs("usage: xapian_add_term IDTERM TERM DIR...\n", stderr);
		return 2;
	}
	try {
		for (int i = 3; i < argc; i++) {
			Xapian::WritableDatabase w(argv[i], Xapian::DB_OPEN);
			Xapian::PostingIterator p = w.postlist_begin(argv[1]);
			if (p == w.postlist_end(argv[1]))
				continue;
			Xapian::Document d = w.get_document(*p);
			d.add_term(argv[2]);
			w.replace_document(argv[1], d);
			w.commit();
			return 0;
		}
	} catch (const Xapian::Error &e) {
		std::fprintf(stderr, "xapian_add_term: %s\n", e.get_description().c_str());
		return 1;
	}
	return 1;
}
