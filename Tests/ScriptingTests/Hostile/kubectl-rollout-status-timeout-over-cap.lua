-- cap: 5m
-- expect: error: --timeout=2h is longer than one command may wait in this lab (5m)
assert(kubectl("rollout status deploy/web --timeout=2h"))
