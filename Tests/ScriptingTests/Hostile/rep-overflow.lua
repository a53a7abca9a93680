-- expect: resulting string too large
return string.rep("ab", math.maxinteger)
