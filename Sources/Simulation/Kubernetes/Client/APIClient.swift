/// A client of the Kubernetes API, as client-go is for a component: one connection to an
/// apiserver chosen by the load balancer, with requests and watches multiplexed over it. When the
/// connection breaks, pending requests fail and watches end, and the next request dials again.
/// Owned by a process and made anew in its `didStart()`.
public final class APIClient {
    public unowned let process: SimProcess
    public unowned let cluster: KubernetesCluster
    /// How long a request may go unanswered before the client gives up on the connection: longer
    /// than the server's own timeout, so normally the server's 504 arrives first.
    public var requestTimeout = Span.seconds(70)
    public let dialTimeout = Span.seconds(5)
    private let incarnation: Int
    private var connection: Connection?
    private var server: APIServer?
    private var isDialing = false
    private var queued: [(Connection, APIServer) -> Void] = []
    private var pending: [Int: (due: SimTime, completion: (Result<APIResponse, APIError>) -> Void)] = [:]
    private var watches: [Int: ClientWatch] = [:]
    private var nextID = 1
    private var sweepScheduled = false
    /// The one apiserver this client dials, bypassing the load balancer (`kubectl --server`),
    /// and how it was named.
    private weak var pinnedTarget: APIServer?
    private var pinnedAddress: String?

    public init(process: SimProcess, cluster: KubernetesCluster) {
        self.process = process
        self.cluster = cluster
        self.incarnation = process.incarnation
    }

    /// A client that always dials `server` itself, as kubectl does with `--server` naming one
    /// master instead of the load balancer's address; `address` is the server as it was named.
    init(process: SimProcess, cluster: KubernetesCluster, pinnedTo server: APIServer, address: String) {
        self.process = process
        self.cluster = cluster
        self.incarnation = process.incarnation
        self.pinnedTarget = server
        self.pinnedAddress = address
    }

    /// The apiserver this client is connected to now, if any.
    public var connectedServer: APIServer? { connection?.isOpenAtClient == true ? server : nil }

    // MARK: Requests

    public func send(_ request: APIRequest, completion: @escaping (Result<APIResponse, APIError>) -> Void) {
        let id = nextID
        nextID += 1
        pending[id] = (process.world.now + requestTimeout, completion)
        scheduleSweep()
        withConnection { [weak self] connection, server in
            let connectionID = connection.id
            connection.sendToServer { [weak self, weak server] in
                guard let server else { return }
                server.noteConnection(connection)
                server.serve(request, connectionID: connectionID) { result in
                    connection.sendToClient { self?.complete(id, result) }
                }
            }
        } failed: { [weak self] error in
            self?.complete(id, .failure(error))
        }
    }

    public func get<Object: APIObject>(_ type: Object.Type, namespace: String = "", name: String,
                                       completion: @escaping (Result<Object, APIError>) -> Void) {
        send(.get(Object.resource, namespace: namespace, name: name)) { completion($0.map { $0.object as! Object }) }
    }

    public func create<Object: APIObject>(_ object: Object, completion: @escaping (Result<Object, APIError>) -> Void = { _ in }) {
        send(.create(object)) { completion($0.map { $0.object as! Object }) }
    }

    public func update<Object: APIObject>(_ object: Object, completion: @escaping (Result<Object, APIError>) -> Void = { _ in }) {
        send(.update(object)) { completion($0.map { $0.object as! Object }) }
    }

    /// A read-modify-write run by the apiserver with retries on conflicts (PATCH, status updates).
    public func patch<Object: APIObject>(_ type: Object.Type, namespace: String = "", name: String,
                                         _ mutate: @escaping (inout Object) throws(APIError) -> Void,
                                         completion: @escaping (Result<Object, APIError>) -> Void = { _ in }) {
        let mutation: ObjectMutation = { (object: inout any APIObject) throws(APIError) in
            guard var typed = object as? Object else { return }
            try mutate(&typed)
            object = typed
        }
        send(.patch(Object.resource, namespace: namespace, name: name, mutation)) { completion($0.map { $0.object as! Object }) }
    }

    public func delete(_ resource: Resource, namespace: String = "", name: String, gracePeriodSeconds: Int64? = nil,
                       completion: @escaping (Result<APIResponse, APIError>) -> Void = { _ in }) {
        send(.delete(resource, namespace: namespace, name: name, gracePeriodSeconds: gracePeriodSeconds), completion: completion)
    }

    private func complete(_ id: Int, _ result: Result<APIResponse, APIError>) {
        guard let entry = pending.removeValue(forKey: id) else { return }
        entry.completion(result)
    }

    // MARK: Watches

    /// Opens a watch; `handler` receives events until `.ended` or `.error`, after which the
    /// caller decides whether to watch again (an informer does).
    @discardableResult
    public func watch(_ resource: Resource, filter: ObjectFilter = .everything, resourceVersion: Int64?,
                      handler: @escaping (APIWatchEvent) -> Void) -> ClientWatch {
        let id = nextID
        nextID += 1
        let watch = ClientWatch(id: id, resource: resource, client: self, handler: handler)
        watches[id] = watch
        withConnection { [weak self] connection, server in
            guard self != nil else { return }
            watch.connection = connection
            watch.server = server
            let key = WatchKey(connectionID: connection.id, clientWatchID: id)
            connection.sendToServer { [weak server] in
                server?.startWatch(resource, filter: filter, resourceVersion: resourceVersion, key: key, connection: connection) { event in
                    connection.sendToClient { [weak self] in self?.deliver(id, event) }
                }
            }
        } failed: { [weak self] _ in
            self?.deliver(id, .ended)
        }
        return watch
    }

    private func deliver(_ id: Int, _ event: APIWatchEvent) {
        guard let watch = watches[id] else { return }
        switch event {
        case .ended, .error: watches[id] = nil
        default: break
        }
        watch.handler(event)
    }

    func cancel(_ watch: ClientWatch) {
        guard watches.removeValue(forKey: watch.id) != nil else { return }
        guard let connection = watch.connection, let server = watch.server else { return }
        let key = WatchKey(connectionID: connection.id, clientWatchID: watch.id)
        let resource = watch.resource
        connection.sendToServer { [weak server] in server?.stopWatch(resource, key: key) }
    }

    // MARK: The connection

    private func withConnection(_ use: @escaping (Connection, APIServer) -> Void, failed: @escaping (APIError) -> Void) {
        if let connection, connection.isOpenAtClient, let server {
            use(connection, server)
            return
        }
        queued.append(use)
        failures.append(failed)
        dial()
    }

    private var failures: [(APIError) -> Void] = []

    /// The address kubectl's errors name: the load balancer's, or the master as it was named.
    private var dialledAddress: String { pinnedAddress ?? cluster.configuration.apiEndpoint }

    private func dial() {
        guard !isDialing, process.isCurrent(incarnation) else { return }
        let address = dialledAddress
        guard let target = pinnedAddress == nil ? cluster.chooseAPIServer(for: process) : pinnedTarget else {
            process.after(Span.milliseconds(1)) { [weak self] in
                self?.failQueued(.unavailable("The connection to the server \(address) was refused - did you specify the right host or port?"))
            }
            return
        }
        isDialing = true
        process.world.network.dial(from: process, to: target, timeout: dialTimeout) { [weak self] result in
            guard let self else { return }
            self.isDialing = false
            switch result {
            case .failure(let error):
                // A named master says what kubectl said of it: refused by a host whose apiserver
                // is down, no answer at all from a host that is down.
                let text = self.pinnedAddress == nil ? "Unable to connect to the server: dial tcp \(address): \(error.message)"
                    : error == .refused ? "The connection to the server \(address) was refused - did you specify the right host or port?"
                    : "Unable to connect to the server: dial tcp \(address): i/o timeout"
                self.failQueued(.unavailable(text))
            case .success(let connection):
                self.connection = connection
                self.server = target
                connection.onClosedAtClient = { [weak self, weak connection] in
                    guard let self, let connection, self.connection === connection else { return }
                    self.connectionLost()
                }
                let waiting = self.queued
                self.queued.removeAll()
                self.failures.removeAll()
                for use in waiting { use(connection, target) }
            }
        }
    }

    private func failQueued(_ error: APIError) {
        let failing = failures
        queued.removeAll()
        failures.removeAll()
        for fail in failing { fail(error) }
    }

    /// The connection broke: every pending request fails and every watch ends.
    private func connectionLost() {
        let broken = connection
        connection = nil
        server = nil
        let ids = pending.keys.sorted()
        for id in ids { complete(id, .failure(.unavailable("unexpected EOF"))) }
        for id in watches.keys.sorted() where watches[id]?.connection === broken { deliver(id, .ended) }
    }

    /// Closes the connection (the process is stopping, or a request went unanswered too long).
    public func closeConnection() {
        guard let connection else { return }
        connection.closeFromClient()
        connectionLost()
    }

    private func scheduleSweep() {
        guard !sweepScheduled else { return }
        sweepScheduled = true
        process.after(Span.seconds(10)) { [weak self] in self?.sweep() }
    }

    /// A request unanswered past its deadline means the connection is dead in all but name:
    /// fail it, drop the connection, and let the next request dial again.
    private func sweep() {
        sweepScheduled = false
        let now = process.world.now
        let overdue = pending.filter { $0.value.due <= now }.keys.sorted()
        if !overdue.isEmpty {
            for id in overdue { complete(id, .failure(.unavailable("net/http: request canceled (Client.Timeout exceeded while awaiting headers)"))) }
            closeConnection()
        }
        if !pending.isEmpty { scheduleSweep() }
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(connection?.id ?? -1)
        hasher.combine(pending.count)
        hasher.combine(watches.count)
    }
}

/// A watch as the client holds it.
public final class ClientWatch {
    let id: Int
    let resource: Resource
    weak var client: APIClient?
    let handler: (APIWatchEvent) -> Void
    var connection: Connection?
    weak var server: APIServer?

    init(id: Int, resource: Resource, client: APIClient, handler: @escaping (APIWatchEvent) -> Void) {
        (self.id, self.resource, self.client, self.handler) = (id, resource, client, handler)
    }

    /// The apiserver serving this watch.
    public var servingAPIServer: APIServer? { server }

    public func cancel() { client?.cancel(self) }
}
