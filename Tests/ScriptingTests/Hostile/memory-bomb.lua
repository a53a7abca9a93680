-- expect: memory limit exceeded
local t, s = {}, ("x"):rep(1e6) for i = 1, 1e9 do t[i] = s .. i end
