import Simulation

/// kubectl's part in the world's audit log. Its writes are recorded as the API answers them
/// (`KubeSession.call`), under kubectl's own verb (`scale`, `rollback`, `drain`); its reads once
/// per command, with the kind as the API names it, whatever alias was typed (`ep`, `svc`, `po`
/// and `deploy` are `endpoints`, `services`, `pods` and `deployments`).
enum KubectlAudit {
    /// The verb a command's writes are recorded under, or nil for the API's own.
    static func writeVerb(_ line: KubectlCommandLine) -> String? {
        let words = line.words
        switch words.first {
        case "rollout":
            switch words.dropFirst().first {
            case "undo": return "rollback"
            case "restart": return "restart"
            default: return nil
            }
        case let verb?: return ["scale", "delete", "apply", "cordon", "uncordon", "drain"].contains(verb) ? verb : nil
        case nil: return nil
        }
    }

    /// Records a command that looks (`get`, `describe`, `logs`, `rollout status|history`, `version`).
    static func recordRead(_ command: String, _ result: Result<String, KubectlFailure>, runtime: ScriptRuntime) {
        guard let line = try? KubectlCommandLine(parsing: command), let verb = line.words.first else { return }
        let arguments = line.words.dropFirst()
        let failure: [String]
        if case .failure(let error) = result { failure = ["error: " + error.message] } else { failure = [] }
        let namespace = line.allNamespaces ? "*" : line.namespace
        let era = KubectlEra.of(runtime)
        switch verb {
        case "get", "describe":
            for object in objects(arguments, namespace: namespace, era: era) {
                runtime.recordRead(via: "kubectl", verb: verb, object, findings: failure)
            }
        case "logs":
            runtime.recordRead(via: "kubectl", verb: "logs", logTarget(arguments, namespace: namespace), findings: failure)
        case "rollout" where ["status", "history"].contains(arguments.first ?? ""):
            for object in objects(arguments.dropFirst(), namespace: namespace, era: era) {
                runtime.recordRead(via: "kubectl", verb: "rollout " + arguments.first!, object, findings: failure)
            }
        case "version":
            runtime.recordRead(via: "kubectl", verb: "version", AuditObject(kind: "cluster"), findings: failure)
        default:
            break
        }
    }

    /// `TYPE [NAME...]`, `TYPE/NAME...` or `TYPE1,TYPE2` as audit objects; one per kind when no
    /// name is given. Arguments kubectl could not read name nothing.
    static func objects(_ arguments: ArraySlice<String>, namespace: String, era: KubectlEra) -> [AuditObject] {
        guard let targets = try? ResourceArguments(arguments, command: "get", all: era.allResources) else { return [] }
        func object(_ resource: Resource, _ name: String) -> AuditObject {
            AuditObject(kind: resource.rawValue, namespace: resource.isNamespaced ? namespace : "", name: name,
                        host: resource == .nodes ? name : "")
        }
        if !targets.pairs.isEmpty { return targets.pairs.map { object($0.0, $0.1) } }
        if targets.names.isEmpty { return targets.resources.map { object($0, "") } }
        return targets.resources.flatMap { resource in targets.names.map { object(resource, $0) } }
    }

    /// `logs POD` or `logs TYPE/NAME`: the pod's logs, or the workload whose first pod's logs.
    static func logTarget(_ arguments: ArraySlice<String>, namespace: String) -> AuditObject {
        let target = arguments.first ?? ""
        let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let resource = Resource(typed: parts[0]) else {
            return AuditObject(kind: Resource.pods.rawValue, namespace: namespace, name: target)
        }
        return AuditObject(kind: resource.rawValue, namespace: namespace, name: parts[1])
    }
}
