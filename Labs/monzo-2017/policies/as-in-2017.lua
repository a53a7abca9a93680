-- score = 3..6
-- What the engineers did in 2017, reacting to what they saw: roll the deploy back, restart the
-- linkerds found stale one by one, then restart every linkerd at once; stand-in on; restart
-- the apiservers when the new linkerds cannot start; a status update half an hour in; the
-- NullPointerException found in linkerd's log an hour later, the Service with no endpoints
-- deleted, and customers told.
sim.advance("2m")
kubectl "rollout undo deployment/transaction-processor -n payments"
sim.advance("4m")
dashboard()
sim.advance("2m")
stale = {}
for _, proxy in ipairs(mesh.proxies()) do
  local routes, live = mesh.routes(proxy.node, "payments/transaction-processor"), false
  for _, route in ipairs(routes) do live = live or route.live end
  if #routes > 0 and not live then stale[#stale + 1] = proxy.node end
end
for index = 1, math.min(2, #stale) do mesh.restart(stale[index]) end
sim.advance("8m")
kubectl "delete pods -l app=l5d -n linkerd --wait=false"
sim.advance("5s")
traffic.standin(true)
sim.advance("10m")
sim.advance("1m")
kubectl "get pods -n linkerd"
faults.restart("master-1")
faults.restart("master-2")
faults.restart("master-3")
sim.advance("10m")
status_page("Some customers are having problems with card payments, bank transfers and the app. We are working on a fix.")
sim.advance("10m")
sim.advance("10m")
sim.advance("10m")
sim.advance("10m")
mesh.logs(mesh.proxies()[1].node, 20)
sim.advance("4m")
-- 15:31: the namespaces whose discovery fails, and in them the Services with no endpoints.
for _, report in ipairs(mesh.discovery(mesh.proxies()[1].node)) do
  if report.error then
    for _, ep in ipairs(k8s.get("endpoints", nil, { namespace = report.namespace })) do
      if ep.subsets == nil then kubectl("delete service " .. ep.metadata.name .. " -n " .. report.namespace) end
    end
  end
end
sim.advance("3m")
dashboard()
status_page("From 14:10 to 15:31 many customers could not use their current accounts. Everything is working again.")
