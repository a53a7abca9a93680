import Foundation
import Testing

/// Lua seeds its string hash per process, and addresses differ from run to run: a drill that
/// branched on `next`, printed a table or sorted ties used to do something different in every
/// process. Each reproducer under `ScriptingTests/Hostile/determinism/` runs in two processes,
/// which must print the same text and the same digest.
@Suite struct DeterminismAcrossProcessesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ScriptingTests/Hostile/determinism")

    static let reproducers: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".lua") }.sorted()
    }()

    @Test func theReproducersAreThere() {
        #expect(DeterminismAcrossProcessesTests.reproducers.count >= 5, "none found in \(DeterminismAcrossProcessesTests.directory.path)")
    }

    @Test(arguments: reproducers)
    func twoProcessesPrintTheSameDigest(_ name: String) throws {
        let path = DeterminismAcrossProcessesTests.directory.appendingPathComponent(name).path
        let first = try CommandRunner.run(["run", path, "--seed", "7"])
        let second = try CommandRunner.run(["run", path, "--seed", "7"])
        #expect(first.status == 0, "\(name): \(first.standardError)")
        #expect(!first.standardOutput.isEmpty)
        #expect(first.standardOutput == second.standardOutput,
                "\(name) printed differently in two processes:\n\(first.standardOutput)\n---\n\(second.standardOutput)")
    }

    /// The session: graded ten times, it scored 10/10 four times and 3/10 six, because
    /// the trainee's command branched on `next`. Now every process grades it alike.
    @Test func aSessionThatBranchesOnNextGradesTheSameInEveryProcess() throws {
        let path = try CommandRunner.scratchDirectory().appendingPathComponent("branches.jsonl").path
        let input = """
            local names = {alpha = 1, bravo = 2, charlie = 3, delta = 4, echo = 5, foxtrot = 6} if next(names) == "alpha" then function drill_check() return #faults.active() > 0 end end
            sim.when(function() return sim.clock() >= "09:10:00" end, function() faults.partition{"eu-west-1c"} end)
            sim.advance("10m")
            faults.heal()
            status_page("Drill: eu-west-1c is cut off at 09:10; drill_check() says when.")

            """
        let recorded = try CommandRunner.run(["lab", "write-a-drill", "--session", path], input: input)
        #expect(recorded.status == 0, "\(recorded.standardError)")
        let grades = try (0..<3).map { _ in try CommandRunner.run(["grade", path, "--format", "json"]).standardOutput }
        #expect(grades.allSatisfy { $0 == grades[0] }, "\(grades)")
        #expect(grades[0].contains("\"score\" : 10") || grades[0].contains("\"score\":10"), "\(grades[0])")
    }

    /// Where the budget stops a command must not depend on the process either: what the command
    /// did before the stop stays in the world. This one churns a table (deleting keys makes
    /// Lua's table growth follow its per-process string hash) and moves the world as it goes.
    @Test func theBudgetStopsACommandAtTheSameInstructionInEveryProcess() throws {
        let input = """
            count = 0
            local t = {} while true do count = count + 1 t["k" .. count] = count if count % 3 == 0 then t["k" .. (count - 1)] = nil end if count % 5000 == 0 then sim.advance(1) end end
            print(count, sim.clock(), sim.digest())

            """
        let runs = try (0..<2).map { _ in
            try CommandRunner.run(["repl", "--seed", "3", "--instruction-limit", "3000000"], input: input)
        }
        #expect(runs[0].standardOutput.contains("instruction budget exhausted"), "\(runs[0].standardOutput)")
        #expect(runs[0].standardOutput == runs[1].standardOutput, "\(runs[0].standardOutput)\n---\n\(runs[1].standardOutput)")
    }
}
