-- expect: spec.replicas: Invalid value
assert(kubectl("apply -f -", [[
apiVersion: apps/v1
kind: Deployment
metadata: {name: big}
spec:
  replicas: 1e308
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec: {containers: [{name: c, image: nginx}]}
]]))
