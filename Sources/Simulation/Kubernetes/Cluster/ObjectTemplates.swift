/// Ready-made objects for scenarios, tests and benchmarks: the shapes a manifest would give.
public enum ObjectTemplates {
    /// A Deployment of one container listening on `port`, selected by `app: name`.
    public static func deployment(_ name: String, namespace: String = "default", replicas: Int64, image: String, port: Int64 = 8080,
                                  configMap: String? = nil, cpu: String = "100m", memory: String = "128Mi") -> Deployment {
        let labels = ["app": name]
        var container = Container(name: name, image: image, ports: [ContainerPort(name: "http", containerPort: port)],
                                  requests: ["cpu": cpu, "memory": memory])
        container.readinessProbe = Probe(initialDelaySeconds: 5, periodSeconds: 10)
        container.readinessProbe?.handler = ["httpGet": .object(["path": .string("/healthz"), "port": .integer(port)])]
        var spec = PodSpec(containers: [container])
        if let configMap {
            spec.volumes = [.object(["name": .string("config"), "configMap": .object(["name": .string(configMap)])])]
        }
        return Deployment(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
                          spec: DeploymentSpec(replicas: replicas, selector: LabelSelector(matchLabels: labels),
                                               template: PodTemplateSpec(labels: labels, spec: spec)))
    }

    /// A ClusterIP Service in front of the pods labelled `app: name`.
    public static func service(_ name: String, namespace: String = "default", port: Int64 = 80, targetPort: Int64 = 8080) -> Service {
        Service(metadata: ObjectMeta(name: name, namespace: namespace, labels: ["app": name]),
                ports: [ServicePort(name: "http", port: port, targetPort: String(targetPort))], selector: ["app": name])
    }

    public static func configMap(_ name: String, namespace: String = "default", data: [String: String]) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace), data: data)
    }

    public static func namespace(_ name: String) -> Namespace { Namespace(metadata: ObjectMeta(name: name)) }

    /// A DaemonSet of one container on every node, tolerating every taint (as a node proxy does).
    public static func daemonSet(_ name: String, namespace: String = "kube-system", image: String, configMap: String? = nil) -> DaemonSet {
        let labels = ["app": name]
        var spec = PodSpec(containers: [Container(name: name, image: image, requests: ["cpu": "50m", "memory": "64Mi"])])
        spec.tolerations = [.object(["operator": .string("Exists")])]
        if let configMap {
            spec.volumes = [.object(["name": .string("config"), "configMap": .object(["name": .string(configMap)])])]
        }
        return DaemonSet(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels),
                         spec: DaemonSetSpec(selector: LabelSelector(matchLabels: labels), template: PodTemplateSpec(labels: labels, spec: spec)))
    }
}
