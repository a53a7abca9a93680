/// One member of an etcd cluster as the cluster records it. A member added with `member add`
/// has peer URLs only; its name and client URLs appear once its process starts and publishes
/// them, which is why `etcdctl member list` shows it as `unstarted` until then.
public struct EtcdMemberInfo: Equatable, Sendable {
    public var id: MemberID
    public var name: String
    public var peerURLs: [String]
    public var clientURLs: [String]

    public init(id: MemberID, name: String = "", peerURLs: [String], clientURLs: [String] = []) {
        self.id = id
        self.name = name
        self.peerURLs = peerURLs
        self.clientURLs = clientURLs
    }

    public var isStarted: Bool { !name.isEmpty }
    /// The id as etcd prints it: hex without leading zeros.
    public var hexID: String { String(id, radix: 16) }
}

/// The cluster's membership as applied from the log: who is in, and who was removed (a removed
/// member may never come back under the same id).
public struct ClusterMembership: Equatable, Sendable {
    public private(set) var members: [MemberID: EtcdMemberInfo] = [:]
    public private(set) var removed: Set<MemberID> = []

    public init() {}

    /// Members in id order, as etcd lists them.
    public var sortedMembers: [EtcdMemberInfo] { members.keys.sorted().map { members[$0]! } }
    public var memberIDs: [MemberID] { members.keys.sorted() }

    public func contains(_ id: MemberID) -> Bool { members[id] != nil }
    public func isRemoved(_ id: MemberID) -> Bool { removed.contains(id) }

    /// Why a change cannot be applied, in etcd's words; nil if it can.
    func rejection(of change: ConfigurationChange) -> EtcdError? {
        switch change.kind {
        case .addMember:
            if members[change.memberID] != nil || removed.contains(change.memberID) { return .memberExists }
            let taken = Set(members.values.flatMap(\.peerURLs))
            if change.peerURLs.contains(where: taken.contains) { return .peerURLExists }
        case .removeMember:
            if members[change.memberID] == nil { return .memberNotFound(change.memberID) }
        }
        return nil
    }

    mutating func apply(_ change: ConfigurationChange) {
        switch change.kind {
        case .addMember: members[change.memberID] = EtcdMemberInfo(id: change.memberID, peerURLs: change.peerURLs)
        case .removeMember:
            members[change.memberID] = nil
            removed.insert(change.memberID)
        }
    }

    mutating func publish(_ id: MemberID, name: String, clientURLs: [String]) {
        guard members[id] != nil else { return }
        members[id]!.name = name
        members[id]!.clientURLs = clientURLs
    }

    func stableHash(into hasher: inout StableHasher) {
        for member in sortedMembers {
            hasher.combine(member.id); hasher.combine(member.name)
            hasher.combine(member.peerURLs); hasher.combine(member.clientURLs)
        }
        hasher.combine(removed.sorted())
    }
}

/// What a member's state machine holds: the key-value store and the membership, both built by
/// applying the log in order. A value type, so a copy is a snapshot.
public struct AppliedState: Equatable, Sendable {
    public var store = MVCCStore()
    public var membership = ClusterMembership()

    public init() {}

    /// What applying one entry produced, for the member waiting to answer its client.
    enum Outcome {
        case nothing
        case txn(Result<TxnResponse, EtcdError>)
        case compaction(Result<Int64, EtcdError>)
        case membershipChange(Result<ConfigurationChange, EtcdError>)
    }

    mutating func apply(_ entry: LogEntry) -> Outcome {
        switch entry.payload {
        case .empty:
            return .nothing
        case .request(let request):
            switch request.operation {
            case .txn(let txn):
                return .txn(Result { () throws(EtcdError) in try store.txn(txn) })
            case .compact(let revision):
                return .compaction(Result { () throws(EtcdError) in try store.compact(revision); return revision })
            case .publishAttributes(let id, let name, let clientURLs):
                membership.publish(id, name: name, clientURLs: clientURLs)
                return .nothing
            }
        case .configurationChange(let change):
            if let rejection = membership.rejection(of: change) { return .membershipChange(.failure(rejection)) }
            membership.apply(change)
            return .membershipChange(.success(change))
        }
    }

    func stableHash(into hasher: inout StableHasher) {
        store.stableHash(into: &hasher)
        membership.stableHash(into: &hasher)
    }
}
