-- What Swift functions return is counted against the memory cap too.
-- instructions: 500000000
-- memory-mib: 32
-- expect: memory limit exceeded
local kept = {}
for i = 1, 1e7 do kept[i] = k8s.get("pods") end
