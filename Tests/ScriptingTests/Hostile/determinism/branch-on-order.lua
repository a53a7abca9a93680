-- Sessions that graded 10/10 four times in ten: a command that acts on the first key it meets.
local nodes = {}
for _, node in ipairs(k8s.get("nodes")) do nodes[node.metadata.name] = node end
local services = {}
for _, service in ipairs(k8s.get("services", nil, { namespace = "*" })) do services[service.metadata.name] = true end
for name in pairs(nodes) do
  if name ~= "master-1" then faults.crash(name) break end
end
local first = next(services)
print("first service", first)
sim.advance("3m")
print(sim.digest())
