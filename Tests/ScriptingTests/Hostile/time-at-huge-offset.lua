-- expect: bad argument #1 to 'sim.at' (time "+99999999999999h" is past the world's horizon
sim.at("+99999999999999h", print)
