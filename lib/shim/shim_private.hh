// C++-private: the shim's structs and its one error mapper, shared by the
// shim's .cc files.  Nothing outside lib/shim/ includes this.
#ifndef LUPE_SHIM_PRIVATE_HH
#define LUPE_SHIM_PRIVATE_HH

#include <xapian.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "shim/shim.h"

// A sharded reader's threads for what it asks its shards at the same time
// (shards.cc); made when first needed, ended with the handle.
struct lx_pool;
void lx_pool_free(lx_pool *p);
struct lx_pool_free_t {
	void operator()(lx_pool *p) const { lx_pool_free(p); }
};

// A writer's state of the lexicon it keeps in the index (lexicon.cc).
struct lx_lex {
	bool off = false;   // a bulk load's part: the merge writes the lexicon
	bool remote = false; // the writer is a xapian-tcpsrv's: frequencies asked at once
	bool known = false; // valid is set for the changes since the last commit
	bool valid = false; // the committed lexicon matched the committed index
	std::vector<uint64_t> touched; // 65536 bits: two-byte prefixes to rewrite
	std::unordered_set<std::string> terms; // the terms whose frequencies changed
	bool terms_over = false;        // too many: the prefixes are written whole
	// A remote writer: the values of prefixes as it committed them (all of
	// them when complete), and those of the commit in preparation.
	std::unordered_map<std::string, std::string> values, pending;
	size_t values_bytes = 0;
	bool complete = false, pending_complete = false;
	// Whether the writer found its index empty (no document ever added):
	// -1 not asked yet.  Then an id it did not write itself (new_ids) has
	// no old document whose terms must be read (lx_lex_note).
	int fresh = -1;
	std::unordered_set<std::string> new_ids;
	// An automatic commit is under way that leaves the lists behind
	// (lx_lex_write with defer): once it succeeds, the notes since the
	// lists were last written are kept for the next commit.
	bool deferring = false;
	// A writer of an index that was empty, which has only added documents
	// under new ids since: a term's frequency is the count of its
	// documents the writer added (counts), no question to the index.  Off
	// for good after a replacement, a deletion or a failed write.
	bool counting = false, writing = false;
	std::unordered_map<std::string, uint64_t> counts;
};

// One shard of a sharded index (shards.cc).
// Whether an index's lexicon matched it as opened (its stamp), asked once
// a generation (lexicon.cc, lex_valid).
// A shard's whole lexicon as a reader took it (lexicon.cc, round ten):
// every prefix's stored value in one payload, and where each is.
struct lx_lex_whole {
	struct At {
		std::string p2;
		size_t at, len;
	};
	std::string payload;
	std::vector<At> at; // sorted by p2
	// unpacked[i]: the base of at[i] unpacked (zstd), at its first
	// look-up, so that a reader unpacks a prefix's base once, not at every
	// batch of words' variants that asks it (lexicon.cc, whole_entries);
	// empty until then (a packed base is never empty: kZstdMin).  They
	// live and die with this copy of the lexicon, which is of one
	// generation.  Sized, with unpacked_max, when a reader takes the
	// lexicon (lx_shards_lex_whole); a copy not sized keeps none.  At most
	// unpacked_max bytes in all; a base past it is unpacked at each
	// look-up as before.
	mutable std::vector<std::string> unpacked;
	mutable size_t unpacked_bytes = 0;
	size_t unpacked_max = 0;
};

struct lx_lex_check {
	bool checked = false, ok = false;
	uint64_t generation = 0;
};

struct lx_shard {
	std::string name;             // as listed: a directory or tcp://HOST:PORT
	std::string host;             // remote shards only
	unsigned port = 0;            // 0 for a local shard
	Xapian::Database rd;          // the shard alone (its writer when writable)
	Xapian::WritableDatabase wr;  // valid only when writable
	bool up = false;              // opened and not failed since
	bool stale = false;           // a search failed midway: re-make the connection
	std::chrono::steady_clock::time_point retry_at;  // a down shard's next attempt
	std::string down_msg;         // why it is down, naming it
	lx_lex lex;                   // a writer's lexicon state
	lx_lex_check lex_check;       // a remote reader's (lx_lex_read)
};

// A sorted list of terms with their frequencies, packed: the terms' bytes
// one after another, where each ends, and the frequencies; no string a
// term (decoding a prefix's list of thousands made and copied one each,
// and its memory was new pages).  At most 4 GB of terms: push throws
// std::length_error past it (lists come from values and listings far
// smaller).
struct lx_terms {
	std::string bytes;
	std::vector<uint32_t> ends;
	std::vector<uint64_t> freqs;

	size_t size() const { return ends.size(); }
	bool empty() const { return ends.empty(); }
	std::string_view term(size_t i) const
	{
		size_t a = i ? ends[i - 1] : 0;
		return std::string_view(bytes.data() + a, ends[i] - a);
	}
	void push(std::string_view t, uint64_t freq)
	{
		if (bytes.size() + t.size() > UINT32_MAX)
			throw std::length_error("lx_terms: a list of over 4 GB");
		bytes.append(t.data(), t.size());
		ends.push_back((uint32_t)bytes.size());
		freqs.push_back(freq);
	}
	void clear()
	{
		bytes.clear();
		ends.clear();
		freqs.clear();
	}
	void reserve(size_t n, size_t nbytes)
	{
		ends.reserve(n);
		freqs.reserve(n);
		bytes.reserve(nbytes);
	}
	// The bytes it holds (what a cache of lists counts).
	size_t memory() const { return bytes.capacity() + ends.capacity() * sizeof(uint32_t) + freqs.capacity() * sizeof(uint64_t); }
	void shrink()
	{
		bytes.shrink_to_fit();
		ends.shrink_to_fit();
		freqs.shrink_to_fit();
	}
};

// The sorted lists lists[0..n), a shard's each, merged into out (replaced):
// each term once, its frequency the sum of the lists'.  (lexicon.cc)
void lx_terms_merge(const std::vector<lx_terms> &lists, size_t n, lx_terms &out);

struct lx_db {
	Xapian::Database rd;          // what searches read (the writer itself when writable;
				      // every shard that is up when sharded)
	Xapian::WritableDatabase wr;  // valid only when writable (sharded: the first shard's)
	bool writable = false;
	std::string path;
	std::vector<lx_shard> shards; // empty unless sharded
	// The shards db->rd reads, in the order they were added: its document
	// k+1 (0-based k) is document k / members.size() + 1 of shard
	// shards[members[k % members.size()]].
	std::vector<size_t> members;
	unsigned timeout_ms = 0;      // remote shards
	bool in_shards_run = false;   // inside lx_shards_run: search db->rd as it is
	// A local reader: the folder's identity when opened.  lupe_compact()
	// puts a new folder in the old one's place; a reader notices by these
	// and opens the new one.
	unsigned long long dir_dev = 0, dir_ino = 0;
	// Bumped whenever what db->rd reads may have changed: a reopen that
	// found a new revision, a reader opened anew, the set of shards rebuilt.
	// What is cached from reads is valid only for the generation it was
	// read in.
	uint64_t generation = 0;
	lx_lex_check lex_check;       // a local reader's of its one index (lx_lex_read_local)
	// A reader's term lists by prefix (lx_allterms): a remote allterms
	// costs one reply message per term, a local one walks the posting
	// table (a local reader's come from the index's lexicon, two-byte
	// prefixes only: cached_terms).  Bounded by kTermsCacheMax
	// bytes (xapian_shim.cc), least recently used first out.
	// By prefix: a query's walks and look-ups find their list at once.
	struct TermList {
		uint64_t generation = 0, used = 0;
		size_t bytes = 0;
		lx_terms terms;
	};
	std::unordered_map<std::string, TermList> term_lists;
	size_t term_lists_bytes = 0;
	uint64_t term_lists_clock = 0;
	// A remote reader's document frequencies of the terms small look-ups
	// asked (lx_termfreqs of at most kFreqsBatch terms: a query's own
	// words), read in generation freqs_generation (any newer one drops
	// them all): a word met again costs no exchange.  At most kFreqsMax
	// terms (xapian_shim.cc); when full, they all go.
	std::unordered_map<std::string, uint64_t> freqs;
	uint64_t freqs_generation = 0;
	// A reader's values of lx_memo_put (what callers derived from
	// the index, such as a word's variants found in it), read in generation
	// memo_generation; at most kMemoMax bytes, when full they all go.
	std::unordered_map<std::string, std::string> memo;
	uint64_t memo_generation = 0;
	size_t memo_bytes = 0;
	// A remote reader's stored records by docid of db->rd, read in
	// generation records_generation (any newer one drops them all): most
	// pages show documents an earlier page showed, and each read is a round
	// trip.  Bounded by kRecordsMax bytes (shards.cc), least recently used
	// first out.
	struct Record {
		std::string data;
		uint64_t used = 0;
	};
	std::unordered_map<Xapian::docid, Record> records;
	uint64_t records_generation = 0, records_clock = 0;
	size_t records_bytes = 0;
	// A remote reader that asks many words' variants in one generation
	// (lx_termfreqs): the two-byte prefixes the shards' lexicons hold
	// (sorted; lx_shards_lex_keys), read once after kLexWarmAfter batches
	// of variants in generation lex_keys_generation, when every shard's
	// lexicon matched it.  A term of another prefix is in no shard; the
	// lists of these prefixes were fetched then, into term_lists.
	std::vector<std::string> lex_keys;
	// A remote reader's shards' whole lexicons (lx_shards_lex_whole, one a
	// member), asked at the first list it needs in generation
	// lex_whole_generation: lex_whole_state 1 all taken (lex_keys set from
	// them), -1 some shard has none; 0 not asked.
	std::vector<lx_lex_whole> lex_whole;
	uint64_t lex_whole_generation = 0;
	int lex_whole_state = 0;
	// Whether the shards' whole lexicons are small enough to take at the
	// first batch of variants (whole_small, xapian_shim.cc), asked once in
	// generation lex_small_generation: 1 yes, -1 no, 0 not asked.
	uint64_t lex_small_generation = 0;
	int lex_small_state = 0;
	// How often lx_termfreqs looked a prefix up in them in place (at most
	// one entry a two-byte prefix): met twice, its list is kept.
	std::unordered_map<std::string, unsigned> lex_whole_hits;
	// whole_list's lists of one prefix, one a shard, decoded before their
	// merge: kept so that their memory is not asked anew (page faults) for
	// every list.  Each holds at most the memory of the longest list its
	// shard's whole lexicon (at most kLexWholeMax bytes together) decoded.
	std::vector<lx_terms> lex_whole_scratch;
	uint64_t lex_keys_generation = 0;
	bool lex_keys_ok = false;
	unsigned lex_batches = 0;
	// A local reader's prefixes whose lists lx_terms_start lacked in
	// generation deep_generation, and how often: met again, the list is
	// read and kept (at most kDeepReadsMax a word: deep_reads, the current
	// word's; xapian_shim.cc).
	std::unordered_map<std::string, unsigned> deep_misses;
	unsigned deep_reads = 0;
	uint64_t deep_generation = 0;
	// Declared after the shards, so destroyed before them: its threads end
	// before the shards they used go.
	std::unique_ptr<lx_pool, lx_pool_free_t> pool;
	// The committed index is the output of a compaction (lx_compact or
	// lx_merge_parts) and nothing was written since: compacting again
	// would only copy it.
	bool compact_clean = false;
	lx_lex lex; // a local writer's lexicon state (shards keep their own)
};

struct lx_doc {
	Xapian::Document doc;
};

struct lx_query {
	Xapian::Query q;
	// Some part of q has no weight (a filter, a value range, MatchAll, a
	// part scaled by 0): the matcher may consider documents without
	// calling the weighting scheme, so the time budget is watched by a
	// posting source instead of the weight (xapian_shim.cc, run()).
	bool unweighted = false;
};

struct lx_mset {
	std::vector<double> weights;
	std::vector<std::string> data;
	std::vector<Xapian::docid> docids; // of the database searched (lx_mset_has_term)
	std::vector<std::string> explain;
	// facets[slot]: (value, count), most frequent first
	std::vector<std::vector<std::pair<std::string, uint64_t>>> facets;
	uint64_t estimate = 0;
	uint64_t lower = 0, upper = 0; // the matcher's bounds of the total
	bool exact = false;
	bool partial = false;         // some shard did not answer
	// lx_mset_record_key: the data were read by a local reader in this generation.
	bool cacheable = false;
	// unread[i]: the caller holds hit i's record (lx_params.have_record), so
	// its data were not read; lx_mset_read_data reads them if it must.
	std::vector<char> unread;
	uint64_t generation = 0;
	// The query's terms and their document frequencies, as the match read them.
	std::vector<std::pair<std::string, uint64_t>> termfreqs;
};

// Thrown inside a search when its deadline (lx_params.deadline_ns) has
// passed; lx_map_error makes it LUPE_ETIMEOUT.
struct lx_out_of_time {
	unsigned budget_ms;
};

// Map the exception being handled to a lupe status and message.  Call it
// only from inside a catch block.
int lx_map_error(lupe_err *err, const char *what) noexcept;

// ---- shards (shards.cc) ----
// The writer of the shard that owns the document with this id term
// (db->wr when not sharded).  A shard that failed before (a timeout) is
// down for the writer's life: this throws its error again at once
// (Xapian::NetworkError) instead of waiting out another timeout.
Xapian::WritableDatabase &lx_shard_writer(lx_db *db, const char *idterm, size_t n);
// After a write through lx_shard_writer failed with LUPE_ENETWORK: mark
// that shard down (its connection may be mid-exchange and holds changes
// that cannot be re-sent), naming it in err.
void lx_shard_write_failed(lx_db *db, const char *idterm, size_t n, lupe_err *err);
// Commit every shard; the first failure is reported, naming its shard.
int lx_shards_commit(lx_db *db, bool defer, lupe_err *err);
void lx_shards_close(lx_db *db);
// Run `attempt`, a search of db->rd, over the shards: it fails with a
// message naming a shard that does not answer or, with `partial`, runs
// again over the shards that do (*was_partial then says so).
int lx_shards_run(lx_db *db, bool partial, bool *was_partial, lupe_err *err,
		  const std::function<int(lupe_err *)> &attempt);
// After an operation of a reader on db->rd outside lx_shards_run failed with
// LUPE_ENETWORK: the shard err names is marked down (err is rewritten to
// name it, as lx_shards_run does) and every remote connection is made anew
// before the next search.
void lx_shards_failed(lx_db *db, lupe_err *err);
// A reader's Database::reopen() of every shard it reads, the remote ones at
// the same time (db->rd.reopen() asks them one after the other).  Returns
// whether some shard's revision changed, and then starts a new generation,
// also when another shard failed (what it throws is thrown after all ended).
bool lx_shards_reopen(lx_db *db);
// The stored data of the documents ids (docids of db->rd) into out[i]:
// those db->records holds for this generation from there, the others read
// from their shards at the same time, one thread a remote shard (Xapian 1.4
// reads a remote document one request at a time), and kept.  Throws what
// Xapian throws, after every read ended.
void lx_shards_read_data(lx_db *db, const std::vector<Xapian::docid> &ids, std::vector<std::string> &out);
// A remote reader's terms starting with prefix, with their frequencies over
// every shard it reads, in order: each shard lists its own at the same time
// (the combined database would ask them one after the other, and a remote
// listing is a message a term), merged here.  Throws what Xapian throws,
// after every listing ended.
void lx_shards_allterms(lx_db *db, const std::string &prefix, lx_terms &out);

// The same for several prefixes (LX_LIST_PREFIX bytes or more) at once:
// each shard reads its lists one after the other in its own job, the
// shards at the same time.  A remote shard whose lexicon does not serve a
// prefix lists its terms when listing[i] is set; otherwise got[i] is 0 and
// out[i] empty (the caller asks for those terms another way).  Throws what
// Xapian throws, after every shard's job ended.
void lx_shards_lists(lx_db *db, const std::vector<std::string> &prefixes, const std::vector<char> &listing,
		     std::vector<lx_terms> &out, std::vector<char> &got);

// ---- the lexicon in the index (lexicon.cc) ----
// A writer keeps, in its index's metadata, the terms of every two-byte
// prefix and their frequencies (terms of the id prefix left out), and a
// stamp of the index they describe, all in the commit that changed them.
// Before a change to the document with this id term (doc: the new one,
// nullptr for a delete): note the prefixes whose lists it changes.
void lx_lex_note(lx_lex &lex, Xapian::WritableDatabase &w, const Xapian::Document *doc, const std::string &idterm);
// Before w.commit(): rewrite the lists of the prefixes noted (all of them
// when the committed lexicon did not match), and the stamp.  With defer
// (an automatic commit), only remove the stamp and keep what was noted
// for the next commit without defer.
void lx_lex_write(lx_lex &lex, Xapian::WritableDatabase &w, bool defer = false);
// After that commit succeeded.
void lx_lex_committed(lx_lex &lex);
// After a change lx_lex_note noted failed: whether the document went in
// is unknown, so the writer stops counting term frequencies itself.
void lx_lex_change_failed(lx_lex &lex);
// The writer's lexicon state of the shard owning this id term (db->lex when not sharded).
lx_lex &lx_shard_lex(lx_db *db, const char *idterm, size_t n);
// A remote reader: the terms of shard s starting with prefix (2 bytes or
// more) and their frequencies, from its lexicon when the shard's stamp
// matches it as opened (checked once a generation): true, with out set.
// False (read the listing) for a shorter prefix, the id prefix, a shard
// without a lexicon or with one that does not match, or a damaged value.
// Throws what Xapian throws.
bool lx_lex_read(lx_shard &s, uint64_t generation, const std::string &prefix, lx_terms &out);
// A remote reader: the two-byte prefixes shard s's lexicon holds a list
// of, when its stamp matches it as opened: true, with out set (one
// exchange, a reply message a key).  False for a shard without a lexicon
// or with one that does not match.  Throws what Xapian throws.
bool lx_lex_keys(lx_shard &s, uint64_t generation, std::vector<std::string> &out);
// Whether the lexicon keeps the terms starting as term does (two bytes or
// more, not the id prefix): such a term is in a shard only under a key
// lx_lex_keys lists.
bool lx_lex_covers(const std::string &term);
// Every shard's lx_lex_keys at once, merged and sorted: false when a
// shard is not remote or its lexicon does not serve.  Throws what Xapian
// throws, after every shard's job ended.
bool lx_shards_lex_keys(lx_db *db, std::vector<std::string> &out);

// A local reader of one index (not sharded, not a writer): the terms of a
// two-byte prefix and their frequencies from the index's lexicon when its
// stamp matches the revision read (asked once a generation), as lx_lex_read
// for a remote shard: true, with out set.  False (read the listing) for
// any other prefix or handle, an index without a lexicon or with one that
// does not match, or a damaged value.  Throws what Xapian throws.
bool lx_lex_read_local(lx_db *db, const std::string &prefix, lx_terms &out);

// A reader: shard s's whole lexicon (every prefix's value in a few
// metadata values, one exchange each) when it was written with the stamp
// that describes the shard as opened, in at most max bytes: true, with
// out set.  False for a shard without one (written before round ten, or
// between a writer's automatic commits), or with one that does not match
// or is damaged.  Throws what Xapian throws.
bool lx_lex_read_whole(lx_shard &s, size_t max, lx_lex_whole &out);
// The bytes of unpacked bases a reader's whole lexicons keep together
// (lx_lex_whole::unpacked): the shards share it equally.
constexpr size_t kLexWholeUnpackedMax = 32u << 20;
// The size in bytes of the whole lexicon of shard s as its writer noted it
// (LUPE_META_LEXICON_WHOLE_SIZE): false when it noted none for the index
// as s reads it (another stamp: an older writer, a commit since, an
// automatic commit that left the lexicon behind).  Throws what Xapian
// throws.
bool lx_lex_whole_size(lx_shard &s, uint64_t *bytes);
// The terms under prefix (two bytes or more, lx_lex_covers) that w holds:
// true with out set (empty when w has no value of its two bytes); false
// for a prefix w cannot tell or a damaged value.
bool lx_lex_whole_list(const lx_lex_whole &w, const std::string &prefix, lx_terms &out);
// The frequencies in w of terms[from, to) (sorted, distinct, all of the
// two-byte prefix p2) into freqs[from, to) (0: none), read in place: no
// list built.  False for a damaged value.
bool lx_lex_whole_find(const lx_lex_whole &w, const std::string &p2, const std::vector<std::string> &terms,
		       size_t from, size_t to, std::vector<uint64_t> &freqs);
// lx_lex_whole_find of groups of terms (terms[g]: sorted, distinct, all
// of prefix p2s[g]) in every shard's db->lex_whole, the shards at once:
// sums[g] their frequencies added up, ok[g] 0 when a value was damaged.
void lx_shards_whole_find(lx_db *db, const std::vector<std::string> &p2s,
			  const std::vector<std::vector<std::string>> &terms, std::vector<std::vector<uint64_t>> &sums,
			  std::vector<char> &ok);
// Every member shard's lx_lex_read_whole at once (shards.cc), into
// db->lex_whole for this generation: true when every shard is remote and
// has one, together at most max bytes.  Throws what Xapian throws, after
// every shard's job ended.
bool lx_shards_lex_whole(lx_db *db, size_t max);
// Every member shard's lx_lex_whole_size at once (shards.cc): true with
// their sum in *total when every shard is remote and noted one.  Throws
// what Xapian throws, after every shard's job ended.
bool lx_shards_lex_whole_size(lx_db *db, uint64_t *total);

#endif
