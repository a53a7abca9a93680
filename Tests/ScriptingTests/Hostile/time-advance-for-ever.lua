-- A span a world could represent, but not simulate: refused at once, not run.
-- expect: bad argument #1 to 'sim.advance' (duration must be at most 100 years
sim.advance(9000000000000)
