import Simulation

/// Tab completion inside `kubectl "…"`: verbs, resource kinds, the names of live objects (read
/// from an apiserver's watch cache, which costs no simulated time), namespaces and flags.
struct KubectlCompletion: CommandCompletion {
    unowned let world: World

    static let verbs = ["get", "describe", "logs", "scale", "rollout", "set", "patch", "edit", "delete", "apply", "cordon",
                        "uncordon", "drain", "top", "cluster-info", "version"]
    /// The words after a verb that takes a subcommand first.
    static let subcommands = ["rollout": ["history", "status", "undo"], "set": ["image"], "top": ["node", "pod"]]
    static let outputFormats = ["wide", "yaml", "json", "name"]

    func candidates(for request: CommandCompletionRequest) -> [String] {
        let words = request.words
        if let flag = request.previousWord, let values = values(afterFlag: flag, words: words) { return values }
        if request.partial.hasPrefix("-") { return flags(for: words.first, words: words) }
        guard let verb = words.first else { return KubectlCompletion.verbs }
        var positional = words.dropFirst().filter { !$0.hasPrefix("-") && !isFlagValue($0, in: words) }
        if let subcommands = KubectlCompletion.subcommands[verb] {
            guard let subcommand = positional.first else { return subcommands }
            positional.removeFirst()
            if verb == "top" { return positional.isEmpty ? names(subcommand == "node" ? .nodes : .pods, words: words) : [] }
            if verb == "set", let target = setImageTarget(positional) {
                return containerAssignments(target.0, target.1, words: words)
            }
        }
        switch verb {
        case "logs": return names(.pods, words: words)
        case "cordon", "uncordon", "drain": return names(.nodes, words: words)
        case "apply", "version", "cluster-info": return []
        case "get" where positional.isEmpty: return kinds(for: verb) + ["componentstatuses"] + typedNames(partial: request.partial, words: words)
        default: break
        }
        guard let kindWord = positional.first else { return kinds(for: verb) + typedNames(partial: request.partial, words: words) }
        guard let resource = Resource(typed: kindWord) else { return [] }
        return names(resource, words: words)
    }

    /// The kinds a verb takes, by their plural names (short names like `po` are for people who
    /// no longer need Tab, and would make `po<Tab>` ambiguous).
    private func kinds(for verb: String) -> [String] {
        let resources: [Resource]
        switch verb {
        case "scale": resources = [.deployments, .replicasets]
        case "rollout": resources = [.deployments, .daemonsets]
        case "set": resources = [.deployments, .daemonsets, .replicasets]
        default: resources = Resource.allCases
        }
        return resources.map(\.rawValue)
    }

    /// `deploy/web` forms, once the trainee has typed the slash.
    private func typedNames(partial: String, words: [String]) -> [String] {
        guard let slash = partial.firstIndex(of: "/"), let resource = Resource(typed: String(partial[..<slash])) else { return [] }
        let prefix = String(partial[...slash])
        return names(resource, words: words).map { prefix + $0 }
    }

    /// The object `set image` names, as `TYPE NAME` or `TYPE/NAME`, once it is complete.
    private func setImageTarget(_ positional: [String]) -> (Resource, String)? {
        guard let first = positional.first else { return nil }
        let parts = first.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, let resource = Resource(typed: parts[0]) { return (resource, parts[1]) }
        guard positional.count >= 2, let resource = Resource(typed: first) else { return nil }
        return (resource, positional[1])
    }

    /// `web=` for each container of the object `set image` names, ready for the new image.
    private func containerAssignments(_ resource: Resource, _ name: String, words: [String]) -> [String] {
        guard let cluster = world.component(KubernetesCluster.self), let server = cluster.firstRunningAPIServer,
              let object = server.cachedObject(resource, namespace: namespace(in: words), name: name),
              let template = KubectlCommands.template(of: object) else { return [] }
        return template.spec.containers.map { "\($0.name)=" }
    }

    private func values(afterFlag flag: String, words: [String]) -> [String]? {
        switch flag {
        case "-n", "--namespace": names(.namespaces, words: words)
        case "-o", "--output": KubectlCompletion.outputFormats
        case "--type": ["strategic", "merge", "json"]
        case "--sort-by": [".lastTimestamp", ".metadata.creationTimestamp", ".metadata.name"]
        default: nil
        }
    }

    private func isFlagValue(_ word: String, in words: [String]) -> Bool {
        guard let index = words.firstIndex(of: word), index > 0 else { return false }
        return ["-n", "--namespace", "-o", "--output", "-l", "--selector", "-c", "--container", "--sort-by",
                "--replicas", "--tail", "-f", "--filename", "--to-revision", "-p", "--patch", "--type"].contains(words[index - 1])
    }

    /// The flags the command's `--help` lists, long and short, with kubectl's global `-n`.
    private func flags(for verb: String?, words: [String]) -> [String] {
        var path = verb ?? ""
        if let verb, KubectlCompletion.subcommands[verb] != nil, let sub = words.dropFirst().first(where: { !$0.hasPrefix("-") }) {
            path = "\(verb) \(sub)"
        }
        var flags = ["-n", "--namespace", "-h", "--help"]
        for name in KubectlCommandTable.specs[path]?.flags ?? [] {
            guard let flag = KubectlCommandTable.flags[name] else { continue }
            if let letter = flag.shorthand { flags.append("-\(letter)") }
            flags.append("--\(name)")
        }
        return flags
    }

    /// Names of live objects of a kind in the namespace the words name (`-n`), or `default`.
    private func names(_ resource: Resource, words: [String]) -> [String] {
        guard let cluster = world.component(KubernetesCluster.self), let server = cluster.firstRunningAPIServer else { return [] }
        let namespace = namespace(in: words)
        let filter = resource.isNamespaced && !words.contains("-A") && !words.contains("--all-namespaces")
            ? ObjectFilter(namespace: namespace) : ObjectFilter.everything
        return server.cachedObjects(resource, filter: filter).map(\.name)
    }

    private func namespace(in words: [String]) -> String {
        for (index, word) in words.enumerated() {
            if (word == "-n" || word == "--namespace"), index + 1 < words.count { return words[index + 1] }
            if word.hasPrefix("--namespace=") { return String(word.dropFirst("--namespace=".count)) }
        }
        return "default"
    }
}

/// Tab completion inside `etcdctl "…"`: commands, subcommands, member IDs and names, flags.
struct EtcdctlCompletion: CommandCompletion {
    unowned let world: World

    static let commands = ["get", "put", "del", "member", "endpoint", "move-leader", "compact", "version"]
    static let subcommands = ["member": ["list", "add", "remove"], "endpoint": ["status", "health"]]

    func candidates(for request: CommandCompletionRequest) -> [String] {
        if request.partial.hasPrefix("-") {
            return ["--endpoints=", "--write-out=", "-w", "--prefix", "--keys-only", "--print-value-only", "--cluster",
                    "--peer-urls=", "--rev=", "--limit=", "--command-timeout=", "--prev-kv"]
        }
        if request.previousWord == "-w" || request.partial.hasPrefix("--write-out=") { return ["simple", "table", "json"] }
        let words = request.words.filter { !$0.hasPrefix("-") }
        guard let command = words.first else { return EtcdctlCompletion.commands }
        if let subcommands = EtcdctlCompletion.subcommands[command] {
            guard words.count >= 2 else { return subcommands }
            return words[1] == "remove" && words.count == 2 ? memberIDs() : []
        }
        switch command {
        case "move-leader": return words.count == 1 ? memberIDs() : []
        case "get", "del": return words.count == 1 ? ["/registry/"] : []
        default: return []
        }
    }

    private func memberIDs() -> [String] {
        world.component(EtcdCluster.self)?.processes.filter(\.isRunning).map(\.hexID) ?? []
    }
}

extension ScriptRuntime {
    /// Registers Tab completion for the command strings of kubectl and etcdctl.
    func installCommandCompletions() {
        registerCompletion(for: "kubectl", KubectlCompletion(world: world))
        registerCompletion(for: "etcdctl", EtcdctlCompletion(world: world))
    }
}
