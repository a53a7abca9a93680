/// How a Kubernetes 1.6 apiserver tells of slow requests and storage errors in its log. Every
/// handler ran under a trace (`utiltrace`) logged when it took 500 ms or more, whenever storage
/// finally answered, even after the client had been given its 504:
///
///     I1027 14:37:01.123456       1 trace.go:61] Trace[1298498081]: "List /api/v1/namespaces/payments/endpoints" (started: 2017-10-27 14:36:31.121453 +0000 UTC) (total time: 30.002003s):
///     Trace[1298498081]: [30.001987s] [30.001987s] Listing from storage done
///
/// A step is printed when it took more than its share of the threshold. An error from etcd is
/// logged as the apiserver logged anything that was not an API status. The durations are the
/// ones the request really took, so they follow whatever the storage client and its timeouts did.
extension APIServer {
    /// Requests faster than this leave no trace (`LogIfLong(500 * time.Millisecond)`).
    static let traceThreshold = Span.milliseconds(500)

    /// Wraps `reply` to log the request's trace and storage error when storage answers.
    func traced(_ request: APIRequest, _ reply: @escaping (Result<APIResponse, APIError>) -> Void)
        -> (Result<APIResponse, APIError>) -> Void {
        let started = world.now
        let expected = incarnation
        return { [weak self] result in
            if let self, self.isCurrent(expected) {
                if case .failure(.internalError(let message)) = result {
                    self.log(.error, "status.go:62] apiserver received an error that is not an metav1.Status: \(message)")
                }
                let took = self.world.now - started
                if took >= APIServer.traceThreshold {
                    self.logTrace(request, startedWall: self.world.wallMicroseconds - took, took: took, succeeded: result.isSuccess)
                }
            }
            reply(result)
        }
    }

    private func logTrace(_ request: APIRequest, startedWall: Int64, took: SimTime, succeeded: Bool) {
        let number = traceRandom.integer(in: 0..<Int(Int32.max))
        let name = "\(RequestTrace.verb(request)) \(RequestTrace.path(request, version: cluster.configuration.version))"
        var lines = ["trace.go:61] Trace[\(number)]: \"\(name)\" (started: \(RequestTrace.goTime(startedWall))) (total time: \(RequestTrace.goDuration(took))):"]
        // The storage call is the step that took the time; on an error the handler returned
        // before its next step, so the time shows on END.
        let step = succeeded ? RequestTrace.storageStep(request) : "END"
        lines.append("Trace[\(number)]: [\(RequestTrace.goDuration(took))] [\(RequestTrace.goDuration(took))] \(step)")
        log(.info, lines.joined(separator: "\n"))
    }

    private var traceRandom: RandomStream { world.random("kube/\(name)/trace") }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
}

/// The words and formats of apiserver traces.
enum RequestTrace {
    static func verb(_ request: APIRequest) -> String {
        switch request {
        case .get: "Get"
        case .list: "List"
        case .create: "Create"
        case .update: "Update"
        case .patch: "Patch"
        case .delete: "Delete"
        }
    }

    /// The step after which a handler has its answer from storage.
    static func storageStep(_ request: APIRequest) -> String {
        switch request {
        case .get: "About to write a response"
        case .list: "Listing from storage done"
        case .create, .update, .patch: "Object stored in database"
        case .delete: "Object deleted from database"
        }
    }

    /// The request's URL path as the apiserver of that release served it.
    static func path(_ request: APIRequest, version: KubernetesVersion) -> String {
        switch request {
        case .get(let resource, let namespace, let name), .patch(let resource, let namespace, let name, _),
             .delete(let resource, let namespace, let name, _):
            return collection(resource, namespace: namespace, version: version) + "/" + name
        case .list(let resource, let filter, _):
            return collection(resource, namespace: filter.namespace ?? "", version: version)
        case .create(let object):
            return collection(object.resource, namespace: object.namespace, version: version)
        case .update(let object):
            return collection(object.resource, namespace: object.namespace, version: version) + "/" + object.name
        }
    }

    static func collection(_ resource: Resource, namespace: String, version: KubernetesVersion) -> String {
        let group: String
        if resource.group.isEmpty {
            group = "/api/v1"
        } else {
            // Until 1.8 the workload controllers were served from extensions/v1beta1.
            group = version == .v1_10 ? "/apis/\(resource.group)/v1" : "/apis/extensions/v1beta1"
        }
        guard resource.isNamespaced, !namespace.isEmpty else { return "\(group)/\(resource.rawValue)" }
        return "\(group)/namespaces/\(namespace)/\(resource.rawValue)"
    }

    /// Go's `time.Time` as `%v` printed it (Go 1.7, no monotonic reading): `2017-10-27 14:36:31.121453 +0000 UTC`.
    static func goTime(_ wallMicroseconds: Int64) -> String {
        let seconds = wallMicroseconds.floorDivided(by: Span.microsecondsPerSecond)
        let fraction = wallMicroseconds - seconds * Span.microsecondsPerSecond
        let calendar = CalendarTime(secondsSinceEpoch: seconds)
        let digits = trimmedFraction(fraction)
        return "\(calendar.date) \(calendar.clock)\(digits.isEmpty ? "" : "." + digits) +0000 UTC"
    }

    /// Go's `time.Duration` as `%v` printed it: `30.002003s`, `1m0.5s`, `573.089ms`, `16µs`.
    static func goDuration(_ span: SimTime) -> String {
        if span <= 0 { return "0s" }
        if span < Span.microsecondsPerMillisecond { return "\(span)µs" }
        if span < Span.microsecondsPerSecond {
            let whole = span / Span.microsecondsPerMillisecond
            let rest = span % Span.microsecondsPerMillisecond
            let digits = trimmed(String(rest), width: 3)
            return "\(whole)\(digits.isEmpty ? "" : "." + digits)ms"
        }
        let totalSeconds = span / Span.microsecondsPerSecond
        let fraction = trimmedFraction(span % Span.microsecondsPerSecond)
        let seconds = "\(totalSeconds % 60)\(fraction.isEmpty ? "" : "." + fraction)s"
        let minutes = totalSeconds / 60
        if minutes == 0 { return seconds }
        return minutes < 60 ? "\(minutes)m\(seconds)" : "\(minutes / 60)h\(minutes % 60)m\(seconds)"
    }

    private static func trimmedFraction(_ microseconds: Int64) -> String { trimmed(String(microseconds), width: 6) }

    private static func trimmed(_ digits: String, width: Int) -> String {
        var padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        while padded.last == "0" { padded.removeLast() }
        return padded
    }
}
