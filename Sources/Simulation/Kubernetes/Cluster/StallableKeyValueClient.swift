/// A storage client that can be left hanging: once stalled, requests never complete and watches
/// deliver nothing, as over the zombie connection the etcd 3.1 client could stay pinned to.
/// Stalling lasts for the client's life; the apiserver cures it by restarting, which makes new
/// clients. Tests and drills use it over a `LocalKeyValueClient` until the etcd cluster model is
/// the apiserver's storage; the real mechanism then comes from the etcd client itself.
public final class StallableKeyValueClient: KeyValueClient {
    public let base: KeyValueClient
    public private(set) var isStalled = false

    public init(base: KeyValueClient) { self.base = base }

    public func stall() { isStalled = true }

    public func range(_ request: RangeRequest, completion: @escaping (Result<RangeResponse, EtcdError>) -> Void) {
        guard !isStalled else { return }
        base.range(request) { [weak self] result in if self?.isStalled == false { completion(result) } }
    }

    public func txn(_ request: TxnRequest, completion: @escaping (Result<TxnResponse, EtcdError>) -> Void) {
        guard !isStalled else { return }
        base.txn(request) { [weak self] result in if self?.isStalled == false { completion(result) } }
    }

    @discardableResult
    public func watch(_ request: WatchRequest, handler: @escaping (WatchResponse) -> Void) -> WatchCancellation {
        base.watch(request) { [weak self] response in if self?.isStalled == false { handler(response) } }
    }
}

/// Where the apiservers' storage clients come from: the one place a scenario chooses between
/// the local store and the etcd cluster.
public enum KubernetesStorage {
    /// Every apiserver and resource shares one `LocalKeyValueClient` store, each through its own
    /// stallable client, so one resource of one apiserver can be broken on its own.
    public static func local(_ world: World, responseDelay: SimTime = Span.milliseconds(1)) -> (LocalKeyValueClient, StorageClientFactory) {
        let store = LocalKeyValueClient(world: world, responseDelay: responseDelay)
        return (store, { _, _ in StallableKeyValueClient(base: store) })
    }

    /// Every apiserver stores each resource through its own etcd client of the release's version
    /// (3.1 up to Kubernetes 1.9, 3.3 from 1.10), made afresh at every apiserver start: the
    /// storage the real apiserver had, and where the Monzo outage began. The world must already
    /// have its etcd cluster.
    ///
    /// The old clients (Kubernetes 1.6–1.9) get no per-call deadline (none was set: a call waits
    /// until its connection dies) and lose a watch on reconnect with
    /// `watchLossOnReconnectProbability`, the scenario's assumption about etcd-io/etcd#7290.
    public static func etcd(version: KubernetesVersion,
                            watchLossOnReconnectProbability: Double = assumedWatchLossOnReconnect) -> StorageClientFactory {
        let clientVersion = EtcdClientVersion(rawValue: version.etcdClientVersion)!
        var configuration = EtcdClientConfiguration()
        if clientVersion.canLoseWatchesOnReconnect {
            configuration.requestTimeout = nil
            configuration.watchLossOnReconnectProbability = watchLossOnReconnectProbability
        }
        return { resource, apiserver in
            EtcdClient(owner: apiserver, discoveringMembersWith: clientVersion, label: resource.rawValue, configuration: configuration)
        }
    }

    /// How likely an old client is to lose one watch when it reconnects. Not measured anywhere
    /// public: chosen so that a resize like Monzo's leaves a stale watch cache on some seeds and
    /// not on most. A scenario's assumption, stated in the README.
    public static let assumedWatchLossOnReconnect = 0.1
}

/// Makes the storage client an apiserver uses for one resource; called at every apiserver start.
public typealias StorageClientFactory = (Resource, APIServer) -> KeyValueClient
