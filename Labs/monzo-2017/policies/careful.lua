-- score = 9..10
-- A careful on-call engineer: sees customers fail, keeps cards working with stand-in, tells
-- customers, looks at linkerd's routes, its logs and the control plane (each a command of its
-- own), then restarts the apiservers one at a time, checking each is serving again before the
-- next; then deals with any Service left with no endpoints, checks and says it is over.
sim.advance("2m")
dashboard()
traffic.standin(true)
status_page("Since 14:10 some card payments and bank transfers are failing. Card stand-in is approving small card payments while we investigate.")
proxies = mesh.proxies()
mesh.routes(proxies[1].node, "payments/transaction-processor")
mesh.discovery(proxies[1].node)
mesh.logs(proxies[1].node, 10)
etcd.clients()
k8s.apiservers()
for _, master in ipairs({ "master-1", "master-2", "master-3" }) do
  faults.restart(master)
  for _ = 1, 12 do
    sim.advance("5s")
    local serving = false
    for _, server in ipairs(k8s.apiservers()) do
      local endpoints = server.resources.endpoints
      if server.host == master and server.running and endpoints and endpoints.ready then serving = true end
    end
    if serving then break end
  end
  sim.advance("10s")
end
sim.advance("30s")
empty = {}
for _, endpoints in ipairs(k8s.get("endpoints", nil, { namespace = "*" })) do
  if endpoints.subsets == nil and endpoints.metadata.namespace ~= "default" then empty[#empty + 1] = endpoints end
end
for _, endpoints in ipairs(empty) do kubectl("delete service " .. endpoints.metadata.name .. " -n " .. endpoints.metadata.namespace) end
sim.advance("2m")
dashboard()
status_page("From 14:10 card payments and bank transfers failed for some customers after a deploy: our service discovery had gone stale. It is fixed and payments are working again.")
