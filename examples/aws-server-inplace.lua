-- An in-place deployment of the sample shop to EC2 instances on AWS, half of them at a
-- time, behind an ELBv2 target group, rolled back when it fails.
--
--   cutover --provider aws examples/aws-server-inplace.lua [BUCKET TARGET_GROUP ENV [REVISION [EXPECTED]]]
--
-- The instances are the running ones tagged app=shop and env=ENV (default prod); they
-- need the SSM agent (and an instance profile allowing it) and curl or wget. The
-- revision (default examples/shop/v2) is packed as a tar.gz into BUCKET (default
-- $CUTOVER_AWS_BUCKET or "cutover-revisions"), which must exist; each instance fetches
-- it with a presigned URL. Each lifecycle event is one SSM Run Command; BlockTraffic
-- and AllowTraffic deregister and register the instance in TARGET_GROUP (default
-- shop-web). EXPECTED is the status the deployment should end in (default Succeeded).
-- Against an emulator, point AWS_ENDPOINT_URL at it (Tests/CutoverEndToEndTests/
-- AwsServerTests.swift creates what this needs in moto).
local cutover = require "cutover"
local here = (arg[0] or ""):match("^(.*)/[^/]*$") or "."
local bucket = arg[1] or os.getenv("CUTOVER_AWS_BUCKET") or "cutover-revisions"
local target_group, env = arg[2] or "shop-web", arg[3] or "prod"
local revision, expected = arg[4] or (here .. "/shop/v2"), arg[5] or "Succeeded"

local cloud = cutover.provider "aws"
cloud:bucket(bucket)

local instances = cloud:instances { tags = { app = "shop", env = env }, state = "running" }
print(("%d running instance(s) tagged app=shop env=%s"):format(#instances, env))

local web = cutover.group {
  provider = cloud, application = "shop", name = "web-" .. env,
  -- app=shop AND env=ENV: a tag set (tags = { … } would match either, as CodeDeploy's tag filters do)
  targets = { tag_set = { { { key = "app", value = "shop" } }, { { key = "env", value = env } } } },
  load_balancer = target_group,
  config = "CodeDeployDefault.HalfAtATime",
  rollback = { on = { "failure" } },
}
local d = web:deploy { revision = revision }
d:watch()

for _, h in ipairs(cloud:target_health(target_group)) do print(("%s %s in %s"):format(h.id, h.state, target_group)) end
print(("%s %s%s"):format(d.id, d.status, d.rollback and (", rolled back by " .. d.rollback.id .. " " .. d.rollback.status) or ""))
if d.status ~= expected then
  print(("expected %s"):format(expected))
  os.exit(1)
end
return d
