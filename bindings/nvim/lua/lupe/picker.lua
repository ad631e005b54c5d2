-- The live search picker: a floating prompt that searches as you type
-- (debounced), a list of hits (title, path, the snippet with its matches
-- highlighted) and a preview of the selected hit's lines.
--
--   <CR> open the file at the match    <C-n>/<Down>, <C-p>/<Up> move
--   <Esc>, <C-c> close
--
-- One read-only handle is opened for the picker's life, so each keystroke
-- costs a search, not an open.
local capi = require("lupe.capi")

local M = {}

-- The open picker (one at a time), for tests and scripts: {items, sel,
-- bufs = {prompt, list, preview}, searches = n, error = msg}.
M.state = nil

local api = vim.api

local function option(name, default)
	return require("lupe").option(name, default)
end

local function scratch()
	local b = api.nvim_create_buf(false, true)
	api.nvim_buf_set_option(b, "bufhidden", "wipe")
	return b
end

local function set_lines(buf, lines)
	api.nvim_buf_set_option(buf, "modifiable", true)
	api.nvim_buf_set_lines(buf, 0, -1, false, lines)
	api.nvim_buf_set_option(buf, "modifiable", false)
end

local function one_line(s)
	return (s:gsub("[%c]", " "))
end

-- Draw the preview of the selected hit: the lines around its first match,
-- the matches on them highlighted.
local function preview(st)
	local hit = st.items[st.sel]
	local buf = st.bufs.preview
	api.nvim_buf_clear_namespace(buf, st.ns, 0, -1)
	if not hit then
		set_lines(buf, {})
		return
	end
	local f = io.open(hit.file, "rb")
	local text = f and f:read("*a")
	if f then
		f:close()
	end
	if not text then
		set_lines(buf, { "(cannot read " .. hit.file .. ")", "", one_line(hit.snippet) })
		return
	end
	local lines = vim.split(text, "\n", true)
	for i, l in ipairs(lines) do
		lines[i] = l:gsub("\r$", "")
	end
	local first = hit.lines[1] and hit.lines[1].lnum or 1
	local height = api.nvim_win_get_height(st.wins.preview)
	local top = math.max(1, first - math.floor(height / 3))
	local shown = {}
	for i = top, math.min(#lines, top + height - 1) do
		shown[#shown + 1] = lines[i]
	end
	set_lines(buf, shown)
	st.preview_top = top
	for _, l in ipairs(hit.lines) do
		local row = l.lnum - top
		if row >= 0 and row < #shown then
			local stop = l.end_lnum == l.lnum and l.end_col - 1 or #shown[row + 1]
			pcall(api.nvim_buf_set_extmark, buf, st.ns, row, l.col - 1,
				{ end_col = math.min(stop, #shown[row + 1]), hl_group = "LupeMatch" })
		end
	end
	if option("preview_filetype", true) and vim.filetype and vim.filetype.match then
		-- 0.8+: match{filename=} returns the type; 0.7: match(name, buf) sets it.
		local ok, ft = pcall(vim.filetype.match, { filename = hit.file })
		if ok and type(ft) == "string" then
			api.nvim_buf_set_option(buf, "filetype", ft)
		elseif not ok then
			pcall(vim.filetype.match, hit.file, buf)
		end
	end
	pcall(api.nvim_win_set_cursor, st.wins.preview, { first - top + 1, 0 })
end

-- Draw the list: two lines a hit, "title  path" and the snippet.
local function draw(st)
	local buf = st.bufs.list
	local lines = {}
	local marks = {}
	for _, hit in ipairs(st.items) do
		local head = string.format("%s  %s", one_line(hit.title ~= "" and hit.title or hit.id),
			vim.fn.fnamemodify(hit.file, ":~:."))
		lines[#lines + 1] = head
		marks[#marks + 1] = { #lines - 1, 0, #one_line(hit.title ~= "" and hit.title or hit.id),
			"LupeTitle" }
		local snip = "  " .. one_line(hit.snippet)
		lines[#lines + 1] = snip
		for _, h in ipairs(hit.highlights) do
			marks[#marks + 1] = { #lines - 1, 2 + h[1], 2 + h[2], "LupeMatch" }
		end
	end
	if #lines == 0 then
		lines = { st.message or "" }
	end
	set_lines(buf, lines)
	api.nvim_buf_clear_namespace(buf, st.ns, 0, -1)
	for _, m in ipairs(marks) do
		pcall(api.nvim_buf_set_extmark, buf, st.ns, m[1], m[2], { end_col = m[3], hl_group = m[4] })
	end
	if st.items[st.sel] then
		api.nvim_buf_set_extmark(buf, st.ns, 2 * (st.sel - 1), 0,
			{ end_row = 2 * st.sel, hl_group = "LupeSelected", hl_eol = true, priority = 50 })
		pcall(api.nvim_win_set_cursor, st.wins.list, { 2 * st.sel - 1, 0 })
	end
	preview(st)
end

local function run(st)
	if st.closed then
		return
	end
	local q = api.nvim_buf_get_lines(st.bufs.prompt, 0, 1, false)[1] or ""
	st.query = q
	st.searches = st.searches + 1
	if q:match("^%s*$") then
		st.items, st.sel, st.message, st.error = {}, 1, "", nil
		return draw(st)
	end
	local ok, res = pcall(require("lupe").hits, q, { db = st.db, target = st.target,
		limit = st.limit })
	if ok then
		st.items, st.error = res.hits, nil
		st.message = #res.hits == 0 and ("nothing found for " .. q) or nil
	else
		-- A query error while typing ("(" half-written) is shown, not raised.
		st.items, st.error = {}, capi.message(res)
		st.message = "lupe: " .. st.error
	end
	st.sel = 1
	st.total = ok and res.total or 0
	draw(st)
end

function M.close()
	local st = M.state
	if not st or st.closed then
		return
	end
	st.closed = true
	st.timer:stop()
	st.timer:close()
	for _, w in pairs(st.wins) do
		if api.nvim_win_is_valid(w) then
			api.nvim_win_close(w, true)
		end
	end
	st.db:close()
	vim.cmd("stopinsert")
	M.state = nil
end

local function move(d)
	local st = M.state
	if not st or #st.items == 0 then
		return
	end
	st.sel = (st.sel - 1 + d) % #st.items + 1
	st.moves = st.moves + 1
	draw(st)
end

local function accept()
	local st = M.state
	if not st then
		return
	end
	-- A search still waiting for its debounce runs first, so that a fast
	-- typist's <CR> opens a hit of what was typed.
	local q = api.nvim_buf_get_lines(st.bufs.prompt, 0, 1, false)[1] or ""
	if q ~= st.query then
		run(st)
	end
	local hit = st.items[st.sel]
	-- Leave insert mode first: ending it later would move the cursor one
	-- column to the left of the match.
	vim.cmd("stopinsert")
	vim.schedule(function()
		M.close()
		if hit then
			require("lupe").jump(hit, 1)
		end
	end)
end

-- Open the picker.  opts: dir/index/base (which index, see lupe.target),
-- query (initial text), debounce (ms, g:lupe_debounce or 120), limit
-- (g:lupe_picker_limit or 50).  Returns false (and says why) when no index
-- can be opened.
function M.open(opts)
	opts = opts or {}
	if M.state then
		M.close()
	end
	local lupe = require("lupe")
	local ok, db, target = pcall(lupe.open, opts)
	if not ok then
		vim.notify("lupe: " .. capi.message(db), vim.log.levels.ERROR)
		return false
	end
	local st = { items = {}, sel = 1, searches = 0, moves = 0, db = db, target = target,
		limit = opts.limit or option("picker_limit", 50), ns = api.nvim_create_namespace("lupe_picker"),
		timer = vim.loop.new_timer(), bufs = {}, wins = {}, query = nil }
	M.state = st

	local cols, rows = vim.o.columns, vim.o.lines
	local width = math.max(40, math.floor(cols * 0.9))
	local height = math.max(6, math.floor(rows * 0.8) - 3)
	local col = math.floor((cols - width) / 2)
	local row = math.max(0, math.floor((rows - height - 3) / 2))
	local lw = math.floor(width / 2)
	for _, k in ipairs({ "prompt", "list", "preview" }) do
		st.bufs[k] = scratch()
	end
	st.wins.list = api.nvim_open_win(st.bufs.list, false, { relative = "editor", row = row + 3,
		col = col, width = lw - 2, height = height, style = "minimal", border = "rounded",
		focusable = false })
	st.wins.preview = api.nvim_open_win(st.bufs.preview, false, { relative = "editor", row = row + 3,
		col = col + lw, width = width - lw - 2, height = height, style = "minimal",
		border = "rounded", focusable = false })
	st.wins.prompt = api.nvim_open_win(st.bufs.prompt, true, { relative = "editor", row = row,
		col = col, width = width - 2, height = 1, style = "minimal", border = "rounded" })
	api.nvim_win_set_option(st.wins.list, "wrap", false)
	api.nvim_win_set_option(st.wins.preview, "wrap", false)
	api.nvim_win_set_option(st.wins.preview, "number", true)

	local pb = st.bufs.prompt
	local map = function(lhs, fn)
		vim.keymap.set({ "i", "n" }, lhs, fn, { buffer = pb, nowait = true })
	end
	map("<CR>", accept)
	map("<C-n>", function() move(1) end)
	map("<Down>", function() move(1) end)
	map("<C-p>", function() move(-1) end)
	map("<Up>", function() move(-1) end)
	map("<C-c>", M.close)
	vim.keymap.set("n", "<Esc>", M.close, { buffer = pb, nowait = true })
	vim.keymap.set("i", "<Esc>", M.close, { buffer = pb, nowait = true })

	local debounce = tonumber(opts.debounce or option("debounce", 120))
	local group = api.nvim_create_augroup("lupe_picker", { clear = true })
	api.nvim_create_autocmd({ "TextChanged", "TextChangedI" }, { group = group, buffer = pb,
		callback = function()
			st.timer:stop()
			st.timer:start(debounce, 0, vim.schedule_wrap(function()
				run(st)
			end))
		end })
	api.nvim_create_autocmd({ "BufLeave", "WinLeave" }, { group = group, buffer = pb,
		callback = function()
			vim.schedule(function()
				if M.state == st then
					M.close()
				end
			end)
		end })
	if opts.query and opts.query ~= "" then
		api.nvim_buf_set_lines(pb, 0, -1, false, { opts.query })
		run(st)
	end
	vim.cmd("startinsert!")
	return true
end

return M
