/// What the apiserver answers when a request fails, with the HTTP code, the Status reason and
/// the message kubectl prints (`Error from server (NotFound): pods "x" not found`).
public enum APIError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(Resource, name: String)
    case alreadyExists(Resource, name: String)
    case conflict(Resource, name: String)
    /// A watch from a resourceVersion the watch cache no longer holds.
    case gone(requested: Int64, oldest: Int64)
    /// The storage client did not answer in time (the apiserver's 504).
    case timeout(verb: String, Resource)
    case invalid(Resource, name: String, problems: [String])
    case badRequest(String)
    /// Nothing answered: no apiserver reachable, or the connection broke.
    case unavailable(String)
    case internalError(String)

    public var code: Int {
        switch self {
        case .notFound: 404
        case .alreadyExists, .conflict: 409
        case .gone: 410
        case .timeout: 504
        case .invalid: 422
        case .badRequest: 400
        case .unavailable: 503
        case .internalError: 500
        }
    }

    /// The Status `reason`, which kubectl shows in parentheses.
    public var reason: String {
        switch self {
        case .notFound: "NotFound"
        case .alreadyExists: "AlreadyExists"
        case .conflict: "Conflict"
        case .gone: "Gone"
        case .timeout: "Timeout"
        case .invalid: "Invalid"
        case .badRequest: "BadRequest"
        case .unavailable: "ServiceUnavailable"
        case .internalError: "InternalError"
        }
    }

    public var message: String {
        switch self {
        case .notFound(let resource, let name): "\(resource.qualifiedName) \"\(name)\" not found"
        case .alreadyExists(let resource, let name): "\(resource.qualifiedName) \"\(name)\" already exists"
        case .conflict(let resource, let name):
            "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again"
        case .gone(let requested, let oldest): "too old resource version: \(requested) (\(oldest))"
        case .timeout(let verb, _) where APIError.isWrite(verb):
            // A write's own 30 s timeout in the REST handler (`finishRequest`), a Status kubectl prints as is.
            "Timeout: request did not complete within allowed duration"
        case .timeout(let verb, let resource):
            // The 60 s handler timeout answers with a bare 504, which client-go words this way.
            "the server was unable to return a response in the time allotted, but may still be processing the request (\(verb) \(resource.qualifiedName))"
        case .invalid(let resource, let name, let problems): "\(resource.kind) \"\(name)\" is invalid: \(problems.joined(separator: ", "))"
        case .badRequest(let text), .unavailable(let text), .internalError(let text): text
        }
    }

    /// Verbs that write: they time out after 30 s, where everything else waits out the minute.
    public static func isWrite(_ verb: String) -> Bool {
        ["post", "put", "patch", "delete", "create", "update"].contains(verb)
    }

    /// The line kubectl prints for this error.
    public var kubectlText: String {
        switch self {
        case .invalid(let resource, let name, let problems):
            "The \(resource.kind) \"\(name)\" is invalid: \(problems.joined(separator: ", "))"
        case .unavailable(let text): text
        default: "Error from server (\(reason)): \(message)"
        }
    }

    public var description: String { kubectlText }
}
