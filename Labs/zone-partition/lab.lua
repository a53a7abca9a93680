-- zone-partition: the complete small example of a lab that README.md walks through.
-- One inject, three steps, and (in grade.lua) a rubric with partial credit.

local paged_at = nil -- simulated seconds when the zone dropped off, once it has

return {
  id = "zone-partition",
  title = "Heal a zone partition",
  summary = "A zone drops off the network at 09:02. Find the fault, heal it, tell your customers.",
  difficulty = "beginner",
  minutes = 10,

  scenario = { name = "practice", seed = 3, start = "2017-10-27 09:00" },
  -- Time follows the wall clock; sim.advance may skip up to five minutes at a time. Grading
  -- judges the world at 09:20, so leaving early with the zone still cut off does not pay.
  time = { speed = 1, advance = "5m", grade_at = "09:20" },

  injects = {
    {
      name = "zone outage",
      at = "09:02",
      run = function(world)
        world.faults.partition{ "eu-west-1c" }
        paged_at = world.sim.now()
      end,
      notice = "PAGE: node-3 (eu-west-1c) stopped answering node-1 and node-2.",
    },
  },

  steps = {
    {
      title = "Find the fault",
      briefing = [[
At 09:02 something breaks (sim.advance("2m") if you would rather not wait). When the page
arrives, find out what is wrong before you touch anything: faults.active() lists the
partitions and clogs in force.]],
      hints = { "faults.active()" },
      done = function(world, session)
        if not paged_at then return false, "nothing has broken yet: the page comes at 09:02" end
        -- Judged on what the trainee looked at (the world's read log), not on what they typed.
        return labkit.first(session.reads{ since = paged_at }, { kind = "faults" }) ~= nil, "look with faults.active() first"
      end,
    },
    {
      title = "Heal it",
      briefing = "Remove the partition.",
      hints = { "faults.heal() removes every partition and clog." },
      done = function(world)
        return #world.faults.active() == 0, "a fault is still in force"
      end,
    },
    {
      title = "Tell your customers",
      briefing = "Post what happened and that it is fixed: status_page(\"...\").",
      hints = { "status_page(\"09:02-09:05: eu-west-1c was unreachable; fixed.\")" },
      done = function(world, session)
        return #session.status_posts() > 0, "no status update yet"
      end,
    },
  },
}
