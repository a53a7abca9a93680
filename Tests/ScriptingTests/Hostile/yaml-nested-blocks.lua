-- expect: the manifest nests deeper than 64 levels
local lines = {}
for level = 0, 200 do lines[#lines + 1] = string.rep(" ", level) .. "k" .. level .. ":" end
assert(kubectl("apply -f -", table.concat(lines, "\n") .. " 1"))
