-- monzo-2017: the capstone. Friday 27 October 2017, 14:10, on call at a bank as a routine deploy
-- goes out. Nothing here decides the outage: the setup replays the history that led to it (the
-- etcd resize two weeks before, a service scaled to zero the day before) through the model, and
-- what the trainee does next meets the platform's own mechanics.

-- The two weeks before: the etcd resize, the days after it, Thursday's scale to zero
-- (Labs/lib/monzo_history.lua, which the outage tests replay too).
local history = require "monzo_history"

local deployed_at = nil -- simulated seconds when the 14:10 deploy went out

-- What broke in this world, as it stood when the deploy went out, for the grader: the
-- apiservers with an etcd storage client on a connection that no longer answers, or whose cache
-- of a resource stopped following etcd (a watch lost on reconnect, etcd-io/etcd#7290), and the
-- Services in the namespaces linkerd routes whose Endpoints have no subsets at all (null, which
-- linkerd 0.9.1 cannot parse). Read from the world, not assumed from the seed.
local function record_what_broke(world, session)
  local stuck, seen = {}, {}
  for _, client in ipairs(world.etcd.clients()) do
    local master = client.owner:match("^kube%-apiserver/(.+)$")
    if master and (client.zombie or client.lost_watches > 0) and not seen[master] then seen[master] = true; stuck[#stuck + 1] = master end
  end
  table.sort(stuck)
  local routed = {}
  for _, report in ipairs(world.mesh.discovery(world.mesh.proxies()[1].node)) do routed[report.namespace] = true end
  local empty = {}
  for _, endpoints in ipairs(world.truth.k8s.get("endpoints", nil, { namespace = "*" })) do
    local namespace = endpoints.metadata.namespace
    if routed[namespace] and endpoints.subsets == nil then empty[#empty + 1] = namespace .. "/" .. endpoints.metadata.name end
  end
  session.event("stuck_apiservers", table.concat(stuck, " "))
  session.event("empty_services", table.concat(empty, " "))
end

-- Looks at what customers feel: the dashboard, the traffic, the alerts, the metrics.
local customer_views = { "dashboard", "traffic", "alerts", "metrics" }

local current_account = { "card_payments", "bank_transfers", "feed_balance", "cops_lookups" }

return {
  id = "monzo-2017",
  title = "Monzo, 27 October 2017: the current account goes down",
  summary = "On call at a bank as a routine deploy goes out at 14:10. Restore payments with the least harm to customers.",
  difficulty = "advanced",
  minutes = 60,

  -- Two weeks before: etcd runs on three old instances (etcd-old-1..3); nine new ones wait.
  -- `seed` is the day the recorded solutions were played on; `seeds` are the vetted days a
  -- session draws from (each gives a Monzo-like day by mechanism alone: MonzoSeedVettingTests).
  scenario = { name = "bank", seed = 35, seeds = { 35, 42, 62 }, start = "2017-10-13 10:00", versions = { etcd = "three-before-resize" } },
  -- Time follows the wall clock; sim.advance may skip up to ten minutes at a time. The platform
  -- is judged at 15:40, a little after the real outage ended.
  time = { speed = 1, advance = "10m", grade_at = "15:40" },

  setup = function(world) history(world) end,

  injects = {
    {
      name = "the 14:10 deploy",
      at = "14:10",
      run = function(world, session)
        record_what_broke(world, session)
        local deployment = world.truth.k8s.get("deployments", "transaction-processor", { namespace = "payments" })
        deployment.spec.template.spec.containers[1].image = "monzo/transaction-processor:2017.10.27"
        world.k8s.apply(deployment)
        deployed_at = world.sim.now()
      end,
      notice = "#deploys: payments/transaction-processor 2017.10.27 is rolling out (a routine release).",
    },
  },

  steps = {
    {
      title = "What are customers feeling?",
      briefing = [[
It is Friday 27 October 2017, 14:10, and you are on call. A routine deploy of the transaction
processor, in the current account's payment path, has just gone out. Watch what customers feel:
dashboard() shows every request class; alerts.firing() what pages; traffic.success_rate(class).]],
      hints = {
        'dashboard() shows each request class: success over the last 15 minutes, rate, p99.',
        'Prepaid cards run on their own path: compare traffic.success_rate("prepaid_card_payments") with "card_payments".',
      },
      -- Done once the trainee has seen customers fail: a look at the traffic, the dashboard or
      -- the alerts after the deploy that showed failures (a look while all was well is not it).
      done = function(world, session)
        if not deployed_at then return false, "the deploy has not gone out yet: it goes at 14:10" end
        local saw = labkit.first(session.reads{ since = deployed_at },
                                 { kind = customer_views, findings = function(findings) return #findings > 0 end })
        return saw ~= nil, "look at what customers feel now: dashboard(), alerts.firing(), traffic.success_rate(class)"
      end,
    },
    {
      title = "Keep cards working while you dig",
      briefing = [[
Payments are failing. The card processor has a stand-in mode: the card network approves
low-value payments on the bank's behalf while the platform cannot. Switch it on
(traffic.standin(true)) and tell customers what is happening (status_page("...")).]],
      hints = {
        "traffic.standin(true) switches card stand-in on; traffic.standin() says whether it is on.",
        'status_page("Some card payments and transfers are failing; we are investigating.")',
      },
      done = function(world, session)
        return world.traffic.standin() and #session.status_posts() > 0,
          "switch card stand-in on and post a status update"
      end,
    },
    {
      title = "Find out where requests go",
      briefing = [[
Deploys fail sometimes, but this one should not break every request. Before changing anything
else, find out where requests go: which pod addresses does the linkerd on a node believe in
(mesh.routes(node, "payments/transaction-processor")), and are those pods real? Compare with
kubectl "get endpoints transaction-processor -n payments". Who should have told linkerd about
the new pods, and is it healthy (mesh.discovery(node), etcdctl "endpoint health --cluster")?]],
      hints = {
        'mesh.routes("node-1", "payments/transaction-processor") marks each address live or not.',
        "linkerd learns endpoints by watching the apiserver it is connected to (mesh.proxies() says which). A watch that stays open but silent keeps old addresses forever.",
        "etcd itself is healthy. The apiserver's etcd clients are another matter: kubectl \"logs -n kube-system kube-apiserver-master-1\" and friends.",
      },
      done = function(world, session)
        return deployed_at ~= nil and labkit.first(session.reads{ since = deployed_at }, { kind = { "routes", "discovery" } }) ~= nil,
          "look at the routes a linkerd holds: mesh.routes(node, \"payments/transaction-processor\")"
      end,
    },
    {
      title = "Restore payments",
      briefing = [[
Restore current-account payments with the least harm to customers. Think before restarting
everything at once: a freshly started linkerd throws its cache away and lists every service in
each namespace again.]],
      hints = {
        "Restarting an apiserver (faults.restart(\"master-1\")) re-creates its etcd clients; its watchers re-list.",
        'kubectl "get endpoints -n current-account": a service with no endpoints at all is written as null subsets by Kubernetes 1.6.',
        "linkerd 0.9.1 cannot parse null subsets: a freshly started linkerd fails discovery for that whole namespace.",
      },
      done = function(world)
        for _, name in ipairs(current_account) do
          if world.traffic.success_rate(name, "1m") < 0.99 then return false, name .. " is still failing" end
        end
        return deployed_at ~= nil
      end,
    },
  },
}
