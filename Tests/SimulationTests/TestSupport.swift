import Foundation
@testable import Simulation

/// How many seeds a sweep covers: the environment variable if set (a soak), else the default.
func seedCount(_ variable: String, default defaultCount: Int) -> Int {
    ProcessInfo.processInfo.environment[variable].flatMap(Int.init) ?? defaultCount
}

/// A process that keeps a connection to a peer and exchanges pings with it, redialling when the
/// connection is reset: enough traffic and state to exercise the kernel under faults.
final class PingProcess: SimProcess {
    var peer: PingProcess?
    var connection: Connection?
    var received = 0
    var redials = 0
    /// Durable: survives restarts, like a counter on disk.
    var lifetimeReceived = 0

    override func didStart() {
        received = 0
        connection = nil
        dial()
        tick()
    }

    override func willStop() {
        connection = nil
    }

    private func dial() {
        guard let peer else { return }
        world.network.dial(from: self, to: peer, timeout: Span.seconds(1)) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let connection):
                self.connection = connection
                connection.onClosedAtClient = { [weak self] in
                    self?.connection = nil
                    self?.redials += 1
                    self?.after(Span.milliseconds(100)) { self?.dial() }
                }
            case .failure:
                self.redials += 1
                self.after(Span.milliseconds(500)) { self.dial() }
            }
        }
    }

    private func tick() {
        if let connection, let peer {
            connection.sendToServer { peer.receivePing() }
        }
        after(world.random("test/ping/\(name)").span(Span.milliseconds(50), Span.milliseconds(150))) { [weak self] in
            self?.tick()
        }
    }

    func receivePing() {
        received += 1
        lifetimeReceived += 1
    }

    override func stableHash(into hasher: inout StableHasher) {
        hasher.combine(received)
        hasher.combine(lifetimeReceived)
        hasher.combine(redials)
        hasher.combine(connection?.id ?? -1)
    }
}

/// A world of pinging processes on hosts in three zones, with faults drawn from the seed.
func makeChaosWorld(seed: UInt64, hostCount: Int = 6) -> World {
    let world = World(seed: seed)
    let zones = ["zone-a", "zone-b", "zone-c"]
    var processes: [PingProcess] = []
    for index in 0..<hostCount {
        let host = world.addHost("host-\(index)", zone: zones[index % zones.count])
        let process = PingProcess(name: "ping-\(index)", host: host)
        world.add(process)
        processes.append(process)
    }
    for (index, process) in processes.enumerated() { process.peer = processes[(index + 1) % processes.count] }
    for process in processes { world.start(process) }
    world.network.dropProbability = 0.01
    scheduleChaos(in: world, zones: zones)
    return world
}

/// Every few seconds, a random fault or repair.
func scheduleChaos(in world: World, zones: [String]) {
    let random = world.random("test/chaos")
    func next() {
        let hosts = Array(world.hosts.values)
        switch random.integer(in: 0..<6) {
        case 0: world.crash(random.element(of: hosts)!)
        case 1: world.restart(random.element(of: hosts)!)
        case 2: world.network.partition(Partition(groups: [[random.element(of: zones)!]]))
        case 3: world.network.clog(Clog(from: random.element(of: zones)!, extraDelay: Span.milliseconds(200), dropProbability: 0.2))
        case 4: world.network.heal()
        default:
            if let process = random.element(of: Array(world.processes.values)), process.host.isUp {
                world.restart(process)
            }
        }
        world.schedule(after: random.span(Span.seconds(1), Span.seconds(5)), next)
    }
    world.schedule(after: Span.seconds(2), next)
}
