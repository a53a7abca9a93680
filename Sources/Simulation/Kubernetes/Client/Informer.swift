/// A list-then-watch cache of one resource, as client-go's informer: it lists from the watch
/// cache, watches from the list's resourceVersion, re-watches from the last version it saw when
/// the server ends the stream, relists on 410 Gone, and retries failures with jittered backoff.
/// Handlers see every add, update and delete; indexes answer "pods of this namespace" without scans.
public final class Informer<Object: APIObject> {
    public unowned let client: APIClient
    public let filter: ObjectFilter
    public private(set) var objects: [String: Object] = [:]
    public private(set) var hasSynced = false
    public private(set) var lastResourceVersion: Int64 = 0
    public private(set) var relistCount = 0
    public private(set) var rewatchCount = 0
    public var onAdd: ((Object) -> Void)?
    public var onUpdate: ((Object, Object) -> Void)?
    public var onDelete: ((Object) -> Void)?
    public var onSynced: (() -> Void)?
    private var watch: ClientWatch?
    private var watchStartedAt: SimTime = 0
    private var eventsOnThisWatch = 0
    private var fruitlessWatches = 0
    private var isStopped = false
    private var failures = 0
    private let random: RandomStream
    private var indexers: [String: (Object) -> [String]] = [:]
    private var indexes: [String: [String: Set<String>]] = [:]
    /// Each index bucket's keys in order, kept until the bucket's members change: controllers
    /// ask for the same buckets on every event, and most updates leave every bucket as it was.
    private var sortedBuckets: [String: [String: [String]]] = [:]

    public init(client: APIClient, filter: ObjectFilter = .everything, random: RandomStream) {
        self.client = client
        self.filter = filter
        self.random = random
    }

    public static func key(namespace: String, name: String) -> String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public subscript(namespace: String, name: String) -> Object? { objects[Informer.key(namespace: namespace, name: name)] }

    /// Every object, sorted by namespace and name.
    public var sortedObjects: [Object] { objects.keys.sorted().map { objects[$0]! } }

    /// Maintains an index: each object is filed under every value `keys` returns for it.
    public func addIndex(_ name: String, _ keys: @escaping (Object) -> [String]) {
        indexers[name] = keys
        indexes[name] = [:]
        sortedBuckets[name] = nil
        for (key, object) in objects { file(key, object, into: name) }
    }

    /// The objects filed under `value` in an index, sorted by key.
    public func indexed(_ name: String, _ value: String) -> [Object] {
        if let keys = sortedBuckets[name]?[value] { return keys.compactMap { objects[$0] } }
        let keys = (indexes[name]?[value] ?? []).sorted()
        sortedBuckets[name, default: [:]][value] = keys
        return keys.compactMap { objects[$0] }
    }

    public func start() { list() }

    public func stop() {
        isStopped = true
        watch?.cancel()
        watch = nil
    }

    private func list() {
        guard !isStopped else { return }
        client.send(.list(Object.resource, filter: filter, resourceVersion: "0")) { [weak self] result in
            guard let self, !self.isStopped else { return }
            switch result {
            case .success(.list(let items, let version)):
                self.failures = 0
                self.replace(items.compactMap { $0 as? Object }, version: version)
                self.watchFromLastVersion()
            default:
                self.retryLater { $0.list() }
            }
        }
    }

    private func watchFromLastVersion() {
        guard !isStopped else { return }
        watchStartedAt = client.process.world.now
        eventsOnThisWatch = 0
        watch = client.watch(Object.resource, filter: filter, resourceVersion: lastResourceVersion) { [weak self] event in
            self?.handle(event)
        }
    }

    private func handle(_ event: APIWatchEvent) {
        guard !isStopped else { return }
        switch event {
        case .added(let object), .modified(let object):
            eventsOnThisWatch += 1
            guard let typed = object as? Object else { return }
            lastResourceVersion = max(lastResourceVersion, typed.metadata.resourceVersion)
            store(typed)
        case .deleted(let object):
            guard let typed = object as? Object else { return }
            lastResourceVersion = max(lastResourceVersion, typed.metadata.resourceVersion)
            remove(Informer.key(namespace: typed.namespace, name: typed.name))
        case .error(.gone):
            relistCount += 1
            watch = nil
            list()
        case .error:
            watch = nil
            retryLater { $0.list() }
        case .ended:
            watch = nil
            rewatchCount += 1
            // A stream that ends at once, again and again, means no server is there: back off.
            let fruitless = eventsOnThisWatch == 0 && client.process.world.now - watchStartedAt < Span.seconds(1)
            fruitlessWatches = fruitless ? fruitlessWatches + 1 : 0
            let delay = min(Span.seconds(5), Span.milliseconds(100) << min(fruitlessWatches, 6))
            client.process.after(delay) { [weak self] in self?.watchFromLastVersion() }
        }
    }

    private func retryLater(_ action: @escaping (Informer) -> Void) {
        failures += 1
        let ceiling = min(Span.seconds(30), Span.seconds(1) << min(failures - 1, 5))
        client.process.after(random.span(ceiling / 2, ceiling)) { [weak self] in
            guard let self, !self.isStopped else { return }
            action(self)
        }
    }

    private func replace(_ items: [Object], version: Int64) {
        lastResourceVersion = version
        var fresh: [String: Object] = [:]
        for item in items { fresh[Informer.key(namespace: item.namespace, name: item.name)] = item }
        for key in objects.keys.sorted() where fresh[key] == nil { remove(key) }
        for key in fresh.keys.sorted() { store(fresh[key]!) }
        if !hasSynced {
            hasSynced = true
            onSynced?()
        }
    }

    private func store(_ object: Object) {
        let key = Informer.key(namespace: object.namespace, name: object.name)
        let previous = objects.updateValue(object, forKey: key)
        for (name, keys) in indexers {
            let old = previous.map(keys) ?? []
            let new = keys(object)
            // Most updates (a status change) leave the object in the buckets it was in.
            guard old != new else { continue }
            for value in old { unfile(key, from: name, value) }
            for value in new { file(key, into: name, value) }
        }
        if let previous { onUpdate?(previous, object) } else { onAdd?(object) }
    }

    private func remove(_ key: String) {
        guard let previous = objects.removeValue(forKey: key) else { return }
        for (name, keys) in indexers {
            for value in keys(previous) { unfile(key, from: name, value) }
        }
        onDelete?(previous)
    }

    private func file(_ key: String, _ object: Object, into name: String) {
        guard let keys = indexers[name]?(object) else { return }
        for value in keys { file(key, into: name, value) }
    }

    private func file(_ key: String, into name: String, _ value: String) {
        guard indexes[name, default: [:]][value, default: []].insert(key).inserted else { return }
        sortedBuckets[name]?[value] = nil
    }

    private func unfile(_ key: String, from name: String, _ value: String) {
        guard indexes[name]?[value]?.remove(key) != nil else { return }
        if indexes[name]?[value]?.isEmpty == true { indexes[name]?[value] = nil }
        sortedBuckets[name]?[value] = nil
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(objects.count)
        hasher.combine(lastResourceVersion)
        hasher.combine(relistCount)
    }
}
