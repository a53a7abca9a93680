-- The rubric for linkerd-npe: the bug reproduced on a fresh linkerd and read in its log, the
-- blast radius kept to that one linkerd, the cause cured (no Endpoints with subsets: null left in
-- a namespace linkerd routes) rather than the symptom, and what customers felt. Judged at 11:45
-- from etcd's committed state (world.truth), the mesh and the history's gauges.

local npe = require "npe"
local restarts_linkerd = require("linkerd").restarts_linkerd

-- The most running linkerds that had thrown NullPointerException at once: each one had no
-- discovery for the whole accounts namespace.
local function most_hit_at_once(history)
  local most = 0
  for _, point in ipairs(history.series.linkerd_null_pointer_throwers) do most = math.max(most, point.v) end
  return most
end

-- Minutes customers were hurt: for card payments and balance checks, the first stretch below 99%
-- (to its end, or to `stop` if it never ended); the worse of the two.
local function minutes_hurt(history, stop)
  local worst = 0
  for _, series in ipairs({ history.series.success_card_payments, history.series.success_balance_checks }) do
    local seconds, began = labkit.time_to_mitigate(series, function(v) return v < 0.99 end)
    if began then worst = math.max(worst, seconds or (stop - began)) end
  end
  return worst / 60
end

-- Whether any linkerd ever threw NullPointerException in this session.
local function threw(history)
  return most_hit_at_once(history) > 0
end

local NOTHING_TRIED = "No linkerd threw NullPointerException: the bug was never reproduced, so there was nothing to "
  .. "cure and nothing was learnt."

return {
  checks = {
    {
      name = "Saw what Kubernetes 1.6 writes for no pods",
      points = 1,
      check = function(world, session)
        local step = session.steps[1]
        if step.done then return true, "You emptied accounts/new-feature and read its Endpoints (subsets: null) at " .. step.clock .. "." end
        return false, "Scale accounts/new-feature to zero and read its Endpoints as YAML: Kubernetes 1.6 writes "
          .. "subsets: null, the value linkerd 0.9.1 cannot list."
      end,
    },
    {
      name = "Warm linkerds checked",
      points = 1,
      check = function(world, session)
        local step = session.steps[2]
        if step.done then return true, "You checked that the running linkerds carried on (" .. step.clock .. ")." end
        return false, "Before restarting anything, look at a running linkerd (mesh.discovery, mesh.logs): it applied "
          .. "the empty Endpoints as a watch update and carried on. Only a fresh cache lists the namespace."
      end,
    },
    {
      name = "Reproduced on a fresh linkerd",
      points = 2,
      check = function(world, session, history)
        local step = session.steps[3]
        if step.done then
          return true, "A fresh linkerd threw NullPointerException listing accounts, and you read why in its log at "
            .. step.clock .. "."
        end
        if threw(history) then
          return 0.5, "A fresh linkerd threw NullPointerException listing accounts, but nobody read its log after "
            .. "checking the warm ones: \"k8s failed to list endpoints\" with the exception is the evidence (linkerd#1219)."
        end
        return false, NOTHING_TRIED
      end,
    },
    {
      name = "Blast radius of one",
      points = 2,
      check = function(world, session, history)
        local worst = most_hit_at_once(history)
        if worst == 0 then return false, NOTHING_TRIED end
        local restarts = labkit.count(history.actions, restarts_linkerd)
        if worst == 1 and #npe.failing_discovery(world) > 0 then
          return 0.5, "Only one linkerd lost discovery, but it still had none at 11:45: a small blast radius left unmended."
        end
        if worst == 1 then
          return true, string.format("One linkerd lost discovery, and no other (%d linkerd restart%s in all).",
                                     restarts, restarts == 1 and "" or "s")
        end
        if worst == 2 then
          return 0.5, "Two linkerds had no discovery for accounts at once: each restart while the Endpoints was "
            .. "empty took one more node's routes away. One is enough to learn from."
        end
        return false, string.format("%d linkerds had no discovery for accounts at once: restarting every linkerd "
          .. "while an Endpoints was empty is how Monzo's partial outage became a full one.", worst)
      end,
    },
    {
      name = "Cured the cause",
      points = 2.5,
      check = function(world, session, history)
        if not threw(history) then return false, NOTHING_TRIED end
        local left = npe.null_endpoints(world)
        if #left > 0 and npe.all_fixed(world) and #npe.failing_discovery(world) == 0 then
          return true, "Every linkerd runs a release that reads subsets: null (1.0.0, linkerd#1223), so "
            .. table.concat(left, ", ") .. " no longer harms a fresh one."
        end
        if #left > 0 then
          return false, table.concat(left, ", ") .. " still had subsets: null at 11:45: the next linkerd to start, on "
            .. "any node, fails its whole namespace. Delete the Service or give it a pod."
        end
        local failing = npe.failing_discovery(world)
        if #failing > 0 then
          return 0.5, "The empty Endpoints is gone, but discovery still failed at 11:45 (" .. table.concat(failing, ", ")
            .. "): a namer retries with backoff; give it time and check mesh.discovery."
        end
        return true, "No Endpoints with subsets: null was left, and every linkerd had discovery for every namespace."
      end,
    },
    {
      name = "Customers kept whole",
      points = 1.5,
      check = function(world, session, history)
        if not threw(history) then return false, NOTHING_TRIED end
        local minutes = minutes_hurt(history, world.sim.now())
        local text = string.format("Card payments or balance checks were below 99%% for %.1f minutes.", minutes)
        -- A fresh linkerd without discovery fails a share of the traffic until the cure: full
        -- marks within 3 minutes, nothing after 10.
        if minutes <= 3 then return true, text end
        return math.max(0, (10 - minutes) / 7), text .. " Cure within 3 minutes of the exception for full marks."
      end,
    },
  },
}
