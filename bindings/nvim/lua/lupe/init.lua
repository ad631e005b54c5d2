-- lupe for Neovim: index a project's text files and search them into the
-- quickfix list.  A thin client of liblupe's public C API (lua/lupe/capi.lua).
--
--   :LupeIndex [dir]   index or update the text files under dir (default: cwd)
--   :Lupe {query}      search the index of cwd (or of its nearest indexed
--                      parent) and fill the quickfix list
--
-- Options: g:lupe_chunk (files between progress messages, 50),
-- g:lupe_limit (hits, 100), g:lupe_max_bytes (bytes read of one file, 10 MB).
local capi = require("lupe.capi")

local M = {}

-- Running index jobs by directory; each holds an open writer.
local jobs = {}

-- The statistics of the last finished :LupeIndex (for scripts and tests).
M.last_stats = nil

local function notify(msg, level)
	vim.notify("lupe: " .. msg, level or vim.log.levels.INFO)
end

-- The user's setting g:lupe_NAME, or `default` when it is not set.
function M.option(name, default)
	local v = vim.g["lupe_" .. name]
	if v == nil then
		return default
	end
	return v
end
local option = M.option

-- An absolute path without a trailing slash.
function M.normalize(dir)
	dir = vim.fn.fnamemodify(vim.fn.expand(dir and dir ~= "" and dir or vim.fn.getcwd()), ":p")
	dir = vim.loop.fs_realpath(dir) or dir
	if #dir > 1 then
		dir = dir:gsub("/+$", "")
	end
	return dir
end

-- Where the indexes live: stdpath("state") (Neovim 0.8+) or stdpath("data").
function M.root()
	local ok, state = pcall(vim.fn.stdpath, "state")
	return (ok and state or vim.fn.stdpath("data")) .. "/lupe"
end

-- The index of dir: its absolute path with every byte but [A-Za-z0-9._-]
-- written as %XX, so that no two directories share an index.
function M.index_path(dir)
	local name = dir:gsub("[^%w%._%-]", function(c)
		return string.format("%%%02X", c:byte())
	end)
	return M.root() .. "/" .. name
end

-- The nearest of dir and its parents that has an index, or nil.
function M.find_indexed(dir)
	dir = M.normalize(dir)
	while true do
		if vim.fn.isdirectory(M.index_path(dir)) == 1 then
			return dir
		end
		local parent = vim.fn.fnamemodify(dir, ":h")
		if parent == dir then
			return nil
		end
		dir = parent
	end
end

-- The globs that keep the plugin's own indexes out of a sync of dir,
-- should they lie under it (they are hidden folders in the usual places).
local function own_index_exclude(dir)
	local root = M.root()
	local prefix = dir == "/" and "/" or dir .. "/"
	if root:sub(1, #prefix) == prefix then
		return { root:sub(#prefix + 1) }
	end
	return nil
end

-- Index or update dir through liblupe's folder sync (lupe_sync_path, the
-- same sync `lupe-index DIR` runs, so both make the same index): new and
-- changed files are read, unchanged ones skipped, documents of gone files
-- removed; ids are absolute canonical paths.  The sync starts from the
-- event loop, so this returns at once; while it runs, the progress
-- "indexed done/total" is shown every g:lupe_chunk files.  opts: chunk,
-- max_bytes, on_done(stats, err) at the end.  Returns false when the job
-- could not start.
function M.index(dir, opts)
	opts = opts or {}
	dir = M.normalize(dir)
	if vim.fn.isdirectory(dir) ~= 1 then
		notify(dir .. ": not a directory", vim.log.levels.ERROR)
		return false
	end
	if jobs[dir] then
		notify("already indexing " .. dir, vim.log.levels.WARN)
		return false
	end
	local chunk = math.max(1, tonumber(opts.chunk or option("chunk", 50)))
	local max_bytes = tonumber(opts.max_bytes or option("max_bytes", 10 * 1024 * 1024))
	vim.fn.mkdir(M.root(), "p")

	local ok, db = pcall(capi.open, M.index_path(dir), capi.OPEN_WRITE + capi.OPEN_CREATE)
	if not ok then
		notify(capi.message(db), vim.log.levels.ERROR)
		return false
	end

	local job = { db = db }
	jobs[dir] = job
	local stats = { dir = dir, total = 0, done = 0, added = 0, updated = 0,
		unchanged = 0, removed = 0, skipped = 0, reindexed = {}, steps = 0 }

	local function progress(ev)
		if ev.kind == "file" then
			stats.done, stats.total = ev.done, ev.total
			if ev.message == "added" or ev.message == "updated" then
				stats.reindexed[#stats.reindexed + 1] = ev.path
			end
			if ev.done % chunk == 0 and ev.done < ev.total then
				stats.steps = stats.steps + 1
				vim.api.nvim_echo({ { string.format("lupe: indexed %d/%d", ev.done, ev.total) } },
					false, {})
				vim.cmd("redraw")
			end
		elseif ev.kind == "scanned" then
			stats.total = ev.total
		end
		return not job.cancelled
	end

	local function run()
		local err
		local sok, res = pcall(db.sync, db, dir, { exclude = own_index_exclude(dir),
			max_file_bytes = max_bytes, progress = progress })
		if sok then
			for _, k in ipairs({ "added", "updated", "unchanged", "removed", "skipped", "bytes" }) do
				stats[k] = res[k]
			end
			stats.total = res.files
			if res.stopped then
				err = "cancelled"
			else
				stats.done = res.files
			end
		else
			err = res
		end
		db:close()
		jobs[dir] = nil
		M.last_stats = stats
		if err then
			notify("indexing " .. dir .. " failed: " .. capi.message(err), vim.log.levels.ERROR)
		else
			notify(string.format("indexed %d/%d files of %s: %d added, %d updated, %d unchanged, "
				.. "%d removed, %d skipped", stats.done, stats.total, dir, stats.added,
				stats.updated, stats.unchanged, stats.removed, stats.skipped))
		end
		if opts.on_done then
			opts.on_done(stats, err and capi.message(err) or nil)
		end
	end
	-- Cancelled before it started (at exit): just close.
	job.finish = function()
		if jobs[dir] == job and not job.started then
			db:close()
			jobs[dir] = nil
		end
	end
	vim.schedule(function()
		if jobs[dir] ~= job then
			return
		end
		job.started = true
		run()
	end)
	return true
end

-- Whether an index job is running (for dir, or for any directory).
function M.busy(dir)
	if dir then
		return jobs[M.normalize(dir)] ~= nil
	end
	return next(jobs) ~= nil
end

-- Stop running jobs (at exit): a running sync stops after its current
-- file and commits what it did; one not started yet does not start.
function M.stop_all()
	for _, job in pairs(jobs) do
		job.cancelled = true
		job.finish()
	end
end

-- Line and 1-based byte column of the 0-based byte offset off in text.
function M.line_col(text, off)
	local before = text:sub(1, off)
	local _, newlines = before:gsub("\n", "")
	local last_nl = before:match(".*()\n") or 0
	return newlines + 1, off - last_nl + 1
end

local function read_all(path)
	local f = io.open(path, "rb")
	if not f then
		return nil
	end
	local t = f:read("*a")
	f:close()
	return t
end

-- A file's text with the byte offset where each line starts, for turning
-- many match offsets into lines and columns.
local function lines_of(text)
	local starts = { 0 }
	for pos in text:gmatch("\n()") do
		starts[#starts + 1] = pos - 1
	end
	return starts
end

-- 1-based line and byte column of a 0-based byte offset (binary search).
local function locate(starts, off)
	local lo, hi = 1, #starts
	while lo < hi do
		local mid = math.floor((lo + hi + 1) / 2)
		if starts[mid] <= off then
			lo = mid
		else
			hi = mid - 1
		end
	end
	return lo, off - starts[lo] + 1
end

-- Whether text is valid UTF-8 (as lib/util/utf8.c judges it).
local function valid_utf8(text)
	local i, n = 1, #text
	while true do
		local k = text:find("[\128-\255]", i)
		if not k then
			return true
		end
		local c = text:byte(k)
		local len, cp, min
		if c >= 0xC0 and c < 0xE0 then
			len, cp, min = 2, c % 0x20, 0x80
		elseif c >= 0xE0 and c < 0xF0 then
			len, cp, min = 3, c % 0x10, 0x800
		elseif c >= 0xF0 and c < 0xF8 then
			len, cp, min = 4, c % 0x08, 0x10000
		else
			return false
		end
		if k + len - 1 > n then
			return false
		end
		for j = 1, len - 1 do
			local b = text:byte(k + j)
			if b < 0x80 or b >= 0xC0 then
				return false
			end
			cp = cp * 64 + b % 64
		end
		if cp < min or cp > 0x10FFFF or (cp >= 0xD800 and cp <= 0xDFFF) then
			return false
		end
		i = k + len
	end
end

-- The bytes of windows-1252's 0x80-0x9F that ICU turns into two UTF-8
-- bytes (the rest of that range become three, 0xA0-0xFF two).
local CP1252_TWO = { [0x81] = true, [0x83] = true, [0x88] = true, [0x8A] = true, [0x8C] = true,
	[0x8D] = true, [0x8E] = true, [0x8F] = true, [0x90] = true, [0x98] = true, [0x9A] = true,
	[0x9C] = true, [0x9D] = true, [0x9E] = true, [0x9F] = true }

-- Where the body the folder sync indexed is longer than the file's bytes:
-- a file that is not UTF-8 is converted by ICU, a Latin text from
-- windows-1252 (lupe.h), so each byte from 0x80 grows to two or three.
-- A sorted list of {offset in the body from which it applies, bytes added
-- so far}, or nil when the text is UTF-8 (indexed as it is).
function M.body_shifts(text)
	if valid_utf8(text) then
		return nil
	end
	local shifts, extra, i = {}, 0, 1
	while true do
		local k = text:find("[\128-\255]", i)
		if not k then
			return shifts
		end
		local c = text:byte(k)
		extra = extra + ((c >= 0xA0 or CP1252_TWO[c]) and 1 or 2)
		shifts[#shifts + 1] = { k + extra, extra }
		i = k + 1
	end
end

-- The file offset of an offset into the body (see M.body_shifts).
function M.unshift(shifts, off)
	local lo, hi, add = 1, #shifts, 0
	while lo <= hi do
		local mid = math.floor((lo + hi) / 2)
		if shifts[mid][1] <= off then
			add, lo = shifts[mid][2], mid + 1
		else
			hi = mid - 1
		end
	end
	return math.max(0, off - add)
end

-- Which index to search: {index = path, base = dir for relative paths}.
-- opts.index or g:lupe_index_path name an index made by lupe-index (its
-- relative paths are taken from opts.base, g:lupe_index_base or cwd);
-- else the :LupeIndex index of opts.dir or of cwd's nearest indexed parent.
function M.target(opts)
	opts = opts or {}
	local index = opts.index or option("index_path", nil)
	if index and index ~= "" then
		index = vim.fn.fnamemodify(vim.fn.expand(index), ":p"):gsub("/+$", "")
		local base = opts.base or option("index_base", nil)
		return { index = index, base = M.normalize(base) }
	end
	local dir = opts.dir and M.normalize(opts.dir) or M.find_indexed(vim.fn.getcwd())
	if not dir then
		error({ message = "no index for " .. vim.fn.getcwd() .. " or its parents; run :LupeIndex"
			.. " or set g:lupe_index_path" }, 0)
	end
	return { index = M.index_path(dir), base = dir, dir = dir }
end

-- Open the index of opts (see M.target) for reading.  Its searches run on
-- a watched thread: one that never returns (a damaged index) fails with
-- capi.EHUNG after its time budget and as much again, instead of hanging
-- the editor.
function M.open(opts)
	local t = M.target(opts)
	return capi.open(t.index, capi.OPEN_READ + capi.OPEN_WATCHED), t
end

local function resolve(path, base)
	if path:sub(1, 1) ~= "/" and base then
		return base .. "/" .. path
	end
	return path
end

-- Search and return the hits, each with .file (absolute path) and, when
-- the file can be read, .lines (one entry per match: {lnum, col, end_lnum,
-- end_col, line}; the match offsets are into the body as indexed, which
-- is the file's text as long as the file has not changed since).
-- opts: dir/index/base (see M.target), limit, db (an open handle to use).
function M.hits(query, opts)
	opts = opts or {}
	if type(query) ~= "string" then
		error({ status = capi.EINVAL, message = "the query must be a string" }, 0)
	end
	local db, t = opts.db, opts.target
	if not db then
		db, t = M.open(opts)
	end
	local ok, res = pcall(db.search, db, query, { limit = opts.limit or option("limit", 100) })
	if not opts.db then
		db:close()
	end
	if not ok then
		error(res, 0)
	end
	for _, hit in ipairs(res.hits) do
		hit.file = resolve(hit.path ~= "" and hit.path or hit.id, t and t.base)
		local text = #hit.matches > 0 and read_all(hit.file)
		hit.lines = {}
		if text then
			local starts = lines_of(text)
			local shifts = M.body_shifts(text)
			for _, m in ipairs(hit.matches) do
				if shifts then
					m = { M.unshift(shifts, m[1]), M.unshift(shifts, m[2]) }
				end
				if m[2] <= #text then
					local lnum, col = locate(starts, m[1])
					local end_lnum, end_col = locate(starts, m[2])
					local stop = (starts[lnum + 1] or #text + 1) - 1
					hit.lines[#hit.lines + 1] = { lnum = lnum, col = col, end_lnum = end_lnum,
						end_col = end_col, line = text:sub(starts[lnum] + 1, stop) }
				end
			end
			table.sort(hit.lines, function(a, b)
				return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
			end)
		end
	end
	return res
end

-- Quickfix items, one per match (best document first, its matches in
-- file order; a document whose file cannot be read gets one item at line
-- 1).  Each item's user_data.hl is the match's byte range in item.text.
function M.search(query, opts)
	local res = M.hits(query, opts)
	local items = {}
	for _, hit in ipairs(res.hits) do
		if #hit.lines == 0 then
			items[#items + 1] = { filename = hit.file, lnum = 1, col = 1,
				text = (hit.snippet:gsub("%s+", " ")) }
		end
		for _, l in ipairs(hit.lines) do
			-- The quickfix window drops leading blanks and shows one line.
			local indent = #l.line:match("^%s*")
			local text = l.line:sub(indent + 1):gsub("[\r\n]", " ")
			local s = l.col - 1 - indent
			local e = l.end_lnum == l.lnum and (l.end_col - 1 - indent) or #text
			items[#items + 1] = { filename = hit.file, lnum = l.lnum, col = l.col,
				end_lnum = l.end_lnum, end_col = l.end_col, text = text,
				user_data = { hl = { math.max(s, 0), math.max(e, 0) } } }
		end
	end
	return items, res.total, #res.hits
end

M.ns = vim.api.nvim_create_namespace("lupe")

-- Highlight each entry's match in the quickfix window's buffer.
function M.highlight_quickfix(items)
	local info = vim.fn.getqflist({ qfbufnr = 0 })
	local buf = info.qfbufnr
	if not buf or buf == 0 or not vim.api.nvim_buf_is_loaded(buf) then
		return
	end
	vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
	local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
	for i, it in ipairs(items) do
		local line = lines[i]
		if line and it.user_data and it.user_data.hl then
			local start = #line - #it.text
			if start >= 0 and line:sub(start + 1) == it.text then
				pcall(vim.api.nvim_buf_set_extmark, buf, M.ns, i - 1, start + it.user_data.hl[1],
					{ end_col = start + it.user_data.hl[2], hl_group = "LupeMatch" })
			end
		end
	end
end

-- :Lupe {query}
function M.command_search(query)
	local ok, items, total, ndocs = pcall(M.search, query)
	if not ok then
		notify(capi.message(items), vim.log.levels.ERROR)
		return
	end
	vim.fn.setqflist({}, " ", { title = "lupe: " .. query, items = items })
	if #items == 0 then
		notify("nothing found for " .. query, vim.log.levels.WARN)
		return
	end
	if total > ndocs then
		notify(string.format("%d of about %d documents", ndocs, total))
	end
	vim.cmd("copen")
	M.highlight_quickfix(items)
end

-- :LupeSelect {query}: the hits through vim.ui.select (telescope, fzf-lua
-- or dressing show them in their own UI when installed); the choice opens
-- the file at its best match.
function M.select(query, opts)
	local ok, res = pcall(M.hits, query, opts)
	if not ok then
		notify(capi.message(res), vim.log.levels.ERROR)
		return
	end
	if #res.hits == 0 then
		notify("nothing found for " .. query, vim.log.levels.WARN)
		return
	end
	vim.ui.select(res.hits, {
		prompt = "lupe: " .. query,
		kind = "lupe",
		format_item = function(hit)
			return string.format("%s  %s  %s", hit.title, vim.fn.fnamemodify(hit.file, ":~:."),
				(hit.snippet:gsub("%s+", " ")))
		end,
	}, function(hit)
		if hit then
			M.jump(hit, 1)
		end
	end)
end

-- Open hit's file at its i-th match (by file order), or at the top.
function M.jump(hit, i)
	vim.cmd("edit " .. vim.fn.fnameescape(hit.file))
	local l = hit.lines and hit.lines[i or 1]
	if l then
		pcall(vim.api.nvim_win_set_cursor, 0, { l.lnum, l.col - 1 })
	end
end

-- The names the folder sync indexes by default (lupe.h).
local TEXT_EXTENSIONS = { txt = true, text = true, md = true, markdown = true, html = true,
	htm = true, xhtml = true }

-- Re-index one file (BufWritePost with g:lupe_index_on_save): when the
-- file lies under a directory indexed by :LupeIndex and is a file the
-- folder sync takes (already in the index, or a name it indexes), it is
-- synced alone through lupe_sync_path: read again when its size or mtime
-- changed, its document removed when it is no longer a text file.
-- Returns true when the file was synced.
function M.index_file(path)
	path = M.normalize(path)
	local dir = M.find_indexed(vim.fn.fnamemodify(path, ":h"))
	if not dir or jobs[dir] then
		return false
	end
	local ok, err = pcall(function()
		local db = capi.open(M.index_path(dir), capi.OPEN_WRITE)
		local iok, ierr = pcall(function()
			local ext = (path:match("%.([^./]+)$") or ""):lower()
			if not TEXT_EXTENSIONS[ext] and not db:mtime(path) then
				return false
			end
			local st = db:sync(path, { max_file_bytes = tonumber(option("max_bytes", 10 * 1024 * 1024)) })
			if st.skipped > 0 and db:mtime(path) then
				-- Binary now: the sync skips it; the old text must go.
				db:delete(path)
				db:commit()
			end
			return true
		end)
		db:close()
		if not iok then
			error(ierr, 0)
		end
		return ierr
	end)
	if not ok then
		notify("re-indexing " .. path .. " failed: " .. capi.message(err), vim.log.levels.WARN)
		return false
	end
	return err
end

-- :LupeIndex [dir]
function M.command_index(dir)
	M.index(dir)
end

-- :LupePick [query]
function M.pick(opts)
	return require("lupe.picker").open(opts)
end

return M
