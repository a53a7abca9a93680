-- expect: pattern too complex
return ("a"):rep(300):match(string.rep("a?", 300) .. "c")
