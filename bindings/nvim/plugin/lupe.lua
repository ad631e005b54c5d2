-- lupe: full-text search for German text.  :LupeIndex [dir], :Lupe {query}.
-- See lua/lupe/init.lua.  Needs Neovim 0.7+ (LuaJIT) and liblupe
-- ($LUPE_LIBRARY or liblupe.so.0 on the library path).
if vim.g.loaded_lupe then
	return
end
vim.g.loaded_lupe = true

if not jit then
	vim.notify("lupe: needs a Neovim built with LuaJIT", vim.log.levels.ERROR)
	return
end

vim.api.nvim_create_user_command("LupeIndex", function(a)
	require("lupe").command_index(a.args)
end, { nargs = "?", complete = "dir", desc = "lupe: index the text files under a directory" })

vim.api.nvim_create_user_command("Lupe", function(a)
	require("lupe").command_search(a.args)
end, { nargs = "+", desc = "lupe: search the project index into the quickfix list" })

vim.api.nvim_create_autocmd("VimLeavePre", {
	group = vim.api.nvim_create_augroup("lupe", { clear = true }),
	callback = function()
		if package.loaded["lupe"] then
			require("lupe").stop_all()
		end
	end,
})
