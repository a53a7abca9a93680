import DequeModule
import OrderedCollections

/// One resource's storage inside one apiserver: its own etcd client, and the watch cache that a
/// single etcd watch on the resource's prefix keeps current (Kubernetes 1.6's "cacher"). Every API
/// watch on the resource is fed from that one etcd watch, so when it falls silent every API watch
/// falls silent with it, while other resources, with other clients, carry on.
final class ResourceStorage {
    let resource: Resource
    let client: KeyValueClient
    unowned let server: APIServer
    /// The watch cache: the latest object per etcd key.
    private(set) var objects: [String: any APIObject] = [:]
    /// The revision the cache has caught up to.
    private(set) var resourceVersion: Int64 = 0
    private var history = Deque<CachedEvent>()
    let historyCapacity: Int
    /// The oldest resourceVersion a watch may resume from.
    private(set) var windowStart: Int64 = 0
    private(set) var isReady = false
    private var readyWaiters: [() -> Void] = []
    private var etcdWatch: WatchCancellation?
    private var cycle = 0
    /// Lists of the cache's own that failed in a row (the retry backs off with them).
    private var failedLists = 0
    private var isStopped = false
    private var watchers = WatchesByNamespace()
    /// Pod watches filtered by node, indexed so a pod change reaches only its node's kubelet.
    private var nodeWatchers: [String: OrderedDictionary<WatchKey, ServerWatch>] = [:]
    /// When the etcd watch last delivered anything: how a grader spots a silent watch.
    private(set) var lastEtcdEventTime: SimTime?
    private(set) var etcdEventCount = 0

    init(resource: Resource, client: KeyValueClient, server: APIServer, historyCapacity: Int) {
        (self.resource, self.client, self.server, self.historyCapacity) = (resource, client, server, historyCapacity)
    }

    var watchCount: Int { watchers.count + nodeWatchers.values.reduce(0) { $0 + $1.count } }

    // MARK: The cache's own list and watch

    func start() { relist(after: 0) }

    func stop() {
        isStopped = true
        etcdWatch?.cancel()
        etcdWatch = nil
        readyWaiters.removeAll()
        for watch in allWatches() { watch.timeout?.cancel() }
        watchers.removeAll()
        nodeWatchers.removeAll()
    }

    private func relist(after delay: SimTime) {
        cycle += 1
        let thisCycle = cycle
        isReady = false
        etcdWatch?.cancel()
        etcdWatch = nil
        server.after(delay) { [self] in
            guard !isStopped, cycle == thisCycle else { return }
            client.range(RangeRequest(range: .prefix(resource.storagePrefix))) { [weak self] result in
                guard let self, !isStopped, cycle == thisCycle, server.isRunning else { return }
                switch result {
                case .success(let response):
                    failedLists = 0
                    fill(from: response, cycle: thisCycle)
                case .failure(let error):
                    server.log(.error, "reflector.go:201] k8s.io/kubernetes/pkg/storage/cacher.go:215: Failed to list *api.\(resource.kind): \(error)")
                    // The reflector backs off, doubling from a second up to half a minute.
                    failedLists += 1
                    relist(after: min(Span.seconds(1) << min(failedLists - 1, 5), Span.seconds(30)))
                }
            }
        }
    }

    private func fill(from response: RangeResponse, cycle thisCycle: Int) {
        var fresh: [String: any APIObject] = [:]
        for keyValue in response.keyValues {
            if let object = try? server.cluster.codec.decode(keyValue, as: resource) { fresh[keyValue.key] = object }
        }
        objects = fresh
        resourceVersion = response.header.revision
        windowStart = resourceVersion
        history.removeAll()
        isReady = true
        let waiters = readyWaiters
        readyWaiters.removeAll()
        for waiter in waiters { waiter() }
        etcdWatch = client.watch(WatchRequest(range: .prefix(resource.storagePrefix), startRevision: resourceVersion + 1)) { [weak self] response in
            guard let self, !isStopped, cycle == thisCycle, server.isRunning else { return }
            switch response {
            case .created: break
            case .events(let events, _): apply(events)
            case .canceled(let error):
                server.log(.warning, "watcher.go:291] watch chan error: \(error)")
                endAllWatches()
                relist(after: 0)
            }
        }
    }

    /// Runs `action` once the cache holds a full list.
    func whenReady(_ action: @escaping () -> Void) {
        if isReady { action() } else { readyWaiters.append(action) }
    }

    private func apply(_ events: [WatchEvent]) {
        lastEtcdEventTime = server.world.now
        etcdEventCount += events.count
        for event in events {
            let key = event.keyValue.key
            let cached: CachedEvent
            switch event.kind {
            case .put:
                guard let object = try? server.cluster.codec.decode(event.keyValue, as: resource) else { continue }
                let previous = objects.updateValue(object, forKey: key)
                cached = CachedEvent(kind: previous == nil ? .added : .modified, object: object, previous: previous)
            case .delete:
                guard var previous = objects.removeValue(forKey: key) else { continue }
                previous.metadata.resourceVersion = event.keyValue.modRevision
                cached = CachedEvent(kind: .deleted, object: previous, previous: previous)
            }
            resourceVersion = event.keyValue.modRevision
            history.append(cached)
            if history.count > historyCapacity, let evicted = history.popFirst() { windowStart = evicted.resourceVersion }
            dispatch(cached)
        }
    }

    private func dispatch(_ event: CachedEvent) {
        if server.world.usesReferencePaths { watchers.offerToEach(event) } else { watchers.offer(event) }
        guard !nodeWatchers.isEmpty, let pod = event.object as? Pod else { return }
        if let watches = nodeWatchers[pod.spec.nodeName] { for watch in watches.values { watch.offer(event) } }
        if let before = event.previous as? Pod, before.spec.nodeName != pod.spec.nodeName,
           let watches = nodeWatchers[before.spec.nodeName] {
            for watch in watches.values { watch.offer(event) }
        }
    }

    // MARK: Serving from the cache

    /// Matching objects from the cache, in key order, and the cache's version.
    func cachedList(_ filter: ObjectFilter) -> (objects: [any APIObject], resourceVersion: Int64) {
        var result: [any APIObject] = []
        if let nodeName = filter.nodeName {
            result = objects.values.filter { ($0 as? Pod)?.spec.nodeName == nodeName && filter.matches($0) }
        } else {
            result = objects.values.filter(filter.matches)
        }
        // Each object's key worked out once, not twice per comparison (a list of 3,000 pods
        // built some 70,000 key strings).
        let keyed = result.map { (key: $0.storageKey, object: $0) }.sorted { $0.key < $1.key }
        return (keyed.map(\.object), resourceVersion)
    }

    func cachedObject(namespace: String, name: String) -> (any APIObject)? {
        objects[resource.storageKey(namespace: namespace, name: name)]
    }

    /// Starts an API watch. From version 0 (or none) it first sends the current objects as ADDED;
    /// from an older version than the cache holds it fails with 410 Gone.
    func addWatch(_ watch: ServerWatch, from version: Int64?) {
        if let version, version > 0 {
            guard version >= windowStart else {
                watch.end(.error(.gone(requested: version, oldest: windowStart)))
                return
            }
            for event in history where event.resourceVersion > version { watch.offer(event) }
        } else {
            for object in cachedList(watch.filter).objects { watch.deliver(.added(object)) }
        }
        if let nodeName = watch.filter.nodeName, resource == .pods {
            nodeWatchers[nodeName, default: [:]][watch.key] = watch
        } else {
            watchers.insert(watch)
        }
    }

    func removeWatch(_ key: WatchKey) -> ServerWatch? {
        if let watch = watchers.remove(key) { return watch }
        for nodeName in nodeWatchers.keys.sorted() {
            if let watch = nodeWatchers[nodeName]?.removeValue(forKey: key) { return watch }
        }
        return nil
    }

    func removeWatches(onConnection connectionID: Int) {
        for watch in allWatches() where watch.key.connectionID == connectionID {
            watch.timeout?.cancel()
            _ = removeWatch(watch.key)
        }
    }

    private func allWatches() -> [ServerWatch] {
        watchers.all + nodeWatchers.keys.sorted().flatMap { nodeWatchers[$0]!.values }
    }

    private func endAllWatches() {
        let all = allWatches()
        watchers.removeAll()
        nodeWatchers.removeAll()
        for watch in all { watch.end() }
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(resource.rawValue)
        hasher.combine(isReady)
        hasher.combine(resourceVersion)
        hasher.combine(windowStart)
        hasher.combine(objects.count)
        hasher.combine(watchCount)
        hasher.combine(etcdEventCount)
    }
}
