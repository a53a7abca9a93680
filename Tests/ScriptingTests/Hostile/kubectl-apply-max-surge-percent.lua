-- A huge percentage would overflow when scaled by the replicas.
-- expect: must be greater than or equal to 0 and fit in 32 bits
assert(kubectl("apply -f -", [[
apiVersion: apps/v1
kind: Deployment
metadata: {name: surge}
spec:
  replicas: 2
  selector: {matchLabels: {app: surge}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: "9223372036854775807%"}}
  template:
    metadata: {labels: {app: surge}}
    spec: {containers: [{name: c, image: nginx}]}
]]))
