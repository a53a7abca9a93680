import DequeModule

/// One etcd server: a process that runs a Raft member, keeps its write-ahead log and snapshot on
/// disk (durable: they survive a stop), applies committed entries to its store, and serves
/// clients over the kernel's connections.
///
/// Its Raft loop follows etcd's: take a `Ready`, (a leader sends at once), sync the disk for
/// `diskSyncLatency`, then send, apply and serve reads. Proposals and messages that arrive while
/// the disk syncs wait for the next `Ready`, which is how etcd batches.
public final class EtcdMember: SimProcess {
    public let memberID: MemberID
    /// The name etcd runs with (`--name`); the process's own name may differ.
    public let memberName: String
    public let peerURL: String
    public let clientURL: String
    public var configuration: EtcdMemberConfiguration
    /// Unchecked: the cluster is installed in the world, which keeps it and every member.
    unowned(unsafe) let cluster: EtcdCluster

    // MARK: Durable state

    /// The disk: survives stops and crashes.
    public private(set) var disk: WriteAheadLog

    // MARK: Volatile state, rebuilt in didStart

    private(set) var node: RaftNode!
    /// The store and membership as applied so far.
    public private(set) var state = AppliedState()
    private var isSyncing = false
    private var lastSnapshotIndex: UInt64 = 0
    /// Set when this member applies its own removal: it serves nothing more.
    public private(set) var wasRemoved = false
    private var nextSequence: UInt64 = 0
    private var nextPublishAttempt: SimTime = 0
    private var reportedLeaderTerm: UInt64 = 0
    /// Set once the applied membership shows this incarnation's name and client URL: from then
    /// on it stays so (a later snapshot includes the entry), so nobody need look again.
    private var attributesPublished = false
    var pendingCalls: [UInt64: PendingCall] = [:]
    /// Proposals in the order made, with their deadlines (all share one timeout, so in order).
    var proposalDeadlines = Deque<(deadline: SimTime, identifier: UInt64)>()
    var reads = ReadQueue()
    var pendingTransfers: [PendingTransfer] = []
    var watches: [EtcdServerWatch] = []
    /// When the next tick falls and when the member is woken (EtcdMember+Ticks).
    var ticks = TickClock()
    var tickAlarm: TickAlarm!

    init(memberID: MemberID, memberName: String, processName: String, host: Host, peerURL: String, clientURL: String,
         configuration: EtcdMemberConfiguration, disk: WriteAheadLog, cluster: EtcdCluster) {
        self.memberID = memberID
        self.memberName = memberName
        self.peerURL = peerURL
        self.clientURL = clientURL
        self.configuration = configuration
        self.disk = disk
        self.cluster = cluster
        super.init(name: processName, host: host)
    }

    // MARK: Introspection

    public var hexID: String { String(memberID, radix: 16) }
    public var role: RaftRole { isRunning ? node.role : .follower }
    public var isLeader: Bool { isRunning && node.role == .leader }
    public var term: UInt64 { isRunning ? node.term : disk.hardState.term }
    /// The leader this member follows (0 if none, or if it is not running).
    public var knownLeader: MemberID { isRunning ? node.leader : 0 }
    public var commitIndex: UInt64 { isRunning ? node.log.committed : disk.hardState.commit }
    public var appliedIndex: UInt64 { isRunning ? node.log.applied : 0 }
    public var lastLogIndex: UInt64 { isRunning ? node.log.lastIndex : disk.lastIndex }
    public var voters: [MemberID] { isRunning ? node.voters : [] }
    /// The terms of the log's entries from `from` on, for displays of log repair.
    public func logTerms(from start: UInt64 = 1) -> [(index: UInt64, term: UInt64)] {
        guard isRunning else { return [] }
        let log = node.log
        let first = max(start, log.firstIndex)
        guard first <= log.lastIndex else { return [] }
        return (first...log.lastIndex).compactMap { index in log.term(at: index).map { (index, $0) } }
    }

    // MARK: Lifecycle

    override public func didStart() {
        node = RaftNode(id: memberID, configuration: configuration.raft, hardState: disk.hardState, log: disk.raftLog,
                        voters: disk.snapshot?.voters ?? [], random: world.random("etcd/\(memberName)/election"))
        state = disk.snapshot?.state ?? AppliedState()
        lastSnapshotIndex = disk.snapshot?.index ?? 0
        isSyncing = false
        wasRemoved = false
        nextPublishAttempt = world.now
        reportedLeaderTerm = 0
        attributesPublished = false
        pendingCalls = [:]
        proposalDeadlines = []
        reads = ReadQueue()
        pendingTransfers = []
        watches = []
        startTicking()
        processReady()
    }

    /// One tick with work to do (the alarm skips the others; see EtcdMember+Ticks).
    func tick() {
        node.mayQuiesce = configuration.quietWhenIdle && world.network.isCalm
            && configuration.diskSyncLatency < configuration.tickInterval
        node.tick()
        publishAttributesIfNeeded()
        checkTransfers()
        expireReads()
        expireProposals()
        processReady()
    }

    // MARK: The Raft loop

    func processReady() {
        defer { setAlarmForNextDueTick() }
        guard isRunning, !isSyncing, node.hasReady else { return }
        catchUpTicks()
        let ready = node.takeReady()
        reportLeadership()
        if ready.isLeader { send(ready.messages) }
        if ready.mustSync {
            isSyncing = true
            after(configuration.diskSyncLatency) { [unowned(unsafe) self] in complete(ready) }
        } else {
            complete(ready)
        }
    }

    private func complete(_ ready: RaftReady) {
        catchUpTicks()
        disk.write(hardState: ready.hardState, entries: ready.entries, snapshot: ready.snapshot, synced: ready.mustSync)
        node.persisted(ready)
        if !ready.isLeader { send(ready.messages) }
        if let snapshot = ready.snapshot { load(snapshot) }
        apply(ready.committedEntries)
        for readState in ready.readStates { readIndexGranted(readState) }
        isSyncing = false
        if wasRemoved { return leaveCluster() }
        snapshotIfDue()
        processReady()
    }

    private func reportLeadership() {
        guard node.role == .leader, node.term != reportedLeaderTerm else { return }
        reportedLeaderTerm = node.term
        cluster.observer?.member(self, becameLeaderIn: node.term)
    }

    private func load(_ snapshot: RaftSnapshot) {
        state = snapshot.state
        lastSnapshotIndex = snapshot.index
        cluster.observer?.member(self, loadedSnapshotAt: snapshot.index, term: snapshot.term)
        storeChanged()
    }

    private func apply(_ entries: [LogEntry]) {
        guard !entries.isEmpty else { return }
        let revisionBefore = state.store.revision
        for entry in entries {
            let outcome = state.apply(entry)
            cluster.observer?.member(self, applied: entry)
            if case .configurationChange(let change) = entry.payload, case .membershipChange(.success) = outcome {
                node.applyConfigurationChange(change)
                if change.kind == .removeMember && change.memberID == memberID { wasRemoved = true }
            }
            answer(outcome, for: entry)
        }
        if state.store.revision > revisionBefore { storeChanged() }
        serveReads(appliedThrough: entries.last!.index)
    }

    private func snapshotIfDue() {
        let applied = node.log.applied
        guard applied - lastSnapshotIndex >= configuration.snapshotCount, let term = node.log.term(at: applied) else { return }
        let snapshot = RaftSnapshot(index: applied, term: term, voters: node.voters, state: state)
        let keepFrom = applied > configuration.snapshotCatchUpEntries ? applied - configuration.snapshotCatchUpEntries : 1
        node.compactLog(with: snapshot, keepingFrom: keepFrom)
        disk.compact(with: snapshot, keepingFrom: keepFrom)
        lastSnapshotIndex = applied
    }

    /// This member applied its own removal: like etcd, it keeps running one more second, then
    /// exits (`stopWithDelay(1s, "the member has been permanently removed from the cluster")` in
    /// etcd 3.1's `etcdserver/server.go`), and the kernel closes every client socket: each client
    /// is sent a teardown, which reaches it unless its host or the network fails first.
    private func leaveCluster() {
        after(EtcdMember.removedMemberExitDelay) { [unowned self] in world.stop(self, graceful: true) }
    }

    /// How long a removed member keeps running before it exits (etcd's `stopWithDelay`).
    public static let removedMemberExitDelay = Span.seconds(1)

    // MARK: Peers

    private func send(_ messages: [RaftMessage]) {
        for message in messages {
            guard let peer = cluster.memberProcess(for: message.to), peer !== self else { continue }
            world.network.send(from: host, to: peer.host, RaftMessageDelivery(peer: peer, message: message))
        }
    }

    /// A Raft message from a peer.
    func receive(_ message: RaftMessage) {
        guard isRunning else { return }
        if state.membership.isRemoved(message.from) {
            // etcd's peer transport answers a removed member with "410 Gone"; it then stops.
            if let sender = cluster.memberProcess(for: message.from) {
                world.network.send(from: host, to: sender.host) { [unowned sender] in sender.learnRemoved() }
            }
            return
        }
        catchUpTicks()
        node.step(message)
        processReady()
    }

    /// A peer told us we were removed from the cluster.
    private func learnRemoved() {
        guard isRunning, !wasRemoved else { return }
        wasRemoved = true
        leaveCluster()
    }

    // MARK: Helpers for request serving

    /// A fresh identifier for a proposal or read, unique across members and incarnations.
    func nextIdentifier() -> UInt64 {
        nextSequence += 1
        let prefix = StableHasher.mix(memberID &+ UInt64(incarnation)) & 0xffff_ff00_0000_0000
        return prefix | (nextSequence & 0x00ff_ffff_ffff)
    }

    func header() -> ResponseHeader {
        ResponseHeader(revision: state.store.revision, memberID: memberID, raftTerm: node.term, clusterID: cluster.clusterID)
    }

    /// A started member announces its name and client URL through the log, as etcd does on
    /// every start; `member list` shows it as started from then on.
    private func publishAttributesIfNeeded() {
        guard world.now >= nextPublishAttempt, needsToPublishAttributes else { return }
        nextPublishAttempt = world.now + Span.seconds(1)
        let request = ReplicatedRequest(identifier: nextIdentifier(),
                                        operation: .publishAttributes(memberID, name: memberName, clientURLs: [clientURL]))
        node.propose(.request(request))
    }

    /// The membership does not yet record this member's name and client URL as it runs with,
    /// and there is a leader to propose them to.
    var needsToPublishAttributes: Bool {
        guard !attributesPublished, node.leader != 0, let recorded = state.membership.members[memberID] else { return false }
        let needed = recorded.name != memberName || recorded.clientURLs.count != 1 || recorded.clientURLs[0] != clientURL
        if !needed { attributesPublished = true }
        return needed
    }

    // MARK: Digest

    override public func stableHash(into hasher: inout StableHasher) {
        hasher.combine(memberID)
        hasher.combine(configuration.diskSyncLatency)
        disk.stableHash(into: &hasher)
        guard isRunning else { return }
        hasher.combine(node.role.rawValue)
        hasher.combine(node.term); hasher.combine(node.leader)
        hasher.combine(node.log.committed); hasher.combine(node.log.applied); hasher.combine(node.log.lastIndex)
        hasher.combine(node.voters)
        state.stableHash(into: &hasher)
        hasher.combine(pendingCalls.count)
        hasher.combine(watches.count)
    }
}

/// A Raft message on its way to a peer: one allocation per message on the busiest path.
private final class RaftMessageDelivery: NetworkMessage {
    /// Unchecked: the world keeps every member process ever placed.
    unowned(unsafe) let peer: EtcdMember
    let message: RaftMessage

    init(peer: EtcdMember, message: RaftMessage) {
        self.peer = peer
        self.message = message
    }

    override func deliver() { peer.receive(message) }
}
