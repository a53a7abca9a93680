-- expect: spec.replicas: Invalid value
assert(kubectl("apply -f -", [[
apiVersion: apps/v1
kind: Deployment
metadata: {name: nan}
spec:
  replicas: .nan
  selector: {matchLabels: {app: nan}}
  template:
    metadata: {labels: {app: nan}}
    spec: {containers: [{name: c, image: nginx}]}
]]))
