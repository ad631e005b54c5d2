// What plain Xapian pays to bring every shard's whole lexicon to a client:
// the get_metadata() of each shard's first whole-lexicon chunk (the value a
// lupe reader fetches at its first batch of typo variants), all shards at
// once on a thread each, as lupe's reader asks them.  Round 0 is a fresh
// process and fresh server children (what a process's first typo question
// meets); later rounds repeat it on the same connections.
//
//   c++ -O2 -pthread -o /tmp/whole_fetch_probe bench/whole_fetch_probe.cc -lxapian
//   /tmp/whole_fetch_probe SHARDS.txt [ROUNDS]
//
// SHARDS.txt lists tcp://HOST:PORT lines (as bench/shards_latency.py writes
// them); '#' lines are skipped.  Prints per round the wall time and each
// shard's bytes and milliseconds.
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t)
{
	return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		std::fprintf(stderr, "usage: %s SHARDS.txt [ROUNDS]\n", argv[0]);
		return 2;
	}
	int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
	// The key lupe's writers give chunk 0 (lib/index/schema.h, LUPE_META_LEXICON_WHOLE "0").
	const std::string key = std::string("\001lupe:tl-all:") + "0";
	std::vector<Xapian::Database> shards;
	std::ifstream list(argv[1]);
	std::string line;
	try {
		while (std::getline(list, line)) {
			if (line.empty() || line[0] == '#' || line.compare(0, 6, "tcp://") != 0)
				continue;
			size_t colon = line.rfind(':');
			std::string host = line.substr(6, colon - 6);
			shards.push_back(
			    Xapian::Remote::open(host, (unsigned)std::atoi(line.c_str() + colon + 1), 5000, 5000));
		}
		if (shards.empty()) {
			std::fprintf(stderr, "%s: no tcp:// shard\n", argv[1]);
			return 1;
		}
		for (int r = 0; r < rounds; r++) {
			std::vector<double> took(shards.size());
			std::vector<size_t> bytes(shards.size());
			std::vector<std::thread> threads;
			auto t0 = Clock::now();
			for (size_t k = 0; k < shards.size(); k++)
				threads.emplace_back([&, k] {
					auto t = Clock::now();
					bytes[k] = shards[k].get_metadata(key).size();
					took[k] = ms_since(t);
				});
			for (auto &t : threads)
				t.join();
			std::printf("round %d: wall %.2f ms |", r, ms_since(t0));
			for (size_t k = 0; k < shards.size(); k++)
				std::printf(" %zu B %.2f ms", bytes[k], took[k]);
			std::printf("\n");
		}
	} catch (const Xapian::Error &e) {
		std::fprintf(stderr, "%s: %s\n", e.get_type(), e.get_msg().c_str());
		return 1;
	}
	return 0;
}
