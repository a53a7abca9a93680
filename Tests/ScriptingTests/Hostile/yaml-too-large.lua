-- expect: longer than the 3 MiB this takes
assert(kubectl("apply -f -", "a: " .. string.rep("x", 3 << 20)))
