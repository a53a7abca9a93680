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

    /// `2017-10-27T14:10:05Z`, written digit by digit: every stored object carries several.
    public var rfc3339: String {
        let calendar = CalendarTime(secondsSinceEpoch: secondsSinceEpoch)
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, at offset: Int, digits: Int) {
            var remaining = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[index] = UInt8(48 + remaining % 10)
                remaining /= 10
            }
        }
        put(calendar.year, at: 0, digits: 4)
        bytes[4] = UInt8(ascii: "-")
        put(calendar.month, at: 5, digits: 2)
        bytes[7] = UInt8(ascii: "-")
        put(calendar.day, at: 8, digits: 2)
        bytes[10] = UInt8(ascii: "T")
        put(calendar.hour, at: 11, digits: 2)
        bytes[13] = UInt8(ascii: ":")
        put(calendar.minute, at: 14, digits: 2)
        bytes[16] = UInt8(ascii: ":")
        put(calendar.second, at: 17, digits: 2)
        bytes[19] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }
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
