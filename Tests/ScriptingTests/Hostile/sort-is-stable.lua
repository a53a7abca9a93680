-- Ties keep their order: a merge sort.
-- expect: ok
-- output: a1 b1 a2 b2 a3 b3
local t = {}
for i = 1, 3 do t[#t + 1] = {k = i, n = "a" .. i} t[#t + 1] = {k = i, n = "b" .. i} end
table.sort(t, function(x, y) return x.k < y.k end)
local names = {}
for _, item in ipairs(t) do names[#names + 1] = item.n end
return table.concat(names, " ")
