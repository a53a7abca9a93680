/// One-way delays between hosts: a base plus uniform jitter, by how far apart the hosts are.
public struct LatencyModel: Sendable {
    public var sameHost: ClosedRange<SimTime> = Span.microseconds(20)...Span.microseconds(60)
    public var sameZone: ClosedRange<SimTime> = Span.microseconds(200)...Span.microseconds(600)
    public var crossZone: ClosedRange<SimTime> = Span.microseconds(800)...Span.microseconds(2_000)

    public init() {}
}

/// A cut between groups of hosts. Each group lists zone or host names; hosts named in no group
/// form one more group of their own ("the rest"). Hosts in different groups cannot talk.
public struct Partition: Sendable, Equatable {
    public let groups: [[String]]

    public init(groups: [[String]]) { self.groups = groups }

    func group(of host: Host) -> Int {
        for (index, names) in groups.enumerated() where names.contains(host.name) || names.contains(host.zone) {
            return index
        }
        return -1
    }

    func separates(_ first: Host, _ second: Host) -> Bool { group(of: first) != group(of: second) }
}

/// Messages slowed or lost on the way from hosts matching `from` to hosts matching `to` (zone or
/// host names; nil matches every host).
public struct Clog: Sendable, Equatable {
    public var from: String?
    public var to: String?
    public var extraDelay: SimTime
    public var dropProbability: Double
    public var bothWays: Bool

    public init(from: String? = nil, to: String? = nil, extraDelay: SimTime = 0,
                dropProbability: Double = 0, bothWays: Bool = true) {
        (self.from, self.to, self.extraDelay) = (from, to, extraDelay)
        (self.dropProbability, self.bothWays) = (dropProbability, bothWays)
    }

    func applies(from source: Host, to destination: Host) -> Bool {
        func matches(_ name: String?, _ host: Host) -> Bool { name == nil || name == host.name || name == host.zone }
        if matches(from, source) && matches(to, destination) { return true }
        return bothWays && matches(from, destination) && matches(to, source)
    }
}

/// The network between hosts: latency, loss, clogs and partitions for every message, and the
/// long-lived connections that protocols such as gRPC keep open.
public final class Network {
    public var latency = LatencyModel()
    /// Loss applied to every message between different hosts, on top of clogs.
    public var dropProbability: Double = 0
    public private(set) var partitions: [Partition] = []
    public private(set) var clogs: [Clog] = []
    public private(set) var sentCount: UInt64 = 0
    public private(set) var droppedCount: UInt64 = 0
    var connections: [Connection] = []
    private var nextConnectionID = 1
    /// Unowned without checks: the world owns its network and outlives it, and this reference is
    /// read for every message (a checked unowned reference costs atomic operations each time).
    private unowned(unsafe) let world: World
    private let random: RandomStream

    init(world: World) {
        self.world = world
        self.random = world.random("kernel/network")
    }

    // MARK: Faults

    public func partition(_ partition: Partition) { partitions.append(partition) }
    public func clog(_ clog: Clog) { clogs.append(clog) }

    /// Removes every partition and clog.
    public func heal() {
        partitions.removeAll()
        clogs.removeAll()
    }

    /// False when a partition separates the two hosts or either is down.
    public func canReach(from source: Host, to destination: Host) -> Bool {
        guard source.isUp, destination.isUp else { return false }
        if source === destination { return true }
        for partition in partitions where partition.separates(source, destination) { return false }
        return true
    }

    /// Whether a message already sent arrives: its destination must be up and no partition may
    /// stand between the hosts. The sender may have died since: a packet on the wire still
    /// arrives (`reference/etcd-client-failures.md`, "What a removed member does").
    func canDeliver(from source: Host, to destination: Host) -> Bool {
        guard destination.isUp else { return false }
        if source === destination { return true }
        for partition in partitions where partition.separates(source, destination) { return false }
        return true
    }

    // MARK: Messages

    /// Sends one message: it arrives after the link's latency unless it is lost on the way, or a
    /// partition or a host failure stands between the ends when it would arrive.
    public func send(from source: Host, to destination: Host, _ deliver: @escaping () -> Void) {
        var unordered = SimTime.min
        send(from: source, to: destination, notBefore: &unordered, deliver)
    }

    /// Sends one message that may not overtake the previous one on the same stream: it arrives
    /// no earlier than `previousArrival`, which is then moved to its arrival. A long-lived
    /// connection is a TCP stream, which delivers in order.
    func send(from source: Host, to destination: Host, notBefore previousArrival: inout SimTime,
              _ deliver: @escaping () -> Void) {
        sentCount += 1
        guard let transit = transitDelay(from: source, to: destination) else {
            droppedCount += 1
            return
        }
        let arrival = max(world.now + transit, previousArrival)
        previousArrival = arrival
        let delay = arrival - world.now
        // The delivery lives in the world's queue, which the world owns, as it owns this network
        // and every host: unchecked references need no reference counting.
        world.schedule(after: delay) { [unowned(unsafe) self, unowned(unsafe) source, unowned(unsafe) destination] in
            guard self.canDeliver(from: source, to: destination) else {
                self.droppedCount += 1
                return
            }
            deliver()
        }
    }

    /// Sends a message that is its own delivery event: what `send(from:to:_:)` does, with one
    /// allocation (the message) where a closure send makes two (the payload's closure and the
    /// network's). For the hottest traffic, Raft's.
    func send(from source: Host, to destination: Host, _ message: NetworkMessage) {
        sentCount += 1
        guard let transit = transitDelay(from: source, to: destination) else {
            droppedCount += 1
            return
        }
        (message.network, message.source, message.destination) = (self, source, destination)
        world.schedule(after: transit, message)
    }

    /// A message in flight lost to a partition or a host failure on arrival.
    fileprivate func arrivalFailed() { droppedCount += 1 }

    /// The one-way delay a message would take now, or nil if it is lost.
    public func transitDelay(from source: Host, to destination: Host) -> SimTime? {
        guard canReach(from: source, to: destination) else { return nil }
        var delay = baseDelay(from: source, to: destination)
        if source !== destination {
            if dropProbability > 0, random.chance(dropProbability) { return nil }
            for clog in clogs where clog.applies(from: source, to: destination) {
                if clog.dropProbability > 0, random.chance(clog.dropProbability) { return nil }
                delay += clog.extraDelay
            }
        }
        return delay
    }

    private func baseDelay(from source: Host, to destination: Host) -> SimTime {
        let range: ClosedRange<SimTime>
        if source === destination {
            range = latency.sameHost
        } else if source.zone == destination.zone {
            range = latency.sameZone
        } else {
            range = latency.crossZone
        }
        return random.span(range.lowerBound, range.upperBound)
    }

    // MARK: Connections

    /// Opens a connection from `client` to `server`. The dial takes a round trip; it fails with
    /// `.refused` if the server's host answers but nothing listens, and with `.timedOut` after
    /// `timeout` if nothing answers at all.
    public func dial(from client: SimProcess, to server: SimProcess, timeout: SimTime,
                     completion: @escaping (Result<Connection, DialError>) -> Void) {
        let clientIncarnation = client.incarnation
        var finished = false
        let finish: (Result<Connection, DialError>) -> Void = { result in
            guard !finished else { return }
            finished = true
            guard client.isCurrent(clientIncarnation) else {
                if case .success(let connection) = result { connection.abandon() }
                return
            }
            completion(result)
        }
        world.schedule(after: timeout) { finish(.failure(.timedOut)) }
        send(from: client.host, to: server.host) { [unowned self] in
            guard server.isRunning else {
                self.send(from: server.host, to: client.host) { finish(.failure(.refused)) }
                return
            }
            let connection = Connection(id: self.nextConnectionID, client: client, server: server, network: self)
            self.nextConnectionID += 1
            self.connections.append(connection)
            self.send(from: server.host, to: client.host) { finish(.success(connection)) }
        }
    }

    /// Called when a process stops. A clean stop sends a teardown to each peer, which the network
    /// may lose like any message; a crash sends nothing. Peers that never hear of it keep a
    /// connection that looks open: a zombie.
    func processStopped(_ process: SimProcess, graceful: Bool) {
        for connection in connections where connection.isOpenOnEitherSide && connection.involves(process) {
            connection.endStopped(process, graceful: graceful)
        }
        connections.removeAll { !$0.isOpenOnEitherSide }
    }

    /// Simulated time, for connections' own timers.
    var now: SimTime { world.now }

    func schedule(at time: SimTime, _ action: @escaping () -> Void) { world.schedule(at: time, action) }

    func forget(_ connection: Connection) {
        connections.removeAll { $0 === connection }
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(sentCount)
        hasher.combine(droppedCount)
        hasher.combine(dropProbability)
        hasher.combine(partitions.count)
        for partition in partitions { hasher.combine(partition.groups.map { $0.joined(separator: ",") }) }
        hasher.combine(clogs.count)
        for clog in clogs {
            hasher.combine(clog.from ?? "*"); hasher.combine(clog.to ?? "*")
            hasher.combine(clog.extraDelay); hasher.combine(clog.dropProbability); hasher.combine(clog.bothWays)
        }
        hasher.combine(connections.count)
        for connection in connections { connection.stableHash(into: &hasher) }
    }
}

public enum DialError: Error, Equatable, Sendable {
    case refused
    case timedOut

    public var message: String {
        switch self {
        case .refused: "connection refused"
        case .timedOut: "dial timeout"
        }
    }
}

/// A message that carries its own delivery (see `Network.send(from:to:_:)`): subclasses hold
/// the payload and say what arriving means in `deliver()`. Like a closure send, it is dropped
/// on arrival if a partition or a host failure stands between the ends by then.
class NetworkMessage: EventTarget {
    /// Unchecked: the world owns the network and the hosts, and this message lives in its queue.
    fileprivate unowned(unsafe) var network: Network!
    fileprivate unowned(unsafe) var source: Host!
    fileprivate unowned(unsafe) var destination: Host!

    final func fire() {
        guard network.canDeliver(from: source, to: destination) else {
            network.arrivalFailed()
            return
        }
        deliver()
    }

    func deliver() {}
}
