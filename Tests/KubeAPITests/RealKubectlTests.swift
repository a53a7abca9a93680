import Foundation
import KubeAPI
import Scripting
import Simulation
import Testing

/// The machine's kubectl (1.32 here; `Scripts/setup` installs Debian's kubernetes-client where
/// none is) against a practice world, compared with what Lua's `kubectl "..."` prints on the same
/// world. Differences kept, with reasons:
/// - column padding: kubectl 1.32 pads three past the widest cell; the era's kubectl (1.6)
///   printed cells at least ten wide. Cells are compared, not spaces.
/// - AGE: each client's requests take simulated time, so an age can differ by the seconds
///   between the two runs; the AGE column is left out of comparisons.
@Suite(.enabled(if: machineKubectl != nil, "no kubectl on PATH: install Debian's kubernetes-client (Scripts/setup does) to run the real-kubectl tests"),
       .serialized)
struct RealKubectlTests {
    let runtime: ScriptRuntime
    let harness: RealKubectlHarness

    init() async throws {
        let runtime = try practiceRuntime()
        self.runtime = runtime
        harness = try await RealKubectlHarness { KubeAPIHandler.answer($0, runtime: runtime) }
    }

    func withoutAge(_ rows: [[String]], header: [String]) -> [[String]] {
        guard let age = header.firstIndex(of: "AGE") else { return rows }
        return rows.map { row in row.enumerated().filter { $0.offset != age }.map(\.element) }
    }

    @Test func getPodsWideShowsWhatLuaShows() async throws {
        let real = try await harness.kubectl("get pods -o wide")
        #expect(real.status == 0, "\(real.error)")
        let lua = cells(try luaKubectl(runtime, "get pods -o wide"))
        let got = cells(real.output)
        #expect(got.first == lua.first)
        #expect(withoutAge(got, header: got.first ?? []) == withoutAge(lua, header: lua.first ?? []), "\(real.output)")
    }

    @Test func getEndpointsShowsWhatLuaShows() async throws {
        let real = try await harness.kubectl("get endpoints")
        #expect(real.status == 0, "\(real.error)")
        let lua = cells(try luaKubectl(runtime, "get endpoints"))
        #expect(withoutAge(cells(real.output), header: lua.first ?? []) == withoutAge(lua, header: lua.first ?? []), "\(real.output)")
    }

    @Test func logsShowWhatLuaShows() async throws {
        let pod = cells(try luaKubectl(runtime, "get pods"))[1][0]
        let real = try await harness.kubectl("logs \(pod)")
        #expect(real.status == 0, "\(real.error)")
        #expect(real.output.trimmingCharacters(in: .newlines) == (try luaKubectl(runtime, "logs \(pod)")).trimmingCharacters(in: .newlines))
    }

    @Test func describeDeploymentNamesWhatLuaNames() async throws {
        let name = cells(try luaKubectl(runtime, "get deployments"))[1][0]
        let real = try await harness.kubectl("describe deployment \(name)")
        #expect(real.status == 0, "\(real.error)")
        let lua = try luaKubectl(runtime, "describe deployment \(name)")
        // The fields both clients print the same way; kubectl 1.32 adds fields 1.6 had not.
        for field in ["Name:", "Namespace:", "Selector:", "Replicas:", "StrategyType:"] {
            let line = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix(field) }.map { cells(String($0)) } }
            #expect(line(real.output) == line(lua), "\(field)\n\(real.output)")
        }
    }

    @Test func unknownTypesAndAbsentMetricsSayWhatKubectlSays() async throws {
        let widgets = try await harness.kubectl("get widgets")
        #expect(widgets.status != 0 && widgets.error.contains("the server doesn't have a resource type \"widgets\""), "\(widgets.error)")
        let top = try await harness.kubectl("top pods")
        #expect(top.status != 0 && top.error.contains("Metrics API not available"), "\(top.error)")
    }

    @Test func aBodyOverThreeMebibytesIsRefusedAsARealApiserverWould() async throws {
        let manifest = harness.runner.folder.appendingPathComponent("big.json")
        let data = String(repeating: "x", count: KubeAPIHandler.bodyLimitBytes + 1)
        try #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"\#(data)"}}"#
            .write(to: manifest, atomically: true, encoding: .utf8)
        let created = try await harness.runner.run(["create", "--validate=false", "-f", manifest.path])
        #expect(created.status != 0 && created.error.contains("Request entity too large"), "\(created.error.prefix(500))")
        #expect(try luaKubectl(runtime, "get configmaps").contains("big") == false)
    }

    @Test func scaleAndDeleteChangeTheWorldLuaSees() async throws {
        let name = cells(try luaKubectl(runtime, "get deployments"))[1][0]
        let scaled = try await harness.kubectl("scale deployment \(name) --replicas=4")
        #expect(scaled.status == 0 && scaled.output.contains("scaled"), "\(scaled.error)")
        let replicas = try runtime.runScript("return k8s.get('deployments', '\(name)', {namespace = 'default'}).spec.replicas", chunkName: "test.lua")
        #expect(replicas.first == .integer(4))
        let service = cells(try luaKubectl(runtime, "get services")).dropFirst().map { $0[0] }.first { $0 != "kubernetes" } ?? ""
        let deleted = try await harness.kubectl("delete service \(service)")
        #expect(deleted.status == 0 && deleted.output.contains("deleted"), "\(deleted.error)")
        #expect(try luaKubectl(runtime, "get services").contains(service) == false)
    }
}
