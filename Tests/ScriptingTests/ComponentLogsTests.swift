import Testing
import Simulation
@testable import Scripting

/// Events and logs as the real components wrote them: a kubelet that cannot fetch a pod's
/// ConfigMap says so in events `kubectl describe` shows and in its journal; an apiserver logs
/// slow requests as traces and etcd's errors as errors.
@Suite struct ComponentLogsTests {
    /// The mini bank on the local store, with the ConfigMaps storage client of the apiserver
    /// node-1's kubelet talks to left hanging (as the zombie etcd connection left Monzo's), and
    /// node-1's linkerd restarted: its replacement cannot mount its configuration.
    static func linkerdThatCannotMount() throws -> (BankSession, String) {
        let bank = try BankSession("mini-bank", seed: 5, options: ["storage": "local"])
        let cluster = bank.world.component(KubernetesCluster.self)!
        let serverName = try #require(cluster.kubelet(onNode: "node-1")?.connectedServerName)
        let server = try #require(cluster.apiServers.first { $0.name == serverName })
        try #require(server.storageClient(for: .configmaps) as? StallableKeyValueClient).stall()
        #expect(try bank.lua("return mesh.restart('node-1')").hasPrefix("pod \"l5d-"))
        try bank.advance("3m")
        let pods = try bank.kubectl("get pods -n linkerd -o wide")
        let line = try #require(pods.split(separator: "\n").first { $0.contains("node-1") && $0.contains("ContainerCreating") }, "\(pods)")
        return (bank, String(line.split(separator: " ")[0]))
    }

    @Test func aPodThatCannotMountItsConfigMapSaysWhyInItsEvents() throws {
        let (bank, pod) = try ComponentLogsTests.linkerdThatCannotMount()
        let described = try bank.kubectl("describe pod \(pod) -n linkerd")
        let events = described.split(separator: "\n").drop { !$0.hasPrefix("Events:") }.joined(separator: "\n")
        // Kubernetes 1.6's words: the volume plugin's failure, then the pod worker giving up after two minutes.
        #expect(events.contains("FailedMount") && events.contains("MountVolume.SetUp failed for volume \"kubernetes.io/configmap/"), "\(events)")
        // The DaemonSet mounts the l5d-config ConfigMap as its volume "config".
        #expect(events.contains("(spec.Name: \"config\")"), "\(events)")
        #expect(events.contains("Unable to mount volumes for pod \"\(pod)_linkerd("), "\(events)")
        #expect(events.contains("timeout expired waiting for volumes to attach/mount for pod \"linkerd\"/\"\(pod)\". list of unattached/unmounted volumes=[config]"), "\(events)")
        #expect(events.contains("FailedSync") && events.contains("Error syncing pod, skipping: timeout expired"), "\(events)")
        #expect(events.contains("kubelet, node-1"), "\(events)")
    }

    @Test func repeatedFailuresAddCountsNotEvents() throws {
        let (bank, pod) = try ComponentLogsTests.linkerdThatCannotMount()
        let count = { () throws -> Int in
            Int(try bank.number("local n = 0 for _, e in ipairs(k8s.get('events', nil, {namespace = 'linkerd'})) do if e.involvedObject.name == '\(pod)' then n = n + 1 end end return n"))
        }
        let before = try count()
        try bank.advance("10m")
        let after = try count()
        #expect(before >= 3 && after == before, "events for \(pod): \(before) after 3 minutes, \(after) ten minutes later")
        let failedSync = try bank.number("for _, e in ipairs(k8s.get('events', nil, {namespace = 'linkerd'})) do if e.involvedObject.name == '\(pod)' and e.reason == 'FailedSync' then return e.count end end return 0")
        #expect(failedSync >= 5, "one FailedSync every two minutes and ten seconds, counted on one event: \(failedSync)")
    }

    @Test func anApiserverLogsSlowRequestsAsTracesAndEtcdErrors() throws {
        let session = try BankSession("practice", seed: 2)
        try session.lua("faults.crash('etcd-2') faults.crash('etcd-3')")
        let answer = try session.kubectl("get pods")
        #expect(answer.hasPrefix("ERROR: "), "without quorum the list fails: \(answer)")
        try session.lua("faults.restart('etcd-2') faults.restart('etcd-3')")
        try session.advance("10s")
        let log = try session.kubectl("logs -n kube-system kube-apiserver-master-1")
        let trace = try #require(log.split(separator: "\n").first { $0.contains("trace.go:61] Trace[") && $0.contains("\"List /api/v1/namespaces/default/pods\"") }, "\(log)")
        #expect(trace.contains("(started: 2017-10-27 09:0") && trace.contains("+0000 UTC) (total time: "), "\(trace)")
        let number = trace.split(separator: "[")[1].split(separator: "]")[0]
        #expect(log.contains("Trace[\(number)]: ["), "the trace's steps follow it: \(log)")
        #expect(log.contains("status.go:62] apiserver received an error that is not an metav1.Status: "), "\(log)")
    }

    /// Two weeks skipped at rest: the apiserver that compacts etcd logged a round every five
    /// minutes through them, up to the moment the calendar lands on, and carries on after.
    @Test func compactionLogsKeepGoingAcrossACalendarSkip() throws {
        let session = try BankSession("practice", seed: 6)
        try session.advance("11m")
        try session.lua("sim.skip_calendar('2017-11-10 09:00')")
        try session.advance("10m")
        let log = try session.kubectl("logs -n kube-system kube-apiserver-master-1")
        let rounds = log.split(separator: "\n").filter { $0.contains("compact.go:159] etcd: compacted rev (") }
        let days = Set(rounds.map { String($0.prefix(5)) })
        #expect(days.isSuperset(of: ["I1109", "I1110"]), "rounds on the days skipped: \(days)")
        let beforeLanding = rounds.filter { $0.hasPrefix("I1110 08:5") }
        #expect(beforeLanding.count == 2, "one round every five minutes up to 09:00: \(beforeLanding)")
        #expect(rounds.contains { $0.hasPrefix("I1110 09:0") }, "and the compactor carries on afterwards: \(rounds.suffix(3))")
    }
}
