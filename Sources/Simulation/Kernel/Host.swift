/// A machine in a zone. Processes run on hosts; crashing a host stops all of them at once and,
/// unlike a clean stop, tells no peer (no connection teardown is sent).
public final class Host {
    public let name: String
    public let zone: String
    public private(set) var isUp = true
    /// Processes in the order they were placed here, which is the order they start in.
    public internal(set) var processes: [SimProcess] = []
    /// The processes that were running when the host went down, to bring back on restart.
    var runningBeforeCrash: [SimProcess] = []
    /// What its units and systemd wrote (`journalctl`).
    public let journal = Journal()
    /// When it last booted, in wall-clock microseconds (`uptime`).
    public internal(set) var bootedAtWallMicroseconds: Int64 = 0

    init(name: String, zone: String) {
        self.name = name
        self.zone = zone
    }

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
