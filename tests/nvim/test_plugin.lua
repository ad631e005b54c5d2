-- The Neovim plugin against a real liblupe, headless:
--   LUPE_LIBRARY=build/lib/liblupe.so nvim --headless -u NONE -i NONE \
--     --cmd 'set rtp+=bindings/nvim' -c 'luafile tests/nvim/test_plugin.lua'
-- Writes German files into a temporary folder, runs :LupeIndex and :Lupe and
-- checks the quickfix list against positions computed from those files.
-- Ends with "N passed, M failed" and exit status 0 only when nothing failed.
local uv = vim.loop
local passed, failed = 0, 0

local function out(s)
	io.stdout:write(s .. "\n")
	io.stdout:flush()
end

local function check(cond, what)
	if cond then
		passed = passed + 1
		out("ok   " .. what)
	else
		failed = failed + 1
		out("FAIL " .. what)
	end
	return cond
end

local function eq(got, want, what)
	local ok = vim.deep_equal(got, want)
	if not ok then
		what = what .. "\n       got:  " .. vim.inspect(got) .. "\n       want: " .. vim.inspect(want)
	end
	return check(ok, what)
end

-- Without a loadable liblupe nothing below can pass: say so and stop now
-- (instead of waiting for index jobs that never start).
do
	local capi = require("lupe.capi")
	local lok, lerr = pcall(capi.load)
	if not lok then
		out("FAIL liblupe cannot be loaded: " .. capi.message(lerr))
		out("0 passed, 1 failed")
		vim.cmd("cquit")
		return
	end
end

-- Whatever happens, stop: a hung index job must not hang `meson test`.
local tmp = uv.fs_mkdtemp("/tmp/lupe-nvim-XXXXXX")
local function finish()
	vim.fn.delete(tmp, "rf")
	out(string.format("%d passed, %d failed", passed, failed))
	if failed > 0 then
		vim.cmd("cquit")
	else
		vim.cmd("qall!")
	end
end
local watchdog = uv.new_timer()
watchdog:start(120000, 0, function()
	io.stdout:write("FAIL timeout after 120 s\n" .. passed .. " passed, " .. (failed + 1) .. " failed\n")
	io.stdout:flush()
	os.exit(1)
end)

vim.env.XDG_STATE_HOME = tmp .. "/state"
vim.env.XDG_DATA_HOME = tmp .. "/data"

local messages = {}
vim.notify = function(msg, level)
	messages[#messages + 1] = { msg = msg, level = level }
	io.stderr:write(msg .. "\n")
end

local function write(path, text)
	vim.fn.mkdir(vim.fn.fnamemodify(path, ":h"), "p")
	local f = assert(io.open(path, "wb"))
	f:write(text)
	f:close()
end

-- Line and 1-based byte column of the first `word` in `text`, found line by line.
local function position(text, word)
	for lnum, line in ipairs(vim.split(text, "\n", true)) do
		local col = line:find(word, 1, true)
		if col then
			return lnum, col
		end
	end
end

local function qf_entries()
	local t = {}
	for _, e in ipairs(vim.fn.getqflist()) do
		t[#t + 1] = { file = vim.api.nvim_buf_get_name(e.bufnr), lnum = e.lnum, col = e.col, text = e.text }
	end
	return t
end

local function by_file(entries)
	local t = {}
	for _, e in ipairs(entries) do
		t[e.file] = { e.lnum, e.col }
	end
	return t
end

local function run_index(dir)
	local done, stats, err = false, nil, nil
	local started = require("lupe").index(dir, { on_done = function(s, e)
		done, stats, err = true, s, e
	end })
	check(started, "index job starts for " .. dir)
	local busy_at_once = require("lupe").busy(dir)
	vim.wait(60000, function() return done end, 10)
	check(done, "index job finishes")
	return stats or {}, err, busy_at_once
end

local ok, err = pcall(function()
	vim.cmd("runtime plugin/lupe.lua")
	check(vim.fn.exists(":LupeIndex") == 2 and vim.fn.exists(":Lupe") == 2, "commands defined")
	local lupe = require("lupe")
	check(lupe.root():sub(1, #tmp) == tmp, "index root under the temporary XDG folder: " .. lupe.root())

	-- A project of German files in subfolders, plus one binary file.
	local proj = uv.fs_realpath(tmp) .. "/projekt"
	local haus = proj .. "/a/haus.txt"
	local arbeit = proj .. "/a/b/arbeit.md"
	local notiz = proj .. "/c/notiz.txt"
	local bild = proj .. "/d/bild.txt"
	local texts = {
		[haus] = "Das Gartenhaus steht hinten.\nDie Überstunden häufen sich im Büro.\n",
		[arbeit] = "# Arbeit\n\nZeile über Äpfel und Öl.\n  Größere Überstunden? Nein, danke.\n",
		[notiz] = "Nichts davon hier, nur Kaffee.\n",
	}
	for p, t in pairs(texts) do
		write(p, t)
	end
	write(bild, "Überstunden\0\0\1binär")

	write(proj .. "/d/programm.lua", "-- Überstunden im Code\n") -- not a text file name
	write(proj .. "/.versteckt/geheim.txt", "Versteckte Überstunden.\n") -- hidden

	vim.g.lupe_chunk = 2 -- progress shown every 2 files even for this small folder
	vim.cmd("cd " .. vim.fn.fnameescape(proj))
	local stats, ierr, busy = run_index(proj)
	check(ierr == nil, "first index without error: " .. tostring(ierr))
	check(busy, ":LupeIndex returns at once; the sync runs from the event loop")
	eq({ stats.total, stats.added, stats.updated, stats.unchanged, stats.removed, stats.skipped },
		{ 4, 3, 0, 0, 0, 1 }, "first run: 4 files, 3 added, binary skipped")
	eq({ stats.done, stats.steps }, { 4, 1 }, "progress from the library's callback: 4 done, shown at 2/4")
	check(vim.fn.isdirectory(lupe.index_path(proj)) == 1, "index kept per project under the state folder")

	vim.cmd("Lupe Überstunden")
	local qf = qf_entries()
	eq(#qf, 2, ":Lupe Überstunden finds two documents")
	local want = {}
	for _, p in ipairs({ haus, arbeit }) do
		want[p] = { position(texts[p], "Überstunden") }
	end
	eq(by_file(qf), want, "quickfix entries at the file, line and byte column of the match")
	check(qf[1] and qf[1].text:find("Überstunden", 1, true) ~= nil, "entry text is the snippet")
	check(vim.bo.buftype == "quickfix", "quickfix window opened")
	vim.cmd("cclose")

	vim.cmd("Lupe Gartenhaus")
	eq(by_file(qf_entries()), { [haus] = { position(texts[haus], "Gartenhaus") } }, ":Lupe Gartenhaus")
	vim.cmd("cclose")

	-- A reader's searches run on a watched thread of its own (a lookup that
	-- never returns on a damaged index is an error, not a frozen editor).
	local function threads()
		return #vim.fn.readdir("/proc/self/task")
	end
	local reader = lupe.open({ dir = proj })
	local before = threads()
	eq(#reader:search("Gartenhaus").hits, 1, "a reader handle searches")
	eq(threads(), before + 1, "its searches run on one thread of its own")
	reader:close()
	eq(threads(), before, "which ends when it is closed")

	-- Change one file, delete another, keep the third.
	local notiz_mtime = uv.fs_stat(notiz).mtime.sec
	texts[arbeit] = "# Arbeit\n\nKaffeepause statt\nÜberstunden.\n"
	write(arbeit, texts[arbeit])
	local now = os.time()
	uv.fs_utime(arbeit, now + 100, now + 100)
	os.remove(haus)
	stats, ierr = run_index(proj)
	check(ierr == nil, "second index without error")
	eq({ stats.total, stats.added, stats.updated, stats.unchanged, stats.removed },
		{ 3, 0, 1, 1, 1 }, "second run: 1 updated, 1 unchanged, 1 removed")
	eq(stats.reindexed, { arbeit }, "only the changed file is re-read")

	vim.cmd("Lupe Überstunden")
	eq(by_file(qf_entries()), { [arbeit] = { position(texts[arbeit], "Überstunden") } },
		"after the update: the deleted file is gone, the changed one at its new line")
	vim.cmd("cclose")
	vim.cmd("Lupe Kaffeepause")
	eq(by_file(qf_entries()), { [arbeit] = { 3, 1 } }, "changed content is found")
	vim.cmd("cclose")
	messages = {}
	vim.cmd("Lupe Gartenhaus")
	eq(#vim.fn.getqflist(), 0, "deleted file's words find nothing")
	check(messages[1] and messages[1].msg:find("nothing found", 1, true), "says nothing was found")

	local capi = require("lupe.capi")
	local db = capi.open(lupe.index_path(proj), capi.OPEN_READ)
	eq(db:mtime(notiz), notiz_mtime, "unchanged file keeps its stored mtime")
	eq(db:ids(proj .. "/"), { arbeit, notiz }, "index holds exactly the remaining text files")
	db:close()

	-- The same index as `lupe-index DIR`: the same ids, titles and dates.
	local exe = os.getenv("LUPE_INDEX_EXE")
	if not exe or exe == "" then
		-- A meson build tree: build/lib/liblupe.so next to build/examples/.
		exe = vim.fn.fnamemodify(os.getenv("LUPE_LIBRARY") or "", ":p:h:h") .. "/examples/lupe-index"
	end
	if check(vim.fn.executable(exe) == 1, "lupe-index found: " .. exe) then
		local cli = tmp .. "/cli-index"
		-- Written another way on purpose: ids must not depend on it.
		vim.fn.system({ "sh", "-c", 'cd "$1" && "$2" --db "$3" ./projekt/ >/dev/null 2>&1', "sh",
			tmp, exe, cli })
		check(vim.v.shell_error == 0, "lupe-index made an index")
		local a = capi.open(lupe.index_path(proj), capi.OPEN_READ)
		local b = capi.open(cli, capi.OPEN_READ)
		eq(a:ids(), b:ids(), "plugin and lupe-index: the same ids")
		local function summary(d)
			local t = {}
			for _, h in ipairs(d:search("Überstunden OR Kaffee", { limit = 10 }).hits) do
				t[#t + 1] = { h.id, h.title, h.date, h.path }
			end
			return t
		end
		eq(summary(a), summary(b), "plugin and lupe-index: the same documents")
		a:close()
		b:close()
	end

	-- A progress callback that fails stops the sync; the error comes back.
	local w = capi.open(lupe.index_path(proj), capi.OPEN_WRITE)
	write(proj .. "/e/neu.txt", "Neue Überstunden.\n")
	local perr_ok, perr = pcall(w.sync, w, proj, { progress = function(ev)
		if ev.kind == "file" then
			error("Abbruch im Fortschritt")
		end
	end })
	check(not perr_ok and tostring(perr):find("Abbruch im Fortschritt", 1, true),
		"an error in the progress callback is raised after the sync: " .. tostring(perr))
	local st = w:sync(proj, { progress = function() return false end })
	check(st.stopped, "progress returning false stops the sync")
	w:close()
	os.remove(proj .. "/e/neu.txt")

	-- From a subfolder, :Lupe finds the project's index.
	vim.cmd("cd " .. vim.fn.fnameescape(proj .. "/a/b"))
	vim.cmd("Lupe Kaffeepause")
	eq(#vim.fn.getqflist(), 1, ":Lupe from a subfolder uses the parent's index")
	vim.cmd("cclose")

	-- Errors are reported, not thrown.
	local qok, qerr = pcall(lupe.search, "   ")
	check(not qok and type(qerr) == "table" and qerr.status == capi.EQUERY, "empty query: EQUERY")
	vim.cmd("cd " .. vim.fn.fnameescape(tmp))
	messages = {}
	vim.cmd("Lupe Überstunden")
	check(messages[1] and messages[1].level == vim.log.levels.ERROR
		and messages[1].msg:find("no index", 1, true), "no index: an error message")

	-- A windows-1252 file: the library converts it, so "ö" and "€" take 2
	-- and 3 bytes in the body; the matches still land on the file's bytes.
	local latin = uv.fs_realpath(tmp) .. "/latin"
	write(latin .. "/alt.txt", "Gr\246\223ere Zitronenfalter \128 Zitronenfalter\n")
	stats, ierr = run_index(latin)
	check(ierr == nil and stats.added == 1, "windows-1252 file indexed")
	vim.cmd("cd " .. vim.fn.fnameescape(latin))
	vim.cmd("Lupe Zitronenfalter")
	local cols = {}
	for _, e in ipairs(vim.fn.getqflist()) do
		cols[#cols + 1] = { e.lnum, e.col }
	end
	eq(cols, { { 1, 9 }, { 1, 26 } }, "windows-1252: match columns counted in the file's bytes")
	vim.cmd("cclose")

	-- In a git work tree, what .gitignore ignores stays out.
	if vim.fn.executable("git") == 1 then
		local repo = uv.fs_realpath(tmp) .. "/repo"
		write(repo .. "/.gitignore", "geheim/\n")
		write(repo .. "/sichtbar.txt", "Sichtbare Überstunden.\n")
		write(repo .. "/geheim/versteckt.txt", "Versteckte Überstunden.\n")
		vim.fn.system({ "git", "init", "-q", repo })
		stats, ierr = run_index(repo)
		check(ierr == nil, "git project indexed")
		vim.cmd("cd " .. vim.fn.fnameescape(repo))
		vim.cmd("Lupe Überstunden")
		eq(by_file(qf_entries()), { [repo .. "/sichtbar.txt"] = { 1, 11 } },
			"git: ignored and .git files are not indexed")
		vim.cmd("cclose")
	end
end)
if not ok then
	check(false, "test script error: " .. tostring(type(err) == "table" and err.message or err))
end
watchdog:stop()
finish()
