/// Watches node heartbeats: a node that has not posted status for the grace period (40 s) gets
/// its conditions set to Unknown and its pods marked not ready; one that stays so for the
/// eviction timeout (5 min) has its pods deleted, so their controllers replace them elsewhere.
final class NodeLifecycleController {
    private unowned let manager: ControllerManager
    /// When this controller last saw each node's heartbeat change, by its own clock.
    private var lastProbe: [String: (heartbeat: Timestamp?, seenAt: SimTime)] = [:]
    private var notReadySince: [String: SimTime] = [:]
    private var evicted = Set<String>()

    init(manager: ControllerManager) { self.manager = manager }

    private var configuration: KubernetesConfiguration { manager.cluster.configuration }
    private var world: World { manager.world }

    func start() { manager.after(configuration.nodeMonitorPeriod) { [unowned self] in monitor() } }

    private func monitor() {
        for node in manager.nodes.sortedObjects { check(node) }
        manager.after(configuration.nodeMonitorPeriod) { [unowned self] in monitor() }
    }

    private func check(_ node: Node) {
        let heartbeat = node.status.conditions["Ready"]?.lastHeartbeatTime
        if lastProbe[node.name]?.heartbeat != heartbeat || lastProbe[node.name] == nil {
            lastProbe[node.name] = (heartbeat, world.now)
        }
        let silentFor = world.now - lastProbe[node.name]!.seenAt
        if node.isReady {
            notReadySince[node.name] = nil
            evicted.remove(node.name)
            if silentFor > configuration.nodeMonitorGracePeriod { markUnknown(node) }
            return
        }
        let since = notReadySince[node.name] ?? world.now
        notReadySince[node.name] = since
        if world.now - since >= configuration.podEvictionTimeout && !evicted.contains(node.name) {
            evict(node)
        }
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
