import Testing
@testable import Simulation

/// The cheaper paths (API watches filed by namespace, cluster IPs without a sorted list) do the
/// same thing with less work: a world built on them has, at every checkpoint, the digest of the
/// same world built on the reference paths they replaced. Any event moved, any address changed,
/// and the digests part; an order that changed and settled back still shows in the timeline of
/// when events ran (a reversed delivery order is caught by the timeline, not by the digest).
@Suite struct ReferencePathsTests {
    /// The bank at noon under full traffic, with an apiserver crashed and restarted so that every
    /// watch on it ends and the linkerds and controllers list and watch again.
    @Test func theBankAtNoonIsTheSameWorldOnBothPaths() throws {
        let noon = ScenarioCatalog.named("bank")!.arriving(at: CalendarTime(year: 2017, month: 10, day: 27, hour: 12))
        let cheap = try noon.makeWorld(seed: 7)
        let reference = try World.$buildsOnReferencePaths.withValue(true) { try noon.makeWorld(seed: 7) }
        #expect(reference.usesReferencePaths && !cheap.usesReferencePaths)
        #expect(cheap.digest() == reference.digest() && cheap.timeline == reference.timeline, "after warm-up (seed 7)")
        for world in [cheap, reference] {
            world.advance(by: Span.minutes(2))
            world.crash(world.host(named: "master-1")!)
            world.advance(by: Span.seconds(30))
            world.restart(world.host(named: "master-1")!)
        }
        #expect(cheap.digest() == reference.digest() && cheap.timeline == reference.timeline, "with master-1 crashed (seed 7)")
        for minute in 1...3 {
            cheap.advance(by: Span.minutes(1))
            reference.advance(by: Span.minutes(1))
            #expect(cheap.digest() == reference.digest() && cheap.timeline == reference.timeline, "\(minute) min after master-1 restarted (seed 7)")
        }
        #expect(cheap.executedEventCount == reference.executedEventCount)
    }
}

/// Cluster IPs chosen from the cache as it lies see the same addresses in use as the sorted list
/// did, through any sequence of creates and deletes.
@Suite struct ClusterIPTests {
    /// FIREDRILL_CLUSTER_IP_SEEDS sets how many random sequences are tried (default 3).
    static let seeds = seedCount("FIREDRILL_CLUSTER_IP_SEEDS", default: 3)

    @Test func addressesInUseAreTheSortedListsThroughCreatesAndDeletes() {
        for seed in 1...UInt64(Self.seeds) {
            let (world, cluster) = practiceWorld(seed: seed)
            let random = RandomStream(seed: seed, name: "test/cluster-ips")
            let replay = "seed \(seed); replay: FIREDRILL_CLUSTER_IP_SEEDS=\(seed) swift test --filter ClusterIPTests"
            var created = 0
            for step in 0..<30 {
                let name = "svc-\(random.integer(in: 0..<12))"
                if random.chance(0.35) {
                    cluster.operatorConsole.client.delete(.services, namespace: "default", name: name)
                } else {
                    let service = Service(metadata: ObjectMeta(name: name, namespace: "default"), ports: [ServicePort(port: 80)], selector: ["app": name])
                    cluster.operatorConsole.client.create(service) { if case .success = $0 { created += 1 } }
                }
                world.advance(by: Span.seconds(2))
                for server in cluster.apiServers {
                    let inUse = server.clusterIPsInUse(fromSortedList: false)
                    #expect(inUse == server.clusterIPsInUse(fromSortedList: true), "\(server.name), step \(step), \(replay)")
                    let services = server.storages[.services]!.objects.values.compactMap { $0 as? Service }
                    #expect(inUse.count == services.count, "every service has an address of its own; \(server.name), step \(step), \(replay)")
                }
            }
            #expect(created > 5, "the sequence created services (\(replay))")
        }
    }
}
