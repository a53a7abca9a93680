-- etcdctl's timeouts are how long one command waits: a lab's cap applies.
-- cap: 5m
-- expect: Error: --command-timeout=2h is longer than one command may wait in this lab (5m)
assert(etcdctl("member list --dial-timeout=2h --command-timeout=2h"))
