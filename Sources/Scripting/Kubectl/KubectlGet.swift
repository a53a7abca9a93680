import Simulation

extension KubectlCommands {
    /// `kubectl get`: tables, `-o wide|name|json|yaml`, `-A`, `-l`, `--show-labels`, `--sort-by`.
    func get(_ arguments: ArraySlice<String>) throws -> String {
        if line.isSet("watch") { throw KubectlFailure("error: --watch is not supported here; use sim.advance and get again") }
        if let kind = arguments.first, ["componentstatuses", "componentstatus", "cs"].contains(kind.lowercased()) {
            return try componentStatuses(arguments)
        }
        let targets = try ResourceArguments(arguments, command: "get", all: era.allResources)
        let output = line.value("output") ?? ""
        guard ["", "wide", "name", "json", "yaml"].contains(output) else {
            throw KubectlFailure("error: output format \"\(output)\" not recognized")
        }
        let selector = try line.selector()
        if selector != nil && (!targets.names.isEmpty || !targets.pairs.isEmpty) {
            throw KubectlFailure("error: name cannot be provided when a selector is specified")
        }
        var groups: [(Resource, [any APIObject])] = []
        if !targets.pairs.isEmpty {
            for (resource, name) in targets.pairs { groups.append((resource, [try fetch(resource, name)])) }
        } else if !targets.names.isEmpty {
            guard targets.resources.count == 1 else {
                throw KubectlFailure("error: you must specify only one resource type when getting objects by name")
            }
            var objects: [any APIObject] = []
            var errors: [String] = []
            for name in targets.names {
                do { objects.append(try fetch(targets.resources[0], name)) } catch let failure as KubectlFailure { errors.append(failure.message) }
            }
            if !errors.isEmpty && objects.isEmpty { throw KubectlFailure(errors.joined(separator: "\n")) }
            groups.append((targets.resources[0], objects))
        } else {
            for resource in targets.resources {
                let objects = try fetchAll(resource, namespace: line.allNamespaces ? nil : namespace, selector: selector)
                groups.append((resource, try sorted(objects, resource)))
            }
        }
        return try render(groups, output: output)
    }

    private func sorted(_ objects: [any APIObject], _ resource: Resource) throws -> [any APIObject] {
        if let field = line.value("sort-by") { return try KubectlSorting.sort(objects, by: field) }
        if resource == .events {
            return objects.sorted { left, right in
                let (a, b) = (left as! Event, right as! Event)
                return (a.lastTimestamp, a.namespace, a.name) < (b.lastTimestamp, b.namespace, b.name)
            }
        }
        return objects
    }

    private func render(_ groups: [(Resource, [any APIObject])], output: String) throws -> String {
        let all = groups.flatMap(\.1)
        switch output {
        case "name": return all.map(era.nameOutput).joined(separator: "\n")
        case "json": return (all.count == 1 && groups.count == 1 && groupIsSingle ? served(all[0]) : list(all)).prettyText
        case "yaml": return KubectlManifests.yaml(all.count == 1 && groupIsSingle ? served(all[0]) : list(all)).trimmingTrailingNewline()
        default: break
        }
        var sections: [String] = []
        let showKind = groups.count > 1
        let fromAll = (line.words.dropFirst().first ?? "").split(separator: ",").contains("all")
        for (resource, objects) in groups where !objects.isEmpty {
            sections.append(table(resource, objects, kindPrefix: showKind ? era.kindPrefix(resource, fromAll: fromAll) : nil,
                                  wide: output == "wide"))
        }
        // Both releases print this to standard error, with nothing on standard output.
        if sections.isEmpty { return "No resources found." }
        return sections.joined(separator: "\n\n")
    }

    /// An object as this kubectl reads it from the server: the workload controllers at
    /// `extensions/v1beta1`, which both releases still ask for.
    private func served(_ object: any APIObject) -> JSONValue {
        var json = object.encode()
        if object.resource.group == "apps", case .object(var fields) = json {
            fields["apiVersion"] = .string("extensions/v1beta1")
            json = .object(fields)
        }
        return json
    }

    /// The List kubectl wraps several objects in, with the empty list metadata it printed then.
    private func list(_ objects: [any APIObject]) -> JSONValue {
        .object(["apiVersion": .string("v1"), "items": .array(objects.map(served)), "kind": .string("List"),
                 "metadata": .object([:]), "resourceVersion": .string(""), "selfLink": .string("")])
    }

    /// Whether the command named one object (then -o json/yaml prints it bare, not in a List).
    private var groupIsSingle: Bool {
        let words = line.words.dropFirst()
        return (words.count == 2 && !(words.first ?? "").contains(",")) || (words.count == 1 && (words.first ?? "").contains("/"))
    }

    private func table(_ resource: Resource, _ objects: [any APIObject], kindPrefix: String?, wide: Bool) -> String {
        let namespaced = line.allNamespaces && resource.isNamespaced
        var header = KubectlPrinters.header(resource, wide: wide, era: era)
        if namespaced { header.insert("NAMESPACE", at: 0) }
        if line.isSet("show-labels") { header.append("LABELS") }
        var table = era.table(header: header)
        for object in objects {
            var row = KubectlPrinters.row(object, kindPrefix: kindPrefix, wide: wide, now: now, era: era)
            if namespaced { row.insert(object.namespace, at: 0) }
            if line.isSet("show-labels") { row.append(KubectlPrinters.labels(object.metadata.labels)) }
            table.add(row)
        }
        return table.render()
    }
}

/// `--sort-by=.a.b`: objects ordered by a field of their JSON form, numbers as numbers.
enum KubectlSorting {
    static func sort(_ objects: [any APIObject], by expression: String) throws -> [any APIObject] {
        var path = expression
        if path.hasPrefix("{") && path.hasSuffix("}") { path = String(path.dropFirst().dropLast()) }
        guard path.hasPrefix(".") else {
            throw KubectlFailure("error: couldn't parse JSONPath \"\(expression)\": a field path must start with '.', e.g. .metadata.name")
        }
        let keys = path.dropFirst().split(separator: ".").map(String.init)
        func value(_ object: any APIObject) -> JSONValue? {
            var current: JSONValue? = object.encode()
            for key in keys { current = current?[key] }
            return current
        }
        let keyed = objects.map { (object: $0, key: value($0)) }
        return keyed.enumerated().sorted { left, right in
            switch (left.element.key, right.element.key) {
            case (.integer(let a)?, .integer(let b)?) where a != b: return a < b
            case (.string(let a)?, .string(let b)?) where a != b: return a < b
            case (nil, .some): return true
            case (.some, nil): return false
            default: return left.offset < right.offset
            }
        }.map(\.element.object)
    }
}

extension String {
    func trimmingTrailingNewline() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
