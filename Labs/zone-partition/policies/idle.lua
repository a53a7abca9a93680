-- score = 0
-- Walks away: grading judges the world at 09:20, with the zone still cut off.
sim.advance("5m")
