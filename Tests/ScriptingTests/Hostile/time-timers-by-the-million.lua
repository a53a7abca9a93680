-- expect: timers are already pending, the most a world holds
for i = 1, 1e7 do sim.at(i, print) end
