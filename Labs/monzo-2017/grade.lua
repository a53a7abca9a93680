-- The rubric for monzo-2017. It judges what customers felt (the history's success gauges), what
-- the trainee looked at and did (history.reads and history.actions: the world's audit log, never
-- the words of a command), and whether what broke in this world was dealt with: the apiservers
-- whose etcd clients were stuck or whose caches had stopped following etcd when the deploy went out, and the Services with no endpoints that
-- linkerd 0.9.1 cannot parse. The lab records both from the world at 14:10 (so the grader follows
-- whatever the seed broke); the end is judged at 15:40 from etcd's committed state (world.truth).

local current_account = { "card_payments", "bank_transfers", "feed_balance", "cops_lookups" }

-- Seconds during which a series stayed below `threshold`, from its first point to `stop`.
local function seconds_below(series, threshold, stop)
  local total, below_since = 0, nil
  for _, point in ipairs(series) do
    if point.v < threshold and not below_since then below_since = point.t end
    if point.v >= threshold and below_since then total = total + point.t - below_since; below_since = nil end
  end
  if below_since then total = total + stop - below_since end
  return total
end

-- The lowest value a series took between two moments (its value at `from` included).
local function lowest(series, from, to)
  local value, low = 1, math.huge
  for _, point in ipairs(series) do
    if point.t > to then break end
    if point.t <= from then value = point.v else low = math.min(low, point.v) end
  end
  return math.min(low, value)
end

-- Current-account payments as customers felt them: at each moment the worse of card payments and
-- bank transfers (which of the two stale routes hit depends on where their callers run).
local function payments_series(history)
  local card, transfers = history.series.success_card_payments, history.series.success_bank_transfers
  local merged, i, j, a, b = {}, 1, 1, 1, 1
  while i <= #card or j <= #transfers do
    local t
    if j > #transfers or (i <= #card and card[i].t <= transfers[j].t) then
      t = card[i].t
    else
      t = transfers[j].t
    end
    while i <= #card and card[i].t == t do a = card[i].v; i = i + 1 end
    while j <= #transfers and transfers[j].t == t do b = transfers[j].v; j = j + 1 end
    merged[#merged + 1] = { t = t, v = math.min(a, b) }
  end
  return merged
end

-- The current-account classes still failing at the end (the grader's world is at 15:40), as
-- "name at NN%".
local function still_failing(world)
  local failing = {}
  for _, name in ipairs(current_account) do
    local rate = world.traffic.success_rate(name, "1m")
    if rate < 0.99 then failing[#failing + 1] = string.format("%s at %.0f%%", name, rate * 100) end
  end
  return failing
end

-- When payments came back for good: the start of the last stretch at or above 0.95,
-- or nil if they end below it.
local function recovered_at(series)
  local since = nil
  for _, point in ipairs(series) do
    if point.v >= 0.95 then since = since or point.t else since = nil end
  end
  return since
end

-- When payments first fell below 0.9 after the deploy.
local function failing_from(series)
  for _, point in ipairs(series) do
    if point.v < 0.9 then return point.t end
  end
  return nil
end

-- When payments first came back after they began failing: the start of the first stretch at or
-- above 0.95 that held for two minutes (a moment's blip is not a recovery).
local function first_back(series, began)
  local since = nil
  for _, point in ipairs(series) do
    if began and point.t > began then
      if since and point.t - since >= 120 then return since end
      if point.v >= 0.95 then since = since or point.t else since = nil end
    end
  end
  return since
end

-- The lab's timeline: when the deploy went out, and what it found broken then.
local function event(history, kind)
  for _, entry in ipairs(history.events) do
    if entry.kind == kind or (kind == "deploy" and entry.kind == "inject" and entry.detail == "the 14:10 deploy") then return entry end
  end
  return nil
end

local function words(text)
  local list = {}
  for word in (text or ""):gmatch("%S+") do list[#list + 1] = word end
  return list
end

-- Deeds that cannot hurt customers: letting time pass, card stand-in; and changes to the
-- deployment that just went out other than scaling or deleting it (rolling a fresh deploy back
-- is standard practice, however it is done: rollout undo, apply, set image).
local harmless = { advance = true, skip = true, schedule = true, cancel = true, standin = true }
local function risky(action)
  if harmless[action.verb] then return false end
  local fresh_deploy = action.kind == "deployments" and action.namespace == "payments" and action.name == "transaction-processor"
  return not (fresh_deploy and action.verb ~= "scale" and action.verb ~= "delete")
end

-- How much of the incident the trainee was in charge of, 0..1: from when they first looked at
-- the platform after the deploy (from the deploy itself, if that was within ten minutes) until
-- they left, or until 15:40 if payments were back when they left; over the deploy to 15:40.
local function in_charge(world, session, history)
  local deploy = event(history, "deploy")
  if not deploy then return 0 end
  local judged = world.sim.now()
  local first_look = labkit.first(history.reads, { since = deploy.t })
  if not first_look or judged <= deploy.t then return 0 end
  local start = first_look.t - deploy.t <= 600 and deploy.t or first_look.t
  local stop = session.ended.t
  local back = recovered_at(payments_series(history))
  if back and back <= stop then stop = judged end
  return math.max(0, math.min(1, (stop - start) / (judged - deploy.t)))
end

-- "credited for the 40% of the incident you were in charge of" when that is not all of it.
local function charge_note(share)
  if share >= 0.999 then return "" end
  return string.format(" Credited for the %.0f%% of the incident you were in charge of (looking at the platform, until you left with payments still failing).", share * 100)
end

return {
  checks = {
    {
      name = "Payments restored",
      points = 1.5,
      check = function(world)
        local failing = still_failing(world)
        if #failing == 0 then return true, "At 15:40 every current-account request class was back." end
        return false, "At 15:40 customers were still failing: " .. table.concat(failing, ", ") .. "."
      end,
    },
    {
      name = "Time to mitigate",
      points = 1.5,
      check = function(world, session, history)
        local series = payments_series(history)
        local began, back = failing_from(series), recovered_at(series)
        if not began then return false, "Payments never failed: the deploy did not go out while you were there." end
        if not back or back < began then return false, "Payments never came back above 95% before 15:40." end
        local minutes = (back - began) / 60
        local text = string.format("Payments were failing for %.0f minutes (the real outage took 81).", minutes)
        if minutes <= 15 then return true, text end
        return math.max(0, (60 - minutes) / 45), text .. " Within 15 minutes earns every point."
      end,
    },
    {
      name = "No full outage",
      points = 1.5,
      check = function(world, session, history)
        -- The app's feed and balance do not call the deployed service: when they fail, the whole
        -- current account is down. Avoiding that is credited for as long as the trainee was in charge.
        local share = in_charge(world, session, history)
        if share == 0 then return false, "You never took charge: nothing you looked at after the deploy is on record, so there is no harm avoided to credit." end
        local feed = history.series.success_feed_balance
        local minutes = seconds_below(feed, 0.5, world.sim.now()) / 60
        if minutes < 1 then
          return share, "The feed, balance and COps kept working: the outage never spread to the whole bank." .. charge_note(share)
        end
        return share * math.max(0, 1 - minutes / 30), string.format(
          "The whole current account was down for %.0f minutes: the feed and balance failed too (at Monzo, 15:13 to 15:31).", minutes)
          .. charge_note(share)
      end,
    },
    {
      name = "Card stand-in switched on early",
      points = 1,
      check = function(world, session, history)
        local began = failing_from(payments_series(history))
        local on = labkit.first(history.actions, { verb = "standin", name = "on" })
        if not on then return false, "Card stand-in stayed off: small card payments could have been approved while you worked." end
        if not began or on.t <= began + 600 then return true, "Stand-in went on at " .. on.clock .. "." end
        return 0.5, "Stand-in went on at " .. on.clock .. ", more than ten minutes after payments began failing."
      end,
    },
    {
      name = "Evidence before acting",
      points = 1,
      check = function(world, session, history)
        -- Looking at the relevant state before the first risky deed: what linkerd believes, what
        -- the logs say, and the control plane. Rolling back the fresh deploy first is not risky.
        local deploy = event(history, "deploy")
        local since = deploy and deploy.t or 0
        local first_risk = labkit.first(history.actions, function(action) return action.t >= since and risky(action) end)
        local groups = {
          { name = "routes", filter = { since = since, kind = { "routes", "discovery" } } },
          { name = "logs", filter = { since = since, verb = "logs" } },
          { name = "control plane", filter = { since = since, kind = { "etcd-members", "etcd-health", "etcd-clients", "etcd-keys", "endpoints", "apiservers" } } },
        }
        local found, missing = 0, {}
        for _, group in ipairs(groups) do
          if labkit.looked_before(history.reads, group.filter, first_risk) then found = found + 1 else missing[#missing + 1] = group.name end
        end
        if found == 3 then
          return true, "You looked at linkerd's routes, its logs and the control plane before " .. (first_risk and "changing anything." or "deciding.")
        end
        local when = first_risk and (" before you " .. first_risk.verb .. " " .. first_risk.kind .. " " .. first_risk.name .. " at " .. first_risk.clock) or ""
        return found / 3, "Not looked at" .. when .. ": " .. table.concat(missing, ", ")
          .. " (routes: mesh.routes or mesh.discovery; logs: mesh.logs or kubectl logs; control plane: etcdctl, etcd.*, endpoints, k8s.apiservers())."
      end,
    },
    {
      name = "Root causes addressed",
      points = 1.5,
      check = function(world, session, history)
        -- What broke, as the lab found it when the deploy went out.
        local stuck = words(event(history, "stuck_apiservers") and event(history, "stuck_apiservers").detail)
        local empty = words(event(history, "empty_services") and event(history, "empty_services").detail)
        local parts, credit = {}, 0
        -- Stuck etcd clients: an apiserver makes new ones when it restarts.
        if #stuck == 0 then
          credit = credit + 0.5
        else
          local done, left = labkit.did_each(history.actions, { verb = "restart", kind = "host", outcome = "done" }, "host", stuck)
          credit = credit + 0.5 * #done / #stuck
          if #left == 0 then
            parts[#parts + 1] = "every apiserver with a stuck etcd client or a stale cache (" .. table.concat(stuck, ", ") .. ") was restarted and re-created its clients"
          else
            parts[#parts + 1] = "not restarted: " .. table.concat(left, ", ") .. " (an etcd client of it was stuck on a dead connection, or its cache had stopped following etcd)"
          end
        end
        -- Services with no endpoints: gone, or with endpoints again, in etcd's committed state.
        if #empty > 0 then
          local fixed, left = 0, {}
          for _, qualified in ipairs(empty) do
            local namespace, name = qualified:match("^([^/]+)/(.+)$")
            local service = world.truth.k8s.get("services", name, { namespace = namespace })
            local endpoints = world.truth.k8s.get("endpoints", name, { namespace = namespace })
            if not service or (endpoints and endpoints.subsets ~= nil) then fixed = fixed + 1 else left[#left + 1] = qualified end
          end
          credit = credit + 0.5 * fixed / #empty
          if #left == 0 then
            parts[#parts + 1] = "the Service with no endpoints is dealt with (gone, or with endpoints again)"
          else
            parts[#parts + 1] = table.concat(left, ", ") .. " still has no endpoints: the next fresh linkerd fails its namespace"
          end
        else
          credit = credit + 0.5
        end
        if credit >= 1 then return true, "Both causes were dealt with: " .. table.concat(parts, "; ") .. "." end
        return credit, (parts[1] and (parts[1]:sub(1, 1):upper() .. parts[1]:sub(2)) or "") .. (parts[2] and "; " .. parts[2] or "") .. "."
      end,
    },
    {
      name = "Status update",
      points = 0.5,
      check = function(world, session, history)
        local post = session.status_posts[1]
        if not post then return false, "Customers heard nothing from you: post what is happening with status_page(\"...\")." end
        local problem = labkit.status_problem(post.text)
        if problem then return false, "The status update at " .. post.clock .. " does not count: " .. problem .. "." end
        local began = failing_from(payments_series(history)) or (event(history, "deploy") or post).t
        if post.t <= began + 900 then return true, "First status update at " .. post.clock .. "." end
        return 0.5, "First status update at " .. post.clock .. ": customers waited more than fifteen minutes to hear from you."
      end,
    },
    {
      name = "No mass linkerd restart",
      points = 1,
      check = function(world, session, history)
        -- Restarting linkerds one by one is fine; restarting most of them at once while a
        -- namespace has a Service with no endpoints turns a partial outage into a full one.
        local share = in_charge(world, session, history)
        if share == 0 then return false, "You never took charge: nothing you looked at after the deploy is on record, so there is no restraint to credit." end
        local fewest = 36
        for _, point in ipairs(history.series.linkerd_running) do fewest = math.min(fewest, point.v) end
        local failures = 0
        for _, point in ipairs(history.series.linkerd_discovery_failures) do failures = math.max(failures, point.v) end
        if fewest >= 24 then return share, "You never took down most of the mesh at once." .. charge_note(share) end
        if failures == 0 then return share * 0.5, "You restarted most linkerds at once; it worked out, but a fresh linkerd throws its routes away." end
        return false, string.format("%d linkerds were down at once, and the fresh ones failed discovery for a whole namespace "
          .. "(NullPointerException on null subsets): the partial outage became a full one.", 36 - fewest)
      end,
    },
    {
      name = "No harm after recovery",
      points = 0.5,
      check = function(world, session, history)
        -- Once payments are back, a deed that sends them or the feed down again costs this point.
        local series = payments_series(history)
        local back = first_back(series, failing_from(series))
        if not back then return false, "Payments never came back, so there was no recovery to keep." end
        local feed = history.series.success_feed_balance
        for _, action in ipairs(labkit.select(history.actions, function(action) return action.t >= back and risky(action) end)) do
          local low = math.min(lowest(series, action.t, action.t + 300), lowest(feed, action.t, action.t + 300))
          if low < 0.9 then
            return false, string.format("After payments came back, you did %s %s %s at %s and customers failed again (down to %.0f%%).",
              action.verb, action.kind, action.name, action.clock, low * 100)
          end
        end
        return true, "Nothing you did after payments came back hurt customers again."
      end,
    },
  },
}
