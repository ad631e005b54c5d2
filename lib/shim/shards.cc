// Sharded indexes: several Xapian databases, local directories or
// xapian-tcpsrv servers, that lupe treats as one index.
//
// Writing sends each document to one shard, chosen by a hash of its id that
// must never change (lx_shard_hash).  Searching reads one Xapian::Database
// with every shard added, so Xapian ranks with collection-wide statistics
// and the result list is the one a single database would give.
//
// Remote shards fail: a server dies or stalls.  Every remote operation is
// bounded by the handle's timeout.  A failed search leaves the other remote
// connections in the middle of a protocol exchange, so they are re-made
// before the next search; the shard that failed is marked down and tried
// again no sooner than kRetryAfter later.  A reader may search the shards
// that answer (LX params.partial); a writer never does.
#include <xapian.h>

#include <algorithm>
#include <cstdint>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <numeric>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <unistd.h>

#include "lupe.h"
#include "shim/shim_private.hh"

namespace {

using Clock = std::chrono::steady_clock;

// How long a shard that failed is left alone before the next attempt to
// reach it; until then searches fail at once (or skip it with partial).
constexpr auto kRetryAfter = std::chrono::seconds(10);

// The bytes a remote reader keeps of stored records (lx_db::records), and
// what one costs beside its data (the hash node, the string).
constexpr size_t kRecordsMax = 8u << 20;
constexpr size_t kRecordOverhead = 64;

// The id term is LUPE_PFX_ID ("Q", one byte) followed by the id; db.c
// checks the prefix length at compile time.
constexpr size_t kIdPrefixLen = LX_ID_PREFIX_LEN;

// Parse "tcp://HOST:PORT" ("[v6addr]:PORT" too); false for anything else.
bool parse_tcp(const std::string &spec, std::string &host, unsigned &port)
{
	static const char scheme[] = "tcp://";
	if (spec.compare(0, sizeof scheme - 1, scheme) != 0)
		return false;
	std::string rest = spec.substr(sizeof scheme - 1);
	size_t colon = rest.rfind(':');
	if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
		return false;
	host = rest.substr(0, colon);
	if (host.size() > 2 && host.front() == '[' && host.back() == ']')
		host = host.substr(1, host.size() - 2);
	char *end;
	unsigned long p = std::strtoul(rest.c_str() + colon + 1, &end, 10);
	if (*end != '\0' || p == 0 || p > 65535)
		return false;
	port = (unsigned)p;
	return true;
}

// (Re)open one shard.  Throws what Xapian throws.
void open_shard(lx_shard &s, bool writable, bool create, unsigned timeout_ms)
{
	if (s.port) {
		if (writable) {
			s.wr = Xapian::Remote::open_writable(s.host, s.port, timeout_ms, timeout_ms);
			s.rd = s.wr;
			s.lex.remote = true;
			// Another writer may have written while the connection was down.
			s.lex.fresh = -1;
			s.lex.new_ids.clear();
		} else {
			s.rd = Xapian::Remote::open(s.host, s.port, timeout_ms, timeout_ms);
		}
	} else if (writable) {
		int action = create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN;
		s.wr = Xapian::WritableDatabase(s.name, action | Xapian::DB_BACKEND_GLASS);
		s.rd = s.wr;
	} else {
		s.rd = Xapian::Database(s.name);
	}
	s.up = true;
	s.stale = false;
	s.down_msg.clear();
}

// Record the failure being handled (call from a catch block) as the
// shard's; the message names the shard.
int shard_failed(lx_shard &s, lupe_err *err)
{
	std::string what = "shard " + s.name;
	int rc = lx_map_error(err, what.c_str());
	// The shard is named already: drop the context lx_map_error adds.
	if (char *ctx = std::strstr(err->msg, " [remote:"))
		*ctx = '\0';
	s.up = false;
	s.down_msg = err->msg;
	s.retry_at = Clock::now() + kRetryAfter;
	return rc;
}

// Point db->rd at the shards that are up (and db->wr at the first writer,
// for what is not per document: metadata that lx_set_metadata writes).
void rebuild(lx_db *db)
{
	db->rd = Xapian::Database();
	db->members.clear();
	db->generation++; // other shards, or connections made anew: a new view
	for (size_t i = 0; i < db->shards.size(); i++)
		if (db->shards[i].up) {
			db->rd.add_database(db->shards[i].rd);
			db->members.push_back(i);
		}
	if (db->writable)
		db->wr = db->shards[0].wr;
}

// The shard a failed operation's message points at.  lx_map_error puts
// Xapian's context of a network error, "remote:tcp(HOST:PORT)", in the
// message; the hostname there is the one this shard was opened with.
lx_shard *blame(lx_db *db, const char *msg)
{
	for (auto &s : db->shards) {
		if (!s.port)
			continue;
		std::string ctx = "remote:tcp(" + s.host + ":" + std::to_string(s.port) + ")";
		if (std::strstr(msg, ctx.c_str()))
			return &s;
	}
	return nullptr;
}

// Rewrite a network error to name its shard: "shard tcp://...: what: msg".
void rename_error(lupe_err *err, const lx_shard &s)
{
	std::string msg = err->msg;
	size_t at = msg.find(" [remote:");
	if (at != std::string::npos)
		msg.erase(at);
	lupe_err_set(err, err->code, "shard %s: %s", s.name.c_str(), msg.c_str());
}

// Before a reader's search: re-make stale connections and retry shards
// whose back-off is over.  Returns whether the set of shards changed.
bool refresh(lx_db *db, lupe_err *scratch)
{
	bool changed = false;
	auto now = Clock::now();
	for (auto &s : db->shards) {
		if (s.up ? !s.stale : now < s.retry_at)
			continue;
		changed = true;
		try {
			open_shard(s, false, false, db->timeout_ms);
		} catch (...) {
			shard_failed(s, scratch);
		}
	}
	return changed;
}

}  // namespace

// Threads that run a handle's jobs at the same time.  A call hands out jobs
// 0..n-1; the workers and the calling thread each take the next one until
// none is left, and the call returns when all ended.  Making a thread per
// job cost a clone and its stack every search (5% of a question's CPU).
struct lx_pool {
	std::mutex mu;
	std::condition_variable wake, idle;
	std::vector<std::thread> threads;
	const std::function<void(size_t)> *job = nullptr;
	size_t next = 0, count = 0, running = 0;
	bool stop = false;
	pid_t pid = getpid();

	void work()
	{
		std::unique_lock<std::mutex> l(mu);
		for (;;) {
			wake.wait(l, [&] { return stop || next < count; });
			if (stop)
				return;
			take(l);
		}
	}
	// Run the next job (the lock held on entry and on return).
	void take(std::unique_lock<std::mutex> &l)
	{
		size_t i = next++;
		const std::function<void(size_t)> *f = job;
		running++;
		l.unlock();
		(*f)(i);
		l.lock();
		running--;
		if (next >= count && running == 0)
			idle.notify_all();
	}
	// f must not throw.  Should no thread start, the caller runs them all.
	void run(size_t n, const std::function<void(size_t)> &f)
	{
		while (threads.size() + 1 < n) {
			try {
				threads.emplace_back([this] { work(); });
			} catch (const std::system_error &) {
				break;
			}
		}
		std::unique_lock<std::mutex> l(mu);
		job = &f;
		next = 0;
		count = n;
		wake.notify_all();
		while (next < count)
			take(l);
		idle.wait(l, [&] { return running == 0; });
		job = nullptr;
		count = next = 0;
	}
	~lx_pool()
	{
		{
			std::lock_guard<std::mutex> l(mu);
			stop = true;
		}
		wake.notify_all();
		for (auto &t : threads)
			t.join();
	}
};

void lx_pool_free(lx_pool *p)
{
	// A forked child has the pool but not its threads, which could never be
	// joined: it is left as it is (a few hundred bytes).
	if (p && p->pid != getpid())
		return;
	delete p;
}

namespace {

// Run job(k) for each k in ks at the same time, on db's threads and the
// caller's.  Each job may use only its own shard's Xapian objects (they are
// not thread-safe, and the combined db->rd shares their internals: the
// caller does not touch it until all jobs ended).  Every remote operation
// is bounded by the shard's timeout, so the wait is too.  Returns what
// each job threw (null when nothing), in the order of ks.
std::vector<std::exception_ptr> all_at_once(lx_db *db, const std::vector<size_t> &ks,
					     const std::function<void(size_t)> &job)
{
	std::vector<std::exception_ptr> errs(ks.size());
	std::function<void(size_t)> one = [&](size_t i) {
		try {
			job(ks[i]);
		} catch (...) {
			errs[i] = std::current_exception();
		}
	};
	if (ks.size() == 1) {
		one(0);
		return errs;
	}
	if (db->pool && db->pool->pid != getpid())
		db->pool.reset(); // made before a fork: its threads are the parent's
	if (!db->pool)
		db->pool.reset(new lx_pool);
	db->pool->run(ks.size(), one);
	return errs;
}

void each_at_once(lx_db *db, const std::vector<size_t> &ks, const std::function<void(size_t)> &job)
{
	for (auto &e : all_at_once(db, ks, job))
		if (e)
			std::rethrow_exception(e);
}

const lx_shard *first_down(const lx_db *db)
{
	for (auto &s : db->shards)
		if (!s.up)
			return &s;
	return nullptr;
}

}  // namespace

extern "C" {

uint64_t lx_shard_hash(const char *id, size_t n)
{
	// FNV-1a, 64 bits: offset basis and prime from the FNV specification.
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)id[i];
		h *= 1099511628211ull;
	}
	return h;
}

int lx_open_shards(lx_db **out, const char *const *specs, size_t n, int writable, int create,
		   unsigned timeout_ms, lupe_err *err)
{
	*out = nullptr;
	lx_db *db = nullptr;
	try {
		db = new lx_db;
		db->writable = writable != 0;
		db->timeout_ms = timeout_ms;
		db->shards.resize(n);
		for (size_t i = 0; i < n; i++) {
			lx_shard &s = db->shards[i];
			s.name = specs[i];
			if (s.name.compare(0, 6, "tcp://") == 0 && !parse_tcp(s.name, s.host, s.port)) {
				delete db;
				return lupe_err_set(err, LUPE_EINVAL, "shard %s: not tcp://HOST:PORT", specs[i]);
			}
		}
		db->path = n ? db->shards[0].name : "";
	} catch (...) {
		delete db;
		return lx_map_error(err, "open shards");
	}
	int first_rc = LUPE_OK, up = 0;
	lupe_err first;
	lupe_err_clear(&first);
	// The shards are opened at the same time (a remote one costs a connect
	// and a greeting), then their failures looked at in the list's order.
	std::vector<std::exception_ptr> failed;
	try {
		std::vector<size_t> ks(n);
		std::iota(ks.begin(), ks.end(), 0);
		failed = all_at_once(db, ks, [&](size_t i) { open_shard(db->shards[i], db->writable, create != 0, timeout_ms); });
	} catch (...) {
		delete db;
		return lx_map_error(err, "open shards");
	}
	for (size_t i = 0; i < n; i++) {
		lx_shard &s = db->shards[i];
		try {
			if (failed[i])
				std::rethrow_exception(failed[i]);
			up++;
		} catch (const Xapian::NetworkError &) {
			// A reader goes on without a server that does not answer:
			// searches report it (or skip it with partial).  A writer
			// cannot: documents have a fixed shard.
			int rc = shard_failed(s, err);
			if (db->writable) {
				delete db;
				return rc;
			}
			if (first_rc == LUPE_OK) {
				first_rc = rc;
				first = *err;
			}
		} catch (...) {
			int rc = shard_failed(s, err);
			delete db;
			return rc;
		}
	}
	if (up == 0) {
		*err = first;
		delete db;
		return first_rc;
	}
	try {
		rebuild(db);
	} catch (...) {
		delete db;
		return lx_map_error(err, "open shards");
	}
	lupe_err_clear(err);
	*out = db;
	return LUPE_OK;
}

int lx_remote(const lx_db *db)
{
	for (const auto &s : db->shards)
		if (s.port)
			return 1;
	return 0;
}

size_t lx_shard_count(const lx_db *db)
{
	return db->shards.size();
}

const char *lx_shard_name(const lx_db *db, size_t i)
{
	return db->shards[i].name.c_str();
}

int lx_shard_up(const lx_db *db, size_t i)
{
	return db->shards[i].up;
}

int lx_shard_blank(lx_db *db, size_t i, int *blank, lupe_err *err)
{
	lx_shard &s = db->shards[i];
	try {
		*blank = s.rd.get_doccount() == 0 && s.rd.metadata_keys_begin() == s.rd.metadata_keys_end();
		return LUPE_OK;
	} catch (...) {
		return shard_failed(s, err);
	}
}

int lx_shard_get_metadata(lx_db *db, size_t i, const char *key, lupe_buf *out, lupe_err *err)
{
	lx_shard &s = db->shards[i];
	try {
		std::string v = s.rd.get_metadata(key);
		out->len = 0;
		if (lupe_buf_append(out, v.data(), v.size()) < 0 || lupe_buf_terminate(out) < 0)
			return lupe_err_set(err, LUPE_ENOMEM, "metadata: out of memory");
		return LUPE_OK;
	} catch (...) {
		return shard_failed(s, err);
	}
}

int lx_shard_set_metadata(lx_db *db, size_t i, const char *key, const char *value, lupe_err *err)
{
	lx_shard &s = db->shards[i];
	if (!db->writable)
		return lupe_err_set(err, LUPE_EREADONLY, "shard %s: index is open read-only", s.name.c_str());
	try {
		s.wr.set_metadata(key, value);
		return LUPE_OK;
	} catch (...) {
		return shard_failed(s, err);
	}
}

int lx_shards_get_metadata(lx_db *db, const char *const *keys, size_t nkeys, int *blank, lupe_buf *values,
			   lupe_err *err)
{
	size_t n = db->shards.size();
	std::vector<std::exception_ptr> failed;
	std::vector<std::vector<std::string>> got(n);
	std::vector<char> is_blank(n, 0);
	try {
		std::vector<size_t> ks;
		for (size_t i = 0; i < n; i++)
			if (db->shards[i].up)
				ks.push_back(i);
		if (lx_hooks.at)
			lx_hooks.at("shards:metadata");
		auto errs = all_at_once(db, ks, [&](size_t i) {
			Xapian::Database &rd = db->shards[i].rd;
			for (size_t k = 0; k < nkeys; k++)
				got[i].push_back(rd.get_metadata(keys[k]));
			// A shard with the first key set has metadata: not blank.
			if (nkeys == 0 || got[i][0].empty())
				is_blank[i] = rd.get_doccount() == 0 && rd.metadata_keys_begin() == rd.metadata_keys_end();
		});
		failed.assign(n, nullptr);
		for (size_t j = 0; j < ks.size(); j++)
			failed[ks[j]] = errs[j];
	} catch (...) {
		return lx_map_error(err, "shard metadata");
	}
	int rc = LUPE_OK, up = 0, dropped = 0;
	lupe_err e, first_down;
	lupe_err_clear(&first_down);
	for (size_t i = 0; i < n; i++) {
		blank[i] = 0;
		for (size_t k = 0; k < nkeys; k++) {
			lupe_buf *v = &values[i * nkeys + k];
			v->len = 0;
			const std::string *s = k < got[i].size() ? &got[i][k] : nullptr;
			if ((s && lupe_buf_append(v, s->data(), s->size()) < 0) || lupe_buf_terminate(v) < 0)
				return lupe_err_set(err, LUPE_ENOMEM, "metadata: out of memory");
		}
		if (!failed[i]) {
			blank[i] = is_blank[i];
			up += db->shards[i].up;
			continue;
		}
		try {
			std::rethrow_exception(failed[i]);
		} catch (const Xapian::NetworkError &) {
			// As when it did not answer the connect (lx_open_shards): a
			// reader goes on without it, and its searches report it (or
			// skip it with partial); a writer cannot.
			int r = shard_failed(db->shards[i], &e);
			if (db->writable && rc == LUPE_OK) {
				rc = r;
				*err = e;
			} else if (!db->writable && !dropped++) {
				first_down = e;
			}
		} catch (...) {
			int r = shard_failed(db->shards[i], &e);
			if (rc == LUPE_OK) {
				rc = r;
				*err = e;
			}
		}
	}
	if (rc != LUPE_OK || !dropped)
		return rc;
	if (up == 0) {
		*err = first_down;
		return first_down.code;
	}
	try {
		rebuild(db);
	} catch (...) {
		return lx_map_error(err, "shard metadata");
	}
	return LUPE_OK;
}

}  // extern "C"

namespace {

lx_shard &shard_of(lx_db *db, const char *idterm, size_t n)
{
	size_t skip = n < kIdPrefixLen ? n : kIdPrefixLen;
	uint64_t h = lx_shard_hash(idterm + skip, n - skip);
	return db->shards[h % db->shards.size()];
}

// A writer's shard that failed: its connection is never re-made (it held
// uncommitted changes), so every later write to it fails as the first did.
// Without this each one waited out timeout_ms again: a stopped server
// cost a writer timeout_ms per queued document, then more to commit and close.
// Closing such a connection waits out the timeout once more (Xapian's
// remote writer commits and waits for the reply to what timed out, also
// from its destructor), so it is kept open, and its memory, until the
// process ends: one socket per failed shard per writer.
void writer_shard_down(lx_shard &s, const lupe_err *err)
{
	static std::mutex lock;
	static auto *kept = new std::vector<Xapian::WritableDatabase>;
	s.up = false;
	s.down_msg = err->msg;
	if (s.port) {
		std::lock_guard<std::mutex> hold(lock);
		kept->push_back(s.wr);
	}
}

}  // namespace

Xapian::WritableDatabase &lx_shard_writer(lx_db *db, const char *idterm, size_t n)
{
	if (db->shards.empty())
		return db->wr;
	lx_shard &s = shard_of(db, idterm, n);
	if (!s.up)
		throw Xapian::NetworkError(s.down_msg + " (down since; this writer does not reconnect)");
	return s.wr;
}

lx_lex &lx_shard_lex(lx_db *db, const char *idterm, size_t n)
{
	return db->shards.empty() ? db->lex : shard_of(db, idterm, n).lex;
}

void lx_shard_write_failed(lx_db *db, const char *idterm, size_t n, lupe_err *err)
{
	if (db->shards.empty() || !db->writable)
		return;
	lx_shard &s = shard_of(db, idterm, n);
	if (!s.up)
		return;
	if (s.port)
		rename_error(err, s);
	writer_shard_down(s, err);
}

int lx_shards_commit(lx_db *db, bool defer, lupe_err *err)
{
	// Each shard commits on its own: Xapian has no commit across
	// databases.  Go on after a failure so that as much as possible is
	// durable, and report the first shard that failed.
	// Their term lists first, all shards at once: over xapian-tcpsrv a
	// shard's lists are a conversation of their own (asking frequencies,
	// sending a value a prefix), which one after the other tripled the
	// time a remote import spends on them.
	std::vector<size_t> ks;
	for (size_t k = 0; k < db->shards.size(); k++)
		if (db->shards[k].up)
			ks.push_back(k);
	std::vector<std::exception_ptr> lex_failed(db->shards.size());
	auto errs = all_at_once(db, ks, [&](size_t k) { lx_lex_write(db->shards[k].lex, db->shards[k].wr, defer); });
	for (size_t i = 0; i < ks.size(); i++)
		lex_failed[ks[i]] = errs[i];
	int rc = LUPE_OK;
	lupe_err e;
	for (size_t k = 0; k < db->shards.size(); k++) {
		lx_shard &s = db->shards[k];
		try {
			if (!s.up)
				throw Xapian::NetworkError(s.down_msg + " (down since; this writer does not reconnect)");
			if (lex_failed[k])
				std::rethrow_exception(lex_failed[k]);
			s.wr.commit();
			lx_lex_committed(s.lex);
		} catch (...) {
			std::string what = "shard " + s.name + ": commit";
			int r = lx_map_error(&e, what.c_str());
			if (char *ctx = std::strstr(e.msg, " [remote:"))
				*ctx = '\0';
			if (r == LUPE_ENETWORK && s.up)
				writer_shard_down(s, &e);
			if (rc == LUPE_OK) {
				rc = r;
				*err = e;
			}
		}
	}
	if (rc != LUPE_OK && db->shards.size() > 1) {
		std::string msg = err->msg;
		lupe_err_set(err, rc, "%s (the other shards may have committed)", msg.c_str());
	}
	return rc;
}

void lx_shards_close(lx_db *db)
{
	for (auto &s : db->shards) {
		try {
			// A writer's shard that failed is not spoken to again (each
			// word would wait out the timeout); its connection is dropped.
			if (db->writable && !s.up)
				continue;
			if (db->writable)
				s.wr.close();
			s.rd.close();
		} catch (...) {
			// As lx_close: nothing useful to report.
		}
	}
}

int lx_shards_run(lx_db *db, bool partial, bool *was_partial, lupe_err *err,
		  const std::function<int(lupe_err *)> &attempt)
{
	*was_partial = false;
	struct Guard {
		lx_db *db;
		~Guard() { db->in_shards_run = false; }
	} guard{db};
	db->in_shards_run = true;

	if (db->writable) {
		// A writer's connections hold uncommitted changes: never re-made.
		int rc = attempt(err);
		if (rc == LUPE_ENETWORK)
			if (lx_shard *s = blame(db, err->msg))
				rename_error(err, *s);
		return rc;
	}
	lupe_err scratch;
	for (size_t round = 0; round <= db->shards.size(); round++) {
		try {
			if (refresh(db, &scratch))
				rebuild(db);
		} catch (...) {
			return lx_map_error(err, "shards");
		}
		const lx_shard *down = first_down(db);
		if (down && !partial)
			return lupe_err_set(err, LUPE_ENETWORK, "%s", down->down_msg.c_str());
		bool any_up = false;
		for (auto &s : db->shards)
			any_up = any_up || s.up;
		if (!any_up)
			return lupe_err_set(err, LUPE_ENETWORK, "no shard answers; %s", down->down_msg.c_str());

		int rc = attempt(err);
		if (rc != LUPE_ENETWORK) {
			*was_partial = down != nullptr;
			return rc;
		}
		// Every remote connection may be mid-exchange now: re-make them.
		for (auto &s : db->shards)
			if (s.port)
				s.stale = true;
		lx_shard *bad = blame(db, err->msg);
		if (!bad) {
			if (!partial)
				return rc;
			// Unknown culprit: re-making the connections finds it.
			continue;
		}
		rename_error(err, *bad);
		bad->up = false;
		bad->down_msg = err->msg;
		bad->retry_at = Clock::now() + kRetryAfter;
		if (!partial)
			return rc;
	}
	return lupe_err_set(err, LUPE_ENETWORK, "shards kept failing; last: %s", err->msg);
}

void lx_shards_failed(lx_db *db, lupe_err *err)
{
	for (auto &s : db->shards)
		if (s.port)
			s.stale = true;
	lx_shard *bad = blame(db, err->msg);
	if (!bad)
		return;
	rename_error(err, *bad);
	bad->up = false;
	bad->down_msg = err->msg;
	bad->retry_at = Clock::now() + kRetryAfter;
}

bool lx_shards_reopen(lx_db *db)
{
	std::vector<size_t> ks(db->members.size());
	std::vector<char> changed(ks.size(), 0);
	for (size_t k = 0; k < ks.size(); k++)
		ks[k] = k;
	bool any = false;
	try {
		each_at_once(db, ks, [&](size_t k) { changed[k] = db->shards[db->members[k]].rd.reopen(); });
	} catch (...) {
		// Some shard failed, another may have moved on: what was cached
		// from the old revision must go either way.
		for (char c : changed)
			any = any || c;
		if (any)
			db->generation++;
		throw;
	}
	for (char c : changed)
		any = any || c;
	if (any)
		db->generation++;
	return any;
}

void lx_shards_read_data(lx_db *db, const std::vector<Xapian::docid> &ids, std::vector<std::string> &out)
{
	size_t n = db->members.size();
	out.assign(ids.size(), std::string());
	if (n == 0)
		return;
	if (db->records_generation != db->generation) {
		db->records.clear();
		db->records_bytes = 0;
		db->records_generation = db->generation;
	}
	// Which hits each shard holds that are not kept; Xapian numbers a
	// combined database's documents round-robin over its sub-databases.
	std::vector<std::vector<size_t>> held(n);
	std::vector<size_t> ks;
	for (size_t i = 0; i < ids.size(); i++) {
		auto r = db->records.find(ids[i]);
		if (r != db->records.end()) {
			r->second.used = ++db->records_clock;
			out[i] = r->second.data;
			continue;
		}
		size_t k = (ids[i] - 1) % n;
		if (held[k].empty())
			ks.push_back(k);
		held[k].push_back(i);
	}
	if (lx_hooks.at && !ks.empty())
		lx_hooks.at("records:read");
	each_at_once(db, ks, [&](size_t k) {
		Xapian::Database &rd = db->shards[db->members[k]].rd;
		for (size_t i : held[k])
			out[i] = rd.get_document((Xapian::docid)((ids[i] - 1) / n + 1)).get_data();
	});
	for (size_t k : ks)
		for (size_t i : held[k]) {
			if (out[i].size() > kRecordsMax / 8)
				continue;
			auto &r = db->records[ids[i]];
			r.data = out[i];
			r.used = ++db->records_clock;
			db->records_bytes += out[i].size() + kRecordOverhead;
		}
	if (db->records_bytes <= kRecordsMax)
		return;
	// Over the bound: the least recently used out, down to three quarters.
	std::vector<std::pair<uint64_t, Xapian::docid>> age;
	for (auto &r : db->records)
		age.emplace_back(r.second.used, r.first);
	std::sort(age.begin(), age.end());
	for (auto &a : age) {
		if (db->records_bytes <= kRecordsMax / 4 * 3)
			break;
		auto r = db->records.find(a.second);
		db->records_bytes -= r->second.data.size() + kRecordOverhead;
		db->records.erase(r);
	}
}

void lx_shards_allterms(lx_db *db, const std::string &prefix, lx_terms &out)
{
	// A remote shard's lexicon is one message; its listing one a term.
	std::vector<lx_terms> lists;
	std::vector<char> got;
	lx_shards_lists(db, {prefix}, {1}, lists, got);
	out = std::move(lists[0]);
}

void lx_shards_lists(lx_db *db, const std::vector<std::string> &prefixes, const std::vector<char> &listing,
		     std::vector<lx_terms> &out, std::vector<char> &got)
{
	size_t n = db->members.size(), np = prefixes.size();
	std::vector<std::vector<lx_terms>> lists(np, std::vector<lx_terms>(n)); // by prefix, then shard
	std::vector<std::vector<char>> have(n, std::vector<char>(np, 0));
	std::vector<size_t> ks(n);
	std::iota(ks.begin(), ks.end(), 0);
	uint64_t generation = db->generation;
	// Each shard's prefixes one after the other in its own job (its
	// connection answers one request at a time), the shards at once.
	each_at_once(db, ks, [&](size_t k) {
		lx_shard &s = db->shards[db->members[k]];
		for (size_t i = 0; i < np; i++) {
			lx_terms &l = lists[i][k];
			if (s.port && lx_lex_read(s, generation, prefixes[i], l)) {
				have[k][i] = 1;
				continue;
			}
			l.clear();
			if (s.port && !listing[i])
				continue; // no lexicon here: the caller asks its terms instead
			Xapian::Database &rd = s.rd;
			for (auto it = rd.allterms_begin(prefixes[i]); it != rd.allterms_end(prefixes[i]); ++it)
				l.push(*it, it.get_termfreq());
			have[k][i] = 1;
		}
	});
	out.assign(np, lx_terms());
	got.assign(np, 0);
	for (size_t i = 0; i < np; i++) {
		bool all = true;
		for (size_t k = 0; k < n; k++)
			all = all && have[k][i];
		if (!all)
			continue;
		got[i] = 1;
		lx_terms_merge(lists[i], n, out[i]);
	}
}

extern "C" int lx_mset_partial(const lx_mset *m)
{
	return m->partial;
}

bool lx_shards_lex_keys(lx_db *db, std::vector<std::string> &out)
{
	size_t n = db->members.size();
	std::vector<std::vector<std::string>> keys(n);
	std::vector<char> ok(n, 0);
	std::vector<size_t> ks(n);
	std::iota(ks.begin(), ks.end(), 0);
	uint64_t generation = db->generation;
	each_at_once(db, ks, [&](size_t k) {
		lx_shard &s = db->shards[db->members[k]];
		ok[k] = s.port && lx_lex_keys(s, generation, keys[k]);
	});
	out.clear();
	for (size_t k = 0; k < n; k++) {
		if (!ok[k])
			return false;
		out.insert(out.end(), keys[k].begin(), keys[k].end());
	}
	std::sort(out.begin(), out.end());
	out.erase(std::unique(out.begin(), out.end()), out.end());
	return n > 0;
}

bool lx_shards_lex_whole_size(lx_db *db, uint64_t *total)
{
	size_t n = db->members.size();
	std::vector<uint64_t> bytes(n, 0);
	std::vector<char> ok(n, 0);
	std::vector<size_t> ks(n);
	std::iota(ks.begin(), ks.end(), 0);
	each_at_once(db, ks, [&](size_t k) {
		lx_shard &s = db->shards[db->members[k]];
		ok[k] = s.port && lx_lex_whole_size(s, &bytes[k]);
	});
	*total = 0;
	for (size_t k = 0; k < n; k++) {
		if (!ok[k])
			return false;
		// Saturating: sizes a shard noted wrongly cannot add up to a small one.
		*total = bytes[k] > UINT64_MAX - *total ? UINT64_MAX : *total + bytes[k];
	}
	return n > 0;
}

bool lx_shards_lex_whole(lx_db *db, size_t max)
{
	size_t n = db->members.size();
	std::vector<lx_lex_whole> whole(n);
	std::vector<char> ok(n, 0);
	std::vector<size_t> ks(n);
	std::iota(ks.begin(), ks.end(), 0);
	// Each shard at most max, the shards at once; then together at most max.
	each_at_once(db, ks, [&](size_t k) {
		lx_shard &s = db->shards[db->members[k]];
		ok[k] = s.port && lx_lex_read_whole(s, max, whole[k]);
	});
	size_t bytes = 0;
	for (size_t k = 0; k < n; k++) {
		if (!ok[k])
			return false;
		bytes += whole[k].payload.size();
	}
	if (n == 0 || bytes > max)
		return false;
	for (auto &w : whole) {
		w.unpacked.resize(w.at.size());
		w.unpacked_max = (lx_hooks.whole_unpacked_max ? lx_hooks.whole_unpacked_max : kLexWholeUnpackedMax) / n;
	}
	db->lex_whole = std::move(whole);
	return true;
}

void lx_shards_whole_find(lx_db *db, const std::vector<std::string> &p2s,
			  const std::vector<std::vector<std::string>> &terms, std::vector<std::vector<uint64_t>> &sums,
			  std::vector<char> &ok)
{
	size_t n = db->lex_whole.size(), ng = p2s.size();
	std::vector<std::vector<std::vector<uint64_t>>> f(n, std::vector<std::vector<uint64_t>>(ng));
	std::vector<std::vector<char>> good(n, std::vector<char>(ng, 0));
	std::vector<size_t> ks(n);
	std::iota(ks.begin(), ks.end(), 0);
	// The shards' values at once: decompressing and walking them is the
	// cost, no exchange.
	each_at_once(db, ks, [&](size_t k) {
		for (size_t g = 0; g < ng; g++) {
			f[k][g].assign(terms[g].size(), 0);
			good[k][g] = lx_lex_whole_find(db->lex_whole[k], p2s[g], terms[g], 0, terms[g].size(), f[k][g]);
		}
	});
	sums.assign(ng, std::vector<uint64_t>());
	ok.assign(ng, 1);
	for (size_t g = 0; g < ng; g++) {
		sums[g].assign(terms[g].size(), 0);
		for (size_t k = 0; k < n; k++) {
			ok[g] = ok[g] && good[k][g];
			for (size_t t = 0; t < terms[g].size(); t++)
				sums[g][t] += f[k][g][t];
		}
	}
}
