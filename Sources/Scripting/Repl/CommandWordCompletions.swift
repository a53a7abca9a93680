import Simulation

/// Tab completion inside `kubectl "…"`: verbs, resource kinds, the names of live objects (read
/// from an apiserver's watch cache, which costs no simulated time), namespaces and flags.
struct KubectlCompletion: CommandCompletion {
    unowned let world: World

    static let verbs = ["get", "describe", "logs", "scale", "rollout", "delete", "apply", "cordon", "uncordon",
                        "drain", "version"]
    static let rolloutSubcommands = ["status", "history", "undo", "restart"]
    static let outputFormats = ["wide", "yaml", "json", "name"]

    func candidates(for request: CommandCompletionRequest) -> [String] {
        let words = request.words
        if let flag = request.previousWord, let values = values(afterFlag: flag, words: words) { return values }
        if request.partial.hasPrefix("-") { return flags(for: words.first) }
        guard let verb = words.first else { return KubectlCompletion.verbs }
        var positional = words.dropFirst().filter { !$0.hasPrefix("-") && !isFlagValue($0, in: words) }
        if verb == "rollout" {
            guard !positional.isEmpty else { return KubectlCompletion.rolloutSubcommands }
            positional.removeFirst()
        }
        switch verb {
        case "logs": return names(.pods, words: words)
        case "cordon", "uncordon", "drain": return names(.nodes, words: words)
        case "apply", "version": return []
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

    private func values(afterFlag flag: String, words: [String]) -> [String]? {
        switch flag {
        case "-n", "--namespace": names(.namespaces, words: words)
        case "-o", "--output": KubectlCompletion.outputFormats
        case "--sort-by": [".lastTimestamp", ".metadata.creationTimestamp", ".metadata.name"]
        default: nil
        }
    }

    private func isFlagValue(_ word: String, in words: [String]) -> Bool {
        guard let index = words.firstIndex(of: word), index > 0 else { return false }
        return ["-n", "--namespace", "-o", "--output", "-l", "--selector", "-c", "--container", "--sort-by",
                "--replicas", "--tail", "-f", "--filename", "--to-revision"].contains(words[index - 1])
    }

    private func flags(for verb: String?) -> [String] {
        var flags = ["-n", "--namespace", "-A", "--all-namespaces", "-l", "--selector"]
        switch verb {
        case "get": flags += ["-o", "--output", "-w", "--show-labels", "--sort-by"]
        case "logs": flags += ["-c", "--container", "-p", "--previous", "--tail"]
        case "scale": flags += ["--replicas"]
        case "delete": flags += ["--grace-period", "--force", "--wait"]
        case "drain": flags += ["--ignore-daemonsets", "--delete-local-data", "--force"]
        case "apply": flags += ["-f", "--filename"]
        case "rollout": flags += ["--to-revision"]
        default: break
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
