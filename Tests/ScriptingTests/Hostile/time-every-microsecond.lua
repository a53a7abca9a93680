-- A timer every microsecond would keep one command busy for ever.
-- expect: bad argument #1 to 'sim.every' (period must be at least 100ms
sim.every("1us", print)
sim.advance(10)
