/// The platform's traffic as flows: every second, each request class's rate is pushed through
/// its calls, and every hop's outcome comes from the real state at that moment. The proxy on
/// the caller's node (is it running; what does its namer believe; what has failure accrual
/// marked), the endpoints it holds (does a ready pod of that service run there; does its image
/// answer; is the linkerd on that node up and does it know the pod) and the connect timeouts
/// spent on addresses where nothing runs. No request is an event and nothing is allocated per
/// request, so hours of traffic cost little.
///
/// Card stand-in processing, a backup operators switch on, approves the low-value share of
/// card payments the platform fails (the card network answers for the bank).
///
/// A class whose services run on a standalone platform (the bank's prepaid cards) never enters
/// the mesh: its requests succeed where that platform's load balancer sends them to an instance
/// that answers.
public final class TrafficEngine: WorldComponent, EventTarget {
    public let componentName = "traffic"
    public unowned let world: World
    public unowned let mesh: Mesh
    public let catalog: WorkloadCatalog
    public let tickInterval = Span.seconds(1)
    /// Time spent between two services besides the callee's own: two linkerds and the network.
    public var hopOverheadMilliseconds = 1.5
    public private(set) var isStandInEnabled = false
    /// Each class over the last tick, in catalog order.
    public private(set) var snapshots: [ClassSnapshot]
    public private(set) var tickCount = 0
    private let metrics: TrafficMetrics
    private var destinations: [Int]
    /// The standalone platform each class runs on, or nil for the mesh.
    private let platforms: [StandalonePlatform?]
    /// Where each service's ready pods run: the linkerd of each node, weighted by pods.
    private var callers: [[CallerShare]]
    /// The share of each service's ready pods whose image answers (entries are reached directly).
    private var answeringShare: [Double]
    private var placementStamp = -1
    private var liveStamp = -1
    private var points = LatencyPoints()

    struct CallerShare {
        let proxy: LinkerdProxy?
        let weight: Double
    }

    private init(world: World, mesh: Mesh, catalog: WorkloadCatalog, telemetry: Telemetry) {
        self.world = world
        self.mesh = mesh
        self.catalog = catalog
        snapshots = Array(repeating: ClassSnapshot(), count: catalog.classes.count)
        metrics = TrafficMetrics(store: telemetry.metrics, catalog: catalog)
        destinations = catalog.services.map { $0.platform == nil ? mesh.destination($0.reference) : -1 }
        platforms = catalog.classes.map { requestClass in
            catalog.platform(of: requestClass).map { name in
                guard let platform = world.component(StandalonePlatform.self), platform.name == name else {
                    preconditionFailure("class \(requestClass.name) runs on platform \(name), which is not installed")
                }
                return platform
            }
        }
        callers = Array(repeating: [], count: catalog.services.count)
        answeringShare = Array(repeating: 0, count: catalog.services.count)
    }

    /// Installs the traffic with its alert rules; the first tick runs at `startTime`.
    @discardableResult
    public static func install(in world: World, mesh: Mesh, catalog: WorkloadCatalog, startingAt startTime: SimTime) -> TrafficEngine {
        let telemetry = Telemetry.of(world)
        let engine = TrafficEngine(world: world, mesh: mesh, catalog: catalog, telemetry: telemetry)
        world.install(engine)
        mesh.imageServesRequests = ServingImages.servesRequests
        for rule in TrafficAlerts.rules(for: catalog) { telemetry.alerts.add(rule) }
        world.schedule(after: max(0, startTime - world.now), engine)
        return engine
    }

    /// Switches card stand-in processing on or off.
    public func setStandIn(_ enabled: Bool) { isStandInEnabled = enabled }

    public func classIndex(named name: String) -> Int? { catalog.classes.firstIndex { $0.name == name } }

    // MARK: A tick

    public func fire() {
        world.schedule(after: tickInterval, self)
        refreshPlacement()
        let calendar = world.calendarNow
        for index in catalog.classes.indices {
            let requestClass = catalog.classes[index]
            let snapshot = platforms[index].map { standaloneFlow(requestClass, on: $0, at: calendar) } ?? flow(requestClass, at: calendar)
            snapshots[index] = snapshot
            metrics.record(snapshot, classIndex: index, at: world.now)
        }
        mesh.settle()
        tickCount += 1
        if world.now % TrafficMetrics.scrapeInterval < tickInterval { scrape() }
    }

    private func scrape() {
        metrics.scrape(at: world.now, connectTimeoutMilliseconds: connectTimeoutMilliseconds)
        var running = 0, failures = 0
        for proxy in mesh.proxies {
            guard proxy.isRunning else { continue }
            running += 1
            failures += proxy.failedNamespaceCount
        }
        metrics.recordMesh(running: running, notRunning: mesh.proxies.count - running, discoveryFailures: failures, at: world.now)
    }

    private var connectTimeoutMilliseconds: Double { Double(mesh.configuration.connectTimeout) / Double(Span.microsecondsPerMillisecond) }

    /// One class's requests of this tick, hop by hop: what succeeded after how many connect
    /// timeouts, what failed where, and the latencies that follow.
    private func flow(_ requestClass: RequestClass, at calendar: CalendarTime) -> ClassSnapshot {
        let rate = requestClass.requestsPerSecond(at: calendar)
        let connectTimeout = connectTimeoutMilliseconds
        points.removeAll()
        let entry = requestClass.entry
        var elapsed = catalog.services[entry].serviceTimeMilliseconds
        var going = SIMD4<Double>(answeringShare[entry], 0, 0, 0)
        var failed = SIMD4<Double>(1 - answeringShare[entry], 0, 0, 0)
        points.add(milliseconds: 0, weight: failed[0])
        metrics.accumulateEntry(service: entry, offered: rate, succeeded: rate * going[0])
        for call in requestClass.calls {
            let reaching = going.sum()
            guard reaching > 1e-12 else { break }
            let outcome = hopOutcome(call, volume: rate * reaching)
            metrics.accumulate(service: call.callee, offered: rate * reaching, outcome: outcome)
            var next = SIMD4<Double>.zero
            var failedHere = SIMD4<Double>.zero
            for before in 0..<4 where going[before] > 0 {
                for added in 0..<4 {
                    let timeouts = min(3, before + added)
                    next[timeouts] += going[before] * outcome.succeeded[added]
                    failedHere[timeouts] += going[before] * outcome.failed[added]
                }
            }
            for timeouts in 0..<4 {
                points.add(milliseconds: elapsed + hopOverheadMilliseconds + Double(timeouts) * connectTimeout, weight: failedHere[timeouts])
            }
            failed += failedHere
            going = next
            elapsed += hopOverheadMilliseconds + catalog.services[call.callee].serviceTimeMilliseconds
        }
        for timeouts in 0..<4 { points.add(milliseconds: elapsed + Double(timeouts) * connectTimeout, weight: going[timeouts]) }
        points.sort()
        return snapshot(requestClass, rate: rate, answered: going.sum(), failed: failed.sum())
    }

    /// A class's tick from the shares answered and failed, with stand-in approvals and the
    /// latency percentiles of the points gathered.
    private func snapshot(_ requestClass: RequestClass, rate: Double, answered: Double, failed: Double) -> ClassSnapshot {
        var snapshot = ClassSnapshot()
        snapshot.requestsPerSecond = rate
        snapshot.platformSuccessRate = answered
        let approved = isStandInEnabled ? failed * requestClass.standInShare : 0
        snapshot.standInApprovalsPerSecond = rate * approved
        snapshot.successRate = snapshot.platformSuccessRate + approved
        snapshot.latencyP50Milliseconds = points.percentile(0.5)
        snapshot.latencyP99Milliseconds = points.percentile(0.99)
        return snapshot
    }

    /// A class on a standalone platform: the load balancer's instance answers the whole request
    /// locally, or the request fails at once.
    private func standaloneFlow(_ requestClass: RequestClass, on platform: StandalonePlatform, at calendar: CalendarTime) -> ClassSnapshot {
        let rate = requestClass.requestsPerSecond(at: calendar)
        let answered = platform.answeringShare
        metrics.accumulateEntry(service: requestClass.entry, offered: rate, succeeded: rate * answered)
        var elapsed = catalog.services[requestClass.entry].serviceTimeMilliseconds
        for call in requestClass.calls {
            metrics.accumulate(service: call.callee, offered: rate * answered, outcome: .clean)
            elapsed += StandalonePlatform.localCallMilliseconds + catalog.services[call.callee].serviceTimeMilliseconds
        }
        points.removeAll()
        points.add(milliseconds: 0, weight: 1 - answered)
        points.add(milliseconds: elapsed, weight: answered)
        points.sort()
        return snapshot(requestClass, rate: rate, answered: answered, failed: 1 - answered)
    }

    /// A hop's outcome: the mixture over the nodes the caller's pods run on, each through its
    /// own linkerd. A caller whose node has no linkerd running cannot send at all.
    private func hopOutcome(_ call: ServiceCall, volume: Double) -> HopOutcome {
        let shares = callers[call.caller]
        guard !shares.isEmpty else { return .failedFast }
        var outcome = HopOutcome.zero
        for share in shares {
            guard let proxy = share.proxy else {
                outcome.add(.failedFast, weight: share.weight)
                continue
            }
            outcome.add(mesh.outcome(from: proxy, to: destinations[call.callee], volume: volume * share.weight), weight: share.weight)
        }
        return outcome
    }

    // MARK: Where the services run

    /// Recomputes where each service's ready pods run, when containers or readiness changed.
    private func refreshPlacement() {
        guard placementStamp != mesh.placementGeneration || liveStamp != mesh.cluster.liveGeneration else { return }
        placementStamp = mesh.placementGeneration
        liveStamp = mesh.cluster.liveGeneration
        var readyByNode = Array(repeating: [String: Int](), count: catalog.services.count)
        var answering = Array(repeating: 0, count: catalog.services.count)
        var ready = Array(repeating: 0, count: catalog.services.count)
        for (ip, placement) in mesh.runningContainers {
            guard let live = mesh.cluster.livePods[ip], live.ready,
                  let index = catalog.index(of: ServiceReference(namespace: placement.namespace, name: placement.container)) else { continue }
            readyByNode[index][placement.nodeName, default: 0] += 1
            ready[index] += 1
            if mesh.imageServesRequests(placement.image) { answering[index] += 1 }
        }
        for index in catalog.services.indices {
            let total = Double(ready[index])
            callers[index] = readyByNode[index].keys.sorted().map { node in
                CallerShare(proxy: mesh.proxy(onNode: node), weight: Double(readyByNode[index][node]!) / total)
            }
            answeringShare[index] = ready[index] == 0 ? 0 : Double(answering[index]) / total
        }
    }

    public func stableHash(into hasher: inout StableHasher) {
        hasher.combine(tickCount)
        hasher.combine(isStandInEnabled)
        for snapshot in snapshots {
            hasher.combine(snapshot.requestsPerSecond)
            hasher.combine(snapshot.successRate)
            hasher.combine(snapshot.latencyP99Milliseconds)
        }
    }
}
