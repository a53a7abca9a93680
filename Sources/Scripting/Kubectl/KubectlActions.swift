import Simulation

extension KubectlCommands {
    /// `kubectl scale TYPE NAME --replicas=N` for deployments and replicasets.
    func scale(_ arguments: ArraySlice<String>) throws -> String {
        guard let replicas = try line.integer("replicas") else { throw KubectlFailure("error: required flag(s) \"replicas\" not set") }
        guard replicas >= 0 else { throw KubectlFailure("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0") }
        guard replicas <= WorkloadValidation.maximumReplicas else {
            throw KubectlFailure("error: --replicas=\(replicas) is more than a simulated cluster runs (at most \(WorkloadValidation.maximumReplicas))")
        }
        let targets = try ResourceArguments(arguments, command: "scale", all: era.allResources)
        let pairs = targets.pairs.isEmpty ? targets.names.map { (targets.resources.first ?? .pods, $0) } : targets.pairs
        guard !pairs.isEmpty else { throw KubectlFailure("error: resource(s) were provided, but no name was specified") }
        var lines: [String] = []
        for (resource, name) in pairs {
            let result: Result<APIResponse, APIError>
            switch resource {
            case .deployments:
                result = try session.call(.patch(.deployments, namespace: namespace, name: name, { (object: inout any APIObject) throws(APIError) in
                    if var deployment = object as? Deployment { deployment.spec.replicas = replicas; object = deployment }
                }))
            case .replicasets:
                result = try session.call(.patch(.replicasets, namespace: namespace, name: name, { (object: inout any APIObject) throws(APIError) in
                    if var rs = object as? ReplicaSet { rs.spec.replicas = replicas; object = rs }
                }))
            default:
                throw KubectlFailure("error: no scaler has been implemented for {\"\(resource.group)\" \"\(resource.kind)\"}")
            }
            if case .failure(let error) = result { throw failure(error) }
            lines.append(era.success(resource, name, "scaled"))
        }
        return lines.joined(separator: "\n")
    }

    /// `kubectl delete TYPE NAME...`, `TYPE -l SELECTOR`, `TYPE --all` or `-f FILE`. Like kubectl,
    /// it waits for the objects to be gone unless `--wait=false`.
    func delete(_ arguments: ArraySlice<String>) throws -> String {
        var targets: [(Resource, String)] = []
        if let path = line.value("filename") {
            let text = try KubectlManifests.read(path, stdin: stdin)
            targets = try KubectlManifests.objects(in: text, source: path).map { ($0.resource, $0.name) }
        } else {
            let parsed = try ResourceArguments(arguments, command: "delete", all: era.allResources)
            targets = parsed.pairs
            if targets.isEmpty {
                if !parsed.names.isEmpty {
                    targets = parsed.names.flatMap { name in parsed.resources.map { ($0, name) } }
                } else if line.value("selector") != nil || line.isSet("all") {
                    for resource in parsed.resources {
                        targets += try fetchAll(resource, namespace: namespace, selector: try line.selector()).map { (resource, $0.name) }
                    }
                    if targets.isEmpty { return "No resources found" }
                } else {
                    throw KubectlFailure("error: resource(s) were provided, but no name was specified")
                }
            }
        }
        let force = line.isSet("force")
        let grace = try line.integer("grace-period") ?? (force ? 0 : nil)
        var lines: [String] = []
        if force && grace == 0 {
            lines.append("warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.")
        }
        var deleted: [(Resource, String)] = []
        for (resource, name) in targets {
            switch try session.call(.delete(resource, namespace: namespace, name: name, gracePeriodSeconds: grace)) {
            case .success:
                lines.append(era.success(resource, name, "deleted"))
                deleted.append((resource, name))
            case .failure(let error):
                lines.append(era.errorText(error))
            }
        }
        // kubectl of this era returns once the server accepts the deletion (waiting came in 1.11).
        if line.isSet("wait") { try waitUntilGone(deleted) }
        if deleted.isEmpty { throw KubectlFailure(lines.joined(separator: "\n")) }
        return lines.joined(separator: "\n")
    }

    /// Lets simulated time run until the objects are gone from the API (a pod's graceful
    /// termination), for at most a little over their grace period.
    func waitUntilGone(_ objects: [(Resource, String)]) throws {
        let pods = objects.filter { $0.0 == .pods }.map(\.1)
        let patience = Span.seconds(45)
        guard !pods.isEmpty, session.mayWait(patience) else { return }
        let deadline = session.world.now + patience
        while session.world.now < deadline {
            var remaining = false
            for name in pods where session.cluster.firstRunningAPIServer?.cachedObject(.pods, namespace: namespace, name: name) != nil {
                remaining = true
            }
            guard remaining else { return }
            try session.wait(upTo: Span.seconds(1)) { false }
        }
    }

    /// `kubectl apply -f FILE` (or `-f -` with the manifest as the second argument): every
    /// object is read and validated before any is sent, then created or updated in turn.
    func apply() throws -> String {
        guard let path = line.value("filename") else { throw KubectlFailure("error: must specify one of -f and -k") }
        let text = try KubectlManifests.read(path, stdin: stdin)
        let objects = try KubectlManifests.written(in: text, source: path)
        var lines: [String] = []
        var failures: [String] = []
        for (object, apiVersion) in objects {
            var incoming = object
            if incoming.resource.isNamespaced && incoming.metadata.namespace.isEmpty { incoming.metadata.namespace = namespace }
            switch try KubectlApply.apply(incoming, session: session) {
            case .success(let verb):
                // Saying "unchanged" came with kubectl 1.9; 1.6 calls every apply "configured".
                let word = verb == "unchanged" && era.printers == .v1_6 ? "configured" : verb
                let group = KubectlEra.group(ofAPIVersion: apiVersion.isEmpty ? incoming.resource.apiVersion : apiVersion)
                lines.append(era.success(incoming.resource, incoming.name, word, group: group))
            case .failure(let error): failures.append(era.errorText(error))
            }
        }
        if !failures.isEmpty { throw KubectlFailure((lines + failures).joined(separator: "\n")) }
        return lines.joined(separator: "\n")
    }

    /// `kubectl cordon NODE` / `uncordon NODE`.
    func cordon(_ arguments: ArraySlice<String>, unschedulable: Bool) throws -> String {
        guard let name = arguments.first else { throw KubectlFailure("error: USAGE: \(unschedulable ? "cordon" : "uncordon") NODE [flags]") }
        let node = try fetch(.nodes, name) as! Node
        let word = unschedulable ? "cordoned" : "uncordoned"
        if node.spec.unschedulable == unschedulable { return era.success(.nodes, name, "already \(word)") }
        let result = try session.call(.patch(.nodes, namespace: "", name: name, { (object: inout any APIObject) throws(APIError) in
            if var stored = object as? Node { stored.spec.unschedulable = unschedulable; object = stored }
        }))
        if case .failure(let error) = result { throw failure(error) }
        return era.success(.nodes, name, word)
    }

    /// `kubectl drain NODE [--ignore-daemonsets] [--force]`: cordon, then evict the node's pods
    /// and wait for them to go.
    func drain(_ arguments: ArraySlice<String>) throws -> String {
        guard let name = arguments.first else { throw KubectlFailure("error: USAGE: drain NODE [flags]") }
        var lines = [try cordon(arguments, unschedulable: true)]
        let pods = try fetchAll(.pods, namespace: nil, selector: nil).compactMap { $0 as? Pod }
            .filter { $0.spec.nodeName == name && $0.metadata.annotations["kubernetes.io/config.mirror"] == nil && $0.isActive }
        let daemons = pods.filter { $0.metadata.controllerReference?.kind == "DaemonSet" }
        let unmanaged = pods.filter { $0.metadata.controllerReference == nil }
        var fatal: [String] = []
        if !daemons.isEmpty && !line.isSet("ignore-daemonsets") {
            fatal.append("DaemonSet-managed pods (use --ignore-daemonsets to ignore): \(daemons.map(\.name).joined(separator: ", "))")
        }
        if !unmanaged.isEmpty && !line.isSet("force") {
            fatal.append("pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet (use --force to override): \(unmanaged.map(\.name).joined(separator: ", "))")
        }
        guard fatal.isEmpty else {
            throw KubectlFailure((lines + ["error: " + fatal.joined(separator: "; ")]).joined(separator: "\n"))
        }
        if !daemons.isEmpty { lines.append("WARNING: Ignoring DaemonSet-managed pods: \(daemons.map(\.name).joined(separator: ", "))") }
        if !unmanaged.isEmpty {
            lines.append("WARNING: Deleting pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet: \(unmanaged.map(\.name).joined(separator: ", "))")
        }
        let evicted = pods.filter { $0.metadata.controllerReference?.kind != "DaemonSet" }
        for pod in evicted {
            _ = try session.call(.delete(.pods, namespace: pod.namespace, name: pod.name, gracePeriodSeconds: nil))
        }
        // drain waits for the evicted pods to be gone before it says so.
        for pod in evicted {
            try KubectlCommands(session: session, line: withNamespace(pod.namespace), stdin: nil).waitUntilGone([(.pods, pod.name)])
            lines.append(era.success(.pods, pod.name, "evicted"))
        }
        lines.append(era.success(.nodes, name, "drained"))
        return lines.joined(separator: "\n")
    }

    private func withNamespace(_ namespace: String) -> KubectlCommandLine {
        var copy = line
        copy.values["namespace"] = namespace
        return copy
    }
}

/// What `kubectl apply` does with one object: create it, or update the live one with the
/// manifest's desired state, keeping what the server manages (status, uid, versions).
enum KubectlApply {
    static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    static func apply(_ manifest: any APIObject, session: KubeSession) throws -> Result<String, APIError> {
        // What etcd would refuse to store, the apiserver refuses to send (k8s.apply takes any table).
        guard manifest.encode().compactText.utf8.count <= ManifestLimits.maximumObjectBytes else {
            return .failure(.internalError("etcdserver: request is too large"))
        }
        var desired = manifest
        var recorded = manifest
        recorded.metadata.annotations[lastAppliedAnnotation] = nil
        desired.metadata.annotations[lastAppliedAnnotation] = recorded.encode(includeResourceVersion: false).compactText + "\n"
        switch try session.get(manifest.resource, namespace: manifest.namespace, name: manifest.name) {
        case .failure(.notFound(let resource, _)) where resource == manifest.resource:
            return try session.call(.create(desired)).map { _ in "created" }
        case .failure(let error):
            return .failure(error)
        case .success(let live):
            let merged = merge(desired, onto: live)
            if merged.encode() == live.encode() { return .success("unchanged") }
            return try session.call(.update(merged)).map { _ in "configured" }
        }
    }

    /// The manifest with the live object's server-managed fields.
    static func merge(_ desired: any APIObject, onto live: any APIObject) -> any APIObject {
        var merged = desired
        merged.metadata.uid = live.metadata.uid
        merged.metadata.resourceVersion = live.metadata.resourceVersion
        merged.metadata.creationTimestamp = live.metadata.creationTimestamp
        merged.metadata.generation = live.metadata.generation
        merged.metadata.ownerReferences = live.metadata.ownerReferences
        for (key, value) in live.metadata.annotations where merged.metadata.annotations[key] == nil && key.hasPrefix("deployment.kubernetes.io/") {
            merged.metadata.annotations[key] = value
        }
        switch (merged, live) {
        case (var deployment as Deployment, let current as Deployment):
            deployment.status = current.status
            merged = deployment
        case (var rs as ReplicaSet, let current as ReplicaSet):
            rs.status = current.status
            merged = rs
        case (var ds as DaemonSet, let current as DaemonSet):
            ds.status = current.status
            merged = ds
        case (var pod as Pod, let current as Pod):
            pod.status = current.status
            pod.spec.nodeName = current.spec.nodeName
            merged = pod
        case (var service as Service, let current as Service):
            service.clusterIP = current.clusterIP
            merged = service
        case (var node as Node, let current as Node):
            node.status = current.status
            merged = node
        default: break
        }
        return merged
    }
}
