-- 20 lazy items against 3,000 characters: Lua's own matcher runs for minutes.
-- expect: instruction budget exhausted
return string.rep("a", 3000):find(string.rep("a-", 20) .. "b")
