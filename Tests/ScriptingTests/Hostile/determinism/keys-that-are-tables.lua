-- Tables as keys: pairs walks them in the order they were made.
local seen = {}
local made = {}
for i = 1, 50 do
  local key = { number = i }
  made[i] = key
  seen[key] = i
end
local order = {}
for key, number in pairs(seen) do order[#order + 1] = number end
print(table.concat(order, " "))
-- Objects that came from Swift (k8s.get's tables) as keys, too.
local pods = k8s.get("pods")
local byPod = {}
for _, pod in ipairs(pods) do byPod[pod] = pod.metadata.name end
local names = {}
for pod, name in pairs(byPod) do names[#names + 1] = name end
print(table.concat(names, " "))
local fields = {}
for field in pairs(pods[1].metadata) do fields[#fields + 1] = field end
print(table.concat(fields, " "))
print(sim.digest())
