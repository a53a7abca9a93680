import Foundation
import Testing
import Simulation
@testable import Scripting

/// The hostile-input suite. Each file under `Hostile/` is a script that attacks the sandbox, with
/// the outcome it must have in its header:
///
///     -- expect: instruction budget exhausted     (a fragment of the error, or `ok`)
///     -- output: a1 b1 a2                         (with `ok`: a fragment of the output)
///     -- cap: 10m                                 (a lab's cap on what one command may move the clock)
///     -- instructions: 500000000                  (the budget; 5 million unless given)
///     -- memory-mib: 256                          (the memory cap; 128 MiB unless given)
///     -- wall-seconds: 2                          (the watchdog; 20 s unless given)
///
/// Each runs as one command on a fresh practice world. It must end as its header says, within
/// its limits (with slack for a loaded machine), and the state must work afterwards.
@Suite struct HostileScriptTests {
    struct HostileScript: CustomTestStringConvertible, Sendable {
        let name: String
        let code: String
        var expected = "ok"
        var output: String?
        var cap: SimTime?
        var instructions: Int64 = 5_000_000
        var memoryMiB = 128
        var wallSeconds = 20.0
        var testDescription: String { name }

        init(name: String, code: String) throws {
            self.name = name
            self.code = code
            for line in code.split(separator: "\n") {
                guard line.hasPrefix("-- "), let colon = line.firstIndex(of: ":") else { continue }
                let key = line.dropFirst(3)[..<colon].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                switch key {
                case "expect": expected = value
                case "output": output = value
                case "cap": cap = Span.parse(value)
                case "instructions": instructions = Int64(value) ?? instructions
                case "memory-mib": memoryMiB = Int(value) ?? memoryMiB
                case "wall-seconds": wallSeconds = Double(value) ?? wallSeconds
                default: break
                }
            }
        }
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Hostile")

    static let scripts: [HostileScript] = {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "lua" }.sorted { $0.lastPathComponent < $1.lastPathComponent }.compactMap { url in
            guard let code = try? String(contentsOf: url, encoding: .utf8) else { return nil }
            return try? HostileScript(name: url.deletingPathExtension().lastPathComponent, code: code)
        }
    }()

    @Test func theSuiteIsThere() {
        #expect(HostileScriptTests.scripts.count >= 90, "the hostile scripts were not found in \(HostileScriptTests.directory.path)")
    }

    @Test(arguments: scripts)
    func endsAsItsHeaderSaysAndTheStateStaysUsable(_ script: HostileScript) throws {
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("practice")!, seed: 1,
                                        limits: LuaLimits(instructions: script.instructions, memoryBytes: script.memoryMiB << 20,
                                                          wallClockSeconds: script.wallSeconds))
        if let cap = script.cap { runtime.commandTimeCap = CommandTimeCap(allowsAdvance: true, limit: cap) }
        let core = ReplCore(runtime: runtime)
        let started = ContinuousClock.now
        guard case .output(let text, let failed) = core.evaluate(script.code) else {
            Issue.record("\(script.name): the script did not compile as one chunk")
            return
        }
        let elapsed = ContinuousClock.now - started
        if script.expected == "ok" {
            #expect(!failed, "\(script.name) should run: \(text.prefix(400))")
            if let output = script.output { #expect(text.contains(output), "\(script.name): got \(text.prefix(400))") }
        } else {
            #expect(failed, "\(script.name) should fail: \(text.prefix(400))")
            #expect(text.contains(script.expected), "\(script.name): got \(text.prefix(400))")
        }
        // Bounded time: the budgets stop a script within a few seconds on a quiet machine; the
        // slack keeps a machine shared with other builds from failing the suite.
        #expect(elapsed < .seconds(script.wallSeconds + 30), "\(script.name) took \(elapsed)")
        let after = core.feed("return 6 * 7")
        #expect(after.text == "42" && !after.failed, "state unusable after \(script.name): \(after.text)")
    }

    @Test func memoryIsReclaimedAfterTheCap() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        for _ in 0..<3 {
            #expect(core.feed("local t, s = {}, ('x'):rep(1e6) for i = 1, 1e9 do t[i] = s .. i end").text.contains("memory limit exceeded"))
            #expect(core.feed("local t = {} for i = 1, 1000 do t[i] = i end return #t").text == "1000")
        }
    }

    @Test func budgetIsPerCommand() throws {
        let runtime = try makeRuntime(instructions: 1_000_000)
        let core = ReplCore(runtime: runtime)
        // Each command may use most of the budget; together they use far more than one budget.
        for _ in 0..<5 {
            let reply = core.feed("local x = 0 for i = 1, 100000 do x = x + i end return x")
            #expect(reply.text == "5000050000")
        }
    }

    @Test func swiftErrorsBecomeLuaErrorsThatPcallCatches() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        let reply = core.feed("return pcall(function() sim.advance({}) end)")
        #expect(reply.text.contains("false") && reply.text.contains("bad argument #1 to 'sim.advance'"))
        #expect(reply.text.contains("stdin:1:"), "errors point at the calling line: \(reply.text)")
    }

    @Test func aStoppedCommandReachesNoSwiftFunction() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        // The budget stops the coroutine; resume must not hand control back to the caller.
        let reply = core.feed("local co = coroutine.create(function() while true do end end) coroutine.resume(co) faults.crash('node-1')")
        #expect(reply.failed && reply.text.contains("instruction budget exhausted"))
        #expect(core.feed("return #faults.active() .. ' ' .. tostring(etcd ~= nil)").text == "0 true")
        #expect(core.feed("return kubectl('get nodes node-1 -o name')").text == "nodes/node-1", "1.6 names objects by their resource")
        #expect(runtime.world.hosts["node-1"]!.isUp, "the line after the stop never ran")
    }
}
