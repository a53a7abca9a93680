/// One linkerd, the JVM proxy Monzo ran on every node as a DaemonSet pod. The process starts
/// when the kubelet starts the pod's container and stops when it stops, so every restart is a
/// new incarnation with empty caches. Its namers learn where services are over one connection
/// to the apiservers; its balancers spread the node's outgoing calls over the endpoints it
/// believes in. Its log is the pod's log (`kubectl logs`, `mesh.logs(node)`).
public final class LinkerdProxy: SimProcess {
    public let nodeName: String
    public unowned let mesh: Mesh
    /// The pod this incarnation runs in, and its image and version.
    public private(set) var podName = ""
    public private(set) var image = ""
    public private(set) var version = LinkerdVersion.v0_9_1
    public private(set) var startedAt: SimTime = 0
    private(set) var client: APIClient!
    /// One namer per routed namespace, in the configuration's order.
    private(set) var namers: [EndpointsNamer] = []
    private var namerByNamespace: [String: EndpointsNamer] = [:]
    /// One balancer per destination the traffic has asked about, by destination index.
    private(set) var balancers: [Balancer?] = []
    /// Bumped when any namer's beliefs change.
    private(set) var discoveryGeneration = 0
    let random: RandomStream

    init(nodeName: String, host: Host, mesh: Mesh) {
        self.nodeName = nodeName
        self.mesh = mesh
        self.random = mesh.world.random("mesh/linkerd/\(nodeName)")
        super.init(name: "linkerd/\(nodeName)", host: host)
    }

    /// Sets the pod the next incarnation runs in.
    func assign(pod: String, image: String) {
        podName = pod
        self.image = image
        version = LinkerdVersion(image: image)
    }

    public override func didStart() {
        startedAt = world.now
        client = APIClient(process: self, cluster: mesh.cluster)
        balancers = []
        discoveryGeneration = 0
        appendToLog(LinkerdLog.finagleInit(at: world.calendarNow))
        log(.info, thread: 1, "linkerd \(version.rawValue) (rev=\(version == .v0_9_1 ? "9f4d2c1" : "3cf4bd7")) built at 2017")
        log(.info, thread: 1, "serving http admin on /0.0.0.0:9990")
        log(.info, thread: 1, "serving outgoing on /0.0.0.0:\(mesh.configuration.outgoingPort)")
        log(.info, thread: 1, "serving incoming on /0.0.0.0:\(mesh.configuration.incomingPort)")
        log(.info, thread: 1, "initialized")
        namers = mesh.configuration.routedNamespaces.enumerated().map { index, namespace in
            EndpointsNamer(proxy: self, namespace: namespace, thread: 20 + index)
        }
        namerByNamespace = Dictionary(uniqueKeysWithValues: namers.map { ($0.namespace, $0) })
        mesh.proxyStateChanged()
        for namer in namers { namer.start() }
    }

    public override func willStop() {
        for namer in namers { namer.stop() }
        client?.closeConnection()
        balancers = []
        mesh.proxyStateChanged()
    }

    // MARK: What the proxy believes

    /// The namer for a namespace, if this linkerd routes it.
    func namer(for namespace: String) -> EndpointsNamer? { namerByNamespace[namespace] }

    /// Running, with discovery working for every namespace it routes: what linkerd's own admin
    /// page would show. A silent watch looks perfectly healthy, as it did at Monzo.
    public var isHealthy: Bool {
        isRunning && namers.allSatisfy { $0.isInitialized && !isFailed($0.state) }
    }

    /// The host of the apiserver its discovery is connected to now, if any.
    public var discoveryAPIServer: String? { isRunning ? client?.connectedServer?.host.name : nil }

    /// Namespaces this linkerd cannot route at all: no list has filled their cache.
    public var failedNamespaceCount: Int { namers.reduce(0) { $0 + ($1.isInitialized ? 0 : 1) } }

    private func isFailed(_ state: EndpointsNamer.State) -> Bool {
        if case .failed = state { return true }
        return false
    }

    /// The addresses this linkerd would route `service` to, or why it cannot route there.
    func believedRoute(_ service: ServiceReference) -> BelievedRoute {
        guard isRunning else { return .proxyDown }
        guard let namer = namer(for: service.namespace) else { return .notRouted }
        guard namer.isInitialized else { return .discoveryFailed(namer.state) }
        guard let named = namer.services[service.name] else { return .unknownService }
        return .endpoints(named.addresses, port: named.port)
    }

    /// One namespace's discovery as an operator would read it.
    public struct NamespaceReport: Sendable, Equatable {
        public let namespace: String
        /// `listing`, `watching`, `failed` or `retrying`.
        public let state: String
        public let serviceCount: Int
        public let error: String?
        public let lastChange: SimTime?
        public let nullPointerCount: Int
    }

    /// Every routed namespace's discovery, in the configuration's order.
    public var discoveryReport: [NamespaceReport] {
        namers.map { namer in
            let (state, error): (String, String?) = switch namer.state {
            case .listing: ("listing", nil)
            case .watching: ("watching", nil)
            case .failed(let reason): ("failed", reason)
            case .retrying(let reason): ("retrying", reason)
            }
            return NamespaceReport(namespace: namer.namespace, state: isRunning ? state : "stopped", serviceCount: namer.services.count,
                                   error: error, lastChange: namer.lastChangeTime, nullPointerCount: namer.nullPointerCount)
        }
    }

    func discoveryChanged() {
        discoveryGeneration += 1
        mesh.discoveryChanged()
    }

    /// The balancer for a destination if the traffic has used it (reading makes none).
    func existingBalancer(for destination: Int) -> Balancer? {
        destination < balancers.count ? balancers[destination] : nil
    }

    /// The balancer for a destination, made on first use (and after every restart).
    func balancer(for destination: Int) -> Balancer {
        if destination >= balancers.count { balancers += Array(repeating: nil, count: destination - balancers.count + 1) }
        if let existing = balancers[destination] { return existing }
        let made = Balancer(destination: destination, service: mesh.destinations[destination], proxy: self)
        balancers[destination] = made
        return made
    }

    // MARK: Logging

    func log(_ level: LinkerdLog.Level, thread: Int, _ text: String, _ continuation: [String] = []) {
        appendToLog([LinkerdLog.line(level, text, thread: thread, at: world.now, calendarStart: world.calendarStart)] + continuation)
    }

    /// Writes lines to this incarnation's pod log as they are.
    private func appendToLog(_ lines: [String]) {
        let key = LogStore.StreamKey(namespace: mesh.configuration.namespace, pod: podName, container: mesh.configuration.containerName)
        for line in lines { mesh.cluster.logs.append(line, to: key, at: world.now) }
    }

    public override func stableHash(into hasher: inout StableHasher) {
        hasher.combine(podName)
        hasher.combine(version.rawValue)
        hasher.combine(discoveryGeneration)
        for namer in namers { namer.stableHash(into: &hasher) }
        for balancer in balancers { balancer?.stableHash(into: &hasher) }
    }
}

/// What a linkerd holds for one destination.
enum BelievedRoute: Equatable {
    case proxyDown
    /// The destination's namespace is not one this linkerd routes.
    case notRouted
    /// The namespace's discovery has no cache (still listing, or every list failed).
    case discoveryFailed(EndpointsNamer.State)
    /// The namespace is known but has no such service.
    case unknownService
    case endpoints([String], port: Int64)
}
