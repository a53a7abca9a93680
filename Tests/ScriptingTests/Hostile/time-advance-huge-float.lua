-- expect: bad argument #1 to 'sim.advance' (duration must be at most 100 years
sim.advance(1e300)
