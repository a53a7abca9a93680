import Foundation
import Testing
@testable import Simulation

/// A stand-in for a Kubernetes apiserver's storage: one etcd client per resource type, each
/// watching its prefix and writing to it now and then, as the apiserver's watch cache and its
/// registry do. On a restart it builds fresh clients, which is what cured the Monzo apiservers.
final class StorageOwner: SimProcess {
    static let resources = ["pods", "endpoints", "services", "deployments"]
    let version: EtcdClientVersion
    private(set) var clients: [String: EtcdClient] = [:]
    /// Keys each client's watch has reported, by resource.
    private(set) var seen: [String: Set<String>] = [:]
    private var writes = 0

    init(name: String, host: Simulation.Host, version: EtcdClientVersion) {
        self.version = version
        super.init(name: name, host: host)
    }

    override func didStart() {
        clients = [:]
        for resource in StorageOwner.resources { makeClient(for: resource) }
        after(world.random("test/\(name)/writes").span(Span.seconds(1), Span.seconds(3))) { [unowned self] in writeSomething() }
    }

    /// Throws a resource's client away and builds a new one, as an apiserver restart does.
    func makeClient(for resource: String) {
        clients[resource]?.close()
        let client = EtcdClient(owner: self, discoveringMembersWith: version, label: resource)
        clients[resource] = client
        client.watch(WatchRequest(range: .prefix("/registry/\(resource)/"))) { [unowned self] response in
            if case .events(let events, _) = response {
                for event in events { seen[resource, default: []].insert(event.keyValue.key) }
            }
        }
    }

    /// The apiserver's own traffic: a write to a random resource every few seconds.
    private func writeSomething() {
        let random = world.random("test/\(name)/writes")
        let resource = random.element(of: StorageOwner.resources)!
        writes += 1
        clients[resource]?.put("/registry/\(resource)/\(name)-\(writes)", "x") { _ in }
        after(random.span(Span.seconds(1), Span.seconds(3))) { [unowned self] in writeSomething() }
    }

    override func stableHash(into hasher: inout StableHasher) { hasher.combine(writes) }
}

/// The world of the Monzo resize: three zones, one old member in each, nine new instances, and
/// three apiservers holding four storage clients each.
final class ResizeWorld {
    let world: World
    let cluster: EtcdCluster
    let apiservers: [StorageOwner]
    let runbook: EtcdRunbook
    static let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    static let oldHosts = ["etcd-old-1", "etcd-old-2", "etcd-old-3"]
    static let newHostsByZone = [["etcd-1", "etcd-4", "etcd-7"], ["etcd-2", "etcd-5", "etcd-8"], ["etcd-3", "etcd-6", "etcd-9"]]

    /// Builds the world and starts the resize after a minute of normal running. The runbook
    /// terminates each old instance `terminationDelay` after its member was removed.
    init(seed: UInt64, version: EtcdClientVersion, terminationDelay: SimTime = 0) {
        world = World(seed: seed)
        for (zone, old) in zip(ResizeWorld.zones, ResizeWorld.oldHosts) { world.addHost(old, zone: zone) }
        for (zone, hosts) in zip(ResizeWorld.zones, ResizeWorld.newHostsByZone) {
            for host in hosts { world.addHost(host, zone: zone) }
        }
        cluster = EtcdCluster.install(in: world, hosts: ResizeWorld.oldHosts)
        var owners: [StorageOwner] = []
        for (index, zone) in ResizeWorld.zones.enumerated() {
            let owner = StorageOwner(name: "apiserver-\(index + 1)", host: world.addHost("master-\(index + 1)", zone: zone),
                                     version: version)
            world.add(owner)
            world.start(owner)
            owners.append(owner)
        }
        apiservers = owners
        world.advance(by: Span.minutes(1))
        runbook = EtcdRunbook(cluster: cluster, steps: EtcdRunbook.replaceAndGrow(
            oldHosts: ResizeWorld.oldHosts, newHostsByZone: ResizeWorld.newHostsByZone, terminationDelay: terminationDelay))
    }

    /// Runs until the runbook is done, then two more minutes.
    func finish() {
        world.run(until: world.now + Span.minutes(30)) { [unowned self] in runbook.isFinished }
        world.advance(by: Span.minutes(2))
    }

    var clients: [(owner: StorageOwner, resource: String, client: EtcdClient)] {
        apiservers.flatMap { owner in StorageOwner.resources.map { (owner, $0, owner.clients[$0]!) } }
    }

    /// Asks one client for a write and returns how it ended, letting time run up to 10 s.
    func probeWrite(_ client: EtcdClient, key: String) -> Result<TxnResponse, EtcdError>? {
        var outcome: Result<TxnResponse, EtcdError>?
        client.put(key, "probe") { outcome = $0 }
        world.run(until: world.now + Span.seconds(10)) { outcome != nil }
        return outcome
    }
}

@Suite struct EtcdClientBalancerTests {
    /// FIREDRILL_ETCD_RESIZE_SEEDS sets how many seeds of the resize run (default 8).
    static let seeds = seedCount("FIREDRILL_ETCD_RESIZE_SEEDS", default: 8)

    /// Which clients are stuck, judged by behaviour alone: a write times out, and a write by a
    /// healthy client to its prefix never shows up in its watch.
    static func stuckClients(in resize: ResizeWorld) -> [String] {
        let healthy = EtcdClient(owner: resize.cluster.workstation, discoveringMembersWith: .v3_3, label: "probe")
        defer { healthy.close() }
        var stuck: [String] = []
        for (owner, resource, client) in resize.clients {
            let marker = "/registry/\(resource)/probe-\(owner.name)"
            guard case .failure(.deadlineExceeded) = resize.probeWrite(client, key: marker + "-own") else { continue }
            _ = resize.probeWrite(healthy, key: marker)
            resize.world.advance(by: Span.seconds(5))
            if owner.seen[resource]?.contains(marker) != true { stuck.append("\(owner.name)/\(resource)") }
        }
        return stuck
    }

    /// The automation terminates each old instance as soon as its removal returns: the clients
    /// that had not yet heard the removed member's teardown are left on a zombie connection.
    @Test func resizingThreeToNineStrandsSome31ClientsAndNone33() {
        var stuckBySeed: [UInt64: [String]] = [:]
        for seed in 1...UInt64(EtcdClientBalancerTests.seeds) {
            let replay = "replay: FIREDRILL_ETCD_RESIZE_SEEDS=\(seed) swift test --filter EtcdClientBalancerTests"
            let old = ResizeWorld(seed: seed, version: .v3_1)
            old.finish()
            #expect(old.cluster.membership.members.count == 9, "seed \(seed): the resize did not reach nine members; \(replay)")
            let stuck = EtcdClientBalancerTests.stuckClients(in: old)
            for (owner, resource, client) in old.clients where stuck.contains("\(owner.name)/\(resource)") {
                #expect(client.isPinnedConnectionZombie,
                        "seed \(seed): \(owner.name)/\(resource) is stuck but its connection is not a zombie; \(replay)")
                // Stranding is per member: only a terminated old instance leaves clients behind.
                #expect(ResizeWorld.oldHosts.contains { client.pinnedEndpoint?.contains($0) == true },
                        "seed \(seed): \(owner.name)/\(resource) is stuck on \(client.pinnedEndpoint ?? "-"); \(replay)")
                // Re-creating the client (what restarting the apiserver does) cures it.
                owner.makeClient(for: resource)
                old.world.advance(by: Span.seconds(5))
                let cured = old.probeWrite(owner.clients[resource]!, key: "/registry/\(resource)/after-recreate")
                #expect((try? cured?.get()) != nil, "seed \(seed): a re-created client still fails; \(replay)")
            }
            stuckBySeed[seed] = stuck

            let fixed = ResizeWorld(seed: seed, version: .v3_3)
            fixed.finish()
            #expect(EtcdClientBalancerTests.stuckClients(in: fixed).isEmpty, "seed \(seed): a 3.3 client is stuck; \(replay)")
        }
        for seed in stuckBySeed.keys.sorted() {
            print("seed \(seed): 3.1 clients stuck after the 3→9 resize: \(stuckBySeed[seed]!.joined(separator: ", "))")
        }
        #expect(stuckBySeed.values.contains { !$0.isEmpty }, "no seed left a 3.1 client stuck: the Monzo mechanism did not show")
        #expect(stuckBySeed.values.contains { $0.isEmpty }, "every seed stranded a client: each terminate should draw clean or not")
        #expect(Set(stuckBySeed.values.map { $0.joined(separator: ",") }).count > 1, "the same clients got stuck in every seed")
    }
}

/// The balancer versions side by side on a three-member cluster.
@Suite struct EtcdClientFailoverTests {
    func makeWorld() -> (World, EtcdCluster, SimProcess) {
        let world = World(seed: 21)
        for (index, zone) in ResizeWorld.zones.enumerated() { world.addHost("etcd-\(index + 1)", zone: zone) }
        let cluster = EtcdCluster.install(in: world, hosts: ["etcd-1", "etcd-2", "etcd-3"])
        let owner = EtcdWorkstation(name: "apiserver", host: world.addHost("master", zone: ResizeWorld.zones[0]))
        world.add(owner)
        world.start(owner)
        world.advance(by: Span.seconds(3))
        return (world, cluster, owner)
    }

    func put(_ client: EtcdClient, _ key: String, in world: World) -> Result<TxnResponse, EtcdError>? {
        var outcome: Result<TxnResponse, EtcdError>?
        client.put(key, "v") { outcome = $0 }
        world.run(until: world.now + Span.seconds(10)) { outcome != nil }
        return outcome
    }

    final class SeenKeys { var keys: [String] = [] }

    /// A 3.1 client watching `/w/` that has written `/w/1` and seen it.
    func watchingClient(_ owner: SimProcess, _ cluster: EtcdCluster, _ world: World) -> (EtcdClient, SeenKeys) {
        let client = EtcdClient(owner: owner, endpoints: cluster.clientURLs, version: .v3_1)
        let seen = SeenKeys()
        client.watch(WatchRequest(range: .prefix("/w/"))) { if case .events(let batch, _) = $0 { seen.keys += batch.map(\.keyValue.key) } }
        _ = put(client, "/w/1", in: world)
        return (client, seen)
    }

    @Test func a31ClientHangsOnAVanishedMemberAndA33ClientFailsOver() {
        for version in [EtcdClientVersion.v3_1, .v3_3] {
            let (world, cluster, owner) = makeWorld()
            let client = EtcdClient(owner: owner, endpoints: cluster.clientURLs, version: version)
            var events = 0
            client.watch(WatchRequest(range: .prefix("/w/"))) { if case .events(let batch, _) = $0 { events += batch.count } }
            #expect((try? put(client, "/w/1", in: world)?.get()) != nil)
            world.advance(by: Span.seconds(1))
            let pinned = client.pinnedMember!
            world.crash(pinned.host)
            world.advance(by: Span.minutes(1))
            let other = EtcdClient(owner: owner, endpoints: cluster.clientURLs.filter { $0 != pinned.clientURL }, version: .v3_3)
            _ = put(other, "/w/2", in: world)
            world.advance(by: Span.seconds(2))
            let afterCrash = put(client, "/w/3", in: world)
            world.advance(by: Span.seconds(2))
            if version == .v3_1 {
                #expect(client.isPinnedConnectionZombie, "nobody told the 3.1 client its member vanished")
                #expect(afterCrash.map { if case .failure(.deadlineExceeded) = $0 { true } else { false } } == true)
                #expect(events == 1, "its watch stays silent: \(events) events")
            } else {
                #expect(client.pinnedMember !== pinned, "the 3.3 client's keepalive noticed and it failed over")
                #expect((try? afterCrash?.get()) != nil)
                #expect(events == 3, "its watch resumed on the new member without a gap: \(events) events")
            }
        }
    }

    /// Linux aborts a connection whose data goes unacknowledged for 924.6 s (`tcp_retries2`,
    /// ip-sysctl.txt; "~15 minutes, and then success again", etcd-io/etcd#7941): a 3.1 client
    /// that sends on a dead connection heals then, re-pins, and its watch resumes where it was.
    @Test func aStrandedClientThatSendsHealsAfterTheRetransmissionTimeout_tcpRetries2() {
        let (world, cluster, owner) = makeWorld()
        let (client, keys) = watchingClient(owner, cluster, world)
        let pinned = client.pinnedMember!
        world.crash(pinned.host)
        let writer = EtcdClient(owner: owner, endpoints: cluster.clientURLs.filter { $0 != pinned.clientURL }, version: .v3_3)
        _ = put(writer, "/w/2", in: world)
        let firstUnanswered = world.now
        client.put("/w/3", "v") { _ in }
        world.advance(by: Connection.retransmissionTimeout - Span.seconds(5) - (world.now - firstUnanswered))
        #expect(client.isPinnedConnectionZombie, "still believing in its connection before the timeout")
        world.advance(by: Span.seconds(10))
        #expect(!client.isPinnedConnectionZombie && client.pinCount == 2, "re-pinned after ETIMEDOUT")
        _ = put(client, "/w/4", in: world)
        world.advance(by: Span.seconds(1))
        #expect(keys.keys == ["/w/1", "/w/2", "/w/4"], "the watch resumed from its revision: \(keys.keys)")
    }

    /// A watch on a connection that sends nothing never notices (etcd-io/etcd#8980, #5985).
    @Test func aWatchOnlyClientStaysStuck_etcd8980() {
        let (world, cluster, owner) = makeWorld()
        let client = EtcdClient(owner: owner, endpoints: cluster.clientURLs, version: .v3_1)
        var events = 0
        client.watch(WatchRequest(range: .prefix("/w/"))) { if case .events(let batch, _) = $0 { events += batch.count } }
        world.advance(by: Span.seconds(1))
        let pinned = client.pinnedMember!
        world.crash(pinned.host)
        let writer = EtcdClient(owner: owner, endpoints: cluster.clientURLs.filter { $0 != pinned.clientURL }, version: .v3_3)
        _ = put(writer, "/w/1", in: world)
        world.advance(by: Span.hours(1))
        #expect(client.isPinnedConnectionZombie && events == 0, "a quiet client is never told")
    }

    /// A removed member keeps running one second, then exits and closes its connections (etcd
    /// `stopWithDelay(1s)`); a packet already sent arrives even after its sender died.
    @Test func aRemovedMemberExitsAfterOneSecondAndItsClientsHearIt_stopWithDelay() {
        let (world, cluster, owner) = makeWorld()
        let client = EtcdClient(owner: owner, endpoints: cluster.clientURLs, version: .v3_1)
        _ = put(client, "/w/1", in: world)
        let pinned = client.pinnedMember!
        let admin = EtcdClient(owner: owner, endpoints: cluster.clientURLs.filter { $0 != pinned.clientURL }, version: .v3_3)
        var removed = false
        admin.memberRemove(pinned.memberID) { removed = (try? $0.get()) != nil }
        world.run(until: world.now + Span.seconds(5)) { removed }
        #expect(removed && pinned.isRunning, "still running right after its removal")
        let answered = world.now
        world.run(until: world.now + Span.seconds(3)) { !pinned.isRunning }
        #expect(!pinned.isRunning && world.now - answered >= EtcdMember.removedMemberExitDelay - Span.milliseconds(200),
                "exited \(Span.describe(world.now - answered)) after the removal returned")
        // The host vanishes just after: the teardown already on the wire still arrives.
        world.crash(pinned.host)
        world.advance(by: Span.milliseconds(50))
        #expect(!client.isPinnedConnectionZombie, "the client heard the teardown")
    }

    @Test func aCleanStopIsNoticedByEveryVersionAndWatchesResume() {
        let (world, cluster, owner) = makeWorld()
        let (client, keys) = watchingClient(owner, cluster, world)
        let pinned = client.pinnedMember!
        world.stop(pinned, graceful: true)
        let writer = EtcdClient(owner: owner, endpoints: cluster.clientURLs.filter { $0 != pinned.clientURL }, version: .v3_3)
        _ = put(writer, "/w/2", in: world)
        world.advance(by: Span.seconds(3))
        _ = put(client, "/w/3", in: world)
        world.advance(by: Span.seconds(1))
        #expect(client.pinnedMember !== pinned && client.pinCount == 2)
        #expect(keys.keys == ["/w/1", "/w/2", "/w/3"], "the watch resumed from where it was: \(keys.keys)")
    }

    @Test func aClientDiesWithItsOwner() {
        let (world, cluster, owner) = makeWorld()
        let client = EtcdClient(owner: owner, endpoints: cluster.clientURLs, version: .v3_1)
        world.restart(owner)
        #expect(!client.isUsable)
        var answered = false
        client.put("/k", "v") { _ in answered = true }
        world.advance(by: Span.seconds(10))
        #expect(!answered, "a client of a previous incarnation answers nothing")
        let fresh = EtcdClient(owner: owner, endpoints: cluster.clientURLs, version: .v3_1)
        #expect((try? put(fresh, "/k", in: world)?.get()) != nil)
    }
}
