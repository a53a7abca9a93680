-- expect: instruction budget exhausted
table.move({}, -math.maxinteger, math.maxinteger - 1, 1, {})
