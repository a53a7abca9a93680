import Foundation
import Testing
import Scripting
import Simulation
@testable import Training

/// Grading a session made of hostile commands finishes: each such command is re-executed, fails
/// with the message of the limit it hit, and the grader runs on. So does a session file whose
/// times or limits are nonsense.
@Suite struct HostileSessionTests {
    static let hostileCommands: [(command: String, message: String)] = [
        ("return string.rep('a', 3000):find(string.rep('a-', 20) .. 'b')", "instruction budget exhausted"),
        ("local co = coroutine.create(function() while true do end end) coroutine.resume(co) faults.crash('node-1')",
         "instruction budget exhausted"),
        ("sim.advance(1e300)", "duration must be at most 100 years"),
        ("for i = 1, 9 do sim.advance('5m') end", "sim.advance can move the clock at most 5m in one command in this lab"),
        ("status_page(string.rep('x', 64 << 20))", "is longer than the 4 KiB this takes"),
        ("local s = string.rep('x', 16 << 20) for i = 1, 20 do print(s) end", "output limit exceeded"),
        ("sim.every('1us', print) sim.advance(10)", "period must be at least 100ms"),
        ("assert(kubectl('apply -f -', 'a: ' .. string.rep('[', 5000)))", "nests deeper than 64 levels"),
        ("local t = {} for i = 1, 3e6 do t[i] = -i end table.sort(t)", "instruction budget exhausted"),
    ]

    @Test func hostileCommandsFailWithTheirLimitsAndGradingFinishes() throws {
        let lab = shippedLab("zone-partition")
        let path = try record(lab, HostileSessionTests.hostileCommands.map { (wait: 1, line: $0.command) })
        let replay = try SessionReplay.run(try SessionReader.read(path: path), lab: lab)
        let commands = replay.session.commands
        #expect(commands.count == HostileSessionTests.hostileCommands.count)
        for (command, hostile) in zip(commands, HostileSessionTests.hostileCommands) {
            #expect(command.failed && command.output.contains(hostile.message), "\(hostile.command): \(command.output.prefix(300))")
        }
        #expect(replay.session.world.host(named: "node-1")!.isUp, "the coroutine's caller never went on")
        let grade = Grader(catalog: shippedCatalog, options: gradingOptions).grade(path: path)
        #expect(grade.error == nil, "\(grade.error ?? "")")
        #expect(grade.score < grade.maxScore)
    }

    /// A file whose command and end lie years ahead is replayed up to the session's horizon.
    @Test func timesYearsAheadStopAtTheHorizon() throws {
        let lab = shippedLab("zone-partition")
        let path = try record(lab, [(1, "faults.heal()")])
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let yearsAhead = String(Int64(1) << 60)
        text = text.replacingOccurrences(of: #""time_us":\d+"#, with: "\"time_us\":\(yearsAhead)", options: .regularExpression)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let replay = try SessionReplay.run(try SessionReader.read(path: path), lab: lab)
        #expect(replay.session.world.now == replay.session.horizon)
        #expect(replay.session.takeNotices().contains { $0.text.contains("past the 4h a session may last") })
        let grade = Grader(catalog: shippedCatalog, options: GradingOptions(force: true, firedrillVersion: "test")).grade(path: path)
        #expect(grade.error == nil, "\(grade.error ?? "")")
        #expect(ContinuousClock.now - started < .seconds(300))
    }

    /// Limits the runtime cannot enforce are refused with an error, never run without limits.
    @Test func negativeLimitsAreRefused() throws {
        #expect(throws: LuaError.self) {
            _ = try LabSession(lab: shippedLab("zone-partition"), limits: LuaLimits(instructions: -1, memoryBytes: -5))
        }
    }
}
