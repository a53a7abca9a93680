-- expect: instruction budget exhausted
local keep = {}
for i = 1, 1e5 do keep[i] = {} end
while true do collectgarbage() end
