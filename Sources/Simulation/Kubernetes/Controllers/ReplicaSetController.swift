/// Keeps each ReplicaSet's number of active pods at its `spec.replicas`, creating pods from its
/// template and deleting the least valuable extras, and reports how many are ready and available.
/// Expectations stop it acting twice on the same shortfall before its informer has caught up.
final class ReplicaSetController {
    private unowned let manager: ControllerManager
    private var queue: WorkQueue!
    private var expectations: [String: (adds: Int, deletes: Int, since: SimTime)] = [:]
    static let burstReplicas = 500

    init(manager: ControllerManager) {
        self.manager = manager
        queue = WorkQueue(process: manager) { [unowned self] key in sync(key) }
    }

    private var world: World { manager.world }

    func replicaSetChanged(_ rs: ReplicaSet) { queue.add(Informer<ReplicaSet>.key(namespace: rs.namespace, name: rs.name)) }

    /// The garbage collector's part: a deleted ReplicaSet's pods go too.
    func replicaSetDeleted(_ rs: ReplicaSet) {
        expectations[Informer<ReplicaSet>.key(namespace: rs.namespace, name: rs.name)] = nil
        for pod in manager.pods.indexed("owner", rs.metadata.uid) {
            manager.client.delete(.pods, namespace: pod.namespace, name: pod.name)
        }
    }

    func podChanged(_ old: Pod?, _ new: Pod?) {
        guard let owner = (new ?? old)?.metadata.controllerReference, owner.kind == "ReplicaSet" else { return }
        let key = Informer<ReplicaSet>.key(namespace: (new ?? old)!.namespace, name: owner.name)
        if old == nil { expectations[key]?.adds -= 1 }
        if new == nil || (new!.metadata.isTerminating && old?.metadata.isTerminating == false) { expectations[key]?.deletes -= 1 }
        queue.add(key)
    }

    private func expectationsSatisfied(_ key: String) -> Bool {
        guard let expected = expectations[key] else { return true }
        return (expected.adds <= 0 && expected.deletes <= 0) || world.now - expected.since > Span.minutes(5)
    }

    private func sync(_ key: String) {
        guard let rs = manager.replicaSets.objects[key], !rs.metadata.isTerminating else { return }
        let owned = manager.pods.indexed("owner", rs.metadata.uid)
        let active = owned.filter(\.isActive)
        if expectationsSatisfied(key) {
            let difference = active.count - Int(rs.spec.replicas)
            if difference < 0 { createPods(for: rs, count: min(-difference, ReplicaSetController.burstReplicas), key: key) }
            if difference > 0 { deletePods(ReplicaSetController.deletionOrder(active).prefix(difference), key: key) }
        }
        updateStatus(rs, active: active)
    }

    private func createPods(for rs: ReplicaSet, count: Int, key: String) {
        expectations[key] = (count, 0, world.now)
        for _ in 0..<count {
            var metadata = ObjectMeta(name: "", namespace: rs.namespace, labels: rs.spec.template.labels, annotations: rs.spec.template.annotations)
            metadata.generateName = "\(rs.name)-"
            metadata.ownerReferences = [rs.ownerReference()]
            let pod = Pod(metadata: metadata, spec: rs.spec.template.spec)
            manager.client.create(pod) { [weak self] result in
                guard let self else { return }
                switch result {
                case .success(let created):
                    self.queue.forget(key)
                    self.manager.recorder("replicaset-controller").normal(rs.reference, "SuccessfulCreate", "Created pod: \(created.name)")
                case .failure(let error):
                    self.expectations[key]?.adds -= 1
                    self.manager.recorder("replicaset-controller").warning(rs.reference, "FailedCreate", "Error creating: \(error.message)")
                    self.queue.addRateLimited(key)
                }
            }
        }
    }

    private func deletePods(_ pods: ArraySlice<Pod>, key: String) {
        expectations[key] = (0, pods.count, world.now)
        for pod in pods {
            manager.client.delete(.pods, namespace: pod.namespace, name: pod.name) { [weak self] result in
                guard let self else { return }
                if case .failure = result {
                    self.expectations[key]?.deletes -= 1
                    self.queue.addRateLimited(key)
                } else if let rs = self.manager.replicaSets.objects[key] {
                    self.manager.recorder("replicaset-controller").normal(rs.reference, "SuccessfulDelete", "Deleted pod: \(pod.name)")
                }
            }
        }
    }

    /// Pods to delete first: unscheduled, then pending, then not ready, then the youngest.
    static func deletionOrder(_ pods: [Pod]) -> [Pod] {
        pods.sorted { left, right in
            let leftScheduled = !left.spec.nodeName.isEmpty, rightScheduled = !right.spec.nodeName.isEmpty
            if leftScheduled != rightScheduled { return !leftScheduled }
            let leftRunning = left.status.phase == "Running", rightRunning = right.status.phase == "Running"
            if leftRunning != rightRunning { return !leftRunning }
            if left.isReady != right.isReady { return !left.isReady }
            let leftCreated = left.metadata.creationTimestamp?.secondsSinceEpoch ?? 0
            let rightCreated = right.metadata.creationTimestamp?.secondsSinceEpoch ?? 0
            if leftCreated != rightCreated { return leftCreated > rightCreated }
            return left.name > right.name
        }
    }

    /// Whether a ready pod has been ready for at least `minReadySeconds`.
    static func isAvailable(_ pod: Pod, minReadySeconds: Int64, now: Timestamp) -> Bool {
        guard let ready = pod.status.conditions["Ready"], ready.isTrue else { return false }
        guard minReadySeconds > 0, let since = ready.lastTransitionTime else { return true }
        return since.seconds(until: now) >= minReadySeconds
    }

    private func updateStatus(_ rs: ReplicaSet, active: [Pod]) {
        let now = Timestamp(world)
        var status = ReplicaSetStatus()
        status.replicas = Int64(active.count)
        status.fullyLabeledReplicas = Int64(active.filter { pod in rs.spec.template.labels.allSatisfy { pod.metadata.labels[$0.key] == $0.value } }.count)
        status.readyReplicas = Int64(active.filter(\.isReady).count)
        status.availableReplicas = Int64(active.filter { ReplicaSetController.isAvailable($0, minReadySeconds: rs.spec.minReadySeconds, now: now) }.count)
        status.observedGeneration = rs.metadata.generation
        if status.readyReplicas > status.availableReplicas {
            queue.add(Informer<ReplicaSet>.key(namespace: rs.namespace, name: rs.name), after: Span.seconds(1))
        }
        guard status != rs.status else { return }
        manager.client.patch(ReplicaSet.self, namespace: rs.namespace, name: rs.name, { (stored: inout ReplicaSet) throws(APIError) in
            stored.status = status
        })
    }
}
