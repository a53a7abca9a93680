/// How the bank runs linkerd: where its DaemonSet lives, which namespaces it routes, and the
/// finagle defaults its clients used in 2017.
public struct MeshConfiguration: Sendable {
    /// The namespace of the DaemonSet, its ConfigMap and its pods.
    public var namespace = "linkerd"
    public var daemonSetName = "l5d"
    public var containerName = "l5d"
    public var configMapName = "l5d-config"
    /// The namespaces the `io.l5d.k8s` namer lists and watches, one stream each.
    public var routedNamespaces: [String]
    public var outgoingPort = 4140
    public var incomingPort = 4141
    /// How long a connection attempt to an address where nothing answers takes to fail.
    public var connectTimeout = Span.seconds(1)
    /// Consecutive failures after which an endpoint is marked dead.
    public var failureAccrualThreshold = 5.0
    /// The first mark lasts up to this (jittered, doubling up to the maximum).
    public var failureAccrualBackoff = Span.seconds(5)
    public var failureAccrualMaximumBackoff = Span.seconds(300)
    /// Requeues allowed on top of the requests: a fifth of them, plus this many a second.
    public var retryBudgetFraction = 0.2
    public var minimumRetriesPerSecond = 10.0

    public init(routedNamespaces: [String]) {
        self.routedNamespaces = routedNamespaces
    }

    /// The DaemonSet, its ConfigMap and their namespace, for a scenario's initial objects. The
    /// pods do not tolerate the masters' taint: linkerd runs where the services run.
    public func objects(version: LinkerdVersion) -> [any APIObject] {
        let config = """
            admin:
              port: 9990
            namers:
            - kind: io.l5d.k8s
              host: localhost
              port: 8001
            routers:
            - protocol: http
              label: outgoing
              dtab: /srv => /#/io.l5d.k8s/{namespace}/http; /svc => /srv;
              servers: [{port: \(outgoingPort), ip: 0.0.0.0}]
            - protocol: http
              label: incoming
              interpreter: {kind: default, transformers: [{kind: io.l5d.k8s.localnode}]}
              servers: [{port: \(incomingPort), ip: 0.0.0.0}]
            # namespaces routed: \(routedNamespaces.joined(separator: ", "))
            """
        var daemonSet = ObjectTemplates.daemonSet(daemonSetName, namespace: namespace, image: version.image, configMap: configMapName)
        daemonSet.spec.template.spec.tolerations = []
        daemonSet.spec.template.spec.containers[0].name = containerName
        return [
            ObjectTemplates.namespace(namespace),
            ObjectTemplates.configMap(configMapName, namespace: namespace, data: ["config.yaml": config]),
            daemonSet,
        ]
    }
}
