-- :checkhealth lupe: the library, its version, and the index of cwd.
local M = {}

local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local err = health.error or health.report_error
local info = health.info or health.report_info

function M.check()
	start("lupe")
	if not jit then
		err("Neovim is not built with LuaJIT: the plugin needs its ffi")
		return
	end
	local capi = require("lupe.capi")
	local lok, e = pcall(capi.load)
	if not lok then
		err(capi.message(e), { "Install liblupe (meson install), or set $LUPE_LIBRARY or "
			.. "g:lupe_library to the path of liblupe.so" })
		return
	end
	ok(string.format("liblupe %s loaded from %s", capi.version(), capi.library_path()))
	local lupe = require("lupe")
	local tok, t = pcall(lupe.target, {})
	if not tok then
		warn(capi.message(t), { "Run :LupeIndex in the project, or set g:lupe_index_path" })
		return
	end
	local dok, db = pcall(capi.open, t.index, capi.OPEN_READ)
	if not dok then
		err("cannot open the index " .. t.index .. ": " .. capi.message(db))
		return
	end
	local cok, n = pcall(db.count, db)
	db:close()
	if cok then
		ok(string.format("index %s: %d documents%s", t.index, n,
			t.dir and (" (of " .. t.dir .. ")") or ""))
	else
		err("index " .. t.index .. ": " .. capi.message(n))
	end
	if lupe.busy() then
		info("an index job is running")
	end
	info("re-index on save (g:lupe_index_on_save): " .. (vim.g.lupe_index_on_save and "on" or "off"))
end

return M
