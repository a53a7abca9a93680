/// kube-scheduler: binds each unscheduled pod to a node that is ready, schedulable, tolerated
/// and has room for its requests, preferring nodes and zones with fewer pods of the same owner
/// and nodes with more free capacity. Elects a leader like the controller manager.
public final class Scheduler: SimProcess {
    public unowned let cluster: KubernetesCluster
    public private(set) var isLeader = false
    private var client: APIClient!
    private var recorder: EventRecorder!
    private var elector: LeaderElector?
    private var pods: Informer<Pod>!
    private var nodes: Informer<Node>!
    private var pending: WorkQueue!
    /// Pods bound by this scheduler whose binding its informer has not shown yet.
    private var assumed: [String: (nodeName: String, ownerUID: String?)] = [:]
    private var backoff: [String: Int] = [:]
    private var usage: [String: (millicores: Int64, bytes: Int64, pods: Int64)] = [:]
    private var random: RandomStream
    /// What scheduling reads of each node, in name order, rebuilt only when a node changes.
    private var sortedNodes: [NodeFacts]?
    public private(set) var boundCount = 0

    init(name: String, host: Host, cluster: KubernetesCluster) {
        self.cluster = cluster
        self.random = cluster.world.random("kube/\(name)")
        super.init(name: name, host: host)
    }

    public var podName: String { "kube-scheduler-\(host.name)" }

    func log(_ level: GlogFormat.Level, _ text: String) {
        cluster.log(namespace: "kube-system", pod: podName, container: "kube-scheduler", level, text)
    }

    public override func didStart() {
        isLeader = false
        assumed.removeAll()
        usage.removeAll()
        sortedNodes = nil
        backoff.removeAll()
        client = APIClient(process: self, cluster: cluster)
        recorder = EventRecorder(client: client, component: "default-scheduler", host: host.name)
        let elector = LeaderElector(client: client, lockName: "kube-scheduler", identity: host.name)
        elector.onStartedLeading = { [unowned self] in
            log(.info, "leaderelection.go:189] successfully acquired lease kube-system/kube-scheduler")
            isLeader = true
            startScheduling()
        }
        elector.onStoppedLeading = { [unowned self] in
            log(.error, "server.go:204] lost master")
            let world = self.world!
            world.schedule(after: Span.seconds(5)) { [unowned self] in if !self.isRunning { world.start(self) } }
            world.stop(self)
        }
        self.elector = elector
        elector.start()
    }

    public override func willStop() {
        pods?.stop()
        nodes?.stop()
    }

    private func startScheduling() {
        pending = WorkQueue(process: self, delay: Span.milliseconds(2)) { [unowned self] key in schedule(key) }
        pods = Informer(client: client, random: random)
        nodes = Informer(client: client, random: random)
        pods.addIndex("owner") { pod in pod.metadata.controllerReference.map { [$0.uid] } ?? [] }
        pods.onAdd = { [unowned self] pod in podChanged(nil, pod) }
        pods.onUpdate = { [unowned self] old, pod in podChanged(old, pod) }
        pods.onDelete = { [unowned self] pod in podChanged(pod, nil) }
        nodes.onAdd = { [unowned self] _ in sortedNodes = nil; retryUnschedulable() }
        nodes.onUpdate = { [unowned self] old, node in
            sortedNodes = nil
            if old.isReady != node.isReady || old.spec != node.spec { retryUnschedulable() }
        }
        nodes.onDelete = { [unowned self] _ in sortedNodes = nil }
        nodes.start()
        pods.start()
    }

    private static func needsScheduling(_ pod: Pod) -> Bool { pod.spec.nodeName.isEmpty && !pod.metadata.isTerminating && pod.isActive }

    private func podChanged(_ old: Pod?, _ new: Pod?) {
        if let old, !old.spec.nodeName.isEmpty, old.isActive { account(old, sign: -1) }
        if let new, !new.spec.nodeName.isEmpty, new.isActive {
            if assumed.removeValue(forKey: new.metadata.uid) != nil { account(new, sign: -1) }
            account(new, sign: 1)
        }
        if let new, Scheduler.needsScheduling(new) { pending.add(Informer<Pod>.key(namespace: new.namespace, name: new.name)) }
        if new == nil, let old, let entry = assumed.removeValue(forKey: old.metadata.uid) { account(old, sign: -1, node: entry.nodeName) }
    }

    private func account(_ pod: Pod, sign: Int64, node: String? = nil) {
        let name = node ?? pod.spec.nodeName
        var entry = usage[name] ?? (0, 0, 0)
        entry.millicores += sign * pod.requestedMillicores
        entry.bytes += sign * pod.requestedBytes
        entry.pods += sign
        usage[name] = entry
    }

    private func retryUnschedulable() {
        guard let pods else { return }
        for pod in pods.sortedObjects where Scheduler.needsScheduling(pod) && assumed[pod.metadata.uid] == nil {
            pending.add(Informer<Pod>.key(namespace: pod.namespace, name: pod.name))
        }
    }

    private func schedule(_ key: String) {
        guard let pod = pods.objects[key], Scheduler.needsScheduling(pod), assumed[pod.metadata.uid] == nil else { return }
        let demand = PodDemand(pod)
        let (feasible, reasons) = filterNodes(for: pod, demand)
        guard !feasible.isEmpty else {
            let summary = reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            recorder.warning(pod.reference, "FailedScheduling", "0/\(nodes.objects.count) nodes are available: \(summary).")
            let attempts = (backoff[key] ?? 0) + 1
            backoff[key] = attempts
            pending.add(key, after: Span.seconds(min(60, 1 << min(attempts, 6))))
            return
        }
        backoff[key] = nil
        let chosen = best(of: feasible, for: pod, demand)
        bind(pod, to: chosen.name)
    }

    private func filterNodes(for pod: Pod, _ demand: PodDemand) -> ([NodeFacts], [String: Int]) {
        var feasible: [NodeFacts] = []
        var reasons: [String: Int] = [:]
        if sortedNodes == nil { sortedNodes = nodes.sortedObjects.map(NodeFacts.init) }
        for node in sortedNodes! {
            if let reason = unfit(pod, demand, node) { reasons[reason, default: 0] += 1 } else { feasible.append(node) }
        }
        return (feasible, reasons)
    }

    private func unfit(_ pod: Pod, _ demand: PodDemand, _ node: NodeFacts) -> String? {
        if !node.isReady { return "node(s) were not ready" }
        if node.unschedulable { return "node(s) were unschedulable" }
        if !demand.toleratesEverything && node.hasNoScheduleTaint { return "node(s) had taints that the pod didn't tolerate" }
        if !pod.spec.nodeSelector.allSatisfy({ node.labels[$0.key] == $0.value }) { return "node(s) didn't match node selector" }
        let used = usage[node.name] ?? (0, 0, 0)
        if used.pods + 1 > node.allocatablePods { return "Too many pods" }
        if used.millicores + demand.millicores > node.allocatableMillicores { return "Insufficient cpu" }
        if used.bytes + demand.bytes > node.allocatableBytes { return "Insufficient memory" }
        return nil
    }

    /// Spreads pods of one owner over nodes and zones, then prefers the least requested node.
    private func best(of nodes: [NodeFacts], for pod: Pod, _ demand: PodDemand) -> NodeFacts {
        var perNode: [String: Int] = [:], perZone: [String: Int] = [:]
        if let owner = pod.metadata.controllerReference {
            let zones = Dictionary(nodes.map { ($0.name, $0.zone) }, uniquingKeysWith: { first, _ in first })
            for sibling in self.pods.indexed("owner", owner.uid) where sibling.isActive && !sibling.spec.nodeName.isEmpty {
                perNode[sibling.spec.nodeName, default: 0] += 1
                if let zone = zones[sibling.spec.nodeName] { perZone[zone, default: 0] += 1 }
            }
            for (uid, entry) in assumed where uid != pod.metadata.uid && entry.ownerUID == owner.uid {
                perNode[entry.nodeName, default: 0] += 1
                if let zone = zones[entry.nodeName] { perZone[zone, default: 0] += 1 }
            }
        }
        let maxNode = perNode.values.max() ?? 0, maxZone = perZone.values.max() ?? 0
        var bestScore = -1.0
        var best: [NodeFacts] = []
        for node in nodes {
            let nodeSpread = maxNode == 0 ? 10 : 10 * Double(maxNode - (perNode[node.name] ?? 0)) / Double(maxNode)
            let zoneSpread = maxZone == 0 ? 10 : 10 * Double(maxZone - (perZone[node.zone] ?? 0)) / Double(maxZone)
            let spread = nodeSpread / 3 + zoneSpread * 2 / 3
            let used = usage[node.name] ?? (0, 0, 0)
            let cpuFree = node.allocatableMillicores == 0 ? 0 : Double(node.allocatableMillicores - used.millicores - max(100, demand.millicores)) / Double(node.allocatableMillicores)
            let podsFree = Double(node.allocatablePods - used.pods) / Double(max(1, node.allocatablePods))
            let score = spread * 2 + max(0, cpuFree) * 10 + podsFree * 10
            if score > bestScore + 1e-9 { bestScore = score; best = [node] } else if abs(score - bestScore) <= 1e-9 { best.append(node) }
        }
        return random.element(of: best)!
    }

    private func bind(_ pod: Pod, to nodeName: String) {
        assumed[pod.metadata.uid] = (nodeName, pod.metadata.controllerReference?.uid)
        account(pod, sign: 1, node: nodeName)
        let uid = pod.metadata.uid
        client.patch(Pod.self, namespace: pod.namespace, name: pod.name, { (stored: inout Pod) throws(APIError) in
            guard stored.metadata.uid == uid, stored.spec.nodeName.isEmpty else { throw .conflict(.pods, name: stored.name) }
            stored.spec.nodeName = nodeName
            var conditions = stored.status.conditions
            conditions.set(Condition(type: "PodScheduled", status: "True", lastTransitionTime: nil))
            stored.status.conditions = conditions
        }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                self.pending.forget(Informer<Pod>.key(namespace: pod.namespace, name: pod.name))
                self.boundCount += 1
                self.recorder.normal(pod.reference, "Scheduled", "Successfully assigned \(pod.namespace)/\(pod.name) to \(nodeName)")
            case .failure:
                if self.assumed.removeValue(forKey: uid) != nil { self.account(pod, sign: -1, node: nodeName) }
                self.pending.addRateLimited(Informer<Pod>.key(namespace: pod.namespace, name: pod.name))
            }
        }
    }

    public override func stableHash(into hasher: inout StableHasher) {
        hasher.combine(isLeader)
        hasher.combine(boundCount)
        hasher.combine(assumed.count)
    }
}

/// What scheduling reads of a node, worked out once per change of the node rather than once per
/// pod and node: the quantities are strings to parse, the Ready condition a search by type.
private struct NodeFacts {
    let name: String
    let zone: String
    let labels: [String: String]
    let isReady: Bool
    let unschedulable: Bool
    let hasNoScheduleTaint: Bool
    let allocatableMillicores: Int64
    let allocatableBytes: Int64
    let allocatablePods: Int64

    init(_ node: Node) {
        (name, zone, labels, isReady) = (node.name, node.zone, node.metadata.labels, node.isReady)
        unschedulable = node.spec.unschedulable
        hasNoScheduleTaint = node.spec.taints.contains { $0.effect == "NoSchedule" }
        (allocatableMillicores, allocatableBytes, allocatablePods) = (node.allocatableMillicores, node.allocatableBytes, node.allocatablePods)
    }
}

/// What a pod asks of a node, worked out once per scheduling attempt.
private struct PodDemand {
    let millicores: Int64
    let bytes: Int64
    let toleratesEverything: Bool

    init(_ pod: Pod) {
        (millicores, bytes, toleratesEverything) = (pod.requestedMillicores, pod.requestedBytes, pod.spec.toleratesEverything)
    }
}
