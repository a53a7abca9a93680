-- expect: bad argument #1 to 'sim.at' (time inf is past the world's horizon
sim.at(math.huge, print)
