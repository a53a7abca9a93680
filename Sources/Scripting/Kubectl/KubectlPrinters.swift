import Simulation

/// The columns `kubectl get` prints for each resource, row by row, as the era's printers compute
/// them (pkg/printers/internalversion/printers.go at v1.6 and v1.10): pod STATUS from container
/// states, READY as ready/total, ENDPOINTS capped at three, node STATUS from the Ready condition.
enum KubectlPrinters {
    static func header(_ resource: Resource, wide: Bool, era: KubectlEra) -> [String] {
        let modern = era.printers == .v1_10
        let template = modern ? ["CONTAINERS", "IMAGES", "SELECTOR"] : ["CONTAINER(S)", "IMAGE(S)", "SELECTOR"]
        switch resource {
        case .pods: return ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] + (wide ? ["IP", "NODE"] : [])
        case .services:
            return ["NAME"] + (modern ? ["TYPE"] : []) + ["CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"] + (wide ? ["SELECTOR"] : [])
        case .endpoints: return ["NAME", "ENDPOINTS", "AGE"]
        case .deployments: return ["NAME", "DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE", "AGE"] + (wide ? template : [])
        case .replicasets: return ["NAME", "DESIRED", "CURRENT", "READY", "AGE"] + (wide ? template : [])
        case .daemonsets:
            return ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", modern ? "NODE SELECTOR" : "NODE-SELECTOR", "AGE"]
                + (wide ? template : [])
        case .nodes:
            if modern {
                return ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
                    + (wide ? ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"] : [])
            }
            return ["NAME", "STATUS", "AGE", "VERSION"] + (wide ? ["EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION"] : [])
        case .configmaps: return ["NAME", "DATA", "AGE"]
        case .namespaces: return ["NAME", "STATUS", "AGE"]
        case .events:
            return [modern ? "LAST SEEN" : "LASTSEEN", modern ? "FIRST SEEN" : "FIRSTSEEN", "COUNT", "NAME", "KIND", "SUBOBJECT",
                    "TYPE", "REASON", "SOURCE", "MESSAGE"]
        }
    }

    /// One row; `kindPrefix` (`po`, `deployment.apps`) goes before the NAME cell when a listing
    /// shows several types.
    static func row(_ object: any APIObject, kindPrefix: String?, wide: Bool, now: Timestamp, era: KubectlEra) -> [String] {
        let name = kindPrefix.map { "\($0)/\(object.name)" } ?? object.name
        let age = era.age(object.metadata.creationTimestamp, now: now)
        let modern = era.printers == .v1_10
        switch object {
        case let pod as Pod: return podRow(pod, name: name, wide: wide, now: now, era: era)
        case let service as Service:
            let clusterIP = modern && service.clusterIP.isEmpty ? "<none>" : service.clusterIP
            let ports = portsText(service.ports)
            return [name] + (modern ? [service.type] : []) + [clusterIP, externalIP(service, era: era),
                                                               modern && ports.isEmpty ? "<none>" : ports, age]
                + (wide ? [labels(service.selector)] : [])
        case let endpoints as Endpoints: return [name, formatEndpoints(endpoints), age]
        case let deployment as Deployment:
            return [name, String(deployment.spec.replicas), String(deployment.status.replicas), String(deployment.status.updatedReplicas),
                    String(deployment.status.availableReplicas), age]
                + (wide ? templateColumns(deployment.spec.template, deployment.spec.selector) : [])
        case let rs as ReplicaSet:
            return [name, String(rs.spec.replicas), String(rs.status.replicas), String(rs.status.readyReplicas), age]
                + (wide ? templateColumns(rs.spec.template, rs.spec.selector) : [])
        case let ds as DaemonSet:
            return [name, String(ds.status.desiredNumberScheduled), String(ds.status.currentNumberScheduled), String(ds.status.numberReady),
                    String(ds.status.updatedNumberScheduled), String(ds.status.numberAvailable), labels(ds.spec.template.spec.nodeSelector), age]
                + (wide ? templateColumns(ds.spec.template, ds.spec.selector) : [])
        case let node as Node: return nodeRow(node, name: name, wide: wide, age: age, era: era)
        case let configMap as ConfigMap: return [name, String(configMap.data.count), age]
        case let namespace as Namespace: return [name, namespace.phase, age]
        case let event as Event:
            // 1.6 names the object the event is about; 1.10 the event itself.
            let eventName = modern ? event.name : event.involvedObject.name
            return [era.age(event.lastTimestamp, now: now), era.age(event.firstTimestamp, now: now), String(event.count),
                    kindPrefix.map { "\($0)/\(eventName)" } ?? eventName, event.involvedObject.kind, "", event.type, event.reason,
                    eventSource(event), event.message]
        default: return [name, age]
        }
    }

    /// `kubelet, node-1`: formatEventSource, the component and the host when there is one. Only
    /// kubelets set a host in their events' source; the model records one for every component.
    static func eventSource(_ event: Event) -> String {
        event.sourceHost.isEmpty || event.sourceComponent != "kubelet" ? event.sourceComponent : "\(event.sourceComponent), \(event.sourceHost)"
    }

    private static func templateColumns(_ template: PodTemplateSpec, _ selector: LabelSelector) -> [String] {
        [template.spec.containers.map(\.name).joined(separator: ","), template.images.joined(separator: ","),
         selector.description.ifEmpty("<none>")]
    }

    /// `80/TCP` or `80:30080/TCP`, comma-separated.
    static func portsText(_ ports: [ServicePort]) -> String {
        ports.map { $0.nodePort > 0 ? "\($0.port):\($0.nodePort)/\($0.protocol)" : "\($0.port)/\($0.protocol)" }.joined(separator: ",")
    }

    /// EXTERNAL-IP: `<none>` for cluster IPs; a NodePort service showed `<nodes>` until 1.7.
    private static func externalIP(_ service: Service, era: KubectlEra) -> String {
        switch service.type {
        case "ClusterIP": return "<none>"
        case "NodePort": return era.printers == .v1_6 ? "<nodes>" : "<none>"
        case "LoadBalancer": return "<pending>"
        default: return "<unknown>"
        }
    }

    /// formatEndpoints: ready addresses by subset, then port, then address; three at most and
    /// `+ N more...`; `<none>` only when there are no subsets at all.
    static func formatEndpoints(_ endpoints: Endpoints) -> String {
        guard let subsets = endpoints.subsets, !subsets.isEmpty else { return "<none>" }
        var shown: [String] = []
        var count = 0
        for subset in subsets {
            for port in subset.ports {
                for address in subset.addresses {
                    if shown.count < 3 { shown.append("\(address.ip):\(port.port)") }
                    count += 1
                }
            }
        }
        let text = shown.joined(separator: ",")
        return count > 3 ? "\(text) + \(count - 3) more..." : text
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

    private static func podRow(_ pod: Pod, name: String, wide: Bool, now: Timestamp, era: KubectlEra) -> [String] {
        let ready = pod.status.containerStatuses.filter { status in
            if case .running = status.state { return status.ready }
            return false
        }.count
        let restarts = pod.status.containerStatuses.reduce(0) { $0 + $1.restartCount }
        // 1.6 leaves an unscheduled pod's NODE blank; 1.10 prints <none>.
        let node = pod.spec.nodeName.isEmpty && era.printers == .v1_10 ? "<none>" : pod.spec.nodeName
        return [name, "\(ready)/\(pod.spec.containers.count)", podStatus(pod), String(restarts),
                era.age(pod.metadata.creationTimestamp, now: now)]
            + (wide ? [pod.status.podIP.isEmpty ? "<none>" : pod.status.podIP, node] : [])
    }

    /// `Ready`, `NotReady`, `Unknown` (no Ready condition yet), then `SchedulingDisabled`; 1.6
    /// appends the `kubernetes.io/role` label's role, as it printed no ROLES column.
    static func nodeStatus(_ node: Node, era: KubectlEra) -> String {
        var status: [String]
        if let ready = node.status.conditions["Ready"] { status = [ready.isTrue ? "Ready" : "NotReady"] } else { status = ["Unknown"] }
        if node.spec.unschedulable { status.append("SchedulingDisabled") }
        if era.printers == .v1_6, let role = node.metadata.labels["kubernetes.io/role"], !role.isEmpty { status.append(role) }
        return status.joined(separator: ",")
    }

    /// 1.10's ROLES: every `node-role.kubernetes.io/<role>` label and `kubernetes.io/role`, sorted.
    static func nodeRoles(_ node: Node) -> String {
        var roles = Set<String>()
        for (key, value) in node.metadata.labels {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role" && !value.isEmpty {
                roles.insert(value)
            }
        }
        return roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
    }

    private static func nodeRow(_ node: Node, name: String, wide: Bool, age: String, era: KubectlEra) -> [String] {
        let info = node.status.nodeInfo
        let externalIP = node.status.addresses.first { $0.type == "ExternalIP" }?.address ?? "<none>"
        if era.printers == .v1_6 {
            return [name, nodeStatus(node, era: era), age, info.kubeletVersion]
                + (wide ? [externalIP, info.osImage.ifEmpty("<unknown>"), info.kernelVersion.ifEmpty("<unknown>")] : [])
        }
        return [name, nodeStatus(node, era: era), nodeRoles(node), age, info.kubeletVersion]
            + (wide ? [node.status.internalIP.ifEmpty("<none>"), externalIP, info.osImage.ifEmpty("<unknown>"),
                       info.kernelVersion.ifEmpty("<unknown>"), info.containerRuntimeVersion.ifEmpty("<unknown>")] : [])
    }

    /// labels.FormatLabels: `k=v,k2=v2` sorted by key, or `<none>`.
    static func labels(_ labels: [String: String]) -> String {
        labels.isEmpty ? "<none>" : labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")
    }
}
