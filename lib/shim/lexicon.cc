// The lexicon a lupe writer keeps in the index's own metadata: per
// two-byte prefix (LX_LIST_PREFIX) the sorted terms that start with it and
// their document frequencies, in one value.  A remote reader fetches the
// terms of a prefix as one metadata message, where Xapian 1.4's remote
// allterms listing sends one reply message per term (thousands for "ge",
// 6-16 ms).  docs/SHARDS.md ("The lexicon") says why it is never stale.
#include <xapian.h>

#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "lupe.h"
#include "shim/shim_private.hh"
#include "util/buf.h"

namespace {

// Keys in a namespace of their own: "\x01" sorts before every key lupe or
// a user writes ("lupe.*"), and no lupe code lists metadata keys but the
// blank-shard check (which only asks whether there are any).
const std::string kKeyPrefix(LUPE_META_LEXICON_PREFIX);
const std::string kStampKey(LUPE_META_LEXICON_STAMP);
const std::string kWholeSizeKey(LUPE_META_LEXICON_WHOLE_SIZE);
const std::string kWholeKey(LUPE_META_LEXICON_WHOLE);

// A prefix's value: kValue, the base list's count and length, the base
// list, then the delta: the terms whose frequency changed since the base
// was written, with their frequency now (0: gone), front-coded as the
// base.  A writer rewrites only the delta at a commit (the base's bytes
// are copied) until it grows past a quarter of the base; then the base
// is written anew from the writer's listing.  The base: kMagic, a flag
// (0 raw, 1 one zstd frame of the rest), then the count and per term:
// bytes shared with the previous term, the other bytes (count, bytes),
// the frequency; all varints.
constexpr char kValue = 'M';
constexpr char kMagic = 'L';
constexpr size_t kZstdMin = 256;
constexpr int kZstdLevel = 3;
// A base unpacked to more than this is not read (the listing is): a reader
// keeps at most 16 MB of lists (kTermsCacheMax), a prefix never holds more.
constexpr size_t kUnpackedMax = 32u << 20;

using Terms = std::vector<std::pair<std::string, uint64_t>>;

// Terms starting with the id prefix are left out: the only caller that
// lists them (lupe_list_ids) is not on a search's path, and they are one
// a document.
bool left_out(unsigned char first)
{
	return first == (unsigned char)LUPE_PFX_ID[0];
}

std::string key_of(const std::string &p2)
{
	return kKeyPrefix + p2;
}

// What a remote reader knows of a shard without asking (Xapian sends it
// with every open and reopen): the stamp a maintaining writer leaves in
// the same commit as the lexicon.
std::string stamp_of(const Xapian::Database &d)
{
	return "1 " + std::to_string(d.get_doccount()) + " " + std::to_string(d.get_lastdocid()) + " " +
	       std::to_string(d.get_total_length()) + " " + std::to_string(d.get_doclength_lower_bound()) + " " +
	       std::to_string(d.get_doclength_upper_bound());
}

void put_varint(std::string &s, uint64_t v)
{
	while (v >= 0x80) {
		s.push_back((char)(v | 0x80));
		v >>= 7;
	}
	s.push_back((char)v);
}

void put_entries(std::string &raw, const Terms &terms)
{
	put_varint(raw, terms.size());
	const std::string *prev = nullptr;
	for (const auto &t : terms) {
		size_t shared = 0;
		if (prev)
			while (shared < prev->size() && shared < t.first.size() && (*prev)[shared] == t.first[shared])
				shared++;
		put_varint(raw, shared);
		put_varint(raw, t.first.size() - shared);
		raw.append(t.first, shared, std::string::npos);
		put_varint(raw, t.second);
		prev = &t.first;
	}
}

std::string encode_base(const Terms &terms)
{
	std::string raw;
	raw.reserve(terms.size() * 8 + 8);
	put_entries(raw, terms);
	std::string out;
	out.push_back(kMagic);
	if (raw.size() < kZstdMin) {
		out.push_back(0);
		return out + raw;
	}
	out.push_back(1);
	size_t bound = ZSTD_compressBound(raw.size());
	out.resize(2 + bound);
	size_t n = ZSTD_compress(&out[2], bound, raw.data(), raw.size(), kZstdLevel);
	if (ZSTD_isError(n)) {
		out.resize(2);
		out[1] = 0;
		return out + raw;
	}
	out.resize(2 + n);
	return out;
}

std::string make_value(const char *base, size_t base_len, uint64_t base_count, const Terms &delta)
{
	std::string v(1, kValue);
	put_varint(v, base_count);
	put_varint(v, base_len);
	v.append(base, base_len);
	put_entries(v, delta);
	return v;
}

std::string full_value(const Terms &terms)
{
	std::string base = terms.empty() ? std::string() : encode_base(terms);
	return make_value(base.data(), base.size(), terms.size(), Terms());
}

// A varint at p[*i..n): its one-byte form (most of a list's lengths and
// frequencies) in place, the others through lupe_get_varint.
inline int get_varint(const char *p, size_t n, size_t *i, uint64_t *v)
{
	if (*i < n && !((unsigned char)p[*i] & 0x80)) {
		*v = (unsigned char)p[(*i)++];
		return 0;
	}
	return lupe_get_varint(p, n, i, v);
}

// Walk the entries at p[*i..n) (count, then terms, front-coded, each with
// its frequency) of prefix p2: each term in order to each(term, freq),
// which returns true to stop (the rest is not read: *i = n).  Sorted,
// distinct and all of p2, a frequency 0 only when zero_ok (a delta's: the
// term is gone), or false: damaged.  The count to *count_out (if not null).
template <typename Each>
bool walk_entries(const char *p, size_t n, size_t *i, const std::string &p2, bool zero_ok, uint64_t *count_out,
		  Each each)
{
	uint64_t count;
	if (lupe_get_varint(p, n, i, &count) < 0 || count > n - *i)
		return false;
	if (count_out)
		*count_out = count;
	// The term in place: a buffer on the stack (Xapian's terms are at
	// most 245 bytes), a string only for a longer one.
	char small[256];
	std::string big;
	char *term = small;
	size_t tlen = 0, cap = sizeof small;
	for (uint64_t k = 0; k < count; k++) {
		uint64_t shared, rest, freq;
		if (get_varint(p, n, i, &shared) < 0 || shared > tlen || get_varint(p, n, i, &rest) < 0 ||
		    rest > n - *i)
			return false;
		// Sorted and distinct: past the shared bytes, the new suffix is
		// greater than the old one (the first term: any).
		if (k > 0) {
			size_t old = tlen - (size_t)shared, m = std::min(old, (size_t)rest);
			int c = std::memcmp(p + *i, term + shared, m);
			if (c < 0 || (c == 0 && rest <= old))
				return false;
		}
		size_t len = (size_t)shared + (size_t)rest;
		if (len > cap) {
			if (term == small)
				big.assign(small, tlen);
			big.resize(len);
			term = &big[0];
			cap = len;
		}
		std::memcpy(term + shared, p + *i, (size_t)rest);
		tlen = len;
		*i += (size_t)rest;
		// Of p2: a term that keeps the one before's first p2.size() bytes
		// keeps that term's p2 (checked when it was read).
		if (get_varint(p, n, i, &freq) < 0 || (freq == 0 && !zero_ok) ||
		    (shared < p2.size() && (tlen < p2.size() || std::memcmp(term, p2.data(), p2.size()) != 0)))
			return false;
		if (each(std::string_view(term, tlen), freq)) {
			*i = n;
			return true;
		}
	}
	return true;
}

// Every entry of p2's list is of p2: a want that p2 starts with takes
// them all, without a comparison an entry.
bool takes_all(const std::string &p2, const std::string &want)
{
	return want.size() <= p2.size() && p2.compare(0, want.size(), want) == 0;
}

bool starts_with(std::string_view term, const std::string &want)
{
	return term.size() >= want.size() && std::memcmp(term.data(), want.data(), want.size()) == 0;
}

// Entries at p[*i..n) of prefix p2 (walk_entries): those starting with
// want into out.  False when damaged.
bool get_entries(const char *p, size_t n, size_t *i, const std::string &p2, const std::string &want, bool zero_ok,
		 uint64_t *count_out, Terms &out)
{
	bool all = takes_all(p2, want);
	return walk_entries(p, n, i, p2, zero_ok, count_out, [&](std::string_view term, uint64_t freq) {
		if (all || starts_with(term, want))
			out.emplace_back(std::string(term), freq);
		return false;
	});
}

// ZSTD_decompress through a context the thread keeps: ZSTD_decompress
// makes one a call, most of a small list's time.
size_t unzstd(void *dst, size_t cap, const void *src, size_t n)
{
	struct Ctx {
		ZSTD_DCtx *c = ZSTD_createDCtx();
		~Ctx() { ZSTD_freeDCtx(c); }
	};
	thread_local Ctx ctx;
	return ctx.c ? ZSTD_decompressDCtx(ctx.c, dst, cap, src, n) : ZSTD_decompress(dst, cap, src, n);
}

// A base list blob (len > 0 bytes: kMagic, 0 raw or 1 zstd, the entries)
// as its entries: *p and *n point into blob, or into unpacked for a zstd
// one.  False when damaged.
bool base_entries(const char *blob, size_t len, std::string &unpacked, const char **p, size_t *n)
{
	if (len < 2 || blob[0] != kMagic || (blob[1] != 0 && blob[1] != 1))
		return false;
	*p = blob + 2;
	*n = len - 2;
	if (blob[1] == 1) {
		unsigned long long size = ZSTD_getFrameContentSize(*p, *n);
		if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kUnpackedMax)
			return false;
		unpacked.resize((size_t)size);
		size_t got = unzstd(&unpacked[0], unpacked.size(), *p, *n);
		if (ZSTD_isError(got) || got != size)
			return false;
		*p = unpacked.data();
		*n = unpacked.size();
	}
	return true;
}

// The base list blob (len bytes, `count` terms): each entry that starts
// with want to put(term, freq), in order; when every entry is wanted,
// reserve(entries at most, bytes) first.  False when it is damaged.
// entries(blob, len, unpacked, &p, &n) gives the blob's entries
// (base_entries, or a whole lexicon's kept copy: whole_entries).
template <typename Reserve, typename Put, typename Entries>
bool walk_base(const std::string &p2, const char *blob, size_t len, uint64_t count, const std::string &want,
	       Reserve reserve, Put put, Entries entries)
{
	if (len == 0)
		return count == 0;
	std::string unpacked;
	const char *p;
	size_t n;
	if (!entries(blob, len, unpacked, &p, &n))
		return false;
	bool all = takes_all(p2, want);
	if (all) // each entry takes a byte or more
		reserve((size_t)std::min<uint64_t>(count, n), n);
	size_t i = 0;
	uint64_t have;
	return walk_entries(p, n, &i, p2, false, &have,
			    [&](std::string_view term, uint64_t freq) {
				    if (all || starts_with(term, want))
					    put(term, freq);
				    return false;
			    }) &&
	       have == count && i == n;
}

// The base list blob (len bytes, `count` terms) into out, filtered by want.
template <typename Entries>
bool decode_base(const std::string &p2, const char *blob, size_t len, uint64_t count, const std::string &want,
		 Terms &out, Entries entries)
{
	return walk_base(
	    p2, blob, len, count, want, [&](size_t n, size_t) { out.reserve(n); },
	    [&](std::string_view term, uint64_t freq) { out.emplace_back(std::string(term), freq); }, entries);
}

// A value's parts: the base's count and bytes (pointing into v) and the
// whole delta.  False when damaged.
bool split_value(const std::string &p2, const char *v, size_t len, uint64_t *base_count, const char **base,
		 size_t *base_len, Terms &delta)
{
	size_t i = 1;
	uint64_t blen, dcount;
	if (len < 1 || v[0] != kValue || lupe_get_varint(v, len, &i, base_count) < 0 ||
	    lupe_get_varint(v, len, &i, &blen) < 0 || blen > len - i)
		return false;
	*base = v + i;
	*base_len = (size_t)blen;
	i += (size_t)blen;
	return get_entries(v, len, &i, p2, p2, true, &dcount, delta) && i == len;
}

// The base's terms (list) with the delta applied, those that start with
// want, each to put(term, freq) in order: a delta entry replaces the
// base's of its term, or (frequency 0) takes it out.
template <typename Put>
void apply_delta(const Terms &list, const Terms &delta, const std::string &want, Put put)
{
	size_t d = 0;
	while (d < delta.size() && delta[d].first.compare(0, want.size(), want) != 0)
		d++;
	for (size_t b = 0; b < list.size() || d < delta.size();) {
		int c = b == list.size() ? 1 : d == delta.size() ? -1 : list[b].first.compare(delta[d].first);
		if (c < 0) {
			put(list[b++]);
			continue;
		}
		if (delta[d].second)
			put(delta[d]);
		if (c == 0)
			b++;
		for (d++; d < delta.size() && delta[d].first.compare(0, want.size(), want) != 0;)
			d++;
	}
}

// Decode value (of prefix p2) into a packed list: the terms that start
// with want.  A value without a delta (a lexicon written whole) is walked
// straight into out; one with a delta through a list of pairs.  False
// when it is damaged in any way.
template <typename Entries>
bool decode_packed_from(const std::string &p2, const char *v, size_t len, const std::string &want, lx_terms &out,
			Entries entries)
{
	out.clear();
	uint64_t base_count;
	const char *base;
	size_t base_len;
	Terms delta;
	if (!split_value(p2, v, len, &base_count, &base, &base_len, delta))
		return false;
	if (!delta.empty()) {
		Terms list;
		if (!decode_base(p2, base, base_len, base_count, want, list, entries))
			return false;
		size_t nbytes = 0;
		for (const auto &t : list)
			nbytes += t.first.size();
		out.reserve(list.size() + delta.size(), nbytes);
		apply_delta(list, delta, want, [&](const std::pair<std::string, uint64_t> &t) { out.push(t.first, t.second); });
		out.shrink();
		return true;
	}
	if (!walk_base(
		p2, base, base_len, base_count, want, [&](size_t n, size_t bytes) { out.reserve(n, bytes); },
		[&](std::string_view term, uint64_t freq) { out.push(term, freq); }, entries))
		return false;
	out.shrink(); // front-coded, the terms' bytes outgrow the reservation
	return true;
}

bool decode_packed(const std::string &p2, const char *v, size_t len, const std::string &want, lx_terms &out)
{
	return decode_packed_from(p2, v, len, want, out, base_entries);
}

// base_entries of the base blob (len bytes) of w.at[k]'s value: a zstd
// base is unpacked into w.unpacked[k] at its first look-up while
// w.unpacked_max allows (then *p points into it), else into unpacked.
bool whole_entries(const lx_lex_whole &w, size_t k, const char *blob, size_t len, std::string &unpacked,
		   const char **p, size_t *n)
{
	// Raw (or damaged: base_entries says so), or a copy that keeps none.
	if (len < 2 || blob[0] != kMagic || blob[1] != 1 || k >= w.unpacked.size())
		return base_entries(blob, len, unpacked, p, n);
	std::string &kept = w.unpacked[k];
	if (lx_hooks.at)
		lx_hooks.at(kept.empty() ? "terms:base-unpack" : "terms:base-kept");
	if (!kept.empty()) {
		*p = kept.data();
		*n = kept.size();
		return true;
	}
	unsigned long long size = ZSTD_getFrameContentSize(blob + 2, len - 2);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > w.unpacked_max - w.unpacked_bytes)
		return base_entries(blob, len, unpacked, p, n);
	if (!base_entries(blob, len, kept, p, n)) {
		std::string().swap(kept);
		return false;
	}
	w.unpacked_bytes += kept.size();
	return true;
}

// The distinct terms a writer notes between the lists' writes, at most this
// many; past it, the prefixes noted are written whole.
constexpr size_t kNotedMax = 1u << 20;
// A writer of an index it found empty keeps at most this many ids it wrote (lx_lex::new_ids).
constexpr size_t kNewIdsMax = 1u << 20;
// A remote writer asks the frequencies of this many terms in one query.
constexpr size_t kOrBatch = 16384;

void note_term(lx_lex &lex, const std::string &t)
{
	if (t.size() < LX_LIST_PREFIX || left_out((unsigned char)t[0]))
		return;
	unsigned b = (unsigned char)t[0] << 8 | (unsigned char)t[1];
	lex.touched[b >> 6] |= (uint64_t)1 << (b & 63);
	if (lex.terms_over)
		return;
	if (lex.terms.size() >= kNotedMax) {
		lex.terms_over = true; // the prefixes are written whole
		std::unordered_set<std::string>().swap(lex.terms);
		return;
	}
	lex.terms.insert(t);
}

// A remote writer keeps the values it wrote (lx_lex::values): over
// xapian-tcpsrv each get_metadata is a round trip, a commit of 100
// documents touches ~1,500 prefixes.  At most this many bytes.
constexpr size_t kValuesMax = 64u << 20;

// Write prefix p2's value (empty: none), and keep it when the writer keeps them.
void put_value(lx_lex &lex, Xapian::WritableDatabase &w, const std::string &p2, const std::string &v)
{
	w.set_metadata(key_of(p2), v);
	if (lex.remote)
		lex.pending[p2] = v;
}

// The whole lexicon in a few values (round ten): every prefix's value, as
// stored, one after the other in key order, cut into chunks of at most
// kWholeChunk bytes under LUPE_META_LEXICON_WHOLE + k.  A reader takes
// them in one exchange a chunk (one for the news' or the collection's
// shards, 100-400 KB) where the values are one a prefix (~800-1,500).
// A chunk: kWholeMagic, its number, the number of chunks, the stamp it was
// written with (a reader takes it only for the index that stamp
// describes, as the values), the payload's whole size, then its part of
// the payload: the count, and per prefix its two bytes, the value's size
// and the value.  A lexicon over kWholeChunks chunks has none.
constexpr char kWholeMagic = 'W';
constexpr size_t kWholeChunk = 4u << 20;
constexpr size_t kWholeChunks = 4;
// A lexicon over the bound leaves chunk 0 saying so: kWholeBig and the
// payload's size in decimal (a reader takes no chunk but a kWholeMagic
// one).  A writer that finds it for a lexicon over twice the bound
// composes no whole at its commits, which would read every prefix's value
// (tens of MB for a large collection) to write none; under that it
// composes again, so a lexicon that shrank gets its whole back.
constexpr char kWholeBig = 'B';
constexpr size_t kWholeMax = kWholeChunk * kWholeChunks;

std::string whole_key(size_t k)
{
	return kWholeKey + std::to_string(k);
}

// Write the whole lexicon of values (prefix -> value, none empty) with
// stamp, and remove chunks it no longer uses; none at all when it is over
// the bound, only chunk 0 saying so (readers then read the values one a
// prefix, as before).
void write_whole(Xapian::WritableDatabase &w, const std::map<std::string, std::string> &values,
		 const std::string &stamp)
{
	std::string payload;
	put_varint(payload, values.size());
	for (const auto &v : values) {
		payload.append(v.first);
		put_varint(payload, v.second.size());
		payload.append(v.second);
	}
	size_t chunks = (payload.size() + kWholeChunk - 1) / kWholeChunk;
	if (chunks == 0)
		chunks = 1;
	size_t k = 0;
	if (chunks > kWholeChunks)
		w.set_metadata(whole_key(k++), std::string(1, kWholeBig) + std::to_string(payload.size()));
	else
		for (; k < chunks; k++) {
			std::string c(1, kWholeMagic);
			put_varint(c, k);
			put_varint(c, chunks);
			put_varint(c, stamp.size());
			c.append(stamp);
			put_varint(c, payload.size());
			size_t at = k * kWholeChunk;
			c.append(payload, at, std::min(kWholeChunk, payload.size() - at));
			w.set_metadata(whole_key(k), c);
		}
	for (; k < kWholeChunks; k++)
		w.set_metadata(whole_key(k), std::string());
	// Its size for readers that decide before they read it (also when
	// over the bound: then none takes it at the first batch).
	w.set_metadata(kWholeSizeKey, std::to_string(payload.size()) + " " + stamp);
}

// Whether chunk 0 says the lexicon is over twice the bound (kWholeBig).
bool whole_far_over(Xapian::WritableDatabase &w)
{
	std::string c = w.get_metadata(whole_key(0));
	if (c.size() < 2 || c[0] != kWholeBig)
		return false;
	char *end = nullptr;
	unsigned long long n = strtoull(c.c_str() + 1, &end, 10);
	return end && *end == '\0' && n > 2 * (unsigned long long)kWholeMax;
}

// Every prefix's value as w sees it now, uncommitted writes included:
// from what a remote writer keeps when it keeps them all (else a round
// trip a value; it then keeps them all), from w for a local writer.
void all_values(lx_lex &lex, Xapian::WritableDatabase &w, std::map<std::string, std::string> &out)
{
	out.clear();
	if (lex.remote && (lex.complete || lex.pending_complete)) {
		if (!lex.pending_complete)
			for (const auto &v : lex.values)
				if (!v.second.empty())
					out.insert(v);
		for (const auto &v : lex.pending) {
			if (v.second.empty())
				out.erase(v.first);
			else
				out[v.first] = v.second;
		}
		return;
	}
	for (auto k = w.metadata_keys_begin(kKeyPrefix); k != w.metadata_keys_end(kKeyPrefix); ++k)
		if ((*k).size() == kKeyPrefix.size() + LX_LIST_PREFIX) {
			std::string v = w.get_metadata(*k);
			if (!v.empty())
				out[(*k).substr(kKeyPrefix.size())] = v;
		}
	if (lex.remote) {
		for (const auto &v : out)
			lex.pending.insert(v); // those written in this commit are there already
		for (auto it = lex.pending.begin(); it != lex.pending.end();)
			it = it->second.empty() ? lex.pending.erase(it) : std::next(it);
		lex.pending_complete = true;
	}
}

// A stored whole lexicon's payload, when its chunks are whole, of one
// write and of the index that stamp describes, and at most max bytes:
// true.  Throws what Xapian throws.
// Chunk k (c) of a whole written with stamp, its part appended to
// payload; chunks and total as chunk 0 says (checked against it for the
// others).  False when it is not one.
bool take_chunk(std::string &&c, size_t k, const std::string &stamp, size_t max, size_t *chunks, size_t *total,
		std::string &payload)
{
	size_t i = 1;
	uint64_t ck, cn, slen, ptotal;
	if (c.empty() || c[0] != kWholeMagic || lupe_get_varint(c.data(), c.size(), &i, &ck) < 0 || ck != k ||
	    lupe_get_varint(c.data(), c.size(), &i, &cn) < 0 || cn == 0 || cn > kWholeChunks ||
	    (k > 0 && cn != *chunks) || lupe_get_varint(c.data(), c.size(), &i, &slen) < 0 ||
	    slen != stamp.size() || slen > c.size() - i || c.compare(i, (size_t)slen, stamp) != 0)
		return false;
	i += (size_t)slen;
	if (lupe_get_varint(c.data(), c.size(), &i, &ptotal) < 0 || ptotal > max || (k > 0 && ptotal != *total))
		return false;
	*chunks = (size_t)cn;
	*total = (size_t)ptotal;
	if (c.size() - i > *total - payload.size())
		return false;
	if (k == 0 && cn == 1 && payload.empty()) {
		// The only chunk: its payload stays where Xapian put it, the
		// header moved out of the way in place.  A copy would take fresh
		// pages for it (100-400 KB a shard, a page fault each 4 KB: ~11 us
		// each on the benchmark machine), where the chunk's are touched.
		payload.swap(c);
		payload.erase(0, i);
		return true;
	}
	payload.append(c, i, std::string::npos);
	return true;
}

bool read_whole(Xapian::Database &d, const std::string &stamp, size_t max, std::string &payload)
{
	payload.clear();
	size_t chunks = 1, total = 0;
	for (size_t k = 0; k < chunks; k++)
		if (!take_chunk(d.get_metadata(whole_key(k)), k, stamp, max, &chunks, &total, payload))
			return false;
	return payload.size() == total;
}

// The prefixes of a whole lexicon's payload and where their values are:
// false when it is damaged (counts, sizes, order, the id prefix).
bool index_whole(const std::string &payload, std::vector<lx_lex_whole::At> &at)
{
	at.clear();
	size_t i = 0, n = payload.size();
	uint64_t count;
	if (lupe_get_varint(payload.data(), n, &i, &count) < 0 || count > n - i)
		return false;
	at.reserve((size_t)count);
	for (uint64_t k = 0; k < count; k++) {
		uint64_t len;
		if (n - i < LX_LIST_PREFIX)
			return false;
		std::string p2 = payload.substr(i, LX_LIST_PREFIX);
		i += LX_LIST_PREFIX;
		if (lupe_get_varint(payload.data(), n, &i, &len) < 0 || len > n - i || left_out((unsigned char)p2[0]) ||
		    (!at.empty() && !(at.back().p2 < p2)))
			return false;
		at.push_back({p2, i, (size_t)len});
		i += (size_t)len;
	}
	return i == n;
}

// Prefix p2's value as the writer sees it (empty: none).
std::string get_value(lx_lex &lex, Xapian::WritableDatabase &w, const std::string &p2)
{
	if (lex.remote) {
		auto it = lex.values.find(p2);
		if (it != lex.values.end())
			return it->second;
		if (lex.complete)
			return std::string();
	}
	return w.get_metadata(key_of(p2));
}

// Every prefix at once, from one pass over the terms; prefixes that lost
// all their terms, or were written by a writer whose terms are gone, go.
void write_all(lx_lex &lex, Xapian::WritableDatabase &w)
{
	std::vector<std::string> had;
	for (auto k = w.metadata_keys_begin(kKeyPrefix); k != w.metadata_keys_end(kKeyPrefix); ++k)
		had.push_back(*k);
	Terms list;
	std::string p2;
	std::vector<std::string> wrote;
	auto flush = [&]() {
		if (!list.empty()) {
			put_value(lex, w, p2, full_value(list));
			wrote.push_back(key_of(p2));
		}
		list.clear();
	};
	Xapian::TermIterator end = w.allterms_end();
	for (Xapian::TermIterator it = w.allterms_begin(); it != end;) {
		const std::string &t = *it;
		if (t.size() < LX_LIST_PREFIX) {
			++it;
			continue;
		}
		if (left_out((unsigned char)t[0])) {
			it.skip_to(std::string(1, (char)((unsigned char)t[0] + 1)));
			continue;
		}
		if (t.compare(0, LX_LIST_PREFIX, p2) != 0) {
			flush();
			p2.assign(t, 0, LX_LIST_PREFIX);
		}
		list.emplace_back(t, it.get_termfreq());
		++it;
	}
	flush();
	// Both sorted: the keys written are in term order, as are the old ones.
	size_t j = 0;
	for (const std::string &k : had) {
		while (j < wrote.size() && wrote[j] < k)
			j++;
		if (j == wrote.size() || wrote[j] != k)
			w.set_metadata(k, std::string());
	}
	lex.pending_complete = lex.remote;
}

// One prefix's list whole, from the writer's listing.
void write_prefix(lx_lex &lex, Xapian::WritableDatabase &w, const std::string &p2)
{
	Terms list;
	for (auto it = w.allterms_begin(p2); it != w.allterms_end(p2); ++it)
		list.emplace_back(*it, it.get_termfreq());
	// An empty value deletes the key: no terms, nothing to read.
	put_value(lex, w, p2, list.empty() ? std::string() : full_value(list));
}

// One prefix's list after the terms changed[from, to) (sorted, distinct,
// all of p2) changed their frequencies: the stored base is kept and the
// delta gets their frequencies now, or, when the delta would grow past a
// quarter of the base (or the value is not one this code reads), the
// list is written whole.
void update_prefix(lx_lex &lex, Xapian::WritableDatabase &w, const std::string &p2, const std::vector<std::string> &changed,
		   const std::vector<uint64_t> &freqs, size_t from, size_t to)
{
	std::string old = get_value(lex, w, p2);
	uint64_t base_count = 0;
	const char *base = nullptr;
	size_t base_len = 0;
	Terms delta;
	if (!old.empty() && !split_value(p2, old.data(), old.size(), &base_count, &base, &base_len, delta)) {
		write_prefix(lex, w, p2);
		return;
	}
	Terms now;
	now.reserve(to - from);
	for (size_t i = from; i < to; i++)
		now.emplace_back(changed[i], freqs[i]);
	Terms merged;
	merged.reserve(delta.size() + now.size());
	size_t a = 0, b = 0;
	while (a < delta.size() || b < now.size()) {
		int c = a == delta.size() ? 1 : b == now.size() ? -1 : delta[a].first.compare(now[b].first);
		if (c < 0) {
			merged.push_back(std::move(delta[a++]));
		} else {
			if (c == 0)
				a++;
			merged.push_back(std::move(now[b++]));
		}
	}
	if (merged.size() > base_count / 4 + 16) {
		write_prefix(lex, w, p2);
		return;
	}
	put_value(lex, w, p2, make_value(base, base_len, base_count, merged));
}

}  // namespace

static void stop_counting(lx_lex &lex)
{
	lex.counting = false;
	std::unordered_map<std::string, uint64_t>().swap(lex.counts);
}

void lx_lex_change_failed(lx_lex &lex)
{
	stop_counting(lex);
}

void lx_lex_know(lx_lex &lex, Xapian::WritableDatabase &w)
{
	if (lex.off || lex.known)
		return;
	// Before this writer's first change since its last commit, the stamp
	// of the committed lexicon must match the committed index.
	lex.valid = w.get_metadata(kStampKey) == stamp_of(w);
	lex.known = true;
	if (lex.fresh < 0)
		lex.fresh = w.get_lastdocid() == 0;
	// What this writer kept is of a commit that may have failed.
	lex.values.clear();
	lex.values_bytes = 0;
	lex.complete = false;
	// An index no document was ever added to, with no lists: its lexicon
	// is empty, and is kept from the first commit on without listing the
	// terms (over xapian-tcpsrv a listing is a message a term).
	if (!lex.valid && lex.fresh == 1 && w.get_lastdocid() == 0 &&
	    w.metadata_keys_begin(kKeyPrefix) == w.metadata_keys_end(kKeyPrefix)) {
		lex.valid = true;
		lex.complete = true;
		lex.counting = true;
		lex.counts.clear();
	}
	if (lex.valid) {
		lex.touched.assign(65536 / 64, 0);
		lex.terms.clear();
		lex.terms_over = false;
	}
	// A remote writer writes the whole lexicon at each commit from the
	// values it keeps: those of the whole it finds (one exchange a chunk),
	// else it asks each value once (all_values).
	std::string payload;
	std::vector<lx_lex_whole::At> at;
	if (lex.remote && lex.valid && !lex.complete && read_whole(w, stamp_of(w), kValuesMax, payload) &&
	    index_whole(payload, at)) {
		for (const auto &a : at)
			lex.values[a.p2] = payload.substr(a.at, a.len);
		lex.values_bytes = payload.size();
		lex.complete = true;
	}
}

void lx_lex_note(lx_lex &lex, Xapian::WritableDatabase &w, const Xapian::Document *doc, const std::string &idterm)
{
	if (lex.off)
		return;
	// A writer that found its index empty knows that an id it meets for
	// the first time is new: no old document to read (over xapian-tcpsrv
	// that look-up is a round trip a document, which doubled a remote
	// import).  Asked before the first change, kept across commits.
	if (lex.fresh < 0)
		lex.fresh = w.get_lastdocid() == 0;
	if (lex.fresh && lex.new_ids.size() >= kNewIdsMax) {
		lex.fresh = 0; // too many to keep: look every id up from now on
		std::unordered_set<std::string>().swap(lex.new_ids);
	}
	bool is_new = lex.fresh && lex.new_ids.insert(idterm).second;
	if (lex.writing) // the last commit failed: what was counted may not be in the index
		stop_counting(lex);
	lx_lex_know(lex, w);
	if (!is_new || !doc || lex.counts.size() >= kNotedMax)
		stop_counting(lex);
	if (!lex.valid)
		return; // all prefixes are written at the commit
	// A term's frequency changes with every document added or removed
	// that holds it: the terms of the new document and of the one it
	// replaces (or that is deleted), as the writer sees it now.
	if (doc)
		for (auto t = doc->termlist_begin(); t != doc->termlist_end(); ++t) {
			const std::string term = *t;
			note_term(lex, term);
			if (lex.counting && term.size() >= LX_LIST_PREFIX && !left_out((unsigned char)term[0]))
				lex.counts[term]++;
		}
	if (is_new)
		return;
	for (auto p = w.postlist_begin(idterm); p != w.postlist_end(idterm); ++p)
		for (auto t = w.termlist_begin(*p); t != w.termlist_end(*p); ++t)
			note_term(lex, *t);
}

void lx_lex_write(lx_lex &lex, Xapian::WritableDatabase &w, bool defer)
{
	lex.deferring = false;
	if (lex.off)
		return;
	if (lex.writing) // the last commit failed
		stop_counting(lex);
	lex.writing = true;
	lx_lex_know(lex, w);
	// An automatic commit of a writer whose lists match what it noted:
	// the lists wait (a hundred documents touch most prefixes, and over
	// xapian-tcpsrv each value is a message), readers list terms meanwhile.
	if (defer && lex.valid && !lex.terms_over) {
		w.set_metadata(kStampKey, std::string());
		w.set_metadata(whole_key(0), std::string()); // no chunk 0, no whole
		w.set_metadata(kWholeSizeKey, std::string());
		lex.deferring = true;
		return;
	}
	// Known again only after the commit this prepares succeeded.
	lex.known = false;
	lex.pending.clear();
	lex.pending_complete = false;
	if (!lex.valid) {
		write_all(lex, w);
	} else if (lex.terms_over) {
		for (unsigned word = 0; word < lex.touched.size(); word++)
			for (uint64_t bits = lex.touched[word]; bits; bits &= bits - 1) {
				unsigned b = word * 64 + (unsigned)__builtin_ctzll(bits);
				write_prefix(lex, w, std::string{(char)(b >> 8), (char)(b & 255)});
			}
	} else {
		std::vector<std::string> t(lex.terms.begin(), lex.terms.end());
		std::sort(t.begin(), t.end());
		std::vector<uint64_t> freqs(t.size());
		if (lex.counting) {
			for (size_t i = 0; i < t.size(); i++) {
				auto c = lex.counts.find(t[i]);
				freqs[i] = c == lex.counts.end() ? 0 : c->second;
			}
		} else if (!lex.remote) {
			for (size_t i = 0; i < t.size(); i++)
				freqs[i] = w.get_termfreq(t[i]);
		} else {
			// Over xapian-tcpsrv get_termfreq is a round trip a term: an
			// OR of many, matched for no documents, answers them all.
			for (size_t i = 0; i < t.size(); i += kOrBatch) {
				size_t end = std::min(t.size(), i + kOrBatch);
				Xapian::Enquire enq(w);
				enq.set_query(Xapian::Query(Xapian::Query::OP_OR, t.begin() + (long)i, t.begin() + (long)end));
				Xapian::MSet ms = enq.get_mset(0, 0);
				for (size_t k = i; k < end; k++)
					freqs[k] = ms.get_termfreq(t[k]);
			}
		}
		for (size_t i = 0, j; i < t.size(); i = j) {
			for (j = i + 1; j < t.size() && t[j].compare(0, LX_LIST_PREFIX, t[i], 0, LX_LIST_PREFIX) == 0;)
				j++;
			update_prefix(lex, w, t[i].substr(0, LX_LIST_PREFIX), t, freqs, i, j);
		}
	}
	std::string stamp = stamp_of(w);
	w.set_metadata(kStampKey, stamp);
	if (whole_far_over(w))
		return;
	std::map<std::string, std::string> values;
	all_values(lex, w, values);
	write_whole(w, values, stamp);
}

void lx_lex_committed(lx_lex &lex)
{
	if (lex.off)
		return;
	lex.writing = false;
	if (lex.deferring) {
		// Still known and valid: the lists as last written, and the notes since.
		lex.deferring = false;
		return;
	}
	lex.known = true;
	lex.valid = true;
	lex.touched.assign(65536 / 64, 0);
	if (lex.pending_complete) {
		lex.values.clear();
		lex.values_bytes = 0;
		lex.complete = true;
	}
	for (auto &v : lex.pending) {
		auto &kept = lex.values[v.first];
		lex.values_bytes = lex.values_bytes - kept.size() + v.second.size();
		kept.swap(v.second);
	}
	lex.pending.clear();
	if (lex.values_bytes > kValuesMax) {
		lex.values.clear();
		lex.values_bytes = 0;
		lex.complete = false;
	}
	lex.terms.clear();
	lex.terms_over = false;
}

// Whether the lexicon of the index rd reads describes it as opened (its
// stamp matches), asked once a generation.  Throws what Xapian throws.
static bool lex_valid(Xapian::Database &rd, lx_lex_check &c, uint64_t generation)
{
	if (!c.checked || c.generation != generation) {
		c.ok = rd.get_metadata(kStampKey) == stamp_of(rd);
		c.checked = true;
		c.generation = generation;
	}
	return c.ok;
}

// The terms under prefix (at least LX_LIST_PREFIX bytes) from rd's
// lexicon: false when it has none that matches (c, generation).
static bool read_list(Xapian::Database &rd, lx_lex_check &c, uint64_t generation, const std::string &prefix,
		      lx_terms &out)
{
	if (prefix.size() < LX_LIST_PREFIX || left_out((unsigned char)prefix[0]) || !lex_valid(rd, c, generation))
		return false;
	std::string p2 = prefix.substr(0, LX_LIST_PREFIX);
	std::string blob = rd.get_metadata(key_of(p2));
	if (blob.empty()) {
		out.clear();
		return true;
	}
	return decode_packed(p2, blob.data(), blob.size(), prefix, out);
}

bool lx_lex_read(lx_shard &s, uint64_t generation, const std::string &prefix, lx_terms &out)
{
	return read_list(s.rd, s.lex_check, generation, prefix, out);
}

// a < b, a == b, a > b as -1, 0, 1: bytes compared as unsigned, a prefix first.
static inline int term_cmp(std::string_view a, std::string_view b)
{
	size_t m = std::min(a.size(), b.size());
	int c = m ? std::memcmp(a.data(), b.data(), m) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

void lx_terms_merge(const std::vector<lx_terms> &lists, size_t n, lx_terms &out)
{
	size_t total = 0, nbytes = 0;
	for (size_t k = 0; k < n; k++) {
		total += lists[k].size();
		nbytes += lists[k].bytes.size();
	}
	out.clear();
	out.reserve(total, nbytes);
	std::vector<size_t> at(n, 0);
	std::vector<char> tie(n, 0);
	for (;;) {
		// The least term at the lists' heads, and which heads hold it: one
		// comparison a list.
		size_t low = n;
		std::string_view t;
		for (size_t k = 0; k < n; k++) {
			if (at[k] >= lists[k].size()) {
				tie[k] = 0;
				continue;
			}
			std::string_view h = lists[k].term(at[k]);
			int c = low == n ? -1 : term_cmp(h, t);
			if (c < 0) {
				low = k;
				t = h;
				std::fill(tie.begin(), tie.begin() + (std::ptrdiff_t)k, 0);
			}
			tie[k] = c <= 0;
		}
		if (low == n)
			break;
		uint64_t freq = 0;
		for (size_t k = low; k < n; k++)
			if (tie[k])
				freq += lists[k].freqs[at[k]++];
		out.push(t, freq);
	}
	out.shrink();
}

// Each of a packed list's terms to cb, until it returns nonzero.
static void give_packed(const lx_terms &terms, lx_lex_cb cb, void *ctx)
{
	for (size_t k = 0; k < terms.size(); k++) {
		std::string_view t = terms.term(k);
		if (cb(ctx, t.data(), t.size(), terms.freqs[k]))
			break;
	}
}

extern "C" {

int lx_lexicon_decode(const char *p2, const void *blob, size_t len, lx_lex_cb cb, void *ctx)
{
	try {
		std::string p(p2, LX_LIST_PREFIX);
		lx_terms terms;
		if (!decode_packed(p, (const char *)blob, len, p, terms))
			return 0;
		give_packed(terms, cb, ctx);
		return 1;
	} catch (...) {
		return -1;
	}
}

int lx_lexicon_get(lx_db *db, const char *p2, lx_lex_cb cb, void *ctx)
{
	try {
		if (db->rd.get_metadata(kStampKey) != stamp_of(db->rd))
			return 0;
		std::string blob = db->rd.get_metadata(key_of(std::string(p2, LX_LIST_PREFIX)));
		if (blob.empty())
			return 1;
		return lx_lexicon_decode(p2, blob.data(), blob.size(), cb, ctx);
	} catch (...) {
		return -1;
	}
}

}  // extern "C"

bool lx_lex_keys(lx_shard &s, uint64_t generation, std::vector<std::string> &out)
{
	out.clear();
	if (!lex_valid(s.rd, s.lex_check, generation))
		return false;
	for (auto k = s.rd.metadata_keys_begin(kKeyPrefix); k != s.rd.metadata_keys_end(kKeyPrefix); ++k)
		if ((*k).size() == kKeyPrefix.size() + LX_LIST_PREFIX)
			out.push_back((*k).substr(kKeyPrefix.size()));
	return true;
}

bool lx_lex_covers(const std::string &term)
{
	return term.size() >= LX_LIST_PREFIX && !left_out((unsigned char)term[0]);
}

bool lx_lex_read_local(lx_db *db, const std::string &prefix, lx_terms &out)
{
	if (db->writable || !db->shards.empty() || prefix.size() != LX_LIST_PREFIX)
		return false;
	return read_list(db->rd, db->lex_check, db->generation, prefix, out);
}

bool lx_lex_read_whole(lx_shard &s, size_t max, lx_lex_whole &out)
{
	out.payload.clear();
	out.at.clear();
	if (read_whole(s.rd, stamp_of(s.rd), max, out.payload) && index_whole(out.payload, out.at))
		return true;
	out.payload.clear();
	out.at.clear();
	return false;
}

bool lx_lex_whole_size(lx_shard &s, uint64_t *bytes)
{
	*bytes = 0;
	std::string v = s.rd.get_metadata(kWholeSizeKey);
	size_t sp = v.find(' ');
	if (sp == std::string::npos || sp == 0 || sp > 19 || v.compare(sp + 1, std::string::npos, stamp_of(s.rd)) != 0)
		return false;
	uint64_t n = 0;
	for (size_t i = 0; i < sp; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	*bytes = n;
	return true;
}

bool lx_lex_whole_list(const lx_lex_whole &w, const std::string &prefix, lx_terms &out)
{
	out.clear();
	if (!lx_lex_covers(prefix))
		return false;
	std::string p2 = prefix.substr(0, LX_LIST_PREFIX);
	auto it = std::lower_bound(w.at.begin(), w.at.end(), p2,
				   [](const lx_lex_whole::At &a, const std::string &k) { return a.p2 < k; });
	if (it == w.at.end() || it->p2 != p2)
		return true; // no term of this prefix
	size_t k = (size_t)(it - w.at.begin());
	return decode_packed_from(p2, w.payload.data() + it->at, it->len, prefix, out,
				  [&](const char *b, size_t l, std::string &u, const char **p, size_t *n) {
					  return whole_entries(w, k, b, l, u, p, n);
				  });
}

extern "C" int lx_lexicon_whole_get(lx_db *db, const char *p2, lx_lex_cb cb, void *ctx)
{
	try {
		lx_lex_whole w;
		if (!read_whole(db->rd, stamp_of(db->rd), kValuesMax, w.payload) || !index_whole(w.payload, w.at))
			return 0;
		lx_terms terms;
		if (!lx_lex_whole_list(w, std::string(p2, LX_LIST_PREFIX), terms))
			return 0;
		give_packed(terms, cb, ctx);
		return 1;
	} catch (...) {
		return -1;
	}
}

namespace {

// The entries at p[*i..n) of prefix p2 (walk_entries) without keeping
// them: each that terms[from, to) (sorted, distinct) holds gets its
// frequency in freqs (and seen, if not null).  No list built; past the
// last term asked the rest is not read.  False when damaged.
bool find_entries(const char *p, size_t n, size_t *i, const std::string &p2, bool zero_ok,
		  const std::vector<std::string> &terms, size_t from, size_t to, std::vector<uint64_t> &freqs,
		  std::vector<char> *seen)
{
	size_t w = from;
	return walk_entries(p, n, i, p2, zero_ok, nullptr, [&](std::string_view term, uint64_t freq) {
		while (w < to && terms[w] < term)
			w++;
		if (w < to && terms[w] == term) {
			freqs[w] = freq;
			if (seen)
				(*seen)[w] = 1;
		}
		return w == to;
	});
}

}  // namespace

bool lx_lex_whole_find(const lx_lex_whole &w, const std::string &p2, const std::vector<std::string> &terms,
		       size_t from, size_t to, std::vector<uint64_t> &freqs)
{
	auto it = std::lower_bound(w.at.begin(), w.at.end(), p2,
				   [](const lx_lex_whole::At &a, const std::string &k) { return a.p2 < k; });
	for (size_t k = from; k < to; k++)
		freqs[k] = 0;
	if (it == w.at.end() || it->p2 != p2)
		return true;
	const char *v = w.payload.data() + it->at;
	size_t len = it->len, i = 1;
	uint64_t base_count, blen;
	if (len < 1 || v[0] != kValue || lupe_get_varint(v, len, &i, &base_count) < 0 ||
	    lupe_get_varint(v, len, &i, &blen) < 0 || blen > len - i)
		return false;
	const char *base = v + i;
	i += (size_t)blen;
	// The base's frequencies, then the delta's over them (0: gone).
	if (blen > 0) {
		thread_local std::string unpacked;
		const char *p;
		size_t n;
		if (!whole_entries(w, (size_t)(it - w.at.begin()), base, (size_t)blen, unpacked, &p, &n))
			return false;
		size_t j = 0, at = 0;
		uint64_t have;
		if (lupe_get_varint(p, n, &at, &have) < 0 || have != base_count)
			return false;
		if (!find_entries(p, n, &j, p2, false, terms, from, to, freqs, nullptr) || j != n)
			return false;
	} else if (base_count != 0) {
		return false;
	}
	std::vector<uint64_t> dfreqs(freqs.size());
	std::vector<char> seen(freqs.size(), 0);
	if (!find_entries(v, len, &i, p2, true, terms, from, to, dfreqs, &seen) || i != len)
		return false;
	for (size_t k = from; k < to; k++)
		if (seen[k])
			freqs[k] = dfreqs[k];
	return true;
}

extern "C" int lx_lexicon_whole_decode(const void *chunk, size_t len, const char *stamp, const char *p2, lx_lex_cb cb,
				       void *ctx)
{
	try {
		lx_lex_whole w;
		size_t chunks = 1, total = 0;
		lx_terms terms;
		if (!take_chunk(std::string((const char *)chunk, len), 0, stamp, kValuesMax, &chunks, &total, w.payload) ||
		    chunks != 1 || w.payload.size() != total || !index_whole(w.payload, w.at) ||
		    !lx_lex_whole_list(w, std::string(p2, LX_LIST_PREFIX), terms))
			return 0;
		// The look-up in place answers as the list does.
		std::vector<std::string> asked;
		for (size_t k = 0; k < terms.size(); k++)
			asked.emplace_back(terms.term(k));
		std::string none = std::string(p2, LX_LIST_PREFIX) + "\xff\xff"; // in no list
		bool ask_none = asked.empty() || asked.back() < none;
		if (ask_none)
			asked.push_back(none);
		std::vector<uint64_t> freqs(asked.size());
		if (!lx_lex_whole_find(w, std::string(p2, LX_LIST_PREFIX), asked, 0, asked.size(), freqs))
			return 0;
		for (size_t k = 0; k < terms.size(); k++)
			if (freqs[k] != terms.freqs[k])
				return -1;
		if (ask_none && freqs.back() != 0)
			return -1;
		give_packed(terms, cb, ctx);
		return 1;
	} catch (...) {
		return -1;
	}
}
