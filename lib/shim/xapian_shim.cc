// The Xapian shim: every use of Xapian in lupe is in this file.
#include <xapian.h>

#include <algorithm>
#include <limits>
#include <map>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>
#include <dirent.h>

#include "lupe.h"
#include "shim/shim_private.hh"
#include "util/clock.h"

// The one place where Xapian's exceptions become lupe statuses: it
// rethrows to inspect what was caught.
int lx_map_error(lupe_err *err, const char *what) noexcept
{
	try {
		throw;
	} catch (const Xapian::DatabaseLockError &e) {
		// Only "already locked" is another writer; no permission, a
		// read-only file system or no file descriptors left are not, and a
		// caller that waits for the other writer would wait for ever.
		if (e.get_msg().find("already locked") == std::string::npos)
			return lupe_err_set(err, LUPE_EIO, "%s: cannot lock the index: %s%s%s", what, e.get_msg().c_str(),
					    e.get_error_string() ? ": " : "",
					    e.get_error_string() ? e.get_error_string() : "");
		return lupe_err_set(err, LUPE_ELOCKED, "%s: index is locked by another writer (%s)", what,
				    e.get_msg().c_str());
	} catch (const Xapian::DatabaseNotFoundError &e) {
		return lupe_err_set(err, LUPE_ENOTFOUND, "%s: %s", what, e.get_msg().c_str());
	} catch (const Xapian::DatabaseCorruptError &e) {
		// A system call that failed (EACCES, EMFILE, EIO) is not damage: a
		// caller that rebuilds on LUPE_ECORRUPT would destroy a healthy index.
		if (e.get_error_string())
			return lupe_err_set(err, LUPE_EIO, "%s: %s: %s", what, e.get_msg().c_str(), e.get_error_string());
		return lupe_err_set(err, LUPE_ECORRUPT, "%s: index is corrupt: %s", what, e.get_msg().c_str());
	} catch (const Xapian::DatabaseVersionError &e) {
		return lupe_err_set(err, LUPE_ENOTLUPE, "%s: unsupported index format: %s", what,
				    e.get_msg().c_str());
	} catch (const Xapian::DatabaseOpeningError &e) {
		// A file that is there but cannot be opened (EACCES, EMFILE, EIO)
		// is not a foreign or damaged index; a missing one may be.
		const char *es = e.get_error_string();
		if (es && strcmp(es, strerror(ENOENT)) != 0)
			return lupe_err_set(err, LUPE_EIO, "%s: %s: %s", what, e.get_msg().c_str(), es);
		return lupe_err_set(err, LUPE_ENOTLUPE, "%s: %s", what, e.get_msg().c_str());
	} catch (const Xapian::NetworkError &e) {
		// The context ("remote:tcp(HOST:PORT)") lets shards.cc tell which
		// shard failed; it rewrites the message to name the shard.
		const char *es = e.get_error_string();
		const std::string &ctx = e.get_context();
		return lupe_err_set(err, LUPE_ENETWORK, "%s: %s%s%s%s%s%s", what, e.get_msg().c_str(), es ? ": " : "",
				    es ? es : "", ctx.empty() ? "" : " [", ctx.c_str(), ctx.empty() ? "" : "]");
	} catch (const Xapian::DatabaseError &e) {
		const char *ctx = e.get_error_string();
		return lupe_err_set(err, LUPE_EIO, "%s: %s%s%s", what, e.get_msg().c_str(), ctx ? ": " : "",
				    ctx ? ctx : "");
	} catch (const Xapian::DocNotFoundError &e) {
		return lupe_err_set(err, LUPE_ENOTFOUND, "%s: %s", what, e.get_msg().c_str());
	} catch (const Xapian::InvalidArgumentError &e) {
		return lupe_err_set(err, LUPE_EINVAL, "%s: %s", what, e.get_msg().c_str());
	} catch (const Xapian::Error &e) {
		return lupe_err_set(err, LUPE_EINTERNAL, "%s: %s: %s", what, e.get_type(), e.get_msg().c_str());
	} catch (const std::bad_alloc &) {
		return lupe_err_set(err, LUPE_ENOMEM, "%s: out of memory", what);
	} catch (const lx_out_of_time &t) {
		return lupe_err_set(err, LUPE_ETIMEOUT, "%s: stopped after its time budget of %u ms", what, t.budget_ms);
	} catch (...) {
		return lupe_err_set(err, LUPE_EINTERNAL, "%s: unexpected exception", what);
	}
}

namespace {

int not_writable(lupe_err *err, const char *what)
{
	return lupe_err_set(err, LUPE_EREADONLY, "%s: index is open read-only", what);
}

}  // namespace

namespace {

bool dir_id(const std::string &path, unsigned long long *dev, unsigned long long *ino)
{
	struct stat st;
	if (stat(path.c_str(), &st) != 0)
		return false;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return true;
}

// Bring a reader to the newest committed state: reopen, or open anew when
// the folder was replaced (lupe_compact) since it was opened.
void refresh_reader(lx_db *db)
{
	// Database::reopen() says whether a shard's revision changed (a remote
	// one asks its server, which reopens and compares); the generation
	// then drops what was cached from the old revision.
	if (!db->writable && lx_remote(db)) {
		lx_shards_reopen(db); // the shards at the same time
		return;
	}
	if (db->writable || !db->shards.empty()) {
		if (db->rd.reopen())
			db->generation++;
		return;
	}
	unsigned long long dev, ino;
	if (db->dir_ino && dir_id(db->path, &dev, &ino) && (dev != db->dir_dev || ino != db->dir_ino)) {
		db->rd = Xapian::Database(db->path);
		db->dir_dev = dev;
		db->dir_ino = ino;
		db->generation++;
		return;
	}
	if (db->rd.reopen())
		db->generation++;
}

// Reads race with a writer's commits: when Xapian says the revision being
// read is gone, reopen on the newest one and read again.
template <typename F> int with_retry(lx_db *db, lupe_err *err, const char *what, F f)
{
	// Back-off between attempts (1, 2, 4, ... 64 ms), for at most about
	// 2 s: a writer committing every few milliseconds lets a reader through
	// once it waits a little.  Then LUPE_EBUSY, not LUPE_EIO: nothing is
	// wrong with the disk, and trying again later is the answer.
	unsigned waited_ms = 0, pause_ms = 1;
	for (int attempt = 0;; attempt++) {
		try {
			return f();
		} catch (const Xapian::DatabaseModifiedError &) {
			if (waited_ms >= 2000)
				return lupe_err_set(err, LUPE_EBUSY,
						    "%s: the index kept changing under the reader (%d tries in %u ms)", what,
						    attempt + 1, waited_ms);
			if (attempt > 0) {
				usleep(pause_ms * 1000);
				waited_ms += pause_ms;
				pause_ms = pause_ms < 64 ? pause_ms * 2 : 64;
			}
		} catch (const Xapian::DatabaseError &) {
			// A reader can meet blocks a concurrent commit is rewriting
			// ("Expected block …", "EOF reading block …"); only when a fresh
			// look at the newest revision fails too is it damage.
			if (db->writable || attempt >= 3)
				return lx_map_error(err, what);
		} catch (...) {
			return lx_map_error(err, what);
		}
		// The reopen races with commits too ("The revision being read has
		// been discarded" while reopening): it is retried the same way.
		for (int r = 0;; r++) {
			try {
				refresh_reader(db);
				break;
			} catch (const Xapian::DatabaseError &) {
				if (r >= 5)
					return lx_map_error(err, "reopen");
			} catch (...) {
				return lx_map_error(err, "reopen");
			}
		}
	}
}

// A read over shards that is wrong without any of them (a count, a
// document's value, a list of ids): through lx_shards_run without partial,
// so that a reader's connections left mid-exchange by a failure are made
// anew and a shard past its back-off is tried again first, and a shard
// that is down, or fails now, fails the read with LUPE_ENETWORK naming it
// instead of leaving its part out.  Searches and the look-ups that build
// their queries run inside their own lx_shards_run (partial or not).
template <typename F> int every_shard(lx_db *db, lupe_err *err, F f)
{
	if (db->shards.empty() || db->in_shards_run)
		return f(err);
	bool partial = false;
	return lx_shards_run(db, false, &partial, err, [&](lupe_err *e) { return f(e); });
}

// A read of every shard (every_shard), read again on the newest revision
// when a concurrent commit discards the one it reads (with_retry); f gets
// the attempt's error.
template <typename F> int read_every(lx_db *db, lupe_err *err, const char *what, F f)
{
	return every_shard(db, err,
			   [&](lupe_err *e) { return with_retry(db, e, what, [&]() -> int { return f(e); }); });
}

}  // namespace

extern "C" {

int lx_open(lx_db **out, const char *path, int writable, int create, lupe_err *err)
{
	*out = nullptr;
	lx_db *db = nullptr;
	try {
		db = new lx_db;
		db->path = path;
		// "idx/" and "idx" are one index; its neighbours are "idx.lupe-*".
		while (db->path.size() > 1 && db->path.back() == '/')
			db->path.pop_back();
		if (writable) {
			int action = create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN;
			db->wr = Xapian::WritableDatabase(path, action | Xapian::DB_BACKEND_GLASS);
			db->rd = db->wr;
			db->writable = true;
		} else {
			// Opening may meet a commit half-way: try the newest revision again.
			dir_id(db->path, &db->dir_dev, &db->dir_ino);
			for (int attempt = 0;; attempt++) {
				try {
					db->rd = Xapian::Database(path);
					break;
				} catch (const Xapian::DatabaseModifiedError &) {
					if (attempt >= 5)
						throw;
				} catch (const Xapian::DatabaseCorruptError &) {
					// Opening during a commit can read half-written
					// blocks; damage is what stays after retries.
					if (attempt >= 3)
						throw;
					usleep(20000);
				}
			}
		}
		*out = db;
		return LUPE_OK;
	} catch (...) {
		delete db;
		return lx_map_error(err, path);
	}
}

void lx_close(lx_db *db)
{
	if (!db)
		return;
	try {
		// A sharded index closes shard by shard (its db->rd holds them all,
		// a failed one too, which would wait out the timeout again).
		if (!db->shards.empty()) {
			lx_shards_close(db);
			delete db;
			return;
		}
		// Xapian's close() commits a writer's pending changes (outside a
		// transaction), as lupe_close() promises; a commit that failed
		// before left none (Xapian dropped them).
		if (db->writable)
			db->wr.close();
		db->rd.close();
	} catch (...) {
		// Nothing useful to report from a destructor-like call.
	}
	delete db;
}

int lx_get_metadata(lx_db *db, const char *key, lupe_buf *out, lupe_err *err)
{
	return with_retry(db, err, "read metadata", [&]() -> int {
		std::string v = db->rd.get_metadata(key);
		out->len = 0;
		if (lupe_buf_append(out, v.data(), v.size()) < 0 || lupe_buf_terminate(out) < 0)
			return lupe_err_set(err, LUPE_ENOMEM, "metadata: out of memory");
		return LUPE_OK;
	});
}

int lx_set_metadata(lx_db *db, const char *key, const char *value, lupe_err *err)
{
	if (!db->writable)
		return not_writable(err, "set metadata");
	try {
		db->wr.set_metadata(key, value);
		db->compact_clean = false;
		return LUPE_OK;
	} catch (...) {
		return lx_map_error(err, "write metadata");
	}
}

int lx_doc_count(lx_db *db, uint64_t *out, lupe_err *err)
{
	return read_every(db, err, "count documents", [&](lupe_err *) -> int {
		*out = db->rd.get_doccount();
		return LUPE_OK;
	});
}

namespace {
bool kept_termfreq(lx_db *db, const char *term, size_t len, uint64_t *out);
void keep_termfreq(lx_db *db, const char *term, size_t len, uint64_t freq);
}  // namespace

uint64_t lx_termfreq(lx_db *db, const char *term, size_t len)
{
	uint64_t f = 0;
	if (kept_termfreq(db, term, len, &f))
		return f;
	// Over remote shards get_termfreq asks the shards one after the
	// other; a reader answers from the lists and frequencies it keeps, or
	// asks the shards at once (lx_termfreqs).  A compound a query's words
	// join to (query/build.c, join_pair) mostly shares the first word's list.
	if (!db->writable && lx_remote(db)) {
		lx_termfreqs(db, &term, &len, 1, &f);
		return f;
	}
	lupe_err err;
	if (with_retry(db, &err, "term frequency", [&]() -> int {
		    f = db->rd.get_termfreq(std::string(term, len));
		    return LUPE_OK;
	    }) == LUPE_OK)
		keep_termfreq(db, term, len, f);
	return f;
}

int lx_termfreq_sure(lx_db *db, const char *term, size_t len, uint64_t *out)
{
	lupe_err err;
	*out = 0;
	if (kept_termfreq(db, term, len, out))
		return LUPE_OK;
	int rc = with_retry(db, &err, "term frequency", [&]() -> int {
		*out = db->rd.get_termfreq(std::string(term, len));
		return LUPE_OK;
	});
	if (rc == LUPE_OK)
		keep_termfreq(db, term, len, *out);
	return rc;
}

int lx_value_of(lx_db *db, const char *idterm, size_t n, unsigned slot, lupe_buf *out, int *found,
		lupe_err *err)
{
	return read_every(db, err, "read document", [&](lupe_err *e) -> int {
		std::string t(idterm, n);
		out->len = 0;
		*found = 0;
		Xapian::PostingIterator it = db->rd.postlist_begin(t);
		if (it != db->rd.postlist_end(t)) {
			*found = 1;
			std::string v = db->rd.get_document(*it).get_value(slot);
			if (lupe_buf_append(out, v.data(), v.size()) < 0)
				return lupe_err_set(e, LUPE_ENOMEM, "out of memory");
		}
		if (lupe_buf_terminate(out) < 0)
			return lupe_err_set(e, LUPE_ENOMEM, "out of memory");
		return LUPE_OK;
	});
}

// The scan's position, as lx_allterms' callback sees it: in Xapian's term
// list, or in a cached copy of it (list, at).
struct lx_term_here {
	const lx_terms *list = nullptr;
	size_t at = 0;
	Xapian::TermIterator it;
	std::string skip; // where to go on from, when set
	bool skipping = false;
};

namespace {

// The bytes a reader keeps of term lists (lx_db::term_lists).
constexpr size_t kTermsCacheMax = 16u << 20;

// The index of the first entry of a sorted list, from `from` on, at or after t.
size_t list_seek(const lx_terms &list, size_t from, std::string_view t)
{
	size_t lo = from, hi = list.size();
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (list.term(mid) < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

// t's frequency in a list of its prefix (0: the list lacks it).
uint64_t list_freq(const lx_terms &list, std::string_view t)
{
	size_t k = list_seek(list, 0, t);
	return k < list.size() && list.term(k) == t ? list.freqs[k] : 0;
}

// A reader of one local index: what it reads stays the same while its
// generation does, so it may keep what it read (records, frequencies,
// lists).  Not a writer (its uncommitted changes), not a set of shards.
bool one_index_reader(const lx_db *db)
{
	return !db->writable && db->shards.empty();
}

// A reader that keeps term lists by prefix (cached_terms): one of a local
// index (from its lexicon) or of remote shards (listed or fetched).  Not a
// writer, not a set of local shards.
bool list_reader(const lx_db *db)
{
	return one_index_reader(db) || (!db->writable && lx_remote(db));
}

// Keep terms, p's list read in this generation, in db->term_lists; nullptr
// when it alone is over the bound (the caller reads it as it comes).
const lx_terms *keep_list(lx_db *db, const std::string &p, lx_terms &&terms)
{
	lx_db::TermList fresh;
	fresh.generation = db->generation;
	fresh.used = ++db->term_lists_clock;
	fresh.terms = std::move(terms);
	fresh.bytes = fresh.terms.memory() + sizeof fresh;
	// Out go lists of an older generation, then the least recently used.
	// Lists come in here only, each insertion drops the others of another
	// generation: so all are of one generation, and the first tells it.
	if (!db->term_lists.empty() && db->term_lists.begin()->second.generation != db->generation) {
		db->term_lists.clear();
		db->term_lists_bytes = 0;
	}
	auto old = db->term_lists.find(p);
	if (old != db->term_lists.end()) {
		db->term_lists_bytes -= old->second.bytes;
		db->term_lists.erase(old);
	}
	while (!db->term_lists.empty() && db->term_lists_bytes + fresh.bytes > kTermsCacheMax) {
		auto lru = db->term_lists.begin();
		for (auto it = db->term_lists.begin(); it != db->term_lists.end(); ++it)
			if (it->second.used < lru->second.used)
				lru = it;
		db->term_lists_bytes -= lru->second.bytes;
		db->term_lists.erase(lru);
	}
	if (fresh.bytes > kTermsCacheMax)
		return nullptr;
	db->term_lists_bytes += fresh.bytes;
	return &(db->term_lists[p] = std::move(fresh)).terms;
}

// A handle that may take its shards' whole lexicons: a reader of remote shards.
bool whole_reader(const lx_db *db)
{
	return !db->writable && !db->shards.empty() && lx_remote(db);
}

// The bytes a remote reader keeps of its shards' whole lexicons
// (lx_db::lex_whole), together; past it, it fetches lists one a prefix.
constexpr size_t kLexWholeMax = 16u << 20;

// Whether a remote reader keeps its shards' whole lexicons for this
// generation (round ten), taken at the kLexWholeAfter-th batch of words'
// variants in a generation: one exchange a chunk and shard, the shards at
// once (the news' 100 KB a shard, the collection's 400 KB), where fetching
// every prefix's value was one a prefix (~600-1,500 a shard, 215-373 ms)
// and the first questions of a process asked their words' variants in OR
// look-ups until then.  From the whole a list is decoded with no exchange,
// and a term of a prefix no shard holds has none (lex_lacks).  A new
// generation drops them.  Throws what Xapian throws.
bool whole_lexicon(lx_db *db)
{
	if (!whole_reader(db))
		return false;
	if (db->lex_whole_generation == db->generation && db->lex_whole_state != 0)
		return db->lex_whole_state > 0;
	std::vector<lx_lex_whole>().swap(db->lex_whole);
	db->lex_whole_hits.clear();
	uint64_t generation = db->generation;
	db->lex_whole_generation = generation;
	db->lex_whole_state = -1;
	if (lx_hooks.at)
		lx_hooks.at("terms:list");
	if (!lx_shards_lex_whole(db, kLexWholeMax) || db->generation != generation) {
		std::vector<lx_lex_whole>().swap(db->lex_whole);
		return false;
	}
	// Each shard's prefixes are sorted: merged, not sorted again.
	std::vector<std::string> keys, both;
	for (const auto &w : db->lex_whole) {
		both.clear();
		both.reserve(keys.size() + w.at.size());
		size_t i = 0;
		for (const auto &a : w.at) {
			while (i < keys.size() && keys[i] < a.p2)
				both.push_back(std::move(keys[i++]));
			if (i < keys.size() && keys[i] == a.p2)
				i++;
			both.push_back(a.p2);
		}
		while (i < keys.size())
			both.push_back(std::move(keys[i++]));
		keys.swap(both);
	}
	db->lex_keys = std::move(keys);
	db->lex_keys_generation = generation;
	db->lex_keys_ok = true;
	db->lex_whole_state = 1;
	return true;
}

// Whether whole_lexicon holds the whole lexicons for this generation (no fetch).
bool whole_held(const lx_db *db)
{
	return db->lex_whole_state > 0 && db->lex_whole_generation == db->generation;
}

// The shards' whole lexicons together at most this many bytes are taken
// at the first batch of variants of a generation, not the second
// (kLexWholeAfter).  The first batch's OR look-up costs the servers a
// term each way (statistics out and back, whatever the query's shape:
// bench/or_probe.cc), the whole lexicons their bytes: in a one-shot
// search on the benchmark machine the first batch's look-up took 7.0-8.2
// ms with the news' whole lexicons (3 x 109 KB) fetched, 14.7-16.7 ms as
// the OR of its 312 variants; on the collection's shards (3 x ~400 KB)
// 12.4-16.6 ms fetched, 5.9-11.2 ms as ORs of 110-124 variants.
constexpr uint64_t kLexWholeFirstMax = 512u << 10;

// Whether the shards' whole lexicons are small enough to take at the first
// batch (kLexWholeFirstMax): their sizes as their writers noted them, one
// exchange a shard, the shards at once, asked once a generation.  False
// for any other handle, or when a shard noted none for the index it reads.
// Throws what Xapian throws.
bool whole_small(lx_db *db)
{
	if (!whole_reader(db))
		return false;
	if (db->lex_small_generation == db->generation && db->lex_small_state != 0)
		return db->lex_small_state > 0;
	uint64_t generation = db->generation, total = 0;
	db->lex_small_generation = generation;
	db->lex_small_state = -1;
	if (lx_hooks.at)
		lx_hooks.at("terms:sizes");
	bool small = lx_shards_lex_whole_size(db, &total) && total <= kLexWholeFirstMax;
	if (db->generation == generation)
		db->lex_small_state = small ? 1 : -1;
	return small;
}

// The list of prefix p from the shards' whole lexicons held for this
// generation, kept (keep_list): nullptr when they are not held or do not
// serve it (the caller fetches it as before).
const lx_terms *whole_list(lx_db *db, const std::string &p)
{
	if (!lx_lex_covers(p) || !whole_held(db))
		return nullptr;
	size_t n = db->lex_whole.size();
	std::vector<lx_terms> &lists = db->lex_whole_scratch;
	if (lists.size() < n)
		lists.resize(n);
	for (size_t k = 0; k < n; k++)
		if (!lx_lex_whole_list(db->lex_whole[k], p, lists[k]))
			return nullptr;
	lx_terms out;
	lx_terms_merge(lists, n, out);
	return keep_list(db, p, std::move(out));
}

// A reader's terms starting with p and their frequencies, read once per
// generation.  A remote reader's: over xapian-tcpsrv a listing is one
// reply message per term (a two-letter prefix: thousands, 6-16 ms).  A
// local reader's, from the lexicon in the index when it matches the
// revision read (lx_lex_read_local): a listing walks the posting table,
// every chunk of every term's list, so it grows with the documents (a
// question's typo scans at x16: 2,400 instructions a term, 8x x1's), where
// the lexicon is one value a prefix.  nullptr for any other handle or
// index (the caller reads the listing).
const lx_terms *cached_terms(lx_db *db, const std::string &p)
{
	if (!list_reader(db))
		return nullptr;
	auto kept = db->term_lists.find(p);
	if (kept != db->term_lists.end() && kept->second.generation == db->generation) {
		kept->second.used = ++db->term_lists_clock;
		return &kept->second.terms;
	}
	lx_terms terms;
	if (!lx_remote(db)) {
		if (!lx_lex_read_local(db, p, terms))
			return nullptr;
		if (lx_hooks.at)
			lx_hooks.at("terms:lexicon");
		return keep_list(db, p, std::move(terms));
	}
	if (const lx_terms *w = whole_list(db, p))
		return w;
	if (lx_hooks.at)
		lx_hooks.at("terms:list");
	lx_shards_allterms(db, p, terms); // the shards at the same time
	return keep_list(db, p, std::move(terms));
}

// Several prefixes' lists that are not kept for this generation, fetched
// in one go (lx_shards_lists: each shard's in one job, the shards at once)
// and kept.  A prefix with listing[i] unset is fetched only where every
// remote shard's lexicon serves it (one message a shard); otherwise it is
// left out.  Throws what Xapian throws.
void fetch_lists(lx_db *db, const std::vector<std::string> &ps, const std::vector<char> &listing)
{
	std::vector<std::string> rest;
	std::vector<char> rest_listing;
	for (size_t i = 0; i < ps.size(); i++)
		if (!whole_list(db, ps[i])) {
			rest.push_back(ps[i]);
			rest_listing.push_back(listing[i]);
		}
	if (rest.empty())
		return;
	if (lx_hooks.at)
		lx_hooks.at("terms:list");
	std::vector<lx_terms> lists;
	std::vector<char> got;
	lx_shards_lists(db, rest, rest_listing, lists, got);
	for (size_t i = 0; i < rest.size(); i++)
		if (got[i])
			keep_list(db, rest[i], std::move(lists[i]));
}

// The list cached_terms keeps for p, if it holds one of this generation; no fetch.
const lx_terms *known_terms(lx_db *db, const std::string &p)
{
	auto kept = db->term_lists.find(p);
	if (kept == db->term_lists.end() || kept->second.generation != db->generation)
		return nullptr;
	kept->second.used = ++db->term_lists_clock;
	return &kept->second.terms;
}

// lx_termfreqs: the prefix length of the lists it reads, and how many of
// its terms must share a prefix before its list is fetched.
constexpr size_t kListPrefix = LX_LIST_PREFIX;
constexpr size_t kListWorth = 32;
// lx_db::freqs: look-ups of at most this many terms are kept (a query's
// own words; a word's variants come in hundreds, and typo.c keeps what
// they found), at most kFreqsMax terms.
constexpr size_t kFreqsBatch = 32;
constexpr size_t kFreqsMax = 1u << 16;

// A local reader's frequency of term as it knows it for the revision read,
// with no read of the index: a frequency it looked up before in this
// generation (keep_termfreq), or the list it keeps of the term's prefix
// (cached_terms: the lexicon's, which holds every term of the prefix with
// its frequency).  false when it knows neither (the caller asks Xapian).
// Each look-up is a B-tree descent, a block read (pread) or two, 3.3 us
// each on the benchmark machine: of the first 300 questions' 84 block reads
// a question, 16 were the look-ups of build.c's surely_absent, mostly of
// words every question holds (wie, viel, die, der).
bool kept_termfreq(lx_db *db, const char *term, size_t len, uint64_t *out)
{
	if (!one_index_reader(db))
		return false;
	try {
		std::string t(term, len);
		if (db->freqs_generation == db->generation) {
			auto f = db->freqs.find(t);
			if (f != db->freqs.end()) {
				*out = f->second;
				return true;
			}
		}
		if (len < LX_LIST_PREFIX || !lx_lex_covers(t))
			return false;
		const auto *list = known_terms(db, t.substr(0, LX_LIST_PREFIX));
		if (!list)
			return false;
		*out = list_freq(*list, t);
		return true;
	} catch (...) {
		return false;
	}
}

// Keep what a local reader's look-up of term found in this generation (a
// newer one drops them all), at most kFreqsMax terms: when full, they all go.
void keep_termfreq(lx_db *db, const char *term, size_t len, uint64_t freq)
{
	if (!one_index_reader(db))
		return;
	try {
		if (db->freqs_generation != db->generation) {
			db->freqs.clear();
			db->freqs_generation = db->generation;
		}
		if (db->freqs.size() >= kFreqsMax)
			db->freqs.clear();
		db->freqs[std::string(term, len)] = freq;
	} catch (...) {
		db->freqs.clear(); // out of memory: the next look-ups ask
	}
}

// lx_termfreqs of a few terms: the lists of at most this many of their
// prefixes are fetched (one exchange each, each shard's one after the
// other), where the OR query of the terms costs two (query and match).
constexpr size_t kListsMissingMax = 2;
// A reader that has asked this many batches of variants (lx_termfreqs of
// more than kFreqsBatch terms) in one generation fetches the lists of
// every prefix the shards' lexicons hold, at most kLexWarmLists of them
// (lex_warm).
constexpr unsigned kLexWarmAfter = 8;
// The batch of variants in a generation that fetches the shards' whole
// lexicons (whole_lexicon) when they have them.  The second: a one-shot
// question with one mistyped word asks as before (its lists and an OR
// look-up: 9.0 ms on the collection's shards, 12.2 with the whole's 1.2
// MB fetched at the first; the same 8.7-8.8 ms on the news').  Unless
// they are small (whole_small): then the first.
constexpr unsigned kLexWholeAfter = 2;
constexpr size_t kLexWarmLists = 4096;

// The whole lexicon, for a reader that keeps asking variants: each word's
// variants edited in its first two letters fall under dozens of prefixes
// whose lists are not kept, and cost an OR look-up of ~100 terms (the
// servers open a posting list for each; 2-3 ms a typo question, the
// largest part of its time).  With the shards' keys known and their lists
// kept, such a variant is answered here: a prefix no shard holds has no
// term.  One exchange a shard for the keys, then one a list, the shards at
// once (news, 800 lists: ~150 ms, once a generation).  Throws what Xapian
// throws.
void lex_warm(lx_db *db)
{
	std::vector<std::string> keys, want;
	if (!lx_shards_lex_keys(db, keys) || keys.size() > kLexWarmLists)
		return;
	for (const auto &k : keys)
		if (!known_terms(db, k))
			want.push_back(k);
	fetch_lists(db, want, std::vector<char>(want.size(), 0));
	db->lex_keys = std::move(keys);
	db->lex_keys_generation = db->generation;
	db->lex_keys_ok = true;
}

// Whether the shards' lexicons, as lex_warm read their keys in this
// generation, hold no term of t's prefix.
bool lex_lacks(const lx_db *db, const std::string &t)
{
	return db->lex_keys_ok && db->lex_keys_generation == db->generation && lx_lex_covers(t) &&
	       !std::binary_search(db->lex_keys.begin(), db->lex_keys.end(), t.substr(0, kListPrefix));
}

}  // namespace

void lx_termfreqs(lx_db *db, const char *const *terms, const size_t *lens, size_t n, uint64_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = 0;
	if (n == 0)
		return;
	lupe_err err;
	if (!lx_remote(db)) {
		with_retry(db, &err, "term frequency", [&]() -> int {
			for (size_t i = 0; i < n; i++)
				if (!kept_termfreq(db, terms[i], lens[i], &out[i]))
					out[i] = db->rd.get_termfreq(std::string(terms[i], lens[i]));
			return LUPE_OK;
		});
		return;
	}
	// One OR of the terms, matched for no documents: each shard answers
	// the statistics of every term in one exchange (Xapian gathers them
	// from all shards before it would match), where get_termfreq asks the
	// shards one after the other, term by term.  Through lx_shards_run, so
	// that a shard that fails here is marked down as a search would mark it
	// and the search that follows fails at once (or skips it with partial)
	// instead of waiting out its timeout again.
	//
	// A reader answers from the term lists it keeps by two-byte prefix
	// (cached_terms, valid for the revision read), and fetches the list of
	// a prefix many of the terms share: a word's one-edit variants mostly
	// keep its first two letters, and the list serves the next query too.
	// An OR of ~1,000 variants cost the servers 5-90 ms a word.  For a few
	// terms (a query's words, a compound's back-off candidates) it fetches
	// the lists of their prefixes when the shards' lexicons serve them
	// (one message a list and shard) and at most kListsMissingMax are
	// missing, so that no question waits longer than the OR would make it;
	// once a process has met a prefix, its words cost no exchange.
	//
	// A reader keeps what look-ups of a few terms (a query's own words)
	// found, for the revision read (lx_db::freqs): a word the next query
	// holds too costs no exchange.
	// Nothing may be thrown from here (a C function): out of memory, the
	// terms are asked.
	bool keep = !db->writable && n <= kFreqsBatch;
	if (keep && db->freqs_generation != db->generation) {
		db->freqs.clear();
		db->freqs_generation = db->generation;
	}
	char known_at[kFreqsBatch] = {0}, *known = keep ? known_at : nullptr;
	size_t unknown = n;
	if (keep)
		for (size_t i = 0; i < n; i++) {
			try {
				auto f = db->freqs.find(std::string(terms[i], lens[i]));
				if (f != db->freqs.end()) {
					out[i] = f->second;
					known[i] = 1;
					unknown--;
				}
			} catch (...) {
				break;
			}
		}
	if (unknown == 0)
		return;
	uint64_t generation = db->generation;
	auto attempt = [&](lupe_err *e) -> int {
		return with_retry(db, e, "term frequency", [&]() -> int {
			if (known && db->generation != generation) // shards rebuilt: what was kept is of the old set
				std::fill(known, known + n, 0);
			if (n > kFreqsBatch && !db->writable) {
				if (db->lex_keys_generation != db->generation) {
					db->lex_keys_generation = db->generation;
					db->lex_batches = 0;
					db->lex_keys_ok = false;
					db->lex_keys.clear();
				}
				if (!db->lex_keys_ok && ++db->lex_batches == kLexWarmAfter)
					lex_warm(db);
			}
			std::vector<Xapian::Query> qs;
			std::vector<size_t> asked;
			std::map<std::string, size_t> per_prefix;
			if (!db->writable)
				for (size_t i = 0; i < n; i++)
					if (lens[i] >= kListPrefix && !(known && known[i]))
						per_prefix[std::string(terms[i], kListPrefix)]++;
			// The lists to fetch: those of prefixes many terms share,
			// and for a few terms (a query's own words, a compound's
			// parts) those of all their prefixes that the shards'
			// lexicons serve, when few are missing.
			std::vector<std::string> want;
			std::vector<char> listing;
			size_t small = 0;
			// With the shards' whole lexicons no list costs an exchange.
			// They are fetched for a batch of variants (a clean query's few
			// words fetch their lists: one or two exchanges of a few KB,
			// where the collection's whole is 1.2 MB); once held, they
			// serve every look-up of the generation.
			bool whole = whole_held(db);
			// Asked (and the sizes with them) only when a list is missing.
			if (!whole && n > kFreqsBatch)
				for (const auto &pp : per_prefix)
					if (!known_terms(db, pp.first)) {
						if (db->lex_batches >= kLexWholeAfter || whole_small(db))
							whole = whole_lexicon(db);
						break;
					}
			for (const auto &pp : per_prefix) {
				if (known_terms(db, pp.first))
					continue;
				// With the whole lexicons the others are looked up in
				// place, below.
				bool worth = pp.second >= kListWorth;
				if (!worth && (n > kFreqsBatch || (whole && lx_lex_covers(pp.first))))
					continue;
				want.push_back(pp.first);
				listing.push_back(worth);
				small += !worth;
			}
			if (small > kListsMissingMax) {
				size_t j = 0;
				for (size_t i = 0; i < want.size(); i++)
					if (listing[i]) {
						want[j] = want[i];
						listing[j++] = 1;
					}
				want.resize(j);
				listing.resize(j);
			}
			fetch_lists(db, want, listing);
			// Terms under prefixes whose lists are not kept (a word's
			// variants edited in its first two letters, a few each under
			// dozens of prefixes; a query's words) are looked up in place
			// in the whole lexicons, where decoding and keeping each list
			// cost the first questions of a process more than the OR
			// look-up did.
			std::vector<char> found(whole ? n : 0, 0);
			if (!found.empty()) {
				std::map<std::string, std::vector<size_t>> by_prefix;
				for (size_t i = 0; i < n; i++) {
					if ((known && known[i]) || lens[i] < kListPrefix)
						continue;
					std::string p2(terms[i], kListPrefix);
					if (lx_lex_covers(p2) && !known_terms(db, p2))
						by_prefix[p2].push_back(i);
				}
				std::vector<std::string> p2s;
				std::vector<std::vector<std::string>> ts;
				std::vector<const std::vector<size_t> *> idx;
				for (const auto &bp : by_prefix) {
					// A prefix met again in this generation is decoded and
					// kept: a reader that keeps asking looks up in its lists.
					if (++db->lex_whole_hits[bp.first] > 1 && whole_list(db, bp.first))
						continue; // answered from the kept list below
					p2s.push_back(bp.first);
					idx.push_back(&bp.second);
					ts.emplace_back();
					for (size_t i : bp.second)
						ts.back().emplace_back(terms[i], lens[i]);
					std::sort(ts.back().begin(), ts.back().end());
					ts.back().erase(std::unique(ts.back().begin(), ts.back().end()), ts.back().end());
				}
				std::vector<std::vector<uint64_t>> sums;
				std::vector<char> ok;
				if (!p2s.empty())
					lx_shards_whole_find(db, p2s, ts, sums, ok);
				for (size_t g = 0; g < p2s.size(); g++) {
					if (!ok[g])
						continue; // damaged: asked below
					for (size_t i : *idx[g]) {
						std::string t(terms[i], lens[i]);
						out[i] = sums[g][(size_t)(std::lower_bound(ts[g].begin(), ts[g].end(), t) -
									  ts[g].begin())];
						found[i] = 1;
					}
				}
			}
			for (size_t i = 0; i < n; i++) {
				if ((known && known[i]) || (!found.empty() && found[i]))
					continue;
				const lx_terms *list = nullptr;
				if (!db->writable && lens[i] >= kListPrefix)
					list = known_terms(db, std::string(terms[i], kListPrefix));
				if (!list && !db->writable && lex_lacks(db, std::string(terms[i], lens[i])))
					continue; // out[i] stays 0
				if (!list) {
					qs.emplace_back(std::string(terms[i], lens[i]));
					asked.push_back(i);
					continue;
				}
				out[i] = list_freq(*list, std::string_view(terms[i], lens[i]));
			}
			if (qs.empty())
				return LUPE_OK;
			Xapian::Enquire enq(db->rd);
			enq.set_query(Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end()));
			Xapian::MSet ms = enq.get_mset(0, 0);
			for (size_t i : asked)
				out[i] = ms.get_termfreq(std::string(terms[i], lens[i]));
			return LUPE_OK;
		});
	};
	bool partial = false;
	int rc = db->in_shards_run ? attempt(&err) : lx_shards_run(db, true, &partial, &err, attempt);
	if (rc != LUPE_OK) {
		for (size_t i = 0; i < n; i++)
			out[i] = 0;
		return;
	}
	if (!keep)
		return;
	// A shard set rebuilt inside lx_shards_run started a new generation.
	if (db->freqs_generation != db->generation) {
		db->freqs.clear();
		db->freqs_generation = db->generation;
	}
	if (db->freqs.size() + n > kFreqsMax)
		db->freqs.clear();
	try {
		for (size_t i = 0; i < n; i++)
			db->freqs[std::string(terms[i], lens[i])] = out[i];
	} catch (...) {
		db->freqs.clear(); // out of memory: the next look-ups ask
	}
}

namespace {

// lx_hooks.modified_after: the listing's count-th term, once.
void listed_one(size_t *count)
{
	if (lx_hooks.modified_after && ++*count == lx_hooks.modified_after) {
		lx_hooks.modified_after = 0;
		throw Xapian::DatabaseModifiedError("test: the revision being read has been discarded");
	}
}

// A listing that a concurrent commit interrupts is read again on the
// newest revision (with_retry), from the term after the last one cb was
// given: each term comes once and in order, those before the cut from the
// old revision, as a listing that met no commit gives them all.
int list_terms(lx_db *db, const char *prefix, size_t n, lx_term_cb cb, void *ctx, lupe_err *err)
{
	size_t listed = 0;
	std::string last; // the last term given to cb; empty before the first (no term is empty)
	auto give = [&](std::string_view t, lx_term_here *at) -> int {
		listed_one(&listed);
		int rc = cb(ctx, t.data(), t.size(), at);
		last.assign(t.data(), t.size());
		return rc;
	};
	return with_retry(db, err, "list terms", [&]() -> int {
		if (const auto *list = cached_terms(db, std::string(prefix, n))) {
			lx_term_here at;
			at.list = list;
			if (!last.empty()) {
				at.at = list_seek(*list, 0, last);
				if (at.at < list->size() && list->term(at.at) == last)
					at.at++;
			}
			while (at.at < list->size()) {
				if (int rc = give(list->term(at.at), &at))
					return rc;
				if (at.skipping) {
					at.skipping = false;
					at.at = list_seek(*list, at.at, at.skip);
				} else {
					at.at++;
				}
			}
			return LUPE_OK;
		}
		std::string p(prefix, n);
		lx_term_here at;
		Xapian::TermIterator end = db->rd.allterms_end(p);
		at.it = db->rd.allterms_begin(p);
		if (!last.empty()) {
			at.it.skip_to(last);
			if (at.it != end && *at.it == last)
				++at.it;
		}
		while (at.it != end) {
			if (int rc = give(*at.it, &at))
				return rc;
			if (at.skipping) {
				at.skipping = false;
				at.it.skip_to(at.skip);
			} else {
				++at.it;
			}
		}
		return LUPE_OK;
	});
}

}  // namespace

int lx_allterms(lx_db *db, const char *prefix, size_t n, lx_term_cb cb, void *ctx, lupe_err *err)
{
	int rc = list_terms(db, prefix, n, cb, ctx, err);
	// A remote reader's listing that fails marks its shard down (and the
	// connections, one of them mid-exchange, to be made anew), as a failed
	// search does: the next operation must not wait out its timeout again.
	// It read the shards that are up, as before, and is not tried again
	// over the others (its callback may have seen part of it).
	if (rc == LUPE_ENETWORK && !db->writable && lx_remote(db) && !db->in_shards_run)
		lx_shards_failed(db, err);
	return rc;
}

int lx_allterms_every(lx_db *db, const char *prefix, size_t n, lx_term_cb cb, void *ctx, lupe_err *err)
{
	return every_shard(db, err, [&](lupe_err *e) { return list_terms(db, prefix, n, cb, ctx, e); });
}

uint64_t lx_term_here_freq(const lx_term_here *at)
{
	// Called from C, inside lx_allterms' callback: nothing may be thrown
	// through it.  0 on failure (a listed term has a frequency of 1 or
	// more); the scan's next step meets the same error and reports it.
	if (at->list)
		return at->list->freqs[at->at];
	try {
		return at->it.get_termfreq();
	} catch (...) {
		return 0;
	}
}

int lx_term_here_skip_to(lx_term_here *at, const char *term, size_t len)
{
	try {
		at->skip.assign(term, len);
		at->skipping = true;
		return 0;
	} catch (...) {
		return -1;
	}
}

int lx_reopen(lx_db *db, lupe_err *err)
{
	if (!db->shards.empty() && !db->writable && !db->in_shards_run) {
		bool partial = false;
		return lx_shards_run(db, true, &partial, err, [&](lupe_err *e) { return lx_reopen(db, e); });
	}
	try {
		refresh_reader(db);
		return LUPE_OK;
	} catch (...) {
		return lx_map_error(err, "reopen");
	}
}

lx_doc *lx_doc_new(void)
{
	try {
		return new lx_doc;
	} catch (...) {
		return nullptr;
	}
}

void lx_doc_free(lx_doc *d)
{
	delete d;
}

int lx_doc_posting(lx_doc *d, const char *term, size_t len, uint32_t pos, uint32_t wdfinc)
{
	try {
		d->doc.add_posting(std::string(term, len), pos, wdfinc);
		return LUPE_OK;
	} catch (...) {
		return LUPE_ENOMEM;
	}
}

int lx_doc_term(lx_doc *d, const char *term, size_t len, uint32_t wdfinc)
{
	try {
		d->doc.add_term(std::string(term, len), wdfinc);
		return LUPE_OK;
	} catch (...) {
		return LUPE_ENOMEM;
	}
}

int lx_doc_value(lx_doc *d, unsigned slot, const char *v, size_t n)
{
	try {
		d->doc.add_value(slot, std::string(v, n));
		return LUPE_OK;
	} catch (...) {
		return LUPE_ENOMEM;
	}
}

int lx_doc_data(lx_doc *d, const char *data, size_t n)
{
	try {
		d->doc.set_data(std::string(data, n));
		return LUPE_OK;
	} catch (...) {
		return LUPE_ENOMEM;
	}
}

int lx_replace(lx_db *db, const char *idterm, size_t n, lx_doc *d, lupe_err *err)
{
	if (!db->writable)
		return not_writable(err, "add");
	try {
		std::string t(idterm, n);
		Xapian::WritableDatabase &w = lx_shard_writer(db, idterm, n);
		lx_lex_note(lx_shard_lex(db, idterm, n), w, &d->doc, t);
		w.replace_document(t, d->doc);
		db->compact_clean = false;
		return LUPE_OK;
	} catch (...) {
		lx_lex_change_failed(lx_shard_lex(db, idterm, n));
		int rc = lx_map_error(err, "add document");
		if (rc == LUPE_ENETWORK)
			lx_shard_write_failed(db, idterm, n, err);
		return rc;
	}
}

int lx_delete(lx_db *db, const char *idterm, size_t n, int *found, lupe_err *err)
{
	if (!db->writable)
		return not_writable(err, "delete");
	try {
		std::string t(idterm, n);
		Xapian::WritableDatabase &w = lx_shard_writer(db, idterm, n);
		*found = w.term_exists(t);
		if (*found) {
			lx_lex_note(lx_shard_lex(db, idterm, n), w, nullptr, t);
			w.delete_document(t);
			db->compact_clean = false;
		}
		return LUPE_OK;
	} catch (...) {
		int rc = lx_map_error(err, "delete document");
		if (rc == LUPE_ENETWORK)
			lx_shard_write_failed(db, idterm, n, err);
		return rc;
	}
}

static int commit(lx_db *db, bool defer, lupe_err *err)
{
	if (!db->writable)
		return not_writable(err, "commit");
	if (!db->shards.empty())
		return lx_shards_commit(db, defer, err);
	try {
		lx_lex_write(db->lex, db->wr, defer);
		db->wr.commit();
		lx_lex_committed(db->lex);
		return LUPE_OK;
	} catch (...) {
		return lx_map_error(err, "commit");
	}
}

int lx_commit(lx_db *db, lupe_err *err)
{
	return commit(db, false, err);
}

int lx_commit_batch(lx_db *db, lupe_err *err)
{
	return commit(db, true, err);
}

static int rm_entry(const char *p, const struct stat *, int, struct FTW *)
{
	return remove(p);
}

static void rm_tree(const std::string &p)
{
	struct stat st;
	if (lstat(p.c_str(), &st) == 0)
		nftw(p.c_str(), rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

lx_test_hooks lx_hooks;

static void hook(const char *point)
{
	if (lx_hooks.at)
		lx_hooks.at(point);
}

static std::string parent_of(const std::string &path)
{
	size_t slash = path.rfind('/');
	return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

static int sync_fd_path(const std::string &p, int flags)
{
	int fd = open(p.c_str(), flags | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int e = fsync(fd) == 0 ? 0 : errno;
	close(fd);
	return e;
}

// Make a rename in path's folder durable: 0, or the errno of the failure.
static int sync_parent(const std::string &path)
{
	return sync_fd_path(parent_of(path), O_DIRECTORY);
}

// Put every file of the (flat) index folder dir, and the folder itself, on
// disk: 0, or the errno of the first failure.  A swap or a creation renames
// the folder into place only after this, so that a crash just after the
// rename cannot find an index whose files are still in the page cache.
static int sync_tree(const std::string &dir)
{
	DIR *d = opendir(dir.c_str());
	if (!d)
		return errno;
	int e = 0;
	while (struct dirent *ent = readdir(d)) {
		std::string name = ent->d_name;
		if (name == "." || name == "..")
			continue;
		struct stat st;
		std::string p = dir + "/" + name;
		if (lstat(p.c_str(), &st) != 0) {
			e = errno;
			break;
		}
		if (S_ISREG(st.st_mode) && (e = sync_fd_path(p, 0)) != 0)
			break;
	}
	closedir(d);
	return e ? e : sync_fd_path(dir, O_DIRECTORY);
}

// Put the compacted folder tmp in the place of db's index and reopen the
// writer there.  *swapped says whether the index at db->path is now the
// new one (true even when reopening it failed).
static int swap_in(lx_db *db, const std::string &tmp, const char *what, bool *swapped, lupe_err *err)
{
	std::string old = db->path + LUPE_SUFFIX_OLD;
	*swapped = false;
	int e = sync_tree(tmp);
	if (e == 0)
		e = sync_parent(tmp);
	if (e != 0) {
		rm_tree(tmp);
		return lupe_err_set(err, LUPE_EIO, "%s: cannot sync the new index (the old one is kept): %s", what,
				    strerror(e));
	}
	hook("swap:synced");
	// Atomically where the file system can exchange two names, else in two
	// renames (a reader opening in between would not find the index for
	// that moment; a crash in between leaves PATH missing and the index at
	// PATH.lupe-old, where lx_recover finds it).
	if (!lx_hooks.no_exchange &&
	    renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, db->path.c_str(), RENAME_EXCHANGE) == 0) {
		*swapped = true;
		hook("swap:exchanged");
		// The old index is now at tmp; under that name if it cannot move.
		if (rename(tmp.c_str(), old.c_str()) != 0)
			old = tmp;
	} else if (rename(db->path.c_str(), old.c_str()) != 0) {
		e = errno;
		rm_tree(tmp);
		return lupe_err_set(err, LUPE_EIO, "%s: cannot move the new index into place at %s: %s", what,
				    db->path.c_str(), strerror(e));
	} else {
		hook("swap:between-renames");
		if (rename(tmp.c_str(), db->path.c_str()) != 0) {
			e = errno;
			// Put the old index back: the index must not stay missing.
			// When that fails too, both stay for lx_recover.
			if (rename(old.c_str(), db->path.c_str()) == 0)
				rm_tree(tmp);
			return lupe_err_set(err, LUPE_EIO, "%s: cannot move the new index into place at %s: %s",
					    what, db->path.c_str(), strerror(e));
		}
		*swapped = true;
	}
	e = sync_parent(db->path);
	hook("swap:renamed");
	// The writer still holds the old folder (and its lock): take the new one.
	try {
		db->wr.close();
		db->wr = Xapian::WritableDatabase(db->path, Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS);
		db->rd = db->wr;
	} catch (...) {
		rm_tree(old);
		return lx_map_error(err, what);
	}
	rm_tree(old);
	if (e != 0)
		return lupe_err_set(err, LUPE_EIO, "%s: the new index is in place, but its folder could not be synced: %s",
				    what, strerror(e));
	db->compact_clean = true;
	return LUPE_OK;
}

// Xapian's own file names stay in the shim: a folder holds a Xapian
// database when it has the backend's marker file.
static bool is_index_dir(const std::string &p)
{
	struct stat st;
	return stat((p + "/iamglass").c_str(), &st) == 0 || stat((p + "/iamchert").c_str(), &st) == 0;
}

extern "C" int lx_is_index_dir(const char *path)
{
	return is_index_dir(path);
}

int lx_recover(const char *path, lupe_err *err)
{
	struct stat st;
	if (lstat(path, &st) == 0 || errno != ENOENT)
		return LUPE_OK;
	// The old index first: it is what was there before the swap began, so
	// a bulk load that did not end is lost whole, as lupe.h promises.
	for (const char *suffix : {LUPE_SUFFIX_OLD, LUPE_SUFFIX_COMPACT}) {
		std::string from = std::string(path) + suffix;
		if (!is_index_dir(from))
			continue;
		if (rename(from.c_str(), path) == 0) {
			int e = sync_parent(path);
			if (e != 0)
				return lupe_err_set(err, LUPE_EIO, "%s: put back from %s, but cannot sync its folder: %s",
						    path, from.c_str(), strerror(e));
			return LUPE_OK;
		}
		int e = errno;
		// Someone else put an index back first.
		if (lstat(path, &st) == 0)
			return LUPE_OK;
		return lupe_err_set(err, LUPE_EIO, "%s: missing, and the index left at %s cannot be put back: %s", path,
				    from.c_str(), strerror(e));
	}
	return LUPE_OK;
}

int lx_check(const char *path, lupe_err *err)
{
	try {
		std::ostringstream report;
		size_t errors = Xapian::Database::check(path, 0, &report);
		if (errors == 0)
			return LUPE_OK;
		std::string r = report.str();
		while (!r.empty() && (r.back() == '\n' || r.back() == ' '))
			r.pop_back();
		if (r.size() > 300)
			r = "..." + r.substr(r.size() - 300);
		return lupe_err_set(err, LUPE_ECORRUPT, "%s: index is corrupt: %zu errors found: %s", path, errors,
				    r.c_str());
	} catch (const Xapian::DatabaseOpeningError &) {
		return lx_map_error(err, path);
	} catch (const Xapian::DatabaseError &e) {
		// check() stops at a block it cannot make sense of with a plain
		// DatabaseError; one with an errno is the disk's failure instead.
		if (e.get_error_string())
			return lx_map_error(err, path);
		return lupe_err_set(err, LUPE_ECORRUPT, "%s: index is corrupt: %s", path, e.get_msg().c_str());
	} catch (...) {
		return lx_map_error(err, path);
	}
}

int lx_writer_lock(const char *path_in, int *fd_out, lupe_err *err)
{
	*fd_out = -1;
	std::string p;
	try {
		p = path_in;
		while (p.size() > 1 && p.back() == '/')
			p.pop_back();
		p += LUPE_SUFFIX_LOCK;
	} catch (...) {
		return lupe_err_set(err, LUPE_ENOMEM, "%s: out of memory", path_in);
	}
	int fd = open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			return lupe_err_set(err, LUPE_ENOTFOUND, "%s: no index there (%s)", path_in, strerror(e));
		return lupe_err_set(err, LUPE_EIO, "%s: cannot make the writers' lock file %s: %s", path_in, p.c_str(),
				    strerror(e));
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return lupe_err_set(err, LUPE_ELOCKED, "%s: index is locked by another writer (%s)", path_in,
					    p.c_str());
		return lupe_err_set(err, LUPE_EIO, "%s: cannot lock %s: %s", path_in, p.c_str(), strerror(e));
	}
	*fd_out = fd;
	return LUPE_OK;
}

void lx_writer_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

// Copy the regular file `from` to `to` (created or truncated) and sync it:
// 0, or the errno of the failure.
static int copy_file(const std::string &from, const std::string &to)
{
	int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return errno;
	int out = open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		int e = errno;
		close(in);
		return e;
	}
	char buf[65536];
	int e = 0;
	for (;;) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? errno : 0;
			break;
		}
		for (ssize_t done = 0; done < r && !e;) {
			ssize_t w = write(out, buf + done, (size_t)(r - done));
			if (w < 0 && errno != EINTR)
				e = errno;
			else if (w > 0)
				done += w;
		}
		if (e)
			break;
	}
	if (!e && fsync(out) != 0)
		e = errno;
	close(in);
	if (close(out) != 0 && !e)
		e = errno;
	return e;
}

// The names in folder dir (no "." and ".."); false when it cannot be read.
static bool list_dir(const std::string &dir, std::vector<std::string> &names)
{
	DIR *d = opendir(dir.c_str());
	if (!d)
		return false;
	while (struct dirent *ent = readdir(d)) {
		std::string name = ent->d_name;
		if (name != "." && name != "..")
			names.push_back(name);
	}
	closedir(d);
	return true;
}

// A folder that cannot be renamed onto, an empty mount point (EBUSY, or
// EXDEV on some systems): the new index's files are copied into it, the
// marker file (Xapian's "iamglass", which makes the folder an index) last
// and by a rename inside the folder, so that a process killed meanwhile
// leaves no index, only tables a later creation overwrites.  *done says
// whether it was done; false when the folder holds anything but such
// leftovers (the caller then opens, or refuses, what is there).  0, or the
// errno of a failure.
static const char kMarker[] = "iamglass";
static const char kMarkerTmp[] = "iamglass.lupe-tmp";

// Whether folder path holds nothing, or nothing but what an in-place
// creation killed before its marker leaves: Xapian's tables ("*.glass",
// "flintlock") and the marker's temporary copy.
static bool blank_dir(const std::string &path)
{
	std::vector<std::string> have;
	if (!list_dir(path, have))
		return false;
	for (const std::string &h : have) {
		bool table = h.size() > 6 && h.compare(h.size() - 6, 6, ".glass") == 0;
		if (!table && h != "flintlock" && h != kMarkerTmp)
			return false;
	}
	return true;
}

extern "C" int lx_dir_is_blank(const char *path)
{
	return blank_dir(path);
}

static int create_in_place(const std::string &built, const std::string &path, bool *done)
{
	const std::string marker = kMarker, marker_tmp = kMarkerTmp;
	std::vector<std::string> want;
	*done = false;
	if (!blank_dir(path) || !list_dir(built, want))
		return 0;
	for (const std::string &w : want)
		if (w != marker)
			if (int e = copy_file(built + "/" + w, path + "/" + w))
				return e;
	if (int e = copy_file(built + "/" + marker, path + "/" + marker_tmp))
		return e;
	if (int e = sync_fd_path(path, O_DIRECTORY))
		return e;
	hook("create:copied");
	if (rename((path + "/" + marker_tmp).c_str(), (path + "/" + marker).c_str()) != 0)
		return errno;
	*done = true;
	return sync_fd_path(path, O_DIRECTORY);
}

int lx_create(const char *path_in, const char *const *keys, const char *const *values, size_t n, lupe_err *err)
{
	std::string path;
	std::string aside;
	try {
		path = path_in;
		while (path.size() > 1 && path.back() == '/')
			path.pop_back();
		aside = path + LUPE_SUFFIX_NEW + std::to_string((long)getpid());
		rm_tree(aside);
		Xapian::WritableDatabase w(aside, Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
		for (size_t i = 0; i < n; i++)
			w.set_metadata(keys[i], values[i]);
		w.commit();
		w.close();
	} catch (...) {
		int rc = lx_map_error(err, path_in);
		rm_tree(aside);
		return is_index_dir(path) ? LUPE_OK : rc;
	}
	int e = sync_tree(aside);
	if (e == 0)
		e = sync_parent(aside);
	if (e != 0) {
		rm_tree(aside);
		return lupe_err_set(err, LUPE_EIO, "%s: cannot sync the new index: %s", path_in, strerror(e));
	}
	hook("create:built");
	// Onto a missing name or an empty folder; a folder with something in it
	// stays, and the caller opens (or refuses) what is there.
	if (rename(aside.c_str(), path.c_str()) != 0) {
		e = errno;
		if (e == EBUSY || e == EXDEV) {
			bool done = false;
			e = create_in_place(aside, path, &done);
			rm_tree(aside);
			if (e == 0)
				return LUPE_OK; /* made, or something else is there */
			return lupe_err_set(err, LUPE_EIO, "%s: cannot make the new index in the folder: %s", path_in,
					    strerror(e));
		}
		rm_tree(aside);
		if (e == EEXIST || e == ENOTEMPTY)
			return LUPE_OK;
		return lupe_err_set(err, LUPE_EIO, "%s: cannot move the new index into place: %s", path_in,
				    strerror(e));
	}
	hook("create:renamed");
	if ((e = sync_parent(path)) != 0)
		return lupe_err_set(err, LUPE_EIO, "%s: created, but its folder could not be synced: %s", path_in,
				    strerror(e));
	return LUPE_OK;
}

// Check a compacted copy before it takes the index's place.  Xapian opens
// its optional tables (termlist, positions, docdata) lazily and takes ANY
// failure to open one (EIO, EMFILE, ...) for "this database has none": the
// compaction then writes a copy without those documents' term lists or
// data, and xapian-check finds it damaged.  Every lupe document has an id
// term and a record, so a sample of documents over the whole copy (up to
// 2,000, and the last) must have both, and the count must be what the
// sources held.  Throws Xapian::DatabaseError when it does not hold.
static void verify_copy(const std::string &tmp, Xapian::doccount want)
{
	Xapian::Database c(tmp, Xapian::DB_BACKEND_GLASS);
	Xapian::doccount n = c.get_doccount();
	if (n != want)
		throw Xapian::DatabaseError("the compacted copy holds " + std::to_string(n) + " documents, not " +
					    std::to_string(want));
	if (n == 0)
		return;
	Xapian::docid last = c.get_lastdocid(), step = last / 2000 + 1;
	Xapian::PostingIterator it = c.postlist_begin(""), end = c.postlist_end("");
	for (Xapian::docid at = 1; it != end; at += step) {
		it.skip_to(at);
		if (it == end)
			break;
		// termlist_begin, not Document::termlist_count(): that loads every
		// term and position of the document (0.8 s of CPU over 2,000
		// documents of the benchmark collection, against 0.02 s).
		if (c.termlist_begin(*it) == c.termlist_end(*it) || c.get_document(*it).get_data().empty())
			throw Xapian::DatabaseError("the compacted copy lost document " + std::to_string(*it) +
						    "'s terms or data (a table of a source could not be read)");
		at = *it;
	}
	if (c.termlist_begin(last) == c.termlist_end(last) || c.get_document(last).get_data().empty())
		throw Xapian::DatabaseError("the compacted copy lost its last document's terms or data");
}

// After a compaction put a new index in place: write its lexicon (only
// its stamp when the terms are those of a lexicon just committed) and
// commit that.  The index stays as clean as the compaction left it.
static int write_lexicon(lx_db *db, bool terms_kept, const char *what, lupe_err *err)
{
	try {
		db->lex = lx_lex();
		if (terms_kept)
			lx_lex_committed(db->lex);
		lx_lex_write(db->lex, db->wr);
		db->wr.commit();
		lx_lex_committed(db->lex);
		return LUPE_OK;
	} catch (...) {
		db->lex = lx_lex();
		return lx_map_error(err, what);
	}
}

int lx_compact(lx_db *db, lupe_err *err)
{
	if (!db->writable)
		return not_writable(err, "compact");
	if (!db->shards.empty())
		return lupe_err_set(err, LUPE_EINVAL,
				    "compact: a sharded index is compacted shard by shard (xapian-compact on each)");
	// Beside the index, so that the rename stays on one file system.  A
	// leftover of an interrupted compaction is removed first.
	std::string tmp = db->path + LUPE_SUFFIX_COMPACT;
	try {
		lx_lex_write(db->lex, db->wr);
		db->wr.commit();
		lx_lex_committed(db->lex);
		if (db->compact_clean)
			return LUPE_OK;
		rm_tree(tmp);
		rm_tree(db->path + LUPE_SUFFIX_OLD);
		db->wr.compact(tmp);
		verify_copy(tmp, db->wr.get_doccount());
	} catch (...) {
		rm_tree(tmp);
		return lx_map_error(err, "compact");
	}
	bool swapped;
	int rc = swap_in(db, tmp, "compact", &swapped, err);
	// The compaction renumbered the documents (its lastdocid and length
	// bounds may differ) but kept the terms: only the stamp is new.
	return rc == LUPE_OK ? write_lexicon(db, true, "compact", err) : rc;
}

static std::string part_path(const lx_db *db, unsigned k)
{
	return db->path + LUPE_SUFFIX_BULK + std::to_string(k);
}

int lx_part_create(lx_db **out, lx_db *db, unsigned k, lupe_err *err)
{
	*out = nullptr;
	lx_db *p = nullptr;
	std::string path = part_path(db, k);
	try {
		p = new lx_db;
		p->path = path;
		rm_tree(path);
		p->wr = Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS |
							       Xapian::DB_NO_SYNC);
		p->rd = p->wr;
		p->writable = true;
		p->lex.off = true; // lx_merge_parts writes the merged index's
		*out = p;
		return LUPE_OK;
	} catch (...) {
		delete p;
		rm_tree(path);
		return lx_map_error(err, path.c_str());
	}
}

void lx_part_drop(lx_db *part)
{
	if (!part)
		return;
	std::string path = part->path;
	lx_close(part);
	rm_tree(path);
}

int lx_read_parts(lx_db *db, lx_db *const *parts, size_t n, lupe_err *err)
{
	if (!db->writable || !db->shards.empty())
		return lupe_err_set(err, LUPE_EINVAL, "bulk load: a local writer only");
	try {
		if (n == 0) {
			db->rd = db->wr;
			return LUPE_OK;
		}
		// A WritableDatabase added to a Database is read with its
		// uncommitted changes: the writer sees what it added.
		Xapian::Database all;
		all.add_database(db->wr);
		for (size_t i = 0; i < n; i++)
			all.add_database(parts[i]->wr);
		db->rd = all;
		return LUPE_OK;
	} catch (...) {
		return lx_map_error(err, "bulk load: reading the parts");
	}
}

int lx_merge_parts(lx_db *db, lx_db *const *parts, size_t n, int *merged, lupe_err *err)
{
	*merged = 0;
	if (!db->writable || !db->shards.empty())
		return lupe_err_set(err, LUPE_EINVAL, "bulk load: a local writer only");
	std::string tmp = db->path + LUPE_SUFFIX_COMPACT;
	try {
		db->wr.commit();
		for (size_t i = 0; i < n; i++)
			parts[i]->wr.commit();
		// The committed revisions, read from disk: the index first (its
		// metadata, documents none), then the parts.  Compaction gives the
		// parts' documents new ids, part after part.
		Xapian::Database src(db->path, Xapian::DB_BACKEND_GLASS);
		for (size_t i = 0; i < n; i++)
			src.add_database(Xapian::Database(parts[i]->path, Xapian::DB_BACKEND_GLASS));
		rm_tree(tmp);
		rm_tree(db->path + LUPE_SUFFIX_OLD);
		src.compact(tmp);
		verify_copy(tmp, src.get_doccount());
	} catch (...) {
		rm_tree(tmp);
		return lx_map_error(err, "bulk load: merging the parts");
	}
	bool swapped;
	int rc = swap_in(db, tmp, "bulk load: merging the parts", &swapped, err);
	*merged = swapped;
	// The parts keep no lexicon: the merged index gets it whole, once.
	return rc == LUPE_OK ? write_lexicon(db, false, "bulk load: writing the lexicon", err) : rc;
}

void lx_remove_leftovers(lx_db *db)
{
	if (!db->writable || !db->shards.empty())
		return;
	for (unsigned k = 0; k < LX_PARTS_MAX; k++)
		rm_tree(part_path(db, k));
	rm_tree(db->path + LUPE_SUFFIX_COMPACT);
	rm_tree(db->path + LUPE_SUFFIX_OLD);
	// Creations that died before their rename (lx_create): "PATH.lupe-new-PID".
	std::string dir = parent_of(db->path), base = db->path.substr(db->path.rfind('/') + 1) + LUPE_SUFFIX_NEW;
	if (DIR *d = opendir(dir.c_str())) {
		while (struct dirent *ent = readdir(d))
			if (strncmp(ent->d_name, base.c_str(), base.size()) == 0)
				rm_tree(dir + "/" + ent->d_name);
		closedir(d);
	}
}

lx_query *lx_q_term(const char *term, size_t len, uint32_t wqf)
{
	try {
		return new lx_query{Xapian::Query(std::string(term, len), wqf)};
	} catch (...) {
		return nullptr;
	}
}

static Xapian::Query::op xop(int op)
{
	switch (op) {
	case LX_AND: return Xapian::Query::OP_AND;
	case LX_AND_NOT: return Xapian::Query::OP_AND_NOT;
	case LX_AND_MAYBE: return Xapian::Query::OP_AND_MAYBE;
	case LX_PHRASE: return Xapian::Query::OP_PHRASE;
	case LX_NEAR: return Xapian::Query::OP_NEAR;
	case LX_FILTER: return Xapian::Query::OP_FILTER;
	case LX_SYNONYM: return Xapian::Query::OP_SYNONYM;
	default: return Xapian::Query::OP_OR;
	}
}

lx_query *lx_q_combine(int op, lx_query **kids, size_t n, unsigned window)
{
	lx_query *r = nullptr;
	try {
		std::vector<Xapian::Query> v;
		v.reserve(n);
		for (size_t i = 0; i < n; i++)
			if (kids[i])
				v.push_back(kids[i]->q);
		r = new lx_query{Xapian::Query(xop(op), v.begin(), v.end(), window)};
		r->unweighted = op == LX_FILTER;
		for (size_t i = 0; i < n; i++)
			r->unweighted |= kids[i] && kids[i]->unweighted;
	} catch (...) {
		r = nullptr;
	}
	for (size_t i = 0; i < n; i++)
		delete kids[i];
	return r;
}

lx_query *lx_q_scale(lx_query *q, double factor)
{
	if (!q)
		return nullptr;
	try {
		q->q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor);
		q->unweighted |= factor == 0;
		return q;
	} catch (...) {
		delete q;
		return nullptr;
	}
}

lx_query *lx_q_wildcard(const char *prefix, size_t len, unsigned max_expansion)
{
	try {
		return new lx_query{Xapian::Query(Xapian::Query::OP_WILDCARD, std::string(prefix, len),
						  max_expansion, max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
									       : Xapian::Query::WILDCARD_LIMIT_ERROR)};
	} catch (...) {
		return nullptr;
	}
}

lx_query *lx_q_value_range(unsigned slot, const char *lo, const char *hi)
{
	try {
		if (lo && hi)
			return new lx_query{Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi), true};
		if (lo)
			return new lx_query{Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo), true};
		if (hi)
			return new lx_query{Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi), true};
		return new lx_query{Xapian::Query::MatchAll, true};
	} catch (...) {
		return nullptr;
	}
}

lx_query *lx_q_nothing(void)
{
	try {
		return new lx_query{Xapian::Query()};
	} catch (...) {
		return nullptr;
	}
}

lx_query *lx_q_matchall(void)
{
	try {
		return new lx_query{Xapian::Query::MatchAll, true};
	} catch (...) {
		return nullptr;
	}
}

void lx_q_free(lx_query *q)
{
	delete q;
}

int lx_q_describe(const lx_query *q, lupe_buf *out)
{
	try {
		std::string s = q->q.get_description();
		out->len = 0;
		if (lupe_buf_append(out, s.data(), s.size()) < 0 || lupe_buf_terminate(out) < 0)
			return LUPE_ENOMEM;
		return LUPE_OK;
	} catch (...) {
		return LUPE_ENOMEM;
	}
}

namespace {

// Keeps unprefixed (body) terms that other documents share: a term only
// the source document holds cannot lead to a similar one.
struct BodyTerms : public Xapian::ExpandDecider {
	const Xapian::Database &db;
	explicit BodyTerms(const Xapian::Database &d) : db(d) {}
	bool operator()(const std::string &t) const override
	{
		unsigned char c = t.empty() ? 0 : (unsigned char)t[0];
		return !(c >= 'A' && c <= 'Z') && t.size() >= 3 && db.get_termfreq(t) >= 2;
	}
};

// Stop a search at its deadline: a posting source that matches every
// document, filtering the query (OP_FILTER: no weight), is asked about
// every candidate the matcher considers, so a match that runs on (a huge
// OR, a damaged index's posting list that keeps yielding documents) is
// stopped there: the clock is read every 16 steps and lx_out_of_time
// thrown through get_mset().  It says it matches every document (term
// frequency bounds = the document count), so the matcher's totals and
// bounds stay what they were: a match decider would do the same job, but
// Xapian then rescales the estimate and drops the lower bound.
// Enquire::set_time_limit only turns off check_at_least; a loop inside one
// posting list that yields nothing is beyond any callback.
class Deadline : public Xapian::PostingSource {
	uint64_t deadline_ns;
	unsigned budget_ms;
	unsigned steps = 0;
	Xapian::docid did = 0, last = 0;
	Xapian::doccount count = 0;

	void tick()
	{
		if (lx_hooks.match)
			lx_hooks.match();
		if ((++steps & 15) == 0 && lupe_past(deadline_ns))
			throw lx_out_of_time{budget_ms};
	}

public:
	Deadline(uint64_t d, unsigned b) : deadline_ns(d), budget_ms(b) {}
	Xapian::PostingSource *clone() const override { return new Deadline(deadline_ns, budget_ms); }
	void init(const Xapian::Database &db) override
	{
		did = 0;
		last = db.get_lastdocid();
		count = db.get_doccount();
		set_maxweight(0);
	}
	Xapian::doccount get_termfreq_min() const override { return count; }
	Xapian::doccount get_termfreq_est() const override { return count; }
	Xapian::doccount get_termfreq_max() const override { return count; }
	void next(double) override
	{
		tick();
		++did;
	}
	void skip_to(Xapian::docid to, double) override
	{
		tick();
		if (to > did)
			did = to;
	}
	bool check(Xapian::docid to, double) override
	{
		skip_to(to, 0);
		return true;
	}
	bool at_end() const override { return did > last; }
	Xapian::docid get_docid() const override { return did; }
};

// The time budget watched by the weighting scheme: BM25 (lupe's
// parameters) whose get_sumpart() reads the clock every 16 calls, shared
// by every clone (one per term of the query).  The matcher weighs every
// document it considers through it, so where each document has a weighted
// part this stops a match as the Deadline filter does, without a posting
// list of its own that the matcher moves along the query's for every
// candidate (its next/skip_to/check/at_end/get_docid calls were 4-7% of
// the match's instructions: bench/results/query-2026-12-04-qfast.md).  Where some part has no weight (a filter, a
// value range, MatchAll, a part scaled by 0: lx_query.unweighted) the
// matcher may go through documents without a call, so run() keeps the
// Deadline filter there.  name() and serialise() are BM25Weight's: a
// remote server would make a plain BM25Weight of it (lupe does not send
// it there: remote shards have their own timeout).
struct DeadlineClock {
	uint64_t deadline_ns;
	unsigned budget_ms;
	unsigned steps = 0;
};

class DeadlineWeight : public Xapian::BM25Weight {
	double k1, b;
	std::shared_ptr<DeadlineClock> clock;

	DeadlineWeight *clone() const override { return new DeadlineWeight(k1, b, clock); }

public:
	DeadlineWeight(double k1_, double b_, std::shared_ptr<DeadlineClock> c)
		: Xapian::BM25Weight(k1_, 0, 1, b_, 0.5), k1(k1_), b(b_), clock(std::move(c))
	{
	}
	double get_sumpart(Xapian::termcount wdf, Xapian::termcount doclen, Xapian::termcount uniq) const override
	{
		if (lx_hooks.match)
			lx_hooks.match();
		if ((++clock->steps & 15) == 0 && lupe_past(clock->deadline_ns))
			throw lx_out_of_time{clock->budget_ms};
		return Xapian::BM25Weight::get_sumpart(wdf, doclen, uniq);
	}
};

// Throw lx_out_of_time when p's deadline has passed (before an attempt).
void check_deadline(const lx_params *p)
{
	if (lupe_past(p->deadline_ns))
		throw lx_out_of_time{p->budget_ms};
}

bool has_remote(const lx_db *db)
{
	for (const lx_shard &s : db->shards)
		if (s.port)
			return true;
	return false;
}

// The hits' data, read in docid order: the docdata table's keys are the
// docids, so neighbours share the blocks Xapian keeps from the last read
// (read in rank order, the 300 first short queries' 3,000 hits took 4,412
// block reads of docdata; in docid order 3,659).  The docids come from the
// match, so Xapian need not check they exist (DOC_ASSUME_VALID: without
// it each read looks the document's length up in the postlist table).
// Hits marked in skip (when not empty) are left unread.
std::string hit_data(const Xapian::Database &rd, Xapian::docid did)
{
	return rd.get_document(did, Xapian::DOC_ASSUME_VALID).get_data();
}

void read_data_in_order(const Xapian::Database &rd, const std::vector<Xapian::docid> &ids,
			std::vector<std::string> &data, const std::vector<char> &skip)
{
	std::vector<size_t> order;
	order.reserve(ids.size());
	for (size_t i = 0; i < ids.size(); i++)
		if (skip.empty() || !skip[i])
			order.push_back(i);
	std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a] < ids[b]; });
	data.resize(ids.size());
	for (size_t i : order)
		data[i] = hit_data(rd, ids[i]);
}

// Run the enquire and copy what the C side needs out of the MSet, so that
// a later commit by a writer cannot change data under the caller.
// weighted: every document the query matches has a weighted part (not
// lx_query.unweighted), so the weight can watch the time budget.
void run(Xapian::Enquire &enq, lx_db *db, size_t offset, size_t limit, const lx_params *p, lx_mset *m,
	 bool weighted)
{
	if (lx_hooks.stall)
		lx_hooks.stall();
	check_deadline(p);
	// A remote backend cannot run lupe's posting source or weight (its own
	// timeout bounds it).
	std::unique_ptr<Deadline> deadline;
	if (p->deadline_ns && !has_remote(db)) {
		if (weighted) {
			enq.set_weighting_scheme(DeadlineWeight(
				p->k1, p->b, std::make_shared<DeadlineClock>(DeadlineClock{p->deadline_ns, p->budget_ms})));
		} else {
			enq.set_weighting_scheme(Xapian::BM25Weight(p->k1, 0, 1, p->b, 0.5));
			deadline.reset(new Deadline(p->deadline_ns, p->budget_ms));
			enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, enq.get_query(),
						    Xapian::Query(deadline.get())));
		}
		uint64_t now = lupe_now_ns();
		if (p->deadline_ns > now)
			enq.set_time_limit((double)(p->deadline_ns - now) / 2e9);
	} else {
		enq.set_weighting_scheme(Xapian::BM25Weight(p->k1, 0, 1, p->b, 0.5));
	}
	if (p->sort == 1 || p->sort == 2)
		enq.set_sort_by_value_then_relevance(LX_SLOT_DATE, p->sort == 1);
	std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
	for (unsigned slot = 0; slot < 32; slot++) {
		if (p->facet_slots & (1u << slot)) {
			spies.emplace_back(new Xapian::ValueCountMatchSpy(slot));
			enq.add_matchspy(spies.back().get());
		}
	}
	// Facets count the whole match set, so every match must be looked at.
	// So is every match on an index of at most LX_COUNT_ALL_MAX documents:
	// the total is then exact (a phrase's estimate would be a guess from
	// term statistics).  On a larger one the matcher looks at
	// LX_CHECK_AT_LEAST matches at least, so that totals up to there are
	// exact; a bound of a few hundred costs questions (many matches, where
	// Xapian's early stop makes the match fast) more than it is worth.
	Xapian::doccount n = db->rd.get_doccount();
	Xapian::doccount check = !spies.empty() || n <= LX_COUNT_ALL_MAX ? n : (Xapian::doccount)LX_CHECK_AT_LEAST;
	// Over remote shards a bound of check_at_least makes every server send
	// that many results back (the client merges them), not only the page:
	// with the bound at the index's size a question's reply was ~20 KB a
	// shard and the biggest share of its time.  There the total is the
	// matcher's estimate and bounds, as on a large index (facets still
	// look at every match).
	if (spies.empty() && lx_remote(db))
		check = 0;
	// Xapian counts in 32 bits: an offset past that is past every document
	// (an empty page), never a cast that wraps to page 1.
	const size_t dmax = std::numeric_limits<Xapian::doccount>::max();
	Xapian::doccount first = (Xapian::doccount)std::min(offset, dmax);
	Xapian::doccount count = (Xapian::doccount)std::min(limit, (size_t)(dmax - first));
	Xapian::MSet ms = enq.get_mset(first, count, check);
	m->estimate = ms.get_matches_estimated();
	m->lower = ms.get_matches_lower_bound();
	m->upper = ms.get_matches_upper_bound();
	m->exact = m->lower == m->upper;
	// The statistics the match gathered anyway: a caller that needs a
	// query term's frequency reads it here instead of asking each shard.
	for (auto t = enq.get_query().get_unique_terms_begin(); t != enq.get_query().get_unique_terms_end(); ++t)
		m->termfreqs.emplace_back(*t, ms.get_termfreq(*t));
	// A remote reader reads the hits' data from their shards at the same
	// time (one request per document, one after the other, otherwise).
	bool apart = !db->writable && lx_remote(db);
	for (auto it = ms.begin(); it != ms.end(); ++it) {
		m->weights.push_back(it.get_weight());
		m->docids.push_back(*it);
		if (p->explain) {
			std::string e;
			for (auto t = enq.get_matching_terms_begin(it); t != enq.get_matching_terms_end(it); ++t) {
				if (!e.empty())
					e += ';';
				e += *t;
				e += '=';
				e += std::to_string(ms.get_termweight(*t));
			}
			m->explain.push_back(e);
		}
	}
	// Read in this attempt, on this revision (with_retry reopens before the next).
	m->cacheable = one_index_reader(db);
	m->generation = db->generation;
	if (apart) {
		lx_shards_read_data(db, m->docids, m->data);
	} else {
		// The records the caller holds (a live picker's next keystroke
		// meets most of the last one's hits) are not read again.
		m->unread.assign(m->cacheable && p->have_record ? m->docids.size() : 0, 0);
		for (size_t i = 0; i < m->unread.size(); i++)
			m->unread[i] = p->have_record(p->have_ctx, m->generation, m->docids[i]) == 1;
		read_data_in_order(db->rd, m->docids, m->data, m->unread);
	}
	m->facets.assign(32, {});
	size_t k = 0;
	for (unsigned slot = 0; slot < 32; slot++) {
		if (!(p->facet_slots & (1u << slot)))
			continue;
		auto &spy = spies[k++];
		for (auto v = spy->top_values_begin(100); v != spy->top_values_end(100); ++v)
			m->facets[slot].emplace_back(*v, v.get_termfreq());
	}
}

}  // namespace

int lx_search(lx_db *db, const lx_query *q, size_t offset, size_t limit, const lx_params *p,
	      lx_mset **out, lupe_err *err)
{
	if (!db->shards.empty() && !db->in_shards_run) {
		bool partial = false;
		int rc = lx_shards_run(db, p->partial != 0, &partial, err,
				       [&](lupe_err *e) { return lx_search(db, q, offset, limit, p, out, e); });
		if (rc == LUPE_OK)
			(*out)->partial = partial;
		return rc;
	}
	*out = nullptr;
	lx_mset *m = nullptr;
	// A reader sees what was committed since it opened: reopen is cheap
	// when nothing changed (one round trip a remote shard; none when the
	// caller reopened just before, to build the query on that revision).
	if (!db->writable && !p->reopened) {
		try {
			refresh_reader(db);
		} catch (...) {
			// A failed reopen leaves the old revision; the search will say what is wrong.
		}
	}
	// A writer commits while we read: with_retry reopens on the newest
	// revision and runs the whole search again, so hits and their data agree.
	int rc = with_retry(db, err, "search", [&]() -> int {
		delete m;
		m = new lx_mset;
		Xapian::Enquire enq(db->rd);
		enq.set_query(q->q);
		run(enq, db, offset, limit, p, m, !q->unweighted);
		return LUPE_OK;
	});
	if (rc != LUPE_OK) {
		delete m;
		return rc;
	}
	*out = m;
	return LUPE_OK;
}

int lx_like(lx_db *db, const char *idterm, size_t n, unsigned nterms, size_t offset, size_t limit,
	    const lx_params *p, lx_mset **out, int *found, lupe_err *err)
{
	if (!db->shards.empty() && !db->in_shards_run) {
		bool partial = false;
		int rc = lx_shards_run(db, p->partial != 0, &partial, err, [&](lupe_err *e) {
			return lx_like(db, idterm, n, nterms, offset, limit, p, out, found, e);
		});
		if (rc == LUPE_OK && *out)
			(*out)->partial = partial;
		return rc;
	}
	*out = nullptr;
	*found = 0;
	lx_mset *m = nullptr;
	int rc = with_retry(db, err, "like", [&]() -> int {
		delete m;
		m = nullptr;
		std::string id(idterm, n);
		Xapian::PostingIterator pit = db->rd.postlist_begin(id);
		if (pit == db->rd.postlist_end(id))
			return LUPE_OK;
		*found = 1;
		Xapian::RSet rset;
		rset.add_document(*pit);
		Xapian::Enquire enq(db->rd);
		enq.set_query(Xapian::Query(id));
		BodyTerms decider(db->rd);
		Xapian::ESet es = enq.get_eset(nterms, rset, &decider);
		std::vector<Xapian::Query> terms;
		for (auto t = es.begin(); t != es.end(); ++t)
			terms.emplace_back(*t);
		Xapian::Query like(Xapian::Query::OP_OR, terms.begin(), terms.end());
		enq.set_query(Xapian::Query(Xapian::Query::OP_AND_NOT, like, Xapian::Query(id)));
		m = new lx_mset;
		run(enq, db, offset, limit, p, m, false);
		return LUPE_OK;
	});
	if (rc != LUPE_OK) {
		delete m;
		return rc;
	}
	*out = m;
	return LUPE_OK;
}

int lx_first_data(lx_db *db, const char *term, size_t len, lupe_buf *out, int *found, lupe_err *err)
{
	return with_retry(db, err, "read document", [&]() -> int {
		std::string t(term, len);
		out->len = 0;
		*found = 0;
		Xapian::PostingIterator it = db->rd.postlist_begin(t);
		if (it != db->rd.postlist_end(t)) {
			std::string d = db->rd.get_document(*it).get_data();
			if (lupe_buf_append(out, d.data(), d.size()) < 0)
				return lupe_err_set(err, LUPE_ENOMEM, "out of memory");
			*found = 1;
		}
		return LUPE_OK;
	});
}

int lx_mset_termfreq(const lx_mset *m, size_t i, const char **term, size_t *len, uint64_t *freq)
{
	if (i >= m->termfreqs.size())
		return 0;
	*term = m->termfreqs[i].first.data();
	*len = m->termfreqs[i].first.size();
	*freq = m->termfreqs[i].second;
	return 1;
}

size_t lx_mset_size(const lx_mset *m)
{
	return m->weights.size();
}

uint64_t lx_mset_estimate(const lx_mset *m, int *exact)
{
	if (exact)
		*exact = m->exact;
	return m->estimate;
}

void lx_mset_bounds(const lx_mset *m, uint64_t *lower, uint64_t *upper)
{
	*lower = m->lower;
	*upper = m->upper;
}

double lx_mset_weight(const lx_mset *m, size_t i)
{
	return m->weights[i];
}

const char *lx_mset_data(const lx_mset *m, size_t i, size_t *len)
{
	*len = 0;
	if (i < m->unread.size() && m->unread[i])
		return nullptr;
	*len = m->data[i].size();
	return m->data[i].data();
}

int lx_mset_read_data(lx_db *db, lx_mset *m, size_t i, lupe_err *err)
{
	if (i >= m->docids.size() || i >= m->unread.size())
		return lupe_err_set(err, LUPE_EINVAL, "search: no hit %zu to read", i);
	try {
		m->data[i] = hit_data(db->rd, m->docids[i]);
		m->unread[i] = 0;
		return LUPE_OK;
	} catch (const Xapian::DatabaseModifiedError &) {
		// Outside the match's retries: commits since it moved the revision
		// it read on.  Nothing is wrong with the index; the search is.
		return lupe_err_set(err, LUPE_EBUSY, "search: the index changed while its hits were read; search again");
	} catch (...) {
		return lx_map_error(err, "search: reading a hit's record");
	}
}

int lx_mset_has_term(lx_db *db, const lx_mset *m, size_t i, const char *term, size_t len)
{
	if (i >= m->docids.size())
		return -1;
	try {
		Xapian::PostingIterator p = db->rd.postlist_begin(std::string(term, len));
		if (p == db->rd.postlist_end(std::string()))
			return 0;
		p.skip_to(m->docids[i]);
		return p != db->rd.postlist_end(std::string()) && *p == m->docids[i];
	} catch (...) {
		return -1;
	}
}

int lx_mset_record_key(const lx_mset *m, size_t i, uint64_t *generation, uint32_t *docid)
{
	if (!m->cacheable || i >= m->docids.size() || i >= m->data.size())
		return 0;
	*generation = m->generation;
	*docid = m->docids[i];
	return 1;
}

const char *lx_mset_explain(const lx_mset *m, size_t i)
{
	return i < m->explain.size() ? m->explain[i].c_str() : "";
}

int lx_mset_facet(const lx_mset *m, unsigned slot, size_t k, const char **value, uint64_t *count)
{
	if (slot >= m->facets.size() || k >= m->facets[slot].size())
		return 0;
	*value = m->facets[slot][k].first.c_str();
	*count = m->facets[slot][k].second;
	return 1;
}

void lx_mset_free(lx_mset *m)
{
	delete m;
}

// Whether the hits of m may be read further through db: a local index (no
// shards, nothing remote), in the generation m was read in.
static bool zones_here(const lx_db *db, const lx_mset *m, size_t i)
{
	return db->shards.empty() && i < m->docids.size() && m->generation == db->generation;
}

int lx_mset_value(lx_db *db, const lx_mset *m, size_t i, unsigned slot, lupe_buf *out)
{
	out->len = 0;
	if (!zones_here(db, m, i))
		return 0;
	try {
		std::string v = db->rd.get_document(m->docids[i], Xapian::DOC_ASSUME_VALID).get_value(slot);
		return lupe_buf_append(out, v.data(), v.size()) < 0 ? -1 : 1;
	} catch (...) {
		out->len = 0;
		return -1;
	}
}

int lx_mset_positions(lx_db *db, const lx_mset *m, size_t i, const char *const *terms, const size_t *lens, size_t n,
		      lx_pos_cb cb, void *ctx)
{
	if (!zones_here(db, m, i))
		return 0;
	try {
		Xapian::docid did = m->docids[i];
		for (size_t k = 0; k < n; k++) {
			std::string t(terms[k], lens[k]);
			for (auto p = db->rd.positionlist_begin(did, t); p != db->rd.positionlist_end(did, t); ++p)
				if (cb(ctx, k, *p))
					break;
		}
		return 1;
	} catch (...) {
		return -1;
	}
}

}  // extern "C"

namespace {

// lx_db::memo: the bytes it keeps, and what an entry costs beside its key and value.
constexpr size_t kMemoMax = 4u << 20;
constexpr size_t kMemoOverhead = 64;

// Every reader keeps a memo (a local one since q21: a question's rare
// words stemmed their variants again in each question of a paragraph); a
// writer reads what it has not committed, which no generation tracks.
bool memo_on(const lx_db *db)
{
	return !db->writable;
}

}  // namespace

int lx_memo_get(lx_db *db, const char *key, size_t klen, const void **val, size_t *vlen)
{
	try {
		if (!memo_on(db) || db->memo_generation != db->generation)
			return 0;
		auto it = db->memo.find(std::string(key, klen));
		if (it == db->memo.end())
			return 0;
		*val = it->second.data();
		*vlen = it->second.size();
		return 1;
	} catch (...) {
		return 0;
	}
}

void lx_memo_put(lx_db *db, const char *key, size_t klen, const void *val, size_t vlen)
{
	try {
		if (!memo_on(db))
			return;
		size_t cost = klen + vlen + kMemoOverhead;
		if (db->memo_generation != db->generation || db->memo_bytes + cost > kMemoMax) {
			db->memo.clear();
			db->memo_bytes = 0;
			db->memo_generation = db->generation;
		}
		if (cost > kMemoMax)
			return;
		std::string k(key, klen);
		auto it = db->memo.find(k);
		if (it != db->memo.end()) {
			db->memo_bytes -= klen + it->second.size() + kMemoOverhead;
			db->memo.erase(it);
		}
		db->memo.emplace(std::move(k), std::string((const char *)val, vlen));
		db->memo_bytes += cost;
	} catch (...) {
		// A memo that cannot keep a value only costs a look-up later.
	}
}

// A remote reader keeps, in its memo (lx_memo_put: for the generation,
// bounded), what identifies the page: its docids (of db->rd, valid for the
// generation) and weights, the totals and the match's term statistics.
// Layout: estimate, lower, upper, exact, n, n x (docid, weight), then
// the term statistics as (length, bytes, frequency).
int lx_search_kept(lx_db *db, const lx_query *q, const char *key, size_t klen, size_t limit, const lx_params *p,
		   lx_mset **out, lupe_err *err)
{
	*out = nullptr;
	if (!memo_on(db) || db->shards.empty() || p->explain || p->facet_slots || db->in_shards_run)
		return lx_search(db, q, 0, limit, p, out, err);
	lx_mset *m = nullptr;
	bool partial = false, kept = false;
	int rc;
	try {
		std::string v;
		const void *val;
		size_t vl;
		uint64_t gen = db->generation;
		if (lx_memo_get(db, key, klen, &val, &vl))
			v.assign((const char *)val, vl);
		if (!db->writable && !p->reopened) {
			try {
				refresh_reader(db);
			} catch (...) {
				// As lx_search: the search says what is wrong.
			}
		}
		rc = lx_shards_run(db, p->partial != 0, &partial, err, [&](lupe_err *e) -> int {
			return with_retry(db, e, "search", [&]() -> int {
				delete m;
				m = new lx_mset;
				kept = false;
				// What was kept is of this generation only (a reopen or
				// a rebuilt shard set renumbers or changes documents).
				if (!v.empty() && db->generation == gen) {
					std::istringstream in(v);
					uint64_t n = 0;
					in.read((char *)&m->estimate, 8).read((char *)&m->lower, 8).read((char *)&m->upper, 8);
					in.read((char *)&m->exact, sizeof m->exact).read((char *)&n, 8);
					for (uint64_t i = 0; in && i < n; i++) {
						Xapian::docid d = 0;
						double w = 0;
						in.read((char *)&d, sizeof d).read((char *)&w, sizeof w);
						m->docids.push_back(d);
						m->weights.push_back(w);
					}
					uint64_t tl = 0, f = 0;
					while (in.read((char *)&tl, 8) && tl < (1u << 16)) {
						std::string t(tl, '\0');
						if (!in.read(&t[0], (std::streamsize)tl).read((char *)&f, 8))
							break;
						m->termfreqs.emplace_back(std::move(t), f);
					}
					if (m->docids.size() == n && in.eof()) {
						lx_shards_read_data(db, m->docids, m->data);
						m->generation = db->generation;
						m->facets.assign(32, {});
						kept = true;
						return LUPE_OK;
					}
					delete m;
					m = new lx_mset;
				}
				Xapian::Enquire enq(db->rd);
				enq.set_query(q->q);
				run(enq, db, 0, limit, p, m, !q->unweighted);
				return LUPE_OK;
			});
		});
	} catch (...) {
		rc = lx_map_error(err, "search");
	}
	if (rc != LUPE_OK) {
		delete m;
		return rc;
	}
	m->partial = partial;
	if (!kept && m->generation == db->generation) {
		try {
			std::string v;
			uint64_t n = m->docids.size();
			v.append((const char *)&m->estimate, 8).append((const char *)&m->lower, 8);
			v.append((const char *)&m->upper, 8).append((const char *)&m->exact, sizeof m->exact);
			v.append((const char *)&n, 8);
			for (size_t i = 0; i < n; i++)
				v.append((const char *)&m->docids[i], sizeof m->docids[i])
					.append((const char *)&m->weights[i], sizeof m->weights[i]);
			for (const auto &t : m->termfreqs) {
				uint64_t tl = t.first.size();
				v.append((const char *)&tl, 8).append(t.first).append((const char *)&t.second, 8);
			}
			lx_memo_put(db, key, klen, v.data(), v.size());
		} catch (...) {
			// Not kept: the next one searches.
		}
	}
	*out = m;
	return LUPE_OK;
}

namespace {

bool no_document_holds(const lx_mset *m, const std::string &t)
{
	for (const auto &f : m->termfreqs)
		if (f.first == t)
			return f.second == 0;
	return false;
}

// Whether the i-th hit holds any of the n terms, a posting list each
// through the database searched: a local reader's (and a remote reader's
// that cannot ask the hit's shard alone).
int has_any_term(lx_db *db, const lx_mset *m, size_t i, const char *const *terms, const size_t *lens, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		int rc = lx_mset_has_term(db, m, i, terms[k], lens[k]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

}  // namespace

extern "C" int lx_mset_hit_has_any_term(lx_db *db, const lx_mset *m, size_t i, const char *idterm, size_t idlen,
					 const char *const *terms, const size_t *lens, size_t n)
{
	if (i >= m->docids.size())
		return -1;
	size_t nm = db->members.size();
	if (!idterm || !lx_remote(db) || m->generation != db->generation || nm == 0 || db->in_shards_run)
		return has_any_term(db, m, i, terms, lens, n);
	try {
		std::vector<std::string> ask;
		for (size_t k = 0; k < n; k++) {
			std::string t(terms[k], lens[k]);
			if (!no_document_holds(m, t))
				ask.push_back(std::move(t));
		}
		if (ask.empty())
			return 0;
		// The hit is the document of its shard that holds its id term: it
		// holds one of the terms when it matches their OR filtered by that
		// id (a search of its shard alone, no weights): two exchanges,
		// about 0.1 ms on a shard of the collection whatever the terms
		// (bench/has_term_probe.cc).
		// Not a term's posting list, though one exchange: Xapian 1.4
		// sends it a message a document and the client reads it whole
		// before skip_to ("gut", 388 documents of that shard: 5 ms; the
		// news' shards hold 342 documents).  Nor the term's positions in
		// the hit, a message a position ("org" in a long page of URLs:
		// 10 ms more than the list).
		Xapian::docid did = m->docids[i];
		Xapian::Database &rd = db->shards[db->members[(did - 1) % nm]].rd;
		Xapian::docid here = (Xapian::docid)((did - 1) / nm + 1);
		Xapian::Enquire enq(rd);
		enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query(Xapian::Query::OP_OR, ask.begin(), ask.end()),
					    Xapian::Query(std::string(idterm, idlen))));
		enq.set_weighting_scheme(Xapian::BoolWeight());
		Xapian::MSet ms = enq.get_mset(0, 1);
		return ms.size() > 0 && *ms.begin() == here ? 1 : 0;
	} catch (...) {
		return -1;
	}
}

// A local reader reads the list of a beginning's first two bytes when it
// lacks it for the second time in a revision (lx_terms_start).  Each of a
// typo word's beginnings edited at its first letters lies in a region of
// the index of its own, a seek of one or two block reads (pread, 3.3 us
// each on the benchmark machine: ~70 a mistyped question); a list costs a
// read and its decoding (~30 us) once, then answers every later word.  A
// prefix met once (a one-shot search, a rare word) is walked as before;
// a reader that keeps searching (an editor, a server, the benchmark's 550
// typo questions) soon holds the lists its words share (all of them: ~6 MB
// for the 24,000 documents' lexicon, within kTermsCacheMax).  At most
// kDeepReadsMax lists are read for one word, so that the reading spreads
// over the words that follow instead of making a few searches slow.
constexpr unsigned kDeepReadAfter = 2;
constexpr unsigned kDeepReadsMax = 4;
constexpr size_t kDeepMissesMax = 1u << 16;

void lx_terms_start_word(lx_db *db)
{
	if (db->deep_generation != db->generation) {
		db->deep_generation = db->generation;
		db->deep_misses.clear();
	}
	db->deep_reads = 0;
}

int lx_terms_start(lx_db *db, const char *key, size_t len)
{
	int known = lx_terms_start_known(db, key, len);
	if (known >= 0 || !one_index_reader(db) || len < kListPrefix || db->deep_generation != db->generation)
		return known;
	try {
		std::string p2(key, kListPrefix);
		if (db->deep_misses.size() >= kDeepMissesMax)
			db->deep_misses.clear();
		if (++db->deep_misses[p2] < kDeepReadAfter || db->deep_reads >= kDeepReadsMax)
			return -1;
		db->deep_reads++;
		if (!cached_terms(db, p2))
			return -1; // no lexicon for this revision: the caller walks
	} catch (...) {
		return -1;
	}
	return lx_terms_start_known(db, key, len);
}

int lx_terms_start_known(lx_db *db, const char *key, size_t len)
{
	// Only what a reader holds for this generation: the list of the key's
	// prefix it keeps, or (remote) the shards' lexicon keys that say no
	// shard holds a term of that prefix (lex_lacks).  No exchange, no read
	// of the index, no decoding.
	if (!list_reader(db) || len < kListPrefix)
		return -1;
	try {
		std::string k(key, len);
		const auto *list = known_terms(db, k.substr(0, kListPrefix));
		if (!list)
			return lex_lacks(db, k) ? 0 : -1;
		size_t at = list_seek(*list, 0, k);
		return at < list->size() && list->term(at).substr(0, len) == k ? 1 : 0;
	} catch (...) {
		return -1;
	}
}
