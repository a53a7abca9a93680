/// How a cluster is laid out and which release it runs: the scenario's knobs.
public struct KubernetesConfiguration: Sendable {
    public var version: KubernetesVersion = .v1_6
    /// Hosts that run an apiserver, a controller manager and a scheduler (and a kubelet for
    /// their static pods). The bank runs three, one per zone.
    public var masters: [String]
    /// Hosts that run a kubelet and take workloads.
    public var nodes: [String]
    /// Where `kubectl` runs; the first master when nil.
    public var operatorHost: String?
    /// What the installer applies once, when the cluster is created (a scenario's deployments,
    /// services and config maps). Restarting an apiserver does not write them again.
    public var initialObjects: [any APIObject] = []
    /// What a node offers: `cpu`, `memory`, `pods`.
    public var nodeCapacity: [String: String] = ["cpu": "4", "memory": "16Gi", "pods": "110"]
    /// The kubelet's `--node-status-update-frequency`.
    public var nodeStatusUpdateFrequency = Span.seconds(10)
    /// The node controller's `--node-monitor-grace-period`: NotReady after this without status.
    public var nodeMonitorGracePeriod = Span.seconds(40)
    /// The node controller's `--pod-eviction-timeout`.
    public var podEvictionTimeout = Span.minutes(5)
    public var nodeMonitorPeriod = Span.seconds(5)
    /// The apiserver's `--etcd-compaction-interval` (Kubernetes 1.6: 5 minutes): etcd keeps
    /// about this much history, and a watch that falls further behind gets 410 Gone.
    public var etcdCompactionInterval = Span.minutes(5)

    public init(masters: [String], nodes: [String]) {
        self.masters = masters
        self.nodes = nodes
    }

    /// The address clients dial, as kubectl's errors name it.
    public var apiEndpoint: String { "10.0.0.1:443" }

    /// The n-th address of the service range 10.3.0.0/16.
    public func serviceAddress(_ index: Int) -> String { "10.3.\(index / 256).\(index % 256)" }

    /// `--watch-cache-sizes`: how many changes each resource's watch cache remembers.
    public func watchCacheSize(_ resource: Resource) -> Int {
        switch resource {
        case .pods, .nodes, .events, .endpoints: 1_000
        default: 100
        }
    }
}
