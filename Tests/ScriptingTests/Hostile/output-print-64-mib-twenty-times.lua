-- What a command prints is kept outside the Lua heap: bounded on its own.
-- memory-mib: 256
-- instructions: 50000000
-- expect: output limit exceeded: a command may print at most 8 MiB
local s = string.rep("x", 64 << 20)
for i = 1, 20 do print(s) end
