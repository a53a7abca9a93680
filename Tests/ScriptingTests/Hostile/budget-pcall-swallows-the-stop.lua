-- expect: instruction budget exhausted
return pcall(function() while true do end end)
