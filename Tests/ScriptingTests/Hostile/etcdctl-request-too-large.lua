-- expect: Error: etcdserver: request is too large
assert(etcdctl("put big " .. string.rep("x", (2 << 20) - 100)))
