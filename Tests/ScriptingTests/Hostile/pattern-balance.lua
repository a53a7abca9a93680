-- %b scans to the end from every start: quadratic.
-- expect: instruction budget exhausted
local s = string.rep("(", 200000)
for i = 1, 100 do s:find("%b()") end
