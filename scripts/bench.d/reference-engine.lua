-- The reference for the engine benchmark: the same bookkeeping as a OneAtATime
-- deployment over N instances, in plain Lua — per instance a batch, seven lifecycle
-- events started and ended, the target's end, each recorded as an event table with
-- a sequence and a time, and the counters the engine keeps.
-- Usage: lua5.4 reference-engine.lua N
local n = assert(tonumber(arg[1]), "usage: reference-engine.lua N")
local order = { "ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall",
                "ApplicationStart", "ValidateService" }
local durations = { 2000, 5000, 2000, 8000, 2000, 3000, 4000 }

local t0 = os.clock()
local instances = {}
for i = 1, n do
  instances[i] = { id = "i-" .. i, tags = { env = "bench" }, revision = nil, health = "Healthy" }
end
local log, now = {}, 0
local function record(kind, fields)
  fields.seq, fields.t, fields.kind = #log, now, kind
  log[#log + 1] = fields
end
local status, healthy, succeeded = {}, n, 0
record("created", {})
record("started", { minimum_healthy = n - 1, batch_size = 1 })
for i = 1, n do
  record("batch", { index = i - 1, targets = { instances[i].id } })
  status[i] = "InProgress"
  healthy = healthy - 1
  for k, event in ipairs(order) do
    if k == 1 and instances[i].revision == nil then
      record("event_ended", { target = instances[i].id, event = event, status = "Skipped",
                              message = "no previous revision on this instance" })
    else
      record("event_started", { target = instances[i].id, event = event })
      now = now + durations[k]
      record("event_ended", { target = instances[i].id, event = event, status = "Succeeded" })
    end
  end
  record("target_ended", { target = instances[i].id, status = "Succeeded" })
  status[i], healthy, succeeded = "Succeeded", healthy + 1, succeeded + 1
  instances[i].revision = "v1"
end
record("ended", { status = "Succeeded", message = succeeded .. " of " .. n .. " instances succeeded" })
local seconds = os.clock() - t0
io.write(("reference: %d instances  %d events  %.3f s  %d events/s\n"):format(n, #log, seconds, math.floor(#log / seconds)))
