import Scripting
import Simulation

/// How a graded session ended: when, why, and whether the recording said so itself.
public struct SessionEnding: Sendable, Equatable {
    public let time: SimTime
    public let reason: String
    /// False when the file has no end line (a crash or `kill -9`): the end is the last thing saved.
    public let isRecorded: Bool
}

/// A grader that failed (an error in a check, a check that returned nonsense): the session gets
/// no score rather than a wrong one.
struct GraderFailure: Error, CustomStringConvertible {
    let description: String
}

extension LabSession {
    /// Runs the lab's `grade.lua` on this session as it stands: every check is called as
    /// `check(world, session, history)` with the world read-only and its own instruction budget.
    func grade(ending: SessionEnding, checkInstructionLimit: Int64) throws -> [CheckResult] {
        let saved = (limits: runtime.lua.limits, printSink: runtime.lua.printSink)
        runtime.lua.limits = LuaLimits(instructions: checkInstructionLimit, memoryBytes: saved.limits.memoryBytes)
        // A grader's output must not depend on anything but the session; printing is for authors.
        runtime.lua.printSink = { _ in }
        defer { (runtime.lua.limits, runtime.lua.printSink) = saved }
        return try runtime.readingOnly(as: "a grader") {
            let rubric = try RubricDefinition.read(try environment.evaluateGrader(lab.graderFile), file: lab.graderFile)
            try environment.setGrading(session: sessionValue(ending: ending), history: history.luaValue(world: world))
            return try zip(rubric.checks, rubric.functions).map { try score($0, $1) }
        }
    }

    private func score(_ check: RubricCheck, _ function: LuaFunctionReference) throws -> CheckResult {
        let results: [LuaValue]
        do {
            results = try environment.callCheck(function)
        } catch {
            throw GraderFailure(description: "\(lab.graderFile.displayPath): check \(LuaValue.quote(check.name)) failed: \(ReplCore.describe(error))")
        }
        let credit: Double
        switch results.first ?? .nil {
        case .boolean(let passed): credit = passed ? 1 : 0
        case let value where value.numberValue.map({ (0...1).contains($0) }) == true: credit = value.numberValue!
        case let value:
            throw GraderFailure(description: "\(lab.graderFile.displayPath): check \(LuaValue.quote(check.name)) returned \(value.isNil ? "nothing" : value.description); a check returns true, false or a fraction between 0 and 1, then optional feedback")
        }
        let score = Grading.rounded(credit * check.points)
        // Passed means full marks as reported: a credit that rounds to every point counts.
        let passed = score >= check.points
        let feedback = results.dropFirst().first?.stringValue ?? (passed ? check.passFeedback : check.failFeedback) ?? ""
        return CheckResult(name: check.name, score: score, maxScore: check.points, passed: passed, feedback: feedback)
    }

    /// Parameters as a Lua table of strings.
    static func parametersValue(_ parameters: [String: String]) -> LuaValue {
        var table = LuaTable()
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) { table[name] = .string(value) }
        return .table(table)
    }

    /// The `session` table a grader receives (`globals` is added on the Lua side).
    func sessionValue(ending: SessionEnding) -> LuaValue {
        var table = LuaTable()
        table["lab"] = .string(lab.id)
        table["seed"] = .integer(Int64(bitPattern: world.seed))
        table["parameters"] = LabSession.parametersValue(parameters)
        table["arrived"] = timed(arrival, [:])
        table["ended"] = timed(ending.time, ["reason": .string(ending.reason), "recorded": .boolean(ending.isRecorded)])
        table["commands"] = .table(LuaTable(array: commands.map(commandValue)))
        table["hints"] = .table(LuaTable(array: hintsUsed.map(hintValue)))
        table["status_posts"] = .table(LuaTable(array: statusPosts.map { timed($0.time, ["text": .string($0.text)]) }))
        table["steps"] = .table(LuaTable(array: lab.steps.enumerated().map { index, step in
            let done: LuaValue = ["title": .string(step.title), "done": .boolean(stepCompletions[index] != nil)]
            return stepCompletions[index].map { timed($0, done) } ?? done
        }))
        return .table(table)
    }
}
