-- expect: instruction budget exhausted
return string.rep("a", 3000):match(string.rep("a*", 30) .. "b")
