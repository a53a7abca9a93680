-- 5,000 nested flow sequences: YAML's parser would recurse once per level.
-- expect: the manifest nests deeper than 64 levels
assert(kubectl("apply -f -", "a: " .. string.rep("[", 5000) .. string.rep("]", 5000)))
