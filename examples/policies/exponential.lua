-- A traffic policy for functions and services: 1 %, 2 %, 4 % … 64 %, then all of it,
-- baking two minutes after each step while the group's alarms are watched.
--   cutover plan --platform lambda --policy examples/policies/exponential.lua
local cutover = require "cutover"

cutover.policy("exponential", function(r)
  local weight = 1
  while weight < 100 do
    r:shift(weight)
    r:bake "2m"
    weight = weight * 2
  end
  r:shift(100)
end)
