-- gameday: a wheel of misfortune on demand (`firedrill gameday --seed N --difficulty D`). The
-- seed and the difficulty (a session parameter, kept in the session's header) draw one or two
-- faults from the catalogue; each breaks the bank at its moment through the world's own fault
-- and Kubernetes APIs, and the pager says what the monitoring would. The trainee gets the page,
-- not a briefing: finding the fault is the game.

local catalogue = require "catalogue"

-- The incident, drawn in setup; each fault gets `broke_at` once it is in force.
local plan = {}

local function due(world, index)
  local fault = plan[index]
  return fault ~= nil and world.sim.now() >= fault.at
end

local function paging_due(world, index)
  local fault = plan[index]
  return fault ~= nil and fault.broke_at ~= nil and world.sim.now() >= fault.page_at
end

local function break_with(index)
  return function(world, session)
    local fault = plan[index]
    catalogue.kinds[fault.kind].apply(world, fault)
    fault.broke_at = world.sim.now()
    session.event("fault", catalogue.describe(fault))
  end
end

local function page_for(index)
  return function(world, session)
    local fault = plan[index]
    print(string.format("PAGE [%s] %s", world.sim.clock(), catalogue.kinds[fault.kind].page(fault)))
    session.event("page", catalogue.describe(fault))
  end
end

local function all_cured(world)
  for _, fault in ipairs(plan) do
    if not fault.broke_at or not catalogue.kinds[fault.kind].cured(world, fault) then return false end
  end
  return #plan > 0
end

return {
  id = "gameday",
  title = "Game day: you are on call",
  summary = "A random incident on the bank, drawn from a seed: take the page, find the fault, stop the bleeding, fix it, tell customers.",
  difficulty = "intermediate",
  minutes = 20,
  -- Grading replays the session and a do-nothing run of the same seed to the same end.
  grading_seconds = 120,
  counterfactual = true,

  -- A modern bank (Kubernetes 1.10, linkerd 1.0.0): the Monzo lab has the 2017 bugs; here the
  -- trouble is what the seed breaks. Every seed is a graded game day.
  scenario = { name = "bank", seed = 1, seeds = "any", versions = { kubernetes = "1.10", linkerd = "1.0.0" } },
  -- One command may skip five minutes; the platform is judged twenty minutes after hand-over.
  time = { speed = 1, advance = "5m", grade_at = "+20m" },

  setup = function(world, session)
    plan = catalogue.plan(world.sim.seed(), session.parameters().difficulty)
  end,

  injects = {
    { name = "first fault", when = function(world) return due(world, 1) end, every = "1s", run = break_with(1) },
    { name = "first page", when = function(world) return paging_due(world, 1) end, every = "1s", run = page_for(1) },
    { name = "second fault", when = function(world) return due(world, 2) end, every = "1s", run = break_with(2) },
    { name = "second page", when = function(world) return paging_due(world, 2) end, every = "1s", run = page_for(2) },
  },

  steps = {
    {
      title = "Take the page",
      briefing = [[
You are on call for the bank. Wait for the page (sim.advance("1m") moves time on). Then:
find what broke before you touch anything, stop the customer impact, cure the cause, and tell
customers with status_page("..."). Grading compares what customers lost with what they would
have lost had nobody answered the page.]],
      hints = {
        "dashboard() and alerts.firing() show what hurts; traffic.success_rate(class, \"1m\") per class.",
        "kubectl \"get nodes\", etcd.members(), faults.active(), kubectl \"get deployments -A\" each rule out a layer.",
        "A bad release: kubectl \"rollout undo deployment/NAME -n NS\". A dead host: faults.restart(host). A cut or slow network: faults.heal().",
      },
      done = function(world, session)
        if not all_cured(world) then return false, "the incident is not over" end
        return #session.status_posts() > 0, "customers have not been told"
      end,
    },
  },
}
