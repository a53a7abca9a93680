-- The generic game-day grader: it knows the incident only as the seed and difficulty drew it
-- (catalogue.plan), and judges from the world at the end, the session's series and the audit
-- log, against the do-nothing counterfactual that grading runs beside the session (the same
-- seed, nobody at the keyboard, to the same end: history.counterfactual). Never a command's
-- text: printing the right words earns nothing.

local catalogue = require "catalogue"

local function plan_of(session)
  return catalogue.plan(session.seed, session.parameters.difficulty)
end

-- Seconds after arrival, as series and records count them.
local function broke_at(session)
  return session.arrived.t + plan_of(session)[1].at
end

local function page_at(session)
  return session.arrived.t + plan_of(session)[1].page_at
end

-- Requests per second by class, so a minute of failed card payments weighs as much as it
-- costs; read once, from the world at the end (the daily curve barely moves in twenty minutes).
local function weights(world)
  local rates = {}
  for _, class in ipairs(catalogue.customer_classes) do
    local ok, rate = pcall(world.traffic.rate, class, "5m")
    rates[class] = (ok and type(rate) == "number" and rate > 0) and rate or 1
  end
  return rates
end

-- Requests customers lost from `from` to `to` across the classes, in a history's series.
local function lost(series, rates, from, to)
  local total = 0
  for _, class in ipairs(catalogue.customer_classes) do
    local success = series["success_" .. class]
    if success and to > from then total = total + labkit.lost_requests(success, rates[class], from, to) end
  end
  return total
end

-- Requests offered between two moments, across the classes.
local function offered(rates, from, to)
  local total = 0
  for _, class in ipairs(catalogue.customer_classes) do total = total + rates[class] * math.max(0, to - from) end
  return total
end

-- Whether customers were failing at `t` (any class below 99 %).
local function hurting(series, t)
  for _, class in ipairs(catalogue.customer_classes) do
    local success = series["success_" .. class]
    if success and labkit.value_at(success, t, 1) < 0.99 then return true end
  end
  return false
end

-- `since` and the moments any class's success changed after it.
local function moments(series, since)
  local seen, list = { [since] = true }, { since }
  for _, class in ipairs(catalogue.customer_classes) do
    for _, point in ipairs(series["success_" .. class] or {}) do
      if point.t >= since and not seen[point.t] then seen[point.t] = true; list[#list + 1] = point.t end
    end
  end
  table.sort(list)
  return list
end

-- When customer impact began after `since` and when it last ended (nil: it never began, or was
-- still on at the end).
local function impact(series, since)
  local began, ended = nil, nil
  for _, t in ipairs(moments(series, since)) do
    if hurting(series, t) then
      began = began or t
      ended = nil
    elseif began and not ended then
      ended = t
    end
  end
  return began, ended
end

-- The trainee's deeds from the fault on (moving the clock is not a deed on the platform).
local function deeds(history, session)
  return labkit.select(history.actions, function(action)
    return action.t >= broke_at(session) and action.verb ~= "advance"
  end)
end

-- Seconds an on-call engineer needs from the page to a first deed: what customers lose before
-- then (and before the page) is lost whoever is on call.
local REACTION_SECONDS = 60

-- From when losses count: a minute after the page, or the trainee's first deed if sooner.
local function answerable_from(history, session)
  local first = labkit.first(deeds(history, session), {})
  return math.min(page_at(session) + REACTION_SECONDS, first and first.t or math.huge)
end

local SLACK_REQUESTS = 50 -- noise between two runs that differ only in reads (their messages)

return {
  checks = {
    {
      name = "Customer impact",
      points = 3,
      check = function(world, session, history)
        local from, to = answerable_from(history, session), session.ended.t
        local rates = weights(world)
        local idle = lost(history.counterfactual.series, rates, from, to)
        local yours = lost(history.series, rates, from, to)
        local text = string.format("Once you could act customers lost %.0f requests; had nobody answered the page they would have lost %.0f.", yours, idle)
        local bearable = math.max(SLACK_REQUESTS, 0.005 * offered(rates, from, to))
        if idle <= bearable then
          -- Doing nothing would have cost customers next to nothing (the mesh routes around a dead
          -- node in seconds): only what the response lost counts.
          local caused = yours - idle
          if caused <= bearable then return true, text .. " Without you customers would have lost under 0.5 % of their requests, and your response cost them no more." end
          return math.max(0, 1 - caused / (4 * bearable)),
            text .. " Without you customers would have lost under 0.5 % of their requests: the rest came from the response."
        end
        local saved = (idle - yours) / idle
        -- Saving 70 % of what doing nothing would have cost is full marks: the first minutes
        -- before anyone can act are lost whoever is on call.
        return math.max(0, math.min(1, saved / 0.7)), text
      end,
    },
    {
      name = "Time to mitigate",
      points = 2,
      check = function(world, session, history)
        local first = labkit.first(deeds(history, session), {})
        local began, ended = impact(history.series, answerable_from(history, session))
        if not began or (ended and (not first or first.t > ended)) then
          -- Nothing to mitigate once someone could act: answering the page (a look at the
          -- platform, not a blind deed) is enough.
          if labkit.first(history.reads, { since = page_at(session) }) then
            return true, "Customers were not failing (below 99 %) once you could act."
          end
          return false, "Nobody answered the page."
        end
        if not ended then return false, "Customers were still failing at the end (" .. session.ended.clock .. ")." end
        local minutes = (ended - began) / 60
        local text = string.format("Customer impact lasted %.1f minutes.", minutes)
        if minutes <= 5 then return true, text end
        return math.max(0, (15 - minutes) / 10), text .. " Within 5 minutes earns full marks."
      end,
    },
    {
      name = "Evidence before action",
      points = 1,
      check = function(world, session, history)
        local first = labkit.first(deeds(history, session), {})
        if not first then return false, "No action was taken." end
        local looked = labkit.looked_before(history.reads, { since = broke_at(session) }, first)
        if looked then
          return true, "You looked (" .. looked.via .. " at " .. looked.clock .. ") before your first action at " .. first.clock .. "."
        end
        return false, "Your first action (" .. first.verb .. " at " .. first.clock .. ") came before any look at the platform."
      end,
    },
    {
      name = "Blast radius",
      points = 1,
      check = function(world, session, history)
        local actions = deeds(history, session)
        if #actions == 0 then return false, "No action was taken." end
        local rates, harmful = weights(world), {}
        for _, action in ipairs(actions) do
          local from, to = action.t, math.min(action.t + 120, session.ended.t)
          local extra = lost(history.series, rates, from, to) - lost(history.counterfactual.series, rates, from, to)
          if extra > math.max(SLACK_REQUESTS, 0.01 * offered(rates, from, to)) then
            harmful[#harmful + 1] = action.verb .. " " .. action.kind .. " " .. action.name .. action.host .. " at " .. action.clock
          end
        end
        if #harmful == 0 then
          local deeds_done = #actions == 1 and "Your one action (" or "None of your " .. #actions .. " actions ("
          return true, deeds_done .. table.concat(labkit.values(actions, "verb"), ", ") .. ") " .. (#actions == 1 and "did not hurt" or "hurt") .. " customers."
        end
        return 1 - #harmful / #actions, "Customers lost more than doing nothing would have after: " .. table.concat(harmful, "; ") .. "."
      end,
    },
    {
      name = "Status post",
      points = 1,
      check = function(world, session)
        local paged = page_at(session)
        for _, post in ipairs(session.status_posts) do
          if post.t >= broke_at(session) and not labkit.status_problem(post.text) then
            if post.t - paged <= 900 then return true, "Status posted at " .. post.clock .. "." end
            return 0.5, "Status posted at " .. post.clock .. ", more than fifteen minutes after the page."
          end
        end
        return false, "No status update that tells customers what is affected and what is being done."
      end,
    },
    {
      name = "Cause found and cured",
      points = 2,
      check = function(world, session, history)
        local plan, credit, notes = plan_of(session), 0, {}
        for _, fault in ipairs(plan) do
          local kind = catalogue.kinds[fault.kind]
          local since = session.arrived.t + fault.at
          local found = labkit.first(history.reads, function(read) return read.t >= since and kind.found(read, fault) end)
          local cured = kind.cured(world, fault)
          credit = credit + ((found and 0.5 or 0) + (cured and 0.5 or 0)) / #plan
          notes[#notes + 1] = catalogue.describe(fault) .. ": " .. (found and "found" or "not looked at")
            .. ", " .. (cured and "cured" or "still broken")
        end
        return credit, "The incident was " .. table.concat(notes, "; ") .. "."
      end,
    },
  },
}
