import DequeModule

/// Container logs, kept per `namespace/pod/container` stream, as `kubectl logs` reads them.
/// Kubernetes components write theirs under their static pods in kube-system; the mesh writes
/// its proxies' logs under their pods the same way. Each stream keeps its latest lines only.
public final class LogStore {
    public struct Line: Equatable, Sendable {
        public let time: SimTime
        public let text: String
    }

    public struct StreamKey: Hashable, Comparable, Sendable {
        public let namespace: String
        public let pod: String
        public let container: String

        public init(namespace: String, pod: String, container: String) {
            (self.namespace, self.pod, self.container) = (namespace, pod, container)
        }

        public static func < (left: StreamKey, right: StreamKey) -> Bool {
            (left.namespace, left.pod, left.container) < (right.namespace, right.pod, right.container)
        }
    }

    private var streams: [StreamKey: Deque<Line>] = [:]
    /// What the previous instance of a restarted container wrote (`kubectl logs --previous`).
    private var previous: [StreamKey: Deque<Line>] = [:]
    /// The containers with a stream, by `namespace/pod`, so a pod's streams are found without a scan.
    private var containersByPod: [String: Set<String>] = [:]
    /// Most lines a stream keeps; older ones are dropped, as log rotation would.
    public let lineLimitPerStream: Int
    public private(set) var totalLineCount = 0

    public init(lineLimitPerStream: Int = 2_000) { self.lineLimitPerStream = lineLimitPerStream }

    public func append(_ text: String, to key: StreamKey, at time: SimTime) {
        var lines = streams[key] ?? Deque()
        if lines.isEmpty { containersByPod["\(key.namespace)/\(key.pod)", default: []].insert(key.container) }
        lines.append(Line(time: time, text: text))
        if lines.count > lineLimitPerStream { lines.removeFirst() }
        streams[key] = lines
        totalLineCount += 1
    }

    public func lines(_ key: StreamKey) -> [Line] { Array(streams[key] ?? []) }

    public func previousLines(_ key: StreamKey) -> [Line]? { previous[key].map(Array.init) }

    /// A container restarts: what it wrote becomes the previous instance's log.
    public func rotate(_ key: StreamKey) {
        guard let current = streams[key] else { return }
        previous[key] = current
        streams[key] = Deque()
    }

    public func hasStream(_ key: StreamKey) -> Bool { streams[key] != nil }

    /// The containers with logs for a pod, sorted.
    public func containers(namespace: String, pod: String) -> [String] {
        (containersByPod["\(namespace)/\(pod)"] ?? []).sorted()
    }

    public func removeStreams(namespace: String, pod: String) {
        for container in containersByPod.removeValue(forKey: "\(namespace)/\(pod)") ?? [] {
            streams[StreamKey(namespace: namespace, pod: pod, container: container)] = nil
            previous[StreamKey(namespace: namespace, pod: pod, container: container)] = nil
        }
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(totalLineCount)
        hasher.combine(streams.count)
    }
}

/// glog's line format, which every Kubernetes component of the era wrote:
/// `I1027 14:10:05.123456       1 cacher.go:215] message`.
public enum GlogFormat {
    public enum Level: String { case info = "I", warning = "W", error = "E" }

    /// The line for a wall-clock time (microseconds since 1970 on the scenario's calendar).
    public static func line(_ level: Level, _ text: String, wallMicroseconds: Int64, pid: Int = 1) -> String {
        let seconds = wallMicroseconds.floorDivided(by: Span.microsecondsPerSecond)
        return line(level, text, at: wallMicroseconds - seconds * Span.microsecondsPerSecond, calendarStart: CalendarTime(secondsSinceEpoch: seconds), pid: pid)
    }

    /// `pid` is glog's thread-id field, which is the process id (1 inside a container).
    public static func line(_ level: Level, _ text: String, at time: SimTime, calendarStart: CalendarTime, pid: Int = 1) -> String {
        let calendar = calendarStart.adding(time)
        let micros = time.floorDivided(by: 1) % Span.microsecondsPerSecond
        let microsText = String(micros)
        let padded = String(repeating: "0", count: 6 - microsText.count) + microsText
        let month = calendar.month < 10 ? "0\(calendar.month)" : "\(calendar.month)"
        let day = calendar.day < 10 ? "0\(calendar.day)" : "\(calendar.day)"
        let pidText = String(pid)
        let pidField = String(repeating: " ", count: max(0, 7 - pidText.count)) + pidText
        return "\(level.rawValue)\(month)\(day) \(calendar.clock).\(padded) \(pidField) \(text)"
    }
}
