-- expect: instruction budget exhausted
local s = string.rep("\x80", 1 << 24)
while true do for p, c in utf8.codes(s) do end end
