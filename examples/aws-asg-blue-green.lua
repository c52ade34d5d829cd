-- Blue/green for an EC2 Auto Scaling group behind an ELBv2 target group.
--
--   cutover --provider aws examples/aws-asg-blue-green.lua [BUCKET ASG TARGET_GROUP [REVISION [ALARM [WAIT [drill]]]]]
--
-- The group's instances are those of the Auto Scaling group ASG (default shop-asg),
-- which must launch from a launch template and serve through TARGET_GROUP (default
-- shop-web). The deployment copies ASG (CodeDeploy_<group>_<deployment id>, same
-- launch template, same size), installs the revision (default examples/shop/v2) on the
-- copy's instances through SSM, registers them in TARGET_GROUP and deregisters the
-- originals, then, after WAIT (default 5s) of termination wait, deletes ASG with its
-- instances and attaches TARGET_GROUP to the copy, which is the group's from then on.
-- If ALARM (a CloudWatch alarm name) goes into ALARM before the end, the deployment
-- stops and a rollback puts the originals back and deletes the copy. With "drill", a
-- Lua hook sets ALARM (SetAlarmState) after the copy took the traffic, to see that
-- happen. The revision travels as a tar.gz in BUCKET (default $CUTOVER_AWS_BUCKET or
-- "cutover-revisions"). An empty argument takes the default.
-- Against an emulator, point AWS_ENDPOINT_URL at it (Tests/CutoverEndToEndTests/
-- AwsServerTests.swift creates what this needs in moto).
local cutover = require "cutover"
local here = (arg[0] or ""):match("^(.*)/[^/]*$") or "."
local function given(i) return arg[i] ~= "" and arg[i] or nil end
local bucket = given(1) or os.getenv("CUTOVER_AWS_BUCKET") or "cutover-revisions"
local asg, target_group = given(2) or "shop-asg", given(3) or "shop-web"
local revision, alarm, wait = given(4) or (here .. "/shop/v2"), given(5), given(6) or "5s"
local drill = arg[7] == "drill"
if drill and not alarm then error("a drill needs an ALARM to set", 0) end

local cloud = cutover.provider "aws"
cloud:bucket(bucket)
if alarm then cloud:set_alarm_state(alarm, "OK", "cutover: a clean start for the blue/green") end

local web = cutover.group {
  provider = cloud, application = "shop", name = "web-bg",
  targets = { asg = { asg } },
  load_balancer = target_group,
  config = "CodeDeployDefault.AllAtOnce",
  blue_green = { green = "copy", termination_wait = wait },
  alarms = alarm and { alarm } or nil,
  rollback = { on = { "failure", "alarm" } },
}
if drill then
  -- Runs in place of the instance's AfterAllowTraffic scripts (the shop has none).
  web:hook("AfterAllowTraffic", function(ctx)
    cloud:set_alarm_state(alarm, "ALARM", "cutover drill: " .. ctx.target.id .. " misbehaves")
  end)
end

-- After an earlier blue/green, the group's targets are the copy that replaced ASG.
local function describe(when)
  local in_group = {}
  for _, i in ipairs(cloud:instances { state = "running" }) do in_group[i.id] = i.asg end
  local by_asg = {}
  for _, id in ipairs(web:targets()) do
    local name = in_group[id] or "-"
    by_asg[name] = (by_asg[name] or 0) + 1
  end
  for name, n in pairs(by_asg) do print(("%s: %d instance(s) in %s"):format(when, n, name)) end
end
describe("before")

local d = web:deploy { revision = revision }
d:watch()

local serving = {}
for _, h in ipairs(cloud:target_health(target_group)) do
  if h.state == "healthy" then serving[#serving + 1] = h.id end
end
table.sort(serving)
print(("serving in %s: %s"):format(target_group, table.concat(serving, " ")))
describe("after")
print(("%s %s%s"):format(d.id, d.status, d.rollback and (", rolled back by " .. d.rollback.id .. " " .. d.rollback.status) or ""))
local expected = drill and "Stopped" or "Succeeded"
if d.status ~= expected then
  print(("expected %s"):format(expected))
  os.exit(1)
end
return d
