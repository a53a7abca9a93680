import Simulation

/// The columns `kubectl get` prints for each resource, row by row, as the real printers compute
/// them (pod STATUS from container states, READY as ready/total, ENDPOINTS capped at three).
enum KubectlPrinters {
    static func header(_ resource: Resource, wide: Bool) -> [String] {
        switch resource {
        case .pods: ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] + (wide ? ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] : [])
        case .services: ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"] + (wide ? ["SELECTOR"] : [])
        case .endpoints: ["NAME", "ENDPOINTS", "AGE"]
        case .deployments: ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"] + (wide ? ["CONTAINERS", "IMAGES", "SELECTOR"] : [])
        case .replicasets: ["NAME", "DESIRED", "CURRENT", "READY", "AGE"] + (wide ? ["CONTAINERS", "IMAGES", "SELECTOR"] : [])
        case .daemonsets: ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
            + (wide ? ["CONTAINERS", "IMAGES", "SELECTOR"] : [])
        case .nodes: ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
            + (wide ? ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"] : [])
        case .configmaps: ["NAME", "DATA", "AGE"]
        case .namespaces: ["NAME", "STATUS", "AGE"]
        case .events: ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        }
    }

    static func row(_ object: any APIObject, wide: Bool, now: Timestamp) -> [String] {
        let age = KubectlTime.age(object.metadata.creationTimestamp, now: now)
        switch object {
        case let pod as Pod: return podRow(pod, wide: wide, now: now)
        case let service as Service:
            let ports = service.ports.map { $0.nodePort > 0 ? "\($0.port):\($0.nodePort)/\($0.protocol)" : "\($0.port)/\($0.protocol)" }
            return [service.name, service.type, service.clusterIP.isEmpty ? "<none>" : service.clusterIP, "<none>",
                    ports.isEmpty ? "<none>" : ports.joined(separator: ","), age]
                + (wide ? [service.selector.isEmpty ? "<none>" : LabelSelector(matchLabels: service.selector).description] : [])
        case let endpoints as Endpoints:
            let addresses = endpoints.readyAddresses
            var text = addresses.prefix(3).joined(separator: ",")
            if addresses.count > 3 { text += " + \(addresses.count - 3) more..." }
            return [endpoints.name, text.isEmpty ? "<none>" : text, age]
        case let deployment as Deployment:
            return [deployment.name, "\(deployment.status.readyReplicas)/\(deployment.spec.replicas)", String(deployment.status.updatedReplicas),
                    String(deployment.status.availableReplicas), age]
                + (wide ? templateColumns(deployment.spec.template, deployment.spec.selector) : [])
        case let rs as ReplicaSet:
            return [rs.name, String(rs.spec.replicas), String(rs.status.replicas), String(rs.status.readyReplicas), age]
                + (wide ? templateColumns(rs.spec.template, rs.spec.selector) : [])
        case let ds as DaemonSet:
            let selector = ds.spec.template.spec.nodeSelector
            return [ds.name, String(ds.status.desiredNumberScheduled), String(ds.status.currentNumberScheduled), String(ds.status.numberReady),
                    String(ds.status.updatedNumberScheduled), String(ds.status.numberAvailable),
                    selector.isEmpty ? "<none>" : LabelSelector(matchLabels: selector).description, age]
                + (wide ? templateColumns(ds.spec.template, ds.spec.selector) : [])
        case let node as Node: return nodeRow(node, wide: wide, age: age)
        case let configMap as ConfigMap: return [configMap.name, String(configMap.data.count), age]
        case let namespace as Namespace: return [namespace.name, namespace.phase, age]
        case let event as Event:
            return [KubectlTime.age(event.lastTimestamp, now: now), event.type, event.reason,
                    "\(event.involvedObject.kind.lowercased())/\(event.involvedObject.name)", event.message]
        default: return [object.name, age]
        }
    }

    private static func templateColumns(_ template: PodTemplateSpec, _ selector: LabelSelector) -> [String] {
        [template.spec.containers.map(\.name).joined(separator: ","), template.images.joined(separator: ","), selector.description]
    }

    /// kubectl's pod STATUS: the phase, overridden by a container's waiting or terminated reason,
    /// and `Terminating` once a deletion is under way.
    static func podStatus(_ pod: Pod) -> String {
        var reason = pod.status.reason.isEmpty ? pod.status.phase : pod.status.reason
        for container in pod.status.containerStatuses.reversed() {
            switch container.state {
            case .waiting(let waitingReason, _) where !waitingReason.isEmpty: reason = waitingReason
            case .terminated(let exitCode, let terminatedReason, _, _):
                reason = terminatedReason.isEmpty ? "ExitCode:\(exitCode)" : terminatedReason
            default: break
            }
        }
        if pod.metadata.deletionTimestamp != nil { reason = pod.status.reason == "NodeLost" ? "Unknown" : "Terminating" }
        return reason
    }

    private static func podRow(_ pod: Pod, wide: Bool, now: Timestamp) -> [String] {
        let ready = pod.status.containerStatuses.filter(\.ready).count
        let restarts = pod.status.containerStatuses.reduce(0) { $0 + $1.restartCount }
        var restartText = String(restarts)
        let lastFinished = pod.status.containerStatuses.compactMap { status -> Timestamp? in
            if case .terminated(_, _, _, let finishedAt)? = status.lastState { return finishedAt }
            return nil
        }.max()
        if restarts > 0, let lastFinished { restartText += " (\(KubectlTime.age(lastFinished, now: now)) ago)" }
        return [pod.name, "\(ready)/\(pod.spec.containers.count)", podStatus(pod), restartText,
                KubectlTime.age(pod.metadata.creationTimestamp, now: now)]
            + (wide ? [pod.status.podIP.isEmpty ? "<none>" : pod.status.podIP, pod.spec.nodeName.isEmpty ? "<none>" : pod.spec.nodeName,
                       "<none>", "<none>"] : [])
    }

    static func nodeStatus(_ node: Node) -> String {
        var status = node.isReady ? "Ready" : "NotReady"
        if node.spec.unschedulable { status += ",SchedulingDisabled" }
        return status
    }

    static func nodeRoles(_ node: Node) -> String {
        let roles = node.metadata.labels.keys.sorted().compactMap { key -> String? in
            key.hasPrefix("node-role.kubernetes.io/") ? String(key.dropFirst("node-role.kubernetes.io/".count)) : nil
        }
        return roles.isEmpty ? "<none>" : roles.joined(separator: ",")
    }

    private static func nodeRow(_ node: Node, wide: Bool, age: String) -> [String] {
        [node.name, nodeStatus(node), nodeRoles(node), age, node.status.nodeInfo.kubeletVersion]
            + (wide ? [node.status.internalIP.isEmpty ? "<none>" : node.status.internalIP, "<none>", node.status.nodeInfo.osImage,
                       node.status.nodeInfo.kernelVersion, node.status.nodeInfo.containerRuntimeVersion] : [])
    }

    static func labels(_ labels: [String: String]) -> String {
        labels.isEmpty ? "<none>" : labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")
    }
}
