-- expect: memory limit exceeded (table.concat would need
local piece = string.rep("x", 1 << 20)
local t = {}
for i = 1, 300 do t[i] = piece end
return #table.concat(t)
