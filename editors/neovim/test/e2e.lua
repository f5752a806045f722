-- End-to-end test of carnet in a real, headless Neovim, through the
-- editors/neovim module and Neovim's own LSP client. Driven by tests/editors.rs:
--
--   CARNET_E2E=scenario.json nvim --headless -u NONE -i NONE -n \
--     --cmd "set rtp^=editors/neovim" -c "luafile editors/neovim/test/e2e.lua"
--
-- The scenario (a vault copy and the answers expected there, computed by the
-- Rust side from the corpus ground truth) is in the JSON file. Every step
-- asserts; the first failure exits with status 1.

local api = vim.api
local TIMEOUT = 20000

local function say(msg)
  io.stdout:write("e2e: " .. msg .. "\n")
  io.stdout:flush()
end

local function read_json(path)
  local f = assert(io.open(path, "r"))
  local text = f:read("*a")
  f:close()
  return vim.fn.json_decode(text)
end

local sc = read_json(assert(os.getenv("CARNET_E2E"), "CARNET_E2E is not set"))

local function path(rel)
  return sc.root .. "/" .. rel
end

local function wait(what, cond)
  if not vim.wait(TIMEOUT, cond, 20) then
    error("timed out waiting for " .. what, 2)
  end
end

local function check(ok, msg)
  if not ok then
    error(msg, 2)
  end
end

local function clients(bufnr)
  local out = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, c in pairs(all) do
    if c.name == "carnet" then
      table.insert(out, c)
    end
  end
  return out
end

local function read_lines(file)
  local f = io.open(file, "r")
  if not f then
    return nil
  end
  local lines = {}
  for l in f:lines() do
    table.insert(lines, l)
  end
  f:close()
  return lines
end

-- Index of the line holding `needle` (plain text), 1-based, and its byte column.
local function find_in_buffer(bufnr, needle)
  for i, l in ipairs(api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = l:find(needle, 1, true)
    if col then
      return i, col
    end
  end
  error(("%q not found in %s"):format(needle, api.nvim_buf_get_name(bufnr)))
end

local function edit_abs(file)
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  return api.nvim_get_current_buf()
end

local function edit(rel)
  return edit_abs(path(rel))
end

-- Completion at the end of line `row` (1-based), as in insert mode (where the
-- cursor may sit past the last character, unlike in normal mode).
local function completion_labels(bufnr, row)
  local line = api.nvim_buf_get_lines(bufnr, row - 1, row, false)[1]
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = row - 1, character = vim.str_utfindex(line) },
  }
  params.context = { triggerKind = 2, triggerCharacter = "[" }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, TIMEOUT)
  check(responses, "no completion response")
  local labels = {}
  for _, r in pairs(responses) do
    check(not r.err, "completion failed: " .. vim.inspect(r.err))
    local items = r.result and (r.result.items or r.result) or {}
    for _, item in ipairs(items) do
      table.insert(labels, item.label)
    end
  end
  return labels
end

local function diagnostics_on(bufnr, lnum)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.lnum == lnum then
      table.insert(out, d)
    end
  end
  return out
end

local function run()
  vim.cmd("filetype on")
  vim.lsp.set_log_level("warn")
  local attached = {}
  require("carnet").setup({
    cmd = { sc.carnet },
    -- A broken link is an error by default: the warning below shows that
    -- the settings reach the server.
    settings = { logLevel = "warn", diagnostics = { ["unresolved-link"] = "warning" } },
    on_attach = function(_, bufnr)
      attached[bufnr] = true
    end,
  })
  say("neovim " .. tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch)

  -- Open a note: the client starts on the vault root found from .obsidian.
  local src = edit(sc.source)
  check(vim.bo[src].filetype == "markdown", "filetype is " .. vim.bo[src].filetype)
  wait("the carnet client to attach and initialize", function()
    local c = clients(src)[1]
    return c and c.initialized and not vim.lsp.client_is_stopped(c.id)
  end)
  local client = clients(src)[1]
  check(client.config.root_dir == sc.root, "root_dir " .. tostring(client.config.root_dir) .. " ~= " .. sc.root)
  check(attached[src], "the on_attach given to setup() was not called")
  check(vim.bo[src].omnifunc == "v:lua.vim.lsp.omnifunc", "omnifunc is " .. vim.bo[src].omnifunc)
  -- 0.11 takes the vim.lsp.config / vim.lsp.enable path; 0.10 and newer
  -- negotiate UTF-8 positions, 0.7 offers only UTF-16.
  if vim.fn.has("nvim-0.11") == 1 then
    check(vim.lsp.config.carnet ~= nil and vim.lsp.config.carnet.cmd[1] == sc.carnet, "no vim.lsp.config.carnet")
    check(vim.lsp.is_enabled == nil or vim.lsp.is_enabled("carnet"), "carnet is not vim.lsp.enable()d")
  end
  local want_enc = vim.fn.has("nvim-0.10") == 1 and "utf-8" or "utf-16"
  check(client.offset_encoding == want_enc, "position encoding " .. tostring(client.offset_encoding) .. ", want " .. want_enc)
  say("attached, root " .. client.config.root_dir .. ", positions in " .. client.offset_encoding)

  -- Go to definition of the wiki-link: the target note opens at its line.
  local row, col = find_in_buffer(src, sc.link)
  api.nvim_win_set_cursor(0, { row, col + 2 })
  vim.lsp.buf.definition()
  wait("definition to open " .. sc.target, function()
    return api.nvim_buf_get_name(0) == path(sc.target)
  end)
  local cursor = api.nvim_win_get_cursor(0)
  check(cursor[1] == sc.target_line + 1, ("definition: cursor on line %d, want %d"):format(cursor[1], sc.target_line + 1))
  local target_buf = api.nvim_get_current_buf()
  check(#clients(target_buf) == 1, "target buffer not attached to the same client")
  check(clients(target_buf)[1].id == client.id, "a second client was started for the target")
  say(("definition: %s line %d"):format(sc.target, cursor[1]))

  -- References of the target note (from its first line) into the quickfix list.
  vim.fn.setqflist({}, "r", { title = "", items = {} })
  vim.lsp.buf.references({ includeDeclaration = false })
  wait("references in the quickfix list", function()
    return vim.fn.getqflist({ title = 0 }).title == "References"
  end)
  local got = {}
  for _, item in ipairs(vim.fn.getqflist()) do
    local name = api.nvim_buf_get_name(item.bufnr)
    table.insert(got, name:sub(#sc.root + 2) .. ":" .. item.lnum)
  end
  table.sort(got)
  local want = vim.deepcopy(sc.references)
  table.sort(want)
  check(#got == #want, ("references: %d in the quickfix list, want %d"):format(#got, #want))
  for i = 1, #want do
    check(got[i] == want[i], ("references differ: got %s, want %s"):format(got[i], want[i]))
  end
  say(("references: %d quickfix entries, as the ground truth says"):format(#got))
  vim.cmd("cclose")

  -- The backlink lens on the target's title counts the same links, and its
  -- command (the module's carnet.showReferences) lists them in the quickfix list.
  -- Neovim 0.7 does not announce textDocument.codeLens: carnet must not
  -- offer lenses to it (0.8 and newer announce it).
  local target_buf = api.nvim_get_current_buf()
  if vim.lsp.protocol.make_client_capabilities().textDocument.codeLens == nil then
    check(not client.server_capabilities.codeLensProvider, "carnet offers code lenses to a Neovim that did not ask")
    say("lens: this Neovim announces no codeLens, and carnet offers none")
  else
    local title_lens
    wait("the title lens of " .. sc.target, function()
      -- The backlink lens (an "N unlinked mentions" lens may share its line).
      for _, l in ipairs(vim.lsp.codelens.get(target_buf) or {}) do
        local backlinks = l.command and l.command.title:match("backlinks?$")
        if backlinks and (not title_lens or l.range.start.line < title_lens.range.start.line) then
          title_lens = l
        end
      end
      return title_lens ~= nil
    end)
    local title = title_lens.command.title
    check(title == #want .. " backlinks", ("title lens %q, want %d backlinks"):format(title, #want))
    -- The module resolves carnet's unlinked-mentions lens before Neovim
    -- draws the lenses: none is left without a command ("Unresolved lens").
    for _, l in ipairs(vim.lsp.codelens.get(target_buf) or {}) do
      check(l.command ~= nil, "a lens left unresolved: " .. vim.inspect(l))
    end
    vim.fn.setqflist({}, "r", { title = "", items = {} })
    vim.lsp.commands[title_lens.command.command](title_lens.command, { client_id = client.id, bufnr = target_buf })
    wait("the lens's links in the quickfix list", function()
      return vim.fn.getqflist({ title = 0 }).title == title
    end)
    local listed = {}
    for _, item in ipairs(vim.fn.getqflist()) do
      table.insert(listed, api.nvim_buf_get_name(item.bufnr):sub(#sc.root + 2) .. ":" .. item.lnum)
    end
    table.sort(listed)
    check(vim.deep_equal(listed, want), "lens command: " .. vim.inspect(listed))
    say(("lens: %q on the title, its command lists them"):format(title))
    vim.cmd("cclose")
  end

  -- Completion after `[[` in the source note.
  vim.cmd("buffer " .. src)
  local last = api.nvim_buf_line_count(src)
  api.nvim_buf_set_lines(src, last, last, false, { "See [[" })
  local labels = completion_labels(src, last + 1)
  check(#labels > 0, "completion after [[ gave no items")
  api.nvim_buf_set_lines(src, last, last + 1, false, { "See [[" .. sc.complete_query })
  labels = completion_labels(src, last + 1)
  check(vim.tbl_contains(labels, sc.complete_label), ("completion of %q lacks %q: %s"):format(
    sc.complete_query, sc.complete_label, vim.inspect(labels)))
  say(("completion: %d items for [[%s, %q among them"):format(#labels, sc.complete_query, sc.complete_label))

  -- A broken link gets a diagnostic, which clears once the link is fixed.
  api.nvim_buf_set_lines(src, last, last + 1, false, { "See [[" .. sc.missing .. "]]" })
  wait("a diagnostic on the broken link", function()
    for _, d in ipairs(diagnostics_on(src, last)) do
      if d.message:find(sc.missing, 1, true) then
        return true
      end
    end
    return false
  end)
  local d = diagnostics_on(src, last)[1]
  check(d.severity == vim.diagnostic.severity.WARN, "severity " .. d.severity .. ": the settings did not reach carnet")
  say("diagnostic: " .. d.message .. ", a warning as the settings say")
  api.nvim_buf_set_lines(src, last, last + 1, false, { "See [[" .. sc.complete_label .. "]]" })
  wait("the diagnostic to clear", function()
    return #diagnostics_on(src, last) == 0
  end)
  api.nvim_buf_set_lines(src, last, last + 1, false, {})
  say("diagnostic cleared after the fix")

  -- Rename the target note from the link to it.
  if not client.server_capabilities.renameProvider then
    say("SKIPPED rename: server has no renameProvider")
  else
    row, col = find_in_buffer(src, sc.link)
    api.nvim_win_set_cursor(0, { row, col + 2 })
    vim.lsp.buf.rename(sc.new_name)
    wait("the note to be renamed on disk", function()
      return vim.loop.fs_stat(path(sc.renamed)) ~= nil and vim.loop.fs_stat(path(sc.target)) == nil
    end)
    -- The open note's buffer is edited in place.
    wait("the open note's link to be updated", function()
      local l = api.nvim_buf_get_lines(src, row - 1, row, false)[1]
      return l:find("[[" .. sc.new_name, 1, true) ~= nil
    end)
    -- Edits to other notes land in (hidden) buffers; the user saves them.
    vim.cmd("silent wall")
    for _, b in ipairs(sc.backlinks) do
      local rel = b.source == sc.target and sc.renamed or b.source
      local lines = read_lines(path(rel))
      check(lines, "cannot read " .. rel)
      local line = lines[b.line] or ""
      check(line == b.text, ("%s:%d after the rename:\n  got  %s\n  want %s"):format(rel, b.line, line, b.text))
    end
    say(("rename: %s -> %s, %d linking lines updated on disk as expected"):format(sc.target, sc.renamed, #sc.backlinks))

    -- The server follows: the renamed note has the same backlinks.
    local renamed_buf = edit(sc.renamed)
    wait("the renamed note to be attached", function()
      return #clients(renamed_buf) == 1
    end)
    api.nvim_win_set_cursor(0, { 1, 0 })
    local params = vim.lsp.util.make_position_params()
    params.context = { includeDeclaration = false }
    local count
    wait("backlinks of the renamed note", function()
      local r = vim.lsp.buf_request_sync(renamed_buf, "textDocument/references", params, TIMEOUT) or {}
      for _, resp in pairs(r) do
        count = resp.result and #resp.result or 0
      end
      return count == #sc.references
    end)
    say(("rename: the renamed note has %d backlinks"):format(count))
  end

  -- A folder of notes without markers: the working directory is the
  -- vault (links resolve); from the home folder a note is served alone.
  local plain = sc.plain
  vim.fn.mkdir(plain .. "/sub", "p")
  local function write(file, text)
    local f = assert(io.open(file, "w"))
    f:write(text)
    f:close()
  end
  write(plain .. "/a.md", "# A\n\nSee [[b]].\n")
  write(plain .. "/sub/b.md", "# B\n")
  vim.cmd("cd " .. vim.fn.fnameescape(plain))
  local a = edit_abs(plain .. "/a.md")
  wait("a client for the plain folder", function()
    return #clients(a) == 1 and clients(a)[1].initialized
  end)
  local pc = clients(a)[1]
  check(pc.config.root_dir == plain, "plain folder: root_dir " .. tostring(pc.config.root_dir) .. " ~= " .. plain)
  api.nvim_win_set_cursor(0, { 3, 6 })
  vim.lsp.buf.definition()
  wait("definition into sub/b.md", function()
    return api.nvim_buf_get_name(0) == plain .. "/sub/b.md"
  end)
  say("no markers: the working directory " .. plain .. " is the vault; [[b]] leads to sub/b.md")
  vim.cmd("cd " .. vim.fn.fnameescape(sc.home))
  vim.fn.mkdir(sc.home .. "/notes", "p")
  write(sc.home .. "/notes/c.md", "# C\n\nSee [[a]].\n")
  local c = edit_abs(sc.home .. "/notes/c.md")
  wait("a client for the note in the home folder", function()
    return #clients(c) == 1 and clients(c)[1].initialized
  end)
  check(clients(c)[1].config.root_dir == nil, "home folder: root_dir " .. tostring(clients(c)[1].config.root_dir))
  say("no markers, working directory ~: the note is served alone")

  check(not vim.lsp.client_is_stopped(client.id), "the server stopped")
  vim.lsp.stop_client(client.id)
  wait("the server to stop", function()
    return vim.lsp.client_is_stopped(client.id)
  end)
end

local ok, err = xpcall(run, debug.traceback)
if ok then
  say("PASS")
  vim.cmd("qall!")
else
  io.stderr:write("e2e: FAIL: " .. tostring(err) .. "\n")
  io.stderr:flush()
  vim.cmd("cquit 1")
end
