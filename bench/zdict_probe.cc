// What a trained zstd dictionary would do to lupe's stored records (issue 21,
// bench/results/query-2026-12-05-short23.md).  A probe, not part of lupe: it
// reads the records' zstd frames (the version-2 head frame of
// lib/index/document.c) and
//
//   zdict_probe stats   IDX DICT_BYTES SAMPLE_BYTES        trains a dictionary on the first
//       SAMPLE_BYTES of records (docid order, 8 KB of each at most; 0: every record) and prints
//       the frames' bytes without and with it and the CPU time of training and packing;
//   zdict_probe rewrite COPY DICT_BYTES SAMPLE_BYTES FILE  does the same, then packs every head
//       frame of the index COPY again with the dictionary (checksum kept, tail frames as they
//       are), stores the dictionary in COPY's metadata (lupe:zdict) and in FILE.
//
// Run rewrite on a copy only (cp -r IDX COPY; xapian-compact COPY COPYc afterwards).  lupe's
// reader cannot read such frames yet: the measurements used a reader patched to decompress a
// frame that names a dictionary (ZSTD_getDictID_fromFrame) with ZSTD_decompress_usingDDict.
//
// With ZDICT_FROM=FILE in the environment, both modes use the dictionary in FILE instead of
// training one on the index (a dictionary trained elsewhere, e.g. lib/index/zdict-de1.bin); with
// ZDICT_ID=N, a dictionary trained here gets the id N.  `train` reads the frames of an index
// whose lupe packs with a dictionary with ZDICT_DECODE=that dictionary's file (tools/zdict-train).
//
//   g++ -O2 -o zdict_probe bench/zdict_probe.cc -lxapian -lzstd
#include <xapian.h>
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

// The head frame of a packed record (magic, version 2 or 3, flag 1): where it is and how long.
bool head_frame(const std::string &s, size_t *len)
{
	if (s.size() < 4 || s[0] != 'L' || (s[1] != 2 && s[1] != 3) || s[2] != 1)
		return false;
	size_t n = s.size() - 3;
	if (s[1] == 3)
		n = ZSTD_findFrameCompressedSize(s.data() + 3, n);
	if (ZSTD_isError(n))
		return false;
	*len = n;
	return true;
}

double cpu(clock_t a, clock_t b)
{
	return (double)(b - a) / CLOCKS_PER_SEC;
}

// The records' unpacked head frames, in docid order; their documents' ids and the frames' bytes
// as stored, when asked for.
std::vector<std::string> records(const Xapian::Database &db, std::vector<Xapian::docid> *ids = nullptr,
				 size_t *frames = nullptr)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	std::vector<char> out(1 << 21);
	std::vector<std::string> raws;
	ZSTD_DDict *dd = nullptr; // the frames of a lupe that packs with a dictionary: ZDICT_DECODE=its file
	if (const char *from = getenv("ZDICT_DECODE")) {
		FILE *f = fopen(from, "rb");
		size_t k = f ? fread(out.data(), 1, out.size(), f) : 0;
		if (f)
			fclose(f);
		if (!k || !(dd = ZSTD_createDDict(out.data(), k))) {
			fprintf(stderr, "%s: cannot read\n", from);
			exit(1);
		}
	}
	for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
		std::string s = db.get_document(*it).get_data();
		size_t n;
		if (!head_frame(s, &n))
			continue;
		size_t got = ZSTD_decompress_usingDDict(d, out.data(), out.size(), s.data() + 3, n,
							ZSTD_getDictID_fromFrame(s.data() + 3, n) ? dd : nullptr);
		if (ZSTD_isError(got)) {
			fprintf(stderr, "document %u: %s\n", *it, ZSTD_getErrorName(got));
			exit(1);
		}
		raws.emplace_back(out.data(), got);
		if (ids)
			ids->push_back(*it);
		if (frames)
			*frames += n;
	}
	ZSTD_freeDDict(dd);
	ZSTD_freeDCtx(d);
	return raws;
}

// The training samples: the first 8 KB of each record, every `strip` taken out first, until
// `budget` bytes (0: all).
void add_samples(const std::vector<std::string> &raws, size_t budget, const std::string &strip,
		 std::string *samples, std::vector<size_t> *sizes)
{
	for (std::string r : raws) {
		if (budget && samples->size() >= budget)
			break;
		for (size_t at; !strip.empty() && (at = r.find(strip)) != std::string::npos;)
			r.erase(at, strip.size());
		size_t n = std::min(r.size(), (size_t)8192);
		samples->append(r, 0, n);
		sizes->push_back(n);
	}
}

// tools/zdict-train: a dictionary of `cap` bytes with the id `id`, trained on the first 8 KB of
// every packed record of IDX, every `strip` (the folder the training files were under) taken out
// of them first, written to FILE.
int train_only(const char *idx, size_t cap, unsigned long id, const std::string &strip, const char *file)
{
	std::string samples;
	std::vector<size_t> sizes;
	add_samples(records(Xapian::Database(idx)), 0, strip, &samples, &sizes);
	std::vector<char> dict(cap);
	size_t dn = ZDICT_trainFromBuffer(dict.data(), cap, samples.data(), sizes.data(), (unsigned)sizes.size());
	if (ZDICT_isError(dn)) {
		fprintf(stderr, "training: %s\n", ZDICT_getErrorName(dn));
		return 1;
	}
	for (int k = 0; k < 4; k++) // the header's id: after the magic, 4 bytes little-endian
		dict[4 + k] = (char)(id >> (8 * k) & 0xff);
	FILE *f = fopen(file, "wb");
	if (!f || fwrite(dict.data(), 1, dn, f) != dn || fclose(f) != 0) {
		fprintf(stderr, "%s: cannot write\n", file);
		return 1;
	}
	printf("%s: %zu bytes, id %u, from %zu records' %zu bytes\n", file, dn, ZDICT_getDictID(dict.data(), dn),
	       sizes.size(), samples.size());
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	bool rewrite = argc == 6 && !strcmp(argv[1], "rewrite");
	bool train = argc == 7 && !strcmp(argv[1], "train");
	if (!rewrite && !train && !(argc == 5 && !strcmp(argv[1], "stats"))) {
		fprintf(stderr, "usage: zdict_probe stats IDX DICT_BYTES SAMPLE_BYTES\n"
				"       zdict_probe rewrite COPY DICT_BYTES SAMPLE_BYTES FILE\n"
				"       zdict_probe train IDX DICT_BYTES ID STRIP FILE\n");
		return 2;
	}
	if (train)
		return train_only(argv[2], strtoul(argv[3], nullptr, 10), strtoul(argv[4], nullptr, 10), argv[5],
				  argv[6]);
	size_t cap = strtoul(argv[3], nullptr, 10), budget = strtoul(argv[4], nullptr, 10);
	Xapian::WritableDatabase wdb;
	Xapian::Database db;
	if (rewrite)
		db = wdb = Xapian::WritableDatabase(argv[2], Xapian::DB_OPEN);
	else
		db = Xapian::Database(argv[2]);

	std::vector<char> buf(1 << 21);
	std::vector<Xapian::docid> ids;
	size_t frames = 0;
	std::vector<std::string> raws = records(db, &ids, &frames);
	std::string samples;
	std::vector<size_t> sizes;
	add_samples(raws, budget, "", &samples, &sizes);
	std::vector<char> dict(cap);
	clock_t t0 = clock();
	size_t dn;
	if (const char *from = getenv("ZDICT_FROM")) {
		FILE *f = fopen(from, "rb");
		dn = f ? fread(dict.data(), 1, cap, f) : 0;
		if (!f || !dn || fclose(f) != 0) {
			fprintf(stderr, "%s: cannot read\n", from);
			return 1;
		}
	} else {
		dn = ZDICT_trainFromBuffer(dict.data(), cap, samples.data(), sizes.data(), (unsigned)sizes.size());
	}
	clock_t t1 = clock();
	if (ZDICT_isError(dn)) {
		fprintf(stderr, "training: %s\n", ZDICT_getErrorName(dn));
		return 1;
	}
	if (const char *id = getenv("ZDICT_ID")) { // the header's id: magic, then 4 bytes little-endian
		unsigned long v = strtoul(id, nullptr, 10);
		for (int k = 0; k < 4; k++)
			dict[4 + k] = (char)(v >> (8 * k) & 0xff);
	}
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3); // as lib/index/document.c
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CDict *cd = ZSTD_createCDict(dict.data(), dn, 3);
	std::vector<std::string> packed;
	size_t plain = 0, with = 0;
	clock_t t2 = clock();
	for (auto &r : raws)
		plain += ZSTD_compress2(c, buf.data(), buf.size(), r.data(), r.size());
	clock_t t3 = clock();
	ZSTD_CCtx_refCDict(c, cd);
	for (auto &r : raws) {
		size_t z = ZSTD_compress2(c, buf.data(), buf.size(), r.data(), r.size());
		if (ZSTD_isError(z))
			return 1;
		with += z;
		if (rewrite)
			packed.emplace_back(buf.data(), z);
	}
	clock_t t4 = clock();
	printf("%zu zstd records, head frames %zu bytes (as stored); dictionary %zu bytes (id %u) from %zu "
	       "records' %zu bytes: training %.2f s CPU\n",
	       raws.size(), frames, dn, ZDICT_getDictID(dict.data(), dn), sizes.size(), samples.size(), cpu(t0, t1));
	printf("packed again: %zu bytes without, %zu with the dictionary (%.3f); packing %.3f s -> %.3f s CPU\n", plain,
	       with, (double)with / plain, cpu(t2, t3), cpu(t3, t4));
	if (!rewrite)
		return 0;
	for (size_t i = 0; i < ids.size(); i++) {
		Xapian::Document doc = wdb.get_document(ids[i]);
		std::string s = doc.get_data();
		size_t n;
		head_frame(s, &n);
		doc.set_data(s.substr(0, 3) + packed[i] + s.substr(3 + n));
		wdb.replace_document(ids[i], doc);
	}
	wdb.set_metadata("lupe:zdict", std::string(dict.data(), dn));
	wdb.commit();
	FILE *f = fopen(argv[5], "wb");
	if (!f || fwrite(dict.data(), 1, dn, f) != dn || fclose(f) != 0) {
		fprintf(stderr, "%s: cannot write\n", argv[5]);
		return 1;
	}
	printf("rewrote %zu records of %s\n", ids.size(), argv[2]);
	return 0;
}
