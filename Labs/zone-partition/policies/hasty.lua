-- score = 6..7
-- Heals without looking and tells nobody: the zone comes back quickly, but blind and silent.
sim.advance("2m10s")
faults.heal()
