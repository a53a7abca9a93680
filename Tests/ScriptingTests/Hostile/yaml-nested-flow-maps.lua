-- expect: the manifest nests deeper than 64 levels
assert(kubectl("apply -f -", "a: " .. string.rep("{a: ", 5000) .. "1" .. string.rep("}", 5000)))
