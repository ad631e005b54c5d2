// index_dump: every document of a Xapian index as text, one line per
// document, sorted by its id term ("Q..."), so that two indexes of the same
// input can be compared with diff whatever their document numbers:
//
//   ID <TAB> data=HASH/LEN <TAB> values <TAB> term:wdf:pos,pos ...
//
// HASH is FNV-1a of the stored record (records are compared whole, not
// shown).  Then the metadata, key=value, and the totals.  The document count, total length and each term's collection
// frequency follow from the lines, so equal dumps mean equal content.
// Built by bench/build.sh; used to check that an indexing change leaves the
// index the same (bench/README.md).
#include <xapian.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

static std::string hex_hash(const std::string &s)
{
	uint64_t h = 1469598103934665603ull;
	for (unsigned char c : s)
		h = (h ^ c) * 1099511628211ull;
	char buf[32];
	snprintf(buf, sizeof buf, "%016llx/%zu", (unsigned long long)h, s.size());
	return buf;
}

// Terms are bytes: show the ones that would break a line escaped.
static std::string esc(const std::string &s)
{
	std::string r;
	for (unsigned char c : s) {
		if (c < 0x20 || c == '\\' || c == ' ' || c == ':') {
			char buf[8];
			snprintf(buf, sizeof buf, "\\x%02x", c);
			r += buf;
		} else {
			r += (char)c;
		}
	}
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: index_dump INDEX > DUMP\n");
		return 2;
	}
	try {
		Xapian::Database db(argv[1]);
		std::vector<std::string> lines;
		for (Xapian::PostingIterator d = db.postlist_begin(""); d != db.postlist_end(""); ++d) {
			Xapian::Document doc = db.get_document(*d);
			std::string id = "(no id)", terms;
			for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
				const std::string &term = *t;
				if (id == "(no id)" && !term.empty() && term[0] == 'Q')
					id = esc(term);
				terms += ' ' + esc(term) + ':' + std::to_string(t.get_wdf()) + ':';
				bool first = true;
				for (Xapian::PositionIterator p = t.positionlist_begin(); p != t.positionlist_end(); ++p) {
					if (!first)
						terms += ',';
					terms += std::to_string(*p);
					first = false;
				}
			}
			std::string values;
			for (Xapian::ValueIterator v = doc.values_begin(); v != doc.values_end(); ++v)
				values += std::to_string(v.get_valueno()) + '=' + esc(*v) + ' ';
			lines.push_back(id + "\tdata=" + hex_hash(doc.get_data()) + "\t" + values + "\t" +
					std::to_string(db.get_doclength(*d)) + terms);
		}
		std::sort(lines.begin(), lines.end());
		for (const std::string &l : lines)
			std::cout << l << '\n';
		for (Xapian::TermIterator k = db.metadata_keys_begin(); k != db.metadata_keys_end(); ++k)
			std::cout << "# metadata " << esc(*k) << '=' << esc(db.get_metadata(*k)) << '\n';
		std::cout << "# documents " << db.get_doccount() << ", total length " << db.get_total_length()
			  << '\n';
		return 0;
	} catch (const Xapian::Error &e) {
		fprintf(stderr, "index_dump: %s\n", e.get_description().c_str());
		return 1;
	}
}
