import DequeModule

/// A host's systemd journal: the lines its units (`kubelet`, `docker`, `etcd`) and systemd itself
/// write, as `journalctl -u UNIT` reads them. Each entry keeps the wall-clock time it was written
/// at, so a calendar skip leaves the lines before it on their own day. Each unit keeps its latest
/// lines only, as journald's size limit would.
public final class Journal {
    public struct Entry: Equatable, Sendable {
        /// Microseconds since 1970 on the scenario's calendar when the line was written.
        public let wallMicroseconds: Int64
        /// The unit it belongs to: `kubelet`, `docker`, `etcd`.
        public let unit: String
        /// What journald names the writer: `kubelet`, `dockerd`, `etcd`, `systemd`.
        public let identifier: String
        public let pid: Int
        public let message: String
    }

    /// Most lines a unit keeps; older ones are dropped.
    public let lineLimitPerUnit: Int
    private var entriesByUnit: [String: Deque<Entry>] = [:]
    public private(set) var totalLineCount = 0

    init(lineLimitPerUnit: Int = 4_000) { self.lineLimitPerUnit = lineLimitPerUnit }

    /// Appends one line (a message with newlines becomes one entry per line, as journald splits them).
    public func append(unit: String, identifier: String, pid: Int, _ message: String, at wallMicroseconds: Int64) {
        var entries = entriesByUnit[unit] ?? Deque()
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            entries.append(Entry(wallMicroseconds: wallMicroseconds, unit: unit, identifier: identifier, pid: pid, message: String(line)))
            if entries.count > lineLimitPerUnit { entries.removeFirst() }
            totalLineCount += 1
        }
        entriesByUnit[unit] = entries
    }

    /// A unit's lines, oldest first.
    public func entries(unit: String) -> [Entry] { Array(entriesByUnit[unit] ?? []) }

    /// The units that have written anything, sorted.
    public var units: [String] { entriesByUnit.keys.sorted() }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(totalLineCount)
    }
}

/// A program a host runs as a systemd unit (the kubelet, etcd): what `systemctl` calls it, and
/// what it writes to the journal as it starts and stops.
public protocol SystemdService: SimProcess {
    /// `kubelet`, `etcd`: the unit is `<name>.service`.
    var unitName: String { get }
    /// The unit's `Description=`, which systemd's own lines name: `Kubernetes Kubelet Server`.
    var unitDescription: String { get }
    /// The command line the unit runs.
    var commandLine: String { get }
    /// Called as systemd is about to start the unit: units it depends on write their own lines
    /// here (docker, which the kubelet needs, starts first after a boot).
    func startDependencies()
    /// Lines the program writes as it starts, after systemd's own.
    func journalAfterStart() -> [String]
    /// Lines the program writes as it stops.
    func journalBeforeStop() -> [String]
    /// True when the program is exiting on its own (an etcd member that was removed), not
    /// because systemd stopped it.
    var isExitingByItself: Bool { get }
}

extension SystemdService {
    public func startDependencies() {}
    public func journalAfterStart() -> [String] { [] }
    public func journalBeforeStop() -> [String] { [] }
    public var isExitingByItself: Bool { false }
}

extension World {
    /// The wall clock now, in microseconds since 1970 on the scenario's calendar (a calendar skip
    /// moves it forward without simulated time passing).
    public var wallMicroseconds: Int64 { calendarStart.secondsSinceEpoch * Span.microsecondsPerSecond + now }

    /// Writes a line to the journal of the host a process runs on, under the process's unit.
    public func journal(_ process: SimProcess, unit: String, identifier: String, _ message: String) {
        process.host.journal.append(unit: unit, identifier: identifier, pid: process.pid, message, at: wallMicroseconds)
    }

    /// systemd's lines as it starts a unit (before the program runs), or the program's own once
    /// it runs.
    func journalUnitStart(of process: SimProcess, programRunning: Bool) {
        guard let service = process as? any SystemdService else { return }
        let journal = process.host.journal
        if programRunning {
            for line in service.journalAfterStart() {
                journal.append(unit: service.unitName, identifier: service.unitName, pid: process.pid, line, at: wallMicroseconds)
            }
        } else {
            service.startDependencies()
            journal.append(unit: service.unitName, identifier: "systemd", pid: 1, "Starting \(service.unitDescription)...", at: wallMicroseconds)
            journal.append(unit: service.unitName, identifier: "systemd", pid: 1, "Started \(service.unitDescription).", at: wallMicroseconds)
        }
    }

    /// The lines as a unit stops: systemd's and the program's (a crash writes nothing: the host
    /// is gone).
    func journalUnitStop(of process: SimProcess, graceful: Bool) {
        guard let service = process as? any SystemdService, graceful else { return }
        let journal = process.host.journal
        let unit = service.unitName
        func systemd(_ message: String) { journal.append(unit: unit, identifier: "systemd", pid: 1, message, at: wallMicroseconds) }
        func own(_ message: String) { journal.append(unit: unit, identifier: unit, pid: process.pid, message, at: wallMicroseconds) }
        if service.isExitingByItself {
            service.journalBeforeStop().forEach(own)
            systemd("\(unit).service: Main process exited, code=exited, status=1/FAILURE")
        } else {
            systemd("Stopping \(service.unitDescription)...")
            service.journalBeforeStop().forEach(own)
            systemd("Stopped \(service.unitDescription).")
        }
    }
}

extension SimProcess {
    /// The process id this incarnation runs under: stable for a name and incarnation, so that a
    /// restart shows a new one, as Linux would.
    public var pid: Int {
        var hasher = StableHasher()
        hasher.combine(name)
        hasher.combine(incarnation)
        return 1_000 + Int(hasher.finalize() % 30_000)
    }
}
