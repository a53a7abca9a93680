/// A long-lived connection (a TCP stream carrying HTTP/2, say) between a client and a server
/// process. Each end has its own view of whether it is open, because the Monzo outage turned on
/// a connection that one end believed open and the other had long forgotten.
///
/// Messages sent on it travel through the network like any other. A message reaching an end that
/// has closed, or a later incarnation of the process, is answered with a reset when the host is up
/// (the kernel has no socket for it), and vanishes when the host is down or cut off.
public final class Connection {
    public let id: Int
    /// Unowned: the world owns every process, and a process reaches its connections through
    /// its clients and sessions, so strong ends would make cycles that outlive the world.
    public unowned let client: SimProcess
    public unowned let server: SimProcess
    public let clientIncarnation: Int
    public let serverIncarnation: Int
    public private(set) var isOpenAtClient = true
    public private(set) var isOpenAtServer = true
    /// Called at the client when it learns the connection is gone (teardown or reset).
    public var onClosedAtClient: (() -> Void)?
    /// Called at the server when it learns the client went away.
    public var onClosedAtServer: (() -> Void)?
    /// Unchecked: the world's network outlives every connection it makes.
    private unowned(unsafe) let network: Network
    /// When the last message each way arrives: a stream delivers in order, so a message never
    /// overtakes the one sent before it.
    private var lastArrivalAtServer = SimTime.min
    private var lastArrivalAtClient = SimTime.min

    init(id: Int, client: SimProcess, server: SimProcess, network: Network) {
        self.id = id
        self.client = client
        self.server = server
        self.clientIncarnation = client.incarnation
        self.serverIncarnation = server.incarnation
        self.network = network
    }

    /// Open at the client but gone at the server: what the client sends is lost or reset, and
    /// nothing it waits for will come.
    public var isZombie: Bool { isOpenAtClient && !isOpenAtServer }
    var isOpenOnEitherSide: Bool { isOpenAtClient || isOpenAtServer }

    func involves(_ process: SimProcess) -> Bool { client === process || server === process }

    /// Sends a message from the client; `deliver` runs at the server if the server end still holds
    /// this connection when it arrives.
    public func sendToServer(_ deliver: @escaping () -> Void) {
        guard isOpenAtClient else { return }
        network.send(from: client.host, to: server.host, notBefore: &lastArrivalAtServer) { [self] in
            if isOpenAtServer && server.isCurrent(serverIncarnation) {
                deliver()
            } else {
                reset(toward: .client)
            }
        }
    }

    /// Sends a message from the server; `deliver` runs at the client if it still holds this
    /// connection when it arrives.
    public func sendToClient(_ deliver: @escaping () -> Void) {
        guard isOpenAtServer else { return }
        network.send(from: server.host, to: client.host, notBefore: &lastArrivalAtClient) { [self] in
            if isOpenAtClient && client.isCurrent(clientIncarnation) {
                deliver()
            } else {
                reset(toward: .server)
            }
        }
    }

    /// The client closes the connection: its end is gone at once and the server hears of it.
    public func closeFromClient() {
        guard isOpenAtClient else { return }
        isOpenAtClient = false
        if isOpenAtServer { tearDown(toward: .server) } else { network.forget(self) }
    }

    /// The server closes the connection (a watch timeout, say); the client hears of it.
    public func closeFromServer() {
        guard isOpenAtServer else { return }
        isOpenAtServer = false
        if isOpenAtClient { tearDown(toward: .client) } else { network.forget(self) }
    }

    /// Forgets both ends without telling anyone (a dial that finished after its owner restarted).
    func abandon() {
        isOpenAtClient = false
        isOpenAtServer = false
        network.forget(self)
    }

    func endStopped(_ process: SimProcess, graceful: Bool) {
        if process === client, isOpenAtClient {
            isOpenAtClient = false
            if graceful { tearDown(toward: .server) }
        }
        if process === server, isOpenAtServer {
            isOpenAtServer = false
            if graceful { tearDown(toward: .client) }
        }
    }

    private enum End { case client, server }

    /// A FIN travelling to the other end; it can be lost, which leaves that end believing.
    private func tearDown(toward end: End) {
        let (from, to) = end == .client ? (server.host, client.host) : (client.host, server.host)
        // A FIN travels behind the data sent before it.
        if end == .client {
            network.send(from: from, to: to, notBefore: &lastArrivalAtClient) { [self] in learnClosed(at: end) }
        } else {
            network.send(from: from, to: to, notBefore: &lastArrivalAtServer) { [self] in learnClosed(at: end) }
        }
    }

    /// A reset travelling back from an end that no longer knows the connection.
    private func reset(toward end: End) {
        tearDown(toward: end)
    }

    private func learnClosed(at end: End) {
        switch end {
        case .client where isOpenAtClient && client.isCurrent(clientIncarnation):
            isOpenAtClient = false
            onClosedAtClient?()
        case .server where isOpenAtServer && server.isCurrent(serverIncarnation):
            isOpenAtServer = false
            onClosedAtServer?()
        default:
            break
        }
        if !isOpenOnEitherSide { network.forget(self) }
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(id)
        hasher.combine(client.name); hasher.combine(clientIncarnation)
        hasher.combine(server.name); hasher.combine(serverIncarnation)
        hasher.combine(isOpenAtClient); hasher.combine(isOpenAtServer)
    }
}
