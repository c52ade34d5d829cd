-- A Lambda-style canary that rolls itself back.
--
-- Version 2 of "checkout" passes its smoke test but fails under real traffic. The
-- policy sends it 10 % of the traffic and bakes; an alarm on version 2's error rate
-- fires, the deployment stops, the alias goes back to version 1, and a rollback
-- deployment records it. The same file runs on the local cloud (real handlers, a real
-- load loop through the daemon's invoke endpoint) and on the simulator
-- (`cutover --provider sim examples/lambda/canary.lua`: error rates are modelled).
local cutover = require "cutover"
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local cloud = cutover.provider()

cloud:lambda{ name = "checkout", handler = here .. "v1/handler.sh", error_rate = 0 }
local v1 = cloud:publish "checkout"
cloud:alias("checkout", "live", v1)
cloud:lambda{ name = "checkout", handler = here .. "v2/handler.sh", error_rate = 1 }
local v2 = cloud:publish "checkout"

cloud:alarm{ name = "checkout-v" .. v2 .. "-errors", metric = "function_error_rate", lambda = "checkout", version = v2,
             comparison = ">", threshold = 5, period = "2s", evaluation_periods = 2 }

cutover.policy("canary-10-then-all", function(r)
  r:shift(10)
  r:bake "20s"
  r:shift(100)
end)

local group = cutover.group {
  provider = cloud, platform = "lambda", name = "checkout-live", lambda = "checkout", alias = "live",
  alarms = { "checkout-v" .. v2 .. "-errors" }, rollback = { on = { "failure", "alarm" } },
}
group:hook("BeforeAllowTraffic", function(ctx)
  local answer = cloud:invoke(ctx.lambda .. ":" .. ctx.target_version, { smoke = true })
  assert(not answer.error, "smoke test of version " .. ctx.target_version .. " failed")
end)

local load = cloud:load { target = "checkout:live", rate = 40, duration = "60s" }
local d = group:deploy { version = v2, policy = "canary-10-then-all" }
d:watch()
local seen = load:stop()

print(("%s %s (%s): %s"):format(d.id, d.status, d.error or "-", d.message))
if d.rollback then print(("rollback %s %s"):format(d.rollback.id, d.rollback.status)) end
local weights = cloud:alias("checkout", "live")
for version, weight in pairs(weights) do print(("alias live: version %s gets %d%%"):format(version, weight)) end
print(("load: %d requests, %d errors"):format(seen.total, seen.errors))
if d.status ~= "Stopped" or weights[v1] ~= 100 then
  print "expected the canary to stop and the alias to be back on version 1"
  os.exit(1)
end
