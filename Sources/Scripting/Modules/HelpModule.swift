/// `help()` and `help(topic)`, read from the runtime's documentation.
enum HelpModule {
    static func install(into runtime: ScriptRuntime) {
        runtime.define("help", usage: "help([topic])", "this overview, or more on one topic: help(\"sim.advance\")") { [unowned runtime] call in
            guard let name = try call.optionalString(1) else {
                call.push(string: runtime.documentation.overview())
                return 1
            }
            if let text = runtime.documentation.describe(name) {
                call.push(string: text)
                return 1
            }
            let suggestions = runtime.documentation.suggestions(for: name).prefix(5)
            let hint = suggestions.isEmpty ? "help() lists every topic" : "did you mean " + suggestions.joined(separator: ", ") + "?"
            return call.fail("no help for \(LuaValue.quote(name)): \(hint)")
        }
    }
}
