import Simulation

/// `mesh`: the linkerds as data, read as an omniscient observer would (no request crosses the
/// network): which proxy runs on each node, what each believes about a service, and its log.
/// `mesh.restart(node)` deletes a node's linkerd pod through the API, as Monzo's tool did; the
/// DaemonSet makes a new one, which the kubelet starts once it has fetched the pod's ConfigMap.
enum MeshModule {
    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.document("mesh", usage: "mesh", "the linkerd service mesh: proxies, the routes each believes in, their logs")
        runtime.define("mesh.proxies", usage: "mesh.proxies()",
                       "every node's linkerd: {node, namespace, pod, version, healthy, running, apiserver}",
                       details: """
                       healthy: running, with discovery working for every namespace it routes (a stale cache looks healthy).
                       apiserver: the apiserver behind the load balancer that its discovery talks to now, which no real linkerd could tell you.
                       """) { [unowned runtime] call in
            let mesh = try requireMesh(call, world)
            runtime.recordRead(via: "mesh.proxies", verb: "list", AuditObject(kind: "linkerds", namespace: mesh.configuration.namespace),
                               findings: sortedProxies(mesh).filter { !$0.isHealthy }.map { "\($0.nodeName) unhealthy" })
            try call.push(.table(LuaTable(array: sortedProxies(mesh).map(proxyTable))))
            return 1
        }
        runtime.define("mesh.routes", usage: "mesh.routes(node, \"namespace/service\")",
                       "the addresses that node's linkerd would send the service's requests to: {ip, port, live, marked_dead}",
                       details: """
                       live: a ready pod of that service really runs at the address now; marked_dead: failure accrual gave up on it.
                       An empty list means linkerd has no route; the second value says why.
                       for _, r in ipairs(mesh.routes("node-4", "payments/transaction-processor")) do print(r.ip, r.live) end
                       """) { [unowned runtime] call in
            let mesh = try requireMesh(call, world)
            let node = try nodeName(call, 1, mesh: mesh)
            let service = try serviceReference(call, 2, mesh: mesh, runtime: runtime)
            let view = mesh.routes(onNode: node, to: service)
            runtime.recordRead(via: "mesh.routes", verb: "get", AuditObject(kind: "routes", namespace: service.namespace, name: service.name, host: node),
                               findings: AuditFindings.routes(view))
            return try pushRoutes(view, node: node, service: service, call: call)
        }
        runtime.define("mesh.discovery", usage: "mesh.discovery(node)",
                       "that linkerd's view of each namespace: {namespace, state, services, error, last_change, last_change_age}",
                       details: """
                       state: listing, watching, failed (no cache) or retrying (a warm cache kept while lists or watches fail).
                       last_change: the clock when what it believes about the namespace last changed ("14:18:05"; see help("sim") on times);
                       last_change_age: seconds since then. Both nil if it never learnt anything.
                       """) { [unowned runtime] call in
            let mesh = try requireMesh(call, world)
            let node = try nodeName(call, 1, mesh: mesh)
            runtime.recordRead(via: "mesh.discovery", verb: "get", AuditObject(kind: "discovery", host: node),
                               findings: AuditFindings.discovery(mesh.proxy(onNode: node)?.discoveryReport ?? []))
            guard let proxy = mesh.proxy(onNode: node) else { return call.fail("no linkerd has run on \(node)") }
            try call.push(.table(LuaTable(array: proxy.discoveryReport.map { report(of: $0, world: world) })))
            return 1
        }
        runtime.define("mesh.logs", usage: "mesh.logs(node [, lines])",
                       "the log of that node's linkerd pod (what kubectl logs shows), the last lines if given") { [unowned runtime] call in
            let mesh = try requireMesh(call, world)
            let node = try nodeName(call, 1, mesh: mesh)
            runtime.recordRead(via: "mesh.logs", verb: "logs", AuditObject(kind: "pods", namespace: mesh.configuration.namespace,
                                                                            name: mesh.proxy(onNode: node)?.podName ?? "", host: node))
            guard let proxy = mesh.proxy(onNode: node) else { return call.fail("no linkerd has run on \(node)") }
            let key = LogStore.StreamKey(namespace: mesh.configuration.namespace, pod: proxy.podName, container: mesh.configuration.containerName)
            var lines = mesh.cluster.logs.lines(key).map(\.text)
            if !call.isNil(2) {
                let count = try call.integer(2)
                guard count >= 0 else { throw call.argumentError(2, "lines must not be negative") }
                lines = Array(lines.suffix(Int(count)))
            }
            call.push(string: lines.joined(separator: "\n"))
            return 1
        }
        runtime.define("mesh.restart", usage: "mesh.restart(node)",
                       "restart that node's linkerd: delete its pod (kubectl -n linkerd delete pod ...); the DaemonSet makes a new one",
                       mutates: true) { [unowned runtime] call in
            let mesh = try requireMesh(call, world)
            let node = try nodeName(call, 1, mesh: mesh)
            return try restart(node: node, mesh: mesh, runtime: runtime, call: call)
        }
    }

    // MARK: Arguments

    static func requireMesh(_ call: LuaCall, _ world: World) throws -> Mesh {
        guard let mesh = world.component(Mesh.self) else {
            throw call.error("this world has no service mesh (scenario \(LuaValue.quote(world.scenarioName))); try --scenario bank")
        }
        return mesh
    }

    /// A node that runs (or could run) a linkerd: a worker node of the cluster.
    static func nodeName(_ call: LuaCall, _ index: Int32, mesh: Mesh) throws -> String {
        let name = try call.string(index)
        let nodes = mesh.cluster.configuration.nodes
        guard nodes.contains(name) else {
            let sample = nodes.count > 4 ? "\(nodes[0]) ... \(nodes[nodes.count - 1])" : nodes.joined(separator: ", ")
            throw call.argumentError(index, "unknown node \(LuaValue.quote(name)); linkerd runs on the worker nodes \(sample)")
        }
        return name
    }

    /// `namespace/service`, in a namespace the mesh routes, naming a service that exists.
    static func serviceReference(_ call: LuaCall, _ index: Int32, mesh: Mesh, runtime: ScriptRuntime) throws -> ServiceReference {
        let text = try call.string(index)
        guard let service = ServiceReference(parsing: text) else {
            throw call.argumentError(index, "expected \"namespace/service\", such as \"payments/transaction-processor\"; got \(LuaValue.quote(text))")
        }
        guard mesh.configuration.routedNamespaces.contains(service.namespace) else {
            var message = "linkerd does not route namespace \(LuaValue.quote(service.namespace)); it routes \(mesh.configuration.routedNamespaces.joined(separator: ", "))"
            if let platform = standalonePlatform(running: service, in: world(runtime)) {
                message += "; \(service.namespace) runs on the \(platform.name) platform (\(platform.instances.map(\.host.name).joined(separator: ", "))), outside Kubernetes and linkerd"
            }
            throw call.argumentError(index, message)
        }
        let known = world(runtime).component(TrafficEngine.self)?.catalog.index(of: service) != nil
            || mesh.cluster.firstRunningAPIServer?.cachedObject(.services, namespace: service.namespace, name: service.name) != nil
        guard known else {
            throw call.argumentError(index, "unknown service \(LuaValue.quote(text)); try kubectl \"get services -n \(service.namespace)\"")
        }
        return service
    }

    private static func world(_ runtime: ScriptRuntime) -> World { runtime.world }

    /// The standalone platform whose services include that namespace's, if any.
    private static func standalonePlatform(running service: ServiceReference, in world: World) -> StandalonePlatform? {
        guard let platform = world.component(StandalonePlatform.self), let catalog = world.component(TrafficEngine.self)?.catalog,
              catalog.services.contains(where: { $0.reference.namespace == service.namespace && $0.platform == platform.name }) else { return nil }
        return platform
    }

    // MARK: Results

    static func sortedProxies(_ mesh: Mesh) -> [LinkerdProxy] {
        mesh.proxies.sorted { EtcdModule.naturalOrder($0.nodeName, $1.nodeName) }
    }

    static func proxyTable(_ proxy: LinkerdProxy) -> LuaValue {
        ["node": .string(proxy.nodeName), "namespace": .string(proxy.mesh.configuration.namespace), "pod": .string(proxy.podName),
         "version": .string(proxy.version.rawValue), "healthy": .boolean(proxy.isHealthy), "running": .boolean(proxy.isRunning),
         "apiserver": proxy.discoveryAPIServer.map { .string($0) } ?? .nil]
    }

    private static func pushRoutes(_ view: RouteView, node: String, service: ServiceReference, call: LuaCall) throws -> Int32 {
        let routes = view.addresses.map { address -> LuaValue in
            ["ip": .string(address.ip), "port": .integer(address.port), "live": .boolean(address.live), "marked_dead": .boolean(address.markedDead)]
        }
        try call.push(.table(LuaTable(array: routes)))
        let why: String?
        switch view.state {
        case .known: why = routes.isEmpty ? "\(service) has no ready endpoints as linkerd on \(node) sees it" : nil
        case .noProxy: why = "no linkerd has run on \(node)"
        case .proxyDown: why = "linkerd on \(node) is not running"
        case .notRouted: why = "linkerd on \(node) does not route \(service.namespace)"
        case .unknownService: why = "linkerd on \(node) knows no service \(service)"
        case .discoveryFailed(let reason): why = "linkerd on \(node) has no discovery for \(service.namespace): \(reason)"
        }
        guard let why else { return 1 }
        call.push(string: why)
        return 2
    }

    private static func report(of namespace: LinkerdProxy.NamespaceReport, world: World) -> LuaValue {
        var table = LuaTable()
        table["namespace"] = .string(namespace.namespace)
        table["state"] = .string(namespace.state)
        table["services"] = .integer(Int64(namespace.serviceCount))
        table["error"] = namespace.error.map { .string($0) } ?? .nil
        TimeFields.set("last_change", namespace.lastChange, in: &table, world: world)
        table["null_pointer_exceptions"] = .integer(Int64(namespace.nullPointerCount))
        return .table(table)
    }

    private static func restart(node: String, mesh: Mesh, runtime: ScriptRuntime, call: LuaCall) throws -> Int32 {
        let session: KubeSession
        switch KubeSession.open(runtime, via: "mesh.restart", verb: "restart") {
        case .success(let opened): session = opened
        case .failure(let failure): return call.fail(failure.message)
        }
        let namespace = mesh.configuration.namespace
        guard let server = mesh.cluster.firstRunningAPIServer else { return call.fail("no apiserver is running") }
        let pods = server.cachedObjects(.pods, filter: ObjectFilter(namespace: namespace)).compactMap { $0 as? Pod }
            .filter { $0.spec.nodeName == node && $0.metadata.labels["app"] == mesh.configuration.daemonSetName && !$0.metadata.isTerminating }
        guard let pod = pods.first else { return call.fail("no linkerd pod on \(node) to restart") }
        switch try session.call(.delete(.pods, namespace: namespace, name: pod.name, gracePeriodSeconds: nil)) {
        case .success:
            call.push(string: "pod \"\(pod.name)\" deleted")
            return 1
        case .failure(let error):
            return call.fail(error.kubectlText)
        }
    }
}
