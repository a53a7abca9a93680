-- Waits at most the world's horizon, and the deployment is rolled out long before.
-- expect: ok
return assert(kubectl("rollout status deploy/web --timeout=876000h"))
