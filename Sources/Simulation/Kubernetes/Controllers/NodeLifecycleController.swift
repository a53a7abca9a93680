/// Watches node heartbeats: a node that has not posted status for the grace period (40 s) gets
/// its conditions set to Unknown and its pods marked not ready; one that stays so for the
/// eviction timeout (5 min) has its pods deleted, so their controllers replace them elsewhere.
///
/// Evictions go through a rate limiter per zone, which follows the zone's health as Kubernetes
/// 1.6's node controller did (`handleDisruption`, `ComputeZoneStateFunc`): a zone evicts one
/// node per 10 s (`--node-eviction-rate=0.1`) while it is normal or wholly down; it stops when
/// at least 55% of its nodes, and more than two, are not ready (`--unhealthy-zone-threshold`;
/// a zone of up to 50 nodes, `--large-cluster-size-threshold`, gets no secondary rate). When
/// every zone is wholly down the controller suspects itself or the network, not the nodes, and
/// evicts nothing; when some node is ready again it restarts every node's eviction timer.
final class NodeLifecycleController {
    private unowned let manager: ControllerManager
    /// When this controller last saw each node's heartbeat change, by its own clock.
    private var lastProbe: [String: (heartbeat: Timestamp?, seenAt: SimTime)] = [:]
    private var notReadySince: [String: SimTime] = [:]
    private var evicted = Set<String>()
    /// Each zone's health and size as last computed, and when it may next evict a node.
    private var zoneStates: [String: ZoneState] = [:]
    private var zoneSizes: [String: Int] = [:]
    private var nextEvictionAt: [String: SimTime] = [:]
    private var allZonesWereDown = false

    enum ZoneState: String {
        case normal = "Normal"
        case partialDisruption = "PartialDisruption"
        case fullDisruption = "FullDisruption"
    }

    static let evictionInterval = Span.seconds(10)
    static let unhealthyZoneThreshold = 0.55
    static let largeClusterThreshold = 50

    init(manager: ControllerManager) { self.manager = manager }

    private var configuration: KubernetesConfiguration { manager.cluster.configuration }
    private var world: World { manager.world }

    func start() { manager.after(configuration.nodeMonitorPeriod) { [unowned self] in monitor() } }

    private func monitor() {
        let nodes = manager.nodes.sortedObjects
        handleDisruption(nodes)
        // The longest-due first, as 1.6's eviction queue was first in, first out.
        let due = nodes.filter(check).sorted { (notReadySince[$0.name]!, $0.name) < (notReadySince[$1.name]!, $1.name) }
        for node in due { evictIfTheZoneAllows(node) }
        manager.after(configuration.nodeMonitorPeriod) { [unowned self] in monitor() }
    }

    /// Brings the node's condition up to date; true when its pods are due for eviction.
    private func check(_ node: Node) -> Bool {
        let heartbeat = node.status.conditions["Ready"]?.lastHeartbeatTime
        if lastProbe[node.name]?.heartbeat != heartbeat || lastProbe[node.name] == nil {
            lastProbe[node.name] = (heartbeat, world.now)
        }
        let silentFor = world.now - lastProbe[node.name]!.seenAt
        if node.isReady {
            notReadySince[node.name] = nil
            evicted.remove(node.name)
            if silentFor > configuration.nodeMonitorGracePeriod { markUnknown(node) }
            return false
        }
        let since = notReadySince[node.name] ?? world.now
        notReadySince[node.name] = since
        return world.now - since >= configuration.podEvictionTimeout && !evicted.contains(node.name)
    }

    /// Each zone's state from its nodes' readiness, logged when it changes; leaving "every zone
    /// down" restarts every node's eviction timer, as 1.6 reset its probe timestamps.
    private func handleDisruption(_ nodes: [Node]) {
        var byZone: [String: (ready: Int, notReady: Int)] = [:]
        for node in nodes {
            var counts = byZone[node.zone] ?? (0, 0)
            if node.isReady { counts.ready += 1 } else { counts.notReady += 1 }
            byZone[node.zone] = counts
        }
        var states: [String: ZoneState] = [:]
        for (zone, counts) in byZone { states[zone] = Self.state(ready: counts.ready, notReady: counts.notReady) }
        let allDown = !states.isEmpty && states.values.allSatisfy { $0 == .fullDisruption }
        if allDown && !allZonesWereDown {
            manager.log(.info, "nodecontroller.go:1046] NodeController detected that all Nodes are not-Ready. Entering master disruption mode.")
        }
        if !allDown && allZonesWereDown {
            manager.log(.info, "nodecontroller.go:1063] NodeController detected that some Nodes are Ready. Exiting master disruption mode.")
            for name in notReadySince.keys.sorted() { notReadySince[name] = world.now }
        }
        // Entering or leaving master disruption mode says so alone, as 1.6 did.
        for zone in states.keys.sorted() where allDown == allZonesWereDown && zoneStates[zone] != nil && zoneStates[zone] != states[zone] {
            manager.log(.info, "nodecontroller.go:1086] NodeController detected that zone \(zone) is now in state \(states[zone]!.rawValue).")
        }
        allZonesWereDown = allDown
        zoneStates = states
        zoneSizes = byZone.mapValues { $0.ready + $0.notReady }
    }

    static func state(ready: Int, notReady: Int) -> ZoneState {
        if ready == 0 && notReady > 0 { return .fullDisruption }
        if notReady > 2 && Double(notReady) / Double(ready + notReady) >= unhealthyZoneThreshold { return .partialDisruption }
        return .normal
    }

    /// Evicts the node's pods if its zone's limiter lets it now; otherwise it waits for a later pass.
    private func evictIfTheZoneAllows(_ node: Node) {
        guard !allZonesWereDown, let state = zoneStates[node.zone], let zoneSize = zoneSizes[node.zone] else { return }
        let interval: SimTime?
        switch state {
        case .normal, .fullDisruption: interval = Self.evictionInterval
        // --secondary-node-eviction-rate=0.01 for a large zone; none for a small one.
        case .partialDisruption: interval = zoneSize > Self.largeClusterThreshold ? Self.evictionInterval * 10 : nil
        }
        guard let interval, world.now >= nextEvictionAt[node.zone] ?? SimTime.min else { return }
        nextEvictionAt[node.zone] = world.now + interval
        evict(node)
    }

    private func markUnknown(_ node: Node) {
        let now = Timestamp(world)
        manager.log(.info, "nodecontroller.go:729] node \(node.name) hasn't been updated for \(Span.describe(world.now - lastProbe[node.name]!.seenAt)). Last ready condition is: Ready")
        manager.client.patch(Node.self, name: node.name, { (stored: inout Node) throws(APIError) in
            for index in stored.status.conditions.indices where stored.status.conditions[index].status != "Unknown" {
                stored.status.conditions[index].status = "Unknown"
                stored.status.conditions[index].reason = "NodeStatusUnknown"
                stored.status.conditions[index].message = "Kubelet stopped posting node status."
                stored.status.conditions[index].lastTransitionTime = now
            }
        })
        manager.recorder("node-controller").normal(ObjectReference(kind: "Node", namespace: "", name: node.name, uid: node.name), "NodeNotReady",
                                "Node \(node.name) status is now: NodeNotReady")
        for pod in manager.pods.indexed("node", node.name) where pod.isReady {
            manager.client.patch(Pod.self, namespace: pod.namespace, name: pod.name, { (stored: inout Pod) throws(APIError) in
                var conditions = stored.status.conditions
                conditions.set(Condition(type: "Ready", status: "False", lastTransitionTime: now))
                stored.status.conditions = conditions
            })
        }
    }

    private func evict(_ node: Node) {
        evicted.insert(node.name)
        manager.log(.info, "controller_utils.go:86] Deleting all Pods from Node \(node.name).")
        manager.recorder("node-controller").normal(ObjectReference(kind: "Node", namespace: "", name: node.name, uid: node.name), "DeletingAllPods",
                                "Deleting all Pods from Node \(node.name).")
        for pod in manager.pods.indexed("node", node.name) where pod.metadata.controllerReference?.kind != "DaemonSet"
            && pod.metadata.annotations["kubernetes.io/config.mirror"] == nil && !pod.metadata.isTerminating {
            manager.client.delete(.pods, namespace: pod.namespace, name: pod.name)
        }
    }
}
