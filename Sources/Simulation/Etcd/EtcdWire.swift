/// What travels over a client's connection to an etcd member: the cluster and maintenance
/// calls beside the KV ones in `KeyValueAPI.swift`, and the frames that carry them.

/// `etcdctl member list` and friends.
public struct MemberListResponse: Equatable, Sendable {
    public var header: ResponseHeader
    public var members: [EtcdMemberInfo]
}

public struct MemberAddResponse: Equatable, Sendable {
    public var header: ResponseHeader
    public var member: EtcdMemberInfo
    public var members: [EtcdMemberInfo]
}

/// `etcdctl endpoint status`: one member's view of itself.
public struct StatusResponse: Equatable, Sendable {
    public var header: ResponseHeader
    public var version: String
    public var databaseSizeBytes: Int
    /// The leader this member follows (0: none).
    public var leader: MemberID
    public var raftIndex: UInt64
    public var raftTerm: UInt64
    public var raftAppliedIndex: UInt64
}

/// A unary call a client makes.
enum UnaryRequest: Sendable {
    case range(RangeRequest)
    case txn(TxnRequest)
    case compact(revision: Int64)
    case memberList
    case memberAdd(peerURLs: [String])
    case memberRemove(MemberID)
    case status
    case moveLeader(to: MemberID)
}

/// The answer to a unary call.
enum UnaryResponse: Sendable {
    case range(RangeResponse)
    case txn(TxnResponse)
    case compact(ResponseHeader)
    case memberList(MemberListResponse)
    case memberAdd(MemberAddResponse)
    case status(StatusResponse)
    case moveLeader(ResponseHeader)
}

/// Frames from client to server.
enum ClientFrame: Sendable {
    case unary(callID: UInt64, UnaryRequest)
    case watchCreate(watchID: Int64, WatchRequest)
    case watchCancel(watchID: Int64)
    /// An HTTP/2 ping: the 3.3 client's keepalive, answered by the server's transport itself.
    case ping(UInt64)
}

/// Frames from server to client.
enum ServerFrame: Sendable {
    case unary(callID: UInt64, Result<UnaryResponse, EtcdError>)
    /// A watch's response; `revision` is the store's revision when it was sent (for `.created`,
    /// the revision the watch starts after when it asked for "from now on").
    case watch(watchID: Int64, WatchResponse, revision: Int64)
    case pong(UInt64)
}
