-- The rubric for etcd-quorum: the final cluster, what the trainee did during the outage (the
-- world's audit log: history.actions with each deed's outcome, history.reads), and whether the
-- growth kept at most one member added but not yet started.

-- Deeds that change the cluster or the platform: anything but letting time pass.
local function changes(action)
  return action.verb ~= "advance" and action.verb ~= "skip" and action.verb ~= "schedule" and action.verb ~= "cancel"
end

-- The most members ever waiting to start at once (added but not started), looking at every
-- moment either count changed.
local function most_waiting(history)
  local members, started = history.series.etcd_members, history.series.etcd_started_members
  local worst = 0
  for _, series in ipairs({ members, started }) do
    for _, point in ipairs(series) do
      worst = math.max(worst, labkit.value_at(members, point.t, 0) - labkit.value_at(started, point.t, 0))
    end
  end
  return worst
end

-- When the zone outage began and ended, from the faults_active series (moments it changed).
local function outage(history)
  return labkit.outage(history.series.faults_active, function(v) return v > 0 end)
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
        local refused = labkit.first(history.actions, { verb = "add", kind = "etcd-members", outcome = "refused" })
        if refused then
          return 0.5, "etcd refused the member add at " .. refused.clock .. " (" .. (refused.reason or "refused"):gsub("^Error: ", "")
            .. "): adding a member before the last one started, or while a zone was gone, would have left the cluster without a safe quorum."
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
        local during = { verb = "put", since = began, till = ended }
        local wrote = labkit.first(history.actions, { verb = "put", outcome = "done", since = began, till = ended })
        if wrote then
          return true, "You wrote " .. wrote.name .. " through the quorum at " .. wrote.clock .. " while eu-west-1c was gone."
        end
        local tried = labkit.first(history.actions, during)
        if tried then
          return false, "Your write at " .. tried.clock .. " did not go through (" .. (tried.reason or tried.outcome)
            .. "): two of three members commit, but only a write that etcd acknowledges shows it."
        end
        return false, "While eu-west-1c was cut off, an etcdctl put would have shown that two of three still commit."
      end,
    },
    {
      name = "Looked first",
      points = 1,
      check = function(world, session, history)
        local first_change = labkit.first(history.actions, changes)
        local looked = labkit.looked_before(history.reads, { kind = { "etcd-members", "etcd-health" } }, first_change)
        if looked then return true, "You began by looking at the cluster (" .. looked.via .. " at " .. looked.clock .. ")." end
        if not first_change and #history.reads == 0 then return false, "You never looked at the cluster." end
        return 0.5, "Look at the cluster before changing it: endpoint status, member list or etcd.health()."
      end,
    },
  },
}
