/// Rolls Deployments out through ReplicaSets: one ReplicaSet per pod template (named by its
/// hash), revisions in an annotation, rolling updates bounded by maxSurge and maxUnavailable,
/// Recreate, cleanup beyond the revision history limit, and the Available and Progressing
/// conditions with the progress deadline.
final class DeploymentController {
    private unowned let manager: ControllerManager
    private var queue: WorkQueue!

    init(manager: ControllerManager) {
        self.manager = manager
        queue = WorkQueue(process: manager) { [unowned self] key in sync(key) }
    }

    private var client: APIClient { manager.client }
    private var world: World { manager.world }

    /// Template hashes by deployment UID and generation: hashing a template means encoding it.
    private var hashes: [String: (generation: Int64, hash: String)] = [:]

    private func templateHash(_ deployment: Deployment) -> String {
        if let known = hashes[deployment.metadata.uid], known.generation == deployment.metadata.generation { return known.hash }
        let hash = deployment.spec.template.hashLabel
        hashes[deployment.metadata.uid] = (deployment.metadata.generation, hash)
        return hash
    }

    func enqueue(_ deployment: Deployment) { queue.add(Informer<Deployment>.key(namespace: deployment.namespace, name: deployment.name)) }

    func replicaSetChanged(_ rs: ReplicaSet) {
        guard let owner = rs.metadata.controllerReference, owner.kind == "Deployment" else { return }
        queue.add(Informer<Deployment>.key(namespace: rs.namespace, name: owner.name))
    }

    func deploymentDeleted(_ deployment: Deployment) {
        hashes[deployment.metadata.uid] = nil
        for rs in manager.replicaSets.indexed("owner", deployment.metadata.uid) {
            client.delete(.replicasets, namespace: rs.namespace, name: rs.name)
        }
    }

    private func sync(_ key: String) {
        guard let deployment = manager.deployments.objects[key], !deployment.metadata.isTerminating else { return }
        let owned = manager.replicaSets.indexed("owner", deployment.metadata.uid).filter { !$0.metadata.isTerminating }
        let hash = templateHash(deployment)
        let newReplicaSet = owned.first { $0.metadata.labels["pod-template-hash"] == hash }
        let old = owned.filter { $0.metadata.uid != newReplicaSet?.metadata.uid }.sorted { $0.revision < $1.revision }
        let maxRevision = owned.map(\.revision).max() ?? 0
        guard let current = newReplicaSet else {
            if !deployment.spec.paused { createReplicaSet(for: deployment, hash: hash, revision: maxRevision + 1, old: old) }
            return
        }
        if current.revision < maxRevision || deployment.revision != max(current.revision, maxRevision) {
            promote(deployment, current, to: current.revision < maxRevision ? maxRevision + 1 : current.revision)
        }
        if !deployment.spec.paused {
            if deployment.spec.strategy.type == "Recreate" {
                recreate(deployment, current, old)
            } else {
                rollingUpdate(deployment, current, old)
            }
            cleanup(deployment, old)
        }
        updateStatus(deployment, current, old)
    }

    private func createReplicaSet(for deployment: Deployment, hash: String, revision: Int64, old: [ReplicaSet]) {
        var template = deployment.spec.template
        template.labels["pod-template-hash"] = hash
        var selector = deployment.spec.selector
        selector.requirements.append(.init(key: "pod-template-hash", operator: .equals, values: [hash]))
        let oldActive = old.reduce(0) { $0 + $1.spec.replicas }
        let replicas: Int64
        if deployment.spec.strategy.type == "Recreate" {
            replicas = oldActive > 0 ? 0 : deployment.spec.replicas
        } else {
            let surge = deployment.spec.strategy.maxSurge.value(of: deployment.spec.replicas, roundUp: true)
            replicas = max(0, min(deployment.spec.replicas, deployment.spec.replicas + surge - oldActive))
        }
        var metadata = ObjectMeta(name: "\(deployment.name)-\(hash)", namespace: deployment.namespace, labels: template.labels,
                                  annotations: [Deployment.revisionAnnotation: String(revision)])
        metadata.ownerReferences = [deployment.ownerReference()]
        var rs = ReplicaSet(metadata: metadata, spec: ReplicaSetSpec(replicas: replicas, selector: selector, template: template))
        rs.spec.minReadySeconds = deployment.spec.minReadySeconds
        client.create(rs) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let created):
                self.queue.forget(Informer<Deployment>.key(namespace: deployment.namespace, name: deployment.name))
                self.manager.recorder("deployment-controller").normal(deployment.reference, "ScalingReplicaSet", "Scaled up replica set \(created.name) to \(replicas)")
            case .failure(.alreadyExists):
                break
            case .failure:
                self.queue.addRateLimited(Informer<Deployment>.key(namespace: deployment.namespace, name: deployment.name))
            }
        }
        setRevision(deployment, revision)
    }

    /// A rollback (or a template change back to an older one) makes that ReplicaSet the newest revision.
    private func promote(_ deployment: Deployment, _ rs: ReplicaSet, to revision: Int64) {
        if rs.revision != revision {
            client.patch(ReplicaSet.self, namespace: rs.namespace, name: rs.name, { (stored: inout ReplicaSet) throws(APIError) in
                stored.metadata.annotations[Deployment.revisionAnnotation] = String(revision)
            })
        }
        setRevision(deployment, revision)
    }

    private func setRevision(_ deployment: Deployment, _ revision: Int64) {
        guard deployment.revision != revision else { return }
        client.patch(Deployment.self, namespace: deployment.namespace, name: deployment.name, { (stored: inout Deployment) throws(APIError) in
            stored.metadata.annotations[Deployment.revisionAnnotation] = String(revision)
        })
    }

    private func scale(_ deployment: Deployment, _ rs: ReplicaSet, to replicas: Int64) {
        guard rs.spec.replicas != replicas else { return }
        let direction = replicas > rs.spec.replicas ? "up" : "down"
        client.patch(ReplicaSet.self, namespace: rs.namespace, name: rs.name, { (stored: inout ReplicaSet) throws(APIError) in
            stored.spec.replicas = replicas
        }) { [weak self] result in
            guard let self, case .success = result else { return }
            self.manager.recorder("deployment-controller").normal(deployment.reference, "ScalingReplicaSet", "Scaled \(direction) replica set \(rs.name) to \(replicas)")
        }
    }

    private func recreate(_ deployment: Deployment, _ current: ReplicaSet, _ old: [ReplicaSet]) {
        let oldActive = old.filter { $0.spec.replicas > 0 || $0.status.replicas > 0 }
        for rs in oldActive { scale(deployment, rs, to: 0) }
        if oldActive.isEmpty { scale(deployment, current, to: deployment.spec.replicas) }
    }

    private func rollingUpdate(_ deployment: Deployment, _ current: ReplicaSet, _ old: [ReplicaSet]) {
        let desired = deployment.spec.replicas
        let surge = deployment.spec.strategy.maxSurge.value(of: desired, roundUp: true)
        var unavailable = deployment.spec.strategy.maxUnavailable.value(of: desired, roundUp: false)
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        let oldReplicas = old.reduce(0) { $0 + $1.spec.replicas }
        // Scale the new ReplicaSet up within the surge.
        if oldReplicas == 0 || current.spec.replicas > desired {
            scale(deployment, current, to: desired)
        } else if current.spec.replicas < desired {
            let room = desired + surge - (current.spec.replicas + oldReplicas)
            if room > 0 { scale(deployment, current, to: min(desired, current.spec.replicas + room)) }
        }
        // Scale old ReplicaSets down while keeping the minimum available.
        let minimumAvailable = desired - unavailable
        let allReplicas = current.spec.replicas + oldReplicas
        let newUnavailable = max(0, current.spec.replicas - current.status.availableReplicas)
        var budget = allReplicas - minimumAvailable - newUnavailable
        guard budget > 0 else { return }
        var scaledOld: [(ReplicaSet, Int64)] = []
        for rs in old where rs.spec.replicas > 0 {
            // Unhealthy old replicas go first: removing them costs no availability.
            let unhealthy = max(0, rs.spec.replicas - rs.status.availableReplicas)
            let cut = min(unhealthy, budget)
            budget -= cut
            scaledOld.append((rs, rs.spec.replicas - cut))
        }
        let availableTotal = current.status.availableReplicas + scaledOld.reduce(0) { $0 + min($1.0.status.availableReplicas, $1.1) }
        var healthyBudget = min(budget, availableTotal - minimumAvailable)
        for index in scaledOld.indices where healthyBudget > 0 {
            let cut = min(scaledOld[index].1, healthyBudget)
            healthyBudget -= cut
            scaledOld[index].1 -= cut
        }
        for (rs, replicas) in scaledOld { scale(deployment, rs, to: replicas) }
    }

    private func cleanup(_ deployment: Deployment, _ old: [ReplicaSet]) {
        let idle = old.filter { $0.spec.replicas == 0 && $0.status.replicas == 0 }
        let excess = idle.count - Int(deployment.spec.revisionHistoryLimit)
        guard excess > 0 else { return }
        for rs in idle.prefix(excess) { client.delete(.replicasets, namespace: rs.namespace, name: rs.name) }
    }

    private func updateStatus(_ deployment: Deployment, _ current: ReplicaSet, _ old: [ReplicaSet]) {
        let all = [current] + old
        let now = Timestamp(world)
        var status = DeploymentStatus()
        status.observedGeneration = deployment.metadata.generation
        status.replicas = all.reduce(0) { $0 + $1.status.replicas }
        status.updatedReplicas = current.status.replicas
        status.readyReplicas = all.reduce(0) { $0 + $1.status.readyReplicas }
        status.availableReplicas = all.reduce(0) { $0 + $1.status.availableReplicas }
        status.unavailableReplicas = max(0, deployment.spec.replicas - status.availableReplicas)
        let unavailableAllowed = deployment.spec.strategy.type == "Recreate" ? 0
            : deployment.spec.strategy.maxUnavailable.value(of: deployment.spec.replicas, roundUp: false)
        var conditions = deployment.status.conditions
        let available = status.availableReplicas >= deployment.spec.replicas - unavailableAllowed
        var availableCondition = Condition(type: "Available", status: available ? "True" : "False", lastTransitionTime: now,
                                           reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                                           message: available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.")
        availableCondition.lastUpdateTime = conditions["Available"]?.status == availableCondition.status ? conditions["Available"]?.lastUpdateTime : now
        conditions.set(availableCondition)
        conditions.set(progressing(deployment, current, old, status: status, previous: conditions["Progressing"], now: now))
        status.conditions = conditions
        guard status != deployment.status else { return }
        client.patch(Deployment.self, namespace: deployment.namespace, name: deployment.name, { (stored: inout Deployment) throws(APIError) in
            stored.status = status
        })
    }

    private func progressing(_ deployment: Deployment, _ current: ReplicaSet, _ old: [ReplicaSet], status: DeploymentStatus,
                             previous: Condition?, now: Timestamp) -> Condition {
        let complete = status.updatedReplicas == deployment.spec.replicas && status.replicas == deployment.spec.replicas
            && status.availableReplicas == deployment.spec.replicas && old.allSatisfy { $0.status.replicas == 0 }
        var condition: Condition
        if complete {
            condition = Condition(type: "Progressing", status: "True", lastTransitionTime: now, reason: "NewReplicaSetAvailable",
                                  message: "ReplicaSet \"\(current.name)\" has successfully progressed.")
        } else {
            condition = Condition(type: "Progressing", status: "True", lastTransitionTime: now, reason: "ReplicaSetUpdated",
                                  message: "ReplicaSet \"\(current.name)\" is progressing.")
            let progressed = status.updatedReplicas != deployment.status.updatedReplicas || status.availableReplicas > deployment.status.availableReplicas
            let stillRollingOut = previous?.reason == "ReplicaSetUpdated" || previous?.reason == "ProgressDeadlineExceeded"
            let lastProgress = (progressed || !stillRollingOut ? nil : previous?.lastUpdateTime) ?? now
            condition.lastUpdateTime = lastProgress
            let deadline = deployment.spec.progressDeadlineSeconds
            if lastProgress.seconds(until: now) >= deadline {
                condition = Condition(type: "Progressing", status: "False", lastTransitionTime: now, reason: "ProgressDeadlineExceeded",
                                      message: "ReplicaSet \"\(current.name)\" has timed out progressing.")
                condition.lastUpdateTime = lastProgress
                if previous?.reason != "ProgressDeadlineExceeded" {
                    manager.recorder("deployment-controller").warning(deployment.reference, "ProgressDeadlineExceeded",
                                             "Deployment \"\(deployment.name)\" exceeded its progress deadline")
                }
            } else {
                queue.add(Informer<Deployment>.key(namespace: deployment.namespace, name: deployment.name),
                          after: Span.seconds(deadline - lastProgress.seconds(until: now) + 1))
            }
            return condition
        }
        condition.lastUpdateTime = previous?.reason == condition.reason ? previous?.lastUpdateTime : now
        return condition
    }
}
