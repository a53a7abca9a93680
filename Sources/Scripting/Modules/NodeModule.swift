import Simulation

/// `node.sh(host, cmd)`: a shell on one of the platform's hosts, for the signals an on-call
/// engineer reads there: the journal of the kubelet, docker or etcd, a unit's status, the host's
/// TCP connections, linkerd's admin port, its processes, disks and uptime. Read-only, and it
/// takes no simulated time.
enum NodeModule {
    static let commandSummaries: [(usage: String, summary: String)] = [
        ("journalctl -u kubelet|docker|etcd [--since TIME] [--until TIME] [-n N]", "the unit's journal (TIME: \"14:18\", \"2017-10-27 14:18:00\", \"10 min ago\")"),
        ("systemctl status kubelet|docker|etcd|ssh", "whether the unit runs, since when, and its last journal lines"),
        ("ss -tn, ss -tnp, ss -tln, netstat -tn", "TCP connections: each end a process still believes open, unacknowledged bytes in Send-Q (without -n, hosts by name)"),
        ("curl -s localhost:9990/admin/metrics.json", "linkerd's metrics on a node (?pretty=1 to indent): requests, failures, connect errors, failure accrual"),
        ("curl -s 'localhost:9990/delegator.json?path=/svc/NAMESPACE/SERVICE'", "how linkerd resolves a service and what its namer holds"),
        ("ps, ps aux, ps -ef", "the host's processes (CPU and memory figures are nominal)"),
        ("df -h, uptime, cat /etc/hosts", "disks, uptime and load, the platform's addresses"),
        ("... | grep [-i] [-v] [-c] TEXT, | head -n N, | tail -n N, | wc -l", "filter what a command printed"),
    ]

    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        let commands = commandSummaries.map { "  \($0.usage)\n      \($0.summary)" }.joined(separator: "\n")
        runtime.document("node", usage: "node", "a shell on a host of the platform: node.sh(host, cmd) for journalctl, systemctl, ss, curl to linkerd, ps, df")
        runtime.define("node.sh", usage: "node.sh(host, cmd)",
                       "run a read-only command on a host (as over ssh from the bastion) and return what it prints",
                       details: """
                       host: a name as kubectl "get nodes", etcd.members() and mesh.proxies() show it (master-1, node-7, etcd-4, bastion).
                       A host that is down or cut off answers as ssh would; a command it does not know gets bash's "command not found".
                       Times are the host's clock (UTC, the lab's calendar); no simulated time passes.
                       \(commands)
                       node.sh("node-7", "journalctl -u kubelet -n 20")
                       node.sh("master-1", "ss -tnp")
                       """) { call in
            let name = try call.string(1)
            let command = try call.string(2)
            let shell: NodeShell
            switch NodeShell.connect(name, world: world) {
            case .success(let connected): shell = connected
            case .failure(let failure): return call.fail(failure.message)
            }
            switch shell.run(command) {
            case .success(let output):
                call.push(string: output)
                return 1
            case .failure(let failure):
                return call.fail(failure.message)
            }
        }
        runtime.registerCompletion(for: "node.sh", NodeShellCompletion(world: world))
    }
}

/// Tab completion for `node.sh("host", "cmd")`: host names in the first string; in the second,
/// the commands, their options, units and the admin URLs.
struct NodeShellCompletion: CommandCompletion {
    unowned let world: World

    func candidates(for request: CommandCompletionRequest) -> [String] {
        guard !request.arguments.isEmpty else { return Array(world.hosts.keys) }
        let words = request.words.split(separator: "|", omittingEmptySubsequences: false).last.map(Array.init) ?? []
        if request.partial == "|" || request.words.last == "|" || (words.isEmpty && request.words.contains("|")) { return NodeShell.filters }
        guard var command = words.first else { return NodeShell.commands + ["sudo"] }
        var rest = Array(words.dropFirst())
        if command == "sudo" {
            guard let next = rest.first else { return NodeShell.commands }
            command = next
            rest.removeFirst()
        }
        switch command {
        case "journalctl":
            if rest.last == "-u" || rest.last == "--unit" { return ["kubelet", "docker", "etcd"] }
            if rest.last == "--since" || rest.last == "--until" { return ["today", "yesterday"] }
            return ["-u", "--since", "--until", "-n", "--no-pager"]
        case "systemctl":
            return rest.isEmpty ? ["status", "is-active"] : ["kubelet", "docker", "etcd", "ssh"]
        case "ss", "netstat": return ["-t", "-tn", "-tnp", "-tln", "-tan"]
        case "curl":
            return ["-s", "localhost:9990/admin/metrics.json", "localhost:9990/admin/metrics.json?pretty=1", "localhost:9990/delegator.json?path=/svc/"]
        case "ps": return ["aux", "-ef"]
        case "df": return ["-h"]
        case "cat": return ["/etc/hosts", "/etc/hostname"]
        default: return ["|"]
        }
    }

    func takesOneWord(for request: CommandCompletionRequest) -> Bool { request.arguments.isEmpty }
}
