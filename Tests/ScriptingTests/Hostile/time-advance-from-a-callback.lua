-- expect: sim.advance cannot be called from a timer callback
sim.at("+1s", function() sim.advance("1h") end)
sim.advance(2)
