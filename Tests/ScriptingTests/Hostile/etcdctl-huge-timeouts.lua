-- expect: ok
local out = etcdctl("member list --dial-timeout=876000h --command-timeout=876000h")
return out ~= nil
