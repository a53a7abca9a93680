import Foundation
import Testing

/// `firedrill grade` prepares one world per lab and seed and forks a process per session from
/// it; `--no-fork` builds every world afresh. A class is graded the same either way, and a
/// session whose process crashes or runs away is that session's error alone.
@Suite struct SharedSetupGradingTests {
    static let labs = LabCommandTests.labs

    /// Copies of `lab`'s reference solution in a scratch folder: sessions that share a setup.
    func copies(of lab: String, _ names: [String], in folder: URL) throws -> [String] {
        let reference = Self.labs.appendingPathComponent("\(lab)/solutions/reference.jsonl")
        return try names.map { name in
            let copy = folder.appendingPathComponent(name)
            try FileManager.default.copyItem(at: reference, to: copy)
            return copy.path
        }
    }

    @Test func aClassGradesTheSameForkedFromOneSetupAsBuiltAfresh() throws {
        let folder = try CommandRunner.scratchDirectory()
        let drills = try copies(of: "write-a-drill", ["ana.jsonl", "ben.jsonl", "cy.jsonl"], in: folder)
        // A session alone in its lab and seed, and one that cannot be read, graded in between.
        let alone = try copies(of: "zone-partition", ["dee.jsonl"], in: folder)
        let sessions = [drills[0], alone[0], drills[1], folder.appendingPathComponent("missing.jsonl").path, drills[2]]
        for format in ["json", "text"] {
            let forked = try CommandRunner.run(["grade", "--format", format, "--jobs", "2"] + sessions)
            let afresh = try CommandRunner.run(["grade", "--format", format, "--jobs", "2", "--no-fork"] + sessions)
            #expect(forked.status == 1 && afresh.status == 1, "only the missing session is an error: \(forked.standardError)")
            #expect(forked.standardOutput == afresh.standardOutput)
            #expect(forked.standardError == afresh.standardError)
            if format == "text" {
                for drill in drills { #expect(forked.standardOutput.contains("\(drill) (write-a-drill, seed 7): 10/10\n")) }
                #expect(forked.standardOutput.contains("\(alone[0]) (zone-partition, seed 3): 10/10\n"))
                #expect(forked.standardOutput.hasSuffix("5 sessions, 4 graded, 1 not graded\n"), "\(forked.standardOutput)")
            }
        }
    }

    @Test func aSessionWhoseProcessCrashesOrRunsAwayFailsAlone() throws {
        let folder = try CommandRunner.scratchDirectory()
        let drills = try copies(of: "write-a-drill", ["ana.jsonl", "ben.jsonl", "cy.jsonl"], in: folder)
        // Recorded under the lab's limits, which stop the loop; graded with no instruction
        // limit, which leaves only the timeout to stop it.
        let runaway = folder.appendingPathComponent("loop.jsonl").path
        _ = try CommandRunner.run(["lab", "write-a-drill", "--session", runaway],
                                  input: "sim.at('+10s', function() while true do end end)\nsim.advance('1m')\n")
        #expect(FileManager.default.fileExists(atPath: runaway))
        let sessions = [drills[0], runaway, drills[1], drills[2]]
        let limits = ["--force", "--instruction-limit", "0", "--timeout", "20", "--jobs", "2"]
        let grade = try CommandRunner.run(["grade", "--format", "json"] + limits + sessions,
                                          environment: ["FIREDRILL_TEST_CRASH_GRADING": "ben.jsonl"])
        #expect(grade.status == 1)
        let grades = try #require((try JSONSerialization.jsonObject(with: Data(grade.standardOutput.utf8)) as? [String: Any])?["sessions"] as? [[String: Any]])
        #expect(grades.map { $0["session"] as? String } == sessions)
        #expect(grades[0]["score"] as? Double == 10 && grades[3]["score"] as? Double == 10, "\(grades)")
        #expect((grades[1]["error"] as? String)?.contains("grading took longer than its timeout of 20 seconds") == true, "\(grades[1])")
        let crashed = try #require(grades[2]["error"] as? String)
        #expect(crashed.hasPrefix("grading crashed: its process was ended by signal 6"), "\(crashed)")
        #expect(grades[2]["lab"] as? String == "write-a-drill" && grades[2]["seed"] as? Int == 7)
        #expect(grade.standardError.contains("error: \(drills[1]): grading crashed"))
    }
}
