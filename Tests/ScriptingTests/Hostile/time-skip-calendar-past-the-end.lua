-- expect: invalid date "10000-01-01 00:00"
sim.skip_calendar("10000-01-01 00:00")
