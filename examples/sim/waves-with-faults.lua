-- A custom rollout policy against injected faults, on the simulator.
--
-- "waves": one canary instance, a 5-minute bake watching the 5xx alarm, then waves
-- of a quarter of the fleet, each followed by a 2-minute bake. The first deployment
-- (v1) goes through; the second (v2) meets an alarm during its canary bake, stops,
-- and is rolled back to v1 automatically.
-- Run: scripts/cutover examples/sim/waves-with-faults.lua
local cutover = require "cutover"

cutover.policy("waves", function(r)
  r:deploy(r:pick(1))
  r:bake("5m", { alarms = { "shop-5xx" } })
  local wave = math.ceil(r:total() / 4)
  while r:remaining() > 0 do
    r:deploy(r:pick(wave))
    r:bake "2m"
  end
end)

local cloud = cutover.sim { hosts = 12, prefix = "web", tags = { env = "prod" }, seed = 7 }

local web = cutover.group {
  provider = cloud, application = "shop", name = "web-prod",
  targets = { tags = { env = "prod" } },
  config = "CodeDeployDefault.HalfAtATime",
  alarms = { "shop-5xx" },
  rollback = { on = { "failure", "alarm" } },
}

-- A hook written in Lua: ValidateService checks the "health" of each instance.
web:hook("ValidateService", function(ctx)
  return ctx.target.id ~= "never-healthy"
end)

local v1 = web:deploy { revision = "shop-v1", policy = "waves" }
v1:wait()
v1:timeline()

-- v2: the 5xx alarm fires 2 minutes into the deployment (during the canary's bake).
cloud:fault { alarm = "shop-5xx", at = "2m", duration = "10m" }
local v2 = web:deploy { revision = "shop-v2", policy = "waves" }
v2:wait()
v2:timeline()

local rollback = assert(v2.rollback, "v2 should have been rolled back")
rollback:timeline()
print(("v1 %s; v2 %s (%s); rollback %s to %s by %s"):format(
  v1.status, v2.status, v2.error, rollback.status, rollback.revision, rollback.creator))
