/// The etcd v3 key-value API as consumers see it: the requests and responses of the KV and Watch
/// services, with etcd's own error texts. The MVCC store answers them, the Raft members serve
/// them, and the client model carries them; the Kubernetes apiserver speaks only this.

/// A key's value at one revision, as etcd's `mvccpb.KeyValue`.
public struct KeyValue: Equatable, Sendable {
    public var key: String
    public var value: String
    /// Revision of the last creation of this key.
    public var createRevision: Int64
    /// Revision of the last modification.
    public var modRevision: Int64
    /// Number of modifications since creation (1 after the first put).
    public var version: Int64
    public var lease: Int64

    public init(key: String, value: String, createRevision: Int64, modRevision: Int64, version: Int64, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(key); hasher.combine(value)
        hasher.combine(createRevision); hasher.combine(modRevision); hasher.combine(version); hasher.combine(lease)
    }
}

/// One change seen by a watch.
public struct WatchEvent: Equatable, Sendable {
    public enum Kind: String, Sendable { case put = "PUT", delete = "DELETE" }
    public var kind: Kind
    /// For a delete: the key with `modRevision` set to the deletion's revision and an empty value.
    public var keyValue: KeyValue
    public var previous: KeyValue?

    public init(kind: Kind, keyValue: KeyValue, previous: KeyValue? = nil) {
        self.kind = kind
        self.keyValue = keyValue
        self.previous = previous
    }
}

/// Which keys a request covers: one key, every key with a prefix, or `[key, rangeEnd)`.
public enum KeyRange: Equatable, Sendable {
    case key(String)
    case prefix(String)
    case interval(from: String, to: String)

    public func contains(_ candidate: String) -> Bool {
        switch self {
        case .key(let key): candidate == key
        case .prefix(let prefix): candidate.hasPrefix(prefix)
        case .interval(let from, let to): candidate >= from && candidate < to
        }
    }
}

/// The header every response carries.
public struct ResponseHeader: Equatable, Sendable {
    public var revision: Int64
    public var memberID: UInt64
    public var raftTerm: UInt64
    /// The cluster's id, as `member add` and `member remove` print it.
    public var clusterID: UInt64

    public init(revision: Int64, memberID: UInt64 = 0, raftTerm: UInt64 = 0, clusterID: UInt64 = 0) {
        self.revision = revision
        self.memberID = memberID
        self.raftTerm = raftTerm
        self.clusterID = clusterID
    }
}

public struct RangeRequest: Equatable, Sendable {
    public var range: KeyRange
    /// Read at this revision (0: the latest).
    public var revision: Int64
    /// At most this many keys (0: no limit); `count` still reports them all.
    public var limit: Int
    /// Served by the member that receives it without asking the leader (may be stale).
    public var serializable: Bool
    public var countOnly: Bool

    public init(range: KeyRange, revision: Int64 = 0, limit: Int = 0, serializable: Bool = false, countOnly: Bool = false) {
        self.range = range
        self.revision = revision
        self.limit = limit
        self.serializable = serializable
        self.countOnly = countOnly
    }
}

public struct RangeResponse: Equatable, Sendable {
    public var header: ResponseHeader
    public var keyValues: [KeyValue]
    public var count: Int
    public var more: Bool

    public init(header: ResponseHeader, keyValues: [KeyValue], count: Int, more: Bool = false) {
        self.header = header
        self.keyValues = keyValues
        self.count = count
        self.more = more
    }
}

/// A condition in a transaction, as etcd's `Compare`.
public struct Compare: Equatable, Sendable {
    public enum Target: Equatable, Sendable {
        case value(String)
        case version(Int64)
        case createRevision(Int64)
        case modRevision(Int64)
    }

    public enum Relation: String, Equatable, Sendable { case equal = "=", notEqual = "!=", less = "<", greater = ">" }

    public var key: String
    public var relation: Relation
    public var target: Target

    public init(key: String, _ relation: Relation, _ target: Target) {
        self.key = key
        self.relation = relation
        self.target = target
    }
}

/// One operation inside a transaction.
public enum RequestOperation: Equatable, Sendable {
    case put(key: String, value: String, lease: Int64)
    case delete(KeyRange)
    case range(RangeRequest)

    public static func put(_ key: String, _ value: String) -> RequestOperation { .put(key: key, value: value, lease: 0) }
}

public enum ResponseOperation: Equatable, Sendable {
    case put(previous: KeyValue?)
    case delete(deleted: Int, previous: [KeyValue])
    case range(RangeResponse)
}

/// If every compare holds, run `success`, else `failure`: etcd's compare-and-swap.
public struct TxnRequest: Equatable, Sendable {
    public var compares: [Compare]
    public var success: [RequestOperation]
    public var failure: [RequestOperation]

    public init(compares: [Compare] = [], success: [RequestOperation], failure: [RequestOperation] = []) {
        self.compares = compares
        self.success = success
        self.failure = failure
    }
}

public struct TxnResponse: Equatable, Sendable {
    public var header: ResponseHeader
    public var succeeded: Bool
    public var responses: [ResponseOperation]

    public init(header: ResponseHeader, succeeded: Bool, responses: [ResponseOperation]) {
        self.header = header
        self.succeeded = succeeded
        self.responses = responses
    }
}

public struct WatchRequest: Equatable, Sendable {
    public var range: KeyRange
    /// The first revision to report (0: from now on).
    public var startRevision: Int64
    public var previousKeyValue: Bool

    public init(range: KeyRange, startRevision: Int64 = 0, previousKeyValue: Bool = false) {
        self.range = range
        self.startRevision = startRevision
        self.previousKeyValue = previousKeyValue
    }
}

/// What a watch stream delivers, in order.
public enum WatchResponse: Equatable, Sendable {
    case created
    /// Events of one or more revisions, in revision order; `revision` is the store's revision when
    /// they were sent.
    case events([WatchEvent], revision: Int64)
    /// The server ended the watch: the start revision was compacted, the member went away, or it
    /// was cancelled. No more responses follow.
    case canceled(EtcdError)
}

/// etcd's errors, with the texts etcd and etcdctl print.
public enum EtcdError: Error, Equatable, Sendable, CustomStringConvertible {
    case compacted(compactRevision: Int64)
    case futureRevision
    case keyNotFound
    case requestTimedOut
    /// The client's own deadline passed (gRPC's `DeadlineExceeded`).
    case deadlineExceeded
    case noLeader
    case unavailable(String)
    case memberNotFound(UInt64)
    case memberExists
    case peerURLExists
    case unhealthyCluster
    case tooManyOperations
    case invalid(String)

    public var description: String {
        switch self {
        case .compacted: "etcdserver: mvcc: required revision has been compacted"
        case .futureRevision: "etcdserver: mvcc: required revision is a future revision"
        case .keyNotFound: "etcdserver: key not found"
        case .requestTimedOut: "etcdserver: request timed out"
        case .deadlineExceeded: "context deadline exceeded"
        case .noLeader: "etcdserver: no leader"
        case .unavailable(let detail): "rpc error: code = Unavailable desc = \(detail)"
        case .memberNotFound: "etcdserver: member not found"
        case .memberExists: "etcdserver: member ID already exist"
        case .peerURLExists: "etcdserver: Peer URLs already exists"
        case .unhealthyCluster: "etcdserver: unhealthy cluster"
        case .tooManyOperations: "etcdserver: too many operations in txn request"
        case .invalid(let detail): "etcdserver: \(detail)"
        }
    }
}

/// Cancels a watch from the client side.
public protocol WatchCancellation: AnyObject {
    func cancel()
}

/// What every etcd consumer in the world talks to: the client model (`EtcdClient`) in real
/// scenarios, `LocalKeyValueClient` where a test wants the API without a cluster. Completions
/// run later in simulated time, never inside the call.
public protocol KeyValueClient: AnyObject {
    func range(_ request: RangeRequest, completion: @escaping (Result<RangeResponse, EtcdError>) -> Void)
    func txn(_ request: TxnRequest, completion: @escaping (Result<TxnResponse, EtcdError>) -> Void)
    /// Opens a watch; `handler` gets `.created`, then events, and at most one `.canceled`.
    @discardableResult
    func watch(_ request: WatchRequest, handler: @escaping (WatchResponse) -> Void) -> WatchCancellation
}

extension KeyValueClient {
    public func get(_ key: String, completion: @escaping (Result<RangeResponse, EtcdError>) -> Void) {
        range(RangeRequest(range: .key(key)), completion: completion)
    }

    public func put(_ key: String, _ value: String, completion: @escaping (Result<TxnResponse, EtcdError>) -> Void) {
        txn(TxnRequest(success: [.put(key, value)]), completion: completion)
    }

    public func delete(_ range: KeyRange, completion: @escaping (Result<TxnResponse, EtcdError>) -> Void) {
        txn(TxnRequest(success: [.delete(range)]), completion: completion)
    }
}
