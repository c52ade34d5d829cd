-- Blue/green for an Auto Scaling group behind a load balancer.
--
-- Three hosts in "shop-asg" run the sample shop v1 (deployed blue/green from bare
-- hosts); then v2 goes blue/green under a steady load loop: the group is copied, v2 is
-- installed on the copy, traffic moves over through the load balancer, and the v1 hosts
-- are terminated after a short termination wait. Not one request fails.
--   cutover --provider local examples/asg/blue-green.lua   (real hosts, real HTTP)
--   cutover --provider sim examples/asg/blue-green.lua     (virtual time)
local cutover = require "cutover"
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local cloud = cutover.provider()

local lb = cloud:load_balancer { name = "shop", health = "/health", health_interval = 1 }
cloud:asg { name = "shop-asg", min = 1, max = 6, desired = 3, prefix = "shop" }

local group = cutover.group {
  provider = cloud, application = "shop", name = "shop-prod",
  targets = { asg = { "shop-asg" } }, load_balancer = lb,
  config = "CodeDeployDefault.AllAtOnce",
  blue_green = { green = "copy", termination_wait = "3s" },
  rollback = { on = { "failure" } },
}

local v1 = group:deploy { revision = here .. "../shop/v1" }
v1:wait()
print(("v1: %s %s: %s"):format(v1.id, v1.status, v1.message))

local load = lb.url and cloud:load { url = lb.url .. "/", rate = 40, duration = "120s" }
local v2 = group:deploy { revision = here .. "../shop/v2" }
v2:watch()
print(("v2: %s %s: %s"):format(v2.id, v2.status, v2.message))
if load then
  local seen = load:stop()
  local versions = {}
  for body, n in pairs(seen.by_version) do versions[#versions + 1] = ("%s ×%d"):format(body, n) end
  table.sort(versions)
  print(("load: %d requests, %d failed: %s"):format(seen.total, seen.errors, table.concat(versions, ", ")))
  if seen.errors > 0 then os.exit(1) end
end
if v1.status ~= "Succeeded" or v2.status ~= "Succeeded" then os.exit(1) end
