-- lupe: full-text search for German text.  See :help lupe.
-- Needs Neovim 0.7+ (LuaJIT) and liblupe ($LUPE_LIBRARY, g:lupe_library,
-- or liblupe.so.0 where the loader or pkg-config finds it).
if vim.g.loaded_lupe then
	return
end
vim.g.loaded_lupe = true

if not jit then
	vim.notify("lupe: needs a Neovim built with LuaJIT", vim.log.levels.ERROR)
	return
end

vim.api.nvim_set_hl(0, "LupeMatch", { default = true, link = "Search" })
vim.api.nvim_set_hl(0, "LupeTitle", { default = true, link = "Title" })
vim.api.nvim_set_hl(0, "LupeSelected", { default = true, link = "CursorLine" })

vim.api.nvim_create_user_command("LupeIndex", function(a)
	require("lupe").command_index(a.args)
end, { nargs = "?", complete = "dir", desc = "lupe: index the text files under a directory" })

vim.api.nvim_create_user_command("Lupe", function(a)
	require("lupe").command_search(a.args)
end, { nargs = "+", desc = "lupe: search the project index into the quickfix list" })

vim.api.nvim_create_user_command("LupePick", function(a)
	require("lupe").pick({ query = a.args })
end, { nargs = "*", desc = "lupe: live search picker with preview" })

vim.api.nvim_create_user_command("LupeSelect", function(a)
	require("lupe").select(a.args)
end, { nargs = "+", desc = "lupe: search through vim.ui.select" })

local group = vim.api.nvim_create_augroup("lupe", { clear = true })
vim.api.nvim_create_autocmd("VimLeavePre", {
	group = group,
	callback = function()
		if package.loaded["lupe"] then
			require("lupe").stop_all()
		end
	end,
})
-- Opt-in: re-index a saved file that lies under an indexed directory.
vim.api.nvim_create_autocmd("BufWritePost", {
	group = group,
	callback = function(a)
		if vim.g.lupe_index_on_save and a.file ~= "" and vim.bo[a.buf].buftype == "" then
			require("lupe").index_file(a.file)
		end
	end,
})
