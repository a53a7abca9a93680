-- A thousand timers every 100ms: far more callbacks than one command may run.
-- expect: timer callbacks (sim.at, sim.every, sim.when) ran in one command
for i = 1, 1000 do sim.every("100ms", function() end) end
sim.advance("10m")
