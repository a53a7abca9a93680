/// The `io.l5d.k8s` namer of one linkerd for one namespace, as linkerd 0.9/1.0 ran it: list the
/// namespace's Endpoints, then watch from the list's resourceVersion over the proxy's one API
/// connection. There is no idle timeout, so a watch that stays open but silent keeps the last
/// endpoints forever (the 14:18 symptom). When the server ends the stream it watches again from
/// the last version it saw; a `410 Gone` means list again; failures are retried forever with
/// jittered backoff. A restart of the proxy makes new namers: the cache starts empty.
///
/// Where the NullPointerException bites (linkerd/linkerd#1219). 0.9.1's `getAddrs` treated
/// `subsets` as a list, and Kubernetes 1.6 writes `subsets: null` for a service with no pods.
/// The model throws only while *initialising an empty cache from a namespace list*: that is the
/// path the postmortem and the issue describe (`k8s failed to list endpoints`), it fails
/// discovery for every service of the namespace, and it is retried, and fails, until the empty
/// Endpoints goes. A namer whose cache is already warm applies watch events and the lists that
/// follow a 410 as updates, where a null `subsets` simply means "no addresses". In 0.9.x the
/// update path had the same unchecked dereference, but a throw there ended a fire-and-forget
/// stream traversal instead of failing discovery, and Monzo saw no harm from the linkerds that
/// had been running since before the service was scaled to zero: "instances with a warm cache
/// were not hit". Modelling warm updates as tolerant is what makes the counterfactuals come
/// out as they did: restarting the apiservers cures stale routes (every warm namer re-lists
/// after a 410) without an outage, while restarting the linkerds empties every cache at once.
final class EndpointsNamer {
    /// What discovery of this namespace is doing, as an operator would describe it.
    enum State: Equatable {
        /// The first list is in flight: nothing is known yet.
        case listing
        /// The cache is current as far as this namer knows, and a watch is open or reopening.
        case watching
        /// No cache: every list so far failed (an error from the server, or the exception).
        case failed(String)
        /// A warm cache is kept while re-listing or re-watching fails.
        case retrying(String)
    }

    let namespace: String
    unowned let proxy: LinkerdProxy
    private(set) var state = State.listing
    /// The ready addresses of each service, as last believed.
    private(set) var services: [String: NamedEndpoints] = [:]
    /// Whether a list ever filled the cache: only then can requests be routed.
    private(set) var isInitialized = false
    /// Bumped whenever what this namer believes changes, so routing caches know to look again.
    private(set) var generation = 0
    private(set) var lastResourceVersion: Int64 = 0
    private(set) var lastChangeTime: SimTime?
    private(set) var nullPointerCount = 0
    private(set) var listCount = 0
    private var watch: ClientWatch?
    private var watchStartedAt: SimTime = 0
    private var eventsOnThisWatch = 0
    private var backoff = DiscoveryBackoff()
    private var isStopped = false
    private let thread: Int

    init(proxy: LinkerdProxy, namespace: String, thread: Int) {
        self.proxy = proxy
        self.namespace = namespace
        self.thread = thread
    }

    private var world: World { proxy.world }
    private var filter: ObjectFilter { ObjectFilter(namespace: namespace) }

    func start() {
        proxy.log(.info, thread: thread, "k8s initializing \(namespace)")
        list()
    }

    func stop() {
        isStopped = true
        watch?.cancel()
        watch = nil
    }

    /// Whether this namer holds `ip` as an address of `service` (linkerd's incoming router
    /// filters the same cache to its own node before it delivers a request).
    func knows(_ service: String, ip: String) -> Bool {
        isInitialized && services[service]?.addresses.contains(ip) == true
    }

    // MARK: Listing

    /// `GET /api/v1/namespaces/<ns>/endpoints`: no resourceVersion, so the apiserver reads etcd
    /// (a quorum read through its Endpoints storage client), not its watch cache.
    private func list() {
        guard !isStopped else { return }
        listCount += 1
        proxy.client.send(.list(.endpoints, filter: filter, resourceVersion: "")) { [weak self] result in
            guard let self, !self.isStopped else { return }
            switch result {
            case .success(.list(let items, let version)):
                self.listed(items.compactMap { $0 as? Endpoints }, version: version)
            case .success:
                self.listFailed(["io.buoyant.k8s.Api$UnexpectedResponse: not a list"], reason: "unexpected response")
            case .failure(let error):
                self.listFailed(EndpointsNamer.exception(for: error), reason: error.message)
            }
        }
    }

    private func listed(_ items: [Endpoints], version: Int64) {
        if !isInitialized, proxy.version.throwsOnNullSubsets, items.contains(where: { $0.subsets == nil }) {
            nullPointerCount += 1
            listFailed(LinkerdLog.nullSubsetsStackTrace, reason: "java.lang.NullPointerException")
            return
        }
        var fresh: [String: NamedEndpoints] = [:]
        for endpoints in items { fresh[endpoints.name] = NamedEndpoints(endpoints) }
        if !isInitialized || fresh != services {
            services = fresh
            isInitialized = true
            changed()
        }
        lastResourceVersion = version
        backoff.reset()
        state = .watching
        watchFromLastVersion()
    }

    private func listFailed(_ exception: [String], reason: String) {
        proxy.log(.error, thread: thread, "k8s failed to list endpoints", exception)
        state = isInitialized ? .retrying(reason) : .failed(reason)
        proxy.after(backoff.next(proxy.random)) { [weak self] in self?.list() }
    }

    // MARK: Watching

    private func watchFromLastVersion() {
        guard !isStopped else { return }
        watchStartedAt = world.now
        eventsOnThisWatch = 0
        watch = proxy.client.watch(.endpoints, filter: filter, resourceVersion: lastResourceVersion) { [weak self] event in
            guard let self, !self.isStopped else { return }
            self.handle(event)
        }
    }

    private func handle(_ event: APIWatchEvent) {
        switch event {
        case .added(let object), .modified(let object):
            guard let endpoints = object as? Endpoints else { return }
            eventsOnThisWatch += 1
            lastResourceVersion = max(lastResourceVersion, endpoints.metadata.resourceVersion)
            let updated = NamedEndpoints(endpoints)
            if services[endpoints.name] != updated {
                services[endpoints.name] = updated
                changed()
            }
        case .deleted(let object):
            eventsOnThisWatch += 1
            lastResourceVersion = max(lastResourceVersion, object.metadata.resourceVersion)
            if services.removeValue(forKey: object.name) != nil { changed() }
        case .error(.gone(let requested, let oldest)):
            watch = nil
            proxy.log(.info, thread: thread, "k8s watch on \(namespace) expired: too old resource version: \(requested) (\(oldest)); reloading")
            list()
        case .error(let error):
            watch = nil
            rewatchLater(reason: error.message)
        case .ended:
            watch = nil
            // The server ended the stream (its watch timeout) or the connection went: watch
            // again from where we were. A stream that ends at once, again and again, backs off.
            let fruitless = eventsOnThisWatch == 0 && world.now - watchStartedAt < Span.seconds(1)
            if fruitless {
                rewatchLater(reason: "watch stream closed")
            } else {
                backoff.reset()
                watchFromLastVersion()
            }
        }
    }

    private func rewatchLater(reason: String) {
        if backoff.failures == 0 { proxy.log(.warning, thread: thread, "k8s watch on \(namespace) failed: \(reason); retrying") }
        state = .retrying(reason)
        proxy.after(backoff.next(proxy.random)) { [weak self] in
            guard let self, !self.isStopped else { return }
            self.state = .watching
            self.watchFromLastVersion()
        }
    }

    private func changed() {
        generation += 1
        lastChangeTime = world.now
        proxy.discoveryChanged()
    }

    /// The exception linkerd's client raised for an API failure, as its log prints it.
    static func exception(for error: APIError) -> [String] {
        switch error {
        case .unavailable(let message): LinkerdLog.channelClosed(message)
        default: LinkerdLog.unexpectedResponse(code: error.code, reason: error.message)
        }
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(namespace)
        hasher.combine(isInitialized)
        hasher.combine(generation)
        hasher.combine(lastResourceVersion)
        hasher.combine(nullPointerCount)
        hasher.combine(listCount)
        hasher.combine(services.count)
        switch state {
        case .listing: hasher.combine(0)
        case .watching: hasher.combine(1)
        case .failed(let reason): hasher.combine(2); hasher.combine(reason)
        case .retrying(let reason): hasher.combine(3); hasher.combine(reason)
        }
    }
}

/// The ready addresses of one service as a namer holds them, in address order, and the port.
struct NamedEndpoints: Equatable {
    var addresses: [String]
    var port: Int64

    /// Ready addresses only (linkerd routed to `addresses`, never `notReadyAddresses`); null
    /// subsets mean none.
    init(_ endpoints: Endpoints) {
        var addresses: [String] = []
        var port: Int64 = 0
        for subset in endpoints.subsets ?? [] {
            addresses += subset.addresses.map(\.ip)
            if port == 0, let first = subset.ports.first { port = first.port }
        }
        self.addresses = addresses
        self.port = port
    }
}
