-- The two weeks the Monzo lab's platform lived before the trainee arrives (require
-- "monzo_history"): the etcd resize of Friday 13 October (Labs/lib/etcd_resize.lua), the days
-- after it, Thursday's scale to zero, and Friday up to 14:10. Nothing here steers the outage:
-- each step is an operator's or a team's ordinary deed, and what the seed makes of it is the
-- model's physics (see the lab's README for what is physics and what is assumed).
--
-- The Monzo lab's setup and the outage tests (Tests/ScriptingTests/MonzoOutageTests.swift) both
-- run this file, so the day the lab shows is the day the tests prove.
--
-- Returns history(world): `world` gives etcd, sim and faults (a lab's world, or a drill's _G);
-- kubectl and etcdctl are the globals every lab and drill has.

local resize = require "etcd_resize"

-- Deploys of the week after the resize, off the payment path.
local routine_deploys = {
  { namespace = "cops", name = "help-articles" },
  { namespace = "cards", name = "card-art" },
  { namespace = "current-account", name = "account-archive" },
}

return function(world)
  local sim = world.sim
  resize(world)
  sim.advance("20m") -- connections the resize left dead are found dead by those that send
  -- The days after: routine deploys off the payment path, as any week at a bank has. They send
  -- on every storage client a deploy touches, so the dead connections those clients still held
  -- are found dead (924.6 s after the first unanswered send) and re-dialled.
  for _, target in ipairs(routine_deploys) do
    kubectl("patch deployment " .. target.name .. " -n " .. target.namespace ..
            [[ -p '{"spec":{"template":{"metadata":{"annotations":{"deployed":"2017-10-16"}}}}}']])
  end
  sim.advance("20m")
  sim.skip_calendar("2017-10-26 16:00") -- two quiet weeks
  -- Thursday: a team sees problems with a new service and scales it to zero as a precaution.
  kubectl("scale deployment overdraft-alerts -n current-account --replicas=0")
  sim.advance("10m")
  sim.skip_calendar("2017-10-27 14:09")
  sim.advance("60s")
end
