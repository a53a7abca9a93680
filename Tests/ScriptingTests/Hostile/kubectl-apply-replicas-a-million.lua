-- expect: spec.replicas: Invalid value: 1000000: must be no more than 1000 in a simulated cluster
assert(kubectl("apply -f -", [[
apiVersion: apps/v1
kind: Deployment
metadata: {name: million}
spec:
  replicas: 1000000
  selector: {matchLabels: {app: million}}
  template:
    metadata: {labels: {app: million}}
    spec: {containers: [{name: c, image: nginx}]}
]]))
