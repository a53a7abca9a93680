-- The budget stops a coroutine; its caller must not get to the next line.
-- expect: instruction budget exhausted
local co = coroutine.create(function() while true do end end)
coroutine.resume(co)
faults.crash("node-1")
