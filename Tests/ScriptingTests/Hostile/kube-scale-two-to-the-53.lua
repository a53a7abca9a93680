-- expect: bad argument #3 to 'k8s.scale' (replicas must be between 0 and 1000; got 9007199254740992)
k8s.scale("deployments", "web", 2^53)
