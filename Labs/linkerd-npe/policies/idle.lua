-- score = 0..1
-- Walks away: nothing is reproduced, nothing is learnt.
sim.advance("10m")
