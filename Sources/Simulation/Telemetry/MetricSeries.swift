/// A metric's identity: its name and labels, kept sorted so that the same labels in any order
/// name the same series.
public struct SeriesKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let name: String
    public let labels: [Label]

    public struct Label: Hashable, Comparable, Sendable {
        public let name: String
        public let value: String
        public static func < (left: Label, right: Label) -> Bool {
            (left.name, left.value) < (right.name, right.value)
        }
    }

    public init(_ name: String, _ labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels.map { Label(name: $0.key, value: $0.value) }.sorted()
    }

    public func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }

    /// True when every label in `matcher` is present with the same value.
    public func matches(_ matcher: [String: String]) -> Bool {
        matcher.allSatisfy { key, value in label(key) == value }
    }

    /// `success_rate{class="card_payments",service="ledger"}`, as Prometheus writes series.
    public var description: String {
        labels.isEmpty ? name : name + "{" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    public static func < (left: SeriesKey, right: SeriesKey) -> Bool {
        left.name != right.name ? left.name < right.name : left.labels.lexicographicallyPrecedes(right.labels)
    }
}

/// One sample of a series.
public struct Sample: Equatable, Sendable {
    public let time: SimTime
    public let value: Double
}

/// A series of samples at a fixed resolution, in a ring of bounded capacity: the oldest samples
/// fall off, so memory stays bounded however long the world runs. The ring grows as samples
/// arrive rather than being allocated whole: a bank holds hundreds of series with six hours of
/// room each, and most worlds (a lab, a graded session) live for minutes.
public final class MetricSeries {
    public let key: SeriesKey
    public let resolution: SimTime
    public let capacity: Int
    private var values: [Double]
    private var times: [SimTime]
    private var start = 0
    public private(set) var count = 0

    init(key: SeriesKey, resolution: SimTime, capacity: Int) {
        precondition(resolution > 0 && capacity > 0, "a series needs a resolution and a capacity")
        self.key = key
        self.resolution = resolution
        self.capacity = capacity
        values = []
        times = []
    }

    /// Records a value. A sample in the same resolution slot as the last one replaces it.
    func record(_ value: Double, at time: SimTime) {
        let slot = time - time % resolution
        if count > 0 {
            let lastIndex = (start + count - 1) % capacity
            if times[lastIndex] == slot {
                values[lastIndex] = value
                return
            }
            precondition(times[lastIndex] < slot, "samples of \(key) must move forward in time")
        }
        if count < capacity {
            // Until the ring is full, start is 0 and the next sample goes at the end. Grow by
            // doubling, but never past the ring's capacity (append alone would overshoot it).
            if times.count == times.capacity {
                let room = min(capacity, max(64, times.capacity * 2))
                times.reserveCapacity(room)
                values.reserveCapacity(room)
            }
            times.append(slot)
            values.append(value)
            count += 1
        } else {
            times[start] = slot
            values[start] = value
            start = (start + 1) % capacity
        }
    }

    public var latest: Sample? {
        guard count > 0 else { return nil }
        let index = (start + count - 1) % capacity
        return Sample(time: times[index], value: values[index])
    }

    /// Samples with `from <= time <= to`, oldest first.
    public func samples(from: SimTime, to: SimTime) -> [Sample] {
        var result: [Sample] = []
        for offset in 0..<count {
            let index = (start + offset) % capacity
            if times[index] >= from && times[index] <= to { result.append(Sample(time: times[index], value: values[index])) }
        }
        return result
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(key.description)
        hasher.combine(count)
        if let latest { hasher.combine(latest.time); hasher.combine(latest.value) }
    }
}

/// Every metric series in the world, created on first record.
public final class MetricStore {
    /// Resolution and capacity for new series: one sample a second for six hours, by default.
    public var resolution: SimTime = Span.seconds(1)
    public var capacity = 6 * 3_600
    private var series: [SeriesKey: MetricSeries] = [:]
    private var orderedKeys: [SeriesKey] = []
    private var keysByName: [String: [SeriesKey]] = [:]

    public init() {}

    public func record(_ name: String, _ labels: [String: String] = [:], value: Double, at time: SimTime) {
        record(SeriesKey(name, labels), value: value, at: time)
    }

    public func record(_ key: SeriesKey, value: Double, at time: SimTime) {
        series(for: key).record(value, at: time)
    }

    /// The series for a key, created empty if it does not exist yet (callers on hot paths keep it).
    public func series(for key: SeriesKey) -> MetricSeries {
        series(for: key, resolution: resolution, capacity: capacity)
    }

    /// The series for a key, created with its own resolution and capacity if it does not exist
    /// yet: hundreds of per-service series at a scrape interval cost what a few per-second ones do.
    public func series(for key: SeriesKey, resolution: SimTime, capacity: Int) -> MetricSeries {
        if let existing = series[key] { return existing }
        let created = MetricSeries(key: key, resolution: resolution, capacity: capacity)
        series[key] = created
        let position = orderedKeys.firstIndex { key < $0 } ?? orderedKeys.count
        orderedKeys.insert(key, at: position)
        keysByName[key.name, default: []].append(key)
        keysByName[key.name]!.sort()
        return created
    }

    /// Series named `name` whose labels include `matcher`, in a stable order.
    public func query(_ name: String, _ matcher: [String: String] = [:]) -> [MetricSeries] {
        (keysByName[name] ?? []).filter { $0.matches(matcher) }.map { series[$0]! }
    }

    public var names: [String] { keysByName.keys.sorted() }
    public var seriesCount: Int { orderedKeys.count }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(orderedKeys.count)
        for key in orderedKeys { series[key]!.stableHash(into: &hasher) }
    }
}
