-- expect: duration must be a number of seconds, got nan
sim.advance(0/0)
