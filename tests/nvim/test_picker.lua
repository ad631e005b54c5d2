-- The Neovim plugin's picker, quickfix, vim.ui.select, help, health,
-- re-index on save and lupe-index indexes, against a real liblupe, driven
-- by keystrokes (nvim_feedkeys; the steps run in a coroutine that returns
-- to the main loop, so typed keys are processed as a user's are):
--   LUPE_LIBRARY=build/lib/liblupe.so LUPE_SOURCE_ROOT=$PWD \
--   LUPE_INDEX_EXE=build/examples/lupe-index nvim --headless -u NONE -i NONE \
--     --cmd 'set rtp+=bindings/nvim' -c 'luafile tests/nvim/test_picker.lua'
-- Ends with "N passed, M failed"; exit status 0 only when nothing failed.
-- Without a loadable liblupe it fails at once.
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

local capi = require("lupe.capi")
local lok, lerr = pcall(capi.load)
if not lok then
	out("FAIL liblupe cannot be loaded: " .. capi.message(lerr))
	out("0 passed, 1 failed")
	vim.cmd("cquit")
	return
end

local tmp = uv.fs_realpath(uv.fs_mkdtemp("/tmp/lupe-nvim-XXXXXX"))
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
vim.o.columns, vim.o.lines = 160, 40

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

-- Every (line, 1-based byte column) of `word` in `text`.
local function positions(text, word)
	local t = {}
	for lnum, line in ipairs(vim.split(text, "\n", true)) do
		local init = 1
		while true do
			local col = line:find(word, init, true)
			if not col then
				break
			end
			t[#t + 1] = { lnum, col }
			init = col + 1
		end
	end
	return t
end

local co
-- Return to the main loop (typed keys and timers run) until cond() holds.
local function wait_for(cond, ms)
	local t0 = uv.now()
	local function poll()
		if cond() or uv.now() - t0 > (ms or 5000) then
			assert(coroutine.resume(co))
		else
			vim.defer_fn(poll, 5)
		end
	end
	vim.defer_fn(poll, 0)
	coroutine.yield()
	return cond()
end

local function keys(s)
	vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(s, true, false, true), "t", false)
end

local function run_index(dir)
	local done, err = false, nil
	require("lupe").index(dir, { on_done = function(_, e)
		done, err = true, e
	end })
	wait_for(function() return done end, 60000)
	return done and err == nil, err
end

local function hl_text(buf, ns, group)
	local t = {}
	for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
		if m[4].hl_group == group and m[4].end_row == m[2] then
			local line = vim.api.nvim_buf_get_lines(buf, m[2], m[2] + 1, false)[1]
			t[#t + 1] = line:sub(m[3] + 1, m[4].end_col)
		end
	end
	return t
end

local function tests()
	vim.cmd("runtime plugin/lupe.lua")
	local lupe = require("lupe")
	local picker = require("lupe.picker")
	local proj = tmp .. "/projekt"
	local haus = proj .. "/haus.txt"
	local arbeit = proj .. "/sub/arbeit.md"
	local texts = {
		[haus] = "Das Gartenhaus steht hinten.\nDie Überstunden häufen sich im Büro.\n",
		[arbeit] = "# Arbeit\n\n  Größere Überstunden? Nein, Überstunden nie.\nSchluss.\n",
	}
	for p, t in pairs(texts) do
		write(p, t)
	end
	vim.cmd("cd " .. vim.fn.fnameescape(proj))
	check(run_index(proj), "project indexed")

	-- Quickfix: one entry per match, each match highlighted.
	vim.cmd("Lupe Überstunden")
	local got = {}
	for _, e in ipairs(vim.fn.getqflist()) do
		got[#got + 1] = { vim.api.nvim_buf_get_name(e.bufnr), e.lnum, e.col }
	end
	table.sort(got, function(a, b) return a[1] .. a[2] .. a[3] < b[1] .. b[2] .. b[3] end)
	local want = {}
	for _, p in ipairs({ arbeit, haus }) do
		for _, pos in ipairs(positions(texts[p], "Überstunden")) do
			want[#want + 1] = { p, pos[1], pos[2] }
		end
	end
	table.sort(want, function(a, b) return a[1] .. a[2] .. a[3] < b[1] .. b[2] .. b[3] end)
	eq(got, want, "quickfix: one entry per match at its line and column")
	local qb = vim.fn.getqflist({ qfbufnr = 0 }).qfbufnr
	eq(hl_text(qb, lupe.ns, "LupeMatch"), { "Überstunden", "Überstunden", "Überstunden" },
		"quickfix: each entry's match highlighted")
	vim.cmd("cclose")

	-- The picker, by keystrokes.
	check(vim.fn.exists(":LupePick") == 2, ":LupePick defined")
	vim.g.lupe_debounce = 300
	vim.cmd("LupePick")
	local st = picker.state
	check(st ~= nil and vim.api.nvim_win_get_config(0).relative == "editor",
		"picker: a floating prompt has the focus")
	wait_for(function() return vim.fn.mode() == "i" end, 1000)
	check(vim.fn.mode() == "i", "picker: prompt in insert mode")
	keys("Überstunden")
	wait_for(function() return #st.items > 0 end, 3000)
	eq(st.searches, 1, "picker: typing a word searches once (debounced)")
	eq(#st.items, 2, "picker: two documents found while typing")
	local list = vim.api.nvim_buf_get_lines(st.bufs.list, 0, -1, false)
	local first = st.items[1]
	check(list[1] and list[1]:find(first.title, 1, true) == 1
		and list[1]:find(vim.fn.fnamemodify(first.file, ":~:."), 1, true) ~= nil,
		"picker: a hit's first line has its title and path: " .. tostring(list[1]))
	check(list[2] and list[2]:find("Überstunden", 1, true) ~= nil, "picker: then its snippet")
	local marked = hl_text(st.bufs.list, st.ns, "LupeMatch")
	check(#marked >= 2 and vim.tbl_isempty(vim.tbl_filter(function(s)
		return s ~= "Überstunden"
	end, marked)), "picker: the snippet's matches highlighted: " .. vim.inspect(marked))
	local function preview_ok(hit)
		local lines = vim.api.nvim_buf_get_lines(st.bufs.preview, 0, -1, false)
		local file_lines = vim.split(texts[hit.file], "\n", true)
		local l = positions(texts[hit.file], "Überstunden")[1]
		local row = l[1] - st.preview_top + 1
		return lines[row] == file_lines[l[1]]
			and vim.tbl_contains(hl_text(st.bufs.preview, st.ns, "LupeMatch"), "Überstunden")
	end
	check(preview_ok(st.items[1]), "picker: preview shows the first hit's match line, highlighted")
	keys("<C-n>")
	wait_for(function() return st.sel == 2 end, 1000)
	eq(st.sel, 2, "picker: <C-n> selects the next hit")
	check(preview_ok(st.items[2]), "picker: preview follows the selection")
	local moves = st.moves
	keys("<C-p><C-p>")
	wait_for(function() return st.moves == moves + 2 end, 1000)
	eq(st.sel, 2, "picker: <C-p> twice wraps around")
	local target = st.items[2]
	keys("<CR>")
	wait_for(function() return picker.state == nil and vim.fn.mode() == "n" end, 2000)
	check(picker.state == nil and #vim.api.nvim_list_wins() == 1, "picker: <CR> closes its windows")
	local pos = positions(texts[target.file], "Überstunden")[1]
	eq({ vim.api.nvim_buf_get_name(0), vim.api.nvim_win_get_cursor(0) },
		{ target.file, { pos[1], pos[2] - 1 } }, "picker: <CR> jumps to the match")

	-- A query error while typing is shown in the list, nothing raised.
	messages = {}
	vim.cmd("LupePick")
	st = picker.state
	wait_for(function() return vim.fn.mode() == "i" end, 1000)
	keys("(")
	wait_for(function() return st.error ~= nil end, 3000)
	check(st.error and vim.api.nvim_buf_get_lines(st.bufs.list, 0, 1, false)[1]:find("empty query", 1, true),
		"picker: a query error is shown in the list: " .. tostring(st.error))
	keys("<Esc>")
	wait_for(function() return picker.state == nil end, 1000)
	check(picker.state == nil and #vim.api.nvim_list_wins() == 1, "picker: <Esc> closes it")

	-- vim.ui.select: what a telescope/fzf-lua/dressing user gets.
	local seen
	local real_select = vim.ui.select
	vim.ui.select = function(items, opts, on_choice)
		seen = { n = #items, kind = opts.kind, text = opts.format_item(items[1]) }
		on_choice(items[#items])
	end
	vim.cmd("enew")
	vim.cmd("LupeSelect Gartenhaus")
	vim.ui.select = real_select
	check(seen and seen.n == 1 and seen.kind == "lupe" and seen.text:find("haus.txt", 1, true),
		"vim.ui.select gets the hits, formatted: " .. vim.inspect(seen))
	local gpos = positions(texts[haus], "Gartenhaus")[1]
	eq({ vim.api.nvim_buf_get_name(0), vim.api.nvim_win_get_cursor(0) },
		{ haus, { gpos[1], gpos[2] - 1 } }, "vim.ui.select's choice opens the file at the match")

	-- :help lupe and :checkhealth lupe.
	local docdir = tmp .. "/rt/doc"
	vim.fn.mkdir(docdir, "p")
	vim.fn.writefile(vim.fn.readfile(os.getenv("LUPE_SOURCE_ROOT") .. "/bindings/nvim/doc/lupe.txt"),
		docdir .. "/lupe.txt")
	vim.opt.rtp:append(tmp .. "/rt")
	vim.cmd("helptags " .. vim.fn.fnameescape(docdir))
	for _, tag in ipairs({ "lupe", ":Lupe", ":LupePick", ":LupeSelect", ":LupeIndex",
		"g:lupe_index_path", "g:lupe_index_on_save", "lupe-health" }) do
		local hok = pcall(vim.cmd, "help " .. tag)
		check(hok and vim.fn.expand("%:t") == "lupe.txt", ":help " .. tag)
		vim.cmd("helpclose")
	end
	vim.cmd("checkhealth lupe")
	local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
	check(report:find("OK: liblupe " .. capi.version(), 1, true)
		and report:find("2 documents", 1, true), ":checkhealth lupe: library, version, index")
	vim.cmd("bwipe!")

	-- Re-index on save: off by default, then on.
	local function save_new_text(path, text)
		vim.cmd("edit! " .. vim.fn.fnameescape(path))
		vim.api.nvim_buf_set_lines(0, 0, -1, false, vim.split(text, "\n", true))
		vim.cmd("write")
	end
	save_new_text(haus, "Zitronenfalter im Garten.")
	eq(#lupe.search("Zitronenfalter"), 0, "without g:lupe_index_on_save a save does not index")
	vim.g.lupe_index_on_save = true
	save_new_text(haus, "Zitronenfalter im Garten.")
	local items = lupe.search("Zitronenfalter")
	eq(#items == 1 and { items[1].filename, items[1].lnum, items[1].col }, { haus, 1, 1 },
		"with g:lupe_index_on_save a save re-indexes the file")
	-- Invalid UTF-8 in the buffer: indexed (repaired), found, no error.
	messages = {}
	save_new_text(haus, "Kaputt \255\254 Zitronenfalter")
	items = lupe.search("Zitronenfalter")
	eq(#items == 1 and { items[1].lnum, items[1].col }, { 1, #"Kaputt \255\254 " + 1 },
		"invalid UTF-8 in a saved buffer: indexed, match column counted in the file's bytes")
	eq(messages, {}, "invalid UTF-8: no message")
	-- A locked index: a message, not an error.
	local writer = capi.open(lupe.index_path(proj), capi.OPEN_WRITE)
	messages = {}
	save_new_text(haus, "Gesperrt.")
	check(messages[1] and messages[1].level == vim.log.levels.WARN
		and messages[1].msg:find("locked", 1, true), "locked index on save: a warning: "
		.. vim.inspect(messages[1]))
	writer:close()

	-- An index made by lupe-index, with relative paths.
	local exe = os.getenv("LUPE_INDEX_EXE")
	if exe and exe ~= "" then
		local li = tmp .. "/li-index"
		vim.fn.system({ "sh", "-c", 'cd "$1" && "$2" --db "$3" sub >/dev/null 2>&1', "sh", proj, exe, li })
		check(vim.v.shell_error == 0, "lupe-index made an index")
		vim.g.lupe_index_path = li
		vim.g.lupe_index_base = proj
		vim.cmd("cd /")
		items = lupe.search("Überstunden")
		local p2 = {}
		for _, it in ipairs(items) do
			p2[#p2 + 1] = { it.filename, it.lnum, it.col }
		end
		local w2 = {}
		for _, pos2 in ipairs(positions(texts[arbeit], "Überstunden")) do
			w2[#w2 + 1] = { arbeit, pos2[1], pos2[2] }
		end
		eq(p2, w2, "g:lupe_index_path: a lupe-index index, paths resolved against g:lupe_index_base")
		vim.g.lupe_index_path = nil
		vim.g.lupe_index_base = nil
	else
		check(false, "LUPE_INDEX_EXE is not set (meson sets it)")
	end

	-- A huge result list: every match of 300 documents, no error.
	local big = tmp .. "/gross"
	for i = 1, 300 do
		write(string.format("%s/%03d.txt", big, i), ("Überstunden hier.\n"):rep(3))
	end
	check(run_index(big), "300 files indexed")
	vim.cmd("cd " .. vim.fn.fnameescape(big))
	vim.g.lupe_limit = 1000
	vim.cmd("Lupe Überstunden")
	eq(#vim.fn.getqflist(), 900, "huge result list: one quickfix entry per match (300 x 3)")
	vim.cmd("cclose")

	-- Without the library: a message, at once, never a crash.
	local t0 = uv.now()
	local child = vim.fn.system({ "env", "LUPE_LIBRARY=/nonexistent/liblupe.so", vim.v.progpath,
		"--headless", "-u", "NONE", "-i", "NONE", "--cmd",
		"set rtp+=" .. os.getenv("LUPE_SOURCE_ROOT") .. "/bindings/nvim",
		"-c", "runtime plugin/lupe.lua",
		"-c", "lua vim.notify = function(m) io.stdout:write(m .. '\\n') end",
		"-c", "Lupe Überstunden", "-c", "LupePick", "-c", "qall!" })
	check(vim.v.shell_error == 0 and select(2, child:gsub("cannot load liblupe", "")) == 2
		and child:find("/nonexistent/liblupe.so", 1, true),
		"missing library: :Lupe and :LupePick say so: " .. child)
	check(uv.now() - t0 < 10000, "missing library: answered at once")

	-- A library of another major version: refused, with a message.
	if vim.fn.executable("cc") == 1 then
		local src, so = tmp .. "/fake.c", tmp .. "/liblupe-fake.so"
		write(src, 'const char *lupe_version(void) { return "9.0.0"; }\n')
		vim.fn.system({ "cc", "-shared", "-fPIC", "-o", so, src })
		child = vim.fn.system({ "env", "LUPE_LIBRARY=" .. so, vim.v.progpath,
			"--headless", "-u", "NONE", "-i", "NONE", "--cmd",
			"set rtp+=" .. os.getenv("LUPE_SOURCE_ROOT") .. "/bindings/nvim",
			"-c", "runtime plugin/lupe.lua",
			"-c", "lua vim.notify = function(m) io.stdout:write(m .. '\\n') end",
			"-c", "Lupe Überstunden", "-c", "qall!" })
		check(vim.v.shell_error == 0 and child:find("liblupe 9.0.0, but this plugin needs 0.x", 1, true),
			"wrong major version: refused with a message: " .. child)
	end
end

co = coroutine.create(function()
	local ok, err = pcall(tests)
	if not ok then
		check(false, "test script error: " .. tostring(type(err) == "table" and err.message or err))
	end
	watchdog:stop()
	finish()
end)
assert(coroutine.resume(co))
