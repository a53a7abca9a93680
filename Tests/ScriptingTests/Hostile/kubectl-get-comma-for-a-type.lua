-- The same for get, whose listing also reads the first type given.
-- expect: error: the server doesn't have a resource type ",,"
assert(kubectl("get ,, x y"))
