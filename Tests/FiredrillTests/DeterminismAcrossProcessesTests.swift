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
}
