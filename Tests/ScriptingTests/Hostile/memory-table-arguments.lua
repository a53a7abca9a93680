-- expect: table too large to cross into Swift
local t = {}
for i = 1, 1e6 do t[i] = i end
return k8s.apply(t)
