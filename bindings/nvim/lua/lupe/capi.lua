-- The public C API of liblupe (include/lupe.h) through LuaJIT's ffi.
--
-- Only this module knows the C layout; bindings/python/tests/test_header.py
-- fails when the cdef below (functions, struct fields, M.VERSIONS, the
-- constants in M) disagrees with include/lupe.h.  The library is loaded on
-- first use (see M.load: $LUPE_LIBRARY, g:lupe_library, the loader's path,
-- pkg-config's libdir).
-- Each wrapper frees what the library hands over before it returns, and
-- raises a Lua error {status = n, message = "..."} for a failed status.
local ffi = require("ffi")

ffi.cdef([[
typedef struct lupe_db lupe_db;
typedef struct lupe_results lupe_results;
typedef struct lupe_strings lupe_strings;

typedef struct {
	unsigned version;
	unsigned flags;
	int decompound;
	unsigned batch_size;
	unsigned timeout_ms;
	unsigned threads;
	size_t batch_bytes;
	int suggest_thread;
	size_t bulk_segment_bytes;
} lupe_open_options;

typedef struct {
	unsigned version;
	const char *id;
	const char *title;
	size_t title_len;
	const char *text;
	size_t text_len;
	const char *source;
	const char *path;
	const char *date;
	int64_t mtime;
} lupe_document;

typedef struct { size_t start, end; } lupe_span;

typedef struct {
	size_t rank;
	const char *id;
	const char *title;
	double score;
	const char *source;
	const char *path;
	const char *date;
	const char *snippet;
	size_t snippet_len;
	const lupe_span *highlights;
	size_t n_highlights;
	const lupe_span *matches;
	size_t n_matches;
	int64_t mtime;
	const char *explain;
	const unsigned char *highlight_kinds;
} lupe_hit;

typedef struct {
	unsigned version;
	size_t offset;
	size_t limit;
	size_t snippet_bytes;
	unsigned flags;
	int sort;
	const char *const *facets;
	unsigned time_budget_ms;
} lupe_search_options;

const char *lupe_strerror(int status);
const char *lupe_version(void);
int lupe_open(lupe_db **out, const char *path, const lupe_open_options *opts,
	      char *errmsg, size_t errmsg_len);
void lupe_close(lupe_db *db);
const char *lupe_errmsg(const lupe_db *db);
int lupe_doc_count(lupe_db *db, uint64_t *out);
int lupe_add(lupe_db *db, const lupe_document *doc);
int lupe_delete(lupe_db *db, const char *id);
int lupe_commit(lupe_db *db);
int lupe_acknowledge_loss(lupe_db *db);
int lupe_check(const char *path, char *errmsg, size_t errmsg_len);
int lupe_search(lupe_db *db, lupe_results **out, const char *query, size_t len,
		const lupe_search_options *opts);
size_t lupe_results_count(const lupe_results *res);
uint64_t lupe_results_total(const lupe_results *res, int *exact);
const lupe_hit *lupe_results_hit(const lupe_results *res, size_t i);
const char *lupe_highlight_kind_name(int kind);
void lupe_results_free(lupe_results *res);
int lupe_get_mtime(lupe_db *db, const char *id, int64_t *out);
int lupe_list_ids(lupe_db *db, lupe_strings **out, const char *prefix);
size_t lupe_strings_count(const lupe_strings *s);
const char *lupe_strings_get(const lupe_strings *s, size_t i);
void lupe_strings_free(lupe_strings *s);

typedef struct {
	int kind;
	const char *path;
	const char *message;
	uint64_t done, total;
	uint64_t bytes;
} lupe_sync_event;

typedef int (*lupe_sync_callback)(const lupe_sync_event *ev, void *ctx);

typedef struct {
	unsigned version;
	unsigned flags;
	const char *const *include;
	const char *const *exclude;
	const char *source;
	uint64_t max_file_bytes;
	lupe_sync_callback callback;
	void *ctx;
} lupe_sync_options;

typedef struct {
	uint64_t files;
	uint64_t added;
	uint64_t updated;
	uint64_t unchanged;
	uint64_t removed;
	uint64_t skipped;
	uint64_t bytes;
	int stopped;
} lupe_sync_stats;

int lupe_sync_path(lupe_db *db, const char *path, const lupe_sync_options *opts,
		   lupe_sync_stats *stats);
int lupe_sync_prune(lupe_db *db, const lupe_sync_options *opts, lupe_sync_stats *stats);
]])

local M = {
	OPEN_READ = 0,
	OPEN_WRITE = 1,
	OPEN_CREATE = 2,
	OPEN_WATCHED = 8,
	SEARCH_EXPLAIN = 2,
	ENOTFOUND = -1,
	ELOCKED = -2,
	EIO = -5,
	EQUERY = -7,
	EINVAL = -8,
	EREADONLY = -9,
	EHUNG = -15,
	SYNC_HIDDEN = 1,
	SYNC_NO_IGNORE = 2,
	SYNC_KEEP_GONE = 4,
	SYNC_DRY_RUN = 8,
	SYNC_SCANNED = 0,
	SYNC_FILE = 1,
	SYNC_REMOVED = 2,
	SYNC_WARNING = 3,
	SYNC_COMMITTING = 4,
	VERSION_MAJOR = 0,
}

-- The *_VERSION of each options struct this cdef mirrors.
M.VERSIONS = {
	lupe_open_options = 4,
	lupe_document = 1,
	lupe_search_options = 2,
	lupe_sync_options = 1,
}

local lib, lib_path

-- The places liblupe is looked for, in order: {how, path}.
function M.candidates()
	local env = os.getenv("LUPE_LIBRARY")
	if env and env ~= "" then
		-- An explicit choice: nothing else is tried.
		return { { "$LUPE_LIBRARY", env } }
	end
	local out = {}
	local g = vim and vim.g and vim.g.lupe_library
	if g and g ~= "" then
		out[#out + 1] = { "g:lupe_library", g }
	end
	out[#out + 1] = { "the dynamic loader (ldconfig, LD_LIBRARY_PATH)", "liblupe.so." .. M.VERSION_MAJOR }
	if vim and vim.fn and vim.fn.executable("pkg-config") == 1 then
		local dir = vim.fn.system({ "pkg-config", "--variable=libdir", "lupe" }):gsub("%s+$", "")
		if vim.v.shell_error == 0 and dir ~= "" then
			out[#out + 1] = { "pkg-config --variable=libdir lupe", dir .. "/liblupe.so." .. M.VERSION_MAJOR }
		end
	end
	return out
end

-- Load liblupe (once); raises {status = EIO, message = ...} naming every
-- place tried when none loads or none has the right major version.
function M.load()
	if lib then
		return lib
	end
	local tried = {}
	for _, c in ipairs(M.candidates()) do
		local how, path = c[1], c[2]
		local ok, l = pcall(ffi.load, path)
		if not ok then
			tried[#tried + 1] = how .. ": " .. tostring(l)
		else
			local vok, v = pcall(function()
				return ffi.string(l.lupe_version())
			end)
			if not vok then
				tried[#tried + 1] = how .. ": " .. path .. ": not liblupe (" .. tostring(v) .. ")"
			elseif tonumber(v:match("^(%d+)%.")) ~= M.VERSION_MAJOR then
				tried[#tried + 1] = string.format("%s: %s: liblupe %s, but this plugin needs %d.x",
					how, path, v, M.VERSION_MAJOR)
			else
				lib, lib_path = l, path
				return lib
			end
		end
	end
	error({ status = M.EIO, message = "cannot load liblupe; tried: " .. table.concat(tried, "; ")
		.. " (install liblupe, or set $LUPE_LIBRARY or g:lupe_library to the path of liblupe.so)" }, 0)
end
local load = M.load

-- The path liblupe was loaded from (loading it if needed).
function M.library_path()
	load()
	return lib_path
end

local function str(p)
	if p == nil then
		return nil
	end
	return ffi.string(p)
end

local function fail(status, message)
	if not message or message == "" then
		message = str(load().lupe_strerror(status))
	end
	error({ status = status, message = message }, 0)
end

-- The message of an error raised here, or of any other Lua error.
function M.message(err)
	if type(err) == "table" then
		return err.message
	end
	return tostring(err)
end

function M.version()
	return str(load().lupe_version())
end

local Db = {}
Db.__index = Db

-- Open the index at path; flags are M.OPEN_*.
function M.open(path, flags)
	local L = load()
	local opts = ffi.new("lupe_open_options", M.VERSIONS.lupe_open_options, flags or 0, 1, 2000, 5000, 0, 0, 1, 0)
	local out = ffi.new("lupe_db *[1]")
	local msg = ffi.new("char[?]", 1024)
	local st = L.lupe_open(out, path, opts, msg, 1024)
	if st ~= 0 then
		fail(st, ffi.string(msg))
	end
	-- The gc hook only matters for a handle a caller forgot to close.
	local self = setmetatable({ h = ffi.gc(out[0], L.lupe_close), path = path }, Db)
	return self
end

function Db:check(st)
	if st ~= 0 then
		fail(st, str(lib.lupe_errmsg(self.h)))
	end
end

function Db:close()
	if self.h then
		local h = self.h
		self.h = nil
		ffi.gc(h, nil)
		lib.lupe_close(h)
	end
end

function Db:count()
	local n = ffi.new("uint64_t[1]")
	self:check(lib.lupe_doc_count(self.h, n))
	return tonumber(n[0])
end

-- doc: {id=, title=, text=, path=, source=, date=, mtime=}
function Db:add(doc)
	local d = ffi.new("lupe_document")
	d.version = M.VERSIONS.lupe_document
	d.id = doc.id
	if doc.title then
		d.title, d.title_len = doc.title, #doc.title
	end
	if doc.text then
		d.text, d.text_len = doc.text, #doc.text
	end
	d.source = doc.source
	d.path = doc.path
	d.date = doc.date
	d.mtime = doc.mtime or 0
	self:check(lib.lupe_add(self.h, d))
end

function Db:delete(id)
	self:check(lib.lupe_delete(self.h, id))
end

function Db:commit()
	self:check(lib.lupe_commit(self.h))
end

-- The stored mtime of document id, or nil when there is no such document.
function Db:mtime(id)
	local out = ffi.new("int64_t[1]")
	local st = lib.lupe_get_mtime(self.h, id, out)
	if st == M.ENOTFOUND then
		return nil
	end
	self:check(st)
	return tonumber(out[0])
end

-- The sorted ids that start with prefix.
function Db:ids(prefix)
	local out = ffi.new("lupe_strings *[1]")
	self:check(lib.lupe_list_ids(self.h, out, prefix or ""))
	local s = out[0]
	local ids = {}
	for i = 0, tonumber(lib.lupe_strings_count(s)) - 1 do
		ids[#ids + 1] = ffi.string(lib.lupe_strings_get(s, i))
	end
	lib.lupe_strings_free(s)
	return ids
end

local SYNC_KINDS = { [0] = "scanned", "file", "removed", "warning", "committing" }

-- A NULL-terminated const char *[] of the strings in list (or nil); the
-- array keeps the Lua strings it points to reachable through `keep`.
local function cstrings(list, keep)
	if type(list) == "string" then
		list = { list }
	end
	if not list or #list == 0 then
		return nil
	end
	local arr = ffi.new("const char *[?]", #list + 1)
	for i, v in ipairs(list) do
		keep[#keep + 1] = v
		arr[i - 1] = v
	end
	keep[#keep + 1] = arr
	return arr
end

-- The C call that may call back into Lua: LuaJIT cannot enter a callback
-- from compiled code, so these two stay interpreted.
local function call_sync(h, path, o, st)
	return lib.lupe_sync_path(h, path, o, st)
end
local function call_prune(h, o, st)
	return lib.lupe_sync_prune(h, o, st)
end
jit.off(call_sync)
jit.off(call_prune)

-- Run one sync (path given) or prune (path nil); see Db:sync.
function Db:_sync(path, opts)
	opts = opts or {}
	local keep = {}
	local o = ffi.new("lupe_sync_options")
	o.version = M.VERSIONS.lupe_sync_options
	o.flags = (opts.hidden and M.SYNC_HIDDEN or 0) + (opts.no_ignore and M.SYNC_NO_IGNORE or 0)
		+ (opts.keep_gone and M.SYNC_KEEP_GONE or 0) + (opts.dry_run and M.SYNC_DRY_RUN or 0)
	o.include = cstrings(opts.include, keep)
	o.exclude = cstrings(opts.exclude, keep)
	o.source = opts.source
	o.max_file_bytes = opts.max_file_bytes or 0
	local cb, cb_err
	if opts.progress then
		local progress = opts.progress
		cb = ffi.cast("lupe_sync_callback", function(ev)
			-- A Lua error must not unwind through the library's C frames:
			-- keep it, stop the sync, raise it after the call returns.
			local ok, r = pcall(progress, {
				kind = SYNC_KINDS[ev.kind] or ev.kind,
				path = ev.path ~= nil and ffi.string(ev.path) or nil,
				message = ev.message ~= nil and ffi.string(ev.message) or nil,
				done = tonumber(ev.done),
				total = tonumber(ev.total),
				bytes = tonumber(ev.bytes),
			})
			if not ok then
				cb_err = cb_err or r
				return 1
			end
			return r == false and 1 or 0
		end)
		o.callback = cb
	end
	local st = ffi.new("lupe_sync_stats")
	local rc
	if path then
		rc = call_sync(self.h, path, o, st)
	else
		rc = call_prune(self.h, o, st)
	end
	if cb then
		cb:free()
	end
	keep = nil
	local stats = {
		files = tonumber(st.files),
		added = tonumber(st.added),
		updated = tonumber(st.updated),
		unchanged = tonumber(st.unchanged),
		removed = tonumber(st.removed),
		skipped = tonumber(st.skipped),
		bytes = tonumber(st.bytes),
		stopped = st.stopped ~= 0,
	}
	if cb_err ~= nil then
		error(cb_err, 0)
	end
	self:check(rc)
	return stats
end

-- Make the index hold exactly the files under path (lupe_sync_path, the
-- sync `lupe-index` runs), then commit.  opts: include, exclude (globs, a
-- string or a list), hidden, no_ignore, keep_gone, dry_run (booleans),
-- source, max_file_bytes, and progress(ev) called with {kind = "scanned" |
-- "file" | "removed" | "warning" | "committing", path, message, done,
-- total, bytes} for each step; progress returning false stops the sync
-- (what was done is committed, stats.stopped is true), and an error raised
-- in it stops the sync and is raised again from here.  Returns {files,
-- added, updated, unchanged, removed, skipped, bytes, stopped}.
function Db:sync(path, opts)
	if type(path) ~= "string" then
		fail(M.EINVAL, "sync: the path must be a string")
	end
	return self:_sync(path, opts)
end

-- Delete the documents of files that no longer exist (lupe_sync_prune);
-- opts: dry_run, progress (as for Db:sync).
function Db:prune(opts)
	return self:_sync(nil, opts)
end

local function spans(p, n)
	local t = {}
	for i = 0, tonumber(n) - 1 do
		t[#t + 1] = { tonumber(p[i].start), tonumber(p[i]["end"]) }
	end
	return t
end

-- The highlights' kinds ("exact", "stem", "part", "typo"), named by the library.
local function kinds(p, n)
	local t = {}
	for i = 0, tonumber(n) - 1 do
		t[#t + 1] = p ~= nil and ffi.string(lib.lupe_highlight_kind_name(p[i])) or ""
	end
	return t
end

-- Search; opts = {limit=, offset=, explain=, snippet_bytes=} (or a number,
-- the limit, and offset as third argument, the older form).  Returns
-- {total=, hits={ {rank, id, title, score, path, snippet, highlights,
-- highlight_kinds, matches, explain}, ... }} with 0-based byte offsets as the C API gives them.
function Db:search(query, opts, offset)
	if type(query) ~= "string" then
		fail(M.EINVAL, "the query must be a string, not " .. type(query))
	end
	if type(opts) ~= "table" then
		opts = { limit = opts, offset = offset }
	end
	local so = ffi.new("lupe_search_options", M.VERSIONS.lupe_search_options, opts.offset or 0,
		opts.limit or 10, opts.snippet_bytes or 240, opts.explain and M.SEARCH_EXPLAIN or 0, 0, nil, 0)
	local out = ffi.new("lupe_results *[1]")
	local st = lib.lupe_search(self.h, out, query, #query, so)
	self:check(st)
	local res = out[0]
	local ok, r = pcall(function()
		local r = { total = tonumber(lib.lupe_results_total(res, nil)), hits = {} }
		for i = 0, tonumber(lib.lupe_results_count(res)) - 1 do
			local h = lib.lupe_results_hit(res, i)
			r.hits[#r.hits + 1] = {
				rank = tonumber(h.rank),
				id = str(h.id),
				title = str(h.title),
				score = h.score,
				path = str(h.path),
				mtime = tonumber(h.mtime),
				snippet = ffi.string(h.snippet, h.snippet_len),
				highlights = spans(h.highlights, h.n_highlights),
				highlight_kinds = kinds(h.highlight_kinds, h.n_highlights),
				matches = spans(h.matches, h.n_matches),
				explain = str(h.explain),
			}
		end
		return r
	end)
	lib.lupe_results_free(res)
	if not ok then
		error(r, 0)
	end
	return r
end

return M
