import Foundation
import Testing
@testable import Simulation

/// Raft's safety under chaos: for each seed, a cluster of three to five members takes writes
/// and linearizable reads from three clients while hosts crash and come back, partitions cut it,
/// links drop and delay (and so reorder) messages, disks slow down, processes restart and
/// members are added and removed. Safety must hold throughout, and every single-key history the
/// clients saw must be linearizable. Half the seeds lose no messages in the background, so the
/// quiet leader (heartbeats only to followers it has been silent toward) is swept too.
///
/// FIREDRILL_ETCD_SAFETY_SEEDS sets the sweep (default 1,000, as the issue asks);
/// FIREDRILL_ETCD_SAFETY_SEED=N runs one seed. Each seed is short (12 simulated seconds of
/// chaos, 4 of calm) so that 1,000 of them fit in CI's debug build.
@Suite struct EtcdSafetyTests {
    static let seeds = seedCount("FIREDRILL_ETCD_SAFETY_SEEDS", default: 1_000)

    /// The sweep runs in four interleaved parts, which Swift Testing runs in parallel.
    @Test(arguments: 0..<4)
    func safetyHoldsUnderChaos(part: Int) {
        let single = ProcessInfo.processInfo.environment["FIREDRILL_ETCD_SAFETY_SEED"].flatMap(UInt64.init)
        let all: [UInt64] = single.map { [$0] } ?? Array(1...UInt64(max(EtcdSafetyTests.seeds, 1)))
        let seeds = all.filter { Int($0 % 4) == part }
        guard !seeds.isEmpty else { return }
        var seedsWithProgress = 0
        var totalElections = 0
        for seed in seeds {
            let run = EtcdChaosRun(seed: seed)
            run.execute()
            let replay = "replay: FIREDRILL_ETCD_SAFETY_SEED=\(seed) swift test --filter EtcdSafetyTests"
            #expect(run.checker.violations.isEmpty, "seed \(seed): \(run.checker.violations.joined(separator: "; ")); \(replay)")
            for (key, history) in run.histories.sorted(by: { $0.key < $1.key }) {
                #expect(LinearizabilityChecker.isLinearizable(history),
                        "seed \(seed): the history of \(key) is not linearizable (\(history.count) operations); \(replay)")
            }
            if run.completedOperations >= 20 { seedsWithProgress += 1 }
            totalElections += run.checker.electionCount
        }
        // Guard against a sweep that proves nothing because the cluster never did anything.
        #expect(seedsWithProgress * 10 >= seeds.count * 8, "only \(seedsWithProgress) of \(seeds.count) seeds made progress")
        #expect(totalElections >= seeds.count, "only \(totalElections) elections in \(seeds.count) seeds")
    }
}

/// One seed's run: the cluster, the clients with their histories, and the chaos.
final class EtcdChaosRun {
    let world: World
    let cluster: EtcdCluster
    let checker = EtcdSafetyChecker()
    private(set) var histories: [String: [RegisterOperation]] = [:]
    private(set) var completedOperations = 0
    private let random: RandomStream
    private let hostNames = (1...5).map { "etcd-\($0)" }
    private let zones = ["zone-a", "zone-b", "zone-c"]
    private var clients: [EtcdClient] = []
    private var administrator: EtcdClient!
    private var chaosEnds: SimTime = 0
    static let keys = ["k0", "k1", "k2"]

    init(seed: UInt64) {
        world = World(seed: seed)
        random = world.random("test/etcd-chaos")
        for (index, name) in hostNames.enumerated() { world.addHost(name, zone: zones[index % 3]) }
        var configuration = EtcdMemberConfiguration()
        configuration.snapshotCount = 40
        configuration.snapshotCatchUpEntries = 10
        configuration.raft.preVote = random.chance(0.5)
        configuration.requestTimeout = Span.seconds(2)
        let initialCount = random.chance(0.3) ? 5 : 3
        cluster = EtcdCluster.install(in: world, hosts: Array(hostNames.prefix(initialCount)), configuration: configuration)
        cluster.observer = checker
        // Half the seeds have no background loss, so that between partitions and clogs the
        // network is calm and leaders go quiet (sparse heartbeats, members asleep between
        // deadlines) while hosts crash, disks slow down and membership changes.
        world.network.dropProbability = random.chance(0.5) ? random.uniform(0, 0.03) : 0
    }

    func execute() {
        startClients()
        chaosEnds = Span.seconds(12)
        world.schedule(after: Span.seconds(1)) { [unowned self] in chaos() }
        world.run(until: chaosEnds)
        calmDown()
        world.run(until: chaosEnds + Span.seconds(4))
        checker.checkLogMatching(cluster.processes)
    }

    // MARK: Clients

    private func startClients() {
        var configuration = EtcdClientConfiguration()
        configuration.requestTimeout = Span.seconds(1)
        configuration.dialTimeout = Span.milliseconds(500)
        configuration.keepAliveTime = Span.seconds(2)
        configuration.keepAliveTimeout = Span.seconds(1)
        configuration.redialBackoffMaximum = Span.seconds(2)
        let endpoints = hostNames.map { EtcdCluster.clientURL(host: $0) }
        for index in 0..<3 {
            let host = world.addHost("client-\(index)", zone: zones[index])
            let process = EtcdWorkstation(name: "client-\(index)", host: host)
            world.add(process)
            world.start(process)
            let client = EtcdClient(owner: process, endpoints: endpoints, version: .v3_3, label: "chaos", configuration: configuration)
            clients.append(client)
            world.schedule(after: Span.milliseconds(Int64(200 + index * 7))) { [unowned self] in nextOperation(client: index) }
        }
        administrator = EtcdClient(owner: cluster.workstation, endpoints: endpoints, version: .v3_3, label: "admin",
                                   configuration: configuration)
    }

    private func nextOperation(client index: Int) {
        guard world.now < chaosEnds + Span.seconds(3) else { return }
        let client = clients[index]
        let key = random.element(of: EtcdChaosRun.keys)!
        let invokedAt = world.now
        let scheduleNext = { [unowned self] in
            world.schedule(after: random.span(Span.milliseconds(5), Span.milliseconds(60))) { [unowned self] in
                nextOperation(client: index)
            }
        }
        if random.chance(0.5) {
            let value = "c\(index)-\(invokedAt)"
            client.put(key, value) { [unowned self] result in
                let returned: SimTime? = (try? result.get()) == nil ? nil : world.now
                if returned != nil { completedOperations += 1 }
                histories[key, default: []].append(RegisterOperation(client: index, invokedAt: invokedAt, returnedAt: returned,
                                                                      kind: .write(value)))
                scheduleNext()
            }
        } else {
            client.get(key) { [unowned self] result in
                if case .success(let response) = result {
                    completedOperations += 1
                    histories[key, default: []].append(RegisterOperation(client: index, invokedAt: invokedAt, returnedAt: world.now,
                                                                          kind: .read(response.keyValues.first?.value)))
                }
                scheduleNext()
            }
        }
    }

    // MARK: Chaos

    private var etcdHosts: [Simulation.Host] { hostNames.compactMap { world.host(named: $0) } }

    private func chaos() {
        guard world.now < chaosEnds else { return }
        switch random.integer(in: 0..<10) {
        case 0, 1: crashHost()
        case 2: restartAHost()
        case 3: partition()
        case 4: world.network.heal()
        case 5: clog()
        case 6: slowDisk()
        case 7: restartProcess()
        default: changeMembership()
        }
        world.schedule(after: random.span(Span.milliseconds(300), Span.seconds(2))) { [unowned self] in chaos() }
    }

    private func crashHost() {
        let up = etcdHosts.filter(\.isUp)
        // Keep at least two etcd hosts up so that progress stays possible most of the time.
        guard up.count > 2, let victim = random.element(of: up) else { return restartAHost() }
        world.crash(victim)
    }

    private func restartAHost() {
        if let down = random.element(of: etcdHosts.filter { !$0.isUp }) { world.restart(down) }
    }

    private func partition() {
        var names = hostNames + clients.map { $0.owner.host.name } + [cluster.workstation.host.name]
        random.shuffle(&names)
        let cut = random.integer(in: 1..<names.count)
        world.network.partition(Partition(groups: [Array(names[..<cut]), Array(names[cut...])]))
    }

    private func clog() {
        let place = random.chance(0.5) ? random.element(of: zones)! : random.element(of: hostNames)!
        world.network.clog(Clog(from: place, extraDelay: random.span(Span.milliseconds(5), Span.milliseconds(300)),
                                dropProbability: random.uniform(0, 0.3), bothWays: random.chance(0.5)))
    }

    private func slowDisk() {
        guard let member = random.element(of: cluster.processes) else { return }
        member.configuration.diskSyncLatency = random.chance(0.5)
            ? random.span(Span.milliseconds(50), Span.milliseconds(1_500)) : Span.milliseconds(2)
    }

    private func restartProcess() {
        guard let member = random.element(of: cluster.processes.filter(\.isRunning)) else { return }
        world.restart(member)
    }

    private func changeMembership() {
        let membership = cluster.membership
        let memberHosts = Set(membership.sortedMembers.flatMap(\.peerURLs).map(EtcdCluster.hostPart(of:)))
        let free = hostNames.filter { !memberHosts.contains($0) && world.host(named: $0)!.isUp }
        if membership.members.count < 5, random.chance(0.6), let host = random.element(of: free) {
            administrator.memberAdd(peerURLs: [EtcdCluster.peerURL(host: host)]) { [unowned self] result in
                guard case .success = result else { return }
                _ = try? cluster.startMember(named: host)
            }
        } else if membership.members.count > 3, let victim = random.element(of: membership.sortedMembers) {
            administrator.memberRemove(victim.id) { _ in }
        }
    }

    private func calmDown() {
        world.network.heal()
        world.network.dropProbability = 0
        for host in etcdHosts where !host.isUp { world.restart(host) }
        for member in cluster.processes { member.configuration.diskSyncLatency = Span.milliseconds(2) }
    }
}
