-- expect: stack overflow
local f, message = load("return " .. string.rep("(", 100000) .. "1" .. string.rep(")", 100000))
error(message)
