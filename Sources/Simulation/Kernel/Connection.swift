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
    /// Each end's oldest send not yet acknowledged (nil: everything it sent arrived), and whether
    /// its retransmission check is scheduled: one timer per end at most, however busy the stream.
    private var unacknowledgedSinceAtClient: SimTime?
    private var unacknowledgedSinceAtServer: SimTime?
    private var retransmissionCheckAtClient = false
    private var retransmissionCheckAtServer = false

    /// How long Linux keeps retransmitting unacknowledged data before it aborts the connection:
    /// `tcp_retries2` = 15 retransmissions, "a hypothetical timeout of 924.6 seconds" (Linux
    /// `Documentation/networking/ip-sysctl.txt`; seen as "~15 minutes, and then success again" in
    /// etcd-io/etcd#7941). A connection that sends nothing is never found dead this way.
    public static let retransmissionTimeout = Span.milliseconds(924_600)

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
        awaitAcknowledgement(at: .client)
        network.send(from: client.host, to: server.host, notBefore: &lastArrivalAtServer) { [self] in
            if isOpenAtServer && server.isCurrent(serverIncarnation) {
                unacknowledgedSinceAtClient = nil
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
        awaitAcknowledgement(at: .server)
        network.send(from: server.host, to: client.host, notBefore: &lastArrivalAtClient) { [self] in
            if isOpenAtClient && client.isCurrent(clientIncarnation) {
                unacknowledgedSinceAtServer = nil
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

    // MARK: Retransmission timeout

    /// A send from `end`: if nothing was outstanding, the retransmission clock starts now.
    /// Arrival at the far end counts as its acknowledgement (the model carries no ACK segments).
    private func awaitAcknowledgement(at end: End) {
        switch end {
        case .client:
            if unacknowledgedSinceAtClient == nil { unacknowledgedSinceAtClient = network.now }
            if !retransmissionCheckAtClient { retransmissionCheckAtClient = true; scheduleRetransmissionCheck(at: .client) }
        case .server:
            if unacknowledgedSinceAtServer == nil { unacknowledgedSinceAtServer = network.now }
            if !retransmissionCheckAtServer { retransmissionCheckAtServer = true; scheduleRetransmissionCheck(at: .server) }
        }
    }

    private func scheduleRetransmissionCheck(at end: End) {
        let since = (end == .client ? unacknowledgedSinceAtClient : unacknowledgedSinceAtServer) ?? network.now
        network.schedule(at: since + Connection.retransmissionTimeout) { [weak self] in self?.checkRetransmissions(at: end) }
    }

    /// Fires when the oldest outstanding send may have been retransmitted for the whole timeout.
    /// Data the model lost on a healthy path (a clog's drop) would have been retransmitted and
    /// acknowledged, so the connection is aborted only if the far end cannot answer now: its host
    /// down or cut off, or its process gone without a reset reaching us.
    private func checkRetransmissions(at end: End) {
        let since = end == .client ? unacknowledgedSinceAtClient : unacknowledgedSinceAtServer
        guard let since, isOpen(at: end) else { setRetransmissionCheck(false, at: end); return }
        if network.now < since + Connection.retransmissionTimeout {
            scheduleRetransmissionCheck(at: end)
            return
        }
        setRetransmissionCheck(false, at: end)
        if farEndCanAcknowledge(from: end) {
            if end == .client { unacknowledgedSinceAtClient = nil } else { unacknowledgedSinceAtServer = nil }
            return
        }
        // ETIMEDOUT: this end gives up; nothing reaches the far end, which keeps believing.
        learnClosed(at: end)
    }

    private func isOpen(at end: End) -> Bool {
        end == .client ? isOpenAtClient && client.isCurrent(clientIncarnation) : isOpenAtServer && server.isCurrent(serverIncarnation)
    }

    private func farEndCanAcknowledge(from end: End) -> Bool {
        let (near, far) = end == .client ? (client.host, server.host) : (server.host, client.host)
        return network.canReach(from: near, to: far) && isOpen(at: end == .client ? .server : .client)
    }

    private func setRetransmissionCheck(_ scheduled: Bool, at end: End) {
        if end == .client { retransmissionCheckAtClient = scheduled } else { retransmissionCheckAtServer = scheduled }
    }

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
