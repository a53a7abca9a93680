import Testing
import Simulation
@testable import Scripting

/// What an engineer on call at Monzo could have read on the hosts between 14:18 and 14:37, on the
/// seed the outage tests replay: why the replacement linkerd on node-7 cannot start, and the
/// connection master-1 still holds to an etcd member the resize removed.
@Suite struct MonzoSignalsTests {
    @Test func theHostsShowWhyTheReplacementLinkerdCannotStart() throws {
        let bank = try MonzoOutageTests.fridayBeforeTheDeploy()
        let replay = MonzoOutageTests.replay
        try MonzoOutageTests.deployTransactionProcessor(bank)
        try bank.advance("8m")
        // 14:18: an engineer restarts the linkerd on node-7.
        #expect(try bank.lua("return mesh.restart('node-7')").hasPrefix("pod \"l5d-"), "\(replay)")
        try bank.advance("4m")
        let pods = try bank.kubectl("get pods -n linkerd -o wide")
        let stuck = try #require(pods.split(separator: "\n").first { $0.split(separator: " ").contains("node-7") && $0.contains("ContainerCreating") },
                                 "\(pods); \(replay)")
        let pod = String(stuck.split(separator: " ")[0])

        let journal = try NodeShellTests.sh(bank, "node-7", "journalctl -u kubelet -n 20")
        #expect(journal.contains("Couldn't get configMap linkerd/l5d-config: "), "\(journal); \(replay)")
        #expect(journal.contains("MountVolume.SetUp failed for volume \"kubernetes.io/configmap/"), "\(journal); \(replay)")
        #expect(journal.contains("Unable to mount volumes for pod \"\(pod)_linkerd("), "\(journal); \(replay)")

        // The same story in the pod's events, unless the apiserver node-7's kubelet talks to
        // could not store events either, which the kubelet's journal then says.
        let described = try bank.kubectl("describe pod \(pod) -n linkerd")
        let recorded = described.contains("FailedMount") && described.contains("Unable to mount volumes for pod")
        let rejected = try NodeShellTests.sh(bank, "node-7", "journalctl -u kubelet | grep -c 'Server rejected event'")
        #expect(recorded || (Int(rejected) ?? 0) > 0, "describe: \(described); rejected events: \(rejected); \(replay)")

        // master-1 still holds connections to a member the resize removed.
        let hosts = try NodeShellTests.sh(bank, "master-1", "cat /etc/hosts")
        let removed = hosts.split(separator: "\n").filter { $0.hasSuffix("etcd-old-1") || $0.hasSuffix("etcd-old-2") || $0.hasSuffix("etcd-old-3") }
            .compactMap { $0.split(separator: "\t").first.map(String.init) }
        #expect(removed.count == 3, "\(hosts)")
        let members = try bank.lua("local names = {} for _, m in ipairs(etcd.members()) do names[#names + 1] = m.name end return table.concat(names, ' ')")
        #expect(!members.contains("etcd-old"), "\(members); \(replay)")
        let sockets = try NodeShellTests.sh(bank, "master-1", "ss -tn")
        let stranded = sockets.split(separator: "\n").filter { line in line.hasPrefix("ESTAB") && removed.contains { line.contains(" \($0):2379") } }
        #expect(!stranded.isEmpty, "\(sockets); \(replay)")
    }
}
