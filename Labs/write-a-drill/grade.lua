-- The rubric for write-a-drill. Each check is check(world, session, history) and returns
-- true, false or a fraction of its points, then optional feedback.

local function events(history, kind)
  local found = {}
  for _, event in ipairs(history.events) do
    if event.kind == kind then found[#found + 1] = event end
  end
  return found
end

local function step_done(session, number)
  return session.steps[number].done
end

return {
  checks = {
    {
      name = "A check to call",
      points = 1,
      check = function(world, session)
        return type(session.globals.drill_check) == "function"
      end,
      pass = "drill_check() is defined.",
      fail = "Define a global function drill_check() that returns true when your fault is in force.",
    },
    {
      name = "An inject armed with sim.when",
      points = 2,
      check = function(world, session, history)
        local armed = events(history, "drill_armed")
        if #armed == 0 then
          return false, "No inject was armed with sim.when: a drill breaks things when a condition holds, not by hand."
        end
        return true, "Armed at " .. armed[1].clock .. "."
      end,
    },
    {
      name = "The inject fired and broke the platform",
      points = 2,
      check = function(world, session, history)
        local fired = events(history, "drill_fired")
        if #fired == 0 then
          return false, "Your inject never fired: let time pass with sim.advance, and check that its predicate can become true."
        end
        local first = fired[1]
        for _, point in ipairs(history.series.faults_active) do
          if point.t >= first.t and point.v > 0 then
            return true, "Fired at " .. first.clock .. " and broke the platform."
          end
        end
        return 0.5, "Your inject fired at " .. first.clock .. " but put no partition or clog in force."
      end,
    },
    {
      name = "The check sees the fault",
      points = 2,
      check = function(world, session)
        return step_done(session, 3)
      end,
      pass = "drill_check() returned true while your fault was in force.",
      fail = "drill_check() never returned true while your fault was in force (step 3).",
    },
    {
      name = "The check sees the recovery",
      points = 1,
      check = function(world, session)
        return step_done(session, 4)
      end,
      pass = "drill_check() went back to false once the platform was healed.",
      fail = "Heal the platform and make sure drill_check() returns false again (step 4).",
    },
    {
      name = "Announced",
      points = 1,
      check = function(world, session)
        local post = session.status_posts[1]
        if not post then return false end
        local problem = labkit.status_problem(post.text)
        if problem then return false, "The update at " .. post.clock .. " does not announce anything: " .. problem .. "." end
        return true
      end,
      pass = "You posted a status update about the drill.",
      fail = "Announce drills with status_page(\"...\"), so nobody takes them for an incident.",
    },
    {
      name = "Worked out without hints",
      points = 1,
      check = function(world, session)
        for number = 1, #session.steps do
          if not step_done(session, number) then return 0, "Finish every step to earn this." end
        end
        local used = #session.hints
        if used == 0 then return true, "No hints needed." end
        return math.max(0, 1 - 0.25 * used), used .. " hint(s) used: each costs a quarter of this point."
      end,
    },
  },
}
