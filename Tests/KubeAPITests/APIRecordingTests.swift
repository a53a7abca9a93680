import Foundation
import KubeAPI
import Scripting
import Simulation
import Testing
@testable import Training

/// Requests of the real kubectl are part of the session: recorded as kind `api` at their
/// simulated times, re-executed by grading interleaved with the REPL's commands, and visible to
/// graders, who can tell the two clients apart and group a kubectl run's requests.
@Suite struct APIRecordingTests {
    static let lab = """
    return {
      id = "api-drill", title = "API drill", summary = "Delete a pod with the real kubectl.", difficulty = "beginner", minutes = 5,
      scenario = { name = "practice", seed = 1 }, time = { speed = 1 },
      steps = { { title = "Delete", briefing = "Delete a pod.", hints = { "kubectl delete pod" }, done = function(world) return false end } },
    }
    """
    static let grader = """
    return {
      checks = {
        { name = "Deleted with the real kubectl", points = 2, check = function(world, session, history)
            for _, run in ipairs(labkit.kubectl_invocations(session.commands)) do
              if run.command == "kubectl delete" and run.requests[1].method == "DELETE" and run.requests[1].status < 300 then
                return true, "deleted at " .. run.clock
              end
            end
            return false, "no delete from kubectl"
          end },
        { name = "Looked from the REPL too", points = 1, check = function(world, session)
            for _, command in ipairs(session.commands) do if command.source == "repl" then return true end end
            return false
          end },
      },
    }
    """

    final class Clock: WallClock {
        var nanoseconds: UInt64 = 1_000_000_000
        func uptimeNanoseconds() -> UInt64 { nanoseconds }
        func date() -> Date { Date(timeIntervalSince1970: 1_700_000_000 + Double(nanoseconds) / 1e9) }
        func pass(seconds: Double) { nanoseconds += UInt64(seconds * 1e9) }
    }

    func labs() throws -> (catalog: LabCatalog, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("firedrill-api-\(UUID().uuidString)")
        let labFolder = folder.appendingPathComponent("api-drill")
        try FileManager.default.createDirectory(at: labFolder, withIntermediateDirectories: true)
        try APIRecordingTests.lab.write(to: labFolder.appendingPathComponent("lab.lua"), atomically: true, encoding: .utf8)
        try APIRecordingTests.grader.write(to: labFolder.appendingPathComponent("grade.lua"), atomically: true, encoding: .utf8)
        try "# API drill\n".write(to: labFolder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        return (try LabCatalog.load(directory: folder, displayDirectory: "Labs"), folder)
    }

    func kubectlRequest(_ method: String, _ path: String, command: String, session: String, accept: String = "application/json",
                        body: String? = nil) -> KubeAPIRequest {
        KubeAPIRequest(method: method, path: path, body: body, userAgent: "kubectl/v1.32.4 (linux/amd64) kubernetes/abc", accept: accept,
                       kubectlCommand: command, kubectlSession: session)
    }

    @Test func aMixedSessionRecordsReplaysAndGradesTheSameEveryTime() throws {
        let (catalog, folder) = try labs()
        let lab = catalog.lab("api-drill")!
        let path = folder.appendingPathComponent("session.jsonl").path
        let clock = Clock()
        let live = try LiveLab(session: try LabSession(lab: lab), clock: clock, recorder: try SessionRecorder(path: path), firedrillVersion: "test")
        clock.pass(seconds: 3)
        let listed = live.answer(kubectlRequest("GET", "/api/v1/namespaces/default/pods", command: "kubectl get", session: "s1", accept: tableAccept))
        let pod = try JSONValue.parse(listed.body)["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.first?.stringValue ?? ""
        #expect(listed.status == 200 && !pod.isEmpty)
        clock.pass(seconds: 4)
        _ = live.submit("kubectl 'get pods'")
        clock.pass(seconds: 5)
        let deleted = live.answer(kubectlRequest("DELETE", "/api/v1/namespaces/default/pods/\(pod)", command: "kubectl delete", session: "s2",
                                                 body: #"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}"#))
        #expect(deleted.status == 200, "\(deleted.body)")
        clock.pass(seconds: 1)
        let after = live.answer(kubectlRequest("GET", "/api/v1/namespaces/default/pods/\(pod)", command: "kubectl delete", session: "s2"))
        live.finish(reason: "end of input")

        let reading = try SessionReader.read(path: path)
        #expect(reading.problems.isEmpty, "\(reading.problems)")
        #expect(reading.commands.map(\.kind) == ["api", "command", "api", "api"])
        #expect(reading.commands[0].api?.path == "/api/v1/namespaces/default/pods" && reading.commands[0].input.hasPrefix("GET "))
        let replay = try SessionReplay.run(reading, lab: lab)
        #expect(replay.warnings.isEmpty, "\(replay.warnings)")
        #expect(replay.replayed.map(\.output) == reading.commands.map(\.output), "the replay answers every request as the live session did")
        #expect(replay.replayed.last?.output == after.body)

        let grader = Grader(catalog: catalog, options: GradingOptions(firedrillVersion: "test", timeoutSeconds: 3_600))
        let first = grader.grade(path: path)
        let second = grader.grade(path: path)
        #expect(first.score == 3 && first.maxScore == 3, "\(first.checks)")
        #expect(first.score == second.score && first.checks.map(\.feedback) == second.checks.map(\.feedback))
    }

    @Test func anAPILineWithoutItsRequestIsDamaged() throws {
        let (catalog, folder) = try labs()
        let path = folder.appendingPathComponent("session.jsonl").path
        let live = try LiveLab(session: try LabSession(lab: catalog.lab("api-drill")!), clock: Clock(), recorder: try SessionRecorder(path: path),
                               firedrillVersion: "test")
        live.finish(reason: "end of input")
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.insert(#"{"kind":"api","number":1,"time_us":1,"clock":"x","wall":"x","input":"GET /api","output":"","failed":false}"#, at: 1)
        let data = Data((lines.joined(separator: "\n") + "\n").utf8)
        let reading = try SessionReader.parse(data, path: path)
        #expect(reading.problems.contains { $0.description.contains("has no \"api\" request") }, "\(reading.problems)")
    }
}
