-- expect: instruction budget exhausted
local f = coroutine.wrap(function() while true do end end)
pcall(f)
faults.crash("node-1")
