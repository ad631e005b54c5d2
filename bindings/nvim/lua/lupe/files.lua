-- Which files of a directory to index, and reading them.
local uv = vim.loop

local M = {}

M.SNIFF_BYTES = 8192

-- Whether dir lies in a git work tree (and git is installed).
local function in_git_tree(dir)
	if vim.fn.executable("git") ~= 1 then
		return false
	end
	local out = vim.fn.systemlist({ "git", "-C", dir, "rev-parse", "--is-inside-work-tree" })
	return vim.v.shell_error == 0 and out[1] == "true"
end

local function is_file(path)
	local st = uv.fs_stat(path)
	return st ~= nil and st.type == "file"
end

-- Tracked and untracked files that .gitignore does not exclude.
local function git_files(dir)
	local out = vim.fn.systemlist({ "git", "-C", dir, "-c", "core.quotepath=off",
		"ls-files", "--cached", "--others", "--exclude-standard" })
	if vim.v.shell_error ~= 0 then
		return nil
	end
	local files, seen = {}, {}
	for _, rel in ipairs(out) do
		local p = dir .. "/" .. rel
		-- --cached lists deleted files and (with conflicts) some twice.
		if rel ~= "" and not seen[p] and is_file(p) then
			seen[p] = true
			files[#files + 1] = p
		end
	end
	return files
end

-- A recursive walk that skips .git and does not follow symlinked directories.
local function walk(dir, files)
	local h = uv.fs_scandir(dir)
	if not h then
		return
	end
	while true do
		local name, t = uv.fs_scandir_next(h)
		if not name then
			break
		end
		local p = dir .. "/" .. name
		if t == "directory" then
			if name ~= ".git" then
				walk(p, files)
			end
		elseif t == "file" or ((t == "link" or t == nil) and is_file(p)) then
			files[#files + 1] = p
		end
	end
end

-- The absolute paths of the candidate files under dir (an absolute path
-- without a trailing slash), sorted.
function M.list(dir)
	local files = in_git_tree(dir) and git_files(dir)
	if not files then
		files = {}
		walk(dir, files)
	end
	table.sort(files)
	return files
end

-- The file's text, or nil and a reason when it is binary or unreadable.
function M.read_text(path, max_bytes)
	local f = io.open(path, "rb")
	if not f then
		return nil, "unreadable"
	end
	local head = f:read(M.SNIFF_BYTES) or ""
	if head:find("\0", 1, true) then
		f:close()
		return nil, "binary"
	end
	local rest = ""
	if #head == M.SNIFF_BYTES then
		rest = f:read(max_bytes - #head + 1) or ""
	end
	f:close()
	if #head + #rest > max_bytes then
		return nil, "too large"
	end
	return head .. rest
end

-- The modification time of path in whole seconds, or nil.
function M.mtime(path)
	local st = uv.fs_stat(path)
	return st and st.mtime.sec or nil
end

return M
