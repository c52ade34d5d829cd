-- The quickstart: four local hosts behind a load balancer, the sample shop v1 on all
-- of them, then v2 half at a time, watched live; at the end, what the load balancer
-- serves. Run: scripts/cutover examples/quickstart.lua   (then: cutover local down)
local cutover = require "cutover"

local cloud = cutover.provider "local"   -- starts the local cloud daemon if needed

-- Four hosts for the shop (kept between runs: only the missing ones are added).
local have = 0
for _, host in ipairs(cloud:instances()) do
  if host.tags.app == "shop" then have = have + 1 end
end
if have < 4 then cloud:fleet { name = "shop", hosts = 4 - have, tags = { app = "shop" } } end

-- An HTTP load balancer on 127.0.0.1 that health-checks /health.
local lb = cloud:load_balancer { name = "shop", health = "/health" }

local shop = cutover.group {
  provider = cloud, application = "shop", name = "shop-prod",
  targets = { tags = { app = "shop" } },
  config = "CodeDeployDefault.HalfAtATime",
  load_balancer = lb,
  rollback = { on = { "failure" } },
}

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"

print("== v1, on every host at once")
local v1 = shop:deploy { revision = here .. "shop/v1", config = "CodeDeployDefault.AllAtOnce" }
v1:watch()
assert(v1.status == "Succeeded", v1.message)

print("== v2, half at a time behind the load balancer")
local v2 = shop:deploy { revision = here .. "shop/v2" }
v2:watch()
assert(v2.status == "Succeeded", v2.message)

local body, status = cloud:get(lb.url)
print(("== the shop is at %s and serves (HTTP %s): %s"):format(lb.url, tostring(status), body))
