-- The sandbox has no files: kubectl reads only what -f - is given.
-- expect: error: the path "/etc/passwd" does not exist
assert(kubectl("apply -f /etc/passwd"))
