-- The two weeks the Monzo lab's platform lived before the trainee arrives (require
-- "monzo_history"): the etcd resize of Friday 13 October (Labs/lib/etcd_resize.lua), the days
-- after it, Thursday's scale to zero, and Friday up to 14:10. Nothing here steers the outage:
-- each step is an operator's or a team's ordinary deed, and what the seed makes of it is the
-- model's physics (see the lab's README for what is physics and what is assumed).
--
-- The Monzo lab's setup and the outage tests (Tests/ScriptingTests/MonzoOutageTests.swift) both
-- run this file, so the day the lab shows is the day the tests prove.
--
-- Returns history(world): `world` gives etcd, sim, faults and k8s (a lab's world, or a drill's
-- _G); kubectl and etcdctl are the globals every lab and drill has.

local resize = require "etcd_resize"

-- The fortnight's routine deploys, off the payment path: every fourth service of customer
-- operations and of the feed (each seed's bank has its own services, so they are read from the
-- world). A fortnight at a bank deploys far more than this. They write through the controllers'
-- apiservers and through each new pod's kubelet's own.
local function routine_deploys(k8s)
  local picked = {}
  for _, namespace in ipairs({ "cops", "feed" }) do
    for index, deployment in ipairs(k8s.get("deployments", nil, { namespace = namespace })) do
      if index % 4 == 0 then picked[#picked + 1] = { namespace = namespace, name = deployment.metadata.name } end
    end
  end
  return picked
end

-- The fortnight's ordinary reads. Engineers ran kubectl all day, and each run is a new
-- connection that the load balancer hands to any apiserver, so in two weeks every apiserver read
-- these from etcd for someone, through its storage client for each. One read of each through
-- each master (kubectl --server) stands for them; what a dead connection does to a read is the
-- model's. ConfigMaps and DaemonSets are not among them: people seldom read those, and nothing
-- else sends on an apiserver's ConfigMaps client but a kubelet starting a new pod that mounts one.
local operator_reads = { "pods", "deployments", "replicasets", "nodes", "events" }

local function read_through_every_apiserver(k8s)
  for _, server in ipairs(k8s.apiservers()) do
    for _, kind in ipairs(operator_reads) do
      kubectl("--server https://" .. server.host .. " get " .. kind .. " --all-namespaces")
    end
  end
end

return function(world)
  local sim = world.sim
  resize(world)
  sim.advance("20m") -- connections the resize left dead are found dead by those that send
  -- The days after: routine deploys and the operators' reads. Each sends on the storage clients
  -- it touches, so the dead connections those clients still held are found dead (924.6 s after
  -- the first unanswered send) and re-dialled; a kubelet whose apiserver's pod cache was silent
  -- then sees the pods bound to it, and the pods evicted from it.
  for _, target in ipairs(routine_deploys(world.k8s)) do
    kubectl("patch deployment " .. target.name .. " -n " .. target.namespace ..
            [[ -p '{"spec":{"template":{"metadata":{"annotations":{"deployed":"2017-10-16"}}}}}']])
  end
  read_through_every_apiserver(world.k8s)
  sim.advance("20m")
  sim.skip_calendar("2017-10-26 16:00") -- two quiet weeks
  -- Thursday: a team sees problems with a new service and scales it to zero as a precaution.
  kubectl("scale deployment overdraft-alerts -n current-account --replicas=0")
  sim.advance("10m")
  sim.skip_calendar("2017-10-27 14:09")
  sim.advance("60s")
end
