-- cutover: the Lua API of Cutover. `local cutover = require "cutover"`.
--
-- A thin facade over the native functions (cutover.native): they are exported as
-- they are, so an argument error names the caller's line, as lauxlib's do.
--
--   local cloud = cutover.sim { hosts = 8, tags = { env = "prod" }, seed = 1 }
--   local web = cutover.group { provider = cloud, application = "shop", name = "web",
--                               targets = { tags = { env = "prod" } },
--                               config = "CodeDeployDefault.OneAtATime" }
--   local d = web:deploy { revision = "v2" }
--   d:wait()
--   d:timeline()

local native = require "cutover.native"

local M = {
  --- Registers a deployment configuration: { name =, platform =, minimum_healthy = | traffic = }.
  config = native.config,
  --- A configuration by name, as a table.
  configuration = native.configuration,
  --- The names of every known configuration.
  configurations = native.configurations,
  --- Registers a policy: a function(r) that deploys batches, bakes, waits for approval.
  policy = native.policy,
  --- A simulated cloud: { hosts =, tags =, prefix =, seed =, fail_rate =, durations =, faults = }.
  sim = native.sim,
  --- A cloud of the named provider, or of the default one (`--provider`, "sim" by default).
  provider = native.provider,
  --- A deployment group: { provider =, application =, name =, targets =, config =, ... }.
  group = native.group,
  inspect = require "cutover.inspect",
  --- Recorded deployments, newest first: { limit = 20 }.
  history = native.history,
  --- A recorded deployment by ID@SESSION or id: d:at(t), d:timeline(), d:replay{ config = }.
  deployment = native.deployment,
  -- resume(id): takes up a local-cloud deployment whose process died; d:watch() runs it on
  resume = native.resume,
}

--- An alarm on a cloud (`provider =`, or the default provider's):
--- { name =, metric =, target_group = | lambda = [, version =], comparison =, threshold =,
---   period =, evaluation_periods =, datapoints_to_alarm =, treat_missing_data = }.
function M.alarm(definition)
  local fields, cloud = {}, nil
  for k, v in pairs(definition) do
    if k == "provider" then cloud = v else fields[k] = v end
  end
  return (cloud or M.provider()):alarm(fields)
end

require "cutover.configs" (M)

return M
