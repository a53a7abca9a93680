-- score = 9..10
-- A careful engineer: empties the parked service and reads its Endpoints, checks that the
-- running linkerds carry on, restarts one linkerd and reads its log, then cures the cause by
-- deleting the empty Service and waits for the failing linkerd to recover on its own.
-- (Each line is a command of its own, as at the REPL: what later lines use is global.)
kubectl "scale deployment new-feature -n accounts --replicas=0"
sim.advance("30s")
kubectl "get endpoints new-feature -n accounts -o yaml"
sim.advance("1m")
mesh.discovery("node-1")
mesh.logs("node-1", 10)
fresh = mesh.proxies()[#mesh.proxies()].node
mesh.restart(fresh)
sim.advance("30s")
mesh.logs(fresh, 20)
failed = false
for _, view in ipairs(mesh.discovery(fresh)) do failed = failed or view.state == "failed" end
if failed then kubectl "delete svc new-feature -n accounts" end
sim.advance("2m")
mesh.discovery(fresh)
sim.advance("10m")
