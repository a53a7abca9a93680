-- expect: error: --replicas=9223372036854775807 is more than a simulated cluster runs (at most 1000)
assert(kubectl("scale deploy web --replicas=9223372036854775807"))
