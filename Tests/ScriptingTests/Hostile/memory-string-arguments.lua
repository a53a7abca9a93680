-- A string crossing into Swift is copied outside the Lua heap: bounded.
-- memory-mib: 256
-- expect: longer than the 64 KiB this takes
return kubectl(string.rep("x", 20 << 20))
