/// One HTTP request to the Kubernetes API, as kubectl sent it: what the session records (kind
/// `api`) and what grading re-executes. Only what changes the answer is kept, so a recorded
/// request replays to the same response on the same world.
public struct KubeAPIRequest: Codable, Sendable, Equatable {
    public var method: String
    public var path: String
    /// The query string without its `?`, as sent (`labelSelector=app%3Dx&limit=500`).
    public var query: String
    /// The body as UTF-8 text; nil for none.
    public var body: String?
    public var userAgent: String
    /// `Accept`: a server-side Table when it asks for `as=Table`.
    public var accept: String
    public var contentType: String
    /// kubectl's `Kubectl-Command` header (`kubectl get`), when it sent one.
    public var kubectlCommand: String?
    /// kubectl's `Kubectl-Session` header: one id per kubectl invocation.
    public var kubectlSession: String?

    public init(method: String, path: String, query: String = "", body: String? = nil, userAgent: String = "",
                accept: String = "application/json", contentType: String = "", kubectlCommand: String? = nil, kubectlSession: String? = nil) {
        (self.method, self.path, self.query, self.body, self.userAgent) = (method.uppercased(), path, query, body, userAgent)
        (self.accept, self.contentType, self.kubectlCommand, self.kubectlSession) = (accept, contentType, kubectlCommand, kubectlSession)
    }

    /// `GET /api/v1/pods?limit=500`: how a person reads the request in a session file.
    public var line: String { query.isEmpty ? "\(method) \(path)" : "\(method) \(path)?\(query)" }

    /// The query's parameters, percent-decoded, first value of each name.
    public var parameters: [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { KubeAPIRequest.percentDecoded(String($0)) }
            guard let name = parts.first, result[name] == nil else { continue }
            result[name] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { continue }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What the API answers: a status code, a content type and the body, whole. A watch or a
/// followed log is answered whole too, once the world has run for the time it may hold.
public struct KubeAPIResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String = "application/json", body: String) {
        (self.status, self.contentType, self.body) = (status, contentType, body)
    }
}
