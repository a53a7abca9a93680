import Simulation

/// The ranges a number from a script must fall in before it becomes a time, a count or an index
/// in the world. Checked at the bridge, with a Lua error naming the argument and the range, so
/// that nothing a script passes can trap Swift or set the world working for ever.
public enum ScriptBounds {
    /// How far ahead of now a script may name a time: 100 years.
    public static let horizonSpan = Span.days(36_525)
    /// The last moment the calendar may show.
    public static let lastCalendarMoment = CalendarTime(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59)

    /// The latest simulated time a script may name or reach: 100 years from now, and never past
    /// the end of 9999 on the world's calendar.
    public static func horizon(of world: World) -> SimTime {
        min(world.now + horizonSpan, calendarHorizon(of: world))
    }

    /// The simulated time at which the world's calendar reaches `lastCalendarMoment`.
    static func calendarHorizon(of world: World) -> SimTime {
        let seconds = lastCalendarMoment.secondsSinceEpoch - world.calendarStart.secondsSinceEpoch
        return seconds * Span.microsecondsPerSecond + (Span.microsecondsPerSecond - 1)
    }

    static let horizonText = "100 years (\(horizonSpan / Span.microsecondsPerSecond) seconds)"

    /// The world's horizon as a person reads it.
    static func describeHorizon(of world: World) -> String {
        world.calendarStart.adding(horizon(of: world)).description
    }

    /// A span from a number of seconds or a duration string, between 0 and 100 years.
    static func duration(_ call: LuaCall, _ index: Int32) throws -> SimTime {
        switch try call.value(index) {
        case .integer(let seconds):
            guard seconds >= 0 else { throw call.argumentError(index, "duration must not be negative") }
            guard let span = Span.secondsIfRepresentable(seconds), span <= horizonSpan else {
                throw call.argumentError(index, "duration must be at most \(horizonText); got \(seconds) seconds")
            }
            return span
        case .number(let seconds):
            guard !seconds.isNaN else { throw call.argumentError(index, "duration must be a number of seconds, got nan") }
            guard seconds >= 0 else { throw call.argumentError(index, "duration must not be negative") }
            guard let span = Span.fromSecondsIfRepresentable(seconds), span <= horizonSpan else {
                throw call.argumentError(index, "duration must be at most \(horizonText); got \(LuaValue.format(number: seconds)) seconds")
            }
            return span
        case .string(let text):
            switch Span.read(text) {
            case .span(let span) where span <= horizonSpan:
                return span
            case .span, .tooLong:
                throw call.argumentError(index, "duration \(LuaValue.quote(shortened(text))) is longer than \(horizonText), the most a script may name")
            case .invalid:
                throw call.argumentError(index, "invalid duration \(LuaValue.quote(shortened(text))); use seconds or \"90s\", \"5m\", \"1h30m\"")
            }
        default:
            throw call.typeError(index, expected: "number or duration string")
        }
    }

    /// A time from seconds since start, a clock time today or later ("14:20"), or "+5m"; never in
    /// the past, never past the world's horizon.
    static func instant(_ call: LuaCall, _ index: Int32, world: World) throws -> SimTime {
        let horizon = horizon(of: world)
        func withinHorizon(_ due: SimTime?, _ shown: String) throws -> SimTime {
            guard let due, due <= horizon else {
                throw call.argumentError(index, "time \(shown) is past the world's horizon, \(describeHorizon(of: world)) (\(horizonText) from now at most)")
            }
            return due
        }
        if case .string(let text) = try call.value(index) {
            if text.hasPrefix("+") {
                switch Span.read(String(text.dropFirst())) {
                case .span(let span) where span <= horizonSpan:
                    return try withinHorizon(world.now + span, LuaValue.quote(text))
                case .span, .tooLong:
                    return try withinHorizon(nil, LuaValue.quote(shortened(text)))
                case .invalid:
                    throw call.argumentError(index, "invalid offset \(LuaValue.quote(shortened(text)))")
                }
            }
            guard let time = SimModule.nextOccurrence(ofClock: text, world: world) else {
                throw call.argumentError(index, "invalid time \(LuaValue.quote(shortened(text))); use seconds, \"14:20\", \"14:20:30\" or \"+5m\"")
            }
            return try withinHorizon(time, LuaValue.quote(text))
        }
        let seconds = try call.number(index)
        guard !seconds.isNaN else { throw call.argumentError(index, "time must be a number of seconds, got nan") }
        let shown = LuaValue.format(number: seconds)
        guard let offset = Span.fromSecondsIfRepresentable(seconds), offset <= horizonSpan * 2 else {
            return try withinHorizon(nil, shown)
        }
        let due = world.origin + offset
        guard due >= world.now else {
            throw call.argumentError(index, "time \(shown) is in the past (now \(LuaValue.format(number: world.scriptSeconds(world.now))))")
        }
        return try withinHorizon(due, shown)
    }

    /// An integer argument within `range` (a count or an index), with an error that names it.
    static func integer(_ call: LuaCall, _ index: Int32, _ name: String, in range: ClosedRange<Int64>) throws -> Int64 {
        let value = try call.integer(index)
        guard range.contains(value) else {
            throw call.argumentError(index, "\(name) must be between \(range.lowerBound) and \(range.upperBound); got \(value)")
        }
        return value
    }

    /// Long text cut for an error message.
    static func shortened(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}
