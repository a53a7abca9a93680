import Foundation
import Testing

/// The command line under attack: numbers a user types that would trap or run for ever are
/// refused with one line, and a session file with nonsense in it is graded to the end.
@Suite struct HostileCommandLineTests {
    static let reference = LabCommandTests.labs.appendingPathComponent("zone-partition/solutions/reference.jsonl").path

    @Test(arguments: ["+99999999999999999999h", "+1000d"])
    func replayRefusesAMomentPastTheEndOfAnySession(_ until: String) throws {
        let outcome = try CommandRunner.run(["replay", Self.reference, "--until", until])
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains("--until '\(until)' is past the end of any session (4h after arrival)"))
    }

    @Test func limitsThatCannotBeEnforcedAreRefused() throws {
        let script = try CommandRunner.scratchDirectory().appendingPathComponent("drill.lua")
        try "print(1)".write(to: script, atomically: true, encoding: .utf8)
        for flags in [["--instruction-limit", "-1"], ["--wall-clock-limit", "nan"], ["--memory-limit-mi-b", "-5"]] {
            let outcome = try CommandRunner.run(["run", script.path] + flags)
            #expect(outcome.status != 0 && !outcome.standardError.isEmpty, "\(flags): \(outcome.standardError)")
        }
    }

    @Test func aSessionWithNegativeLimitsIsGradedToTheEnd() throws {
        let text = try String(contentsOfFile: Self.reference, encoding: .utf8)
            .replacingOccurrences(of: "\"instruction_limit\":500000000", with: "\"instruction_limit\":-1")
        let path = try CommandRunner.scratchDirectory().appendingPathComponent("negative.jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        // The header's limits are never used: unforced, the edited header is refused with its line;
        // forced, the session is graded to the end under the lab's own limits, and says FORCED.
        let refused = try CommandRunner.run(["grade", path])
        #expect(refused.standardOutput.contains("line 1"), "\(refused.standardOutput)")
        let forced = try CommandRunner.run(["grade", path, "--force"])
        #expect(forced.standardOutput.hasPrefix("FORCED \(path) (zone-partition, seed 3): 10/10"), "\(forced.standardOutput)")
        let lines = forced.standardOutput.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("FORCED") }, "\(forced.standardOutput)")
    }
}
