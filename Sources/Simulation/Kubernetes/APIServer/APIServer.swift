import DequeModule

/// A kube-apiserver. It stores every object in etcd through one storage client per resource
/// type, made by the cluster's factory each time it starts (so a restart re-dials etcd), serves
/// lists and watches from per-resource watch caches, checks writes with optimistic concurrency
/// (resourceVersion is the etcd modification revision), ends watches after a randomised timeout
/// around `--min-request-timeout`, and answers 504 when a storage client does not answer in time.
public final class APIServer: SimProcess {
    public unowned let cluster: KubernetesCluster
    /// `--request-timeout`: how long a request other than a write may wait on storage before
    /// the client gets a 504 ("1m0s", kubernetes/kubernetes#69621; "http: Handler timeout", #46964).
    public var requestTimeout = Span.seconds(60)
    /// How long a write waits on storage before it fails with `Timeout` (the REST handler's own
    /// 30 s: the trace in kubernetes/kubernetes#47131 ends at `[30.002s]`).
    public var writeTimeout = Span.seconds(30)
    /// `--min-request-timeout`: watches last between this and twice this.
    public var minimumRequestTimeout = Span.seconds(1_800)
    private(set) var storages: [Resource: ResourceStorage] = [:]
    private(set) var compactor: StorageCompactor?
    private var knownConnections = Set<Int>()
    /// Pending requests by deadline, writes and the rest apart: each queue is in deadline order.
    private var deadlines = Deque<(id: Int, due: SimTime)>()
    private var writeDeadlines = Deque<(id: Int, due: SimTime)>()
    private var waiting: [Int: PendingRequest] = [:]
    private var nextRequestID = 1
    private var sweepScheduled = false
    private var random: RandomStream
    public private(set) var servedRequestCount = 0
    public private(set) var timedOutRequestCount = 0

    public init(name: String, host: Host, cluster: KubernetesCluster) {
        self.cluster = cluster
        self.random = cluster.world.random("kube/\(name)")
        super.init(name: name, host: host)
    }

    /// The pod name the apiserver's logs are kept under, as its static pod is called.
    public var podName: String { "kube-apiserver-\(host.name)" }

    public override func didStart() {
        knownConnections.removeAll()
        deadlines.removeAll()
        writeDeadlines.removeAll()
        waiting.removeAll()
        sweepScheduled = false
        log(.info, "server.go:112] Version: \(cluster.configuration.version.gitVersion)")
        for resource in Resource.allCases {
            let client = cluster.storageClientFactory(resource, self)
            let storage = ResourceStorage(resource: resource, client: client, server: self,
                                          historyCapacity: cluster.configuration.watchCacheSize(resource))
            storages[resource] = storage
        }
        for resource in Resource.allCases { storages[resource]!.start() }
        startCompactor()
        startEndpointReconciler()
        storages[.namespaces]!.whenReady { [weak self] in self?.bootstrap() }
    }

    /// Like Kubernetes, one compactor per apiserver process, on the first storage client made, and
    /// only for etcd: the local store stands in for a cluster nobody compacts.
    private func startCompactor() {
        compactor = nil
        guard let first = Resource.allCases.first, let client = storages[first]?.client as? EtcdClient else { return }
        compactor = StorageCompactor(server: self, client: client, interval: cluster.configuration.etcdCompactionInterval)
        compactor?.start()
    }

    /// Compactions this incarnation's compactor has made (it shares the work with other apiservers).
    public var compactionCount: Int { compactor?.compactionCount ?? 0 }

    public override func willStop() {
        compactor = nil
        // In a fixed order: stopping a storage closes its etcd client, which sends and draws
        // latencies, and a dictionary's order changes from process to process.
        for resource in Resource.allCases { storages[resource]?.stop() }
        storages.removeAll()
        waiting.removeAll()
    }

    func log(_ level: GlogFormat.Level, _ text: String) {
        cluster.log(namespace: "kube-system", pod: podName, container: "kube-apiserver", level, text)
    }

    // MARK: What graders and the k8s module read

    /// The watch cache of one resource, as this apiserver serves it from memory.
    public func cachedObjects(_ resource: Resource, filter: ObjectFilter = .everything) -> [any APIObject] {
        storages[resource]?.cachedList(filter).objects ?? []
    }

    public func cachedObject(_ resource: Resource, namespace: String, name: String) -> (any APIObject)? {
        storages[resource]?.cachedObject(namespace: namespace, name: name)
    }

    /// The revision this apiserver's cache of `resource` has reached, and when its etcd watch last spoke.
    public func cacheState(_ resource: Resource) -> (ready: Bool, resourceVersion: Int64, lastEventTime: SimTime?, watches: Int)? {
        guard let storage = storages[resource] else { return nil }
        return (storage.isReady, storage.resourceVersion, storage.lastEtcdEventTime, storage.watchCount)
    }

    public func isCacheReady(_ resource: Resource) -> Bool { storages[resource]?.isReady ?? false }

    /// The storage client this incarnation uses for a resource, as the factory made it.
    public func storageClient(for resource: Resource) -> KeyValueClient? { storages[resource]?.client }

    // MARK: Serving clients

    /// Handles one request that arrived on `connection`; `reply` carries the answer back.
    func serve(_ request: APIRequest, connectionID: Int?, reply: @escaping (Result<APIResponse, APIError>) -> Void) {
        servedRequestCount += 1
        let guarded = withDeadline(request, reply)
        perform(request, reply: traced(request, guarded))
    }

    /// Starts a watch for a client; events go out through `send` until the watch ends.
    func startWatch(_ resource: Resource, filter: ObjectFilter, resourceVersion: Int64?, key: WatchKey,
                    connection: Connection?, send: @escaping (APIWatchEvent) -> Void) {
        if let connection { track(connection) }
        guard let storage = storages[resource] else { send(.ended); return }
        let watch = ServerWatch(key: key, filter: filter, send: send)
        storage.whenReady { [weak self, weak storage] in
            guard let self, let storage else { return }
            let span = self.minimumRequestTimeout
            watch.timeout = self.timer(after: self.random.span(span, 2 * span)) { [weak storage] in
                guard let storage, storage.removeWatch(key) != nil else { return }
                watch.end()
            }
            storage.addWatch(watch, from: resourceVersion)
        }
    }

    func stopWatch(_ resource: Resource, key: WatchKey) {
        storages[resource]?.removeWatch(key)?.timeout?.cancel()
    }

    private func track(_ connection: Connection) {
        guard knownConnections.insert(connection.id).inserted else { return }
        let connectionID = connection.id
        connection.onClosedAtServer = { [weak self] in
            guard let self else { return }
            self.knownConnections.remove(connectionID)
            for resource in Resource.allCases { self.storages[resource]?.removeWatches(onConnection: connectionID) }
        }
    }

    func noteConnection(_ connection: Connection) { track(connection) }

    // MARK: Deadlines

    private struct PendingRequest {
        let verb: String
        let resource: Resource
        let reply: (Result<APIResponse, APIError>) -> Void
    }

    /// Wraps a reply so that it is sent once: with the answer, or with a 504 when storage has not
    /// answered within the request timeout.
    private func withDeadline(_ request: APIRequest, _ reply: @escaping (Result<APIResponse, APIError>) -> Void)
        -> (Result<APIResponse, APIError>) -> Void {
        let id = nextRequestID
        nextRequestID += 1
        let verb = request.verb == "list" ? "get" : request.verb
        waiting[id] = PendingRequest(verb: verb, resource: request.resource, reply: reply)
        if APIError.isWrite(verb) {
            writeDeadlines.append((id, world.now + writeTimeout))
        } else {
            deadlines.append((id, world.now + requestTimeout))
        }
        scheduleSweep()
        let expected = incarnation
        return { [weak self] result in
            guard let self, self.isCurrent(expected), let pending = self.waiting.removeValue(forKey: id) else { return }
            pending.reply(result)
        }
    }

    private func scheduleSweep() {
        guard !sweepScheduled else { return }
        sweepScheduled = true
        after(Span.seconds(1)) { [weak self] in self?.sweepDeadlines() }
    }

    private func sweepDeadlines() {
        sweepScheduled = false
        expireDue(&deadlines, after: requestTimeout)
        expireDue(&writeDeadlines, after: writeTimeout)
        if !deadlines.isEmpty || !writeDeadlines.isEmpty { scheduleSweep() }
    }

    private func expireDue(_ queue: inout Deque<(id: Int, due: SimTime)>, after timeout: SimTime) {
        while let first = queue.first, waiting[first.id] == nil || first.due <= world.now {
            queue.removeFirst()
            guard let pending = waiting.removeValue(forKey: first.id) else { continue }
            timedOutRequestCount += 1
            log(.error, "wrap.go:75] \(pending.verb.uppercased()) /\(pending.resource.rawValue): (\(Span.describe(timeout))) 504 [timeout]")
            pending.reply(.failure(.timeout(verb: pending.verb, pending.resource)))
        }
    }

    // MARK: Requests

    func perform(_ request: APIRequest, reply: @escaping (Result<APIResponse, APIError>) -> Void) {
        guard let storage = storages[request.resource] else { reply(.failure(.unavailable("apiserver is shutting down"))); return }
        switch request {
        case .get(_, let namespace, let name):
            read(storage, key: storage.resource.storageKey(namespace: namespace, name: name), name: name, reply: reply)
        case .list(_, let filter, let resourceVersion):
            list(storage, filter: filter, fromCache: resourceVersion == "0", reply: reply)
        case .create(let object):
            create(object, in: storage, reply: reply)
        case .update(let object):
            let incoming = object
            guaranteedUpdate(storage, namespace: object.namespace, name: object.name, precondition: object.metadata.resourceVersion,
                             mutate: { (current: inout any APIObject) throws(APIError) in
                                 var replacement = incoming
                                 replacement.metadata.uid = current.metadata.uid
                                 replacement.metadata.creationTimestamp = current.metadata.creationTimestamp
                                 replacement.metadata.generation = current.metadata.generation
                                 replacement.metadata.deletionTimestamp = current.metadata.deletionTimestamp
                                 replacement.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds
                                 current = replacement
                             }, reply: reply)
        case .patch(_, let namespace, let name, let mutate):
            guaranteedUpdate(storage, namespace: namespace, name: name, precondition: 0, mutate: mutate, reply: reply)
        case .delete(_, let namespace, let name, let gracePeriodSeconds):
            delete(storage, namespace: namespace, name: name, gracePeriodSeconds: gracePeriodSeconds, reply: reply)
        }
    }

    private func decode(_ keyValue: KeyValue, _ resource: Resource) -> Result<any APIObject, APIError> {
        do { return .success(try cluster.codec.decode(keyValue, as: resource)) } catch {
            return .failure(.internalError("error decoding \(keyValue.key): \(error)"))
        }
    }

    private func read(_ storage: ResourceStorage, key: String, name: String, reply: @escaping (Result<APIResponse, APIError>) -> Void) {
        storage.client.get(key) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): reply(.failure(.internalError(error.description)))
            case .success(let response):
                guard let keyValue = response.keyValues.first else { reply(.failure(.notFound(storage.resource, name: name))); return }
                reply(self.decode(keyValue, storage.resource).map { .object($0) })
            }
        }
    }

    private func list(_ storage: ResourceStorage, filter: ObjectFilter, fromCache: Bool,
                      reply: @escaping (Result<APIResponse, APIError>) -> Void) {
        if fromCache {
            storage.whenReady { [weak storage] in
                guard let storage else { return }
                let (objects, version) = storage.cachedList(filter)
                reply(.success(.list(objects, resourceVersion: version)))
            }
            return
        }
        let prefix = storage.resource.storagePrefix(namespace: filter.namespace)
        storage.client.range(RangeRequest(range: .prefix(prefix))) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): reply(.failure(.internalError(error.description)))
            case .success(let response):
                var objects: [any APIObject] = []
                for keyValue in response.keyValues {
                    if case .success(let object) = self.decode(keyValue, storage.resource), filter.matches(object) { objects.append(object) }
                }
                reply(.success(.list(objects, resourceVersion: response.header.revision)))
            }
        }
    }

    private func create(_ incoming: any APIObject, in storage: ResourceStorage, reply: @escaping (Result<APIResponse, APIError>) -> Void) {
        var object = incoming
        let resource = storage.resource
        if object.metadata.name.isEmpty && !object.metadata.generateName.isEmpty {
            object.metadata.name = object.metadata.generateName + randomSuffix()
        }
        guard !object.metadata.name.isEmpty else {
            reply(.failure(.invalid(resource, name: "", problems: ["metadata.name: Required value: name or generateName is required"])))
            return
        }
        if resource.isNamespaced {
            if object.metadata.namespace.isEmpty { object.metadata.namespace = "default" }
            if let namespaces = storages[.namespaces], namespaces.isReady,
               namespaces.cachedObject(namespace: "", name: object.metadata.namespace) == nil {
                reply(.failure(.notFound(.namespaces, name: object.metadata.namespace)))
                return
            }
        }
        object.applyDefaults()
        do throws(ObjectDecodingError) { try object.validate() } catch {
            reply(.failure(.invalid(resource, name: object.name, problems: [error.description])))
            return
        }
        object.metadata.uid = randomUID()
        object.metadata.creationTimestamp = Timestamp(world)
        object.metadata.generation = 1
        object.metadata.resourceVersion = 0
        if var service = object as? Service, service.clusterIP.isEmpty {
            service.clusterIP = allocateClusterIP(for: service)
            object = service
        }
        let key = object.storageKey
        let value = cluster.codec.encode(object)
        let created = object
        storage.client.txn(TxnRequest(compares: [Compare(key: key, .equal, .createRevision(0))], success: [.put(key, value)])) { result in
            switch result {
            case .failure(let error): reply(.failure(.internalError(error.description)))
            case .success(let response) where response.succeeded:
                var stored = created
                stored.metadata.resourceVersion = response.header.revision
                reply(.success(.object(stored)))
            case .success: reply(.failure(.alreadyExists(resource, name: created.name)))
            }
        }
    }

    /// Read, change, compare-and-swap on the modification revision, and retry on a lost race;
    /// with a precondition, a stale resourceVersion is a Conflict instead.
    private func guaranteedUpdate(_ storage: ResourceStorage, namespace: String, name: String, precondition: Int64,
                                  attempt: Int = 1, mutate: @escaping ObjectMutation,
                                  reply: @escaping (Result<APIResponse, APIError>) -> Void) {
        let resource = storage.resource
        let key = resource.storageKey(namespace: namespace, name: name)
        storage.client.get(key) { [weak self] result in
            guard let self else { return }
            let keyValue: KeyValue
            switch result {
            case .failure(let error): reply(.failure(.internalError(error.description))); return
            case .success(let response):
                guard let found = response.keyValues.first else { reply(.failure(.notFound(resource, name: name))); return }
                keyValue = found
            }
            guard precondition == 0 || keyValue.modRevision == precondition else {
                reply(.failure(.conflict(resource, name: name)))
                return
            }
            let old: any APIObject
            switch self.decode(keyValue, resource) {
            case .failure(let error): reply(.failure(error)); return
            case .success(let object): old = object
            }
            var updated = old
            do throws(APIError) { try mutate(&updated) } catch { reply(.failure(error)); return }
            updated.metadata.uid = old.metadata.uid
            updated.metadata.name = old.metadata.name
            updated.metadata.namespace = old.metadata.namespace
            updated.metadata.creationTimestamp = old.metadata.creationTimestamp
            do throws(ObjectDecodingError) { try updated.validate() } catch {
                reply(.failure(.invalid(resource, name: name, problems: [error.description])))
                return
            }
            if updated.hasDifferentSpec(from: old) { updated.metadata.generation = old.metadata.generation + 1 }
            let value = self.cluster.codec.encode(updated)
            guard value != keyValue.value else { reply(.success(.object(old))); return }
            let txn = TxnRequest(compares: [Compare(key: key, .equal, .modRevision(keyValue.modRevision))], success: [.put(key, value)])
            storage.client.txn(txn) { [weak self] result in
                guard let self else { return }
                switch result {
                case .failure(let error): reply(.failure(.internalError(error.description)))
                case .success(let response) where response.succeeded:
                    var stored = updated
                    stored.metadata.resourceVersion = response.header.revision
                    reply(.success(.object(stored)))
                case .success:
                    if precondition != 0 || attempt >= 5 {
                        reply(.failure(.conflict(resource, name: name)))
                    } else {
                        self.guaranteedUpdate(storage, namespace: namespace, name: name, precondition: 0, attempt: attempt + 1,
                                              mutate: mutate, reply: reply)
                    }
                }
            }
        }
    }

    private func delete(_ storage: ResourceStorage, namespace: String, name: String, gracePeriodSeconds: Int64?,
                        reply: @escaping (Result<APIResponse, APIError>) -> Void) {
        let resource = storage.resource
        let key = resource.storageKey(namespace: namespace, name: name)
        let now = Timestamp(world)
        storage.client.get(key) { [weak self] result in
            guard let self else { return }
            guard case .success(let response) = result else {
                if case .failure(let error) = result { reply(.failure(.internalError(error.description))) }
                return
            }
            guard let keyValue = response.keyValues.first, case .success(let object) = self.decode(keyValue, resource) else {
                reply(.failure(.notFound(resource, name: name)))
                return
            }
            if let pod = object as? Pod, !pod.spec.nodeName.isEmpty, gracePeriodSeconds != 0 {
                guard pod.metadata.deletionTimestamp == nil else { reply(.success(.object(pod))); return }
                // Kept within a year: a client or a manifest may name any number of seconds.
                let grace = min(max(0, gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds), 366 * 86_400)
                self.guaranteedUpdate(storage, namespace: namespace, name: name, precondition: 0, mutate: { (current: inout any APIObject) throws(APIError) in
                    current.metadata.deletionTimestamp = now.adding(seconds: grace)
                    current.metadata.deletionGracePeriodSeconds = grace
                }, reply: reply)
                return
            }
            let txn = TxnRequest(compares: [Compare(key: key, .equal, .modRevision(keyValue.modRevision))], success: [.delete(.key(key))])
            storage.client.txn(txn) { result in
                switch result {
                case .failure(let error): reply(.failure(.internalError(error.description)))
                case .success(let response) where response.succeeded:
                    var deleted = object
                    deleted.metadata.resourceVersion = response.header.revision
                    reply(.success(.object(deleted)))
                case .success: reply(.failure(.conflict(resource, name: name)))
                }
            }
        }
    }

    // MARK: Names, UIDs, addresses

    private static let suffixAlphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    private func randomSuffix() -> String {
        let alphabet = APIServer.suffixAlphabet
        return String(decoding: (0..<5).map { _ in alphabet[random.integer(in: 0..<alphabet.count)] }, as: UTF8.self)
    }

    /// A version-4 UUID from this apiserver's stream (every object created gets one; built as
    /// bytes, which appending characters to a string one by one was not).
    private func randomUID() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for index in 0..<32 {
            if index == 8 || index == 12 || index == 16 || index == 20 { bytes.append(UInt8(ascii: "-")) }
            // The version digit is fixed: no draw for it.
            bytes.append(index == 12 ? UInt8(ascii: "4") : APIServer.hexDigits[random.integer(in: 0..<16)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A cluster IP in the service range, stable for the service's name, skipping addresses in use.
    private func allocateClusterIP(for service: Service) -> String {
        let used = clusterIPsInUse(fromSortedList: world.usesReferencePaths)
        var index = Int(StableHasher.hash(service.qualifiedName) % 65_000) + 10
        while used.contains(cluster.configuration.serviceAddress(index)) { index = index % 65_000 + 11 }
        return cluster.configuration.serviceAddress(index)
    }

    /// The cluster IPs of the services in this apiserver's cache. Membership needs no order, so
    /// the cache's objects are read as they lie: the key-sorted list the reference path builds
    /// cost 8% of the warm-up, where each of ~500 services is created on three apiservers.
    func clusterIPsInUse(fromSortedList: Bool) -> Set<String> {
        guard let storage = storages[.services] else { return [] }
        if fromSortedList { return Set(storage.cachedList(.everything).objects.compactMap { ($0 as? Service)?.clusterIP }) }
        var used = Set<String>(minimumCapacity: storage.objects.count)
        for case let service as Service in storage.objects.values { used.insert(service.clusterIP) }
        return used
    }

    // MARK: Bootstrap

    /// What a starting apiserver writes: the defaults every apiserver ensures (the system
    /// namespaces and the `kubernetes` service), created only where absent, and, as the cluster
    /// is created, the installer's manifests (the scenario's initial objects): on every master's
    /// first start, as an installer applies them on each master it brings up (the later ones
    /// find them there). Once they are written, the installation is over: an apiserver that
    /// restarts re-creates nothing a person deleted, as objects live in etcd.
    private func bootstrap() {
        var objects: [any APIObject] = ["default", "kube-system", "kube-public"].map { Namespace(metadata: ObjectMeta(name: $0)) }
        var kubernetes = Service(metadata: ObjectMeta(name: "kubernetes", namespace: "default", labels: ["component": "apiserver", "provider": "kubernetes"]),
                                 ports: [ServicePort(name: "https", port: 443, targetPort: "443")], selector: [:])
        kubernetes.clusterIP = cluster.configuration.serviceAddress(1)
        objects.append(kubernetes)
        let installing = incarnation == 1 || !cluster.isInstalled
        if installing { objects += cluster.configuration.initialObjects }
        createInOrder(objects[...]) { [weak self] in
            if installing { self?.cluster.finishInstallation() }
        }
    }

    /// Creates each object in turn; one that exists already is a harmless AlreadyExists.
    private func createInOrder(_ objects: ArraySlice<any APIObject>, then finished: @escaping () -> Void) {
        guard let first = objects.first else { return finished() }
        perform(.create(first)) { [weak self] result in
            guard let self else { return }
            if case .failure(.notFound(.namespaces, _)) = result {
                // The namespace was just created and this cache has not seen it yet.
                self.after(Span.seconds(1)) { self.createInOrder(objects, then: finished) }
                return
            }
            self.createInOrder(objects.dropFirst(), then: finished)
        }
    }

    public override func stableHash(into hasher: inout StableHasher) {
        hasher.combine(servedRequestCount)
        hasher.combine(timedOutRequestCount)
        hasher.combine(waiting.count)
        for resource in Resource.allCases { storages[resource]?.stableHash(into: &hasher) }
        compactor?.stableHash(into: &hasher)
    }
}
