import OrderedCollections

/// A subsystem that lives in the world (an etcd cluster, a Kubernetes control plane, the mesh)
/// and contributes to its digest.
public protocol WorldComponent: AnyObject {
    /// A stable name, used in the digest and in error messages.
    var componentName: String { get }
    func stableHash(into hasher: inout StableHasher)
}

/// The whole simulated platform: one clock, one event queue, seeded random streams, hosts in
/// zones, processes, the network and the subsystems built on them. One thread runs it, and
/// `run(until:)` / `advance(by:)` are the only ways time moves.
public final class World {
    public let seed: UInt64
    public private(set) var now: SimTime = 0
    /// The scenario's calendar at time zero, for display (`sim.clock()`).
    public var calendarStart: CalendarTime
    /// The scenario this world was built from, as `sim.scenario()` reports it.
    public var scenarioName = "empty"
    public private(set) var network: Network!
    public private(set) var hosts: OrderedDictionary<String, Host> = [:]
    public private(set) var processes: OrderedDictionary<String, SimProcess> = [:]
    /// What was done to the world and looked at, by whom (see `AuditLog`); not part of the digest.
    public let audit = AuditLog()
    private var queue = EventQueue()
    private var streams: [String: RandomStream] = [:]
    private var components: [any WorldComponent] = []
    private var componentsByType: [ObjectIdentifier: any WorldComponent] = [:]

    /// Set while building a world that is to run on the reference paths: the plain ways of doing
    /// things that cheaper paths replaced (every API watch offered every change, cluster IPs
    /// chosen from a sorted list). Tests build one world each way and compare digests, which
    /// proves a cheaper path changed nothing. Task-local, so tests running alongside are unaffected.
    @TaskLocal static var buildsOnReferencePaths = false
    /// Whether this world runs on the reference paths (fixed when it is built).
    let usesReferencePaths: Bool

    public init(seed: UInt64, calendarStart: CalendarTime = CalendarTime(year: 2017, month: 10, day: 27)) {
        self.seed = seed
        self.usesReferencePaths = World.buildsOnReferencePaths
        self.calendarStart = calendarStart
        self.network = Network(world: self)
    }

    // MARK: Time

    /// The calendar time now, for display.
    public var calendarNow: CalendarTime { calendarStart.adding(now) }

    /// Every calendar skip so far (`skipCalendar`), in order: from `time` on, the calendar reads
    /// `span` later than simulated time alone would say.
    public private(set) var calendarSkips: [(time: SimTime, span: SimTime)] = []

    /// The calendar as it read at a past moment: `calendarStart` less the skips made since. A
    /// moment before a two-week skip shows two weeks ago, as its log lines and timestamps did.
    public func calendar(at time: SimTime) -> CalendarTime {
        let skippedSince = calendarSkips.reduce(SimTime(0)) { $0 + ($1.time > time ? $1.span : 0) }
        return calendarStart.adding(time - skippedSince)
    }

    /// The earliest simulated time whose calendar moment lies within `window` of the calendar
    /// now. Before a calendar skip the calendar read `span` earlier, so a window reaches back
    /// across a skip only as far as the calendar says: "the last 15 minutes" on Friday afternoon
    /// holds nothing from Thursday, however little simulated time lies between.
    public func calendarWindowStart(_ window: SimTime) -> SimTime {
        var start = now - window
        for skip in calendarSkips.reversed() {
            if start >= skip.time { return start }
            start += skip.span
            // A sample at the skip's own instant was taken before it (`calendar(at:)` labels that
            // instant with the later calendar, so leave it out rather than show it misdated).
            if start >= skip.time { return skip.time + 1 }
        }
        return start
    }

    /// Moves the calendar forward from now on; `skipCalendar` says when that is honest.
    func recordCalendarSkip(by span: SimTime) {
        calendarSkips.append((now, span))
        calendarStart = calendarStart.adding(span)
    }

    /// The moment the scenario was handed over, after its warm-up. Scripts count time from here:
    /// `sim.now()` is 0 when a trainee arrives, and `sim.at(60, ...)` means a minute later.
    public private(set) var origin: SimTime = 0

    /// Marks now as the moment scripts count from (done once a scenario is warmed up).
    public func markOrigin() { origin = now }

    /// A time as scripts see it: seconds since the origin.
    public func scriptSeconds(_ time: SimTime) -> Double { Span.asSeconds(time - origin) }

    /// The time that scripts call `seconds`.
    public func time(scriptSeconds seconds: Double) -> SimTime { origin + Span.fromSeconds(seconds) }

    public var pendingEventCount: Int { queue.count }
    public var executedEventCount: UInt64 { queue.executedCount }
    /// A fingerprint of the moment each event so far ran at, in order. Two worlds that agree on
    /// it ran their events at the same moments; the digest, which sees state, can miss an order
    /// that changed and settled back (a watch's events sent in another order draw other
    /// latencies). Not part of the digest.
    private(set) var timeline: UInt64 = 0xcbf2_9ce4_8422_2325

    public func schedule(at time: SimTime, _ action: @escaping () -> Void) {
        precondition(time >= now, "cannot schedule in the past (\(time) < \(now))")
        queue.schedule(at: time, action)
    }

    public func schedule(after delay: SimTime, _ action: @escaping () -> Void) {
        precondition(delay >= 0, "negative delay \(delay)")
        queue.schedule(at: now + delay, action)
    }

    /// Schedules `target.fire()`: the allocation-free form for hot periodic timers.
    public func schedule(after delay: SimTime, _ target: any EventTarget) {
        precondition(delay >= 0, "negative delay \(delay)")
        queue.schedule(at: now + delay, target)
    }

    /// Schedules an action that can be cancelled through the returned timer.
    @discardableResult
    public func timer(after delay: SimTime, _ action: @escaping () -> Void) -> Timer {
        let timer = Timer(dueTime: now + delay)
        schedule(after: delay) { if !timer.isCancelled { action() } }
        return timer
    }

    /// Runs every event due up to `target`, then sets the clock to `target`. `shouldStop` is asked
    /// after each event; when it says yes the run ends there, with the clock at that event's time,
    /// and the result is false.
    @discardableResult
    public func run(until target: SimTime, shouldStop: (() -> Bool)? = nil) -> Bool {
        precondition(target >= now, "cannot run backwards to \(target) from \(now)")
        while let (time, action) = queue.popDue(notAfter: target) {
            now = time
            timeline = (timeline ^ UInt64(bitPattern: time)) &* 0x100_0000_01b3
            action.run()
            if let shouldStop, shouldStop() { return false }
        }
        now = target
        return true
    }

    @discardableResult
    public func advance(by span: SimTime, shouldStop: (() -> Bool)? = nil) -> Bool {
        run(until: now + span, shouldStop: shouldStop)
    }

    // MARK: Randomness

    /// The stream for `name`, created on first use from the world seed and the name.
    public func random(_ name: String) -> RandomStream {
        if let stream = streams[name] { return stream }
        let stream = RandomStream(seed: seed, name: name)
        streams[name] = stream
        return stream
    }

    // MARK: Hosts and processes

    public var zones: [String] {
        var seen = OrderedSet<String>()
        for host in hosts.values { seen.append(host.zone) }
        return Array(seen)
    }

    @discardableResult
    public func addHost(_ name: String, zone: String) -> Host {
        precondition(hosts[name] == nil, "host \(name) added twice")
        let host = Host(name: name, zone: zone)
        host.bootedAtWallMicroseconds = wallMicroseconds
        hosts[name] = host
        return host
    }

    public func host(named name: String) -> Host? { hosts[name] }

    /// Places a process on its host; it runs from the next `start(_:)`.
    public func add(_ process: SimProcess) {
        precondition(processes[process.name] == nil, "process \(process.name) added twice")
        precondition(hosts[process.host.name] === process.host, "process \(process.name) on a foreign host")
        process.attach(to: self)
        processes[process.name] = process
        process.host.place(process)
    }

    public func process(named name: String) -> SimProcess? { processes[name] }

    /// Starts a process now (a new incarnation). Starting one on a down host is refused.
    @discardableResult
    public func start(_ process: SimProcess) -> Bool {
        guard process.host.isUp, !process.isRunning else { return false }
        journalUnitStart(of: process, programRunning: false)
        process.start()
        journalUnitStart(of: process, programRunning: true)
        return true
    }

    /// Stops a process. A graceful stop closes its connections with a teardown each peer may or may
    /// not receive; an ungraceful one (kill -9 of a host) leaves them for peers to discover.
    public func stop(_ process: SimProcess, graceful: Bool = true) {
        guard process.isRunning else { return }
        journalUnitStop(of: process, graceful: graceful)
        process.stop()
        network.processStopped(process, graceful: graceful)
    }

    /// Stops and starts a process: its volatile state is lost, its durable state kept.
    public func restart(_ process: SimProcess) {
        stop(process, graceful: true)
        start(process)
    }

    /// Crashes a host: every process on it dies at once and no peer is told.
    public func crash(_ host: Host) {
        guard host.isUp else { return }
        host.runningBeforeCrash = host.processes.filter(\.isRunning)
        for process in host.processes where process.isRunning { stop(process, graceful: false) }
        host.markDown()
    }

    /// Terminates an instance as a default EC2 terminate does: the OS is asked to shut down, and
    /// a clean shutdown stops every process, whose sockets close with a teardown to each peer
    /// (AWS, "Methods for terminating an instance"). Whether the instance's network vanished
    /// before its processes exited is a per-host draw from the seed, with even odds: that part
    /// is a scenario's assumption, not physics (`reference/etcd-client-failures.md`). Returns
    /// whether the shutdown was clean. The host stays down, as a terminated instance does.
    @discardableResult
    public func terminate(_ host: Host) -> Bool {
        guard host.isUp else { return false }
        let clean = random("host/\(host.name)/terminate").chance(0.5)
        if clean {
            for process in host.processes.reversed() where process.isRunning { stop(process, graceful: true) }
            host.runningBeforeCrash = []
            host.markDown()
        } else {
            crash(host)
        }
        return clean
    }

    /// Brings a crashed host back with the processes that ran before, or reboots a running host
    /// (a clean shutdown, then the same processes start again).
    public func restart(_ host: Host) {
        if host.isUp {
            host.runningBeforeCrash = host.processes.filter(\.isRunning)
            for process in host.processes.reversed() where process.isRunning { stop(process, graceful: true) }
        }
        host.markUp()
        host.bootedAtWallMicroseconds = wallMicroseconds
        let toStart = host.runningBeforeCrash
        host.runningBeforeCrash = []
        for process in toStart { start(process) }
    }

    // MARK: Components

    /// Installs a subsystem; at most one of each type.
    public func install<Component: WorldComponent>(_ component: Component) {
        let key = ObjectIdentifier(Component.self)
        precondition(componentsByType[key] == nil, "\(component.componentName) installed twice")
        componentsByType[key] = component
        components.append(component)
    }

    public func component<Component: WorldComponent>(_ type: Component.Type) -> Component? {
        componentsByType[ObjectIdentifier(type)] as? Component
    }

    /// Every installed subsystem, in installation order (for tests that check a dropped world
    /// frees them).
    var installedComponents: [any WorldComponent] { components }

    // MARK: Digest

    /// A stable hash over a canonical encoding of the whole world: same seed and same inputs give
    /// the same digest in every process, always.
    public func digest() -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(seed)
        hasher.combine(now)
        hasher.combine(origin)
        hasher.combine(scenarioName)
        hasher.combine(queue.scheduledCount)
        hasher.combine(queue.executedCount)
        hasher.combine(queue.count)
        for name in streams.keys.sorted() { streams[name]!.stableHash(into: &hasher) }
        for host in hosts.values { host.stableHash(into: &hasher) }
        for process in processes.values {
            hasher.combine(process.name)
            hasher.combine(process.incarnation)
            hasher.combine(process.isRunning)
            process.stableHash(into: &hasher)
        }
        network.stableHash(into: &hasher)
        for component in components {
            hasher.combine(component.componentName)
            component.stableHash(into: &hasher)
        }
        return hasher.finalize()
    }

    /// The digest as 16 hex digits, as `sim.digest()` shows it.
    public func digestHex() -> String {
        let hex = String(digest(), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
