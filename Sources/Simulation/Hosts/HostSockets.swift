/// One TCP socket as `ss -tn` shows it on a host.
public struct HostSocket: Equatable, Sendable {
    public let state: String
    public let receiveQueue: Int
    /// Bytes sent and not acknowledged: what waits on a connection whose far end is gone.
    public let sendQueue: Int
    public let localAddress: String
    public let localPort: Int
    public let peerAddress: String
    public let peerPort: Int
    /// The process that holds it (`ss -p`).
    public let processName: String
    public let pid: Int

    public init(state: String, receiveQueue: Int, sendQueue: Int, localAddress: String, localPort: Int,
                peerAddress: String, peerPort: Int, processName: String, pid: Int) {
        (self.state, self.receiveQueue, self.sendQueue) = (state, receiveQueue, sendQueue)
        (self.localAddress, self.localPort, self.peerAddress, self.peerPort) = (localAddress, localPort, peerAddress, peerPort)
        (self.processName, self.pid) = (processName, pid)
    }
}

/// A host's TCP connections, from the kernel's connections: each end a process still believes
/// open is an ESTABLISHED socket on that process's host, whatever happened to the other end. So
/// an apiserver's storage client stranded on a removed etcd member shows as ESTABLISHED to that
/// member's address, with the requests it sent and nobody acknowledged in its send queue.
extension World {
    /// About how many bytes one etcd request takes on the wire.
    static let etcdRequestBytes = 120

    public func sockets(on host: Host) -> [HostSocket] {
        let unacknowledged = unacknowledgedBytes()
        var sockets: [HostSocket] = []
        for connection in network.connections {
            if connection.isOpenAtClient, connection.client.host === host {
                let (peer, peerPort) = serverEndpoint(connection)
                sockets.append(HostSocket(state: "ESTAB", receiveQueue: 0, sendQueue: unacknowledged[connection.id] ?? 0,
                                          localAddress: address(of: host), localPort: World.ephemeralPort(connection.id),
                                          peerAddress: peer, peerPort: peerPort,
                                          processName: HostProcessCatalog.commandName(of: connection.client), pid: connection.client.pid))
            }
            if connection.isOpenAtServer, connection.server.host === host {
                sockets.append(HostSocket(state: "ESTAB", receiveQueue: 0, sendQueue: 0,
                                          localAddress: address(of: host), localPort: World.listeningPort(of: connection.server),
                                          peerAddress: address(of: connection.client.host), peerPort: World.ephemeralPort(connection.id),
                                          processName: HostProcessCatalog.commandName(of: connection.server), pid: connection.server.pid))
            }
        }
        return sockets.sorted { ($0.localPort, $0.peerAddress, $0.peerPort) < ($1.localPort, $1.peerAddress, $1.peerPort) }
    }

    /// Where the client end of a connection points: the API load balancer, or the server's host.
    private func serverEndpoint(_ connection: Connection) -> (String, Int) {
        if connection.server is APIServer, let endpoint = component(KubernetesCluster.self)?.configuration.apiEndpoint {
            let parts = endpoint.split(separator: ":")
            return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 443 : 443)
        }
        return (address(of: connection.server.host), World.listeningPort(of: connection.server))
    }

    /// Requests etcd clients sent on a connection whose far end is gone: nothing acknowledges them.
    private func unacknowledgedBytes() -> [Int: Int] {
        var bytes: [Int: Int] = [:]
        for client in component(EtcdCluster.self)?.clients ?? [] where client.isPinnedConnectionZombie {
            guard let connection = client.pinnedConnection else { continue }
            bytes[connection.id, default: 0] += client.pendingCallCount * World.etcdRequestBytes
        }
        return bytes
    }

    static func listeningPort(of process: SimProcess) -> Int {
        switch process {
        case is APIServer: 443
        case is EtcdMember: 2379
        default: 0
        }
    }

    /// A client's ephemeral port, stable for the connection (Linux's range 32768-60999).
    static func ephemeralPort(_ connectionID: Int) -> Int {
        var hasher = StableHasher()
        hasher.combine(connectionID)
        return 32_768 + Int(hasher.finalize() % 28_232)
    }
}
