-- expect: attempt to load a binary chunk
assert(load("\27Lua\x54\0", "x", "b"))
