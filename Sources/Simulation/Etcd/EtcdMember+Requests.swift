/// How a member serves its clients: writes and membership changes through consensus, reads
/// either at once (serializable) or after a read index (linearizable), and the cluster and
/// maintenance calls `etcdctl` makes.

/// A request waiting for its entry to be applied.
struct PendingCall {
    let session: ClientSession
    let callID: UInt64
}

/// A linearizable read waiting for a read index, then for the member to apply up to it.
struct PendingRead {
    let session: ClientSession
    let callID: UInt64
    let request: RangeRequest
    let deadline: SimTime
}

/// Linearizable reads, batched the way etcd's read loop batches them: every read that arrives
/// while one read-index request is out shares the next one.
struct ReadQueue {
    var waiting: [PendingRead] = []
    var inFlight: [PendingRead] = []
    var context: UInt64 = 0
    var issuedAt: SimTime = 0
    var granted: [(index: UInt64, reads: [PendingRead])] = []
}

/// A `move-leader` waiting for the target to take over.
struct PendingTransfer {
    let session: ClientSession
    let callID: UInt64
    let target: MemberID
    let deadline: SimTime
}

extension EtcdMember {
    /// A frame from a client's connection.
    func receive(_ frame: ClientFrame, from session: ClientSession) {
        guard isRunning, !wasRemoved else { return }
        catchUpTicks()
        if !session.serverIsWatchingClose {
            session.serverIsWatchingClose = true
            session.connection.onClosedAtServer = { [weak self, weak session] in
                guard let self, let session else { return }
                self.watches.removeAll { $0.session === session }
            }
        }
        switch frame {
        case .ping(let sequence):
            reply(.pong(sequence), to: session)
        case .unary(let callID, let request):
            serve(request, callID: callID, session: session)
        case .watchCreate(let watchID, let request):
            createWatch(watchID, request, session: session)
        case .watchCancel(let watchID):
            watches.removeAll { $0.session === session && $0.watchID == watchID }
        }
        processReady()
    }

    func reply(_ frame: ServerFrame, to session: ClientSession) {
        session.connection.sendToClient { [weak session] in session?.deliver(frame) }
    }

    private func reply(_ callID: UInt64, _ result: Result<UnaryResponse, EtcdError>, to session: ClientSession) {
        reply(.unary(callID: callID, result), to: session)
    }

    private func serve(_ request: UnaryRequest, callID: UInt64, session: ClientSession) {
        switch request {
        case .range(let range) where range.serializable:
            reply(callID, Result { () throws(EtcdError) in .range(try readLocally(range)) }, to: session)
        case .range(let range):
            reads.waiting.append(PendingRead(session: session, callID: callID, request: range,
                                             deadline: world.now + configuration.requestTimeout))
            issueReadIndexIfNeeded()
        case .txn(let txn):
            propose(.request(ReplicatedRequest(identifier: nextIdentifier(), operation: .txn(txn))), callID: callID, session: session)
        case .compact(let revision):
            propose(.request(ReplicatedRequest(identifier: nextIdentifier(), operation: .compact(revision: revision))),
                    callID: callID, session: session)
        case .memberList:
            reply(callID, .success(.memberList(MemberListResponse(header: header(), members: state.membership.sortedMembers))), to: session)
        case .memberAdd(let peerURLs):
            addMember(peerURLs: peerURLs, callID: callID, session: session)
        case .memberRemove(let id):
            removeMember(id, callID: callID, session: session)
        case .status:
            reply(callID, .success(.status(status())), to: session)
        case .moveLeader(let target):
            moveLeader(to: target, callID: callID, session: session)
        }
    }

    private func readLocally(_ range: RangeRequest) throws(EtcdError) -> RangeResponse {
        var response = try state.store.range(range)
        response.header = header()
        return response
    }

    func status() -> StatusResponse {
        StatusResponse(header: header(), version: configuration.version, databaseSizeBytes: state.store.databaseSizeBytes,
                       leader: node.leader, raftIndex: node.log.committed, raftTerm: node.term,
                       raftAppliedIndex: node.log.applied)
    }

    // MARK: Through consensus

    private func propose(_ payload: EntryPayload, callID: UInt64, session: ClientSession) {
        let identifier: UInt64
        switch payload {
        case .request(let request): identifier = request.identifier
        case .configurationChange(let change): identifier = change.identifier
        case .empty: preconditionFailure("nobody waits on an empty entry")
        }
        pendingCalls[identifier] = PendingCall(session: session, callID: callID)
        proposalDeadlines.append((world.now + configuration.requestTimeout, identifier))
        // A proposal dropped for want of a leader is not retried: the call times out, as in etcd.
        node.propose(payload)
    }

    /// Answers the client waiting on an entry that was just applied, if it is ours.
    func answer(_ outcome: AppliedState.Outcome, for entry: LogEntry) {
        let identifier: UInt64
        switch entry.payload {
        case .request(let request): identifier = request.identifier
        case .configurationChange(let change): identifier = change.identifier
        case .empty: return
        }
        guard identifier != 0, let call = pendingCalls.removeValue(forKey: identifier) else { return }
        let result: Result<UnaryResponse, EtcdError>
        switch outcome {
        case .nothing:
            return
        case .txn(let outcome):
            result = outcome.map { response in
                var answered = response
                answered.header = header(revision: response.header.revision)
                return .txn(answered)
            }
        case .compaction(let outcome):
            result = outcome.map { _ in .compact(header()) }
        case .membershipChange(.failure(let error)):
            result = .failure(error)
        case .membershipChange(.success(let change)):
            let members = state.membership.sortedMembers
            if change.kind == .addMember {
                let added = EtcdMemberInfo(id: change.memberID, peerURLs: change.peerURLs)
                result = .success(.memberAdd(MemberAddResponse(header: header(), member: added, members: members)))
            } else {
                result = .success(.memberList(MemberListResponse(header: header(), members: members)))
            }
        }
        reply(call.callID, result, to: call.session)
    }

    func header(revision: Int64) -> ResponseHeader {
        var result = header()
        result.revision = revision
        return result
    }

    /// Called every tick: proposals still unapplied at their deadline get `request timed out`
    /// (within a tick of it, as etcd's own timer granularity would allow).
    func expireProposals() {
        let now = world.now
        while let first = proposalDeadlines.first, first.deadline <= now {
            proposalDeadlines.removeFirst()
            if let call = pendingCalls.removeValue(forKey: first.identifier) {
                reply(call.callID, .failure(.requestTimedOut), to: call.session)
            }
        }
    }

    // MARK: Membership

    private func addMember(peerURLs: [String], callID: UInt64, session: ClientSession) {
        let change = ConfigurationChange(kind: .addMember, memberID: cluster.newMemberID(peerURLs: peerURLs),
                                         peerURLs: peerURLs, identifier: nextIdentifier())
        if let rejection = state.membership.rejection(of: change) ?? strictCheckForAdding() {
            return reply(callID, .failure(rejection), to: session)
        }
        propose(.configurationChange(change), callID: callID, session: session)
    }

    private func removeMember(_ id: MemberID, callID: UInt64, session: ClientSession) {
        let change = ConfigurationChange(kind: .removeMember, memberID: id, identifier: nextIdentifier())
        if let rejection = state.membership.rejection(of: change) ?? strictCheckForRemoving(id) {
            return reply(callID, .failure(rejection), to: session)
        }
        propose(.configurationChange(change), callID: callID, session: session)
    }

    /// etcd's `--strict-reconfig-check` for an added voter: enough members must have started
    /// for the grown cluster's quorum, and every member must be connected.
    private func strictCheckForAdding() -> EtcdError? {
        guard configuration.strictReconfigurationCheck else { return nil }
        let members = state.membership.sortedMembers
        let started = members.filter(\.isStarted).count
        let grown = members.count + 1
        if !(started == 1 && grown == 2) && started < grown / 2 + 1 {
            return .invalid("re-configuration failed due to not enough started members")
        }
        if connectedMemberCount(among: members.map(\.id)) < members.count { return .unhealthyCluster }
        return nil
    }

    /// etcd's check for a removal: a member that is down may go; otherwise the members still
    /// connected after the removal must make a quorum of the shrunk cluster.
    private func strictCheckForRemoving(_ id: MemberID) -> EtcdError? {
        guard configuration.strictReconfigurationCheck else { return nil }
        let members = state.membership.memberIDs
        if id != memberID && !isConnected(to: id) { return nil }
        let active = connectedMemberCount(among: members)
        return active - 1 < 1 + (members.count - 1) / 2 ? .unhealthyCluster : nil
    }

    /// Whether this member's peer stream to `id` is up: its process runs and the network lets
    /// them talk (etcd tracks this per peer in its transport).
    func isConnected(to id: MemberID) -> Bool {
        if id == memberID { return true }
        guard let peer = cluster.memberProcess(for: id), peer.isRunning else { return false }
        return world.network.canReach(from: host, to: peer.host)
    }

    func connectedMemberCount(among members: [MemberID]) -> Int { members.filter(isConnected).count }

    // MARK: Leadership transfer

    private func moveLeader(to target: MemberID, callID: UInt64, session: ClientSession) {
        guard node.role == .leader else { return reply(callID, .failure(.invalid("not leader")), to: session) }
        guard node.voters.binarySearchContains(target) else {
            return reply(callID, .failure(.invalid("bad leader transferee")), to: session)
        }
        if target == memberID { return reply(callID, .success(.moveLeader(header())), to: session) }
        node.transferLeadership(to: target)
        pendingTransfers.append(PendingTransfer(session: session, callID: callID, target: target,
                                                deadline: world.now + configuration.requestTimeout))
    }

    func checkTransfers() {
        guard !pendingTransfers.isEmpty else { return }
        let leader = node.leader
        let now = world.now
        var unfinished: [PendingTransfer] = []
        for transfer in pendingTransfers {
            if leader == transfer.target {
                reply(transfer.callID, .success(.moveLeader(header())), to: transfer.session)
            } else if now >= transfer.deadline {
                reply(transfer.callID, .failure(.invalid("request timed out, leader transfer took too long")), to: transfer.session)
            } else {
                unfinished.append(transfer)
            }
        }
        pendingTransfers = unfinished
    }

    // MARK: Linearizable reads

    private func issueReadIndexIfNeeded() {
        guard reads.inFlight.isEmpty, !reads.waiting.isEmpty else { return }
        reads.inFlight = reads.waiting
        reads.waiting = []
        askForReadIndex()
    }

    private func askForReadIndex() {
        reads.context = nextIdentifier()
        reads.issuedAt = world.now
        node.requestReadIndex(context: reads.context)
    }

    func readIndexGranted(_ readState: ReadState) {
        guard readState.context == reads.context, !reads.inFlight.isEmpty else { return }
        reads.granted.append((readState.index, reads.inFlight))
        reads.inFlight = []
        serveReads(appliedThrough: node.log.applied)
        issueReadIndexIfNeeded()
    }

    func serveReads(appliedThrough applied: UInt64) {
        while let first = reads.granted.first, first.index <= applied {
            reads.granted.removeFirst()
            for read in first.reads {
                reply(read.callID, Result { () throws(EtcdError) in .range(try readLocally(read.request)) }, to: read.session)
            }
        }
    }

    /// Called every tick: asks again for a read index that got no answer (the leader changed,
    /// or the request was lost) and times out reads that waited too long.
    func expireReads() {
        if !reads.inFlight.isEmpty && world.now - reads.issuedAt >= configuration.electionTimeout {
            askForReadIndex()
        }
        let now = world.now
        func keepLive(_ pending: [PendingRead]) -> [PendingRead] {
            pending.filter { read in
                guard now >= read.deadline else { return true }
                reply(read.callID, .failure(.requestTimedOut), to: read.session)
                return false
            }
        }
        reads.waiting = keepLive(reads.waiting)
        reads.inFlight = keepLive(reads.inFlight)
        reads.granted = reads.granted.map { ($0.index, keepLive($0.reads)) }.filter { !$0.reads.isEmpty }
        issueReadIndexIfNeeded()
    }
}
