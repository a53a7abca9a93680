/// The vocabulary of the Raft state machine, in the words etcd-io/raft uses: log entries, the
/// state that must survive a restart, snapshots and the messages members exchange.

/// A member's identity in Raft and in etcd's membership: a 64-bit number, printed in hex.
public typealias MemberID = UInt64

/// One entry of the replicated log.
public struct LogEntry: Equatable, Sendable {
    public var term: UInt64
    public var index: UInt64
    public var payload: EntryPayload

    public init(term: UInt64, index: UInt64, payload: EntryPayload) {
        self.term = term
        self.index = index
        self.payload = payload
    }

    var isConfigurationChange: Bool {
        if case .configurationChange = payload { true } else { false }
    }
}

/// What an entry carries: nothing (a new leader's first entry), a client request, or a
/// membership change, which Raft itself acts on when it is applied.
public indirect enum EntryPayload: Equatable, Sendable {
    case empty
    case request(ReplicatedRequest)
    case configurationChange(ConfigurationChange)
}

/// A write that went through consensus, with the identifier the proposing member waits on.
public struct ReplicatedRequest: Equatable, Sendable {
    public enum Operation: Equatable, Sendable {
        case txn(TxnRequest)
        case compact(revision: Int64)
        /// A starting member announces its name and client URLs (etcd's `publish`).
        case publishAttributes(MemberID, name: String, clientURLs: [String])
    }

    public var identifier: UInt64
    public var operation: Operation

    public init(identifier: UInt64, operation: Operation) {
        self.identifier = identifier
        self.operation = operation
    }
}

/// One membership change: etcd changes membership one member at a time.
public struct ConfigurationChange: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable { case addMember = "add", removeMember = "remove" }

    public var kind: Kind
    public var memberID: MemberID
    /// The added member's peer URLs (its name and client URLs come when it starts).
    public var peerURLs: [String]
    /// The request waiting on this change, if any (0 for the cluster's bootstrap entries).
    public var identifier: UInt64

    public init(kind: Kind, memberID: MemberID, peerURLs: [String] = [], identifier: UInt64 = 0) {
        self.kind = kind
        self.memberID = memberID
        self.peerURLs = peerURLs
        self.identifier = identifier
    }
}

/// What Raft must find on disk after a restart: the current term, whom this member voted for in
/// it, and how far the log is known to be committed.
public struct HardState: Equatable, Sendable {
    public var term: UInt64 = 0
    public var vote: MemberID = 0
    public var commit: UInt64 = 0

    public init(term: UInt64 = 0, vote: MemberID = 0, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// The applied state up to an index, which replaces the log before it: what a member that fell
/// too far behind (or a new one) receives instead of the entries.
public struct RaftSnapshot: Equatable, Sendable {
    public var index: UInt64
    public var term: UInt64
    /// The voting members as of `index`.
    public var voters: [MemberID]
    /// The state machine (the key-value store and the membership) as of `index`.
    public var state: AppliedState

    public init(index: UInt64, term: UInt64, voters: [MemberID], state: AppliedState) {
        self.index = index
        self.term = term
        self.voters = voters
        self.state = state
    }
}

/// An immutable snapshot behind one reference, for messages to carry cheaply.
final class SnapshotBox: Sendable {
    let snapshot: RaftSnapshot
    init(_ snapshot: RaftSnapshot) { self.snapshot = snapshot }
}

/// A member's place in an election and in replication.
public enum RaftRole: String, Sendable {
    case follower
    case preCandidate = "pre-candidate"
    case candidate
    case leader
}

/// A message between Raft members. One struct for every kind, as in etcd-io/raft, so that the
/// transport can carry them without knowing what they mean.
public struct RaftMessage: Sendable {
    public enum Kind: String, Sendable {
        case append, appendResponse
        case heartbeat, heartbeatResponse
        case vote, voteResponse
        case preVote, preVoteResponse
        case snapshot
        case proposal
        case readIndex, readIndexResponse
        case transferLeader
        case timeoutNow
    }

    public var kind: Kind
    public var from: MemberID
    public var to: MemberID
    public var term: UInt64
    /// For appends: the term and index of the entry before `entries`. For votes: the candidate's
    /// last log term and index. For responses: the index the receiver now holds (or rejects).
    public var logTerm: UInt64 = 0
    public var index: UInt64 = 0
    public var entries: [LogEntry] = []
    public var commit: UInt64 = 0
    public var reject = false
    /// On a rejected append: the receiver's last index, so the leader can skip back at once.
    public var rejectHint: UInt64 = 0
    /// The snapshot a `.snapshot` message carries. Kept in a box: messages are copied at every
    /// hop, and an inline snapshot (the whole applied state) made each copy retain its parts.
    public var snapshot: RaftSnapshot? {
        get { snapshotBox?.snapshot }
        set { snapshotBox = newValue.map(SnapshotBox.init) }
    }
    private var snapshotBox: SnapshotBox?
    /// A read-index request's identifier, carried by heartbeats and their responses.
    public var context: UInt64 = 0
    /// A vote request sent because of a leadership transfer: it overrides the leader lease.
    public var isTransfer = false

    public init(kind: Kind, from: MemberID, to: MemberID, term: UInt64) {
        self.kind = kind
        self.from = from
        self.to = to
        self.term = term
    }
}

/// A read index granted by the leader: once this member has applied `index`, a read for
/// `context` sees every write committed before the read began.
public struct ReadState: Equatable, Sendable {
    public var index: UInt64
    public var context: UInt64
}

/// Timing and limits of one Raft member, with etcd's defaults.
public struct RaftConfiguration: Sendable, Equatable {
    /// Ticks without hearing from a leader before a follower campaigns; randomised per election
    /// in `[electionTimeoutTicks, 2 × electionTimeoutTicks)`.
    public var electionTimeoutTicks = 10
    public var heartbeatIntervalTicks = 1
    /// While the network is calm (no partition, clog or loss) a leader heartbeats a follower that
    /// is keeping up only after this many ticks in which it sent that follower nothing, instead of
    /// every tick: often enough that no follower's election timer (at least
    /// `electionTimeoutTicks`) runs out and that every check-quorum window hears from each, and
    /// rarely enough that an idle cluster costs next to nothing to simulate.
    public var idleHeartbeatTicks = 5
    /// A pre-vote round before a real election, so that a member that was cut off does not
    /// disrupt the cluster by bumping the term when it returns (etcd `--pre-vote`).
    public var preVote = false
    /// A leader that has not heard from a quorum for an election timeout steps down, and members
    /// that hear from a leader ignore vote requests for that long (etcd always sets it).
    public var checkQuorum = true
    /// Entries in one append message (etcd bounds it by size: 1 MiB of ~1 KiB requests).
    public var maximumEntriesPerAppend = 1_024
    /// Appends in flight to one follower before the leader waits for acknowledgements.
    public var maximumInflightAppends = 256

    public init() {}
}
