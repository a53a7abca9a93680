-- table.sort with ties, and with a comparator that only looks at part of each item.
local items = {}
for i = 1, 200 do items[i] = { group = i % 7, name = "item" .. i } end
table.sort(items, function(a, b) return a.group < b.group end)
local names = {}
for i = 1, 20 do names[i] = items[i].name end
print(table.concat(names, " "))
local words = {}
for word in ("the quick brown fox jumps over the lazy dog again and again"):gmatch("%a+") do words[#words + 1] = word end
table.sort(words, function(a, b) return #a < #b end)
print(table.concat(words, " "))
print(sim.digest())
