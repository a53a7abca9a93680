-- expect: instruction budget exhausted
local s = string.rep("\xe2\x82\xac", 1 << 22)
while true do utf8.len(s) end
