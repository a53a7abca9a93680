import DequeModule

/// Which etcd v3 Go client a consumer embeds. The balancer is what differs, and it is what the
/// Monzo outage turned on (kubernetes/kubernetes#47131).
public enum EtcdClientVersion: String, Sendable, CaseIterable {
    /// Kubernetes 1.6 (client 3.0.17, kubernetes/kubernetes#41427): the 3.1 balancer's pinning,
    /// and the same loss of watches on reconnect (etcd-io/etcd#7290).
    case v3_0 = "3.0"
    /// Kubernetes 1.7–1.9 (client 3.1.10, kubernetes/kubernetes#57160): pins one endpoint and trusts its connection until it is closed under
    /// it. A connection whose far end vanished without a word (a zombie) is never questioned:
    /// calls hang until their deadline, watches stay silent, until the owner re-creates it.
    case v3_1 = "3.1"
    /// Same balancer as 3.1 (until 3.2.11).
    case v3_2 = "3.2"
    /// Kubernetes 1.10: keepalive pings and a health-checking balancer that marks an endpoint
    /// unhealthy when a ping or a call times out, and fails over.
    case v3_3 = "3.3"

    public var checksHealth: Bool { self == .v3_3 }

    /// Clients 3.0 and 3.1 could lose a watch when their connection was re-established: ordinary
    /// requests work on the new connection, the watch never speaks again ("restarting etcd server
    /// while watching. Some of the go routines stop receiving response", etcd-io/etcd#7290).
    public var canLoseWatchesOnReconnect: Bool { self == .v3_0 || self == .v3_1 }
}

/// A client's timeouts, with the values the Kubernetes apiserver of the time used.
public struct EtcdClientConfiguration: Sendable, Equatable {
    public var dialTimeout = Span.seconds(5)
    /// Each unary call's deadline; past it the call fails with `context deadline exceeded`. Nil:
    /// no deadline, as the Kubernetes 1.6 apiserver set none on its storage calls (the call stays
    /// pending until its connection dies; the apiserver answers its own client after 30 or 60 s).
    public var requestTimeout: SimTime? = Span.seconds(5)
    /// Clients that can lose watches on reconnect (3.0, 3.1): the chance that one watch is lost
    /// each time the client re-pins. How often etcd-io/etcd#7290 struck is not documented: the
    /// value is a scenario's assumption, 0 unless a scenario says otherwise.
    public var watchLossOnReconnectProbability = 0.0
    /// 3.3 only: a ping after this long without one, and failover if unanswered for
    /// `keepAliveTimeout`.
    public var keepAliveTime = Span.seconds(30)
    public var keepAliveTimeout = Span.seconds(10)
    /// 3.3 only: how long an endpoint found unhealthy is avoided.
    public var unhealthyEndpointQuarantine = Span.seconds(5)
    /// Redial backoff after every endpoint failed: grows by 1.6× up to the maximum, jittered.
    public var redialBackoffBase = Span.seconds(1)
    public var redialBackoffMaximum = Span.seconds(30)

    public init() {}
}

/// The etcd v3 client model every consumer in the world uses (it is the `KeyValueClient` real
/// scenarios hand out). It lives inside its owner process: it dies with it, and the owner
/// re-creates it after a restart. Calls and watches travel over one pinned connection.
///
/// Which client gets stuck is never decided here: it follows from which endpoint answered its
/// dial first, what happened to that member, and whether the teardown reached the client.
///
/// An owner creates its clients when it starts, one per purpose:
///
///     override func didStart() {
///         let cluster = world.component(EtcdCluster.self)!
///         endpointsStorage = EtcdClient(owner: self, endpoints: cluster.clientURLs, version: .v3_1, label: "endpoints")
///     }
///
/// (`EtcdClient(owner:discoveringMembersWith:)` looks the members up at every dial instead, as a
/// DNS name for the cluster would.)
public final class EtcdClient: KeyValueClient {
    public unowned let owner: SimProcess
    public let version: EtcdClientVersion
    public let configuration: EtcdClientConfiguration
    /// What the owner calls this client (`endpoints`, `pods` for an apiserver's storage).
    public let label: String
    private let endpointSource: EndpointSource
    private let ownerIncarnation: Int
    private unowned let cluster: EtcdCluster
    private let random: RandomStream

    private var session: ClientSession?
    private var dialAttempt = 0
    private var isConnecting = false
    private var consecutiveDialFailures = 0
    private var quarantinedUntil: [String: SimTime] = [:]
    private var nextCallID: UInt64 = 0
    private var calls: [UInt64: PendingUnary] = [:]
    private var callsAwaitingConnection: [UInt64] = []
    private var watches: [Int64: EtcdClientWatch] = [:]
    private var nextWatchID: Int64 = 0
    private var nextPingSequence: UInt64 = 0
    private var unansweredPing: UInt64?
    public private(set) var isClosed = false
    /// Calls that ended with `context deadline exceeded`, and when a call last succeeded.
    public private(set) var timedOutCallCount = 0
    public private(set) var lastAnswerAt: SimTime?
    /// Connections this client has pinned, the first included.
    public private(set) var pinCount = 0

    private enum EndpointSource {
        case fixed([String])
        /// Every current member, looked up at each dial, as a DNS name listing them would give.
        case discovered
    }

    private struct PendingUnary {
        let request: UnaryRequest
        let completion: (Result<UnaryResponse, EtcdError>) -> Void
        var sentOn: ClientSession?
    }

    /// Calls in the order issued with their deadlines. Every call gets the same timeout, so the
    /// deadlines are in order too, and one timer at the oldest pending call's deadline does for
    /// all of them (a timer per call would put a thousand dead events a second in the queue).
    private var deadlines = Deque<(deadline: SimTime, callID: UInt64)>()
    private var isSweepScheduled = false

    /// A client for `owner` that dials `endpoints` (client URLs such as `http://etcd-1:2379`).
    /// The world must have an etcd cluster.
    public convenience init(owner: SimProcess, endpoints: [String], version: EtcdClientVersion, label: String = "default",
                            configuration: EtcdClientConfiguration = EtcdClientConfiguration()) {
        precondition(!endpoints.isEmpty, "an etcd client needs at least one endpoint")
        self.init(owner: owner, source: .fixed(endpoints), version: version, label: label, configuration: configuration)
    }

    /// A client that finds the members by looking them up at every dial (a DNS name for the
    /// cluster), so that a re-created or re-dialling client reaches members added since.
    public convenience init(owner: SimProcess, discoveringMembersWith version: EtcdClientVersion, label: String = "default",
                            configuration: EtcdClientConfiguration = EtcdClientConfiguration()) {
        self.init(owner: owner, source: .discovered, version: version, label: label, configuration: configuration)
    }

    private init(owner: SimProcess, source: EndpointSource, version: EtcdClientVersion, label: String,
                 configuration: EtcdClientConfiguration) {
        guard let cluster = owner.world.component(EtcdCluster.self) else {
            preconditionFailure("an etcd client needs a world with an etcd cluster")
        }
        self.owner = owner
        self.endpointSource = source
        self.version = version
        self.label = label
        self.configuration = configuration
        self.ownerIncarnation = owner.incarnation
        self.cluster = cluster
        self.random = owner.world.random("etcd-client/\(owner.name)/\(label)")
        cluster.register(self)
        connect()
    }

    // MARK: Introspection (for graders and `etcd.clients()`)

    /// The endpoints this client would dial now.
    public var endpoints: [String] {
        switch endpointSource {
        case .fixed(let list): list
        case .discovered: cluster.clientURLs
        }
    }

    /// The endpoint the balancer pinned, if connected.
    public var pinnedEndpoint: String? { session?.endpoint }
    /// The member process behind the pinned connection.
    public var pinnedMember: EtcdMember? { session?.member }
    /// Open at this client, gone at the server: nothing sent on it will be answered.
    public var isPinnedConnectionZombie: Bool { session?.connection.isZombie ?? false }
    /// The kernel connection the balancer pinned (what `ss` shows on the owner's host).
    public var pinnedConnection: Connection? { session?.connection }
    public var pendingCallCount: Int { calls.count }
    public var openWatchCount: Int { watches.count }
    /// False once closed, or once its owner stopped (a restarted owner must make a new one).
    public var isUsable: Bool { !isClosed && owner.isCurrent(ownerIncarnation) }

    // MARK: Connecting

    private func connect() {
        guard isUsable, session == nil, !isConnecting else { return }
        isConnecting = true
        dialAttempt += 1
        let attempt = dialAttempt
        let now = owner.world.now
        var candidates = endpoints
        let healthy = candidates.filter { (quarantinedUntil[$0] ?? SimTime.min) <= now }
        if !healthy.isEmpty { candidates = healthy }
        var outstanding = candidates.count
        func oneFailed() {
            outstanding -= 1
            if outstanding == 0 && attempt == dialAttempt && session == nil { dialFailed() }
        }
        for endpoint in candidates {
            guard let member = cluster.resolve(endpoint) else {
                // No such host: the name does not resolve. Fails after the dial timeout, as a
                // dial to an unreachable address would.
                owner.after(configuration.dialTimeout) { oneFailed() }
                continue
            }
            owner.world.network.dial(from: owner, to: member, timeout: configuration.dialTimeout) { [weak self] result in
                guard let self else {
                    if case .success(let connection) = result { connection.closeFromClient() }
                    return
                }
                switch result {
                case .success(let connection) where attempt == self.dialAttempt && self.session == nil && self.isUsable:
                    // The first endpoint to answer is pinned; the balancer drops the others.
                    self.pin(connection, endpoint: endpoint, member: member)
                case .success(let connection):
                    connection.closeFromClient()
                case .failure:
                    oneFailed()
                }
            }
        }
        if candidates.isEmpty { dialFailed() }
    }

    private func dialFailed() {
        isConnecting = false
        consecutiveDialFailures += 1
        let growth = min(pow16(consecutiveDialFailures - 1), 1_000)
        let backoff = min(Double(configuration.redialBackoffMaximum), Double(configuration.redialBackoffBase) * growth)
        let jittered = SimTime(backoff * random.uniform(0.8, 1.2))
        owner.after(max(jittered, 1)) { [weak self] in self?.connect() }
    }

    private func losesWatchOnReconnect() -> Bool {
        version.canLoseWatchesOnReconnect && random.chance(configuration.watchLossOnReconnectProbability)
    }

    /// Watches lost on a reconnect: open to their owner, silent for good.
    public var lostWatchCount: Int { watches.values.filter(\.isLost).count }

    private func pow16(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(exponent, 0) { result *= 1.6 }
        return result
    }

    private func pin(_ connection: Connection, endpoint: String, member: EtcdMember) {
        isConnecting = false
        consecutiveDialFailures = 0
        pinCount += 1
        let pinned = ClientSession(connection: connection, endpoint: endpoint, member: member, client: self)
        session = pinned
        unansweredPing = nil
        connection.onClosedAtClient = { [weak self, weak pinned] in
            guard let self, let pinned else { return }
            self.lost(pinned)
        }
        // Watches first: one opened "from now on" before a write was issued must see that write.
        let reconnecting = pinCount > 1
        for watchID in watches.keys.sorted() {
            let watch = watches[watchID]!
            if reconnecting && !watch.isLost && losesWatchOnReconnect() { watch.isLost = true }
            // A lost watch stays open in the owner's eyes and is never sent again (etcd#7290).
            if !watch.isLost { sendCreate(watch, on: pinned) }
        }
        let waiting = callsAwaitingConnection
        callsAwaitingConnection = []
        for callID in waiting where calls[callID] != nil { send(callID, on: pinned) }
        if version.checksHealth { scheduleKeepAlive(on: pinned) }
    }

    /// The pinned connection closed under us (a teardown or a reset arrived): every balancer
    /// version notices this and dials again; calls in flight on it fail.
    private func lost(_ closed: ClientSession) {
        guard closed === session else { return }
        session = nil
        for callID in calls.keys.sorted() where calls[callID]?.sentOn === closed {
            let call = calls.removeValue(forKey: callID)!
            call.completion(.failure(.unavailable("transport is closing")))
        }
        owner.after(Span.milliseconds(10)) { [weak self] in self?.connect() }
    }

    /// 3.3: gives up on the pinned endpoint (a ping or a call timed out), avoids it for a while
    /// and fails over.
    private func abandon(_ unhealthy: ClientSession) {
        guard unhealthy === session else { return }
        quarantinedUntil[unhealthy.endpoint] = owner.world.now + configuration.unhealthyEndpointQuarantine
        unhealthy.connection.closeFromClient()
        lost(unhealthy)
    }

    private func scheduleKeepAlive(on pinned: ClientSession) {
        owner.after(configuration.keepAliveTime) { [weak self, weak pinned] in
            guard let self, let pinned, pinned === self.session else { return }
            self.nextPingSequence += 1
            let sequence = self.nextPingSequence
            self.unansweredPing = sequence
            self.sendFrame(.ping(sequence), on: pinned)
            self.owner.after(self.configuration.keepAliveTimeout) { [weak self, weak pinned] in
                guard let self, let pinned, self.unansweredPing == sequence else { return }
                self.abandon(pinned)
            }
            self.scheduleKeepAlive(on: pinned)
        }
    }

    /// Closes the client: its connection is torn down and nothing it was asked comes back.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        session?.connection.closeFromClient()
        session = nil
        calls = [:]
        deadlines = []
        callsAwaitingConnection = []
        watches = [:]
    }

    // MARK: Frames

    private func sendFrame(_ frame: ClientFrame, on pinned: ClientSession) {
        let member = pinned.member
        pinned.connection.sendToServer { [weak pinned] in
            guard let pinned else { return }
            member.receive(frame, from: pinned)
        }
    }

    func receive(_ frame: ServerFrame, on from: ClientSession) {
        guard isUsable else { return }
        switch frame {
        case .unary(let callID, let result):
            guard let call = calls[callID], call.sentOn === from else { return }
            calls[callID] = nil
            lastAnswerAt = owner.world.now
            call.completion(result)
        case .pong(let sequence):
            if unansweredPing == sequence { unansweredPing = nil }
        case .watch(let watchID, let response, let revision):
            guard from === session, let watch = watches[watchID] else { return }
            lastAnswerAt = owner.world.now
            deliver(response, revision: revision, to: watch)
        }
    }

    // MARK: Unary calls

    private func call(_ request: UnaryRequest, _ completion: @escaping (Result<UnaryResponse, EtcdError>) -> Void) {
        guard isUsable else {
            if owner.isCurrent(ownerIncarnation) {
                owner.after(0) { completion(.failure(.unavailable("grpc: the client connection is closing"))) }
            }
            return
        }
        nextCallID += 1
        let callID = nextCallID
        calls[callID] = PendingUnary(request: request, completion: completion, sentOn: nil)
        if let timeout = configuration.requestTimeout {
            deadlines.append((owner.world.now + timeout, callID))
            scheduleDeadlineSweep()
        }
        if let session {
            send(callID, on: session)
        } else {
            // Wait for a connection, as gRPC does for calls that are not fail-fast.
            callsAwaitingConnection.append(callID)
            connect()
        }
    }

    private func send(_ callID: UInt64, on pinned: ClientSession) {
        calls[callID]!.sentOn = pinned
        sendFrame(.unary(callID: callID, calls[callID]!.request), on: pinned)
    }

    private func scheduleDeadlineSweep() {
        guard !isSweepScheduled else { return }
        // Calls answered already need no timer: look past them to the oldest one still waiting.
        while let first = deadlines.first, calls[first.callID] == nil { deadlines.removeFirst() }
        guard let first = deadlines.first else { return }
        isSweepScheduled = true
        owner.after(max(0, first.deadline - owner.world.now)) { [weak self] in
            guard let self else { return }
            isSweepScheduled = false
            let now = owner.world.now
            while let first = deadlines.first, first.deadline <= now {
                deadlines.removeFirst()
                expire(first.callID)
            }
            scheduleDeadlineSweep()
        }
    }

    private func expire(_ callID: UInt64) {
        guard let call = calls.removeValue(forKey: callID) else { return }
        callsAwaitingConnection.removeAll { $0 == callID }
        timedOutCallCount += 1
        call.completion(.failure(.deadlineExceeded))
        if version.checksHealth, let pinned = call.sentOn { abandon(pinned) }
    }

    public func range(_ request: RangeRequest, completion: @escaping (Result<RangeResponse, EtcdError>) -> Void) {
        call(.range(request)) { result in
            completion(result.flatMap { if case .range(let response) = $0 { .success(response) } else { .failure(.invalid("unexpected response")) } })
        }
    }

    public func txn(_ request: TxnRequest, completion: @escaping (Result<TxnResponse, EtcdError>) -> Void) {
        call(.txn(request)) { result in
            completion(result.flatMap { if case .txn(let response) = $0 { .success(response) } else { .failure(.invalid("unexpected response")) } })
        }
    }

    /// Compacts the store's history up to `revision`.
    public func compact(_ revision: Int64, completion: @escaping (Result<ResponseHeader, EtcdError>) -> Void) {
        call(.compact(revision: revision)) { result in
            completion(result.flatMap { if case .compact(let header) = $0 { .success(header) } else { .failure(.invalid("unexpected response")) } })
        }
    }

    public func memberList(completion: @escaping (Result<MemberListResponse, EtcdError>) -> Void) {
        call(.memberList) { result in
            completion(result.flatMap { if case .memberList(let list) = $0 { .success(list) } else { .failure(.invalid("unexpected response")) } })
        }
    }

    public func memberAdd(peerURLs: [String], completion: @escaping (Result<MemberAddResponse, EtcdError>) -> Void) {
        call(.memberAdd(peerURLs: peerURLs)) { result in
            completion(result.flatMap { if case .memberAdd(let added) = $0 { .success(added) } else { .failure(.invalid("unexpected response")) } })
        }
    }

    public func memberRemove(_ id: MemberID, completion: @escaping (Result<MemberListResponse, EtcdError>) -> Void) {
        call(.memberRemove(id)) { result in
            completion(result.flatMap { if case .memberList(let list) = $0 { .success(list) } else { .failure(.invalid("unexpected response")) } })
        }
    }

    /// The pinned member's status (`etcdctl endpoint status` makes one client per endpoint).
    public func status(completion: @escaping (Result<StatusResponse, EtcdError>) -> Void) {
        call(.status) { result in
            completion(result.flatMap { if case .status(let status) = $0 { .success(status) } else { .failure(.invalid("unexpected response")) } })
        }
    }

    /// Asks the pinned member, which must be the leader, to hand leadership to `target`.
    public func moveLeader(to target: MemberID, completion: @escaping (Result<ResponseHeader, EtcdError>) -> Void) {
        call(.moveLeader(to: target)) { result in
            completion(result.flatMap { if case .moveLeader(let header) = $0 { .success(header) } else { .failure(.invalid("unexpected response")) } })
        }
    }

    // MARK: Watches

    @discardableResult
    public func watch(_ request: WatchRequest, handler: @escaping (WatchResponse) -> Void) -> WatchCancellation {
        nextWatchID += 1
        let watch = EtcdClientWatch(id: nextWatchID, request: request, handler: handler, client: self)
        guard isUsable else { return watch }
        watches[watch.id] = watch
        if let session { sendCreate(watch, on: session) } else { connect() }
        return watch
    }

    private func sendCreate(_ watch: EtcdClientWatch, on pinned: ClientSession) {
        var request = watch.request
        // After a reconnect the watch resumes where it left off, as clientv3's watcher does.
        request.startRevision = watch.resumeRevision
        sendFrame(.watchCreate(watchID: watch.id, request), on: pinned)
    }

    private func deliver(_ response: WatchResponse, revision: Int64, to watch: EtcdClientWatch) {
        switch response {
        case .created:
            guard !watch.hasBeenCreated else { return }
            watch.hasBeenCreated = true
            if watch.resumeRevision == 0 { watch.resumeRevision = revision + 1 }
            watch.handler(.created)
        case .events(let events, _):
            if let last = events.last { watch.resumeRevision = last.keyValue.modRevision + 1 }
            watch.handler(response)
        case .canceled:
            watches[watch.id] = nil
            watch.handler(response)
        }
    }

    func cancel(_ watch: EtcdClientWatch) {
        guard watches.removeValue(forKey: watch.id) != nil, let session else { return }
        sendFrame(.watchCancel(watchID: watch.id), on: session)
    }

    // MARK: Digest

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(owner.name)
        hasher.combine(label)
        hasher.combine(version.rawValue)
        hasher.combine(isClosed)
        hasher.combine(session?.endpoint ?? "-")
        hasher.combine(session?.connection.id ?? -1)
        hasher.combine(calls.count)
        hasher.combine(watches.count)
        hasher.combine(timedOutCallCount)
        hasher.combine(pinCount)
        hasher.combine(lostWatchCount)
    }
}

/// A client's open watch, and the handle its owner cancels it with.
final class EtcdClientWatch: WatchCancellation {
    let id: Int64
    let request: WatchRequest
    let handler: (WatchResponse) -> Void
    weak var client: EtcdClient?
    /// Where to resume after a reconnect (0: from now on, until the server says where now is).
    var resumeRevision: Int64
    var hasBeenCreated = false
    /// Lost on a reconnect (etcd-io/etcd#7290): never re-created on this client.
    var isLost = false

    init(id: Int64, request: WatchRequest, handler: @escaping (WatchResponse) -> Void, client: EtcdClient) {
        self.id = id
        self.request = request
        self.handler = handler
        self.client = client
        self.resumeRevision = request.startRevision
    }

    func cancel() { client?.cancel(self) }
}

/// One pinned connection as both ends use it: the client sends frames on it, the member answers
/// on it and pushes watch events down it.
final class ClientSession {
    let connection: Connection
    let endpoint: String
    unowned let member: EtcdMember
    weak var client: EtcdClient?
    /// Set once the member has asked to hear when this connection closes.
    var serverIsWatchingClose = false

    init(connection: Connection, endpoint: String, member: EtcdMember, client: EtcdClient) {
        self.connection = connection
        self.endpoint = endpoint
        self.member = member
        self.client = client
    }

    func deliver(_ frame: ServerFrame) { client?.receive(frame, on: self) }
}
