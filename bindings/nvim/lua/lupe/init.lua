-- lupe for Neovim: index a project's text files and search them into the
-- quickfix list.  A thin client of liblupe's public C API (lua/lupe/capi.lua).
--
--   :LupeIndex [dir]   index or update the text files under dir (default: cwd)
--   :Lupe {query}      search the index of cwd (or of its nearest indexed
--                      parent) and fill the quickfix list
--
-- Options: g:lupe_chunk (files per step, 50), g:lupe_limit (hits, 100),
-- g:lupe_max_bytes (larger files are skipped, 10 MB).
local capi = require("lupe.capi")
local files = require("lupe.files")

local M = {}

-- Running index jobs by directory; each holds an open writer.
local jobs = {}

-- The statistics of the last finished :LupeIndex (for scripts and tests).
M.last_stats = nil

local function notify(msg, level)
	vim.notify("lupe: " .. msg, level or vim.log.levels.INFO)
end

local function option(name, default)
	local v = vim.g["lupe_" .. name]
	if v == nil then
		return default
	end
	return v
end

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

local function basename(path)
	return path:match("[^/]*$")
end

-- Index or update dir in steps of g:lupe_chunk files, so that the editor
-- stays responsive.  opts.on_done(stats, err) runs at the end.  Returns
-- false when the job could not start.
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
	local root = M.root()
	vim.fn.mkdir(root, "p")

	local ok, db = pcall(capi.open, M.index_path(dir), capi.OPEN_WRITE + capi.OPEN_CREATE)
	if not ok then
		notify(capi.message(db), vim.log.levels.ERROR)
		return false
	end
	local prefix = dir == "/" and "/" or dir .. "/"
	local list, old
	ok, list = pcall(function()
		old = {}
		for _, id in ipairs(db:ids(prefix)) do
			old[id] = true
		end
		-- Never index our own index, should it lie under dir.
		local keep = {}
		for _, p in ipairs(files.list(dir)) do
			if p:sub(1, #root + 1) ~= root .. "/" then
				keep[#keep + 1] = p
			end
		end
		return keep
	end)
	if not ok then
		db:close()
		notify(capi.message(list), vim.log.levels.ERROR)
		return false
	end

	local job = { db = db }
	jobs[dir] = job
	local stats = { dir = dir, total = #list, done = 0, added = 0, updated = 0,
		unchanged = 0, removed = 0, skipped = 0, reindexed = {} }
	local seen = {}

	local function one(path)
		local mtime = files.mtime(path)
		if not mtime then
			stats.skipped = stats.skipped + 1
			return
		end
		if old[path] and db:mtime(path) == mtime then
			seen[path] = true
			stats.unchanged = stats.unchanged + 1
			return
		end
		local text = files.read_text(path, max_bytes)
		if not text then
			stats.skipped = stats.skipped + 1
			return
		end
		db:add({ id = path, title = basename(path), text = text, path = path, mtime = mtime })
		seen[path] = true
		stats.reindexed[#stats.reindexed + 1] = path
		if old[path] then
			stats.updated = stats.updated + 1
		else
			stats.added = stats.added + 1
		end
	end

	local function finish(err)
		if job.finished then
			return
		end
		job.finished = true
		if not err then
			local fin_ok, fin_err = pcall(function()
				for id in pairs(old) do
					if not seen[id] then
						db:delete(id)
						stats.removed = stats.removed + 1
					end
				end
				db:commit()
			end)
			if not fin_ok then
				err = fin_err
			end
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

	local i = 1
	local function step()
		if job.cancelled then
			return finish("cancelled")
		end
		local step_ok, err = pcall(function()
			local last = math.min(i + chunk - 1, #list)
			for k = i, last do
				one(list[k])
				stats.done = k
			end
			i = last + 1
		end)
		if not step_ok then
			return finish(err)
		end
		if i <= #list then
			vim.api.nvim_echo({ { string.format("lupe: indexed %d/%d", stats.done, stats.total) } },
				false, {})
			vim.defer_fn(step, 0)
		else
			finish()
		end
	end
	job.finish = finish
	vim.schedule(step)
	return true
end

-- Whether an index job is running (for dir, or for any directory).
function M.busy(dir)
	if dir then
		return jobs[M.normalize(dir)] ~= nil
	end
	return next(jobs) ~= nil
end

-- Commit what running jobs have done so far and stop them (at exit).
function M.stop_all()
	for _, job in pairs(jobs) do
		job.cancelled = true
		job.finish("cancelled")
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

-- Search the index of opts.dir (default: the nearest indexed directory of
-- cwd) and return quickfix items, best document first.
function M.search(query, opts)
	opts = opts or {}
	local dir = opts.dir and M.normalize(opts.dir) or M.find_indexed(vim.fn.getcwd())
	if not dir then
		error({ message = "no index for " .. vim.fn.getcwd() .. " or its parents; run :LupeIndex" }, 0)
	end
	local db = capi.open(M.index_path(dir), capi.OPEN_READ)
	local ok, res = pcall(db.search, db, query, opts.limit or option("limit", 100))
	db:close()
	if not ok then
		error(res, 0)
	end
	local items = {}
	for _, hit in ipairs(res.hits) do
		local path = hit.path ~= "" and hit.path or hit.id
		local lnum, col = 1, 1
		-- The match offsets are into the body as indexed: the file's text,
		-- as long as the file has not changed since.
		local m = hit.matches[1]
		if m then
			local text = read_all(path)
			if text and m[1] <= #text then
				lnum, col = M.line_col(text, m[1])
			end
		end
		items[#items + 1] = {
			filename = path,
			lnum = lnum,
			col = col,
			text = (hit.snippet:gsub("%s+", " ")),
		}
	end
	return items, res.total
end

-- :Lupe {query}
function M.command_search(query)
	local ok, items, total = pcall(M.search, query)
	if not ok then
		notify(capi.message(items), vim.log.levels.ERROR)
		return
	end
	vim.fn.setqflist({}, " ", { title = "lupe: " .. query, items = items })
	if #items == 0 then
		notify("nothing found for " .. query, vim.log.levels.WARN)
		return
	end
	if total > #items then
		notify(string.format("%d of about %d documents", #items, total))
	end
	vim.cmd("copen")
end

-- :LupeIndex [dir]
function M.command_index(dir)
	M.index(dir)
end

return M
