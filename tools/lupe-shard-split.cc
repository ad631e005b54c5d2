// lupe-shard-split - split a lupe index into N local shards.
//
// An admin tool, not part of liblupe: it uses libxapian directly, because
// the public API has no way to read documents back.  Each document goes to
// shard lx_shard_hash(id) % N, the very function liblupe routes writes by
// (lib/shim/shards.cc, linked in from the library's objects), so that after the split lupe_add
// replaces and lupe_delete finds every document in its shard.  Metadata is
// copied to every shard (plus "lupe.shard" = "K/N"); spelling data, which
// Xapian reads from all shards of a search, goes to shard 0.  Each shard
// then gets its own lexicon (lib/shim/lexicon.cc: the index's, copied with
// the metadata, describes the whole index), written by the library's
// writer as a lupe commit writes it.
//
// Usage: lupe-shard-split INDEX N OUTDIR
// Writes OUTDIR/shard0 .. OUTDIR/shard<N-1> (which must not exist) and
// OUTDIR/shards.txt listing them.  Built by meson (tools/meson.build) as
// build/tools/lupe-shard-split; scripts/shards.sh split runs it.
#include <xapian.h>

#include "lupe.h"
#include "shim/shim.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

int usage()
{
	std::fputs("Usage: lupe-shard-split INDEX N OUTDIR\n", stderr);
	return 2;
}

}  // namespace

int main(int argc, char **argv)
{
	if (argc != 4)
		return usage();
	char *end;
	unsigned long n = std::strtoul(argv[2], &end, 10);
	if (*end || n < 1 || n > 4096)
		return usage();
	std::string out = argv[3];
	try {
		Xapian::Database src(argv[1]);
		if (src.get_metadata(LUPE_META_FORMAT).empty()) {
			std::fprintf(stderr, "lupe-shard-split: %s: not a lupe index\n", argv[1]);
			return 1;
		}
		if (mkdir(out.c_str(), 0777) != 0 && errno != EEXIST) {
			std::fprintf(stderr, "lupe-shard-split: %s: %s\n", out.c_str(), std::strerror(errno));
			return 1;
		}
		std::vector<Xapian::WritableDatabase> shards;
		for (unsigned long k = 0; k < n; k++) {
			std::string dir = out + "/shard" + std::to_string(k);
			struct stat st;
			if (stat(dir.c_str(), &st) == 0) {
				std::fprintf(stderr, "lupe-shard-split: %s exists already\n", dir.c_str());
				return 1;
			}
			shards.emplace_back(dir, Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
			for (auto key = src.metadata_keys_begin(); key != src.metadata_keys_end(); ++key)
				shards.back().set_metadata(*key, src.get_metadata(*key));
			shards.back().set_metadata(LUPE_META_SHARD, std::to_string(k) + "/" + std::to_string(n));
		}
		for (auto w = src.spellings_begin(); w != src.spellings_end(); ++w)
			shards[0].add_spelling(*w, w.get_termfreq());
		std::vector<unsigned long> count(n);
		unsigned long done = 0;
		for (auto it = src.postlist_begin(""); it != src.postlist_end(""); ++it) {
			Xapian::Document doc = src.get_document(*it);
			auto t = doc.termlist_begin();
			t.skip_to(LUPE_PFX_ID);
			if (t == doc.termlist_end() || (*t)[0] != LUPE_PFX_ID[0]) {
				std::fprintf(stderr, "lupe-shard-split: document %u has no id term\n", *it);
				return 1;
			}
			std::string idterm = *t;
			size_t k = lx_shard_hash(idterm.data() + 1, idterm.size() - 1) % n;
			shards[k].replace_document(idterm, doc);
			count[k]++;
			if (++done % 5000 == 0)
				for (auto &s : shards)
					s.commit();
		}
		for (auto &s : shards) {
			s.commit();
			s.close();
		}
		for (unsigned long k = 0; k < n; k++) {
			std::string dir = out + "/shard" + std::to_string(k);
			lx_db *db = nullptr;
			lupe_err err;
			int rc = lx_open(&db, dir.c_str(), 1, 0, &err);
			if (rc == LUPE_OK)
				rc = lx_commit(db, &err);
			lx_close(db);
			if (rc != LUPE_OK) {
				std::fprintf(stderr, "lupe-shard-split: %s: writing its lexicon: %s\n", dir.c_str(), err.msg);
				return 1;
			}
		}
		std::string list = out + "/shards.txt";
		FILE *f = std::fopen(list.c_str(), "w");
		if (!f) {
			std::fprintf(stderr, "lupe-shard-split: %s: %s\n", list.c_str(), std::strerror(errno));
			return 1;
		}
		std::fprintf(f, "# %lu shards split from %s by FNV-1a-64(id) %% %lu\n", n, argv[1], n);
		for (unsigned long k = 0; k < n; k++)
			std::fprintf(f, "./shard%lu\n", k);
		if (std::fclose(f) != 0) {
			std::fprintf(stderr, "lupe-shard-split: %s: write failed\n", list.c_str());
			return 1;
		}
		for (unsigned long k = 0; k < n; k++)
			std::printf("shard%lu: %lu documents\n", k, count[k]);
		std::printf("%lu documents; list: %s\n", done, list.c_str());
		return 0;
	} catch (const Xapian::Error &e) {
		std::fprintf(stderr, "lupe-shard-split: %s\n", e.get_description().c_str());
		return 1;
	}
}
