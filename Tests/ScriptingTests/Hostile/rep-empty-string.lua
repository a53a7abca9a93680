-- Nothing to repeat: the answer comes at once.
-- expect: ok
return #string.rep("", 1e12), #string.rep("", 1e12, "")
