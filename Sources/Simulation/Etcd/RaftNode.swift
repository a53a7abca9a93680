/// One Raft member as a pure state machine, in the style of etcd-io/raft: it never touches the
/// world. Its owner calls `tick()` every heartbeat interval and `step(_:)` for every message
/// that arrives, and collects a `RaftReady` (entries and state to persist, messages to send,
/// committed entries to apply), which it acknowledges with `persisted(_:)` once it is on disk.
///
/// Most ticks of a quiet cluster do nothing but count: `ticksUntilDue` says how many, and the
/// owner may pass them with `skipTicks(_:)` instead of running each (a follower then keeps only
/// "ticks since I heard from the leader" and wakes at its election deadline). While the owner
/// says the network is calm (`mayQuiesce`), a leader heartbeats only followers it has sent
/// nothing for `idleHeartbeatTicks`, so an idle cluster sends little and wakes rarely.
///
/// Election (with optional pre-vote and check-quorum), log replication with conflict repair,
/// commitment by quorum, read index, leadership transfer and one-at-a-time membership changes
/// that take effect when applied.
final class RaftNode {
    let id: MemberID
    let configuration: RaftConfiguration
    private let random: RandomStream

    private(set) var term: UInt64 = 0
    private(set) var vote: MemberID = 0
    private(set) var leader: MemberID = 0
    private(set) var role: RaftRole = .follower
    private(set) var log: RaftLog
    /// The voting members, sorted.
    private(set) var voters: [MemberID] = []
    /// The member leadership is being handed to, while a transfer is under way.
    private(set) var leadTransferee: MemberID = 0

    private var progress: [MemberID: RaftProgress] = [:]
    private var votes: [MemberID: Bool] = [:]
    private var electionElapsed = 0
    private var heartbeatElapsed = 0
    private var randomizedElectionTimeout = 0
    /// Ticks since start, to time out snapshots in flight.
    private var tickCount = 0
    /// The index of the last membership change proposed by this leader; another waits for it.
    private var pendingConfigurationIndex: UInt64 = 0
    /// Read-index requests waiting for a quorum of heartbeat acknowledgements, oldest first.
    private var readRequests: [ReadRequest] = []
    /// Read-index requests that arrived before this leader committed an entry of its term.
    private var readsAwaitingCommit: [(from: MemberID, context: UInt64)] = []
    /// Proposals a follower will forward to the leader in one message.
    private var proposalsToForward: [LogEntry] = []
    /// Set when new entries should go to followers; the broadcast waits for the next `Ready`,
    /// so that proposals arriving together travel in one append, as etcd's do.
    private var broadcastPending = false
    private var outbox: [RaftMessage] = []
    private var readStates: [ReadState] = []
    private var handedOutHardState: HardState
    /// Set by the owner before each tick: true while no network fault is active, so that a
    /// leader may leave followers that keep up without a heartbeat for a few ticks. Under a
    /// fault it heartbeats every tick, as etcd does, so elections and recoveries keep their pace.
    var mayQuiesce = false

    private struct ReadRequest {
        let index: UInt64
        let context: UInt64
        let from: MemberID
        var acknowledgements: Set<MemberID>
    }

    /// A member starting from what its disk holds (nothing, for a member that has just joined).
    init(id: MemberID, configuration: RaftConfiguration, hardState: HardState, log: RaftLog,
         voters: [MemberID], random: RandomStream) {
        self.id = id
        self.configuration = configuration
        self.random = random
        self.log = log
        self.voters = voters.sorted()
        term = hardState.term
        vote = hardState.vote
        handedOutHardState = HardState(term: hardState.term, vote: hardState.vote, commit: log.committed)
        resetRandomizedElectionTimeout()
    }

    var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    var quorum: Int { voters.count / 2 + 1 }
    var isVoter: Bool { voters.binarySearchContains(id) }

    // MARK: Driving the state machine

    func tick() {
        tickCount += 1
        if role == .leader { tickLeader() } else { tickElection() }
    }

    private func tickElection() {
        electionElapsed += 1
        if isVoter && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            startElection(transfer: false)
        }
    }

    private func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= configuration.electionTimeoutTicks {
            electionElapsed = 0
            if configuration.checkQuorum { stepDownUnlessQuorumActive() }
            guard role == .leader else { return }
            if leadTransferee != 0 { leadTransferee = 0 }
        }
        reviveStalledSnapshots()
        if heartbeatElapsed >= configuration.heartbeatIntervalTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat(context: readRequests.last?.context ?? 0, skippingIdle: true)
        }
    }

    // MARK: Quiet ticks

    /// Ticks from now until the first that does more than count (1: the next one; `Int.max`:
    /// none, for a member that cannot campaign). The ones before it may be skipped.
    var ticksUntilDue: Int {
        switch role {
        case .leader: leaderTicksUntilDue
        case .follower, .preCandidate, .candidate: isVoter ? max(1, randomizedElectionTimeout - electionElapsed) : Int.max
        }
    }

    /// Passes `count` ticks that `ticksUntilDue` said do nothing but count.
    func skipTicks(_ count: Int) {
        guard count > 0 else { return }
        precondition(count < ticksUntilDue, "member \(id) skipped a tick that had work to do")
        tickCount += count
        electionElapsed += count
        if role == .leader { heartbeatElapsed = (heartbeatElapsed + count) % configuration.heartbeatIntervalTicks }
    }

    /// A leader's next tick with work: its quorum check, or a heartbeat to a follower it would
    /// otherwise leave silent too long. Every tick while it may not be quiet.
    private var leaderTicksUntilDue: Int {
        guard isQuiescent else { return 1 }
        var due = configuration.electionTimeoutTicks - electionElapsed
        // The owner asks after every message: walk the progress table rather than look each
        // voter up (a hash per voter was most of the cost).
        for (member, follower) in progress where member != id {
            guard follower.isStreaming(maximumInflight: configuration.maximumInflightAppends) else { return 1 }
            due = min(due, configuration.idleHeartbeatTicks - (tickCount - follower.lastSentTick))
        }
        return max(1, due)
    }

    /// A leader with nothing in flight that needs every tick: no read waiting on heartbeat
    /// acknowledgements, no transfer under way, and a calm network.
    private var isQuiescent: Bool { mayQuiesce && readRequests.isEmpty && leadTransferee == 0 }

    /// Whether this tick's heartbeat to `follower` may be left out: the leader is quiet, the
    /// follower keeps up, and it was sent something within `idleHeartbeatTicks`.
    private func maySkipHeartbeat(to follower: MemberID) -> Bool {
        guard isQuiescent, let progress = progress[follower],
              progress.isStreaming(maximumInflight: configuration.maximumInflightAppends) else { return false }
        return tickCount - progress.lastSentTick < configuration.idleHeartbeatTicks
    }

    /// Handles one message from a peer (or a request forwarded by one).
    func step(_ message: RaftMessage) {
        // Term 0 marks requests relayed between members (proposals, read index, transfers):
        // they carry no term of their own.
        if message.term > term {
            if message.kind == .vote || message.kind == .preVote {
                let inLease = configuration.checkQuorum && leader != 0 && electionElapsed < configuration.electionTimeoutTicks
                // A member that heard from a leader recently ignores a disruptive candidate.
                if inLease && !message.isTransfer { return }
            }
            switch message.kind {
            case .preVote:
                break
            case .preVoteResponse where !message.reject:
                break
            case .append, .heartbeat, .snapshot:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: 0)
            }
        } else if message.term > 0 && message.term < term {
            answerStaleMessage(message)
            return
        }
        switch message.kind {
        case .vote, .preVote: answerVoteRequest(message)
        default:
            switch role {
            case .leader: stepLeader(message)
            case .candidate, .preCandidate: stepCandidate(message)
            case .follower: stepFollower(message)
            }
        }
    }

    /// A message from an older term: tell a deposed leader about the new term so it steps down
    /// (without this, a member that pre-votes could be stuck behind a stale leader).
    private func answerStaleMessage(_ message: RaftMessage) {
        if (configuration.checkQuorum || configuration.preVote) && (message.kind == .heartbeat || message.kind == .append) {
            send(RaftMessage(kind: .appendResponse, from: id, to: message.from, term: term))
        } else if message.kind == .preVote {
            var answer = RaftMessage(kind: .preVoteResponse, from: id, to: message.from, term: term)
            answer.reject = true
            send(answer)
        }
    }

    // MARK: Proposals and requests from the owner

    /// Proposes an entry; false if it was dropped (no leader known, or a transfer under way).
    @discardableResult
    func propose(_ payload: EntryPayload) -> Bool {
        switch role {
        case .leader:
            guard leadTransferee == 0 else { return false }
            appendAsLeader([payload])
            return true
        case .follower where leader != 0:
            proposalsToForward.append(LogEntry(term: 0, index: 0, payload: payload))
            return true
        default:
            return false
        }
    }

    /// Asks for a read index: a `ReadState` with this context comes back in a later `Ready`,
    /// unless the request is lost (no leader), in which case the owner asks again.
    func requestReadIndex(context: UInt64) {
        if role == .leader {
            handleReadIndex(from: id, context: context)
        } else if leader != 0 {
            var request = RaftMessage(kind: .readIndex, from: id, to: leader, term: 0)
            request.context = context
            send(request)
        }
    }

    /// Asks the leader to hand leadership to `target`.
    func transferLeadership(to target: MemberID) {
        if role == .leader {
            handleTransfer(to: target)
        } else if leader != 0 {
            var request = RaftMessage(kind: .transferLeader, from: target, to: leader, term: 0)
            request.index = target
            send(request)
        }
    }

    // MARK: Elections

    private func startElection(transfer: Bool) {
        guard role != .leader, isVoter, !hasUnappliedConfigurationChanges else { return }
        if configuration.preVote && !transfer {
            becomePreCandidate()
            requestVotes(kind: .preVote, term: term + 1, transfer: false)
        } else {
            becomeCandidate()
            requestVotes(kind: .vote, term: term, transfer: transfer)
        }
    }

    private func requestVotes(kind: RaftMessage.Kind, term voteTerm: UInt64, transfer: Bool) {
        votes = [id: true]
        if hasWonElection { return winElection() }
        for voter in voters where voter != id {
            var request = RaftMessage(kind: kind, from: id, to: voter, term: voteTerm)
            request.index = log.lastIndex
            request.logTerm = log.lastTerm
            request.isTransfer = transfer
            send(request)
        }
    }

    private var hasWonElection: Bool { votes.values.filter { $0 }.count >= quorum }
    private var hasLostElection: Bool { votes.values.filter { !$0 }.count >= quorum }

    private func winElection() {
        if role == .preCandidate {
            becomeCandidate()
            requestVotes(kind: .vote, term: term, transfer: false)
        } else {
            becomeLeader()
        }
    }

    private func answerVoteRequest(_ request: RaftMessage) {
        let isPreVote = request.kind == .preVote
        let canVote = vote == request.from || (vote == 0 && leader == 0) || (isPreVote && request.term > term)
        let granted = canVote && log.isUpToDate(lastIndex: request.index, lastTerm: request.logTerm)
        var answer = RaftMessage(kind: isPreVote ? .preVoteResponse : .voteResponse, from: id, to: request.from,
                                 term: granted ? request.term : term)
        answer.reject = !granted
        send(answer)
        if granted && !isPreVote {
            electionElapsed = 0
            vote = request.from
        }
    }

    private func becomeFollower(term newTerm: UInt64, leader newLeader: MemberID) {
        reset(term: newTerm)
        role = .follower
        leader = newLeader
    }

    private func becomePreCandidate() {
        // A pre-candidate changes neither its term nor its vote: it only asks whether it could win.
        role = .preCandidate
        votes = [:]
        leader = 0
    }

    private func becomeCandidate() {
        reset(term: term + 1)
        role = .candidate
        vote = id
    }

    private func becomeLeader() {
        reset(term: term)
        role = .leader
        leader = id
        for voter in voters {
            var entry = RaftProgress(next: log.lastIndex + 1)
            entry.recentActive = true
            if voter == id { entry.match = log.stableIndex; entry.becomeReplicate() }
            progress[voter] = entry
        }
        // A new leader cannot know whether a membership change in its log is committed; treat
        // the whole log as possibly holding one.
        pendingConfigurationIndex = log.lastIndex
        appendAsLeader([.empty])
    }

    private func reset(term newTerm: UInt64) {
        if newTerm != term {
            term = newTerm
            vote = 0
        }
        leader = 0
        electionElapsed = 0
        heartbeatElapsed = 0
        resetRandomizedElectionTimeout()
        leadTransferee = 0
        votes = [:]
        progress = [:]
        readRequests = []
        readsAwaitingCommit = []
        broadcastPending = false
    }

    private func resetRandomizedElectionTimeout() {
        let timeout = configuration.electionTimeoutTicks
        randomizedElectionTimeout = timeout + random.integer(in: 0..<timeout)
    }

    private var hasUnappliedConfigurationChanges: Bool {
        guard log.committed > log.applied else { return false }
        var index = log.applied + 1
        while index <= log.committed {
            if log.entry(at: index)?.isConfigurationChange == true { return true }
            index += 1
        }
        return false
    }

    private func stepDownUnlessQuorumActive() {
        var active = 0
        for voter in voters {
            if voter == id || progress[voter]?.recentActive == true { active += 1 }
            if voter != id { progress[voter]?.recentActive = false }
        }
        if active < quorum { becomeFollower(term: term, leader: 0) }
    }

    // MARK: Candidate and follower

    private func stepCandidate(_ message: RaftMessage) {
        switch message.kind {
        case .append:
            becomeFollower(term: message.term, leader: message.from)
            handleAppend(message)
        case .heartbeat:
            becomeFollower(term: message.term, leader: message.from)
            handleHeartbeat(message)
        case .snapshot:
            becomeFollower(term: message.term, leader: message.from)
            handleSnapshot(message)
        case .voteResponse where role == .candidate, .preVoteResponse where role == .preCandidate:
            votes[message.from] = !message.reject
            if hasWonElection { winElection() } else if hasLostElection { becomeFollower(term: term, leader: 0) }
        default:
            break
        }
    }

    private func stepFollower(_ message: RaftMessage) {
        switch message.kind {
        case .proposal:
            guard leader != 0 else { return }
            var forwarded = message
            forwarded.to = leader
            send(forwarded)
        case .append:
            electionElapsed = 0
            leader = message.from
            handleAppend(message)
        case .heartbeat:
            electionElapsed = 0
            leader = message.from
            handleHeartbeat(message)
        case .snapshot:
            electionElapsed = 0
            leader = message.from
            handleSnapshot(message)
        case .transferLeader, .readIndex:
            guard leader != 0 else { return }
            var forwarded = message
            forwarded.to = leader
            send(forwarded)
        case .timeoutNow:
            startElection(transfer: true)
        case .readIndexResponse:
            readStates.append(ReadState(index: message.index, context: message.context))
        default:
            break
        }
    }

    private func handleAppend(_ message: RaftMessage) {
        var answer = RaftMessage(kind: .appendResponse, from: id, to: message.from, term: term)
        if message.index < log.committed {
            answer.index = log.committed
        } else if let lastNew = log.maybeAppend(index: message.index, logTerm: message.logTerm,
                                                  leaderCommit: message.commit, message.entries) {
            answer.index = lastNew
        } else {
            answer.reject = true
            answer.index = message.index
            answer.rejectHint = log.lastIndex
        }
        send(answer)
    }

    private func handleHeartbeat(_ message: RaftMessage) {
        log.commit(to: min(message.commit, log.lastIndex))
        var answer = RaftMessage(kind: .heartbeatResponse, from: id, to: message.from, term: term)
        answer.context = message.context
        send(answer)
    }

    private func handleSnapshot(_ message: RaftMessage) {
        guard let snapshot = message.snapshot else { return }
        var answer = RaftMessage(kind: .appendResponse, from: id, to: message.from, term: term)
        if log.restore(snapshot) {
            voters = snapshot.voters.sorted()
            answer.index = log.lastIndex
        } else {
            answer.index = log.committed
        }
        send(answer)
    }

    // MARK: Leader

    private func stepLeader(_ message: RaftMessage) {
        switch message.kind {
        case .proposal:
            guard leadTransferee == 0 else { return }
            appendAsLeader(message.entries.map(\.payload))
        case .appendResponse:
            handleAppendResponse(message)
        case .heartbeatResponse:
            handleHeartbeatResponse(message)
        case .readIndex:
            handleReadIndex(from: message.from, context: message.context)
        case .transferLeader:
            handleTransfer(to: message.index)
        default:
            break
        }
    }

    private func appendAsLeader(_ payloads: [EntryPayload]) {
        var entries: [LogEntry] = []
        entries.reserveCapacity(payloads.count)
        var index = log.lastIndex
        for var payload in payloads {
            if case .configurationChange = payload {
                if pendingConfigurationIndex > log.applied {
                    // One membership change at a time: a second one while the first is
                    // unapplied is replaced by an empty entry, as etcd-io/raft does.
                    payload = .empty
                } else {
                    pendingConfigurationIndex = index + 1
                }
            }
            index += 1
            entries.append(LogEntry(term: term, index: index, payload: payload))
        }
        log.append(entries)
        broadcastPending = true
        if voters == [id] { commitIfQuorum() }
    }

    private func handleAppendResponse(_ message: RaftMessage) {
        // Progress is mutated in place throughout: a copy out of the dictionary would make the
        // next change to its in-flight window copy the whole window.
        guard progress[message.from] != nil else { return }
        progress[message.from]!.recentActive = true
        if message.reject {
            guard progress[message.from]!.stepBack(rejected: message.index, followerLastIndex: message.rejectHint) else { return }
            if progress[message.from]!.state == .replicate { progress[message.from]!.becomeProbe() }
            sendAppend(to: message.from)
            return
        }
        let wasPaused = progress[message.from]!.isPaused(maximumInflight: configuration.maximumInflightAppends)
        guard progress[message.from]!.acknowledge(message.index) else { return }
        switch progress[message.from]!.state {
        case .probe:
            progress[message.from]!.becomeReplicate()
        case .snapshot where progress[message.from]!.match >= progress[message.from]!.pendingSnapshotIndex:
            progress[message.from]!.becomeProbe()
            progress[message.from]!.becomeReplicate()
        default:
            break
        }
        if commitIfQuorum() {
            broadcastPending = true
        } else if wasPaused {
            sendAppend(to: message.from)
        }
        while sendAppend(to: message.from, evenIfEmpty: false) {}
        if message.from == leadTransferee && progress[message.from]?.match == log.lastIndex {
            send(RaftMessage(kind: .timeoutNow, from: id, to: message.from, term: term))
        }
    }

    private func handleHeartbeatResponse(_ message: RaftMessage) {
        guard progress[message.from] != nil else { return }
        progress[message.from]!.heardFrom(maximumInflight: configuration.maximumInflightAppends)
        if progress[message.from]!.match < log.lastIndex { sendAppend(to: message.from) }
        if message.context != 0 { acknowledgeRead(context: message.context, from: message.from) }
    }

    /// Commits the highest index a quorum holds, if it is of this term. True if it advanced.
    @discardableResult
    private func commitIfQuorum() -> Bool {
        var matches: [UInt64] = []
        matches.reserveCapacity(voters.count)
        for voter in voters { matches.append(progress[voter]?.match ?? 0) }
        matches.sort(by: >)
        guard matches.count >= quorum else { return false }
        let hadCommittedInTerm = log.term(at: log.committed) == term
        guard log.maybeCommit(matches[quorum - 1], term: term) else { return false }
        if !hadCommittedInTerm { releaseReadsAwaitingCommit() }
        return true
    }

    /// Sends the follower what it lacks, or the snapshot if that is compacted away. Returns
    /// false if nothing was sent.
    @discardableResult
    private func sendAppend(to member: MemberID, evenIfEmpty: Bool = true) -> Bool {
        guard member != id, let follower = progress[member],
              !follower.isPaused(maximumInflight: configuration.maximumInflightAppends) else { return false }
        let next = follower.next
        let previousIndex = next - 1
        if let previousTerm = log.term(at: previousIndex),
           let entries = log.entries(from: next, maximumCount: configuration.maximumEntriesPerAppend) {
            if entries.isEmpty && !evenIfEmpty { return false }
            var message = RaftMessage(kind: .append, from: id, to: member, term: term)
            message.index = previousIndex
            message.logTerm = previousTerm
            message.entries = entries
            message.commit = log.committed
            progress[member]!.sentAppend(lastIndex: previousIndex + UInt64(entries.count), entryCount: entries.count)
            send(message)
            return true
        }
        guard follower.recentActive, let snapshot = log.snapshot else { return false }
        var message = RaftMessage(kind: .snapshot, from: id, to: member, term: term)
        message.snapshot = snapshot
        progress[member]!.becomeSnapshot(index: snapshot.index, tick: tickCount)
        send(message)
        return true
    }

    private func broadcastAppend() {
        for voter in voters where voter != id { sendAppend(to: voter) }
    }

    private func broadcastHeartbeat(context: UInt64, skippingIdle: Bool = false) {
        for voter in voters where voter != id {
            if skippingIdle && maySkipHeartbeat(to: voter) { continue }
            var message = RaftMessage(kind: .heartbeat, from: id, to: voter, term: term)
            message.commit = min(progress[voter]?.match ?? 0, log.committed)
            message.context = context
            send(message)
        }
    }

    /// A snapshot that got no answer within an election timeout is presumed lost; probe again
    /// (etcd learns this from its transport's snapshot status report).
    private func reviveStalledSnapshots() {
        for voter in voters where progress[voter]?.state == .snapshot {
            if tickCount - progress[voter]!.snapshotSentTick > configuration.electionTimeoutTicks {
                progress[voter]!.becomeProbe()
            }
        }
    }

    // MARK: Read index

    private func handleReadIndex(from requester: MemberID, context: UInt64) {
        if voters == [id] {
            release(ReadRequest(index: log.committed, context: context, from: requester, acknowledgements: []))
            return
        }
        guard log.term(at: log.committed) == term else {
            // Until it commits an entry of its term, a new leader does not know the commit index.
            readsAwaitingCommit.append((requester, context))
            return
        }
        readRequests.append(ReadRequest(index: log.committed, context: context, from: requester, acknowledgements: [id]))
        broadcastHeartbeat(context: context)
    }

    private func releaseReadsAwaitingCommit() {
        let waiting = readsAwaitingCommit
        readsAwaitingCommit = []
        for (requester, context) in waiting { handleReadIndex(from: requester, context: context) }
    }

    private func acknowledgeRead(context: UInt64, from member: MemberID) {
        guard let position = readRequests.firstIndex(where: { $0.context == context }) else { return }
        readRequests[position].acknowledgements.insert(member)
        guard readRequests[position].acknowledgements.count >= quorum else { return }
        // A quorum still follows us as of this request, so every earlier one is safe too.
        let released = readRequests[...position]
        readRequests.removeFirst(position + 1)
        for request in released { release(request) }
    }

    private func release(_ request: ReadRequest) {
        if request.from == id {
            readStates.append(ReadState(index: request.index, context: request.context))
        } else {
            var answer = RaftMessage(kind: .readIndexResponse, from: id, to: request.from, term: term)
            answer.index = request.index
            answer.context = request.context
            send(answer)
        }
    }

    // MARK: Leadership transfer

    private func handleTransfer(to target: MemberID) {
        guard voters.binarySearchContains(target), target != id else { return }
        if leadTransferee == target { return }
        electionElapsed = 0
        leadTransferee = target
        if progress[target]?.match == log.lastIndex {
            send(RaftMessage(kind: .timeoutNow, from: id, to: target, term: term))
        } else {
            sendAppend(to: target)
        }
    }

    // MARK: Membership

    /// Called by the owner when it applies a membership change: Raft's view of the voters
    /// changes only now, one member at a time.
    func applyConfigurationChange(_ change: ConfigurationChange) {
        switch change.kind {
        case .addMember:
            guard !voters.binarySearchContains(change.memberID) else { return }
            voters.append(change.memberID)
            voters.sort()
            if role == .leader {
                var entry = RaftProgress(next: log.lastIndex + 1)
                entry.recentActive = true
                progress[change.memberID] = entry
            }
        case .removeMember:
            voters.removeAll { $0 == change.memberID }
            progress[change.memberID] = nil
            guard role == .leader else { return }
            if change.memberID == id {
                becomeFollower(term: term, leader: 0)
                return
            }
            if leadTransferee == change.memberID { leadTransferee = 0 }
            if commitIfQuorum() { broadcastPending = true }
        }
    }

    // MARK: Ready

    private func send(_ message: RaftMessage) {
        if role == .leader { progress[message.to]?.lastSentTick = tickCount }
        outbox.append(message)
    }

    var hasReady: Bool {
        !outbox.isEmpty || broadcastPending || !proposalsToForward.isEmpty || !readStates.isEmpty
            || hardState != handedOutHardState || log.hasEntriesToPersist || log.pendingSnapshot != nil
            || log.hasEntriesToApply
    }

    /// Everything the owner must now persist, send and apply. Call `persisted(_:)` once the
    /// write-ahead log holds it.
    func takeReady() -> RaftReady {
        if broadcastPending {
            broadcastPending = false
            broadcastAppend()
        }
        if !proposalsToForward.isEmpty, leader != 0, role == .follower {
            var forwarded = RaftMessage(kind: .proposal, from: id, to: leader, term: 0)
            forwarded.entries = proposalsToForward
            send(forwarded)
        }
        proposalsToForward = []
        let current = hardState
        let hardStateChanged = current != handedOutHardState
        let mustSync = current.term != handedOutHardState.term || current.vote != handedOutHardState.vote
        handedOutHardState = current
        let snapshot = log.takePendingSnapshot()
        let entries = log.takeEntriesToPersist()
        let ready = RaftReady(hardState: hardStateChanged ? current : nil, entries: entries, snapshot: snapshot,
                              committedEntries: log.takeEntriesToApply(), messages: outbox, readStates: readStates,
                              mustSync: mustSync || !entries.isEmpty || snapshot != nil, isLeader: role == .leader)
        outbox = []
        readStates = []
        return ready
    }

    /// The write-ahead log now holds what `ready` asked for.
    func persisted(_ ready: RaftReady) {
        if let last = ready.entries.last { log.persisted(through: last.index, term: last.term) }
        guard role == .leader, log.stableIndex > (progress[id]?.match ?? 0) else { return }
        progress[id]?.match = log.stableIndex
        if commitIfQuorum() { broadcastPending = true }
    }

    /// The owner took a snapshot of its state at `snapshot.index`; the log may drop entries
    /// before `keepFrom`.
    func compactLog(with snapshot: RaftSnapshot, keepingFrom keepFrom: UInt64) {
        log.compact(with: snapshot, keepingFrom: keepFrom)
    }
}

/// What a `RaftNode` hands its owner in one go.
struct RaftReady {
    /// The hard state to write, if it changed.
    var hardState: HardState?
    /// Entries to append to the write-ahead log (replacing any it holds from their index on).
    var entries: [LogEntry]
    /// A snapshot from the leader to persist and load before applying anything else.
    var snapshot: RaftSnapshot?
    /// Entries committed and on disk, to apply in order.
    var committedEntries: [LogEntry]
    var messages: [RaftMessage]
    var readStates: [ReadState]
    /// Whether the write must be synced before messages go out (a term, a vote or entries).
    var mustSync: Bool
    /// A leader may send before its own write finishes (Raft thesis §10.2.1); others may not.
    var isLeader: Bool
}

extension Array where Element == MemberID {
    /// Membership test on a sorted array.
    func binarySearchContains(_ value: MemberID) -> Bool {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < count && self[low] == value
    }
}
