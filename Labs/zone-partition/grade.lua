-- The rubric for zone-partition: the final world, what the trainee looked at and did (the
-- world's audit log in history.reads and history.actions), with partial credit where being
-- quicker is better.

-- When the partition began and ended, from the faults_active series (moments it changed).
local function outage(history)
  return labkit.outage(history.series.faults_active, function(v) return v > 0 end)
end

return {
  checks = {
    {
      name = "Healed",
      points = 4,
      check = function(world)
        return #world.faults.active() == 0
      end,
      pass = "The zone is back on the network.",
      fail = "At 09:20 the zone was still cut off: faults.heal() removes the partition.",
    },
    {
      name = "Time to heal",
      points = 3,
      check = function(world, session, history)
        local began, ended = outage(history)
        if not began then return false, "The outage never began: was the session shorter than two minutes?" end
        if not ended then return false, "The partition was never healed." end
        local minutes = (ended - began) / 60
        local text = string.format("Healed %.1f minutes after the page.", minutes)
        -- Full marks within 3 minutes, nothing after 15, in proportion between.
        if minutes <= 3 then return true, text end
        return math.max(0, (15 - minutes) / 12), text .. " Within 3 minutes earns full marks."
      end,
    },
    {
      name = "Looked before acting",
      points = 1,
      check = function(world, session, history)
        local began = outage(history)
        if not began then return false, "The outage never began: was the session shorter than two minutes?" end
        local heal = labkit.first(history.actions, { verb = "heal", since = began })
        local looked = labkit.looked_before(history.reads, { kind = "faults", since = began }, heal)
        if looked then return true, "You looked at faults.active() at " .. looked.clock .. " before healing." end
        return false, "Look before you act: faults.active() would have shown the partition."
      end,
    },
    {
      name = "Customers told",
      points = 2,
      check = function(world, session, history)
        local began = outage(history)
        local post = session.status_posts[1]
        if not post then return false, "No status update: customers were left guessing." end
        local problem = labkit.status_problem(post.text)
        if problem then return false, "The status update at " .. post.clock .. " does not count: " .. problem .. "." end
        if began and post.t - began <= 600 then return true, "Status posted at " .. post.clock .. "." end
        return 0.5, "Status posted at " .. post.clock .. ", more than ten minutes after the page."
      end,
    },
  },
}
