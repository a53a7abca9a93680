-- expect: is longer than 100 years (3155760000 seconds), the most a script may name
sim.advance("99999999999999999999h")
