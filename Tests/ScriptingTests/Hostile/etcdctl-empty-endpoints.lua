-- expect: Error: --endpoints=, names no endpoint
assert(etcdctl("get foo --endpoints=,"))
