-- expect: bad argument #1 to 'sim.at' (time must be a number of seconds, got nan)
sim.at(0/0, print)
