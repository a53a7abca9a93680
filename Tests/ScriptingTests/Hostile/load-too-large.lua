-- expect: chunk too large: load accepts at most 16 MiB of source
local ok, message = load(string.rep("x = 1\n", 3 << 20))
error(message)
