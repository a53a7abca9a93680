import OrderedCollections
import Simulation
import Yams

extension KubectlCommands {
    /// `TYPE NAME` or `TYPE/NAME`: the one object a command works on.
    func singleTarget(_ arguments: ArraySlice<String>, command: String) throws -> (Resource, String) {
        let targets = try ResourceArguments(arguments, command: command, all: era.allResources)
        if let pair = targets.pairs.first { return pair }
        guard let resource = targets.resources.first, let name = targets.names.first else {
            throw KubectlFailure("error: resource(s) were provided, but no name was specified")
        }
        return (resource, name)
    }

    /// `kubectl set image TYPE NAME CONTAINER=IMAGE...` (`*=IMAGE` for every container).
    func setImage(_ arguments: ArraySlice<String>) throws -> String {
        let updates = arguments.filter { $0.contains("=") }.map { word -> (String, String) in
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts[1])
        }
        guard !updates.isEmpty else { throw KubectlFailure("error: at least one image update is required") }
        let (resource, name) = try singleTarget(arguments.filter { !$0.contains("=") }[...], command: "set image")
        guard [.deployments, .daemonsets, .replicasets].contains(resource) else {
            throw KubectlFailure("error: updating images is not supported for \(resource.rawValue) (Firedrill: deployments, daemonsets, replicasets)")
        }
        var missing: String?
        let result = try session.call(.patch(resource, namespace: namespace, name: name, { (object: inout any APIObject) throws(APIError) in
            guard var template = KubectlCommands.template(of: object) else { return }
            for (container, image) in updates {
                let matching = template.spec.containers.indices.filter { container == "*" || template.spec.containers[$0].name == container }
                if matching.isEmpty { missing = container }
                for index in matching { template.spec.containers[index].image = image }
            }
            if missing == nil { object = KubectlCommands.replacing(template, in: object) }
        }))
        if case .failure(let error) = result { throw failure(error) }
        if let missing { throw KubectlFailure("error: unable to find container named \"\(missing)\"") }
        return era.success(resource, name, "image updated")
    }

    static func template(of object: any APIObject) -> PodTemplateSpec? {
        switch object {
        case let deployment as Deployment: deployment.spec.template
        case let ds as DaemonSet: ds.spec.template
        case let rs as ReplicaSet: rs.spec.template
        default: nil
        }
    }

    static func replacing(_ template: PodTemplateSpec, in object: any APIObject) -> any APIObject {
        switch object {
        case var deployment as Deployment: deployment.spec.template = template; return deployment
        case var ds as DaemonSet: ds.spec.template = template; return ds
        case var rs as ReplicaSet: rs.spec.template = template; return rs
        default: return object
        }
    }

    /// `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]`: the patch is applied to
    /// the object as the server holds it, inside one request, as the apiserver applies patches.
    func patch(_ arguments: ArraySlice<String>) throws -> String {
        guard let text = line.value("patch"), !text.isEmpty else { throw KubectlFailure("error: Must specify -p to patch") }
        let type = line.value("type") ?? "strategic"
        guard let kind = KubectlPatch.Kind(rawValue: type) else {
            throw KubectlFailure("error: --type must be one of [json merge strategic], not \"\(type)\"")
        }
        let (resource, name) = try singleTarget(arguments, command: "patch")
        let document = try KubectlPatch.parse(text)
        var problem: KubectlFailure?
        var changed = false
        let result = try session.call(.patch(resource, namespace: namespace, name: name, { (object: inout any APIObject) throws(APIError) in
            do throws(KubectlFailure) {
                let patched = try KubectlPatch.apply(document, kind: kind, to: object.encode())
                let decoded = try KubectlManifests.decode(patched, source: "patch")
                let merged = KubectlApply.merge(decoded, onto: object)
                changed = merged.encode() != object.encode()
                object = merged
            } catch {
                problem = error
            }
        }))
        if case .failure(let error) = result { throw failure(error) }
        if let problem { throw problem }
        return era.success(resource, name, changed ? "patched" : "not patched")
    }

    /// `kubectl("edit TYPE NAME", edited)`: kubectl's editor session without the editor. The
    /// second argument is the object as the trainee edited it; plain `edit` explains that.
    func edit(_ arguments: ArraySlice<String>) throws -> String {
        let (resource, name) = try singleTarget(arguments, command: "edit")
        guard let stdin else {
            throw KubectlFailure("error: there is no editor here ($EDITOR cannot open inside Firedrill). Pass the edited object as kubectl's second argument:\n"
                + "  local yaml = kubectl \"get \(resource.rawValue) \(name) -o yaml\"\n"
                + "  kubectl(\"edit \(resource.rawValue) \(name)\", yaml:gsub(\"old\", \"new\"))")
        }
        let objects = try KubectlManifests.objects(in: stdin, source: "edit")
        guard objects.count == 1, let edited = objects.first, edited.resource == resource else {
            throw KubectlFailure("error: the edited text must hold exactly the one \(resource.kind) being edited")
        }
        guard edited.name == name else {
            throw KubectlFailure("error: At least one of apiVersion, kind and name was changed")
        }
        var changed = false
        let result = try session.call(.patch(resource, namespace: namespace, name: name, { (object: inout any APIObject) throws(APIError) in
            var incoming = edited
            incoming.metadata.namespace = object.namespace
            let merged = KubectlApply.merge(incoming, onto: object)
            changed = merged.encode() != object.encode()
            object = merged
        }))
        if case .failure(let error) = result { throw failure(error) }
        return changed ? era.success(resource, name, "edited") : "Edit cancelled, no changes made."
    }
}

/// The three patch formats kubectl 1.6 sends: a JSON merge patch (RFC 7386), a strategic merge
/// patch (a merge patch whose lists of containers, ports and the like merge by their key), and a
/// JSON patch (RFC 6902: add, remove, replace, test).
enum KubectlPatch {
    enum Kind: String { case json, merge, strategic }

    /// The `-p` text, JSON or YAML, as JSON.
    static func parse(_ text: String) throws(KubectlFailure) -> JSONValue {
        do {
            if let value = try? JSONValue.parse(text) { return value }
            guard let node = try Yams.compose(yaml: text) else { throw KubectlFailure("error: unable to parse \"\(text)\": empty patch") }
            return KubectlManifests.json(node)
        } catch let failure as KubectlFailure {
            throw failure
        } catch {
            throw KubectlFailure("error: unable to parse \"\(text)\": \(error)")
        }
    }

    static func apply(_ patch: JSONValue, kind: Kind, to target: JSONValue) throws(KubectlFailure) -> JSONValue {
        switch kind {
        case .merge: return merge(patch, into: target, strategic: false)
        case .strategic: return merge(patch, into: target, strategic: true)
        case .json:
            guard case .array(let operations) = patch else {
                throw KubectlFailure("error: unable to parse the JSON patch: expected a list of operations")
            }
            var document = target
            for operation in operations { document = try apply(operation: operation, to: document) }
            return document
        }
    }

    /// RFC 7386, with the strategic merge's keyed lists: items with the same key merge, new ones
    /// are appended, and `$patch: delete` removes one.
    static func merge(_ patch: JSONValue, into target: JSONValue, strategic: Bool, field: String = "") -> JSONValue {
        switch (patch, target) {
        case (.object(let changes), .object(var fields)):
            for (key, change) in changes {
                if change == .null { fields[key] = nil } else { fields[key] = merge(change, into: fields[key] ?? .null, strategic: strategic, field: key) }
            }
            return .object(fields)
        case (.object(let changes), _):
            return merge(.object(changes), into: .object([:]), strategic: strategic, field: field)
        case (.array(let items), .array(let existing)) where strategic:
            guard let key = mergeKey(field, items) else { return patch }
            var merged = existing
            for item in items {
                let identity = item[key]
                let index = merged.firstIndex { $0[key] == identity }
                if item["$patch"]?.stringValue == "delete" {
                    if let index { merged.remove(at: index) }
                } else if let index {
                    merged[index] = merge(item, into: merged[index], strategic: true, field: field)
                } else {
                    merged.append(item)
                }
            }
            return .array(merged)
        default:
            return patch
        }
    }

    /// The merge key of a list field, as the API's `patchMergeKey` tags give it.
    private static func mergeKey(_ field: String, _ items: [JSONValue]) -> String? {
        switch field {
        case "containers", "initContainers", "env", "volumes", "volumeMounts": return "name"
        case "ports": return items.first?["containerPort"] != nil ? "containerPort" : "port"
        default: return nil
        }
    }

    private static func apply(operation: JSONValue, to document: JSONValue) throws(KubectlFailure) -> JSONValue {
        guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
            throw KubectlFailure("error: unable to parse the JSON patch: each operation needs \"op\" and \"path\"")
        }
        let tokens = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
        switch op {
        case "add", "replace":
            guard let value = operation["value"] else { throw KubectlFailure("error: unable to parse the JSON patch: \(op) needs a \"value\"") }
            return try set(value, at: tokens[...], in: document, inserting: op == "add", path: path)
        case "remove": return try set(nil, at: tokens[...], in: document, inserting: false, path: path)
        case "test":
            guard value(at: tokens[...], in: document) == operation["value"] else { throw KubectlFailure("error: testing value \(path) failed") }
            return document
        default: throw KubectlFailure("error: Unexpected kind: \(op)")
        }
    }

    private static func value(at tokens: ArraySlice<String>, in document: JSONValue) -> JSONValue? {
        guard let token = tokens.first else { return document }
        switch document {
        case .object(let fields): return fields[token].flatMap { value(at: tokens.dropFirst(), in: $0) }
        case .array(let items): return Int(token).flatMap { items.indices.contains($0) ? value(at: tokens.dropFirst(), in: items[$0]) : nil }
        default: return nil
        }
    }

    private static func set(_ value: JSONValue?, at tokens: ArraySlice<String>, in document: JSONValue, inserting: Bool,
                            path: String) throws(KubectlFailure) -> JSONValue {
        guard let token = tokens.first else { return value ?? .null }
        let last = tokens.count == 1
        switch document {
        case .object(var fields):
            if last { fields[token] = value } else {
                guard let child = fields[token] else { throw KubectlFailure("error: jsonpatch: \(path): missing value") }
                fields[token] = try set(value, at: tokens.dropFirst(), in: child, inserting: inserting, path: path)
            }
            return .object(fields)
        case .array(var items):
            let index = token == "-" ? items.count : Int(token) ?? -1
            guard index >= 0, index <= items.count, last ? (inserting || index < items.count) : index < items.count else {
                throw KubectlFailure("error: jsonpatch: \(path): index out of range")
            }
            if last {
                if let value { if inserting { items.insert(value, at: index) } else { items[index] = value } } else { items.remove(at: index) }
            } else {
                items[index] = try set(value, at: tokens.dropFirst(), in: items[index], inserting: inserting, path: path)
            }
            return .array(items)
        default:
            throw KubectlFailure("error: jsonpatch: \(path): missing value")
        }
    }
}
