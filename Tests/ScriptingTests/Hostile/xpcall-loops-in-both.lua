-- expect: instruction budget exhausted
xpcall(function() while true do end end, function() while true do end end)
