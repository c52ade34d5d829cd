import LuaRuntime

/// A Lua function written down so that another process can make it again: its text (cut
/// from the file or chunk that defined it), where it came from, and the values of the
/// locals it uses (its upvalues). `cutover resume` re-runs a policy or a hook this way
/// after the process that started the deployment died.
///
/// The record is a Lua table constructor (read back with an empty environment, so
/// reading it runs nothing). In the remade function the upvalues become globals of
/// its own environment: numbers, strings, booleans and tables of them are copied; a
/// loaded module (`cutover`) is required again; the local cloud is asked for again; a
/// function is recorded the same way, three levels deep; so are the globals its text
/// names. Anything else (a cloud, a deployment handle, a coroutine) cannot
/// cross processes: it is named in `missing`, and reads as nil.
enum FunctionSource {
    /// `capture(fn)` → record text, or nil and why.
    static let capture = """
        local getinfo, getupvalue, format, concat = debug.getinfo, debug.getupvalue, string.format, table.concat
        local capture
        local keywords, standard = {}, {}
        for w in ("and break do else elseif end false for function goto if in local nil not or repeat return then true until while")
            :gmatch("%a+") do keywords[w] = true end
        for w in ("assert collectgarbage dofile error getmetatable ipairs load loadfile next pairs pcall print rawequal rawget "
            .. "rawlen rawset require select setmetatable tonumber tostring type xpcall warn _G _VERSION _ENV coroutine debug "
            .. "io math os package string table utf8 self"):gmatch("[%w_]+") do standard[w] = true end
        local function literal(v, depth, seen)
          local t = type(v)
          if t == "string" or t == "number" or t == "boolean" then return format("%q", v) end
          if t == "nil" then return "nil" end
          if t == "table" and depth < 8 and not seen[v] and getmetatable(v) == nil then
            seen[v] = true
            local parts = {}
            for k, x in pairs(v) do
              local lk, lx = literal(k, depth + 1, seen), literal(x, depth + 1, seen)
              if not lk or not lx then return nil end
              parts[#parts + 1] = "[" .. lk .. "]=" .. lx
            end
            seen[v] = nil
            return "{" .. concat(parts, ",") .. "}"
          end
          return nil
        end
        local function lines(text, first, last)
          local out, n = {}, 0
          for line in (text .. "\\n"):gmatch("(.-)\\r?\\n") do
            n = n + 1
            if n > last then break end
            if n >= first then out[#out + 1] = line end
          end
          return out
        end
        local function positions(s, word)
          local found, i = {}, 1
          while true do
            local a, b = s:find(word, i, true)
            if not a then return found end
            found[#found + 1] = a
            i = b + 1
          end
        end
        -- The function's text cut out of `text`, or nil.
        local function cut(text, info)
          local body = lines(text, info.linedefined, info.lastlinedefined)
          if #body == 0 then return nil end
          local first, last = body[1], body[#body]
          local middle = concat(body, "\\n", 2, math.max(1, #body - 1))
          local starts, ends = positions(first, "function"), positions(last, "end")
          for i = #starts, 1, -1 do
            for j = #ends, 1, -1 do
              local candidate
              if #body == 1 then
                candidate = first:sub(starts[i], ends[j] + 2)
              else
                candidate = first:sub(starts[i]) .. "\\n" .. (#body > 2 and middle .. "\\n" or "") .. last:sub(1, ends[j] + 2)
              end
              candidate = candidate:gsub("^function%s+[%w_%.:]+%s*%(", "function(", 1)
              local made = load("return " .. candidate, "=check", "t", {})
              if made then
                local ok, g = pcall(made)
                if ok and type(g) == "function" then
                  local gi = getinfo(g, "u")
                  if gi.nparams == info.nparams and gi.isvararg == info.isvararg then return candidate end
                end
              end
            end
          end
          return nil
        end
        capture = function(fn, texts, depth)
          local info = getinfo(fn, "Su")
          if info.what ~= "Lua" then return nil, "it is a C function" end
          if info.linedefined == 0 then return nil, "it is a whole chunk, not a function" end
          local src, candidates = info.source, {}
          if src:sub(1, 1) == "@" then
            local f = io.open(src:sub(2), "r")
            if f then candidates[1] = f:read("a"); f:close() end
          elseif src:sub(1, 1) == "=" then
            -- Typed at the prompt or given with -e: the texts kept under that name, newest first.
            candidates = texts and texts(src) or {}
          else
            candidates[1] = src
          end
          local code
          for _, text in ipairs(candidates) do
            code = cut(text, info)
            if code then break end
          end
          if not code then return nil, "its text was not found in " .. info.short_src end
          local ups, missing, taken, env = {}, {}, {}, nil
          local function keep(name, value)
            local entry
            for mod, loaded in pairs(package.loaded) do
              if loaded == value and type(value) == "table" then entry = "{module=" .. format("%q", mod) .. "}" break end
            end
            if not entry and type(value) == "userdata" then
              -- The local cloud is the same daemon from any process: made again by name.
              local mt = getmetatable(value)
              if type(mt) == "table" and mt.__name == "cutover.LocalCloud" then entry = '{provider="local"}' end
            end
            if not entry and type(value) == "function" and value ~= fn and (depth or 0) < 3 then
              local rec = capture(value, texts, (depth or 0) + 1)
              if rec then entry = "{fn=" .. rec .. "}" end
            end
            if not entry then
              local lit = literal(value, 0, {})
              if lit then entry = "{value=" .. lit .. "}" end
            end
            taken[name] = true
            if entry then ups[#ups + 1] = "[" .. format("%q", name) .. "]=" .. entry
            else missing[#missing + 1] = format("%q", name .. " (" .. type(value) .. ")") end
          end
          for i = 1, math.huge do
            local name, value = getupvalue(fn, i)
            if not name then break end
            if name == "_ENV" then env = value else keep(name, value) end
          end
          -- Globals the text names (a prompt's `pause = 2`, a helper function), but for
          -- Lua's own: a name is looked up in the function's environment.
          if env then
            for name in code:gmatch("[%a_][%w_]*") do
              if not taken[name] and not keywords[name] and not standard[name] then
                taken[name] = true
                local ok, value = pcall(function() return env[name] end)
                if ok and value ~= nil then keep(name, value) end
              end
            end
          end
          local chunk = src:sub(1, 1) == "@" and src:sub(2) or src:sub(1, 1) == "=" and src:sub(2) or info.short_src
          return "{source=" .. format("%q", chunk) .. ",line=" .. info.linedefined .. ",text=" .. format("%q", code)
            .. ",upvalues={" .. concat(ups, ",") .. "},missing={" .. concat(missing, ",") .. "}}"
        end
        return function(fn, texts) return capture(fn, texts, 0) end
        """

    /// `restore(record)` → the function and the missing upvalues (one a line), or nil and why.
    static let restore = """
        local make
        make = function(rec)
          local env = setmetatable({}, { __index = _G })
          for name, up in pairs(rec.upvalues or {}) do
            if up.module then env[name] = require(up.module)
            elseif up.provider then env[name] = require("cutover").provider(up.provider)
            elseif up.fn then
              local f, why = make(up.fn)
              if not f then return nil, why end
              env[name] = f
            else env[name] = up.value end
          end
          local chunk, why = load(string.rep("\\n", (rec.line or 1) - 1) .. "return " .. rec.text, "@" .. rec.source, "t", env)
          if not chunk then return nil, why end
          local ok, f = pcall(chunk)
          if not ok then return nil, f end
          return f
        end
        return function(text)
          local reader, why = load("return " .. text, "=(recorded function)", "t", {})
          if not reader then return nil, "the recorded function cannot be read: " .. why end
          local ok, rec = pcall(reader)
          if not ok or type(rec) ~= "table" then return nil, "the recorded function cannot be read" end
          local f, err = make(rec)
          if not f then return nil, err end
          return f, table.concat(rec.missing or {}, "\\n")
        end
        """
}
