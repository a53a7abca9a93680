-- expect: instruction budget exhausted
local s = string.rep("x", 1 << 24)
for i = 1, 100 do s = s:gsub("", "") end
