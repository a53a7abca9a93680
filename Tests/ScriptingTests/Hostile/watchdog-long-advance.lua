-- The last line of defence: work no budget counts (simulating a month of the world) stops at
-- the wall-clock limit.
-- wall-seconds: 2
-- expect: wall-clock limit exceeded: the command ran longer than 2 seconds
sim.advance("30d")
