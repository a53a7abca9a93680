/// The service mesh as a world subsystem: a linkerd process per node, started and stopped with
/// the DaemonSet's pods, and what the traffic needs to ask of it: which proxy runs on a node,
/// what each one believes about a destination, and what really happens at an address.
///
/// Scenarios install it after Kubernetes and add `configuration.objects(version:)` to the
/// cluster's initial objects; the `mesh` Lua module finds it with `world.component(Mesh.self)`.
public final class Mesh: WorldComponent {
    public let componentName = "mesh"
    public unowned let world: World
    public unowned let cluster: KubernetesCluster
    public let configuration: MeshConfiguration
    /// Every linkerd process ever started, by node, in the order nodes first ran one.
    public private(set) var proxies: [LinkerdProxy] = []
    private var proxyByNode: [String: LinkerdProxy] = [:]
    /// What runs at each pod address, as the container hooks reported it.
    private var placements: [String: PodPlacement] = [:]
    /// Destinations the traffic routes to, by index (a balancer per proxy per destination).
    public private(set) var destinations: [ServiceReference] = []
    private var destinationIndex: [ServiceReference: Int] = [:]
    /// Bumped whenever any proxy starts or stops, any namer's beliefs change, or a container
    /// starts or stops somewhere: routing caches compare it to know when to look again.
    public private(set) var routingGeneration = 0
    /// Bumped whenever a container starts or stops: where services run has changed.
    public private(set) var placementGeneration = 0
    /// Whether the image a pod runs answers requests (a bad deploy does not). All do by default.
    public var imageServesRequests: (String) -> Bool = { _ in true }
    /// Balancers used since the last `settle`.
    private var touched: [Balancer] = []

    private init(world: World, cluster: KubernetesCluster, configuration: MeshConfiguration) {
        self.world = world
        self.cluster = cluster
        self.configuration = configuration
    }

    /// Installs the mesh: the proxies start as the kubelets start the DaemonSet's containers.
    @discardableResult
    public static func install(in world: World, cluster: KubernetesCluster, configuration: MeshConfiguration) -> Mesh {
        let mesh = Mesh(world: world, cluster: cluster, configuration: configuration)
        world.install(mesh)
        var image = ContainerImageBehaviour()
        image.pullSeconds = 4...12
        image.startSeconds = 3...8
        // The JVM's flags come first; the process writes the rest, with the world's clock, as it starts.
        image.startupLogLines = ["-XX:+UseConcMarkSweepGC -XX:+CMSParallelRemarkEnabled -Xms64M -Xmx256M"]
        cluster.images.register("buoyantio/linkerd", image)
        cluster.images.onContainerStarted { [unowned mesh] container in mesh.containerStarted(container) }
        cluster.images.onContainerStopped { [unowned mesh] container in mesh.containerStopped(container) }
        return mesh
    }

    // MARK: Proxies

    /// The linkerd of a node, if one ever ran there.
    public func proxy(onNode name: String) -> LinkerdProxy? { proxyByNode[name] }

    private func containerStarted(_ container: RunningContainer) {
        placements[container.podIP] = PodPlacement(namespace: container.namespace, podName: container.podName,
                                                   container: container.containerName, image: container.image, nodeName: container.nodeName)
        routingGeneration += 1
        placementGeneration += 1
        guard container.namespace == configuration.namespace, container.containerName == configuration.containerName,
              let host = world.host(named: container.nodeName) else { return }
        let proxy = proxyByNode[container.nodeName] ?? makeProxy(node: container.nodeName, host: host)
        if proxy.isRunning { world.stop(proxy) }
        proxy.assign(pod: container.podName, image: container.image)
        world.start(proxy)
    }

    private func containerStopped(_ container: RunningContainer) {
        if placements[container.podIP]?.podName == container.podName { placements[container.podIP] = nil }
        routingGeneration += 1
        placementGeneration += 1
        guard container.namespace == configuration.namespace, container.containerName == configuration.containerName,
              let proxy = proxyByNode[container.nodeName], proxy.podName == container.podName else { return }
        world.stop(proxy)
    }

    private func makeProxy(node: String, host: Host) -> LinkerdProxy {
        let proxy = LinkerdProxy(nodeName: node, host: host, mesh: self)
        world.add(proxy)
        proxies.append(proxy)
        proxyByNode[node] = proxy
        return proxy
    }

    func proxyStateChanged() { routingGeneration += 1 }
    func discoveryChanged() { routingGeneration += 1 }

    // MARK: Destinations and routing

    /// The index of a destination, registered on first use.
    public func destination(_ service: ServiceReference) -> Int {
        if let index = destinationIndex[service] { return index }
        destinations.append(service)
        destinationIndex[service] = destinations.count - 1
        return destinations.count - 1
    }

    /// What a request sent through `proxy` to a destination becomes now. The balancer remembers
    /// the volume for failure accrual and the retry budget; `settle` closes the tick.
    public func outcome(from proxy: LinkerdProxy, to destination: Int, volume: Double) -> HopOutcome {
        guard proxy.isRunning else { return .failedFast }
        let balancer = proxy.balancer(for: destination)
        balancer.refresh()
        if !balancer.isTouched {
            balancer.isTouched = true
            touched.append(balancer)
        }
        balancer.offeredVolume += volume
        let outcome = balancer.outcome(at: world.now, configuration: configuration)
        balancer.counters.count(volume, outcome)
        return outcome
    }

    /// Ends a tick of traffic: every balancer used learns from what its endpoints did.
    public func settle() {
        for balancer in touched where balancer.proxy.isRunning { balancer.settle(at: world.now, configuration: configuration) }
        for balancer in touched { balancer.isTouched = false }
        touched.removeAll(keepingCapacity: true)
    }

    /// What really happens at an address for a request meant for `service`.
    func classify(_ ip: String, as service: ServiceReference) -> Balancer.Category {
        guard let live = cluster.livePods[ip] else { return .timeout }
        guard let placement = placements[ip], placement.namespace == service.namespace, placement.container == service.name else {
            return .error
        }
        guard live.ready else { return .refused }
        guard imageServesRequests(placement.image) else { return .error }
        guard let remote = proxyByNode[live.nodeName], remote.isRunning else { return .refused }
        guard remote.namer(for: service.namespace)?.knows(service.name, ip: ip) == true else { return .error }
        return .good
    }

    /// Whether a ready pod of that service really runs at the address now.
    public func isLive(_ ip: String, as service: ServiceReference) -> Bool {
        guard let live = cluster.livePods[ip], live.ready, let placement = placements[ip] else { return false }
        return placement.namespace == service.namespace && placement.container == service.name
    }

    /// Where the pods of a service run now: the node of every running container of it, with
    /// whether it is ready. Sorted by address.
    public func placements(of service: ServiceReference) -> [(ip: String, nodeName: String, ready: Bool)] {
        placements.keys.sorted().compactMap { ip in
            let placement = placements[ip]!
            guard placement.namespace == service.namespace, placement.container == service.name else { return nil }
            return (ip, placement.nodeName, cluster.livePods[ip]?.ready ?? false)
        }
    }

    /// Every running container, by address (what the traffic uses to place callers).
    public var runningContainers: [(ip: String, placement: PodPlacement)] {
        placements.keys.sorted().map { ($0, placements[$0]!) }
    }

    // MARK: What the Lua surface reads

    /// The addresses a node's linkerd believes `service` has, with whether each is real.
    public func routes(onNode node: String, to service: ServiceReference) -> RouteView {
        guard let proxy = proxyByNode[node] else { return RouteView(state: .noProxy, addresses: []) }
        switch proxy.believedRoute(service) {
        case .proxyDown: return RouteView(state: .proxyDown, addresses: [])
        case .notRouted: return RouteView(state: .notRouted, addresses: [])
        case .discoveryFailed(let state): return RouteView(state: .discoveryFailed(RouteView.describe(state)), addresses: [])
        case .unknownService: return RouteView(state: .unknownService, addresses: [])
        case .endpoints(let addresses, let port):
            let balancer = destinationIndex[service].flatMap { proxy.existingBalancer(for: $0) }
            return RouteView(state: .known, addresses: addresses.map { ip in
                RouteView.Address(ip: ip, port: port, live: isLive(ip, as: service),
                                  markedDead: balancer?.isMarkedDead(ip, at: world.now) ?? false)
            })
        }
    }

    public func stableHash(into hasher: inout StableHasher) {
        hasher.combine(routingGeneration)
        hasher.combine(placements.count)
        hasher.combine(destinations.count)
        for proxy in proxies { hasher.combine(proxy.name) }
    }
}

/// A running container as the mesh knows it: which service's pod, on which node, which image.
public struct PodPlacement: Equatable, Sendable {
    public let namespace: String
    public let podName: String
    public let container: String
    public let image: String
    public let nodeName: String
}

/// What `mesh.routes` shows: a linkerd's belief about one destination.
public struct RouteView: Equatable, Sendable {
    public enum State: Equatable, Sendable {
        case known
        case noProxy, proxyDown, notRouted, unknownService
        case discoveryFailed(String)
    }

    public struct Address: Equatable, Sendable {
        public let ip: String
        public let port: Int64
        /// A ready pod of that service really runs there now.
        public let live: Bool
        /// Failure accrual has marked it dead for now.
        public let markedDead: Bool
    }

    public let state: State
    public let addresses: [Address]

    static func describe(_ state: EndpointsNamer.State) -> String {
        switch state {
        case .listing: "still listing"
        case .watching: "watching"
        case .failed(let reason): reason
        case .retrying(let reason): reason
        }
    }
}
