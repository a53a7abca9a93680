import Simulation

/// `k8s`: the cluster as data, through the API like kubectl: the console's connection goes to
/// the apiserver the load balancer chose, reads are served from that apiserver's watch cache (a
/// list with resourceVersion=0, as an informer makes), writes are stored in etcd through it.
/// Graders and lab checks read `world.truth.k8s.get` instead: etcd's committed state.
enum KubeModule {
    static func install(into runtime: ScriptRuntime) {
        runtime.document("k8s", usage: "k8s", "the Kubernetes cluster as tables: get, apply, delete, scale, apiservers")
        runtime.define("k8s.get", usage: "k8s.get(kind, name?, {namespace=, selector=})",
                       "objects shaped like the API (metadata, spec, status); a list without a name",
                       details: """
                       k8s.get("pods", nil, {selector = "app=web"})   -- namespace "default" unless given; "*" for all
                       k8s.get("endpoints", "web").subsets             -- nil when the service has no endpoints (1.6+)
                       A client's view: served from the watch cache of the apiserver your connection reached (the load
                       balancer's choice), after a network round trip. An apiserver whose etcd watch is stuck answers with
                       what it last saw, so this can be stale; kubectl "get" reads etcd itself, and may time out instead.
                       """) { [unowned runtime] call in
            try get(call, runtime: runtime)
        }
        runtime.define("k8s.apply", usage: "k8s.apply(object)", "create or update an object given as a table shaped like the API", mutates: true) { [unowned runtime] call in
            let session = try openSession(call, runtime, verb: "apply")
            let object: any APIObject
            do {
                object = try KubectlManifests.decode(try KubeValues.json(.table(try call.table(1))), source: "k8s.apply")
            } catch let failure as KubectlFailure {
                return call.fail(failure.message)
            }
            var incoming = object
            if incoming.resource.isNamespaced && incoming.namespace.isEmpty { incoming.metadata.namespace = "default" }
            switch try KubectlApply.apply(incoming, session: session) {
            case .success(let verb):
                call.push(string: "\(KubectlCommands.typeName(incoming)) \(verb)")
                return 1
            case .failure(let error):
                return call.fail(error.kubectlText)
            }
        }
        runtime.define("k8s.delete", usage: "k8s.delete(kind, name, {namespace=})", "delete an object; true, or nil and the API's error", mutates: true) { [unowned runtime] call in
            let session = try openSession(call, runtime, verb: "delete")
            let resource = try resource(call, 1)
            let name = try call.string(2)
            let namespace = try options(call, 3).namespace ?? "default"
            switch try session.call(.delete(resource, namespace: namespace, name: name, gracePeriodSeconds: nil)) {
            case .success:
                call.push(boolean: true)
                return 1
            case .failure(let error): return call.fail(error.kubectlText)
            }
        }
        runtime.define("k8s.scale", usage: "k8s.scale(kind, name, replicas, {namespace=})", "set a deployment's or replicaset's replicas", mutates: true) { [unowned runtime] call in
            let session = try openSession(call, runtime, verb: "scale")
            let resource = try resource(call, 1)
            let name = try call.string(2)
            let replicas = try ScriptBounds.integer(call, 3, "replicas", in: 0...WorkloadValidation.maximumReplicas)
            guard resource == .deployments || resource == .replicasets else { throw call.argumentError(1, "only deployments and replicasets scale") }
            let namespace = try options(call, 4).namespace ?? "default"
            let result = try session.call(.patch(resource, namespace: namespace, name: name, { (object: inout any APIObject) throws(APIError) in
                if var deployment = object as? Deployment { deployment.spec.replicas = replicas; object = deployment }
                if var rs = object as? ReplicaSet { rs.spec.replicas = replicas; object = rs }
            }))
            if case .failure(let error) = result { return call.fail(error.kubectlText) }
            call.push(boolean: true)
            return 1
        }
        runtime.define("k8s.apiservers", usage: "k8s.apiservers()",
                       "each apiserver's state: host, running, and per resource its cache version and when its etcd watch last spoke",
                       details: "resources.NAME.last_event: the clock of the last event its etcd watch delivered (see help(\"sim\") on times); last_event_age: seconds since.") { [unowned runtime] call in
            let session = try openSession(call, runtime)
            runtime.recordRead(via: "k8s.apiservers", verb: "list", AuditObject(kind: "apiservers"))
            try call.push(apiServers(session))
            return 1
        }
    }

    private static func openSession(_ call: LuaCall, _ runtime: ScriptRuntime, verb: String? = nil) throws -> KubeSession {
        switch KubeSession.open(runtime, via: call.functionName, verb: verb) {
        case .success(let session): return session
        case .failure: throw call.error("\(call.functionName): this world has no Kubernetes cluster (scenario \"\(runtime.world.scenarioName)\"); use a scenario such as practice")
        }
    }

    static func resource(_ call: LuaCall, _ index: Int32) throws -> Resource {
        let text = try call.string(index)
        guard let resource = Resource(typed: text) else {
            throw call.argumentError(index, "unknown kind \(LuaValue.quote(text)); kinds are \(Resource.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return resource
    }

    static func options(_ call: LuaCall, _ index: Int32) throws -> (namespace: String?, selector: LabelSelector?) {
        guard !call.isNil(index) else { return (nil, nil) }
        let table = try call.table(index)
        for key in table.hash.keys {
            guard case .string(let name) = key, ["namespace", "selector"].contains(name) else {
                throw call.argumentError(index, "unknown option \(key); use namespace, selector")
            }
        }
        let namespace = table["namespace"]?.stringValue
        var selector: LabelSelector?
        if let text = table["selector"]?.stringValue {
            do { selector = try LabelSelector(parsing: text) } catch { throw call.argumentError(index, "bad selector: \(error.message)") }
        }
        return (namespace, selector)
    }

    private static func get(_ call: LuaCall, runtime: ScriptRuntime) throws -> Int32 {
        if let reader = runtime.readOnlyReader {
            throw call.error("k8s.get asks an apiserver and lets simulated time pass, which \(reader) may not; read world.truth.k8s.get (etcd's committed state)")
        }
        let session = try openSession(call, runtime)
        let resource = try resource(call, 1)
        let name = try call.optionalString(2)
        let (namespace, selector) = try options(call, 3)
        let scope = resource.isNamespaced ? (namespace ?? "default") : ""
        let filter = ObjectFilter(namespace: scope == "*" || scope.isEmpty ? nil : scope, selector: selector)
        let result = try session.call(.list(resource, filter: filter, resourceVersion: "0"))
        let failure: [String]
        if case .failure(let error) = result { failure = ["error: " + error.kubectlText] } else { failure = [] }
        runtime.recordRead(via: "k8s.get", verb: name == nil ? "list" : "get",
                           AuditObject(kind: resource.rawValue, namespace: scope, name: name ?? ""), findings: failure)
        let objects: [any APIObject]
        switch result {
        case .failure(let error): return call.fail(error.kubectlText)
        case .success(let response):
            guard case .list(let listed, _) = response else { return call.fail("error: the server did not answer with a list") }
            objects = listed
        }
        guard let name else {
            try call.push(.table(LuaTable(array: objects.map(KubeValues.lua))))
            return 1
        }
        guard let object = objects.first(where: { $0.name == name }) else {
            return call.fail(APIError.notFound(resource, name: name).kubectlText)
        }
        try call.push(KubeValues.lua(object))
        return 1
    }

    private static func apiServers(_ session: KubeSession) -> LuaValue {
        var list = LuaTable()
        for server in session.cluster.apiServers {
            var resources = LuaTable()
            for resource in Resource.allCases {
                guard let state = server.cacheState(resource) else { continue }
                var entry = LuaTable()
                entry["ready"] = .boolean(state.ready)
                entry["resource_version"] = .integer(state.resourceVersion)
                entry["watches"] = .integer(Int64(state.watches))
                TimeFields.set("last_event", state.lastEventTime, in: &entry, world: session.cluster.world)
                resources[resource.rawValue] = .table(entry)
            }
            list.array.append([
                "name": .string(server.name), "host": .string(server.host.name), "zone": .string(server.host.zone),
                "running": .boolean(server.isRunning), "timed_out_requests": .integer(Int64(server.timedOutRequestCount)),
                "resources": .table(resources),
            ])
        }
        return .table(list)
    }
}
