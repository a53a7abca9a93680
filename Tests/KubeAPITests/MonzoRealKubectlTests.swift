import Foundation
import KubeAPI
import Testing
@testable import Training

/// The Monzo lab's fix played with the real kubectl: the apiservers restarted the way the lab
/// does (`faults.restart`), the orphaned service deleted with `kubectl delete svc`, both in one
/// recorded session. Grading re-executes the requests among the REPL's commands and must give
/// the score of the Lua path (the shipped reference solution's). The Monzo lab builds two weeks
/// of history first, so this is the one test of its kind.
@Suite(.enabled(if: machineKubectl != nil, "no kubectl on PATH: install Debian's kubernetes-client (Scripts/setup does) to run the real-kubectl tests"))
struct MonzoRealKubectlTests {
    static let labs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Labs")

    final class StillClock: WallClock {
        func uptimeNanoseconds() -> UInt64 { 1_000_000_000 }
        func date() -> Date { Date(timeIntervalSince1970: 1_700_000_000) }
    }

    static let play = [
        "sim.advance(\"2m\")", "dashboard()", "traffic.standin(true)",
        "status_page(\"Since 14:10 some card payments and bank transfers are failing. Card stand-in is approving small card payments while we investigate.\")",
        "$ kubectl get pods -n payments -l app=transaction-processor -o wide", "$ kubectl get endpoints transaction-processor -n payments",
        "mesh.proxies()", "mesh.routes(\"node-12\", \"payments/transaction-processor\")", "mesh.discovery(\"node-12\")", "mesh.logs(\"node-12\", 10)",
        "etcdctl \"endpoint health --cluster\"", "$ kubectl logs -n kube-system kube-apiserver-master-1", "$ kubectl get endpoints -n current-account",
        "faults.restart(\"master-1\")", "sim.advance(\"20s\")", "faults.restart(\"master-2\")", "sim.advance(\"20s\")",
        "faults.restart(\"master-3\")", "sim.advance(\"20s\")", "$ kubectl delete svc overdraft-alerts -n current-account",
        "sim.advance(\"2m\")", "dashboard()",
        "status_page(\"14:10-14:14: card payments and bank transfers failed for some customers after a deploy; our service discovery had gone stale. It is fixed and everything works again.\")",
    ]

    @Test func theFixWithTheRealKubectlGradesAsTheLuaPath() async throws {
        let catalog = try LabCatalog.load(directory: MonzoRealKubectlTests.labs, displayDirectory: "Labs")
        let lab = catalog.lab("monzo-2017")!
        let expect = try String(contentsOf: MonzoRealKubectlTests.labs.appendingPathComponent("monzo-2017/solutions/reference.expect"), encoding: .utf8)
        let luaScore = expect.split(separator: "\n").first { $0.hasPrefix("score = ") }.flatMap { Double($0.dropFirst(8)) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("firedrill-monzo-\(UUID().uuidString).jsonl").path
        // The wall clock stands still: time moves only as the commands move it, as in the reference.
        let live = try LiveLab(session: try LabSession(lab: lab), clock: StillClock(), recorder: try SessionRecorder(path: path), firedrillVersion: "test")
        let harness = try await RealKubectlHarness { live.answer($0) }
        // The reference solution's commands, with every kubectl line sent by the real kubectl.
        for line in MonzoRealKubectlTests.play {
            if line.hasPrefix("$ kubectl ") {
                let run = try await harness.kubectl(String(line.dropFirst(10)))
                #expect(run.status == 0, "\(line): \(run.error)")
                if line.contains("delete") { #expect(run.output.contains("\"overdraft-alerts\" deleted"), "\(run.output)") }
            } else {
                _ = live.submit(line)
            }
        }
        live.finish(reason: "end of input")
        harness.endpoint.stop()

        let reading = try SessionReader.read(path: path)
        #expect(reading.commands.contains { $0.kind == "api" && $0.api?.method == "DELETE" && $0.api?.kubectlCommand == "kubectl delete" })
        let grade = Grader(catalog: catalog, options: GradingOptions(firedrillVersion: "test", timeoutSeconds: 3_600)).grade(path: path)
        #expect(luaScore != nil && grade.score == luaScore, "\(grade.checks)")
    }
}
