-- expect: bad argument #1 to 'sim.skip_calendar' (duration must be at most 100 years
sim.skip_calendar(1e18)
