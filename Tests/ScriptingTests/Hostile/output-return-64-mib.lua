-- A result is shown whole, as command output is, up to the output limit.
-- memory-mib: 256
-- expect: ok
-- output: output cut at 8 MiB: the value is 67108864 bytes
return string.rep("x", 64 << 20)
