-- A lab that caps sim.advance at 10 minutes caps what one command moves in all.
-- cap: 10m
-- expect: sim.advance can move the clock at most 10m in one command in this lab
for i = 1, 9 do sim.advance("10m") end
