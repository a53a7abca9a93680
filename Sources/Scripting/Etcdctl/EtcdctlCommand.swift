import Simulation

/// `etcdctl(cmd)`: the etcd v3 command-line tool (3.3's words and output layouts), run from the
/// cluster's workstation. Its requests cross the simulated network and simulated time runs
/// until they are answered or `--command-timeout` (5s) passes, as the real tool blocks.
/// Returns the text etcdctl prints; failures return nil and etcdctl's error text.
enum EtcdctlCommand {
    static let version = "3.3.10"

    static func install(into runtime: ScriptRuntime) {
        // Even `member list` lets simulated time run while it waits for the answer, so every
        // etcdctl command changes the world: graders read etcd.* instead.
        runtime.define("etcdctl", usage: "etcdctl(cmd)", "etcd's command-line tool: member list/add/remove, endpoint status/health, get/put/del, move-leader",
                       details: """
                       etcdctl "member list -w table"
                       etcdctl "member add etcd-4 --peer-urls=http://etcd-4:2380"   -- then etcd.start("etcd-4")
                       etcdctl "endpoint health --cluster"
                       etcdctl "get /registry/ --prefix --keys-only"
                       """, mutates: true) { [unowned runtime] call in
            let text = try call.string(1, maximumBytes: 2 << 20)
            guard let cluster = runtime.world.component(EtcdCluster.self) else {
                return call.fail("Error: this world has no etcd cluster (scenario \(LuaValue.quote(runtime.world.scenarioName)))")
            }
            let session = EtcdctlSession(runtime: runtime, cluster: cluster)
            let started = runtime.world.now
            let result = try session.run(text)
            EtcdctlAudit.record(text, result, runtime: runtime, startedAt: started)
            switch result {
            case .success(let output):
                call.push(string: output)
                return 1
            case .failure(let failure):
                return call.fail(failure.message)
            }
        }
    }
}

/// What etcdctl printed before it exited non-zero.
struct EtcdctlFailure: Error {
    let message: String

    static func error(_ text: String, after output: String = "") -> EtcdctlFailure {
        EtcdctlFailure(message: (output.isEmpty ? "" : output + "\n") + "Error: " + text)
    }
}

/// One etcdctl invocation.
final class EtcdctlSession {
    private let runtime: ScriptRuntime
    private let cluster: EtcdCluster
    private var line = EtcdctlCommandLine.empty
    private var commandTimeout = Span.seconds(5)
    private var dialTimeout = Span.seconds(2)
    private var openClients: [EtcdClient] = []

    init(runtime: ScriptRuntime, cluster: EtcdCluster) {
        self.runtime = runtime
        self.cluster = cluster
    }

    /// Runs a command line. Throws only when a Lua callback failed while time ran.
    func run(_ text: String) throws -> Result<String, EtcdctlFailure> {
        defer { for client in openClients { client.close() } }
        do throws(EtcdctlCommandLine.ParseError) {
            line = try EtcdctlCommandLine(text)
        } catch {
            return .failure(.error(error.description))
        }
        if let failure = readGlobalFlags() { return .failure(failure) }
        let words = line.words
        switch (words.first, words.dropFirst().first) {
        case (nil, _): return .success(EtcdctlSession.usage)
        case ("version", _): return .success("etcdctl version: \(EtcdctlCommand.version)\nAPI version: 3.3")
        case ("member", "list"): return try memberList()
        case ("member", "add"): return try memberAdd(Array(words.dropFirst(2)))
        case ("member", "remove"): return try memberRemove(Array(words.dropFirst(2)))
        case ("member", let sub): return .failure(unknown(sub, parent: "etcdctl member"))
        case ("endpoint", "status"): return try endpointStatus()
        case ("endpoint", "health"): return try endpointHealth()
        case ("endpoint", let sub): return .failure(unknown(sub, parent: "etcdctl endpoint"))
        case ("get", _): return try get(Array(words.dropFirst()))
        case ("put", _): return try put(Array(words.dropFirst()))
        case ("del", _): return try delete(Array(words.dropFirst()))
        case ("compact", _): return try compact(Array(words.dropFirst()))
        case ("move-leader", _): return try moveLeader(Array(words.dropFirst()))
        case (let command?, _): return .failure(unknown(command, parent: "etcdctl"))
        }
    }

    static let usage = """
        NAME:
        \tetcdctl - A simple command line client for etcd3.

        USAGE:
        \tetcdctl [flags] COMMAND

        COMMANDS:
        \tget\t\t\tGets the key or a range of keys
        \tput\t\t\tPuts the given key into the store
        \tdel\t\t\tRemoves the specified key or range of keys [key, range_end)
        \tcompact\t\t\tCompacts the event history in etcd
        \tmember add\t\tAdds a member into the cluster
        \tmember remove\t\tRemoves a member from the cluster
        \tmember list\t\tLists all members in the cluster
        \tendpoint health\t\tChecks the healthiness of endpoints specified in `--endpoints` flag
        \tendpoint status\t\tPrints out the status of endpoints specified in `--endpoints` flag
        \tmove-leader\t\tTransfers leadership to another etcd cluster member.
        \tversion\t\t\tPrints the version of etcdctl

        OPTIONS:
        \t--endpoints=[127.0.0.1:2379]\tgRPC endpoints (default here: every member)
        \t-w, --write-out="simple"\tset the output format (simple, table)
        \t--command-timeout=5s\t\ttimeout for short running command
        \t--dial-timeout=2s\t\tdial timeout for client connections
        """

    private func unknown(_ command: String?, parent: String) -> EtcdctlFailure {
        guard let command else { return .error("\(parent) needs a subcommand\nRun '\(parent) --help' for usage.") }
        return .error("unknown command \"\(command)\" for \"\(parent)\"\nRun '\(parent) --help' for usage.")
    }

    private func readGlobalFlags() -> EtcdctlFailure? {
        for (name, target) in [("command-timeout", \EtcdctlSession.commandTimeout), ("dial-timeout", \EtcdctlSession.dialTimeout)] {
            guard let text = line.flag(name) else { continue }
            guard let span = Span.parse(text), span > 0 else {
                return .error("invalid argument \"\(ScriptBounds.shortened(text))\" for \"--\(name)\" flag: time: invalid duration \(ScriptBounds.shortened(text))")
            }
            // A timeout is how long this command may wait; a lab caps what one command may.
            if let cap = runtime.commandTimeCap.limit, span > cap {
                return .error("--\(name)=\(text) is longer than one command may wait in this lab (\(Span.describe(cap)))")
            }
            self[keyPath: target] = span
        }
        if let list = line.flag("endpoints"), endpointList(list).isEmpty {
            return .error("--endpoints=\(list) names no endpoint; give one or more, such as --endpoints=http://etcd-1:2379")
        }
        let format = line.flag("write-out") ?? "simple"
        guard ["simple", "table"].contains(format) else {
            if ["json", "protobuf", "fields"].contains(format) { return .error("\(format) output is not available in Firedrill; use simple or table") }
            return .error("unsupported output format \(format)")
        }
        return nil
    }

    private var isTable: Bool { line.flag("write-out") == "table" }

    /// etcd's `--max-request-bytes` default.
    static let maximumRequestBytes = 1_572_864

    private func endpointList(_ flag: String) -> [String] {
        flag.split(separator: ",").map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
    }

    private var endpoints: [String] {
        if let flag = line.flag("endpoints") { return endpointList(flag) }
        let all = cluster.clientURLs
        return all.isEmpty ? [EtcdCluster.clientURL(host: "127.0.0.1")] : all
    }

    // MARK: Clients and waiting

    private func client(_ endpoints: [String]) -> EtcdClient {
        var configuration = EtcdClientConfiguration()
        configuration.dialTimeout = dialTimeout
        configuration.requestTimeout = commandTimeout
        let client = EtcdClient(owner: cluster.workstation, endpoints: endpoints, version: .v3_3, label: "etcdctl",
                                configuration: configuration)
        openClients.append(client)
        return client
    }

    /// Starts a call and lets simulated time run until it answers.
    private func wait<Answer>(_ start: (@escaping (Result<Answer, EtcdError>) -> Void) -> Void) throws -> Result<Answer, EtcdError> {
        var answer: Result<Answer, EtcdError>?
        start { answer = $0 }
        try runtime.wait(upTo: commandTimeout + Span.seconds(1), for: "etcdctl", until: { answer != nil })
        return answer ?? .failure(.deadlineExceeded)
    }

    private func failure(_ error: EtcdError) -> EtcdctlFailure { .error(error.description) }

    // MARK: member

    private func memberList() throws -> Result<String, EtcdctlFailure> {
        let members = client(endpoints)
        return try wait { members.memberList(completion: $0) }.map { response in
            let rows = response.members.map { member in
                [member.hexID, member.isStarted ? "started" : "unstarted", member.name,
                 member.peerURLs.joined(separator: ","), member.clientURLs.joined(separator: ",")]
            }
            return isTable ? EtcdctlOutput.table(header: ["ID", "Status", "Name", "Peer Addrs", "Client Addrs"], rows: rows)
                : EtcdctlOutput.simple(rows)
        }.mapError(failure)
    }

    private func memberAdd(_ arguments: [String]) throws -> Result<String, EtcdctlFailure> {
        guard let name = arguments.first else { return .failure(.error("member name not provided")) }
        guard arguments.count == 1 else {
            let hint = arguments.first { $0.lowercased().hasPrefix("http") }.map { ", did you mean --peer-urls=\($0)" } ?? ""
            return .failure(.error("too many arguments" + hint))
        }
        guard let urls = line.flag("peer-urls"), !urls.isEmpty else { return .failure(.error("member peer urls not provided")) }
        let peerURLs = urls.split(separator: ",").map(String.init)
        let members = client(endpoints)
        return try wait { members.memberAdd(peerURLs: peerURLs, completion: $0) }.map { response in
            let initialCluster = response.members.flatMap { member in
                member.peerURLs.map { "\(member.id == response.member.id ? name : member.name)=\($0)" }
            }.joined(separator: ",")
            return """
                Member \(EtcdctlOutput.paddedHex(response.member.id)) added to cluster \(EtcdctlOutput.paddedHex(response.header.clusterID))

                ETCD_NAME="\(name)"
                ETCD_INITIAL_CLUSTER="\(initialCluster)"
                ETCD_INITIAL_ADVERTISE_PEER_URLS="\(urls)"
                ETCD_INITIAL_CLUSTER_STATE="existing"
                """
        }.mapError(failure)
    }

    private func memberRemove(_ arguments: [String]) throws -> Result<String, EtcdctlFailure> {
        guard arguments.count == 1 else { return .failure(.error("member ID is not provided")) }
        guard let id = UInt64(arguments[0], radix: 16) else {
            return .failure(.error("bad member ID arg (strconv.ParseUint: parsing \(quoted(arguments[0])): invalid syntax), expecting ID in Hex"))
        }
        let members = client(endpoints)
        return try wait { members.memberRemove(id, completion: $0) }.map { response in
            "Member \(EtcdctlOutput.paddedHex(id)) removed from cluster \(EtcdctlOutput.paddedHex(response.header.clusterID))"
        }.mapError(failure)
    }

    private func quoted(_ text: String) -> String { "\"" + text + "\"" }

    // MARK: endpoint

    /// The endpoints to visit: those given, or with `--cluster` every member's client URLs.
    private func targetEndpoints() throws -> Result<[String], EtcdctlFailure> {
        guard line.isSet("cluster") else { return .success(endpoints) }
        let members = client(endpoints)
        return try wait { members.memberList(completion: $0) }.map { response in
            response.members.flatMap(\.clientURLs)
        }.mapError(failure)
    }

    private func endpointStatus() throws -> Result<String, EtcdctlFailure> {
        let targets: [String]
        switch try targetEndpoints() {
        case .failure(let failure): return .failure(failure)
        case .success(let list): targets = list
        }
        var rows: [[String]] = []
        var failures: [String] = []
        for endpoint in targets {
            let single = client([endpoint])
            switch try wait({ single.status(completion: $0) }) {
            case .success(let status):
                rows.append([endpoint, String(status.header.memberID, radix: 16), status.version,
                             EtcdctlOutput.bytes(status.databaseSizeBytes), String(status.leader == status.header.memberID),
                             String(status.raftTerm), String(status.raftIndex)])
            case .failure(let error):
                failures.append("Failed to get the status of endpoint \(endpoint) (\(error))")
            }
        }
        let header = ["endpoint", "ID", "version", "db size", "is leader", "raft term", "raft index"]
        let body = rows.isEmpty ? "" : (isTable ? EtcdctlOutput.table(header: header, rows: rows) : EtcdctlOutput.simple(rows))
        return .success((failures + (body.isEmpty ? [] : [body])).joined(separator: "\n"))
    }

    private func endpointHealth() throws -> Result<String, EtcdctlFailure> {
        let targets: [String]
        switch try targetEndpoints() {
        case .failure(let failure): return .failure(failure)
        case .success(let list): targets = list
        }
        let started = runtime.world.now
        var outcomes: [Int: (Result<RangeResponse, EtcdError>, SimTime)] = [:]
        for (position, endpoint) in targets.enumerated() {
            // Every endpoint is checked at once, each with a linearizable read of "health".
            client([endpoint]).get("health") { [unowned self] in outcomes[position] = ($0, runtime.world.now - started) }
        }
        try runtime.wait(upTo: commandTimeout + Span.seconds(1), for: "etcdctl", until: { outcomes.count == targets.count })
        var rows: [[String]] = []
        var lines: [String] = []
        for (position, endpoint) in targets.enumerated() {
            let (result, took) = outcomes[position] ?? (.failure(.deadlineExceeded), commandTimeout)
            let tookText = EtcdctlOutput.duration(took)
            switch result {
            case .success:
                lines.append("\(endpoint) is healthy: successfully committed proposal: took = \(tookText)")
                rows.append([endpoint, "true", tookText, ""])
            case .failure(let error):
                lines.append("\(endpoint) is unhealthy: failed to commit proposal: \(error)")
                rows.append([endpoint, "false", tookText, error.description])
            }
        }
        let text = isTable ? EtcdctlOutput.table(header: ["endpoint", "health", "took", "error"], rows: rows) : lines.joined(separator: "\n")
        return rows.allSatisfy { $0[1] == "true" } ? .success(text) : .failure(.error("unhealthy cluster", after: text))
    }

    // MARK: keys

    private func rejectTable() -> EtcdctlFailure? { isTable ? .error("table not supported as output format") : nil }

    private func get(_ arguments: [String]) throws -> Result<String, EtcdctlFailure> {
        guard (1...2).contains(arguments.count) else {
            return .failure(.error("get command needs one argument as key and an optional argument as range_end"))
        }
        if let failure = rejectTable() { return .failure(failure) }
        let key = arguments[0]
        let range: KeyRange = line.isSet("prefix") ? .prefix(key) : arguments.count == 2 ? .interval(from: key, to: arguments[1]) : .key(key)
        guard let revision = Int64(line.flag("rev") ?? "0"), let limit = Int(line.flag("limit") ?? "0") else {
            return .failure(.error("invalid argument for --rev or --limit: expecting a number"))
        }
        let reader = client(endpoints)
        let request = RangeRequest(range: range, revision: revision, limit: limit)
        return try wait { reader.range(request, completion: $0) }.map { response in
            response.keyValues.flatMap { keyValue -> [String] in
                if line.isSet("keys-only") { return [keyValue.key] }
                if line.isSet("print-value-only") { return [keyValue.value] }
                return [keyValue.key, keyValue.value]
            }.joined(separator: "\n")
        }.mapError(failure)
    }

    private func put(_ arguments: [String]) throws -> Result<String, EtcdctlFailure> {
        guard arguments.count == 2 else { return .failure(.error("put command needs 1 argument and input from stdin or 2 arguments")) }
        if let failure = rejectTable() { return .failure(failure) }
        // etcd refuses requests over --max-request-bytes (1.5 MiB) before they reach Raft.
        guard arguments[0].utf8.count + arguments[1].utf8.count <= EtcdctlSession.maximumRequestBytes else {
            return .failure(.error("etcdserver: request is too large"))
        }
        let writer = client(endpoints)
        return try wait { writer.put(arguments[0], arguments[1], completion: $0) }.map { _ in "OK" }.mapError(failure)
    }

    private func delete(_ arguments: [String]) throws -> Result<String, EtcdctlFailure> {
        guard (1...2).contains(arguments.count) else {
            return .failure(.error("del command needs one argument as key and an optional argument as range_end"))
        }
        if let failure = rejectTable() { return .failure(failure) }
        let key = arguments[0]
        let range: KeyRange = line.isSet("prefix") ? .prefix(key) : arguments.count == 2 ? .interval(from: key, to: arguments[1]) : .key(key)
        let writer = client(endpoints)
        return try wait { writer.delete(range, completion: $0) }.map { response in
            if case .delete(let deleted, _) = response.responses.first { return String(deleted) }
            return "0"
        }.mapError(failure)
    }

    private func compact(_ arguments: [String]) throws -> Result<String, EtcdctlFailure> {
        guard arguments.count == 1 else { return .failure(.error("compact command needs 1 argument")) }
        guard let revision = Int64(arguments[0]) else {
            return .failure(.error("bad revision arg (strconv.ParseInt: parsing \(quoted(arguments[0])): invalid syntax)"))
        }
        let writer = client(endpoints)
        return try wait { writer.compact(revision, completion: $0) }.map { _ in "compacted revision \(revision)" }.mapError(failure)
    }

    // MARK: move-leader

    private func moveLeader(_ arguments: [String]) throws -> Result<String, EtcdctlFailure> {
        guard arguments.count == 1 else { return .failure(.error("move-leader command needs 1 argument")) }
        guard let target = UInt64(arguments[0], radix: 16) else {
            return .failure(.error("bad leader ID arg (strconv.ParseUint: parsing \(quoted(arguments[0])): invalid syntax), expecting ID in Hex"))
        }
        // As etcdctl does: ask every endpoint for its status to find the one that leads.
        var leaderEndpoint: String?
        var leaderID: MemberID = 0
        for endpoint in endpoints {
            let single = client([endpoint])
            if case .success(let status) = try wait({ single.status(completion: $0) }), status.leader == status.header.memberID {
                leaderEndpoint = endpoint
                leaderID = status.leader
                break
            }
        }
        guard let leaderEndpoint else {
            return .failure(.error("no leader endpoint given at [\(endpoints.joined(separator: " "))]"))
        }
        let leader = client([leaderEndpoint])
        return try wait { leader.moveLeader(to: target, completion: $0) }.map { _ in
            "Leadership transferred from \(String(leaderID, radix: 16)) to \(String(target, radix: 16))"
        }.mapError(failure)
    }
}
