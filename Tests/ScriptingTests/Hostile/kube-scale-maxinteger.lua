-- expect: bad argument #3 to 'k8s.scale' (replicas must be between 0 and 1000; got 9223372036854775807)
k8s.scale("deployments", "web", math.maxinteger)
