-- Server blue/green on the simulator: four instances in an Auto Scaling group behind a
-- load balancer. Each deployment copies the group, installs on the copy (half at a
-- time), waits for d:continue() (the ready wait), moves traffic over, and terminates
-- the originals after the termination wait. The second deployment breaks while the
-- originals are taken out, so a rollback routes traffic back to them.
local cutover = require "cutover"

local cloud = cutover.sim { seed = 1 }
cloud:fleet { name = "web", hosts = 4, tags = { app = "web" }, asg = "web-asg" }

local web = cutover.group {
  provider = cloud, application = "shop", name = "web-prod",
  targets = { asg = { "web-asg" } }, load_balancer = true,
  config = "CodeDeployDefault.HalfAtATime",
  blue_green = { green = "copy", ready_wait = "1h", termination_wait = "10m" },
  rollback = { on = { "failure" } },
}

local v1 = web:deploy { revision = "shop-v1" }
v1:wait()
print(("%s is %s: replacements installed, waiting for d:continue()"):format(v1.id, v1.status))
v1:continue()
v1:wait()
v1:timeline()

-- v2: one of the v1 instances will not leave the load balancer.
local instances = cloud:instances()
cloud:fault { instance = instances[2].id, event = "BlockTraffic", code = "UnknownError", message = "deregistration timed out", once = true }
local v2 = web:deploy { revision = "shop-v2" }
v2:wait()
if v2.status == "Ready" then v2:continue(); v2:wait() end
print(("%s %s (%s); rollback %s %s"):format(v2.id, v2.status, v2.error, v2.rollback.id, v2.rollback.status))
local revisions = {}
for _, i in ipairs(cloud:instances()) do revisions[#revisions + 1] = i.id .. "=" .. (i.revision or "-") end
print("instances now: " .. table.concat(revisions, " "))
