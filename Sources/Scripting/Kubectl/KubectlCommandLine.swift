import Simulation

/// A kubectl command line, split as a shell would and with its flags parsed as kubectl's do:
/// `-n NS`, `-nNS`, `--namespace NS`, `--namespace=NS`, and booleans as `--force` or `--force=false`.
struct KubectlCommandLine {
    var words: [String] = []
    var values: [String: String] = [:]
    var switches: [String: Bool] = [:]

    /// Flags that take a value, by long name, with their one-letter forms.
    static let valueFlags: [String: Character?] = [
        "namespace": "n", "selector": "l", "output": "o", "filename": "f", "sort-by": nil, "replicas": nil,
        "container": "c", "tail": nil, "to-revision": nil, "grace-period": nil, "timeout": nil, "since": nil,
    ]
    static let switchFlags: [String: Character?] = [
        "all-namespaces": "A", "show-labels": nil, "ignore-daemonsets": nil, "force": nil, "delete-emptydir-data": nil,
        "delete-local-data": nil, "watch": "w", "all": nil, "previous": "p", "wait": nil, "timestamps": nil,
    ]

    static func tokenize(_ text: String) throws(KubectlFailure) -> [String] {
        guard let tokens = ShellWords.split(text) else { throw KubectlFailure("error: unterminated quote in command") }
        return tokens
    }

    init(parsing text: String) throws(KubectlFailure) {
        var tokens = try KubectlCommandLine.tokenize(text)[...]
        if tokens.first == "kubectl" { tokens = tokens.dropFirst() }
        while let token = tokens.popFirst() {
            if token == "--" { words += tokens; break }
            if token.hasPrefix("--") {
                try parseLong(String(token.dropFirst(2)), rest: &tokens)
            } else if token.hasPrefix("-") && token.count > 1 {
                try parseShort(String(token.dropFirst()), rest: &tokens)
            } else {
                words.append(token)
            }
        }
    }

    private mutating func parseLong(_ body: String, rest: inout ArraySlice<String>) throws(KubectlFailure) {
        let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        if KubectlCommandLine.valueFlags.keys.contains(name) {
            if parts.count == 2 { values[name] = parts[1]; return }
            guard let value = rest.popFirst() else { throw KubectlFailure("error: flag needs an argument: --\(name)") }
            values[name] = value
        } else if KubectlCommandLine.switchFlags.keys.contains(name) {
            guard parts.count == 2 else { switches[name] = true; return }
            guard let flag = Bool(parts[1]) else {
                throw KubectlFailure("error: invalid argument \"\(parts[1])\" for \"--\(name)\" flag: strconv.ParseBool: parsing \"\(parts[1])\": invalid syntax")
            }
            switches[name] = flag
        } else {
            throw KubectlFailure("error: unknown flag: --\(name)\nSee 'kubectl --help' for usage.")
        }
    }

    private mutating func parseShort(_ body: String, rest: inout ArraySlice<String>) throws(KubectlFailure) {
        var letters = Substring(body)
        while let letter = letters.popFirst() {
            if let name = KubectlCommandLine.valueFlags.first(where: { $0.value == letter })?.key {
                var value = String(letters.hasPrefix("=") ? letters.dropFirst() : letters)
                if value.isEmpty {
                    guard let next = rest.popFirst() else { throw KubectlFailure("error: flag needs an argument: '\(letter)' in -\(letter)") }
                    value = next
                }
                values[name] = value
                return
            }
            guard let name = KubectlCommandLine.switchFlags.first(where: { $0.value == letter })?.key else {
                throw KubectlFailure("error: unknown shorthand flag: '\(letter)' in -\(body)\nSee 'kubectl --help' for usage.")
            }
            switches[name] = true
        }
    }

    func value(_ name: String) -> String? { values[name] }
    func isSet(_ name: String) -> Bool { switches[name] ?? false }

    var namespace: String { values["namespace"] ?? "default" }
    var allNamespaces: Bool { isSet("all-namespaces") }

    func integer(_ name: String) throws(KubectlFailure) -> Int64? {
        guard let text = values[name] else { return nil }
        guard let number = Int64(text) else {
            throw KubectlFailure("error: invalid argument \"\(text)\" for \"--\(name)\" flag: strconv.ParseInt: parsing \"\(text)\": invalid syntax")
        }
        return number
    }

    func selector() throws(KubectlFailure) -> LabelSelector? {
        guard let text = values["selector"] else { return nil }
        do { return try LabelSelector(parsing: text) } catch {
            throw KubectlFailure("Error from server (BadRequest): \(error.message)")
        }
    }
}


/// `TYPE NAME`, `TYPE/NAME` or `TYPE1,TYPE2` arguments resolved to resources and names.
struct ResourceArguments {
    var resources: [Resource]
    var names: [String]
    /// Names given as `type/name` pairs, each with its own type.
    var pairs: [(Resource, String)]

    static let all: [Resource] = [.pods, .services, .daemonsets, .deployments, .replicasets]

    static func resource(_ text: String) throws(KubectlFailure) -> Resource {
        guard let resource = Resource(typed: text) else {
            throw KubectlFailure("error: the server doesn't have a resource type \"\(text)\"")
        }
        return resource
    }

    init(_ words: ArraySlice<String>, command: String) throws(KubectlFailure) {
        resources = []
        names = []
        pairs = []
        guard let first = words.first else {
            throw KubectlFailure("error: you must specify the type of resource to \(command). Use \"kubectl api-resources\" for a complete list of supported resources.")
        }
        if first.contains("/") {
            for word in words {
                let parts = word.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw KubectlFailure("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'") }
                pairs.append((try ResourceArguments.resource(parts[0]), parts[1]))
            }
            return
        }
        for part in first.split(separator: ",") {
            if part == "all" { resources += ResourceArguments.all } else { resources.append(try ResourceArguments.resource(String(part))) }
        }
        names = Array(words.dropFirst())
    }
}
