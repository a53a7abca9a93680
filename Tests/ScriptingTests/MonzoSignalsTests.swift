import Foundation
import Testing
import Simulation
@testable import Scripting

/// What an engineer on call at Monzo could have read on the hosts between 14:18 and 14:37: why a
/// replacement linkerd cannot start, and the connection an apiserver still holds to an etcd
/// member the resize removed. It needs a day on which the resize stranded a ConfigMaps client,
/// as Monzo's did (14:37: "the kubelets cannot fetch their configuration"); the lab's default
/// seed stranded none, so this plays its own (`FIREDRILL_MONZO_SIGNALS_SEED` to try another).
@Suite struct MonzoSignalsTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["FIREDRILL_MONZO_SIGNALS_SEED"].flatMap(UInt64.init) ?? 173

    @Test func theHostsShowWhyTheReplacementLinkerdCannotStart() throws {
        let bank = try MonzoOutageTests.fridayBeforeTheDeploy(seed: Self.seed)
        let replay = "seed \(Self.seed); replay: FIREDRILL_MONZO_SIGNALS_SEED=\(Self.seed) swift test --filter MonzoSignalsTests"
        // The apiserver whose ConfigMaps client the resize stranded, and a node whose kubelet asks it.
        let cluster = try #require(bank.world.component(KubernetesCluster.self))
        let strandedServer = try #require(cluster.apiServers.first { ($0.storageClient(for: .configmaps) as? EtcdClient)?.isPinnedConnectionZombie == true },
                                    "no apiserver's ConfigMaps client was stranded; \(replay)")
        let master = strandedServer.host.name
        let node = try #require(cluster.kubelets.first { !$0.isMaster && $0.connectedServerName == strandedServer.name }?.nodeName,
                                "no kubelet asks \(master); \(replay)")
        try MonzoOutageTests.deployTransactionProcessor(bank)
        try bank.advance("8m")
        // 14:18: an engineer restarts the linkerd on that node.
        #expect(try bank.lua("return mesh.restart('\(node)')").hasPrefix("pod \"l5d-"), "\(replay)")
        try bank.advance("4m")
        let pods = try bank.kubectl("get pods -n linkerd -o wide")
        let stuck = try #require(pods.split(separator: "\n").first { $0.split(separator: " ").contains(Substring(node)) && $0.contains("ContainerCreating") },
                                 "\(pods); \(replay)")
        let pod = String(stuck.split(separator: " ")[0])

        let journal = try NodeShellTests.sh(bank, node, "journalctl -u kubelet -n 20")
        #expect(journal.contains("Couldn't get configMap linkerd/l5d-config: "), "\(journal); \(replay)")
        #expect(journal.contains("MountVolume.SetUp failed for volume \"kubernetes.io/configmap/"), "\(journal); \(replay)")
        #expect(journal.contains("Unable to mount volumes for pod \"\(pod)_linkerd("), "\(journal); \(replay)")

        // The same story in the pod's events, unless the apiserver the kubelet talks to
        // could not store events either, which the kubelet's journal then says.
        let described = try bank.kubectl("describe pod \(pod) -n linkerd")
        let recorded = described.contains("FailedMount") && described.contains("Unable to mount volumes for pod")
        let rejected = try NodeShellTests.sh(bank, node, "journalctl -u kubelet | grep -c 'Server rejected event'")
        #expect(recorded || (Int(rejected) ?? 0) > 0, "describe: \(described); rejected events: \(rejected); \(replay)")

        // The master still holds connections to a member the resize removed.
        let hosts = try NodeShellTests.sh(bank, master, "cat /etc/hosts")
        let removed = hosts.split(separator: "\n").filter { $0.hasSuffix("etcd-old-1") || $0.hasSuffix("etcd-old-2") || $0.hasSuffix("etcd-old-3") }
            .compactMap { $0.split(separator: "\t").first.map(String.init) }
        #expect(removed.count == 3, "\(hosts)")
        let members = try bank.lua("local names = {} for _, m in ipairs(etcd.members()) do names[#names + 1] = m.name end return table.concat(names, ' ')")
        #expect(!members.contains("etcd-old"), "\(members); \(replay)")
        let sockets = try NodeShellTests.sh(bank, master, "ss -tn")
        let stranded = sockets.split(separator: "\n").filter { line in line.hasPrefix("ESTAB") && removed.contains { line.contains(" \($0):2379") } }
        #expect(!stranded.isEmpty, "\(sockets); \(replay)")
    }
}
