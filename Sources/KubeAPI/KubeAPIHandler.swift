import Scripting
import Simulation

/// Answers one request of the real kubectl from a world, on the world's own thread: discovery
/// here, everything else through `KubeAPIGateway`, so each request crosses the simulated load
/// balancer to an apiserver and takes the simulated time that costs. A live session and its
/// re-execution call this with the same request at the same simulated time, and get the same
/// answer.
public enum KubeAPIHandler {
    /// A real apiserver's limit on request bodies (3 MiB).
    public static let bodyLimitBytes = 3 << 20
    /// Longest a watch or a followed log is held in simulated time before the answer is sent
    /// whole; kubectl watches again from where it got to.
    public static let longestHold = Span.seconds(10)

    /// One request is one command: the lab's cap on how far a command may move the clock holds.
    public static func answer(_ request: KubeAPIRequest, runtime: ScriptRuntime) -> KubeAPIResponse {
        runtime.runCommand { answerNow(request, runtime: runtime) }
    }

    private static func answerNow(_ request: KubeAPIRequest, runtime: ScriptRuntime) -> KubeAPIResponse {
        if let fixed = discovery(request, runtime: runtime) { return fixed }
        guard let path = KubeAPIPath(request.path) else { return notFound(request) }
        let gateway: KubeAPIGateway
        switch KubeAPIGateway.open(runtime) {
        case .success(let opened): gateway = opened
        case .failure(let failure): return KubeAPIEncoding.failure(code: 503, reason: "ServiceUnavailable", message: failure.message)
        }
        do {
            return try KubeAPIResources(request: request, path: path, gateway: gateway).answer()
        } catch let failure as KubeAPIResources.Refusal {
            return failure.response
        } catch {
            // The command's own limits (an interrupt, the lab's cap on time one command may move).
            return KubeAPIEncoding.failure(code: 504, reason: "Timeout", message: "\(error)")
        }
    }

    /// The bytes of a body too large to read, refused before it reaches the world.
    public static func tooLarge() -> KubeAPIResponse {
        KubeAPIEncoding.failure(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(bodyLimitBytes)")
    }

    private static func discovery(_ request: KubeAPIRequest, runtime: ScriptRuntime) -> KubeAPIResponse? {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        let document: JSONValue?
        switch path {
        case "/version": document = (try? KubeAPIGateway.open(runtime).get()).map { KubeAPIDiscovery.version($0) }
        case "/api": document = KubeAPIDiscovery.coreVersions
        case "/apis": document = KubeAPIDiscovery.groups
        case "/api/v1": document = KubeAPIDiscovery.resources(groupVersion: "v1")
        case "/apis/apps": document = KubeAPIDiscovery.group("apps")
        case "/apis/apps/v1": document = KubeAPIDiscovery.resources(groupVersion: "apps/v1")
        case "/openapi/v2", "/openapi/v3", "/swagger.json", "/swaggerapi":
            return KubeAPIEncoding.failure(code: 404, reason: "NotFound",
                                           message: "this simulated apiserver serves no OpenAPI schema; run kubectl apply, create or edit with --validate=false")
        default:
            if path.hasPrefix("/apis/") && KubeAPIPath(path) == nil && path.split(separator: "/").count <= 3 { return notFound(request) }
            return nil
        }
        guard request.method == "GET" else { return methodNotAllowed(request) }
        guard let document else { return notFound(request) }
        return KubeAPIEncoding.json(document)
    }

    static func notFound(_ request: KubeAPIRequest) -> KubeAPIResponse {
        KubeAPIEncoding.failure(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    static func methodNotAllowed(_ request: KubeAPIRequest) -> KubeAPIResponse {
        KubeAPIEncoding.failure(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }
}
