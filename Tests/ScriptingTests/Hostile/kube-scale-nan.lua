-- expect: number has no integer representation
k8s.scale("deployments", "web", 0/0)
