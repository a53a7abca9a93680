import Simulation

/// `sim.skip_calendar`: moves the calendar across days in which a settled platform sits at rest,
/// without simulating them (see `World.skipCalendar`). Labs use it to get from a change to its
/// consequences weeks later: the Monzo lab's etcd resize two weeks before the outage.
enum CalendarSkipModule {
    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.define("sim.skip_calendar", usage: "sim.skip_calendar(d | \"YYYY-MM-DD HH:MM\")",
                       "jump the calendar forward without simulating the time between: only once the platform has settled",
                       details: """
                       sim.skip_calendar("13d")                  -- thirteen days later, same time of day
                       sim.skip_calendar("2017-10-26 16:00")     -- to that moment
                       Nothing happens in the skipped time: no timer fires and sim.now() does not move. Let the world run
                       long enough after the last change for watches, leases and retries to have cycled, then skip.
                       """, mutates: true) { [unowned runtime] call in
            let span = try target(call, world: world)
            let room = ScriptBounds.calendarHorizon(of: world) - world.now
            guard span <= room else {
                throw call.argumentError(1, "the calendar ends at \(ScriptBounds.lastCalendarMoment); it is \(world.calendarNow.description) now")
            }
            world.skipCalendar(by: span)
            runtime.recordAction(via: "sim.skip_calendar", verb: "skip", AuditObject(kind: "clock", name: Span.describe(span)))
            call.push(string: world.calendarNow.description)
            return 1
        }
    }

    private static func target(_ call: LuaCall, world: World) throws -> SimTime {
        if case .string(let text) = try call.value(1), text.contains("-") {
            guard let date = CalendarTime(parsing: text), (1...9999).contains(date.year) else {
                throw call.argumentError(1, "invalid date \(LuaValue.quote(ScriptBounds.shortened(text))); use \"2017-10-26 16:00\" (years 1 to 9999)")
            }
            let seconds = date.secondsSinceEpoch - world.calendarNow.secondsSinceEpoch
            guard seconds >= 0 else {
                throw call.argumentError(1, "\(text) is in the past (it is \(world.calendarNow.description)); the calendar only moves forward")
            }
            return Span.seconds(seconds)
        }
        return try SimModule.duration(call, 1)
    }
}
