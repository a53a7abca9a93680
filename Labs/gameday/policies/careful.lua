-- score = 8..10
-- A careful on-call engineer who knows nothing of the incident: notes how the platform looks at
-- hand-over, waits for trouble, looks at every layer (a command of its own: a look in the same
-- command as a deed does not count), fixes what differs from hand-over, tells customers, and
-- keeps watching for a second fault.
NAMESPACES = { "edge", "cards", "payments", "current-account", "ledger", "feed", "cops" }
function deployments()
  local all = {}
  for _, namespace in ipairs(NAMESPACES) do
    for _, d in ipairs(k8s.get("deployments", nil, { namespace = namespace }) or {}) do all[#all + 1] = d end
  end
  return all
end
function signature(d)
  local images = {}
  for _, container in ipairs(d.spec.template.spec.containers) do images[#images + 1] = container.image end
  return table.concat(images, ",")
end
baseline = {}
for _, d in ipairs(deployments()) do baseline[d.metadata.namespace .. "/" .. d.metadata.name] = { replicas = d.spec.replicas, image = signature(d) } end
function unhealthy_etcd()
  local down = {}
  local ok, members = pcall(etcd.members)
  for _, member in ipairs(ok and members or {}) do if not member.healthy then down[#down + 1] = member.host end end
  return down
end
function nodes_down()
  local down = {}
  for _, n in ipairs(k8s.get("nodes") or {}) do
    for _, c in ipairs(n.status.conditions or {}) do
      if c.type == "Ready" and c.status ~= "True" then down[#down + 1] = n.metadata.name end
    end
  end
  return down
end
function apiservers_down()
  local down = {}
  local ok, servers = pcall(k8s.apiservers)
  for _, s in ipairs(ok and servers or {}) do if s.running == false then down[#down + 1] = s.host end end
  return down
end
function customers_hurt()
  for _, class in ipairs(traffic.classes()) do
    if traffic.success_rate(class, "30s") < 0.99 then return true end
  end
  return false
end
function trouble()
  return customers_hurt() or #faults.active() > 0 or #unhealthy_etcd() > 0
    or #nodes_down() > 0 or #apiservers_down() > 0
end
function wait_for_trouble(limit)
  local waited = 0
  while waited < limit and not trouble() do sim.advance("15s"); waited = waited + 15 end
end
function diagnose()
  local seen = { faults = faults.active(), etcd = unhealthy_etcd(), nodes = nodes_down(), apiservers = apiservers_down(),
                 changed = {}, scaled = {} }
  for _, d in ipairs(deployments()) do
    local key = d.metadata.namespace .. "/" .. d.metadata.name
    local before = baseline[key]
    if before and signature(d) ~= before.image then seen.changed[#seen.changed + 1] = d end
    if before and d.spec.replicas < before.replicas then seen.scaled[#seen.scaled + 1] = { d = d, replicas = before.replicas } end
  end
  return seen
end
function remedy(seen)
  if #seen.faults > 0 then faults.heal() end
  for _, list in ipairs({ seen.etcd, seen.nodes, seen.apiservers }) do
    for _, host in ipairs(list) do faults.restart(host) end
  end
  for _, d in ipairs(seen.changed) do
    kubectl("rollout undo deployment/" .. d.metadata.name .. " -n " .. d.metadata.namespace)
    baseline[d.metadata.namespace .. "/" .. d.metadata.name].image = nil
  end
  for _, s in ipairs(seen.scaled) do
    kubectl("scale deployment/" .. s.d.metadata.name .. " --replicas=" .. s.replicas .. " -n " .. s.d.metadata.namespace)
  end
end
function settle_baseline()
  for _, d in ipairs(deployments()) do
    local entry = baseline[d.metadata.namespace .. "/" .. d.metadata.name]
    if entry and entry.image == nil then entry.image = signature(d) end
  end
end
wait_for_trouble(280)
wait_for_trouble(280)
seen = diagnose()
remedy(seen)
status_page("We are investigating failures affecting some payments and app requests; we have found the cause and are rolling out a fix. Next update in 30 minutes.")
sim.advance("1m")
settle_baseline()
wait_for_trouble(280)
seen = diagnose()
remedy(seen)
sim.advance("1m")
settle_baseline()
wait_for_trouble(280)
seen = diagnose()
remedy(seen)
sim.advance("4m")
