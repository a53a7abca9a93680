-- expect: instruction budget exhausted
local s = string.rep("ab", 1 << 20)
while true do for w in s:gmatch("a-b") do end end
