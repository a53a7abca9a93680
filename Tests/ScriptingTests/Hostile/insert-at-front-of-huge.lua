-- expect: instruction budget exhausted
local t = {}
for i = 1, 1e6 do t[i] = i end
for i = 1, 1000 do table.insert(t, 1, i) end
