/// A point in time as the Kubernetes API records it: whole seconds on the scenario's calendar,
/// printed as RFC 3339 (`2017-10-27T14:10:05Z`).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// The current instant of a world, truncated to the second as the API stores it.
    public init(_ world: World) {
        secondsSinceEpoch = world.calendarStart.secondsSinceEpoch + world.now.floorDivided(by: Span.microsecondsPerSecond)
    }

    public init?(rfc3339 text: String) {
        var trimmed = text
        if trimmed.hasSuffix("Z") { trimmed.removeLast() }
        guard let calendar = CalendarTime(parsing: trimmed) else { return nil }
        secondsSinceEpoch = calendar.secondsSinceEpoch
    }

    public var rfc3339: String { CalendarTime(secondsSinceEpoch: secondsSinceEpoch).rfc3339 }
    public var description: String { rfc3339 }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: secondsSinceEpoch + seconds) }

    /// Seconds from this timestamp to `later`.
    public func seconds(until later: Timestamp) -> Int64 { later.secondsSinceEpoch - secondsSinceEpoch }

    public static func < (left: Timestamp, right: Timestamp) -> Bool { left.secondsSinceEpoch < right.secondsSinceEpoch }

    public var json: JSONValue { .string(rfc3339) }

    static func decode(_ reader: FieldReader, _ key: String) throws(ObjectDecodingError) -> Timestamp? {
        guard let text = try reader.string(key) else { return nil }
        guard let timestamp = Timestamp(rfc3339: text) else {
            throw ObjectDecodingError(path: reader.field(key), problem: "Invalid value: \"\(text)\": not an RFC 3339 time")
        }
        return timestamp
    }
}

extension FieldWriter {
    public mutating func set(_ key: String, _ timestamp: Timestamp?) {
        if let timestamp { set(key, timestamp.json) }
    }
}
