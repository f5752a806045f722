-- carnet for Neovim: starts the carnet language server for Markdown buffers.
--
--   require("carnet").setup({
--     cmd = { "carnet" },                 -- the server command
--     root_markers = { ".obsidian", "carnet.toml", ".git" },
--     cwd_root = true,                    -- no marker: the working directory, if not ~
--     settings = { diagnostics = { ["tag-near-miss"] = "off" } }, -- the `carnet` section
--     codelens = true,                    -- show backlink lenses (run one with vim.lsp.codelens.run())
--     inlay_hints = true,                 -- show previews after block links (Neovim 0.10+)
--     on_attach = function(client, bufnr) end,
--   })
--
-- Works on Neovim 0.7 (vim.lsp.start_client), 0.8-0.10 (vim.lsp.start) and
-- 0.11+ (vim.lsp.config / vim.lsp.enable).

local M = {}

M.defaults = {
  cmd = { "carnet" },
  filetypes = { "markdown" },
  -- Earlier markers win: a vault's .obsidian folder beats the .git of the
  -- repository that holds it.
  root_markers = { ".obsidian", "carnet.toml", ".git" },
  -- Without a marker, the working directory is the vault when the note is
  -- inside it and it is not the home folder (see M.cwd_root).
  cwd_root = true,
  -- The `carnet` settings section (logLevel, diagnostics, completion).
  settings = {},
  -- Backlink lenses ("3 backlinks" above titles, headings and blocks),
  -- refreshed on entering a note and after leaving insert mode.
  codelens = true,
  -- Previews after links to blocks (Neovim 0.10 and newer).
  inlay_hints = true,
  init_options = nil,
  on_attach = nil,
  capabilities = nil,
}

local uv = vim.loop

local function dirname(path)
  return vim.fn.fnamemodify(path, ":h")
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- The vault root of `path` (a file or folder): for each marker in order, the
--- nearest folder at or above `path` that holds it; nil when none does.
function M.find_root(path, markers)
  local start = path
  if vim.fn.isdirectory(start) == 0 then
    start = dirname(start)
  end
  for _, marker in ipairs(markers) do
    local dir = start
    while true do
      if exists(dir .. "/" .. marker) then
        return dir
      end
      local parent = dirname(dir)
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return nil
end

-- Neovim 0.7 does not advertise documentChanges although it applies them
-- (file renames and creations included); carnet needs them for rename and
-- the "Create note" fix.
local function capabilities(opts)
  local caps = opts.capabilities or vim.lsp.protocol.make_client_capabilities()
  return vim.tbl_deep_extend("force", caps, {
    workspace = { workspaceEdit = { documentChanges = true }, configuration = true },
  })
end

local function request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- The command a backlink lens runs (`carnet.showReferences`, arguments
--- uri, position, target): asks carnet for the links the lens counts and
--- puts them in the quickfix list, as references would.
function M.show_references(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local args = command.arguments or {}
  local params = { textDocument = { uri = args[1] }, target = args[3] or vim.empty_dict() }
  request(client, "carnet/backlinks", params, function(err, result)
    if err then
      vim.notify("carnet: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if not result or vim.tbl_isempty(result) then
      vim.notify("carnet: no backlinks", vim.log.levels.INFO)
      return
    end
    local items = vim.lsp.util.locations_to_items(result, client.offset_encoding)
    vim.fn.setqflist({}, " ", { title = command.title, items = items })
    vim.cmd("botright copen")
  end, ctx.bufnr)
end

vim.lsp.commands["carnet.showReferences"] = M.show_references

local function supports(client, provider)
  return client.server_capabilities and client.server_capabilities[provider]
end

--- textDocument/codeLens: carnet sends its "N unlinked mentions" lens
--- unresolved (counted on codeLens/resolve); Neovim would draw it as
--- "Unresolved lens ..." until then, and for good when it counts none (it
--- then has no command). For carnet's answers, resolve those first, keep
--- the ones that got a command, then hand the list to Neovim's handler.
--- `vim.lsp.codelens.refresh` calls `vim.lsp.codelens.on_codelens` itself
--- (not the client's handlers), so that is what is wrapped, once.
local function wrap_codelens_handler()
  local codelens = vim.lsp.codelens
  if codelens.carnet_wrapped then
    return
  end
  codelens.carnet_wrapped = true
  local original = codelens.on_codelens
  codelens.on_codelens = function(err, result, ctx, config)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    local pending = {}
    for _, lens in ipairs(result or {}) do
      if not lens.command then
        table.insert(pending, lens)
      end
    end
    if err or not client or client.name ~= "carnet" or #pending == 0 then
      return original(err, result, ctx, config)
    end
    local left = #pending
    for _, lens in ipairs(pending) do
      request(client, "codeLens/resolve", lens, function(_, resolved)
        if resolved and resolved.command then
          lens.command = resolved.command
        end
        left = left - 1
        if left == 0 then
          local kept = vim.tbl_filter(function(l)
            return l.command ~= nil
          end, result)
          original(nil, kept, ctx, config)
        end
      end, ctx.bufnr)
    end
  end
end

-- Lenses are drawn only when asked for: on attach, on entering the note
-- and after insert mode; the server asks again when other notes change.
local function enable_codelens(client, bufnr)
  if not supports(client, "codeLensProvider") then
    return
  end
  wrap_codelens_handler()
  local refresh = function()
    if vim.fn.has("nvim-0.10") == 1 then
      vim.lsp.codelens.refresh({ bufnr = bufnr })
    else
      vim.lsp.codelens.refresh()
    end
  end
  vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave" }, {
    group = vim.api.nvim_create_augroup("carnet-codelens-" .. bufnr, { clear = true }),
    buffer = bufnr,
    callback = refresh,
  })
  refresh()
end

-- Completion with <C-x><C-o> in every version (0.7 sets no omnifunc itself),
-- lenses and previews as configured, then the user's on_attach.
local function on_attach(opts)
  return function(client, bufnr)
    if vim.bo[bufnr].omnifunc == "" then
      vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
    end
    if opts.codelens then
      enable_codelens(client, bufnr)
    end
    if opts.inlay_hints and vim.lsp.inlay_hint and supports(client, "inlayHintProvider") then
      vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
    end
    if opts.on_attach then
      opts.on_attach(client, bufnr)
    end
  end
end

local function client_config(opts, root)
  return {
    name = "carnet",
    cmd = opts.cmd,
    root_dir = root,
    settings = { carnet = opts.settings },
    init_options = opts.init_options,
    capabilities = capabilities(opts),
    on_attach = on_attach(opts),
  }
end

--- A vault without markers: the editor's working directory, when `path` is
--- inside it and it is neither the home folder nor `/` (a plain folder of
--- notes opened with `cd ~/notes; nvim`). nil otherwise: the note is then
--- served alone, since walking all of a home folder is never what one wants.
function M.cwd_root(path)
  local cwd = vim.fn.getcwd()
  local home = uv.os_homedir()
  if cwd == "/" or (home and vim.fn.resolve(cwd) == vim.fn.resolve(home)) then
    return nil
  end
  if path:sub(1, #cwd + 1) == cwd .. "/" then
    return cwd
  end
  return nil
end

local function buffer_root(bufnr, opts)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return nil
  end
  return M.find_root(name, opts.root_markers) or (opts.cwd_root and M.cwd_root(name)) or nil
end

local function check_cmd(opts)
  if vim.fn.executable(opts.cmd[1]) == 1 then
    return true
  end
  vim.notify(
    ("carnet: %q not found. Install it with `cargo install --path server` from a carnet checkout, "
      .. "or set `cmd` in require('carnet').setup()."):format(opts.cmd[1]),
    vim.log.levels.ERROR
  )
  return false
end

-- Neovim 0.7: one client per root, started on the first buffer of that root.
local clients_by_root = {}

local function attach_0_7(bufnr, opts)
  local root = buffer_root(bufnr, opts)
  -- Notes outside any vault share one client that does not walk a folder.
  local key = root or ""
  local id = clients_by_root[key]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(client_config(opts, root))
    if not id then
      return
    end
    clients_by_root[key] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

function M.setup(user)
  local opts = vim.tbl_deep_extend("force", {}, M.defaults, user or {})
  -- Lists are replaced, not merged by index.
  if user and user.root_markers then
    opts.root_markers = user.root_markers
  end
  if user and user.cmd then
    opts.cmd = user.cmd
  end
  M.options = opts
  if not check_cmd(opts) then
    return
  end

  if vim.fn.has("nvim-0.11") == 1 then
    vim.lsp.config("carnet", {
      cmd = opts.cmd,
      filetypes = opts.filetypes,
      root_dir = function(bufnr, on_dir)
        on_dir(buffer_root(bufnr, opts))
      end,
      settings = { carnet = opts.settings },
      init_options = opts.init_options,
      capabilities = capabilities(opts),
      on_attach = on_attach(opts),
    })
    vim.lsp.enable("carnet")
    return
  end

  local group = vim.api.nvim_create_augroup("carnet", { clear = true })
  local start
  if vim.lsp.start then
    start = function(bufnr)
      vim.lsp.start(client_config(opts, buffer_root(bufnr, opts)), { bufnr = bufnr })
    end
  else
    start = function(bufnr)
      attach_0_7(bufnr, opts)
    end
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      if vim.bo[args.buf].buftype == "" then
        start(args.buf)
      end
    end,
  })
  -- Buffers already open when setup() runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(opts.filetypes, vim.bo[bufnr].filetype) then
      start(bufnr)
    end
  end
end

return M
