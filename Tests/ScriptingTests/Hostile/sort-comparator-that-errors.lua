-- expect: comparator broke
table.sort({3, 2, 1}, function(a, b) error("comparator broke") end)
