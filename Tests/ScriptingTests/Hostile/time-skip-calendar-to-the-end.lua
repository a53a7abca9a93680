-- The calendar may reach the last second of 9999, and no further.
-- expect: bad argument #1 to 'sim.advance' (the world ends at 9999-12-31 23:59:59
sim.skip_calendar("9999-12-31 23:59")
sim.advance("2d")
