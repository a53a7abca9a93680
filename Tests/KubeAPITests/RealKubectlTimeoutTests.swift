import Foundation
import KubeAPI
import Scripting
import Simulation
import Testing

/// A stuck apiserver as the machine's kubectl sees it. Kubernetes 1.6 set no deadline on its etcd
/// calls: a request on a storage client whose connection no longer answers waits until the
/// apiserver's own handler gives up, 30 s for a write (the `[30.002s]` trace in
/// kubernetes/kubernetes#47131) and 60 s for anything else (a 504, kubernetes#46964). The
/// simulated clock moves while kubectl waits, so the test takes seconds, not minutes.
@Suite(.enabled(if: machineKubectl != nil, "no kubectl on PATH: install Debian's kubernetes-client (Scripts/setup does) to run the real-kubectl tests"),
       .serialized)
struct RealKubectlTimeoutTests {
    /// A practice world whose apiservers' Endpoints and Deployments clients are stalled by hand
    /// (`storage = "local"` gives stallable clients), as the resize's dead connections leave them.
    static func stuckWorld() throws -> ScriptRuntime {
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("practice")!, seed: 1, options: ["storage": "local"])
        try runtime.advance(by: Span.seconds(60))
        let cluster = runtime.world.component(KubernetesCluster.self)!
        for server in cluster.apiServers {
            (server.storageClient(for: .endpoints) as! StallableKeyValueClient).stall()
            (server.storageClient(for: .deployments) as! StallableKeyValueClient).stall()
        }
        return runtime
    }

    @Test func aReadOnAStuckClientAnswersA504AfterAMinute() async throws {
        let runtime = try Self.stuckWorld()
        let harness = try await RealKubectlHarness { KubeAPIHandler.answer($0, runtime: runtime) }
        let before = runtime.world.now
        let read = try await harness.kubectl("get endpoints web")
        #expect(read.status != 0)
        #expect(read.error.contains("Error from server (Timeout): the server was unable to return a response in the time allotted, but may still be processing the request"),
                "\(read.error)")
        #expect(runtime.world.now - before >= Span.seconds(60), "the read waited out the apiserver's minute")
        // The rest of the apiserver works: its Pods client was not stuck.
        let pods = try await harness.kubectl("get pods")
        #expect(pods.status == 0, "\(pods.error)")
    }

    @Test func aWriteOnAStuckClientTimesOutAfterThirtySeconds() async throws {
        let runtime = try Self.stuckWorld()
        let harness = try await RealKubectlHarness { KubeAPIHandler.answer($0, runtime: runtime) }
        let before = runtime.world.now
        // `create -f` POSTs the file as JSON with no read before it (`kubectl create deployment`
        // would send protobuf, which this API does not speak).
        let manifest = FileManager.default.temporaryDirectory.appendingPathComponent("firedrill-drill-\(UUID().uuidString).yaml")
        try """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: drill}
            spec:
              replicas: 1
              selector: {matchLabels: {app: drill}}
              template:
                metadata: {labels: {app: drill}}
                spec: {containers: [{name: drill, image: nginx}]}
            """.write(to: manifest, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: manifest) }
        let write = try await harness.kubectl("create --validate=false -f \(manifest.path)")
        #expect(write.status != 0)
        #expect(write.error.contains("Timeout: request did not complete within allowed duration"), "\(write.error)")
        let waited = runtime.world.now - before
        #expect(waited >= Span.seconds(30) && waited < Span.seconds(60), "the write waited out the apiserver's 30 s, not the minute a read waits (\(Span.describe(waited)))")
    }
}
