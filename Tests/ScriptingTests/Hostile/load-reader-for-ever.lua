-- instructions: 200000000
-- expect: chunk too large
local ok, message = load(function() return "x = 1\n" end)
error(message)
