-- The rubric for monzo-2017. It judges what customers felt (the history's success gauges), what
-- the trainee looked at before acting, and whether the two causes were dealt with: stuck etcd
-- clients in the apiservers, and a Service with no endpoints that linkerd 0.9.1 cannot parse.

local current_account = { "card_payments", "bank_transfers", "feed_balance", "cops_lookups" }

-- The first command whose input mentions any of `words`, and that did not fail.
local function first_command(session, words)
  for _, command in ipairs(session.commands) do
    if not command.failed then
      for _, word in ipairs(words) do
        if command.input:find(word, 1, true) then return command end
      end
    end
  end
  return nil
end

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

local function restored(world) return #still_failing(world) == 0 end

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

-- Actions that change the platform (looking changes nothing).
local acting = { "faults.restart", "mesh.restart", "kubectl \"delete", "kubectl 'delete", "kubectl(\"delete", "rollout",
  "k8s.delete", "k8s.apply", "k8s.scale", "kubectl \"scale", "kubectl 'scale" }
local looking = {
  routes = { "mesh.routes", "mesh.discovery" },
  logs = { "mesh.logs", "logs " },
  control = { "etcdctl", "etcd.health", "etcd.members", "get endpoints", "get ep", "k8s.get(\"endpoints", "k8s.get('endpoints" },
}

return {
  checks = {
    {
      name = "Payments restored",
      points = 2,
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
        -- current account is down.
        if not restored(world) then return false, "Payments were still failing at 15:40: avoiding a full outage counts once they are back." end
        -- Payments are back, so any stretch of a failing feed ended by the series' last change.
        local feed = history.series.success_feed_balance
        local minutes = seconds_below(feed, 0.5, feed[#feed].t) / 60
        if minutes < 1 then return true, "The feed, balance and COps kept working: the outage never spread to the whole bank." end
        return math.max(0, 1 - minutes / 30), string.format(
          "The whole current account was down for %.0f minutes: the feed and balance failed too (at Monzo, 15:13 to 15:31).", minutes)
      end,
    },
    {
      name = "Card stand-in switched on early",
      points = 1,
      check = function(world, session, history)
        local began = failing_from(payments_series(history))
        local command = first_command(session, { "traffic.standin(true)" })
        if not command then return false, "Card stand-in stayed off: small card payments could have been approved while you worked." end
        if not began or command.t <= began + 600 then return true, "Stand-in went on at " .. command.clock .. "." end
        return 0.5, "Stand-in went on at " .. command.clock .. ", more than ten minutes after payments began failing."
      end,
    },
    {
      name = "Evidence before acting",
      points = 1,
      check = function(world, session)
        -- The position of the first command that changed the platform (or one past the end).
        local first_act = #session.commands + 1
        for index, command in ipairs(session.commands) do
          for _, word in ipairs(acting) do
            if index < first_act and command.input:find(word, 1, true) and not command.input:find("rollout status", 1, true)
                and not command.input:find("rollout history", 1, true) then
              first_act = index
            end
          end
        end
        local found, missing = 0, {}
        for kind, words in pairs(looking) do
          local seen = false
          for index = 1, first_act - 1 do
            local command = session.commands[index]
            for _, word in ipairs(words) do
              if not command.failed and command.input:find(word, 1, true) then seen = true end
            end
          end
          if seen then found = found + 1 else missing[#missing + 1] = kind end
        end
        table.sort(missing)
        if found == 3 then return true, "You looked at linkerd's routes, its logs and the control plane before changing anything." end
        local act = session.commands[first_act]
        local when = act and (" before " .. act.input .. " at " .. act.clock) or ""
        return found / 3, "Not looked at" .. when .. ": " .. table.concat(missing, ", ")
          .. " (routes: mesh.routes; logs: mesh.logs or kubectl logs; control: etcdctl, get endpoints)."
      end,
    },
    {
      name = "Root causes addressed",
      points = 1.5,
      check = function(world, session)
        local restarted = {}
        for _, command in ipairs(session.commands) do
          for master in command.input:gmatch("faults%.restart%(%s*[\"'](master%-%d)[\"']") do
            if not command.failed then restarted[master] = true end
          end
        end
        local masters = 0
        for _ in pairs(restarted) do masters = masters + 1 end
        local ok, service = pcall(world.truth.k8s.get, "services", "overdraft-alerts", { namespace = "current-account" })
        local empty_service_gone = not ok or service == nil
        if masters == 3 and empty_service_gone then
          return true, "All three apiservers re-created their etcd clients, and the Service with no endpoints is gone."
        end
        local parts = {}
        if masters == 3 then parts[#parts + 1] = "the apiservers were restarted"
        elseif masters > 0 then parts[#parts + 1] = string.format("only %d of 3 apiservers were restarted", masters)
        else parts[#parts + 1] = "No apiserver was restarted: their stuck etcd clients still hide updates" end
        if empty_service_gone then parts[#parts + 1] = "the empty Service is gone"
        else parts[#parts + 1] = "current-account/overdraft-alerts still has no endpoints: the next fresh linkerd fails its namespace" end
        local credit = (masters / 3) * 0.5 + (empty_service_gone and 0.5 or 0)
        return credit, table.concat(parts, "; ") .. "."
      end,
    },
    {
      name = "Status update",
      points = 0.5,
      check = function(world, session)
        local post = session.status_posts[1]
        if not post then return false, "Customers heard nothing from you: post what is happening with status_page(\"...\")." end
        return true, "First status update at " .. post.clock .. "."
      end,
    },
    {
      name = "No mass linkerd restart",
      points = 1,
      check = function(world, session, history)
        -- Restarting linkerds one by one is fine; restarting most of them at once while a
        -- namespace has a Service with no endpoints turns a partial outage into a full one.
        if not restored(world) then return false, "Payments were still failing at 15:40: restraint counts once they are back." end
        local fewest = 36
        for _, point in ipairs(history.series.linkerd_running) do fewest = math.min(fewest, point.v) end
        local failures = 0
        for _, point in ipairs(history.series.linkerd_discovery_failures) do failures = math.max(failures, point.v) end
        if fewest >= 24 then return true, "You never took down most of the mesh at once." end
        if failures == 0 then return 0.5, "You restarted most linkerds at once; it worked out, but a fresh linkerd throws its routes away." end
        return false, string.format("%d linkerds were down at once, and the fresh ones failed discovery for a whole namespace "
          .. "(NullPointerException on null subsets): the partial outage became a full one.", 36 - fewest)
      end,
    },
  },
}
