-- The rubric for service-discovery: the practice (routes followed a scale and a rollout), the
-- evidence gathered after the account release, the platform at 14:55, how soon card payments
-- recovered, and whether the cure was the stuck apiserver rather than the linkerds.

local SERVICES = { "edge/gateway", "edge/app-api", "cards/authoriser", "accounts/account", "accounts/balance",
                   "accounts/new-feature", "ledger/ledger" }

-- When a lab inject fired, from the history's timeline.
local function inject_time(history, name)
  for _, event in ipairs(history.events) do
    if event.kind == "inject" and event.detail == name then return event.t end
  end
  return nil
end

-- When one class was whole again for good after `since`: the moment after its last tick below
-- 99% (nil if it was still failing when the session was judged).
local function class_recovered_at(series, since)
  local last_bad
  for index, point in ipairs(series) do
    if point.t >= since and point.v < 0.99 then last_bad = index end
  end
  if not last_bad then return since end
  local after_bad = series[last_bad + 1]
  return after_bad and after_bad.t or nil
end

-- When customers were whole again after `since`: card payments (which the stale routes break)
-- and balance checks (which restarted linkerds can break) both back above 99% for good.
local function recovered_at(history, since)
  local cards = class_recovered_at(history.series.success_card_payments, since)
  local balances = class_recovered_at(history.series.success_balance_checks, since)
  if not cards or not balances then return nil end
  return math.max(cards, balances)
end

-- A restart of a linkerd, however it was done (Labs/lib/linkerd.lua).
local restarts_linkerd = require("linkerd").restarts_linkerd

-- Nodes whose running linkerd has no route, or a route to a dead address, for some service.
local function stale_nodes(world)
  local stale = {}
  for _, proxy in ipairs(world.mesh.proxies()) do
    local bad = not proxy.running
    for _, service in ipairs(SERVICES) do
      if bad then break end
      local routes = world.mesh.routes(proxy.node, service)
      bad = #routes == 0
      for _, route in ipairs(routes) do bad = bad or not route.live end
    end
    if bad then stale[#stale + 1] = proxy.node end
  end
  return stale
end

-- The apiservers whose Endpoints storage client sits on a zombie etcd connection.
local function stuck_apiservers(world)
  local stuck = {}
  for _, client in ipairs(world.etcd.clients()) do
    if client.label == "endpoints" and client.zombie then
      stuck[#stuck + 1] = client.owner:match("[^/]+$")
    end
  end
  return stuck
end

-- The trainee's first deed after `since` that cures the cause, at or before `before` (nil for no
-- limit): restarting an apiserver (it makes new storage clients) or bringing etcd-3 back (the
-- next write on the dead connection gets a reset). Under the 2017 connection physics a stranded
-- client that sends heals by itself about 15 minutes after its first unanswered request (TCP
-- gives up after 924.6 s), so routes whole at 14:55 prove nothing unless a deed made them so.
local function cure(history, since, before)
  return labkit.first(history.actions, function(action)
    return action.t >= since and (not before or action.t <= before) and action.outcome == "done"
      and (action.verb == "restart" or action.verb == "start")
      and action.kind == "host" and ((action.name or ""):match("^master%-%d+$") or action.name == "etcd-3")
  end)
end

local SELF_HEALED = "master-2's Endpoints client found its dead connection by itself, about 15 minutes after its "
  .. "first unanswered request (Linux gives up on unacknowledged data after 924.6 s); customers failed until then"

return {
  checks = {
    {
      name = "Routes follow a scale and a rollout",
      points = 2,
      check = function(world, session)
        local scaled, rolled = session.steps[2], session.steps[3]
        if scaled.done and rolled.done then
          return true, string.format("Every linkerd followed the scale (%s) and the rollout (%s).", scaled.clock, rolled.clock)
        end
        if scaled.done then
          return 0.5, "The routes followed the scale at " .. scaled.clock .. ", but the balance 1.1 rollout was not "
            .. "finished and watched with mesh.routes."
        end
        return false, "Scale accounts/balance to three and roll out monzo/balance:1.1, watching mesh.routes on each node: "
          .. "that is how a linkerd learns where a service runs."
      end,
    },
    {
      name = "Spotted the stale routes",
      points = 2,
      check = function(world, session, history)
        local released = inject_time(history, "account release")
        if not released then return false, "The account release never came: the session ended before it." end
        local window = { since = released, till = recovered_at(history, released) }
        -- Looking before acting: what a command read in the instant it restarted something (a
        -- loop over mesh.proxies() that restarts each linkerd) is no evidence.
        local first_act = labkit.first(history.actions, { since = released, verb = { "restart", "delete", "drain", "crash" } })
        local routes = labkit.looked_before(history.reads, { kind = "routes", since = window.since, till = window.till }, first_act)
        if routes then
          return true, "You looked at what the linkerds believed (mesh.routes) at " .. routes.clock .. "."
        end
        local other = labkit.looked_before(history.reads, { since = window.since, till = window.till,
          kind = { "discovery", "linkerds", "pods", "endpoints", "apiservers", "etcd-clients" } }, first_act)
        if other then
          return 0.5, "You gathered evidence at " .. other.clock .. ", but never compared each linkerd's routes "
            .. "(mesh.routes) with the pods that run."
        end
        return false, "After the release, mesh.routes on each node would have shown which linkerds still sent card "
          .. "payments to the pods the release had replaced."
      end,
    },
    {
      name = "Every linkerd routes to live pods",
      points = 3,
      check = function(world, session, history)
        local stale = stale_nodes(world)
        if #stale == 0 then
          local released = inject_time(history, "account release")
          local recovered = released and recovered_at(history, released)
          if recovered and recovered > released and not cure(history, released, recovered) then
            return false, "At 14:55 every linkerd routed to pods that run, but not through anything you did: " .. SELF_HEALED .. "."
          end
          return true, "At 14:55 every linkerd routed every service to pods that run."
        end
        local text = "At 14:55 linkerd on " .. table.concat(stale, ", ") .. " still had no route, or routes to "
          .. "addresses where nothing runs."
        local stuck = stuck_apiservers(world)
        if #stuck > 0 then
          text = text .. " " .. table.concat(stuck, ", ") .. "'s Endpoints storage was still stuck on a dead etcd member."
        end
        return false, text
      end,
    },
    {
      name = "Time to recover",
      points = 2,
      check = function(world, session, history)
        local released = inject_time(history, "account release")
        if not released then return false, "The account release never came: the session ended before it." end
        local recovered = recovered_at(history, released)
        if not recovered then return false, "Card payments or balance checks were still failing at 14:55." end
        local minutes = (recovered - released) / 60
        local text = string.format("Card payments and balance checks were whole again %.1f minutes after the release.", minutes)
        if recovered > released and not cure(history, released, recovered) then
          return false, text .. " Nothing you did brought them back: " .. SELF_HEALED .. "."
        end
        -- Full marks within 10 minutes of the release, nothing after 25, in proportion between.
        if minutes <= 10 then return true, text end
        return math.max(0, (25 - minutes) / 15), text .. " Within 10 minutes earns full marks."
      end,
    },
    {
      name = "Cured the cause, not the symptom",
      points = 1,
      check = function(world, session, history)
        local released = inject_time(history, "account release") or math.huge
        local recovered = recovered_at(history, released)
        local restarted = labkit.values(labkit.select(history.actions, function(action)
          return restarts_linkerd(action) and action.t >= released and (not recovered or action.t <= recovered)
        end), "clock")
        local stuck = stuck_apiservers(world)
        if #stuck > 0 or #stale_nodes(world) > 0 then
          if #restarted > 0 then
            return false, "Restarting linkerds (" .. table.concat(restarted, ", ") .. ") made it worse: a new linkerd "
              .. "lists Endpoints through an apiserver whose Endpoints storage is stuck, and loses discovery of the "
              .. "whole namespace. The cause was the apiserver: faults.restart(\"master-2\")."
          end
          return false, "The cause was never cured: master-2's Endpoints storage client sat on a zombie connection "
            .. "to etcd-3 (etcd.clients()). Restarting master-2 gives it new clients."
        end
        if released ~= math.huge and recovered and recovered > released and not cure(history, released, recovered) then
          return false, "The cause was never cured by you: " .. SELF_HEALED .. "."
        end
        if #restarted > 0 then
          return 0.5, "Cured in the end, but linkerds were restarted first (" .. table.concat(restarted, ", ")
            .. "): that cost customers more failures, since a new linkerd lists through the same stuck apiserver."
        end
        return true, "You cured the cause: the apiserver's stuck Endpoints storage, not the linkerds that trusted it."
      end,
    },
  },
}
