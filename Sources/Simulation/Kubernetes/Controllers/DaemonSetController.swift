/// Runs one pod of each DaemonSet on every eligible node, binding it there directly as the 1.6
/// controller did, and replaces out-of-date pods node by node within `maxUnavailable`.
final class DaemonSetController {
    private unowned let manager: ControllerManager
    private var queue: WorkQueue!
    static let revisionLabel = "controller-revision-hash"

    init(manager: ControllerManager) {
        self.manager = manager
        queue = WorkQueue(process: manager) { [unowned self] key in sync(key) }
    }

    private var client: APIClient { manager.client }

    func enqueue(_ ds: DaemonSet) { queue.add(Informer<DaemonSet>.key(namespace: ds.namespace, name: ds.name)) }
    func enqueueAll() { for ds in manager.daemonSets.sortedObjects { enqueue(ds) } }

    func daemonSetDeleted(_ ds: DaemonSet) {
        for pod in manager.pods.indexed("owner", ds.metadata.uid) { client.delete(.pods, namespace: pod.namespace, name: pod.name) }
    }

    func podChanged(_ old: Pod?, _ new: Pod?) {
        guard let pod = new ?? old, let owner = pod.metadata.controllerReference, owner.kind == "DaemonSet" else { return }
        queue.add(Informer<DaemonSet>.key(namespace: pod.namespace, name: owner.name))
    }

    /// Whether the DaemonSet should run on the node: its node selector matches, and the node's
    /// NoSchedule taints are tolerated. Cordoned nodes still run daemons.
    static func isEligible(_ node: Node, for ds: DaemonSet) -> Bool {
        guard ds.spec.template.spec.nodeSelector.allSatisfy({ node.metadata.labels[$0.key] == $0.value }) else { return false }
        return ds.spec.template.spec.toleratesEverything || !node.spec.taints.contains { $0.effect == "NoSchedule" }
    }

    private func sync(_ key: String) {
        guard let ds = manager.daemonSets.objects[key], !ds.metadata.isTerminating else { return }
        let hash = ds.spec.template.hashLabel
        let owned = manager.pods.indexed("owner", ds.metadata.uid).filter(\.isActive)
        var podsByNode: [String: [Pod]] = [:]
        for pod in owned { podsByNode[pod.spec.nodeName, default: []].append(pod) }
        let nodes = manager.nodes.sortedObjects.filter { DaemonSetController.isEligible($0, for: ds) }
        let eligible = Set(nodes.map(\.name))
        for node in nodes where podsByNode[node.name] == nil { createPod(ds, on: node.name, hash: hash) }
        for (nodeName, pods) in podsByNode.sorted(by: { $0.key < $1.key }) {
            let extras = eligible.contains(nodeName) ? Array(pods.dropFirst()) : pods
            for pod in extras { client.delete(.pods, namespace: pod.namespace, name: pod.name) }
        }
        if ds.spec.updateStrategyType == "RollingUpdate" { rollOut(ds, owned.filter { eligible.contains($0.spec.nodeName) }, hash: hash, desired: nodes.count) }
        updateStatus(ds, owned, eligible: eligible, hash: hash)
    }

    private func createPod(_ ds: DaemonSet, on nodeName: String, hash: String) {
        var metadata = ObjectMeta(name: "", namespace: ds.namespace, labels: ds.spec.template.labels, annotations: ds.spec.template.annotations)
        metadata.generateName = "\(ds.name)-"
        metadata.labels[DaemonSetController.revisionLabel] = hash
        metadata.ownerReferences = [ds.ownerReference()]
        var pod = Pod(metadata: metadata, spec: ds.spec.template.spec)
        pod.spec.nodeName = nodeName
        client.create(pod) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let created):
                self.queue.forget(Informer<DaemonSet>.key(namespace: ds.namespace, name: ds.name))
                self.manager.recorder("daemonset-controller").normal(ds.reference, "SuccessfulCreate", "Created pod: \(created.name)")
            case .failure(let error):
                self.manager.recorder("daemonset-controller").warning(ds.reference, "FailedCreate", "Error creating: \(error.message)")
                self.queue.addRateLimited(Informer<DaemonSet>.key(namespace: ds.namespace, name: ds.name))
            }
        }
    }

    /// Deletes out-of-date pods while fewer than `maxUnavailable` daemon pods are unavailable;
    /// the next sync recreates them from the new template.
    private func rollOut(_ ds: DaemonSet, _ pods: [Pod], hash: String, desired: Int) {
        let maximum = max(1, ds.spec.maxUnavailable.value(of: Int64(desired), roundUp: false))
        var unavailable = Int64(desired - pods.filter(\.isReady).count)
        let outdated = pods.filter { $0.metadata.labels[DaemonSetController.revisionLabel] != hash }
            .sorted { ($0.isReady ? 1 : 0, $0.spec.nodeName) < ($1.isReady ? 1 : 0, $1.spec.nodeName) }
        for pod in outdated {
            if pod.isReady {
                guard unavailable < maximum else { break }
                unavailable += 1
            }
            client.delete(.pods, namespace: pod.namespace, name: pod.name)
        }
    }

    private func updateStatus(_ ds: DaemonSet, _ pods: [Pod], eligible: Set<String>, hash: String) {
        let now = Timestamp(manager.world)
        var status = DaemonSetStatus()
        status.desiredNumberScheduled = Int64(eligible.count)
        status.currentNumberScheduled = Int64(Set(pods.filter { eligible.contains($0.spec.nodeName) }.map(\.spec.nodeName)).count)
        status.numberMisscheduled = Int64(pods.filter { !eligible.contains($0.spec.nodeName) }.count)
        status.numberReady = Int64(pods.filter(\.isReady).count)
        status.updatedNumberScheduled = Int64(pods.filter { $0.metadata.labels[DaemonSetController.revisionLabel] == hash }.count)
        status.numberAvailable = Int64(pods.filter { ReplicaSetController.isAvailable($0, minReadySeconds: ds.spec.minReadySeconds, now: now) }.count)
        status.numberUnavailable = max(0, status.desiredNumberScheduled - status.numberAvailable)
        status.observedGeneration = ds.metadata.generation
        guard status != ds.status else { return }
        client.patch(DaemonSet.self, namespace: ds.namespace, name: ds.name, { (stored: inout DaemonSet) throws(APIError) in
            stored.status = status
        })
    }
}
