-- expect: instruction budget exhausted
while true do end
