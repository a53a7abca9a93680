import Testing
@testable import Simulation

/// Raft when nothing happens: an idle cluster on a calm network heartbeats each follower about
/// twice a second instead of ten times and its members sleep between deadlines; a fault brings
/// back a heartbeat every tick; and a leader that dies is still replaced as quickly.
@Suite struct QuietRaftTests {
    /// Nine members over three zones, run until they have elected a leader.
    static func electedCluster(seed: UInt64 = 5) -> (World, EtcdCluster) {
        let world = World(seed: seed)
        let zones = ["zone-a", "zone-b", "zone-c"]
        let hosts = (1...9).map { "etcd-\($0)" }
        for (index, host) in hosts.enumerated() { world.addHost(host, zone: zones[index % 3]) }
        let cluster = EtcdCluster.install(in: world, hosts: hosts)
        world.advance(by: Span.seconds(5))
        return (world, cluster)
    }

    /// Messages sent and events run per simulated second over `span`.
    static func rates(_ world: World, over span: SimTime) -> (messages: Double, events: Double) {
        let (sent, executed) = (world.network.sentCount, world.executedEventCount)
        world.advance(by: span)
        let seconds = Span.asSeconds(span)
        return (Double(world.network.sentCount - sent) / seconds, Double(world.executedEventCount - executed) / seconds)
    }

    @Test func anIdleClusterIsQuiet() {
        let (world, cluster) = QuietRaftTests.electedCluster()
        let leader = cluster.leader
        #expect(leader != nil, "no leader after 5 s")
        let idle = QuietRaftTests.rates(world, over: Span.seconds(60))
        // Ticking, the leader heartbeats 8 followers 10 times a second and each answers: 160
        // messages, plus 90 ticks. Quiet, each follower hears from it every half second.
        #expect(idle.messages <= 40, "an idle nine-member cluster sent \(idle.messages) messages a second")
        #expect(idle.events <= 60, "an idle nine-member cluster ran \(idle.events) events a second")
        #expect(cluster.leader === leader && cluster.leader?.term == leader?.term, "quiet heartbeats cost the leader its term")
    }

    /// Sleeping members, alarms brought forward and heartbeats left out must replay exactly. The
    /// digest is printed so that two processes can be compared too (run the suite twice).
    @Test func aQuietClusterReplaysExactly() {
        var digests: [UInt64] = []
        for _ in 0..<2 {
            let (world, cluster) = QuietRaftTests.electedCluster(seed: 9)
            world.advance(by: Span.seconds(20))
            world.crash(cluster.leader!.host)
            world.advance(by: Span.seconds(20))
            digests.append(world.digest())
        }
        print("quiet cluster, seed 9: digest \(String(digests[0], radix: 16))")
        #expect(digests[0] == digests[1], "the same seed gave two worlds")
    }

    @Test func aFaultBringsBackAHeartbeatEveryTick() {
        let (world, cluster) = QuietRaftTests.electedCluster()
        world.network.clog(Clog(from: "zone-c", extraDelay: Span.milliseconds(1)))
        world.advance(by: Span.seconds(1))
        let clogged = QuietRaftTests.rates(world, over: Span.seconds(10))
        #expect(clogged.messages >= 150, "under a clog the leader sent only \(clogged.messages) messages a second")
        world.network.heal()
        world.advance(by: Span.seconds(1))
        let healed = QuietRaftTests.rates(world, over: Span.seconds(10))
        #expect(healed.messages <= 40, "after healing the cluster still sent \(healed.messages) messages a second")
        #expect(cluster.leader != nil)
    }

    /// A quiet follower last heard from its leader up to half a second ago, so it may campaign
    /// that much sooner after a crash than a ticking one, but no sooner than half an election
    /// timeout; and the cluster still has a new leader within two election timeouts at most.
    @Test(arguments: 1...5 as ClosedRange<UInt64>)
    func aCrashedQuietLeaderIsReplacedInAnElectionTimeout(seed: UInt64) {
        let (world, cluster) = QuietRaftTests.electedCluster(seed: seed)
        world.advance(by: Span.seconds(30))
        guard let leader = cluster.leader else { Issue.record("seed \(seed): no leader"); return }
        let term = leader.term
        world.crash(leader.host)
        let crashedAt = world.now
        let ranOut = world.run(until: crashedAt + Span.seconds(4)) {
            cluster.leader.map { $0 !== leader && $0.term > term } ?? false
        }
        #expect(!ranOut, "seed \(seed): no new leader within 4 s of the crash")
        let took = world.now - crashedAt
        print("seed \(seed): a new leader \(Span.asSeconds(took)) s after the crash")
        #expect(took >= Span.milliseconds(500),
                "seed \(seed): a new leader \(Span.asSeconds(took)) s after the crash")
    }
}
