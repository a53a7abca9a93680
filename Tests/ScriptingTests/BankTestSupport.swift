import Foundation
import Testing
import Simulation
@testable import Scripting

/// A bank world (`bank`, or the three-node `mini-bank`) with a Lua runtime, driven like an
/// operator session through the public Lua surface. `arriving` sets the calendar the trainee
/// arrives at (a lab's `start`).
struct BankSession {
    let runtime: ScriptRuntime
    let seed: UInt64

    init(_ scenarioName: String = "bank", seed: UInt64, options: [String: String] = [:], arriving: String? = nil) throws {
        var scenario = ScenarioCatalog.named(scenarioName)!
        if let arriving { scenario = scenario.arriving(at: CalendarTime(parsing: arriving)!) }
        self.seed = seed
        runtime = try ScriptRuntime(scenario: scenario, seed: seed, options: options,
                                    limits: LuaLimits(instructions: 200_000_000, memoryBytes: 256 << 20))
    }

    var world: World { runtime.world }

    /// `kubectl(cmd)`: the text, or the error prefixed with `ERROR: `.
    func kubectl(_ command: String) throws -> String {
        switch try KubectlModule.run(command, stdin: nil, runtime: runtime) {
        case .success(let text): return text
        case .failure(let failure): return "ERROR: " + failure.message
        }
    }

    func advance(_ span: String) throws { try runtime.advance(by: Span.parse(span)!) }

    /// `traffic.success_rate(class, window)`, or -1 when no request came.
    func successRate(_ requestClass: String, over window: String = "1m") throws -> Double {
        try number("return traffic.success_rate('\(requestClass)', '\(window)') or -1")
    }

    /// The texts of the notices queued for the trainee so far (pages among them), taken.
    func notices() -> [String] { runtime.drainNotices().map(\.text) }

    /// Runs Lua and returns its first result as text ("nil" for nil).
    @discardableResult
    func lua(_ code: String) throws -> String {
        let results = try runtime.lua.execute(code)
        guard let first = results.first else { return "" }
        if case .string(let text) = first { return text }
        return first.description
    }

    /// A number Lua returns.
    func number(_ code: String) throws -> Double {
        let results = try runtime.lua.execute(code)
        return results.first?.numberValue ?? .nan
    }

    /// Loads a runbook from the labs' shared `Labs/lib/` (a module returning `function(world)`)
    /// and binds a global that runs it on this world, as a lab's setup runs it on its own.
    func loadLabRunbook(_ module: String, as global: String) throws {
        let library = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Labs/lib")
        // `require` as a lab has it, for the runbooks that load others (Labs/lib only, each once).
        var sources: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: library.path).sorted() where file.hasSuffix(".lua") {
            let text = try String(contentsOf: library.appendingPathComponent(file), encoding: .utf8)
            sources.append("[\(LuaValue.quote(String(file.dropLast(4))))] = \(LuaValue.quote(text))")
        }
        try lua("""
            if not __lab_modules then
              local sources, loaded = { \(sources.joined(separator: ", ")) }, {}
              __lab_modules = loaded
              require = function(name)
                if loaded[name] == nil then
                  assert(sources[name], "no module " .. name .. " in Labs/lib")
                  loaded[name] = load(sources[name], "@Labs/lib/" .. name .. ".lua")()
                end
                return loaded[name]
              end
            end
            do local runbook = require(\(LuaValue.quote(module))) \(global) = function() return runbook(_G) end end
            """)
    }

    /// Loads a Lua file from `Scripts/` and binds what it returns to a global.
    func load(_ script: String, as global: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/\(script)")
        let source = try String(contentsOf: url, encoding: .utf8)
        let chunk = LuaValue.quote(source)
        try lua("\(global) = load(\(chunk), \"@\(script)\")()")
    }
}
