-- expect: instruction budget exhausted
while true do pcall(function() while true do end end) end
