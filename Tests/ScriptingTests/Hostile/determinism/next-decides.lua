-- A drill that branches on next: which node it crashes must not depend on the process.
local targets = { ["node-1"] = true, ["node-2"] = true, ["node-3"] = true, alpha = 1, beta = 2, gamma = 3 }
local first = next(targets)
print("first key", first)
local victim = nil
for key in pairs(targets) do
  if type(key) == "string" and key:find("^node%-") then victim = key break end
end
faults.crash(victim)
sim.advance("2m")
print(victim, sim.digest())
