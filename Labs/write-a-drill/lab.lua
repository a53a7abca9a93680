-- write-a-drill: the trainee writes a drill of their own on the practice platform: a check that
-- tells a broken platform from a healthy one, and an inject armed with sim.when that breaks it.
--
-- The lab watches the trainee's sim.when (setup wraps it) to know when an inject was armed and
-- when it fired, and records both in the session's history for the grader.

-- Broken, as this lab can see it: a partition or a clog in force.
local function broken()
  return #faults.active() > 0
end

-- What the trainee's drill_check() says now: true, false, or nil and why it cannot say.
local function check_says()
  local check = _G.drill_check
  if type(check) ~= "function" then
    return nil, "define a global function drill_check() first"
  end
  local ok, answer = pcall(check)
  if not ok then
    return nil, "drill_check() failed: " .. tostring(answer)
  end
  return answer and true or false
end

local armed, fired = 0, 0

return {
  id = "write-a-drill",
  title = "Write a drill",
  summary = "Write your own drill in Lua: an inject armed with sim.when, and a check that sees it.",
  difficulty = "beginner",
  minutes = 15,

  scenario = { name = "practice", seed = 7, start = "2017-10-27 09:00" },
  -- Waiting for an inject in real time teaches nothing here: sim.advance is allowed.
  time = { speed = 1, advance = true },

  setup = function(world, session)
    local when = _G.sim.when
    _G.sim.when = function(predicate, action, every)
      if type(predicate) ~= "function" or type(action) ~= "function" then
        return when(predicate, action, every) -- the real sim.when explains what is wrong
      end
      local id = when(predicate, function(...)
        fired = fired + 1
        session.event("drill_fired", "sim.when inject fired at " .. sim.clock())
        return action(...)
      end, every)
      armed = armed + 1
      session.event("drill_armed", "sim.when inject armed at " .. sim.clock())
      return id
    end
  end,

  steps = {
    {
      title = "Write the check",
      briefing = [[
A drill needs a way to tell that its fault really happened. Define a global function
drill_check() that returns true when the platform is broken the way your drill will break it,
and false while it is healthy. Nothing is broken yet, so it should return false now.
faults.active() lists the partitions and clogs in force.]],
      hints = {
        "faults.active() returns a list; #faults.active() is how many faults are in force.",
        "function drill_check() return #faults.active() > 0 end",
      },
      done = function(world)
        local answer, why = check_says()
        if answer == nil then return false, why end
        if answer then return false, "drill_check() returns true, but nothing is broken yet" end
        return true
      end,
    },
    {
      title = "Arm an inject with sim.when",
      briefing = [[
Arm an inject: sim.when(predicate, action) runs action the first time predicate() returns true.
Make the predicate a condition on the world (for example, the clock passing 09:10) and the
action a fault: faults.partition{...} or faults.clog{...}. Do not break anything directly.]],
      hints = {
        "help(\"sim.when\") shows how it is called; sim.clock() returns \"09:03:12\".",
        "sim.when(function() return sim.clock() >= \"09:10:00\" end, function() faults.partition{\"eu-west-1c\"} end)",
      },
      done = function(world)
        if armed == 0 then return false, "no inject has been armed with sim.when yet" end
        return true
      end,
    },
    {
      title = "Let it fire",
      briefing = [[
Move time forward with sim.advance until your inject fires, and confirm that drill_check()
now returns true.]],
      hints = {
        "sim.advance(\"10m\") lets ten simulated minutes pass.",
        "If nothing happened, is your predicate ever true? Call it yourself, and look at sim.clock().",
      },
      done = function(world)
        if fired == 0 then return false, "your inject has not fired yet" end
        if not broken() then return false, "the inject fired, but faults.active() shows nothing in force" end
        local answer, why = check_says()
        if answer == nil then return false, why end
        if not answer then return false, "the platform is broken, but drill_check() returns false" end
        return true
      end,
    },
    {
      title = "Heal, and check again",
      briefing = [[
Undo the damage (faults.heal() removes every partition and clog) and confirm that
drill_check() goes back to false.]],
      hints = { "faults.heal()" },
      done = function(world)
        if broken() then return false, "faults are still in force" end
        local answer, why = check_says()
        if answer == nil then return false, why end
        if answer then return false, "the platform is healthy, but drill_check() still returns true" end
        return true
      end,
    },
    {
      title = "Announce the drill",
      briefing = [[
Drills are announced so nobody mistakes them for an incident. Post a status update with
status_page("...") saying what your drill breaks and how it is checked.]],
      hints = { "status_page(\"Drill: partition eu-west-1c at 09:10; checked with drill_check()\")" },
      done = function(world, session)
        return #session.status_posts() > 0, "no status update posted yet"
      end,
    },
  },
}
