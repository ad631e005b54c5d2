// C++-private: the shim's structs and its one error mapper, shared by the
// shim's .cc files.  Nothing outside lib/shim/ includes this.
#ifndef LUPE_SHIM_PRIVATE_HH
#define LUPE_SHIM_PRIVATE_HH

#include <xapian.h>

#include <string>
#include <vector>

#include "shim/shim.h"

struct lx_db {
	Xapian::Database rd;          // what searches read (the writer itself when writable)
	Xapian::WritableDatabase wr;  // valid only when writable
	bool writable = false;
	std::string path;
};

struct lx_doc {
	Xapian::Document doc;
};

struct lx_query {
	Xapian::Query q;
};

struct lx_mset {
	std::vector<double> weights;
	std::vector<std::string> data;
	uint64_t estimate = 0;
	bool exact = false;
};

// Map the exception being handled to a lupe status and message.  Call it
// only from inside a catch block.
int lx_map_error(lupe_err *err, const char *what) noexcept;

#endif
