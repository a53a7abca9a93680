-- expect: spec.replicas: Invalid value
assert(kubectl("apply -f -", [[
apiVersion: apps/v1
kind: Deployment
metadata: {name: inf}
spec:
  replicas: .inf
  selector: {matchLabels: {app: inf}}
  template:
    metadata: {labels: {app: inf}}
    spec: {containers: [{name: c, image: nginx}]}
]]))
