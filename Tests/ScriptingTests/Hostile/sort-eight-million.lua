-- expect: instruction budget exhausted
local t = {}
for i = 1, 8e6 do t[i] = 8e6 - i end
table.sort(t)
