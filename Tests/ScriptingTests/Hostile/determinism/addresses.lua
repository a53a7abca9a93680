-- Nothing a script prints may carry an address.
local t = {}
print(tostring(t), tostring(print), tostring(string.find), tostring(coroutine.create(print)))
print(string.format("%p %p %p %s", t, print, "text", t))
print(tostring(setmetatable({}, { __name = "thing" })))
print(select(2, pcall(error, setmetatable({}, { __tostring = function() return "custom" end }))))
print(sim.digest())
