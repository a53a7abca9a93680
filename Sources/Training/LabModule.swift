import Scripting
import Simulation

/// The trainee's side of a lab in Lua: `lab.status()`, `lab.briefing()`, `lab.finish()`,
/// `hint()`, `check()` and `status_page(text)`; and, hidden from the trainee, the `session`
/// handle lab code receives (`session.event`, `session.status_posts`, ...).
enum LabModule {
    static func install(into runtime: ScriptRuntime, session: LabSession) {
        runtime.document("lab", usage: "lab", "the lab you are in: status, briefing, finish")
        runtime.define("lab.status", usage: "lab.status()", "where you are: steps done, the current step and its briefing") { [unowned session] call in
            call.push(string: session.statusText())
            return 1
        }
        runtime.define("lab.briefing", usage: "lab.briefing()", "the lab's briefing (its README)") { [unowned session] call in
            call.push(string: session.lab.readme)
            return 1
        }
        runtime.define("lab.finish", usage: "lab.finish()", "end the session here; it is saved for grading") { [unowned session] call in
            call.push(string: session.requestFinish())
            return 1
        }
        runtime.define("hint", usage: "hint()", "the next hint for the current step (hints are recorded)",
                       mutates: true) { [unowned session] call in
            call.push(string: session.nextHint())
            return 1
        }
        runtime.define("check", usage: "check()", "check the current step now, and say what is missing") { [unowned session] call in
            call.push(string: session.checkNow())
            return 1
        }
        runtime.define("status_page", usage: "status_page(text)",
                       "post an update to the status page your customers read (recorded)",
                       details: "status_page(\"Card payments are failing; we are investigating.\")",
                       mutates: true) { [unowned session] call in
            let text = try call.string(1, maximumBytes: LabSession.longestStatusPostBytes)
            guard !text.trimmingSpaces().isEmpty else { throw call.argumentError(1, "an update needs some text") }
            guard session.statusPosts.count < LabSession.mostStatusPosts else {
                throw call.error("status_page: \(LabSession.mostStatusPosts) updates already posted, the most a session keeps")
            }
            call.push(string: session.postStatus(text))
            return 1
        }
        installSessionHooks(into: runtime, session: session)
    }

    /// Functions for lab code only; `LabEnvironment` takes them out of the globals before the
    /// trainee can reach them and hands them to lab functions as their `session` argument.
    private static func installSessionHooks(into runtime: ScriptRuntime, session: LabSession) {
        let prefix = LabEnvironment.sessionHooksGlobal + "."
        runtime.lua.register(prefix + "event") { [unowned session] call in
            let kind = try call.string(1, maximumBytes: 256)
            let detail = call.isNil(2) ? "" : try call.string(2, maximumBytes: LabSession.longestStatusPostBytes)
            guard session.history.events.count < LabSession.mostHistoryEvents else {
                throw call.error("session.event: the history already holds \(LabSession.mostHistoryEvents) events, the most a session keeps")
            }
            session.history.record(kind, detail, at: session.world.now)
            return 0
        }
        runtime.lua.register(prefix + "status_posts") { [unowned session] call in
            try call.push(.table(LuaTable(array: session.statusPosts.map { session.timed($0.time, ["text": .string($0.text)]) })))
            return 1
        }
        runtime.lua.register(prefix + "hints_used") { [unowned session] call in
            try call.push(.table(LuaTable(array: session.hintsUsed.map(session.hintValue))))
            return 1
        }
        runtime.lua.register(prefix + "actions") { [unowned session] call in
            try call.push(AuditValues.actions(session.world, since: try AuditValues.since(call, world: session.world)))
            return 1
        }
        runtime.lua.register(prefix + "reads") { [unowned session] call in
            try call.push(AuditValues.reads(session.world, since: try AuditValues.since(call, world: session.world)))
            return 1
        }
        runtime.lua.register(prefix + "parameters") { [unowned session] call in
            try call.push(LabSession.parametersValue(session.parameters))
            return 1
        }
        runtime.lua.register(prefix + "commands") { [unowned session] call in
            try call.push(.table(LuaTable(array: session.commands.map(session.commandValue))))
            return 1
        }
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
