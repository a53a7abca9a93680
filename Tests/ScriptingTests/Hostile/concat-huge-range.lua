-- expect: instruction budget exhausted
return table.concat(setmetatable({}, {__index = function() return "" end}), "", 1, math.maxinteger)
