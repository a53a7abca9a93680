import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The lab commands as a trainee and an instructor use them: list, start, record, replay, grade,
/// and what is left after the recording process is killed.
@Suite struct LabCommandTests {
    static let labs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Labs")
    static let reference = labs.appendingPathComponent("write-a-drill/solutions/reference.jsonl").path

    /// The inputs of write-a-drill's reference solution, one per line.
    static let drill = """
        function drill_check() return #faults.active() > 0 end
        sim.when(function() return sim.clock() >= "09:10:00" end, function() faults.partition{"eu-west-1c"} end)
        sim.advance("10m")
        faults.heal()
        status_page("Drill: eu-west-1c is cut off at 09:10; drill_check() says when.")

        """

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theLabsAreListedAndFiredrillAloneShowsThem() throws {
        let labs = try CommandRunner.run(["labs"])
        #expect(labs.status == 0, "\(labs.standardError)")
        let lines = labs.standardOutput.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("id title difficulty minutes"))
        #expect(lines.contains("write-a-drill Write a drill beginner 15"))
        #expect(lines.contains("zone-partition Heal a zone partition beginner 10"))
        let welcome = try CommandRunner.run([])
        #expect(welcome.status == 0)
        #expect(welcome.standardOutput.contains("write-a-drill") && welcome.standardOutput.contains("Start one with: firedrill lab write-a-drill"))
    }

    @Test func aLabIsRecordedWhereItSaysAndGraded() throws {
        let state = try CommandRunner.scratchDirectory()
        let run = try CommandRunner.run(["lab", "write-a-drill"], input: Self.drill, environment: ["XDG_STATE_HOME": state.path])
        #expect(run.status == 0, "\(run.standardError)")
        let folder = state.appendingPathComponent("firedrill/sessions")
        let saved = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(saved.count == 1 && saved[0].hasPrefix("write-a-drill-") && saved[0].hasSuffix(".jsonl"))
        let path = folder.appendingPathComponent(saved[0]).path
        #expect(run.standardError == "Seed 7; recording this session to \(path)\n")
        #expect(run.standardOutput.contains("✓ Step 5 of 5 done: Announce the drill"))
        let grade = try CommandRunner.run(["grade", path])
        #expect(grade.status == 0)
        #expect(grade.standardOutput.hasPrefix("\(path) (write-a-drill, seed 7): 10/10\n"), "\(grade.standardOutput)")
    }

    @Test func aSessionKilledMidwayKeepsEverythingItRan() throws {
        let path = try CommandRunner.scratchDirectory().appendingPathComponent("killed.jsonl").path
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["lab", "write-a-drill", "--session", path]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let lines = Self.drill.split(separator: "\n").prefix(3)
        for line in lines { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }
        // Wait until the three commands are on disk: the header and one line each.
        let deadline = Date().addingTimeInterval(20)
        while (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").count != 4 {
            #expect(Date() < deadline, "the commands never reached the file")
            if Date() >= deadline { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let grade = try CommandRunner.run(["grade", path, "--format", "json"])
        #expect(grade.status == 0, "a session cut short still grades: \(grade.standardError)")
        let session = try #require((try json(grade.standardOutput)["sessions"] as? [[String: Any]])?.first)
        #expect(session["score"] as? Double == 7, "check, inject and its firing, the check seeing it; not the recovery, announcement or bonus")
        let warnings = try #require(session["warnings"] as? [String])
        #expect(warnings.contains { $0.hasPrefix("the session has no end line (the recording was cut short") })
    }

    @Test func gradeFailsOnlyForSessionsItCannotGrade() throws {
        let state = try CommandRunner.scratchDirectory()
        let low = state.appendingPathComponent("low.jsonl").path
        #expect(try CommandRunner.run(["lab", "zone-partition", "--session", low], input: "1 + 1\n").status == 0)
        let alone = try CommandRunner.run(["grade", low])
        #expect(alone.status == 0 && alone.standardOutput.hasPrefix("\(low) (zone-partition, seed 3): 0/10\n"), "a low score is not an error")
        let batch = try CommandRunner.run(["grade", low, "/nonexistent.jsonl", Self.reference, "--jobs", "2"])
        #expect(batch.status == 1)
        #expect(batch.standardOutput.contains("\(low) (zone-partition, seed 3): 0/10"))
        #expect(batch.standardOutput.contains("(write-a-drill, seed 7): 10/10"))
        #expect(batch.standardOutput.hasSuffix("3 sessions, 2 graded, 1 not graded\n"))
        #expect(batch.standardError == "error: cannot read session '/nonexistent.jsonl': No such file\n")
    }

    @Test func theReportsFromTheCommandParse() throws {
        let junit = try CommandRunner.run(["grade", Self.reference, "--format", "junit"])
        #expect(junit.status == 0)
        #expect(XMLParser(data: Data(junit.standardOutput.utf8)).parse())
        let gradescope = try json(try CommandRunner.run(["grade", Self.reference, "--format", "gradescope"]).standardOutput)
        #expect(gradescope["score"] as? Double == 10 && (gradescope["tests"] as? [Any])?.count == 7)
        let first = try CommandRunner.run(["grade", Self.reference, "--format", "json"]).standardOutput
        let second = try CommandRunner.run(["grade", Self.reference, "--format", "json"]).standardOutput
        #expect(first == second)
        let bad = try CommandRunner.run(["grade", Self.reference, "--format", "pdf"])
        #expect(bad.status != 0 && bad.standardError.contains("unknown format 'pdf'; choose one of: text, json, junit, gradescope"))
    }

    @Test func replayOpensAWhatIfThatGradesLikeAnySession() throws {
        let reference = Self.labs.appendingPathComponent("zone-partition/solutions/reference.jsonl").path
        let fork = try CommandRunner.scratchDirectory().appendingPathComponent("what-if.jsonl").path
        let replay = try CommandRunner.run(["replay", reference, "--until", "+0s", "--session", fork],
                                           input: "sim.advance('5m')\nsim.advance('5m')\nfaults.active()\nfaults.heal()\n")
        #expect(replay.status == 0, "\(replay.standardError)")
        #expect(replay.standardOutput.hasPrefix("Replayed 0 of 5 commands of \(reference); the world is at 2017-10-27 09:00:00."))
        let grade = try CommandRunner.run(["grade", fork])
        #expect(grade.standardOutput.contains("~ 1.75/3  Time to heal\n            Healed 8.0 minutes after the page."), "\(grade.standardOutput)")
        #expect(grade.standardOutput.contains("✗ 0/2     Customers told"))
        let badTime = try CommandRunner.run(["replay", reference, "--until", "teatime"])
        #expect(badTime.status != 0 && badTime.standardError.contains("--until 'teatime' is not a time; write HH:MM, HH:MM:SS or +10m"))
    }

    @Test func aBrokenLabIsReportedWithFileLineAndField() throws {
        let labs = try CommandRunner.scratchDirectory()
        let folder = labs.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lab = try String(contentsOf: Self.labs.appendingPathComponent("zone-partition/lab.lua"), encoding: .utf8)
            .replacingOccurrences(of: "id = \"zone-partition\"", with: "id = \"broken\"")
            .replacingOccurrences(of: "minutes = 10", with: "minutes = 0")
        try lab.write(to: folder.appendingPathComponent("lab.lua"), atomically: true, encoding: .utf8)
        for file in ["grade.lua", "README.md"] {
            try FileManager.default.copyItem(at: Self.labs.appendingPathComponent("zone-partition/" + file), to: folder.appendingPathComponent(file))
        }
        let listed = try CommandRunner.run(["labs", "--labs", labs.path])
        #expect(listed.status == 1)
        #expect(listed.standardError.contains("broken/lab.lua:11: minutes: must be between 1 and 600"), "\(listed.standardError)")
        let started = try CommandRunner.run(["lab", "broken", "--labs", labs.path])
        #expect(started.status == 1 && started.standardError.contains("lab.lua:11: minutes:"))
        let unknown = try CommandRunner.run(["lab", "nope"])
        #expect(unknown.standardError.contains("no lab 'nope' in") && unknown.standardError.contains("the labs are: etcd-quorum, gameday, linkerd-npe, monzo-2017, service-discovery, write-a-drill, zone-partition"))
    }

    @Test func whatHappenedWhileTheTraineeTypedComesBeforeTheCommandsOutput() throws {
        // A deploy goes out as the trainee arrives: its notice belongs before the first
        // command's output, as it happened first.
        let labs = try CommandRunner.scratchDirectory()
        let folder = labs.appendingPathComponent("notice")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lab = """
            return {
              id = "notice", title = "Notice", summary = "A notice at arrival.", difficulty = "beginner", minutes = 5,
              scenario = { name = "practice", seed = 1 },
              injects = { { name = "deploy", at = "+0s", run = function() end, notice = "#deploys: web 1.1 is rolling out" } },
              steps = { { title = "Look", briefing = "Look.", hints = {}, done = function() return false end } },
            }
            """
        try lab.write(to: folder.appendingPathComponent("lab.lua"), atomically: true, encoding: .utf8)
        try "return { checks = { { name = \"None\", points = 1, check = function() return false end } } }\n"
            .write(to: folder.appendingPathComponent("grade.lua"), atomically: true, encoding: .utf8)
        try "# Notice\n".write(to: folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let session = labs.appendingPathComponent("notice.jsonl").path
        let run = try CommandRunner.run(["lab", "notice", "--labs", labs.path, "--session", session], input: "'first output'\n")
        #expect(run.status == 0, "\(run.standardError)")
        let notice = try #require(run.standardOutput.range(of: "#deploys: web 1.1 is rolling out"))
        let output = try #require(run.standardOutput.range(of: "first output"))
        #expect(notice.lowerBound < output.lowerBound, "\(run.standardOutput)")
    }

    /// The author's loop: scaffold a lab, check it, and be refused where a mistake would hurt.
    @Test func aNewLabPassesItsCheckOutOfTheBox() throws {
        let folder = try CommandRunner.scratchDirectory()
        let labs = folder.appendingPathComponent("Labs").path
        let created = try CommandRunner.run(["lab", "new", "demo", "--scenario", "practice", "--labs", labs])
        #expect(created.status == 0, "\(created.standardError)")
        #expect(created.standardOutput.contains("firedrill lab check demo --labs \(labs)"), "\(created.standardOutput)")
        let check = try CommandRunner.run(["lab", "check", "demo", "--labs", labs])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        #expect(check.standardOutput.hasSuffix("\(labs)/demo: passed\n"), "\(check.standardOutput)")
        let again = try CommandRunner.run(["lab", "new", "demo", "--labs", labs])
        #expect(again.status != 0 && again.standardError.contains("already exists"), "\(again.standardError)")
        try "score = 3\n".write(toFile: labs + "/demo/solutions/reference.expect", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Self.labs.appendingPathComponent("zone-partition/solutions/reference.jsonl").path,
                                         toPath: labs + "/demo/solutions/reference.jsonl")
        let failing = try CommandRunner.run(["lab", "check", labs + "/demo"])
        #expect(failing.status != 0, "\(failing.standardOutput)")
        #expect(failing.standardOutput.contains("FAIL \(labs)/demo/solutions/reference.jsonl: does not grade"), "\(failing.standardOutput)")
    }

    @Test func everyLabCommandHasHelp() throws {
        for command in ["labs", "lab", "lab new", "lab check", "replay", "grade"] {
            let outcome = try CommandRunner.run(command.split(separator: " ").map(String.init) + ["--help"])
            #expect(outcome.status == 0 && outcome.standardOutput.contains("USAGE: firedrill \(command)"), "\(command)")
        }
    }

    @Test func theBenchReportsGradingTime() throws {
        // The small session: grade_ms_per_session re-executes the Monzo lab, minutes in a debug build.
        let bench = try CommandRunner.run(["bench", "grade_ms_per_small_session"])
        #expect(bench.status == 0, "\(bench.standardError)")
        let figure = try #require(try json(bench.standardOutput)["grade_ms_per_small_session"] as? Double)
        #expect(figure > 0)
    }
}
