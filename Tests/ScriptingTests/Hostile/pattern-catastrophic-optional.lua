-- expect: instruction budget exhausted
return string.rep("a", 40):match(string.rep("a?", 40) .. string.rep("a", 40) .. "b")
