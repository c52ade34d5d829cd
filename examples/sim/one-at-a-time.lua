-- OneAtATime over 8 simulated instances while instance 3 fails AfterInstall.
-- Run: scripts/cutover examples/sim/one-at-a-time.lua [LOG_FILE]
-- The same script always gives the same event log (pass LOG_FILE to keep it).
local cutover = require "cutover"

local cloud = cutover.sim { hosts = 8, prefix = "web", tags = { env = "prod" }, seed = 1 }
cloud:fault { instance = 3, event = "AfterInstall", code = "ScriptFailed", message = "exit status 1" }

local web = cutover.group {
  provider = cloud, application = "shop", name = "web-prod",
  targets = { tags = { env = "prod" } },
  config = "CodeDeployDefault.OneAtATime",
}

local d = web:deploy { revision = "shop-v2" }
d:wait()
d:timeline()
print(("status %s, error %s, %d events"):format(d.status, d.error, #d.events))

local path = ...
if path then
  local file = assert(io.open(path, "w"))
  file:write(d:log())
  file:close()
end
