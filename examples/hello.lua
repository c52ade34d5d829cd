-- The smallest Cutover script: run it with `scripts/cutover examples/hello.lua [NAME]`.
local inspect = require "cutover.inspect"

local name = ... or "world"
print(("hello, %s"):format(name))
print(inspect { shell = "cutover", lua = _VERSION, args = { ... } })
