import Simulation

extension KubectlCommands {
    /// `kubectl logs POD [-c CONTAINER] [--tail=N]`, or `logs deploy/NAME` for its first pod.
    func logs(_ arguments: ArraySlice<String>) throws -> String {
        guard let target = arguments.first else {
            throw KubectlFailure("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command")
        }
        var pod: Pod
        if target.contains("/") {
            let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
            let resource = try ResourceArguments.resource(parts[0])
            if resource == .pods {
                pod = try fetch(.pods, parts[1]) as! Pod
            } else {
                pod = try firstPod(of: try fetch(resource, parts[1]))
            }
        } else {
            pod = try fetch(.pods, target) as! Pod
        }
        let containers = pod.spec.containers.map(\.name)
        let container: String
        if let chosen = line.value("container") ?? (arguments.count > 1 ? arguments[arguments.startIndex + 1] : nil) {
            guard containers.contains(chosen) else { throw KubectlFailure("error: container \(chosen) is not valid for pod \(pod.name)") }
            container = chosen
        } else {
            guard containers.count == 1 else {
                throw KubectlFailure("error: a container name must be specified for pod \(pod.name), choose one of: [\(containers.joined(separator: " "))]")
            }
            container = containers[0]
        }
        let key = LogStore.StreamKey(namespace: pod.namespace, pod: pod.name, container: container)
        if !session.cluster.logs.hasStream(key) {
            if let status = pod.status.containerStatuses.first(where: { $0.name == container }), case .waiting(let reason, _) = status.state {
                throw KubectlFailure("Error from server (BadRequest): container \"\(container)\" in pod \"\(pod.name)\" is waiting to start: \(reason)")
            }
            if pod.status.containerStatuses.isEmpty && pod.metadata.annotations["kubernetes.io/config.mirror"] == nil {
                throw KubectlFailure("Error from server (BadRequest): container \"\(container)\" in pod \"\(pod.name)\" is waiting to start: ContainerCreating")
            }
        }
        var lines = session.cluster.logs.lines(key)
        if line.isSet("previous") {
            guard let previous = session.cluster.logs.previousLines(key) else {
                throw KubectlFailure("Error from server (BadRequest): previous terminated container \"\(container)\" in pod \"\(pod.name)\" not found")
            }
            lines = previous
        }
        if let tail = try line.integer("tail"), tail >= 0 { lines = Array(lines.suffix(Int(tail))) }
        return lines.map(\.text).joined(separator: "\n")
    }

    private func firstPod(of owner: any APIObject) throws -> Pod {
        var selector: LabelSelector
        switch owner {
        case let deployment as Deployment: selector = deployment.spec.selector
        case let rs as ReplicaSet: selector = rs.spec.selector
        case let ds as DaemonSet: selector = ds.spec.selector
        case let service as Service: selector = LabelSelector(matchLabels: service.selector)
        default: throw KubectlFailure("error: cannot get the logs from \(owner.resource.singularQualifiedName): selector for \(owner.resource.kind) not implemented")
        }
        let pods = try fetchAll(.pods, namespace: owner.namespace, selector: selector).compactMap { $0 as? Pod }.filter(\.isActive)
        guard let first = pods.sorted(by: { ($0.metadata.creationTimestamp ?? now, $0.name) < ($1.metadata.creationTimestamp ?? now, $1.name) }).first else {
            throw KubectlFailure("error: timed out waiting for the condition")
        }
        return first
    }
}
