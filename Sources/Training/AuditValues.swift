import Scripting
import Simulation

/// The trainee's part of the world's audit log as Lua tables, for graders (`history.actions`,
/// `history.reads`) and lab code (`session.actions()`, `session.reads()`). What the lab itself
/// did (its setup and injects) is left out: it is nobody's deed to judge.
enum AuditValues {
    static func actions(_ world: World, since: SimTime? = nil) -> LuaValue {
        .table(LuaTable(array: world.audit.actions.filter { $0.actor == .trainee && $0.time >= since ?? $0.time }.map { action in
            var table = common(world, action.sequence, action.time, action.command, action.via, action.verb, action.object)
            table["outcome"] = .string(action.outcome.word)
            table["reason"] = action.outcome.reason.map { .string($0) } ?? .nil
            table["api_verb"] = action.apiVerb.map { .string($0) } ?? .nil
            return .table(table)
        }))
    }

    static func reads(_ world: World, since: SimTime? = nil) -> LuaValue {
        .table(LuaTable(array: world.audit.reads.filter { $0.actor == .trainee && $0.time >= since ?? $0.time }.map { read in
            var table = common(world, read.sequence, read.time, read.command, read.via, read.verb, read.object)
            table["findings"] = .table(LuaTable(array: read.findings.map { .string($0) }))
            return .table(table)
        }))
    }

    /// `session.reads{since = t}`: a step check polled every second asks only for what is new
    /// since the moment it cares about, rather than converting the whole log each time.
    static func since(_ call: LuaCall, world: World) throws -> SimTime? {
        guard !call.isNil(1) else { return nil }
        let options = try call.table(1)
        for key in options.hash.keys where key != .string("since") {
            throw call.argumentError(1, "unknown option \(key); the only one is since (seconds, as sim.now() counts)")
        }
        guard let seconds = options["since"]?.numberValue, seconds.isFinite else { return nil }
        return world.time(scriptSeconds: max(-1e9, min(1e9, seconds)))
    }

    private static func common(_ world: World, _ sequence: Int, _ time: SimTime, _ command: Int?, _ via: String,
                               _ verb: String, _ object: AuditObject) -> LuaTable {
        var table = LuaTable()
        table["seq"] = .integer(Int64(sequence))
        table["t"] = .number(world.scriptSeconds(time))
        table["clock"] = .string(world.calendarStart.adding(time).clock)
        table["command"] = command.map { .integer(Int64($0)) } ?? .nil
        table["via"] = .string(via)
        table["verb"] = .string(verb)
        table["kind"] = .string(object.kind)
        table["namespace"] = .string(object.namespace)
        table["name"] = .string(object.name)
        table["host"] = .string(object.host)
        return table
    }
}
