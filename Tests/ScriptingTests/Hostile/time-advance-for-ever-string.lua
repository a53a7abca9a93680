-- expect: duration "9000000000000s" is longer than 100 years
sim.advance("9000000000000s")
