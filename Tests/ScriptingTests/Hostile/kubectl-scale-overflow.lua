-- expect: invalid argument "99999999999999999999" for "--replicas" flag
assert(kubectl("scale deploy web --replicas=99999999999999999999"))
