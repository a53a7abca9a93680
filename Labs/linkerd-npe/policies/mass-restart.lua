-- score = 2..5
-- October 2017's move: with a service emptied, every linkerd is restarted at once, and nobody
-- reads a log before the cure. Every node loses the accounts namespace.
kubectl "scale deployment new-feature -n accounts --replicas=0"
sim.advance("1m")
for _, proxy in ipairs(mesh.proxies()) do mesh.restart(proxy.node) end
sim.advance("5m")
kubectl "delete svc new-feature -n accounts"
sim.advance("10m")
