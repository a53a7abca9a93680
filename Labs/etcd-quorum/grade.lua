-- The rubric for etcd-quorum: the final cluster, what the trainee did during the outage, and
-- whether the growth kept at most one member added but not yet started.

-- When a series first met `test`, in seconds since arrival.
local function first_time(series, test)
  for _, point in ipairs(series) do
    if test(point.v) then return point.t end
  end
  return nil
end

-- The value a change list held at time t (the last change at or before t).
local function value_at(series, t)
  local value = 0
  for _, point in ipairs(series) do
    if point.t > t then break end
    value = point.v
  end
  return value
end

-- The most members ever waiting to start at once (added but not started), looking at every
-- moment either count changed.
local function most_waiting(history)
  local members, started = history.series.etcd_members, history.series.etcd_started_members
  local worst = 0
  for _, series in ipairs({ members, started }) do
    for _, point in ipairs(series) do
      worst = math.max(worst, value_at(members, point.t) - value_at(started, point.t))
    end
  end
  return worst
end

local function outage(history)
  local began = first_time(history.series.faults_active, function(v) return v > 0 end)
  local ended
  if began then
    for _, point in ipairs(history.series.faults_active) do
      if point.t > began and point.v == 0 then ended = point.t; break end
    end
  end
  return began, ended
end

return {
  checks = {
    {
      name = "Five healthy members",
      points = 4,
      check = function(world)
        local health = world.etcd.health()
        if health.members == 5 and health.started == 5 and health.healthy then return true end
        return false, string.format("At 10:40 the cluster had %d members, %d started.", health.members, health.started)
      end,
      pass = "The cluster runs five members: it now survives two failures.",
    },
    {
      name = "One member at a time",
      points = 3,
      check = function(world, session, history)
        local grew = false
        for _, point in ipairs(history.series.etcd_members) do
          if point.v > 3 then grew = true end
        end
        if not grew then return false, "The cluster never grew past three members." end
        if most_waiting(history) > 1 then
          return false, "Two members were waiting to start at once: each counts towards the quorum."
        end
        for _, command in ipairs(session.commands) do
          if command.input:find("member add", 1, true) and command.output:find("unhealthy cluster", 1, true) then
            return 0.5, "etcd refused the member add at " .. command.clock .. " (unhealthy cluster): adding a member "
              .. "before the last one started, or while a zone was gone, would have left the cluster without a safe quorum."
          end
        end
        return true, "Each member was added once the cluster could take it, and started before the next."
      end,
    },
    {
      name = "Writes during the outage",
      points = 2,
      check = function(world, session, history)
        local began, ended = outage(history)
        if not began then return false, "The zone never dropped off: the session ended before 10:03." end
        for _, command in ipairs(session.commands) do
          if command.t >= began and (not ended or command.t < ended) and command.input:find("etcdctl", 1, true)
              and command.input:find("put", 1, true) and not command.failed then
            return true, "You wrote through the quorum at " .. command.clock .. " while eu-west-1c was gone."
          end
        end
        return false, "While eu-west-1c was cut off, an etcdctl put would have shown that two of three still commit."
      end,
    },
    {
      name = "Looked first",
      points = 1,
      check = function(world, session)
        local first
        for _, command in ipairs(session.commands) do
          if not command.input:find("^%s*lab%.") then first = command; break end
        end
        if not first then return false, "Nothing was typed." end
        for _, word in ipairs({ "endpoint status", "member list", "etcd.health", "etcd.leader", "etcd.members" }) do
          if first.input:find(word, 1, true) then return true, "You began by looking at the cluster." end
        end
        return 0.5, "Look at the cluster before changing it: endpoint status, member list or etcd.health()."
      end,
    },
  },
}
