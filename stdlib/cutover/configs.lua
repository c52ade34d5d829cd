-- The predefined CodeDeployDefault.* configurations, with CodeDeploy's values
-- (reference §6.1–6.3), made with the same cutover.config a user calls.
return function(cutover)
  local function define(t)
    t.predefined = true
    cutover.config(t)
  end

  -- Server: minimum healthy hosts.
  define { name = "CodeDeployDefault.OneAtATime", platform = "server", minimum_healthy = { type = "ONE_AT_A_TIME" } }
  define { name = "CodeDeployDefault.HalfAtATime", platform = "server", minimum_healthy = { type = "FLEET_PERCENT", value = 50 } }
  define { name = "CodeDeployDefault.AllAtOnce", platform = "server", minimum_healthy = { type = "FLEET_PERCENT", value = 0 } }

  -- Lambda: traffic shifting on the alias.
  for _, minutes in ipairs { 5, 10, 15, 30 } do
    define { name = ("CodeDeployDefault.LambdaCanary10Percent%dMinutes"):format(minutes), platform = "lambda",
             traffic = { type = "canary", percent = 10, interval = minutes } }
  end
  for _, minutes in ipairs { 1, 2, 3, 10 } do
    -- Note CodeDeploy's spelling: "Every1Minute", then "Every2Minutes".
    local unit = minutes == 1 and "Minute" or "Minutes"
    define { name = ("CodeDeployDefault.LambdaLinear10PercentEvery%d%s"):format(minutes, unit), platform = "lambda",
             traffic = { type = "linear", percent = 10, interval = minutes } }
  end
  define { name = "CodeDeployDefault.LambdaAllAtOnce", platform = "lambda", traffic = { type = "all_at_once" } }

  -- ECS: traffic shifting on the production listener ("Every1Minutes", as CodeDeploy spells it).
  for _, minutes in ipairs { 1, 3 } do
    define { name = ("CodeDeployDefault.ECSLinear10PercentEvery%dMinutes"):format(minutes), platform = "ecs",
             traffic = { type = "linear", percent = 10, interval = minutes } }
  end
  for _, minutes in ipairs { 5, 15 } do
    define { name = ("CodeDeployDefault.ECSCanary10Percent%dMinutes"):format(minutes), platform = "ecs",
             traffic = { type = "canary", percent = 10, interval = minutes } }
  end
  define { name = "CodeDeployDefault.ECSAllAtOnce", platform = "ecs", traffic = { type = "all_at_once" } }
end
