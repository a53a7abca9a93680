/// Simulated time: `Int64` microseconds since the scenario's epoch. Nothing in `Simulation` reads
/// the wall clock; this is the only time there is.
public typealias SimTime = Int64

/// Constructors for spans of simulated time, so call sites say their unit.
public enum Span {
    public static let microsecondsPerMillisecond: Int64 = 1_000
    public static let microsecondsPerSecond: Int64 = 1_000_000

    public static func microseconds(_ value: Int64) -> SimTime { value }
    public static func milliseconds(_ value: Int64) -> SimTime { value * microsecondsPerMillisecond }
    public static func seconds(_ value: Int64) -> SimTime { value * microsecondsPerSecond }
    public static func minutes(_ value: Int64) -> SimTime { value * 60 * microsecondsPerSecond }
    public static func hours(_ value: Int64) -> SimTime { value * 3_600 * microsecondsPerSecond }
    public static func days(_ value: Int64) -> SimTime { value * 86_400 * microsecondsPerSecond }

    /// The longest span Firedrill represents (2^62 µs, about 146,000 years). Two of them add up
    /// without overflowing `Int64`, so code that checks a span against this bound can do
    /// arithmetic on it without trapping.
    public static let maximum: SimTime = 1 << 62

    /// Seconds as a `Double` (the unit the Lua surface speaks), rounded to the microsecond. The
    /// value must be finite and within `maximum`; `fromSecondsIfRepresentable` checks first.
    public static func fromSeconds(_ value: Double) -> SimTime {
        SimTime((value * Double(microsecondsPerSecond)).rounded())
    }

    /// `fromSeconds`, or nil when the value is NaN, infinite, or further from zero than `maximum`.
    public static func fromSecondsIfRepresentable(_ value: Double) -> SimTime? {
        let microseconds = (value * Double(microsecondsPerSecond)).rounded()
        guard microseconds.isFinite, abs(microseconds) <= Double(maximum) else { return nil }
        return SimTime(microseconds)
    }

    /// Whole seconds as a span, or nil past `maximum` (`seconds(_:)` would trap).
    public static func secondsIfRepresentable(_ value: Int64) -> SimTime? {
        let (microseconds, overflow) = value.multipliedReportingOverflow(by: microsecondsPerSecond)
        guard !overflow, abs(microseconds) <= maximum else { return nil }
        return microseconds
    }

    public static func asSeconds(_ time: SimTime) -> Double {
        Double(time) / Double(microsecondsPerSecond)
    }

    /// What reading a duration gave: a span, text that is not a duration, or a duration longer
    /// than `maximum` (kept apart so that a person hears "too long", not "invalid").
    public enum Reading: Equatable, Sendable {
        case span(SimTime)
        case invalid
        case tooLong
    }

    /// Parses the durations people type: `90`, `"90s"`, `"5m"`, `"1h30m"`, `"250ms"`, `"2d"`,
    /// `"1.5s"`. Returns nil for anything else, including negative spans and spans past `maximum`.
    public static func parse(_ text: String) -> SimTime? {
        if case .span(let span) = read(text) { return span }
        return nil
    }

    /// `parse`, telling an invalid duration from one too long to represent. Never traps.
    public static func read(_ text: String) -> Reading {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { return .invalid }
        if let plain = Double(trimmed) {
            guard plain >= 0 else { return .invalid }
            return fromSecondsIfRepresentable(plain).map(Reading.span) ?? .tooLong
        }
        var total = 0.0
        var number = ""
        var characters = Array(trimmed)[...]
        while let character = characters.first {
            if character.isASCII && (character.isNumber || character == ".") {
                number.append(character)
                characters = characters.dropFirst()
                continue
            }
            var unit = String(character)
            characters = characters.dropFirst()
            if unit == "m", characters.first == "s" { unit = "ms"; characters = characters.dropFirst() }
            if unit == "u", characters.first == "s" { unit = "us"; characters = characters.dropFirst() }
            guard let value = Double(number), value >= 0, value.isFinite, let scale = unitMicroseconds[unit] else { return .invalid }
            total += (value * Double(scale)).rounded()
            number = ""
        }
        guard number.isEmpty else { return .invalid }
        guard total <= Double(maximum) else { return .tooLong }
        return .span(SimTime(total))
    }

    private static let unitMicroseconds: [String: Int64] = [
        "us": 1, "ms": microsecondsPerMillisecond, "s": microsecondsPerSecond,
        "m": 60 * microsecondsPerSecond, "h": 3_600 * microsecondsPerSecond, "d": 86_400 * microsecondsPerSecond,
    ]

    /// A short human form as kubectl and etcd print spans: `850ms`, `42s`, `5m12s`, `3h4m`, `2d3h`.
    public static func describe(_ time: SimTime) -> String {
        if time < microsecondsPerSecond { return "\(time / microsecondsPerMillisecond)ms" }
        let totalSeconds = time / microsecondsPerSecond
        if totalSeconds < 60 { return "\(totalSeconds)s" }
        let minutes = totalSeconds / 60, hours = minutes / 60, days = hours / 24
        if minutes < 60 { return totalSeconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(totalSeconds % 60)s" }
        if hours < 24 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h"
    }
}

/// A date and time of day on the scenario's calendar, with no time zone: the lab's local time.
/// Used only for display and for scenario anchors (the Monzo lab starts 2017-10-27 13:55).
public struct CalendarTime: Hashable, Sendable, CustomStringConvertible {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    /// Parses `2017-10-27 13:55`, `2017-10-27T13:55:00` or `2017-10-27`.
    public init?(parsing text: String) {
        let parts = text.trimmingSpaces().split(whereSeparator: { $0 == " " || $0 == "T" })
        guard (1...2).contains(parts.count) else { return nil }
        let date = parts[0].split(separator: "-").compactMap { Int($0) }
        guard date.count == 3, (1...12).contains(date[1]), (1...31).contains(date[2]) else { return nil }
        var clock = [0, 0, 0]
        if parts.count == 2 {
            let fields = parts[1].split(separator: ":").compactMap { Int($0) }
            guard (2...3).contains(fields.count), fields.count == parts[1].split(separator: ":").count else { return nil }
            for (index, field) in fields.enumerated() { clock[index] = field }
            guard clock[0] < 24, clock[1] < 60, clock[2] < 60 else { return nil }
        }
        self.init(year: date[0], month: date[1], day: date[2], hour: clock[0], minute: clock[1], second: clock[2])
    }

    /// Seconds since 1970-01-01 00:00 on this calendar (proleptic Gregorian, no leap seconds).
    public var secondsSinceEpoch: Int64 {
        Int64(CalendarTime.daysFromCivil(year: year, month: month, day: day)) * 86_400
            + Int64(hour * 3_600 + minute * 60 + second)
    }

    public init(secondsSinceEpoch: Int64) {
        let days = Int(secondsSinceEpoch.floorDivided(by: 86_400))
        let secondOfDay = Int(secondsSinceEpoch - Int64(days) * 86_400)
        let (year, month, day) = CalendarTime.civilFromDays(days)
        self.init(year: year, month: month, day: day,
                  hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
    }

    public func adding(_ span: SimTime) -> CalendarTime {
        CalendarTime(secondsSinceEpoch: secondsSinceEpoch + span.floorDivided(by: Span.microsecondsPerSecond))
    }

    /// `14:10:05`
    public var clock: String { "\(twoDigits(hour)):\(twoDigits(minute)):\(twoDigits(second))" }
    /// `2017-10-27`
    public var date: String { "\(year)-\(twoDigits(month))-\(twoDigits(day))" }
    public var description: String { "\(date) \(clock)" }
    /// RFC 3339 in UTC form, as the Kubernetes API prints timestamps: `2017-10-27T14:10:05Z`.
    public var rfc3339: String { "\(date)T\(clock)Z" }

    private func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    // Howard Hinnant's civil-calendar algorithms: exact, branch-light and free of Foundation.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
