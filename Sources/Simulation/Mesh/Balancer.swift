/// One linkerd's load balancer for one destination: power-of-two-choices over the endpoints its
/// namer believes in, failure accrual, connection requeues under a retry budget, and fail-open
/// when every endpoint is marked dead (finagle's defaults, which linkerd 1.x used).
///
/// Traffic is a flow, so the balancer works on fractions of a second's requests. With requests
/// of equal cost, p2c on load spreads them evenly over the endpoints it has not marked dead.
/// Each endpoint is classified by what really happens there: a ready pod of the right service
/// behind a running linkerd answers; an address where nothing runs swallows the connection
/// attempt until the connect timeout; a pod not ready, or a node whose linkerd is down, refuses
/// at once; a pod that serves errors, or an incoming linkerd with no route to it, fails the
/// request. Refusals and timeouts are requeued to another pick while the retry budget lasts;
/// errors are not (a payment is not idempotent).
final class Balancer {
    enum Category: Equatable { case good, timeout, refused, error }

    struct Endpoint {
        let ip: String
        var category: Category
        /// Consecutive failures seen (fractional: a flow's share of them).
        var consecutiveFailures = 0.0
        /// Marked dead until then; after it one probe decides whether it comes back.
        var markedUntil: SimTime = 0
        var marks = 0

        func isMarked(at now: SimTime) -> Bool { marks > 0 && markedUntil > now }
        func isProbing(at now: SimTime) -> Bool { marks > 0 && markedUntil <= now }
    }

    let destination: Int
    let service: ServiceReference
    unowned let proxy: LinkerdProxy
    private(set) var route = BelievedRoute.proxyDown
    private(set) var endpoints: [Endpoint] = []
    private var routingStamp = -1
    private var liveStamp = -1
    /// Requests offered this tick, and in the last one (the retry budget's measure of load).
    var offeredVolume = 0.0
    private(set) var lastVolume = 0.0
    /// Whether the traffic used this balancer this tick (the mesh settles it afterwards).
    var isTouched = false
    /// What linkerd's admin counters for this client would say (see `LinkerdAdmin`).
    var counters = LinkerdClientCounters()

    init(destination: Int, service: ServiceReference, proxy: LinkerdProxy) {
        self.destination = destination
        self.service = service
        self.proxy = proxy
    }

    // MARK: Classifying what the namer believes

    /// Looks at the namer and the world again if either changed since the last look.
    func refresh() {
        let mesh = proxy.mesh
        guard routingStamp != mesh.routingGeneration || liveStamp != mesh.cluster.liveGeneration else { return }
        routingStamp = mesh.routingGeneration
        liveStamp = mesh.cluster.liveGeneration
        route = proxy.believedRoute(service)
        guard case .endpoints(let addresses, _) = route else {
            endpoints = []
            return
        }
        var previous: [String: Endpoint] = [:]
        for endpoint in endpoints { previous[endpoint.ip] = endpoint }
        endpoints = addresses.map { ip in
            var endpoint = previous[ip] ?? Endpoint(ip: ip, category: .good)
            endpoint.category = mesh.classify(ip, as: service)
            return endpoint
        }
    }

    // MARK: The outcome of a tick's requests

    /// How requests through this balancer end now, given the endpoints and their marks.
    func outcome(at now: SimTime, configuration: MeshConfiguration) -> HopOutcome {
        guard !endpoints.isEmpty else { return .failedFast }
        var counts = SIMD4<Double>.zero
        var chosen = 0
        for endpoint in endpoints where !endpoint.isMarked(at: now) && !endpoint.isProbing(at: now) {
            counts[index(endpoint.category)] += 1
            chosen += 1
        }
        if chosen == 0 {
            // Every endpoint is marked dead: finagle's balancer picks among them anyway.
            for endpoint in endpoints { counts[index(endpoint.category)] += 1 }
            chosen = endpoints.count
        }
        let fractions = counts / Double(chosen)
        let (good, timeout, refused, error) = (fractions[0], fractions[1], fractions[2], fractions[3])
        let retryable = timeout + refused
        let allowance = configuration.retryBudgetFraction * lastVolume + configuration.minimumRetriesPerSecond
        let requeued = retryable * lastVolume > allowance ? allowance / (retryable * lastVolume) : 1
        let failedAgain = error + refused
        return HopOutcome(
            succeeded: SIMD4(good + refused * requeued * good, timeout * requeued * good, 0, 0),
            failed: SIMD4(error + refused * (1 - requeued) + refused * requeued * failedAgain,
                          timeout * (1 - requeued) + timeout * requeued * failedAgain + refused * requeued * timeout,
                          timeout * requeued * timeout, 0))
    }

    private func index(_ category: Category) -> Int {
        switch category {
        case .good: 0
        case .timeout: 1
        case .refused: 2
        case .error: 3
        }
    }

    // MARK: Failure accrual

    /// After a tick: endpoints that failed their share of consecutive requests are marked dead
    /// for a jittered, growing backoff; a probe of a marked one that answers brings it back.
    func settle(at now: SimTime, configuration: MeshConfiguration) {
        let volume = offeredVolume
        offeredVolume = 0
        lastVolume = volume
        isTouched = false
        guard !endpoints.isEmpty, volume > 0 else { return }
        let open = endpoints.indices.filter { !endpoints[$0].isMarked(at: now) && !endpoints[$0].isProbing(at: now) }
        let receiving = open.isEmpty ? Array(endpoints.indices) : open
        let share = volume / Double(receiving.count)
        for index in receiving {
            if endpoints[index].category == .good {
                endpoints[index].consecutiveFailures = 0
                endpoints[index].marks = 0
            } else {
                endpoints[index].consecutiveFailures += share
                if endpoints[index].consecutiveFailures >= configuration.failureAccrualThreshold { mark(index, at: now, configuration) }
            }
        }
        for index in endpoints.indices where !open.isEmpty && endpoints[index].isProbing(at: now) {
            if endpoints[index].category == .good {
                endpoints[index].marks = 0
                endpoints[index].consecutiveFailures = 0
            } else {
                mark(index, at: now, configuration)
            }
        }
    }

    private func mark(_ index: Int, at now: SimTime, _ configuration: MeshConfiguration) {
        let ceiling = min(configuration.failureAccrualMaximumBackoff,
                          configuration.failureAccrualBackoff << min(endpoints[index].marks, 20))
        let removedFor = proxy.random.span(ceiling / 2, ceiling)
        endpoints[index].markedUntil = now + removedFor
        endpoints[index].marks += 1
        counters.removed(for: removedFor)
        endpoints[index].consecutiveFailures = 0
    }

    /// Whether failure accrual has marked this address dead now (for `mesh.routes`).
    func isMarkedDead(_ ip: String, at now: SimTime) -> Bool {
        endpoints.first { $0.ip == ip }?.isMarked(at: now) ?? false
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(destination)
        hasher.combine(endpoints.count)
        for endpoint in endpoints {
            hasher.combine(endpoint.ip)
            hasher.combine(endpoint.marks)
            hasher.combine(endpoint.markedUntil)
        }
        hasher.combine(lastVolume)
    }
}
