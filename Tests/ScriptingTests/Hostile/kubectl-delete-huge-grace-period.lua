-- expect: ok
return assert(kubectl("delete pod --all --grace-period=9223372036854775807 --wait=false"))
