-- A Lambda canary on AWS, rolled back by a CloudWatch alarm.
--
-- The function, its alias and an alarm must exist (on AWS, or on an emulator: see
-- Tests/CutoverEndToEndTests/AwsExampleTests.swift for what the test creates in moto):
--   cutover --provider aws examples/aws-lambda-canary.lua [FUNCTION ALIAS VERSION ALARM [drill]]
-- It sends 10 % of the alias's traffic to VERSION, bakes while watching ALARM, then
-- moves the rest. With "drill", the alarm is set to ALARM (SetAlarmState) once the
-- canary takes traffic: the deployment stops, the alias goes back whole to the version
-- it had, and a rollback deployment records it. Against an emulator, point
-- AWS_ENDPOINT_URL at it.
local cutover = require "cutover"
local fn, alias, version, alarm, drill = arg[1] or "checkout", arg[2] or "live", arg[3] or "2", arg[4] or "checkout-errors",
  arg[5] == "drill"
local cloud = cutover.provider "aws"
local me = cloud:whoami()
print(("as %s in %s"):format(me.arn, me.region))

cloud:set_alarm_state(alarm, "OK", "cutover: a clean start for the canary")

cutover.policy("canary-10-then-all", function(r)
  r:shift(10)
  if drill then cloud:set_alarm_state(alarm, "ALARM", "cutover drill: the canary misbehaves") end
  r:bake "10s"
  r:shift(100)
end)

local group = cutover.group {
  provider = cloud, platform = "lambda", name = fn .. "-" .. alias, lambda = fn, alias = alias,
  alarms = { alarm }, rollback = { on = { "failure", "alarm" } },
}
local d = group:deploy { version = version, policy = "canary-10-then-all" }
d:watch()

local weights = cloud:alias(fn, alias)
for v, w in pairs(weights) do print(("alias %s: version %s gets %g%%"):format(alias, v, w)) end
print(("%s %s%s"):format(d.id, d.status, d.rollback and (", rolled back by " .. d.rollback.id .. " " .. d.rollback.status) or ""))
local expected = drill and "Stopped" or "Succeeded"
if d.status ~= expected then
  print(("expected %s"):format(expected))
  os.exit(1)
end
