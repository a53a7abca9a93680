-- score = 0..1
-- Never looks and never acts: grading judges the world at 15:40, untouched.
sim.advance("10m")
