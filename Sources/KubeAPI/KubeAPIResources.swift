import Scripting
import Simulation

/// The resource paths: get, list and watch; create, update, patch and delete; the `log` and
/// `scale` subresources. Every step that reads or writes the cluster is a request through the
/// gateway, as the real apiserver's handlers each read or write etcd.
struct KubeAPIResources {
    let request: KubeAPIRequest
    let path: KubeAPIPath
    let gateway: KubeAPIGateway

    /// A request the API refuses, with the Status to send.
    struct Refusal: Error {
        let response: KubeAPIResponse
        init(_ error: APIError) { response = KubeAPIEncoding.status(error) }
        init(_ response: KubeAPIResponse) { self.response = response }
        static func badRequest(_ message: String) -> Refusal { Refusal(.badRequest(message)) }
    }

    var resource: Resource { path.resource }
    var namespace: String { path.namespace ?? "" }
    var parameters: [String: String] { request.parameters }

    func answer() throws -> KubeAPIResponse {
        guard request.method == "GET", let verb = readVerb else { return try route() }
        do {
            let response = try route()
            record(verb, failure: response.status >= 400 ? "status \(response.status)" : nil)
            return response
        } catch let refusal as Refusal {
            record(verb, failure: (try? JSONValue.parse(refusal.response.body))?["message"]?.stringValue ?? "status \(refusal.response.status)")
            throw refusal
        }
    }

    /// What a GET is in the read log, after the kubectl command that sent it (its
    /// `Kubectl-Command` header): `get`, `describe`, `logs`, `rollout status`... A command that
    /// only reads on its way to a write (`scale`, `delete`'s wait) records no read, as
    /// `kubectl "..."` records none; a client without the header reads as `get`.
    private var readVerb: String? {
        if path.subresource == "log" { return "logs" }
        guard let command = request.kubectlCommand else { return "get" }
        let words = command.split(separator: " ").dropFirst().joined(separator: " ")
        return ["get", "describe", "logs", "rollout status", "rollout history", "events"].first { words == $0 }
    }

    private func record(_ verb: String, failure: String?) {
        let everywhere = path.namespace == nil && resource.isNamespaced && path.name == nil
        gateway.recordRead(verb: verb, resource, namespace: everywhere ? "*" : namespace, name: path.name ?? "", failure: failure)
    }

    private func route() throws -> KubeAPIResponse {
        switch (request.method, path.name, path.subresource) {
        case ("GET", nil, nil): return parameters["watch"].map { $0 == "true" || $0 == "1" } == true ? try watch() : try list()
        case ("POST", nil, nil): return try create()
        case ("GET", let name?, nil): return try get(name)
        case ("PUT", let name?, nil): return try update(name)
        case ("PATCH", let name?, nil): return try patch(name)
        case ("DELETE", let name?, nil): return try delete(name)
        case ("GET", let name?, "log"?) where resource == .pods: return try logs(name)
        case (let method, let name?, "scale"?) where resource == .deployments || resource == .replicasets:
            return try scale(name, method: method)
        case (_, _, nil), (_, _, "log"?), (_, _, "scale"?): return KubeAPIHandler.methodNotAllowed(request)
        default: return KubeAPIHandler.notFound(request)
        }
    }

    // MARK: Reading

    private func filter() throws -> ObjectFilter {
        var filter = ObjectFilter(namespace: path.namespace)
        if let selector = parameters["labelSelector"], !selector.isEmpty {
            do { filter.selector = try LabelSelector(parsing: selector) } catch {
                throw Refusal.badRequest("unable to parse requirement: \(error)")
            }
        }
        return filter
    }

    private func list() throws -> KubeAPIResponse {
        let fields = FieldSelector(parameters["fieldSelector"] ?? "")
        switch try gateway.call(.list(resource, filter: try filter(), resourceVersion: "")) {
        case .failure(let error): throw Refusal(error)
        case .success(.list(let objects, let version)):
            let kept = objects.filter(fields.matches)
            if KubeAPIEncoding.wantsTable(request) {
                return KubeAPIEncoding.json(KubeAPIEncoding.table(resource, kept, resourceVersion: version, gateway: gateway))
            }
            return KubeAPIEncoding.json(KubeAPIEncoding.list(resource, kept, resourceVersion: version))
        case .success(.object(let object)): return KubeAPIEncoding.json(object.encode())
        }
    }

    private func fetch(_ name: String) throws -> any APIObject {
        switch try gateway.call(.get(resource, namespace: namespace, name: name)) {
        case .failure(let error): throw Refusal(error)
        case .success(let response):
            guard let object = response.object else { throw Refusal(.internalError("the apiserver answered a get with a list")) }
            return object
        }
    }

    private func get(_ name: String) throws -> KubeAPIResponse {
        let object = try fetch(name)
        if KubeAPIEncoding.wantsTable(request) {
            return KubeAPIEncoding.json(KubeAPIEncoding.table(resource, [object], resourceVersion: object.metadata.resourceVersion, gateway: gateway))
        }
        return KubeAPIEncoding.json(object.encode())
    }

    private func watch() throws -> KubeAPIResponse {
        let fields = FieldSelector(parameters["fieldSelector"] ?? "")
        let from = parameters["resourceVersion"].flatMap { Int64($0) }
        let timeout = parameters["timeoutSeconds"].flatMap { Int64($0) }.map { Span.seconds(max(0, $0)) } ?? KubeAPIHandler.longestHold
        let events = try gateway.watch(resource, filter: try filter(), resourceVersion: from == 0 ? nil : from,
                                       upTo: min(timeout, KubeAPIHandler.longestHold))
            .filter { event in event.object.map(fields.matches) ?? true }
        return KubeAPIResponse(status: 200, contentType: "application/json",
                               body: KubeAPIEncoding.watchStream(events, asTable: KubeAPIEncoding.wantsTable(request), gateway: gateway))
    }

    // MARK: Writing

    private func body() throws -> JSONValue {
        guard let text = request.body, !text.isEmpty else { throw Refusal.badRequest("the request has no body") }
        do { return try JSONValue.parse(text) } catch {
            throw Refusal.badRequest("the body of the request was in an unknown format - accepted media types include: application/json, \(error)")
        }
    }

    private func decoded(_ document: JSONValue) throws -> any APIObject {
        do {
            var object = try ObjectDecoder.decode(document, as: resource)
            if object.metadata.namespace.isEmpty && resource.isNamespaced { object.metadata.namespace = namespace }
            return object
        } catch {
            throw Refusal.badRequest("\(error)")
        }
    }

    private func respond(_ result: Result<APIResponse, APIError>, created: Bool = false) throws -> KubeAPIResponse {
        switch result {
        case .failure(let error): throw Refusal(error)
        case .success(let response):
            guard let object = response.object else { return KubeAPIEncoding.json(.object([:])) }
            return KubeAPIEncoding.json(object.encode(), status: created ? 201 : 200)
        }
    }

    private func create() throws -> KubeAPIResponse {
        if parameters["dryRun"] != nil { throw Refusal.badRequest("dry runs are not served by this simulated apiserver") }
        return try respond(try gateway.call(.create(try decoded(try body()))), created: true)
    }

    private func update(_ name: String) throws -> KubeAPIResponse {
        let object = try decoded(try body())
        guard object.name == name else { throw Refusal.badRequest("the name of the object (\(object.name)) does not match the name on the URL (\(name))") }
        return try respond(try gateway.call(.update(object)))
    }

    private func patch(_ name: String) throws -> KubeAPIResponse {
        let change = try patchChange()
        return try respond(try gateway.call(.patch(resource, namespace: namespace, name: name, change)))
    }

    /// The body's patch as a change the apiserver runs inside its read-modify-write loop.
    private func patchChange() throws -> ObjectMutation {
        guard let kind = ObjectPatch.Kind(contentType: request.contentType) else {
            throw Refusal(KubeAPIEncoding.failure(code: 415, reason: "UnsupportedMediaType",
                                                  message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"))
        }
        let patch = try body()
        let resource = self.resource
        return { (object: inout any APIObject) throws(APIError) in
            let patched: JSONValue
            do { patched = try ObjectPatch.apply(kind, patch: patch, to: object.encode()) } catch let failure as ObjectPatch.Failure {
                throw APIError.badRequest(failure.message)
            } catch {
                throw APIError.badRequest("\(error)")
            }
            do { object = try ObjectDecoder.decode(patched, as: resource) } catch {
                throw APIError.invalid(resource, name: object.name, problems: ["\(error)"])
            }
        }
    }

    private func delete(_ name: String) throws -> KubeAPIResponse {
        let options = (try? JSONValue.parse(request.body ?? "")) ?? .null
        let grace = options["gracePeriodSeconds"]?.integerValue ?? parameters["gracePeriodSeconds"].flatMap { Int64($0) }
        switch try gateway.call(.delete(resource, namespace: namespace, name: name, gracePeriodSeconds: grace)) {
        case .failure(let error): throw Refusal(error)
        case .success(let response):
            guard let object = response.object else { return KubeAPIEncoding.json(KubeAPIEncoding.success(resource, name: name, uid: "")) }
            return KubeAPIEncoding.json(object.encode())
        }
    }

    // MARK: Subresources

    /// `kubectl logs`: the container's lines (or its previous run's), `tailLines`, `follow` held
    /// up to `longestHold` of simulated time for more.
    private func logs(_ name: String) throws -> KubeAPIResponse {
        guard let pod = try fetch(name) as? Pod else { throw Refusal(.notFound(.pods, name: name)) }
        let containers = pod.spec.containers.map(\.name)
        let container: String
        if let chosen = parameters["container"], !chosen.isEmpty {
            guard containers.contains(chosen) else { throw Refusal.badRequest("container \(chosen) is not valid for pod \(pod.name)") }
            container = chosen
        } else {
            guard containers.count == 1 else {
                throw Refusal.badRequest("a container name must be specified for pod \(pod.name), choose one of: [\(containers.joined(separator: " "))]")
            }
            container = containers[0]
        }
        let key = LogStore.StreamKey(namespace: pod.namespace, pod: pod.name, container: container)
        let store = gateway.cluster.logs
        if parameters["follow"] == "true", gateway.mayWait(KubeAPIHandler.longestHold) {
            try? gateway.wait(upTo: KubeAPIHandler.longestHold) { false }
        }
        var lines = store.lines(key)
        if parameters["previous"] == "true" {
            guard let previous = store.previousLines(key) else {
                throw Refusal.badRequest("previous terminated container \"\(container)\" in pod \"\(pod.name)\" not found")
            }
            lines = previous
        } else if !store.hasStream(key), let status = pod.status.containerStatuses.first(where: { $0.name == container }),
                  case .waiting(let reason, _) = status.state {
            throw Refusal.badRequest("container \"\(container)\" in pod \"\(pod.name)\" is waiting to start: \(reason)")
        }
        if let tail = parameters["tailLines"].flatMap({ Int($0) }), tail >= 0 { lines = Array(lines.suffix(tail)) }
        let text = lines.map { $0.text + "\n" }.joined()
        return KubeAPIResponse(status: 200, contentType: "text/plain", body: text)
    }

    /// `autoscaling/v1` Scale of a deployment or replica set: read, patched or replaced.
    private func scale(_ name: String, method: String) throws -> KubeAPIResponse {
        switch method {
        case "GET": break
        case "PATCH":
            _ = try respond(try gateway.call(.patch(resource, namespace: namespace, name: name, try patchChange())))
        case "PUT":
            guard let replicas = try body()["spec"]?["replicas"]?.integerValue else { throw Refusal.badRequest("the Scale has no spec.replicas") }
            let change: ObjectMutation = { (object: inout any APIObject) throws(APIError) in
                if var deployment = object as? Deployment { deployment.spec.replicas = replicas; object = deployment }
                if var replicaSet = object as? ReplicaSet { replicaSet.spec.replicas = replicas; object = replicaSet }
            }
            _ = try respond(try gateway.call(.patch(resource, namespace: namespace, name: name, change)))
        default: return KubeAPIHandler.methodNotAllowed(request)
        }
        return KubeAPIEncoding.json(scaleDocument(try fetch(name)))
    }

    private func scaleDocument(_ object: any APIObject) -> JSONValue {
        let (desired, current, selector): (Int64, Int64, LabelSelector) = switch object {
        case let deployment as Deployment: (deployment.spec.replicas, deployment.status.replicas, deployment.spec.selector)
        case let replicaSet as ReplicaSet: (replicaSet.spec.replicas, replicaSet.status.replicas, replicaSet.spec.selector)
        default: (0, 0, LabelSelector())
        }
        var metadata = FieldWriter()
        metadata.set("name", object.name)
        metadata.set("namespace", object.namespace)
        metadata.set("resourceVersion", String(object.metadata.resourceVersion))
        return KubeAPIEncoding.object([
            "kind": .string("Scale"), "apiVersion": .string("autoscaling/v1"), "metadata": metadata.value,
            "spec": KubeAPIEncoding.object(["replicas": .integer(desired)]),
            "status": KubeAPIEncoding.object(["replicas": .integer(current), "selector": .string(selector.description)]),
        ])
    }
}
