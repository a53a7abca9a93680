/// linkerd's admin port (9990) as `curl localhost:9990/...` on a node reads it: the finagle
/// metrics of `/admin/metrics.json` under linkerd 1.x's names (`rt/<router>/srv/...` for the
/// server, `rt/<router>/dst/id/<bound id>/...` for each client), and `/delegator.json`, which
/// shows how a name resolves and what the namer holds for it. The numbers are the model's:
/// requests a balancer was offered and how they ended, since this incarnation of the proxy
/// started (a restart starts them again, as a JVM's counters do).
extension LinkerdProxy {
    /// The outgoing router's name and its server's address, as linkerd scopes their metrics.
    static let outgoingRouter = "outgoing"

    /// Every metric, sorted by name: counters as whole numbers, gauges as they are.
    public func adminMetrics() -> [(name: String, value: Double)] {
        guard isRunning else { return [] }
        let uptime = Double(world.now - startedAt) / Double(Span.microsecondsPerMillisecond)
        var metrics: [(String, Double)] = [
            ("jvm/uptime", uptime.rounded()),
            ("jvm/start_time", Double(startedAtWallMicroseconds / Span.microsecondsPerMillisecond)),
            ("jvm/num_cpus", 2),
        ]
        var server = LinkerdClientCounters()
        for balancer in balancers.compactMap({ $0 }) {
            let counters = balancer.counters
            server.add(counters)
            let prefix = "rt/\(LinkerdProxy.outgoingRouter)/dst/id/\(LinkerdProxy.boundID(balancer.service).dropFirst())/"
            let available = balancer.endpoints.filter { !$0.isMarked(at: world.now) }.count
            metrics += [
                (prefix + "requests", counters.requests.rounded()),
                (prefix + "success", counters.successes.rounded()),
                (prefix + "failures", counters.failures.rounded()),
                (prefix + "connects", counters.connects.rounded()),
                (prefix + "failures/com.twitter.finagle.ConnectionFailedException", counters.connectFailures.rounded()),
                (prefix + "failure_accrual/removals", Double(counters.removals)),
                (prefix + "failure_accrual/removed_for_ms", Double(counters.removedForMilliseconds)),
                (prefix + "loadbalancer/size", Double(balancer.endpoints.count)),
                (prefix + "loadbalancer/available", Double(available)),
            ]
        }
        let serverPrefix = "rt/\(LinkerdProxy.outgoingRouter)/srv/0.0.0.0/\(mesh.configuration.outgoingPort)/"
        metrics += [
            (serverPrefix + "requests", server.requests.rounded()),
            (serverPrefix + "success", server.successes.rounded()),
            (serverPrefix + "failures", server.failures.rounded()),
        ]
        return metrics.sorted { $0.0 < $1.0 }.map { (name: $0.0, value: $0.1) }
    }

    /// The name the io.l5d.k8s namer binds a service to: `/#/io.l5d.k8s/payments/http/transaction-processor`.
    static func boundID(_ service: ServiceReference) -> String { "/#/io.l5d.k8s/\(service.namespace)/http/\(service.name)" }

    /// What `/delegator.json?path=...` answers, or nil when the handler times out waiting for a
    /// name that is still pending (linkerd answers 503 "Request timed out." after two seconds).
    public func delegation(of path: String) -> DelegationAnswer {
        let segments = path.split(separator: "/").map(String.init)
        guard path.hasPrefix("/"), segments.count == 3, segments[0] == "svc" else {
            return .tree(#"{"type":"neg","path":"\#(path)"}"#)
        }
        let service = ServiceReference(namespace: segments[1], name: segments[2])
        let routed = "/srv/\(service.namespace)/\(service.name)"
        let id = LinkerdProxy.boundID(service)
        let addr: String
        switch believedRoute(service) {
        case .proxyDown, .notRouted, .unknownService:
            addr = #"{"type":"neg"}"#
        case .discoveryFailed(.listing):
            return .timedOut
        case .discoveryFailed(let state):
            addr = #"{"type":"failed","cause":\#(LinkerdProxy.jsonString(RouteView.describe(state)))}"#
        case .endpoints(let addresses, let port):
            let bound = addresses.map { #"{"ip":"\#($0)","port":\#(port),"meta":{}}"# }.joined(separator: ",")
            addr = #"{"type":"bound","addrs":[\#(bound)],"meta":{}}"#
        }
        let leaf = #"{"type":"leaf","path":"\#(id)","dentry":{"prefix":"/srv/\#(service.namespace)","dst":"/#/io.l5d.k8s/\#(service.namespace)/http"},"bound":{"addr":\#(addr),"id":"\#(id)","path":"/"}}"#
        let srv = #"{"type":"delegate","path":"\#(routed)","dentry":{"prefix":"/svc","dst":"/srv"},"delegate":\#(leaf)}"#
        return .tree(#"{"type":"delegate","path":"\#(path)","delegate":\#(srv)}"#)
    }

    /// A JSON string literal.
    public static func jsonString(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}

/// The answer of linkerd's delegator for one path.
public enum DelegationAnswer: Equatable, Sendable {
    /// The delegation tree as JSON.
    case tree(String)
    /// The name is still pending: the handler gave up after two seconds.
    case timedOut
}

/// One linkerd client's finagle counters, from the flows the balancer was offered: requests
/// and how they ended, connection attempts and those that timed out, failure accrual's removals.
struct LinkerdClientCounters {
    private(set) var requests = 0.0
    private(set) var successes = 0.0
    private(set) var failures = 0.0
    /// Connection attempts (each try of a request at an endpoint, timeouts included).
    private(set) var connects = 0.0
    private(set) var connectFailures = 0.0
    private(set) var removals = 0
    private(set) var removedForMilliseconds: SimTime = 0

    /// A tick's requests through this client and how they ended.
    mutating func count(_ volume: Double, _ outcome: HopOutcome) {
        requests += volume
        successes += volume * outcome.succeeded.sum()
        failures += volume * outcome.failed.sum()
        // k connect timeouts before the request ended: k failed attempts, then the one that
        // decided it. Counted as vectors: this runs for every hop of every tick.
        let ended = outcome.succeeded + outcome.failed
        connectFailures += volume * (ended * SIMD4(0, 1, 2, 3)).sum()
        connects += volume * (ended * SIMD4(1, 2, 3, 4)).sum()
    }

    mutating func removed(for span: SimTime) {
        removals += 1
        removedForMilliseconds += span / Span.microsecondsPerMillisecond
    }

    mutating func add(_ other: LinkerdClientCounters) {
        requests += other.requests
        successes += other.successes
        failures += other.failures
        connects += other.connects
        connectFailures += other.connectFailures
    }
}
