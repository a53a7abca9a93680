-- service-discovery: how a linkerd learns where a service runs, on the mini-bank (three nodes,
-- two apiservers, linkerd on every node). The trainee compares what each linkerd believes with
-- the Endpoints, scales and rolls out a deployment and watches the routes follow, and then meets
-- a stale route that nothing fakes:
--
-- etcd-3 is lost without a word (a crash: no peer is told). With the lab's seed, the only
-- storage clients pinned to etcd-3 are master-2's Endpoints and Events clients. Kubernetes 1.6
-- stores through etcd client 3.1, which never questions a connection whose far end vanished, so
-- master-2's Endpoints watch goes silent while everything else carries on, quorum included. The
-- linkerds that watch Endpoints through master-2 (node-2 and node-3 with this seed) keep the old
-- addresses when the accounts team rolls out `account` two minutes later. Restarting those
-- linkerds does not help (they list through master-2 again and the list times out); restarting
-- master-2 (new storage clients) or bringing etcd-3 back (the next write gets a reset) does.

-- True when the trainee looked at `kind` (a read in the world's audit log: "routes" for
-- mesh.routes, "endpoints" however they were read: kubectl get ep, describe, k8s.get) at or
-- after simulated time `t`.
local function looked_since(session, t, kind)
  return labkit.first(session.reads{ since = t }, { kind = kind }) ~= nil
end

-- The nodes whose running linkerd would send `service` ("namespace/name") to an address where
-- nothing runs, or has no route for it at all; and how many linkerds run.
local function stale_linkerds(world, service)
  local stale, running = {}, 0
  for _, proxy in ipairs(world.mesh.proxies()) do
    if proxy.running then
      running = running + 1
      local routes = world.mesh.routes(proxy.node, service)
      local good = #routes > 0
      for _, route in ipairs(routes) do good = good and route.live end
      if not good then stale[#stale + 1] = proxy.node end
    end
  end
  return stale, running
end

-- The deployment's ready replicas, and whether every linkerd routes to exactly those pods.
local function routes_follow(world, name)
  local deployment = world.truth.k8s.get("deployments", name, { namespace = "accounts" })
  if not deployment then return false, 0 end
  local ready = deployment.status.readyReplicas or 0
  local stale, running = stale_linkerds(world, "accounts/" .. name)
  if #stale > 0 or running == 0 then return false, ready end
  for _, proxy in ipairs(world.mesh.proxies()) do
    if proxy.running and #world.mesh.routes(proxy.node, "accounts/" .. name) ~= ready then return false, ready end
  end
  return true, ready
end

local function image_of(world, name)
  local deployment = world.truth.k8s.get("deployments", name, { namespace = "accounts" })
  return deployment and deployment.spec.template.spec.containers[1].image
end

-- Moments the lab noticed, in simulated seconds: set by step checks and injects.
local scaled_at, balance_rolled_at, practice_done_at, etcd_lost_at, released_at = nil, nil, nil, nil, nil

return {
  id = "service-discovery",
  title = "Service discovery: how the mesh learns endpoints",
  summary = "See how each linkerd learns a service's pods, scale and roll out, then find and cure a stale route.",
  difficulty = "intermediate",
  minutes = 30,

  -- Seed 102 pins master-2's Endpoints storage client (and only it and Events) to etcd-3.
  scenario = { name = "mini-bank", seed = 102, start = "2017-10-27 14:00",
               versions = { kubernetes = "1.6", linkerd = "0.9.1" } },
  -- Rollouts take a minute or two; sim.advance may skip up to ten minutes at a time (kubectl
  -- "rollout status" waits only where its ten-minute timeout is allowed). The platform is
  -- judged at 14:55, so leaving with card payments failing does not pay.
  time = { speed = 1, advance = "10m", grade_at = "14:55" },

  injects = {
    {
      name = "etcd-3 lost",
      -- Once the practice is over, or at 14:25 for a trainee still on it.
      when = function(world)
        return practice_done_at ~= nil or world.sim.clock() >= "14:25:00"
      end,
      run = function(world)
        world.faults.crash("etcd-3")
        etcd_lost_at = world.sim.now()
      end,
      notice = "[ops] etcd-3 (eu-west-1c) was terminated by an instance retirement. etcd carries on with "
        .. "etcd-1 and etcd-2 (quorum 2 of 3); a replacement is booked for Monday. No action needed.",
    },
    {
      name = "account release",
      when = function(world)
        return etcd_lost_at ~= nil and world.sim.now() >= etcd_lost_at + 120
      end,
      run = function(world)
        local deployment = world.truth.k8s.get("deployments", "account", { namespace = "accounts" })
        deployment.spec.template.spec.containers[1].image = "monzo/account:1.1"
        assert(world.k8s.apply(deployment))
        released_at = world.sim.now()
      end,
      notice = "[deploys] The accounts team is rolling out accounts/account 1.1, a routine release.",
    },
  },

  steps = {
    {
      title = "How a linkerd sees a service",
      briefing = [[
Every node runs a linkerd (mesh.proxies()). Each one watches the Kubernetes Endpoints of the
services it routes, through one of the two apiservers, and keeps its own copy: that copy is
where it sends requests. Compare what linkerd on a node believes about accounts/balance with
what Kubernetes says:
  mesh.routes("node-1", "accounts/balance")
  kubectl "get endpoints balance -n accounts"]],
      hints = {
        'mesh.routes("node-1", "accounts/balance") lists {ip, port, live, marked_dead}: live means a ready pod really runs there.',
        'kubectl "get endpoints balance -n accounts" (or k8s.get("endpoints", "balance", {namespace = "accounts"})) is what the linkerds watch.',
      },
      done = function(world, session)
        if not looked_since(session, 0, "routes") then return false, "look at a linkerd's routes with mesh.routes" end
        return looked_since(session, 0, "endpoints"), "now look at the Endpoints: kubectl \"get endpoints balance -n accounts\""
      end,
    },
    {
      title = "Scale and watch the routes follow",
      briefing = [[
Scale accounts/balance from two replicas to three, then watch each linkerd learn the new pod:
  kubectl "scale deployment balance -n accounts --replicas=3"
  kubectl "get pods -n accounts -o wide"
  mesh.routes("node-2", "accounts/balance")
The step is done when every linkerd routes to all three ready pods and you have looked.]],
      hints = {
        'kubectl "scale deployment balance -n accounts --replicas=3"; a pod takes a few seconds to become ready (sim.advance("30s")).',
        'for _, p in ipairs(mesh.proxies()) do print(p.node, #mesh.routes(p.node, "accounts/balance")) end',
      },
      done = function(world, session)
        local deployment = world.truth.k8s.get("deployments", "balance", { namespace = "accounts" })
        if (deployment.spec.replicas or 0) < 3 then return false, "scale accounts/balance to three replicas" end
        scaled_at = scaled_at or world.sim.now()
        local follows, ready = routes_follow(world, "balance")
        if ready < 3 then return false, string.format("%d of 3 balance pods are ready; give them a moment", ready) end
        if not follows then return false, "not every linkerd has learnt the new pod yet" end
        return looked_since(session, scaled_at, "routes"), "look at the routes again with mesh.routes"
      end,
    },
    {
      title = "Roll out a new image",
      briefing = [[
Release balance 1.1. A rollout replaces every pod, so every address changes:
  local d = k8s.get("deployments", "balance", {namespace = "accounts"})
  d.spec.template.spec.containers[1].image = "monzo/balance:1.1"
  k8s.apply(d)
Follow it with kubectl "rollout status deploy/balance -n accounts" and watch mesh.routes on
each node move to the new pods' addresses.]],
      hints = {
        'kubectl "rollout status deploy/balance -n accounts" waits until the new pods are up.',
        'Every linkerd should list only the new pods, all live: for _, p in ipairs(mesh.proxies()) do print(p.node, #mesh.routes(p.node, "accounts/balance")) end',
      },
      done = function(world, session)
        local image = image_of(world, "balance")
        if not image then return false, "accounts/balance is gone: kubectl \"get deployments -n accounts\"" end
        if image == "monzo/balance:1.0" then return false, "release a new image of accounts/balance (monzo/balance:1.1)" end
        if image:find("broken", 1, true) then return false, "that image is broken: release monzo/balance:1.1" end
        balance_rolled_at = balance_rolled_at or world.sim.now()
        local deployment = world.truth.k8s.get("deployments", "balance", { namespace = "accounts" })
        local status = deployment.status
        if (status.updatedReplicas or 0) < deployment.spec.replicas or (status.replicas or 0) ~= deployment.spec.replicas then
          return false, "the rollout is still going"
        end
        if not routes_follow(world, "balance") then return false, "not every linkerd has moved to the new pods yet" end
        if not looked_since(session, balance_rolled_at, "routes") then return false, "look at the routes again with mesh.routes" end
        practice_done_at = practice_done_at or world.sim.now()
        return true
      end,
    },
    {
      title = "Spot the stale route",
      briefing = [[
Now the platform carries on without you for a while: other teams release, operations replace
machines. Watch the notices. When card payments start failing, find out which linkerds send
requests to addresses where nothing runs (mesh.routes on each node) before you change anything.]],
      hints = {
        "Card payments go edge/gateway -> cards/authoriser -> accounts/account -> ledger/ledger (traffic.path(\"card_payments\")).",
        'for _, p in ipairs(mesh.proxies()) do for _, r in ipairs(mesh.routes(p.node, "accounts/account")) do print(p.node, r.ip, r.live) end end',
      },
      done = function(world, session)
        if not released_at then return false, "nothing has gone wrong yet: keep an eye on the notices (sim.advance(\"2m\"))" end
        return looked_since(session, released_at, "routes"),
          "look at what each linkerd believes about accounts/account with mesh.routes"
      end,
    },
    {
      title = "Cure it",
      briefing = [[
Some linkerds still hold the pods the release replaced. Why did they not hear of the new ones?
Each linkerd watches Endpoints through one apiserver (the apiserver field of mesh.proxies()).
Find what the stale linkerds have in common and cure the cause, so that every linkerd learns
the current pods and card payments recover. Restarting a linkerd is not always the cure.]],
      hints = {
        "mesh.proxies() shows the apiserver each linkerd's discovery talks to; k8s.apiservers() shows when each apiserver last heard from etcd, per resource.",
        "etcd.clients() lists every apiserver storage client with the etcd member it is pinned to and whether that connection is a zombie.",
        'An apiserver makes new storage clients when it restarts: faults.restart("master-2").',
      },
      done = function(world)
        local account = world.truth.k8s.get("deployments", "account", { namespace = "accounts" })
        if (account.status.updatedReplicas or 0) < account.spec.replicas or (account.status.replicas or 0) ~= account.spec.replicas then
          return false, "the account release is still rolling out"
        end
        local stale = stale_linkerds(world, "accounts/account")
        if #stale > 0 then return false, "linkerd on " .. table.concat(stale, ", ") .. " still has no live route to accounts/account" end
        local success = world.traffic.success_rate("card_payments", "1m")
        return success ~= nil and success >= 0.99, "card payments have not recovered yet"
      end,
    },
  },
}
