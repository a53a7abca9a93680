/// A platform outside Kubernetes and the service mesh, such as the bank's prepaid card platform
/// (the postmortem's "separate path"): a few hosts of its own, each running the platform's whole
/// stack as one process, behind a load balancer that health-checks them. Its requests touch no
/// linkerd, no apiserver and no etcd, so nothing that happens to the mesh reaches them; they fail
/// for the platform's own causes: a host that is down, restarting, or still in the load balancer
/// after it stopped answering.
///
/// The load balancer checks every instance each `checkInterval`; it takes an instance out after
/// `unhealthyThreshold` failed checks in a row and puts it back after `healthyThreshold` passed
/// ones. Between a crash and the second failed check, the crashed instance's share of requests
/// fails; with every instance out, every request does.
public final class StandalonePlatform: WorldComponent, EventTarget {
    public let componentName = "standalone platform"
    /// The platform's name, as catalog services name it (`CatalogService.platform`).
    public let name: String
    public unowned let world: World
    public private(set) var instances: [PlatformInstance] = []
    public let checkInterval = Span.seconds(5)
    public let unhealthyThreshold = 2
    public let healthyThreshold = 2
    /// How long a started instance takes before it answers (its stack warms up).
    public let warmUp = Span.seconds(20)
    /// A call between two services of one instance: a loopback hop, no proxy.
    public static let localCallMilliseconds = 0.3

    private init(name: String, world: World) {
        self.name = name
        self.world = world
    }

    /// Installs the platform on `hosts` (one instance each), running and in the load balancer.
    @discardableResult
    public static func install(named name: String, on hosts: [Host], in world: World) -> StandalonePlatform {
        let platform = StandalonePlatform(name: name, world: world)
        world.install(platform)
        for host in hosts {
            let instance = PlatformInstance(platform: name, host: host, warmUp: platform.warmUp)
            world.add(instance)
            world.start(instance)
            platform.instances.append(instance)
        }
        world.schedule(after: platform.checkInterval, platform)
        return platform
    }

    /// A health check of every instance.
    public func fire() {
        world.schedule(after: checkInterval, self)
        for instance in instances { instance.recordCheck(passed: instance.isAnswering, healthy: healthyThreshold, unhealthy: unhealthyThreshold) }
    }

    /// The share of requests the load balancer sends to an instance that answers: 0 when it has
    /// no instance in service.
    public var answeringShare: Double {
        let inService = instances.filter(\.isInService)
        guard !inService.isEmpty else { return 0 }
        return Double(inService.filter(\.isAnswering).count) / Double(inService.count)
    }

    public func stableHash(into hasher: inout StableHasher) {
        hasher.combine(name)
        for instance in instances { hasher.combine(instance.isInService) }
    }
}

/// One host's instance of a standalone platform: the whole stack as one process. A restart (or
/// a host that comes back) answers again once warmed up, and the load balancer puts it back in
/// service after enough passed checks.
public final class PlatformInstance: SimProcess {
    public private(set) var startedAt: SimTime = 0
    /// Whether the load balancer sends it requests.
    public private(set) var isInService = true
    private var passedInARow = 0
    private var failedInARow = 0
    private let warmUp: SimTime

    init(platform: String, host: Host, warmUp: SimTime) {
        self.warmUp = warmUp
        super.init(name: "\(platform)/\(host.name)", host: host)
    }

    public override func didStart() {
        // The first incarnation is there before anyone looks; later ones start cold.
        startedAt = incarnation == 1 ? world.now - warmUp : world.now
    }

    /// Running and warmed up: it answers requests.
    public var isAnswering: Bool { isRunning && world.now - startedAt >= warmUp }

    func recordCheck(passed: Bool, healthy: Int, unhealthy: Int) {
        if passed {
            passedInARow += 1
            failedInARow = 0
            if !isInService && passedInARow >= healthy { isInService = true }
        } else {
            failedInARow += 1
            passedInARow = 0
            if isInService && failedInARow >= unhealthy { isInService = false }
        }
    }

    public override func stableHash(into hasher: inout StableHasher) {
        hasher.combine(isInService)
        hasher.combine(passedInARow)
        hasher.combine(failedInARow)
        hasher.combine(startedAt)
    }
}
