import Simulation

/// A kubectl command line, split as a shell would and with its flags parsed as kubectl's do:
/// `-n NS`, `-nNS`, `--namespace NS`, `--namespace=NS`, and booleans as `--force` or `--force=false`.
/// A flag kubectl would not know is kept as `flagError`, which the command reports in cobra's
/// words once it knows its own name (`See 'kubectl get --help' for usage.`).
struct KubectlCommandLine {
    var words: [String] = []
    var values: [String: String] = [:]
    var switches: [String: Bool] = [:]
    var flagError: String?

    /// Flags that take a value, by long name, with their one-letter forms.
    static let valueFlags: [String: Character?] = [
        "namespace": "n", "selector": "l", "output": "o", "filename": "f", "sort-by": nil, "replicas": nil,
        "container": "c", "tail": nil, "to-revision": nil, "grace-period": nil, "timeout": nil, "since": nil,
        "type": nil, "patch": "p", "revision": nil, "record": nil, "server": "s",
    ]
    /// `-A` for `--all-namespaces` came with kubectl 1.14; the era's kubectl does not know it.
    static let switchFlags: [String: Character?] = [
        "all-namespaces": nil, "help": "h", "short": nil, "client": nil, "show-labels": nil, "ignore-daemonsets": nil, "force": nil, "delete-emptydir-data": nil,
        "delete-local-data": nil, "watch": "w", "all": nil, "previous": nil, "wait": nil, "timestamps": nil,
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
        } else if flagError == nil {
            flagError = "unknown flag: --\(name)"
        }
    }

    private mutating func parseShort(_ body: String, rest: inout ArraySlice<String>) throws(KubectlFailure) {
        var letters = Substring(body)
        while let letter = letters.popFirst() {
            // `-p` is `--patch` to patch and `--previous` to logs.
            if letter == "p" && words.first != "patch" { switches["previous"] = true; continue }
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
                if flagError == nil { flagError = "unknown shorthand flag: '\(letter)' in -\(body)" }
                return
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

    static func resource(_ text: String) throws(KubectlFailure) -> Resource {
        guard let resource = Resource(typed: text) else {
            throw KubectlFailure("error: the server doesn't have a resource type \"\(text)\"")
        }
        return resource
    }

    /// The resource types the era's kubectl lists when none is given, with their short forms.
    static func validTypes(for command: String) -> String {
        "You must specify the type of resource to \(command). Valid resource types include:\n\n"
            + KubectlCommandTable.resourceList.replacingOccurrences(of: "  * ", with: "    * ")
    }

    init(_ words: ArraySlice<String>, command: String, all: [Resource]) throws(KubectlFailure) {
        resources = []
        names = []
        pairs = []
        guard let first = words.first else {
            throw KubectlFailure(ResourceArguments.validTypes(for: command) + "\nerror: Required resource not specified.\n"
                + "Use \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\n"
                + "See 'kubectl \(command) -h' for help and examples.")
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
            if part == "all" { resources += all } else { resources.append(try ResourceArguments.resource(String(part))) }
        }
        // "," or ",," name no type at all: every caller needs at least one.
        guard !resources.isEmpty else { throw KubectlFailure("error: the server doesn't have a resource type \"\(first)\"") }
        names = Array(words.dropFirst())
    }
}
