import Testing
@testable import Simulation

/// The apiservers' etcd compactor: etcd keeps about one compaction interval of history, the
/// apiservers share the work, and a watch resuming from before the compaction point is refused,
/// which sends the apiserver's cache back to a fresh list.
@Suite struct KubernetesCompactionTests {
    func apiServerLog(_ server: APIServer) -> [String] {
        server.cluster.logs.lines(LogStore.StreamKey(namespace: "kube-system", pod: server.podName, container: "kube-apiserver")).map(\.text)
    }

    func compactedRevisions(_ server: APIServer) -> [Int64] {
        apiServerLog(server).compactMap { line in
            guard let range = line.range(of: "etcd: compacted rev (") else { return nil }
            return Int64(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    @Test func everyFiveMinutesEtcdIsCompactedToWhereItWasFiveMinutesEarlier() {
        let (world, cluster) = practiceWorld()
        let etcd = world.component(EtcdCluster.self)!
        let server = cluster.apiServers[0]
        // The warm-up ran the first round at five minutes, which only starts the compactor's clock.
        #expect(compactedRevisions(server).isEmpty)
        let revisionAtFirstRound = etcd.leader!.state.store.revision
        world.advance(by: Span.minutes(5) + Span.seconds(30))
        let compacted = compactedRevisions(server)
        #expect(compacted.count == 1, "one compaction in the second round: \(compacted)")
        #expect(abs((compacted.first ?? 0) - revisionAtFirstRound) <= 5,
                "it compacts to the revision of the round before: \(compacted) against about \(revisionAtFirstRound)")
        for member in etcd.processes where member.isRunning {
            #expect(member.state.store.compactedRevision == compacted.first, "\(member.name) compacted as the log said")
        }
        world.advance(by: Span.minutes(10))
        #expect(compactedRevisions(server).count == 3)
        #expect(apiServerLog(server).allSatisfy { !$0.contains("compact failed") })
    }

    @Test func threeApiserversShareTheWorkThroughTheCompactionKey() {
        let (world, cluster) = LoadPlatform.makeOnEtcd(seed: 3, etcdMemberCount: 3, nodeCount: 3, deploymentCount: 1, replicas: 2) {
            $0.etcdCompactionInterval = Span.minutes(1)
        }
        world.advance(by: Span.minutes(10) + Span.seconds(30))
        let counts = cluster.apiServers.map(\.compactionCount)
        // Ten rounds each; the first success only starts the clock, and a loser waits a round.
        #expect((6...10).contains(counts.reduce(0, +)), "about one compaction a minute between them: \(counts)")
        let etcd = world.component(EtcdCluster.self)!
        let store = etcd.leader!.state.store
        #expect(store.compactedRevision > 1 && store.value(of: StorageCompactor.key) != nil)
    }

    /// An apiserver cut off from etcd for longer than two compaction intervals comes back to a
    /// history that no longer reaches where its watches stood: etcd refuses the resumed watches
    /// ("required revision has been compacted") and each cache lists afresh, which is how the API
    /// watches it served end with 410 Gone for their clients.
    @Test func aCacheThatFellBehindCompactionListsAgain() {
        let (world, cluster) = LoadPlatform.makeOnEtcd(seed: 5, etcdMemberCount: 3, nodeCount: 3, deploymentCount: 1, replicas: 2,
                                                       version: .v1_10) { $0.etcdCompactionInterval = Span.minutes(1) }
        world.advance(by: Span.minutes(2))
        let isolated = cluster.apiServers[0]
        world.network.partition(Partition(groups: [[isolated.host.name]]))
        world.advance(by: Span.minutes(3))
        world.network.heal()
        world.advance(by: Span.minutes(1))
        let log = apiServerLog(isolated)
        #expect(log.contains { $0.contains("watch chan error: etcdserver: mvcc: required revision has been compacted") },
                "the resumed etcd watches were refused")
        let reference = cluster.apiServers[1]
        for resource in [Resource.nodes, .pods] {
            #expect(isolated.isCacheReady(resource))
            #expect(isolated.cachedObjects(resource).map(\.storageKey) == reference.cachedObjects(resource).map(\.storageKey),
                    "the relisted \(resource) cache agrees with the others")
        }
    }
}
