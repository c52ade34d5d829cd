-- cutover.inspect: renders any Lua value as readable text, as the prompt prints results.
--
--   local inspect = require "cutover.inspect"
--   print(inspect({ 1, 2, name = "web", tags = { env = "prod" } }))
--   --> { 1, 2, name = "web", tags = { env = "prod" } }
--
-- Keys come sorted (array part first, then numbers, strings, booleans, others);
-- a table met twice is labelled <N> where first printed and shown as <table N>
-- afterwards, so cycles and shared tables are visible; __tostring is used when a
-- value has one (errors in it are shown, never raised); __name is shown for tables
-- and userdata that have it. Options:
--   depth  how many levels of nested tables to open (default 4)
--   items  how many entries of one table to show (default 40)
--   width  the longest line kept on one line (default 76)
--   color  ANSI colours (default false; the prompt turns them on for terminals)
--   quote  quote a top-level string (default true)

local M = {}

local type, tostring, pairs, rawget, rawlen = type, tostring, pairs, rawget, rawlen
local getmetatable, pcall, select = getmetatable, pcall, select
local sort, concat, format, rep = table.sort, table.concat, string.format, string.rep
local mtype = math.type

local KEYWORDS = {}
for word in ([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[word] = true
end

local COLORS = {
  string = "\27[32m", number = "\27[36m", boolean = "\27[35m", ["nil"] = "\27[35m",
  ["function"] = "\27[2m", userdata = "\27[2m", thread = "\27[2m", label = "\27[33m",
  note = "\27[2m",
}
local RESET = "\27[0m"

--- The metatable of a value, read raw (a __metatable field is honoured, as Lua does).
local function metatable(v)
  local ok, mt = pcall(getmetatable, v)
  if ok and type(mt) == "table" then return mt end
  return nil
end

local function metafield(v, name)
  local mt = metatable(v)
  return mt and rawget(mt, name)
end

--- Escapes a string as a Lua literal in double quotes.
local function quote(s)
  return '"' .. s:gsub('[%c"\\\128-\255]', function(c)
    if c == "\n" then return "\\n"
    elseif c == "\t" then return "\\t"
    elseif c == "\r" then return "\\r"
    elseif c == '"' then return '\\"'
    elseif c == "\\" then return "\\\\"
    elseif c:byte() >= 128 then return c -- UTF-8 stays readable
    else return format("\\%d", c:byte()) end
  end) .. '"'
end
M.quote = quote

--- The length of text as a terminal shows it (colour codes take no room).
local function visible_length(s)
  return #(s:gsub("\27%[[%d;]*m", ""))
end

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil and not KEYWORDS[k]
end

local TYPE_ORDER = { number = 1, string = 2, boolean = 3 }

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return (TYPE_ORDER[ta] or 9) < (TYPE_ORDER[tb] or 9) or
      ((TYPE_ORDER[ta] or 9) == (TYPE_ORDER[tb] or 9) and ta < tb) end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return (not a) and b end
  return tostring(a) < tostring(b)
end

--- Calls __tostring under protection: the text, or a note saying what went wrong.
local function described(v)
  local ok, s = pcall(tostring, v)
  if ok and type(s) == "string" then return s end
  return "<__tostring failed: " .. tostring(s) .. ">"
end

--- Counts how often each table is reachable, to label the shared ones.
local function count_tables(v, seen, depth, max_depth)
  if type(v) ~= "table" then return end
  seen[v] = (seen[v] or 0) + 1
  if seen[v] > 1 or depth > max_depth or metafield(v, "__tostring") then return end
  for k, x in next, v do
    count_tables(k, seen, depth + 1, max_depth)
    count_tables(x, seen, depth + 1, max_depth)
  end
end

function M.inspect(value, options)
  options = options or {}
  local max_depth = options.depth or 4
  local max_items = options.items or 40
  local width = options.width or 76
  local color = options.color and true or false
  local counts = {}
  count_tables(value, counts, 0, max_depth)
  local labels, next_label = {}, 0

  local function paint(kind, text)
    if color and COLORS[kind] then return COLORS[kind] .. text .. RESET end
    return text
  end

  local render

  local function render_key(k, indent)
    if is_identifier(k) then return k end
    return "[" .. render(k, indent, max_depth, true) .. "]"
  end

  -- Renders a table; `level` is how deep we are, `indent` the current indentation.
  local function render_table(t, indent, level)
    local name = metafield(t, "__name")
    local prefix = type(name) == "string" and paint("note", "<" .. name .. ">") .. " " or ""
    if labels[t] then return paint("label", "<table " .. labels[t] .. ">") end
    if (counts[t] or 0) > 1 then
      next_label = next_label + 1
      labels[t] = next_label
      prefix = paint("label", "<" .. next_label .. ">") .. " " .. prefix
    end
    if level >= max_depth then
      return prefix .. (next(t) == nil and "{}" or "{...}")
    end
    local items, fields, shown, total = {}, {}, 0, 0
    local n = rawlen(t)
    -- The array part, in order; packed several to a line when it does not fit on one.
    local array_end = 0
    for i = 1, n do
      if rawget(t, i) == nil then break end
      array_end = i
    end
    local inner = indent .. "  "
    for i = 1, array_end do
      total = total + 1
      if shown < max_items then
        shown = shown + 1
        items[#items + 1] = render(rawget(t, i), inner, level + 1)
      end
    end
    local keys = {}
    for k in next, t do
      if not (mtype(k) == "integer" and k >= 1 and k <= array_end) then keys[#keys + 1] = k end
    end
    sort(keys, key_less)
    for _, k in ipairs(keys) do
      total = total + 1
      if shown < max_items then
        shown = shown + 1
        fields[#fields + 1] = render_key(k, inner) .. " = " .. render(rawget(t, k), inner, level + 1)
      end
    end
    local more = total > shown and paint("note", format("... (%d more)", total - shown)) or nil
    if #items + #fields == 0 then return prefix .. "{}" end
    local all = {}
    for _, p in ipairs(items) do all[#all + 1] = p end
    for _, p in ipairs(fields) do all[#all + 1] = p end
    if more then all[#all + 1] = more end
    local one_line = prefix .. "{ " .. concat(all, ", ") .. " }"
    if visible_length(one_line) + #indent <= width and not one_line:find("\n", 1, true) then
      return one_line
    end
    local lines, line = {}, nil
    for _, p in ipairs(items) do
      if line and not p:find("\n", 1, true) and
          visible_length(line) + 2 + visible_length(p) + #inner <= width then
        line = line .. ", " .. p
      else
        if line then lines[#lines + 1] = line end
        line = p
      end
    end
    if line then lines[#lines + 1] = line end
    for _, p in ipairs(fields) do lines[#lines + 1] = p end
    if more then lines[#lines + 1] = more end
    return prefix .. "{\n" .. inner .. concat(lines, ",\n" .. inner) .. "\n" .. indent .. "}"
  end

  function render(v, indent, level, as_key)
    local t = type(v)
    if t == "string" then
      return paint("string", quote(v))
    elseif t == "number" then
      return paint("number", tostring(v))
    elseif t == "boolean" or t == "nil" then
      return paint(t, tostring(v))
    elseif t == "table" then
      if metafield(v, "__tostring") then return described(v) end
      if as_key then return paint("note", described(v)) end
      return render_table(v, indent, level)
    else -- function, userdata, thread: Lua's own description (__tostring, __name)
      return paint(t, described(v))
    end
  end

  if type(value) == "string" and options.quote == false then return value end
  return render(value, "", 0)
end

--- Renders several values (as the prompt does for `1, "a", {}`), tab separated.
function M.inspect_all(options, ...)
  local out = {}
  for i = 1, select("#", ...) do
    out[i] = M.inspect((select(i, ...)), options)
  end
  return concat(out, "\t")
end

return setmetatable(M, { __call = function(_, ...) return M.inspect(...) end })
