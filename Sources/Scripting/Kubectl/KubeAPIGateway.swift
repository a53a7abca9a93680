import Simulation

/// The cluster as the real kubectl reaches it through `firedrill --api`: the same operator
/// console client, load balancer and apiservers that `kubectl "..."` uses, with simulated time
/// running until each answer comes back, and the same era's printers for server-side tables.
/// One route into the world for both clients keeps them seeing one cluster the same way.
public struct KubeAPIGateway {
    let session: KubeSession
    let era: KubectlEra

    /// The gateway of the runtime's cluster, or the message a client sees in a world without one.
    public static func open(_ runtime: ScriptRuntime) -> Result<KubeAPIGateway, KubeAPIGatewayFailure> {
        switch KubeSession.open(runtime) {
        case .success(let session): .success(KubeAPIGateway(session: session, era: KubectlEra.of(runtime)))
        case .failure(let failure): .failure(KubeAPIGatewayFailure(message: failure.message))
        }
    }

    public var cluster: KubernetesCluster { session.cluster }
    public var world: World { session.world }
    public var now: Timestamp { session.now }

    /// Sends one request from the operator's console and waits (in simulated time) for the answer,
    /// as long as `kubectl "..."` would. Writes reach the audit log as kubectl's.
    public func call(_ request: APIRequest) throws -> Result<APIResponse, APIError> {
        try session.call(request)
    }

    /// Runs the world until `done` holds or `limit` passes (a watch waiting for a change).
    public func wait(upTo limit: SimTime, until done: () -> Bool) throws {
        try session.wait(upTo: limit, until: done)
    }

    /// Whether the request may let this much simulated time pass on its own account.
    public func mayWait(_ span: SimTime) -> Bool { session.mayWait(span) }

    /// The era's table columns for a resource, each with the Table priority kubectl reads:
    /// 0 for the default columns, 1 for those only `-o wide` shows.
    public func tableColumns(_ resource: Resource) -> [(name: String, priority: Int)] {
        let narrow = KubectlPrinters.header(resource, wide: false, era: era)
        return KubectlPrinters.header(resource, wide: true, era: era).map { ($0, narrow.contains($0) ? 0 : 1) }
    }

    /// One object's cells under `tableColumns`, as `kubectl "get"` prints them with `-o wide`.
    public func tableRow(_ object: any APIObject) -> [String] {
        KubectlPrinters.row(object, kindPrefix: nil, wide: true, now: now, era: era)
    }

    /// Records that the real kubectl looked at `resource` (`namespace` "*" for all of them; `name`
    /// "" for a list), as `kubectl "..."` records its reads: graders judge what was looked at
    /// whichever client looked.
    public func recordRead(verb: String, _ resource: Resource, namespace: String, name: String, failure: String?) {
        let object = AuditObject(kind: resource.rawValue, namespace: resource.isNamespaced ? namespace : "", name: name,
                                 host: resource == .nodes ? name : "")
        session.runtime.recordRead(via: "kubectl", verb: verb, object, findings: failure.map { ["error: " + $0] } ?? [])
    }

    /// The Kubernetes release the cluster runs, as `/version` reports it (`v1.6.13`).
    public var serverVersion: String { era.release.gitVersion }

    /// A watch from the operator's console held open for at most `limit` of simulated time, or
    /// until the first events have come and `settle` more has passed: what a watch request
    /// answered in one piece collects. A client that keeps watching asks again from the last
    /// resourceVersion, as kubectl's informers do when a server ends a watch.
    public func watch(_ resource: Resource, filter: ObjectFilter, resourceVersion: Int64?, upTo limit: SimTime,
                      settle: SimTime = Span.milliseconds(200)) throws -> [APIWatchEvent] {
        guard let client = cluster.operatorConsole.client, cluster.operatorConsole.isRunning else {
            return [.error(.unavailable("The connection to the server \(cluster.configuration.apiEndpoint) was refused - did you specify the right host or port?"))]
        }
        var events: [APIWatchEvent] = []
        var firstAt: SimTime?
        let watch = client.watch(resource, filter: filter, resourceVersion: resourceVersion) { event in
            events.append(event)
            if firstAt == nil { firstAt = session.world.now }
        }
        defer { watch.cancel() }
        let allowance = mayWait(limit) ? limit : 0
        try? wait(upTo: allowance) {
            if case .ended? = events.last { return true }
            if case .error? = events.last { return true }
            return firstAt.map { session.world.now >= $0 + settle } ?? false
        }
        return events
    }
}

/// Why the gateway could not open: the text a client prints.
public struct KubeAPIGatewayFailure: Error, Sendable {
    public let message: String
}
