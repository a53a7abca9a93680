-- expect: instruction budget exhausted
xpcall(function() error("x") end, function() while true do end end) while true do end
