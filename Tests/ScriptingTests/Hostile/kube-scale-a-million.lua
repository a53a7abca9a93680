-- expect: bad argument #3 to 'k8s.scale' (replicas must be between 0 and 1000; got 1000000)
k8s.scale("deployments", "web", 1000000)
sim.advance(10)
