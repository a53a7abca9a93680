/// An etcd without Raft or network: one MVCC store that answers every request after a fixed
/// delay. For tests of etcd consumers, and for worlds that want the API without a cluster. Real
/// scenarios use the cluster and the client model instead, which is where the Monzo bug lives.
public final class LocalKeyValueClient: KeyValueClient {
    public private(set) var store = MVCCStore()
    public var responseDelay: SimTime
    private unowned let world: World
    private var watchers: [LocalWatch] = []

    public init(world: World, responseDelay: SimTime = Span.milliseconds(1)) {
        self.world = world
        self.responseDelay = responseDelay
    }

    public func range(_ request: RangeRequest, completion: @escaping (Result<RangeResponse, EtcdError>) -> Void) {
        let result = Result { () throws(EtcdError) in try store.range(request) }
        world.schedule(after: responseDelay) { completion(result) }
    }

    public func txn(_ request: TxnRequest, completion: @escaping (Result<TxnResponse, EtcdError>) -> Void) {
        let before = store.revision
        let result = Result { () throws(EtcdError) in try store.txn(request) }
        if store.revision > before { notifyWatchers(since: before + 1) }
        world.schedule(after: responseDelay) { completion(result) }
    }

    /// Compacts the store, cancelling watches that can no longer be served.
    public func compact(_ revision: Int64) throws(EtcdError) {
        try store.compact(revision)
    }

    @discardableResult
    public func watch(_ request: WatchRequest, handler: @escaping (WatchResponse) -> Void) -> WatchCancellation {
        let watch = LocalWatch(request: request, handler: handler, owner: self)
        let start = request.startRevision > 0 ? request.startRevision : store.revision + 1
        watch.nextRevision = start
        world.schedule(after: responseDelay) { [self] in
            guard !watch.isCancelled else { return }
            handler(.created)
            do {
                let backlog = try store.events(in: request.range, from: start)
                watchers.append(watch)
                deliver(backlog, to: watch)
            } catch {
                watch.isCancelled = true
                handler(.canceled(error as? EtcdError ?? .unavailable("\(error)")))
            }
        }
        return watch
    }

    private func notifyWatchers(since revision: Int64) {
        // The write's events, found once; each watch takes those in its range that it has not
        // seen (an apiserver has a watch per resource, so searching the whole history once per
        // watch per write was most of the cost of a write).
        let written = (try? store.events(in: .prefix(""), from: revision)) ?? []
        for watch in watchers where !watch.isCancelled {
            let fresh = written.filter { $0.keyValue.modRevision >= watch.nextRevision && watch.request.range.contains($0.keyValue.key) }
            deliver(fresh, to: watch)
        }
        watchers.removeAll { $0.isCancelled }
    }

    private func deliver(_ events: [WatchEvent], to watch: LocalWatch) {
        guard let last = events.last else { return }
        watch.nextRevision = last.keyValue.modRevision + 1
        let revision = store.revision
        let shaped = watch.request.previousKeyValue ? events : events.map { WatchEvent(kind: $0.kind, keyValue: $0.keyValue) }
        world.schedule(after: responseDelay) {
            guard !watch.isCancelled else { return }
            watch.handler(.events(shaped, revision: revision))
        }
    }

    final class LocalWatch: WatchCancellation {
        let request: WatchRequest
        let handler: (WatchResponse) -> Void
        var nextRevision: Int64 = 0
        var isCancelled = false
        weak var owner: LocalKeyValueClient?

        init(request: WatchRequest, handler: @escaping (WatchResponse) -> Void, owner: LocalKeyValueClient) {
            self.request = request
            self.handler = handler
            self.owner = owner
        }

        func cancel() { isCancelled = true }
    }
}
