-- expect: memory limit exceeded
local s = ("x"):rep(1 << 30)
