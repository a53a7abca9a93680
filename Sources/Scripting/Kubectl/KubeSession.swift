import OrderedCollections
import Simulation

/// What `kubectl` and `k8s` use to reach the cluster: the operator console's API client, with
/// simulated time running until the answer comes back (a request to a stuck storage client
/// takes the apiserver's full minute, as it did for the engineers at Monzo).
struct KubeSession {
    let runtime: ScriptRuntime
    let cluster: KubernetesCluster
    /// The entry point whose writes this session records (`kubectl`, `k8s.delete`, `mesh.restart`).
    var via = "kubectl"
    /// kubectl's verb for the writes (`scale`, `rollback`); the API's own when nil.
    var verb: String?
    /// The apiserver `kubectl --server` named; nil goes through the load balancer.
    var target: KubectlServer?
    /// Longest a single command waits for an answer before it reports a timeout itself.
    static let patience = Span.seconds(120)

    var world: World { runtime.world }

    /// The cluster of this world, or the error a script sees in a world without one.
    static func open(_ runtime: ScriptRuntime, via: String = "kubectl", verb: String? = nil) -> Result<KubeSession, KubectlFailure> {
        guard let cluster = runtime.world.component(KubernetesCluster.self) else {
            return .failure(KubectlFailure("The connection to the server localhost:8080 was refused - did you specify the right host or port? (scenario \"\(runtime.world.scenarioName)\" has no Kubernetes; try --scenario practice)"))
        }
        return .success(KubeSession(runtime: runtime, cluster: cluster, via: via, verb: verb))
    }

    /// Sends a request and lets simulated time run until it is answered.
    /// Writes go to the world's audit log, as an apiserver's audit events would.
    func call(_ request: APIRequest) throws -> Result<APIResponse, APIError> {
        var answer: Result<APIResponse, APIError>?
        let started = world.now
        if let client = consoleClient, cluster.operatorConsole.isRunning {
            client.send(request) { answer = $0 }
            try wait(upTo: KubeSession.patience) { answer != nil }
            answer = answer ?? .failure(.unavailable("Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)"))
        } else {
            answer = .failure(.unavailable("The connection to the server \(cluster.configuration.apiEndpoint) was refused - did you specify the right host or port?"))
        }
        recordWrite(request, answer!, startedAt: started)
        return answer!
    }

    /// The console's client for this session: straight to the named apiserver, or the usual one.
    private var consoleClient: APIClient? {
        guard let console = cluster.operatorConsole, console.client != nil else { return nil }
        return target.map { console.client(to: $0.server, address: $0.address) } ?? console.client
    }

    /// Runs the world until `done` holds or `limit` passes; a failing Lua callback, an interrupt
    /// or the watchdog stops it with that error, as `sim.advance` would, and so does running out
    /// of what one command may let pass in a lab (see `ScriptRuntime.wait`).
    func wait(upTo limit: SimTime, until done: () -> Bool) throws {
        try runtime.wait(upTo: limit, for: "kubectl", until: done)
    }

    /// Whether a command may wait this long on its own account (`rollout status`, `delete`): not
    /// where a lab refuses to let time move, nor past what this command may still let pass.
    func mayWait(_ span: SimTime) -> Bool { runtime.mayWait(span) }

    func get(_ resource: Resource, namespace: String, name: String) throws -> Result<any APIObject, APIError> {
        try call(.get(resource, namespace: resource.isNamespaced ? namespace : "", name: name)).map { $0.object! }
    }

    func list(_ resource: Resource, filter: ObjectFilter) throws -> Result<[any APIObject], APIError> {
        try call(.list(resource, filter: filter, resourceVersion: "")).map { response in
            if case .list(let objects, _) = response { return objects }
            return []
        }
    }

    var now: Timestamp { Timestamp(world) }
}

/// A command that failed the way kubectl fails: the text it prints.
struct KubectlFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Between the API's JSON and Lua tables. Objects become tables with the API's camelCase keys;
/// JSON null becomes nil, so `subsets == nil` and `#subsets == 0` stay different questions.
enum KubeValues {
    static func lua(_ value: JSONValue) -> LuaValue {
        switch value {
        case .null: return .nil
        case .bool(let flag): return .boolean(flag)
        case .integer(let number): return .integer(number)
        case .number(let number): return .number(number)
        case .string(let text): return .string(text)
        case .array(let items): return .table(LuaTable(array: items.map(lua)))
        case .object(let fields):
            var table = LuaTable()
            for (key, field) in fields { table[key] = lua(field) }
            return .table(table)
        }
    }

    static func lua(_ object: any APIObject) -> LuaValue { lua(object.encode()) }

    /// A Lua table as JSON: a sequence becomes an array, anything else an object with sorted keys.
    static func json(_ value: LuaValue, depth: Int = 0) throws(KubectlFailure) -> JSONValue {
        guard depth < 64 else { throw KubectlFailure("error: object nested too deeply") }
        switch value {
        case .nil: return .null
        case .boolean(let flag): return .bool(flag)
        case .integer(let number): return .integer(number)
        case .number(let number): return number == number.rounded() && abs(number) < 9e15 ? .integer(Int64(number)) : .number(number)
        case .string(let text): return .string(text)
        case .function: throw KubectlFailure("error: a function cannot be part of an object")
        case .table(let table):
            if table.hash.isEmpty && !table.array.isEmpty {
                var items: [JSONValue] = []
                for item in table.array { items.append(try json(item, depth: depth + 1)) }
                return .array(items)
            }
            var fields = OrderedDictionary<String, JSONValue>()
            for (key, item) in table.sortedEntries {
                guard case .string(let name) = key else { throw KubectlFailure("error: object keys must be strings, got \(key)") }
                fields[name] = try json(item, depth: depth + 1)
            }
            return .object(fields)
        }
    }
}
