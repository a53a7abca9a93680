-- A type list with no type in it (found by the fuzz soak, seed 6935) trapped Swift in describe.
-- expect: error: the server doesn't have a resource type ","
assert(kubectl("describe , x"))
