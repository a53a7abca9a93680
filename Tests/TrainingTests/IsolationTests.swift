import Foundation
import Testing
import Simulation
@testable import Training

/// Lab checks and graders run apart from the trainee's code: a trainee who replaces the
/// standard library's functions, or puts a metatable on `_G`, gets the same steps and the same
/// grade as one who does not. Each lab's reference session is judged as recorded, and again
/// with two hostile commands: one first (the steps are then checked against the replaced
/// functions all session long) and one after the last (the grader meets everything replaced).
@Suite struct IsolationTests {
    /// Run first. It replaces what step checks could call (string methods through the string
    /// table, the table library, the iteration and conversion functions, `_G`'s lookups) but
    /// nothing the reference sessions' own commands use, and mentions none of the words the
    /// steps look for; it starts with `lab.` so that graders looking for the first real
    /// command pass over it.
    static let hostileFirst = [
        "lab.status()",
        "pcall(function() getmetatable('').__index = { find = function() return 1, 1 end } end)",
        "string.find = function(s) return 1, #s end",
        "string.match = function() return 'x' end",
        "string.gmatch = function() return function() return nil end end",
        "string.format = function() return 'forged' end",
        "table.insert = function() end",
        "table.concat = function() return '' end",
        "table.sort = function() end",
        "pairs = function() return function() return nil end end",
        "next = function() return nil end",
        "type = function() return 'nil' end",
        "tostring = function() return 'evil' end",
        "tonumber = function() return 0 end",
        "setmetatable(_G, { __index = function() return function() return true end end })",
    ].joined(separator: " ")

    /// Run after the last command: everything, the platform's modules and a lookup that would
    /// move the clock included.
    static let hostileLast = [
        "ipairs = pairs",
        "faults.active = function() return { 'forged' } end",
        "k8s.get = function() return {} end",
        "setmetatable(_G, { __index = function() sim.advance('1m') return function() return true end end })",
    ].joined(separator: " ")

    /// The reference session with the hostile commands added.
    static func hostileSession(_ lab: String) throws -> String {
        let lines = try String(contentsOfFile: referenceSession(lab), encoding: .utf8).split(separator: "\n").map(String.init)
        let commands = lines.indices.filter { lines[$0].contains("\"kind\":\"command\"") }
        let first = try #require(commands.first), last = try #require(commands.last)
        func line(copying index: Int, input: String) throws -> String {
            var record = try #require(try JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any])
            record["input"] = input
            record["output"] = ""
            return String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
        }
        var edited = lines
        edited.insert(try line(copying: last, input: hostileLast), at: last + 1)
        edited.insert(try line(copying: first, input: hostileFirst), at: first)
        let path = try scratchDirectory().appendingPathComponent("\(lab)-hostile.jsonl").path
        try (edited.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Re-executes a session and grades it as `Grader` does: the steps' completion times and
    /// the checks' results.
    static func judge(_ path: String, lab: Lab) throws -> (steps: [SimTime?], checks: [CheckResult]) {
        let reading = try SessionReader.read(path: path)
        let session = try SessionReplay.run(reading, lab: lab).session
        var end = max(reading.end?.timeUs ?? session.world.now, session.world.now)
        if let gradeAt = lab.timing.gradeAt {
            end = max(end, gradeAt.resolve(arrival: session.arrival, calendarStart: session.world.calendarStart))
        }
        session.advanceWorld(to: end)
        session.history.sample(session.world)
        let checks = try session.grade(ending: SessionEnding(time: end, reason: "end", isRecorded: true),
                                       checkInstructionLimit: 50_000_000)
        return (session.stepCompletions, checks)
    }

    @Test(arguments: ["write-a-drill", "zone-partition", "etcd-quorum", "service-discovery", "monzo-2017"])
    func aTraineeWhoReplacesTheLibraryGetsTheSameStepsAndGrade(lab: String) throws {
        let definition = shippedLab(lab)
        let honest = try IsolationTests.judge(referenceSession(lab), lab: definition)
        let hostile = try IsolationTests.judge(try IsolationTests.hostileSession(lab), lab: definition)
        #expect(honest.steps.allSatisfy { $0 != nil }, "\(lab): the reference completes every step")
        #expect(hostile.steps == honest.steps, "\(lab): steps completed at \(hostile.steps) instead of \(honest.steps)")
        #expect(hostile.checks.count == honest.checks.count)
        for (expected, got) in zip(honest.checks, hostile.checks) {
            #expect(got.name == expected.name && got.score == expected.score && got.passed == expected.passed
                    && got.feedback == expected.feedback, "\(lab): \(got) instead of \(expected)")
        }
    }
}
