-- An ECS-style blue/green deployment of a web service.
--
-- Two tasks run v1 behind the production listener; the deployment starts a replacement
-- task set with v2, checks it through the test listener (AfterAllowTestTraffic), moves
-- production traffic 20 % at a time, keeps the original tasks for a short termination
-- wait, then removes them. On the local cloud the tasks are real processes behind a real
-- load balancer; `cutover --provider sim examples/ecs/blue-green.lua` runs the same steps
-- in virtual time.
local cutover = require "cutover"
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local cloud = cutover.provider()

local function web(version)
  return cloud:task_definition {
    family = "web", command = { "python3", here .. "app.py" }, environment = { VERSION = version },
    health_path = "/health",
  }
end

local v1 = web "v1"
local service = cloud:service { name = "web", task_definition = v1, desired_count = 2, port = 0, test_port = 0,
                                health_interval = "200ms" }
local v2 = web "v2"

cutover.policy("fifths", function(r)
  for _, weight in ipairs { 20, 40, 60, 80, 100 } do
    r:shift(weight)
    r:bake "1s"
  end
end)

local group = cutover.group {
  provider = cloud, platform = "ecs", name = "web-prod", service = "web", termination_wait = "2s",
  rollback = { on = { "failure" } },
}

local tested
group:hook("AfterAllowTestTraffic", function(ctx)
  if not ctx.test_url then tested = "(simulated: no test listener to call)"; return end
  local body, status = cloud:get(ctx.test_url)
  assert(status == 200 and body:match "v2", "the test listener answered " .. tostring(status) .. " " .. tostring(body))
  tested = body:gsub("%s+$", "")
end)

local d = group:deploy { task_definition = v2, policy = "fifths" }
d:watch()
print(("%s %s: %s"):format(d.id, d.status, d.message))
print("test listener answered: " .. tostring(tested))
if service.url then
  local body = cloud:get(service.url)
  print("production now answers: " .. body:gsub("%s+$", ""))
  if not body:match "v2" then os.exit(1) end
end
if d.status ~= "Succeeded" then os.exit(1) end
