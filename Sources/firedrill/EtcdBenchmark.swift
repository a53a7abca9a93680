import Foundation
import Simulation

extension Benchmarks {
    /// Simulated seconds per wall second for a nine-member etcd across three zones taking
    /// 1,000 writes a second (one put per millisecond over a thousand keys, through a 3.3
    /// client) with three prefix watchers on different members.
    static func etcdSimulationSpeed() -> Double {
        let warmUp = Span.seconds(5)
        let measured = Span.seconds(20)
        var world: World!
        let elapsed = seconds(repetitions: 3) {
            world = makeEtcdBenchmarkWorld()
            world.advance(by: warmUp)
        } measuring: {
            world.advance(by: measured)
        }
        return (Span.asSeconds(measured) / elapsed).rounded()
    }

    /// Like `seconds(repetitions:_:)`, but only `body` is timed; `setUp` runs before each.
    static func seconds(repetitions: Int, _ setUp: () -> Void, measuring body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<repetitions {
            setUp()
            let start = clockNanoseconds()
            body()
            best = min(best, Double(clockNanoseconds() - start) / 1e9)
        }
        return best
    }

    static func makeEtcdBenchmarkWorld() -> World {
        let world = World(seed: 11)
        let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
        var hosts: [String] = []
        for index in 1...9 {
            world.addHost("etcd-\(index)", zone: zones[(index - 1) % 3])
            hosts.append("etcd-\(index)")
        }
        EtcdCluster.install(in: world, hosts: hosts)
        let writer = BenchmarkWriter(name: "writer", host: world.addHost("writer", zone: zones[0]))
        world.add(writer)
        world.start(writer)
        for (index, zone) in zones.enumerated() {
            let watcher = BenchmarkWatcher(name: "watcher-\(index)", host: world.addHost("watcher-\(index)", zone: zone),
                                           endpoint: EtcdCluster.clientURL(host: hosts[index * 3]), prefix: "/bench/\(index)")
            world.add(watcher)
            world.start(watcher)
        }
        return world
    }
}

/// Puts one key every millisecond.
final class BenchmarkWriter: SimProcess {
    private var client: EtcdClient!
    private(set) var written = 0

    override func didStart() {
        client = EtcdClient(owner: self, discoveringMembersWith: .v3_3, label: "bench")
        writeNext()
    }

    private func writeNext() {
        written += 1
        client.put("/bench/\(written % 10)/\(written % 1_000)", "value-\(written)") { _ in }
        after(Span.milliseconds(1)) { [unowned self] in writeNext() }
    }
}

/// Watches one prefix on one member.
final class BenchmarkWatcher: SimProcess {
    let endpoint: String
    let prefix: String
    private var client: EtcdClient!
    private(set) var events = 0

    init(name: String, host: Simulation.Host, endpoint: String, prefix: String) {
        self.endpoint = endpoint
        self.prefix = prefix
        super.init(name: name, host: host)
    }

    override func didStart() {
        client = EtcdClient(owner: self, endpoints: [endpoint], version: .v3_3, label: "bench-watch")
        client.watch(WatchRequest(range: .prefix(prefix))) { [unowned self] response in
            if case .events(let batch, _) = response { events += batch.count }
        }
    }
}
