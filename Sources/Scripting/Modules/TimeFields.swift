import Simulation

/// How the Lua surface gives a moment to a person: a clock string on the world's calendar, and
/// an age, never raw simulated seconds (which are negative before hand-over and mean nothing
/// to anyone). `sim.now()` and the `t` of samples and commands stay the one number scale a
/// script does arithmetic with; everything else that is a time goes through here.
enum TimeFields {
    /// What `help("sim")` says about times, so that every module's help can point to it.
    static let convention = """
        Times: a moment is a clock string on the world's calendar, "14:18:05", with the date in front
        ("2017-10-13 10:15:02") when it was another day; how long ago is an age in seconds (fields ending
        in _age, never negative). sim.now() and the t of samples and commands count seconds from your
        arrival (negative before it): the scale to do arithmetic with, and each comes with its clock.
        """

    /// The moment as the calendar read then: `14:18:05` today, `2017-10-13 10:15:02` another day.
    static func clock(_ time: SimTime, in world: World) -> String {
        let then = world.calendar(at: time)
        return then.date == world.calendarNow.date ? then.clock : then.description
    }

    /// Seconds from the moment to now on the calendar, so that a moment before a calendar skip
    /// is as old as its clock says. Never negative.
    static func age(_ time: SimTime, in world: World) -> Double {
        let seconds = world.calendarNow.secondsSinceEpoch - world.calendar(at: time).secondsSinceEpoch
        return Double(max(0, seconds))
    }

    /// Sets `name` to the moment's clock and `name_age` to its age, or both to nil.
    static func set(_ name: String, _ time: SimTime?, in table: inout LuaTable, world: World) {
        table[name] = time.map { .string(clock($0, in: world)) } ?? .nil
        table[name + "_age"] = time.map { .number(age($0, in: world)) } ?? .nil
    }
}
