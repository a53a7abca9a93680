-- -0 is a zero duration: nothing happens.
-- expect: ok
sim.advance(-0.0)
return sim.clock()
