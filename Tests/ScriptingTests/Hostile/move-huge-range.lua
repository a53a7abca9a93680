-- expect: instruction budget exhausted
table.move({}, 1, math.maxinteger, 2)
