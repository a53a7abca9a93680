-- linkerd-npe: linkerd/linkerd#1219 from first principles, on the mini-bank (three nodes, two
-- apiservers, linkerd 0.9.1 on every node, Kubernetes 1.6).
--
-- Nothing here is staged: the trainee empties a service, and Kubernetes 1.6 writes its Endpoints
-- with `subsets: null`. linkerd 0.9.1's io.l5d.k8s namer reads `subsets` as a list, but only one
-- path of it matters: a namer whose cache is empty (a linkerd that just started) fills it from a
-- namespace list, and that list now holds the null, so it throws NullPointerException and has no
-- discovery for the whole namespace, retrying and failing until the null goes. A namer that was
-- already running applies the change as a watch update and carries on. So the linkerds that were
-- up when the service emptied are fine, and only a fresh one is hit: the trap that turned
-- Monzo's partial outage into a full one when every linkerd was restarted at once.
--
-- The trainee reproduces it on one linkerd, reads why, and cures the cause (the empty Endpoints:
-- delete the Service or give it a pod), not the symptom.

local EMPTIED = { namespace = "accounts", name = "new-feature" }

-- Seconds (simulated) the lab noticed: when the service first had no endpoints.
local emptied_at = nil

local function deployment(world)
  return world.truth.k8s.get("deployments", EMPTIED.name, { namespace = EMPTIED.namespace })
end

local npe = require "npe"

-- Whether the trainee looked at something matching `filter` at or after `t` (the audit log).
local function looked_since(session, t, filter)
  return labkit.first(session.reads{ since = t }, filter) ~= nil
end

-- Moments steps completed, for the later steps' "since".
local quiet_checked_at, reproduced_at = nil, nil

return {
  id = "linkerd-npe",
  title = "linkerd's NullPointerException: why only a fresh proxy is hit",
  summary = "Empty a service on Kubernetes 1.6, restart one linkerd 0.9.1 and watch it fail a whole namespace; cure the cause.",
  difficulty = "intermediate",
  minutes = 25,

  -- Thursday, the day before the outage: a quiet morning on the practice bank.
  scenario = { name = "mini-bank", seed = 11, start = "2017-10-26 11:00",
               versions = { kubernetes = "1.6", linkerd = "0.9.1" } },
  -- One command may move the clock ten minutes; the platform is judged at 11:45.
  time = { speed = 1, advance = "10m", grade_at = "11:45" },

  steps = {
    {
      title = "A service with no pods",
      briefing = [[
accounts/new-feature is a service nobody calls yet. Scale it to zero, as a team does when it
parks a feature, and look at what Kubernetes 1.6 writes for a service with no pods:
  kubectl "scale deployment new-feature -n accounts --replicas=0"
  sim.advance("30s")
  kubectl "get endpoints new-feature -n accounts -o yaml"
Compare it with a service that has pods (kubectl "get endpoints balance -n accounts -o yaml").]],
      hints = {
        'kubectl "scale deployment new-feature -n accounts --replicas=0", then give the endpoints controller a moment: sim.advance("30s").',
        'k8s.get("endpoints", "new-feature", {namespace = "accounts"}).subsets is nil: Kubernetes 1.6 writes "subsets: null", not an empty list.',
      },
      done = function(world, session)
        local d = deployment(world)
        if not d then return false, "accounts/new-feature is gone; this lab needs it: start again" end
        if (d.spec.replicas or 0) > 0 then return false, "scale accounts/new-feature to zero replicas" end
        if #npe.null_endpoints(world) == 0 then return false, "the endpoints controller has not emptied the Endpoints yet: sim.advance(\"30s\")" end
        emptied_at = emptied_at or world.sim.now()
        return looked_since(session, emptied_at, { kind = "endpoints" }),
          "look at the empty Endpoints: kubectl \"get endpoints new-feature -n accounts -o yaml\""
      end,
    },
    {
      title = "The running linkerds carry on",
      briefing = [[
Every linkerd watches the Endpoints of the namespaces it routes, and it has just been told that
new-feature has no pods. Is anything wrong? Look at what a running linkerd believes and logs, and
at the customers:
  mesh.discovery("node-1")     -- the state of each namespace: watching, failed, retrying
  mesh.logs("node-1", 10)
  dashboard()
The step is done when a minute has passed with the service empty and you have looked.]],
      hints = {
        'mesh.discovery("node-1") shows accounts as "watching", with no null_pointer_exceptions: the watch update was applied.',
        'sim.advance("1m"), then dashboard(): card payments and balance checks are fine.',
      },
      done = function(world, session)
        if not emptied_at then return false, "first empty accounts/new-feature (step 1)" end
        if world.sim.now() < emptied_at + 60 then return false, "give it a minute: sim.advance(\"1m\")" end
        if not looked_since(session, emptied_at, { kind = { "discovery", "routes" } })
          and not looked_since(session, emptied_at, { verb = "logs", namespace = "linkerd" }) then
          return false, "look at a running linkerd: mesh.discovery(\"node-1\") or mesh.logs(\"node-1\", 10)"
        end
        quiet_checked_at = quiet_checked_at or world.sim.now()
        return true
      end,
    },
    {
      title = "A fresh linkerd",
      briefing = [[
Now restart ONE linkerd, as a rolling config change or a node replacement would, and read what
the new one says:
  mesh.restart("node-3")
  sim.advance("30s")
  mesh.logs("node-3", 20)
  mesh.discovery("node-3")
Restart one only: every linkerd you restart now loses the whole accounts namespace.]],
      hints = {
        'mesh.restart("node-3") deletes its pod; the DaemonSet starts a new one in a few seconds (sim.advance("30s")).',
        'Look for "k8s failed to list endpoints" and java.lang.NullPointerException in mesh.logs("node-3", 20).',
        'mesh.routes("node-3", "accounts/balance") says why node-3 has no route to balance any more.',
      },
      done = function(world, session)
        if not quiet_checked_at then return false, "first see that the running linkerds carry on (step 2)" end
        local thrown = npe.thrown_on(world, EMPTIED.namespace)
        if #thrown == 0 then return false, "restart one linkerd (mesh.restart(\"node-3\")) and give it a moment" end
        reproduced_at = reproduced_at or world.sim.now()
        return looked_since(session, reproduced_at - 60, { verb = "logs", namespace = "linkerd", host = thrown }),
          "read the fresh linkerd's log: mesh.logs(\"" .. thrown[1] .. "\", 20)"
      end,
    },
    {
      title = "Cure the cause",
      briefing = [[
The fresh linkerd filled its empty cache from a list of the whole accounts namespace, and
0.9.1's list path cannot read subsets: null (linkerd#1219, fixed in 1.0.0). The running
linkerds applied the same change as a watch update, which tolerates it. Restarting the fresh
one again only throws again. Cure the cause so that the failing linkerd recovers by itself on
its next retry, and restart nothing else: make accounts' Endpoints readable again, by deleting
the parked Service or by giving it a pod.]],
      hints = {
        'kubectl "delete svc new-feature -n accounts" (its Endpoints goes with it), or scale it back to one replica.',
        'The failing linkerd retries its list with backoff: sim.advance("1m"), then mesh.discovery("node-3").',
      },
      done = function(world)
        if not reproduced_at then return false, "first reproduce the exception on one linkerd (step 3)" end
        local left = npe.null_endpoints(world)
        if #left > 0 then return false, table.concat(left, ", ") .. " still has subsets: null" end
        local failing = npe.failing_discovery(world)
        if #failing > 0 then return false, "discovery still failing: " .. table.concat(failing, ", ") .. " (it retries with backoff: sim.advance(\"1m\"))" end
        local cards, balances = world.traffic.success_rate("card_payments", "1m"), world.traffic.success_rate("balance_checks", "1m")
        return cards >= 0.99 and balances >= 0.99, "customers are not whole yet: dashboard()"
      end,
    },
  },
}
