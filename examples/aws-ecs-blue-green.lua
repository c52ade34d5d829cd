-- ECS blue/green on AWS: a replacement task set in the idle target group, the test
-- listener pointed at it, production traffic moved over in fifths through the
-- listener's weights, then the replacement made primary and the original removed.
--
-- The service (deployment controller EXTERNAL, a primary task set serving), its load
-- balancer's listeners and two target groups must exist; name them as KEY=VALUE:
--   cutover --provider aws examples/aws-ecs-blue-green.lua cluster=prod service=web \
--     listener=ARN test_listener=ARN blue=ARN green=ARN container=web port=8080 \
--     task_definition=web:2 subnets=subnet-1,subnet-2 security_groups=sg-1 [alarm=NAME [drill]]
-- With "drill", the alarm goes to ALARM (SetAlarmState) at 40 %: the deployment stops,
-- production goes back whole to the original task set, the replacement is removed.
-- Against an emulator, point AWS_ENDPOINT_URL at it.
local cutover = require "cutover"
local o = {}
for _, a in ipairs(arg) do
  local k, v = a:match("^([%w_]+)=(.*)$")
  if k then o[k] = v elseif a == "drill" then o.drill = true end
end
local function list(s) local t = {} for x in (s or ""):gmatch("[^,]+") do t[#t + 1] = x end return t end

local cloud = cutover.provider "aws"
cloud:ecs_service {
  name = o.service, cluster = o.cluster, listener = o.listener, test_listener = o.test_listener,
  target_groups = { o.blue, o.green }, container = o.container or o.service, port = tonumber(o.port or 80),
  launch_type = o.launch_type or "FARGATE", subnets = list(o.subnets), security_groups = list(o.security_groups),
}
if o.alarm then cloud:set_alarm_state(o.alarm, "OK", "cutover: a clean start") end

cutover.policy("fifths", function(r)
  for step = 1, 5 do
    r:shift(step * 20)
    if o.drill and step == 2 then cloud:set_alarm_state(o.alarm, "ALARM", "cutover drill: the replacement misbehaves") end
    if step < 5 then r:bake "1s" end
  end
end)

local group = cutover.group {
  provider = cloud, platform = "ecs", name = o.service .. "-bg", service = o.service, termination_wait = "1s",
  alarms = o.alarm and { o.alarm } or nil, rollback = { on = { "failure", "alarm" } },
}
local d = group:deploy { task_definition = o.task_definition, policy = "fifths" }
d:watch()

for _, set in ipairs(cloud:task_sets(o.service)) do
  print(("task set %s %s %s"):format(set.id, set.status, set.task_definition))
end
local weights = cloud:listener_weights(o.listener)
print(("production: blue %d, green %d"):format(weights[o.blue] or 0, weights[o.green] or 0))
print(("%s %s%s"):format(d.id, d.status, d.rollback and (", rolled back by " .. d.rollback.id .. " " .. d.rollback.status) or ""))
if d.status ~= (o.drill and "Stopped" or "Succeeded") then os.exit(1) end
