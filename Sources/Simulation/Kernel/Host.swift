/// A machine in a zone. Processes run on hosts; crashing a host stops all of them at once and,
/// unlike a clean stop, tells no peer (no connection teardown is sent).
public final class Host {
    public let name: String
    public let zone: String
    public private(set) var isUp = true
    /// Processes in the order they were placed here, which is the order they start in.
    public var processes: [SimProcess] { placed.compactMap(\.process) }
    /// The processes that were running when the host went down, to bring back on restart.
    var runningBeforeCrash: [SimProcess] {
        get { stoppedByCrash.compactMap(\.process) }
        set { stoppedByCrash = newValue.map(ProcessReference.init) }
    }
    /// The world owns hosts and processes alike, and a process holds its host: the host only
    /// points back, weakly, or the two would keep each other alive after the world is dropped.
    private var placed: [ProcessReference] = []
    private var stoppedByCrash: [ProcessReference] = []

    private struct ProcessReference {
        weak var process: SimProcess?
        init(_ process: SimProcess) { self.process = process }
    }
    /// What its units and systemd wrote (`journalctl`).
    public let journal = Journal()
    /// When it last booted, in wall-clock microseconds (`uptime`).
    public internal(set) var bootedAtWallMicroseconds: Int64 = 0

    init(name: String, zone: String) {
        self.name = name
        self.zone = zone
    }

    func place(_ process: SimProcess) { placed.append(ProcessReference(process)) }

    func markDown() { isUp = false }
    func markUp() { isUp = true }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(name)
        hasher.combine(zone)
        hasher.combine(isUp)
        hasher.combine(processes.map(\.name))
        journal.stableHash(into: &hasher)
    }
}
