@testable import Simulation

/// Drives a simulated etcd cluster from operator commands, for the scenario files under
/// `testdata/etcd`. Every command that talks to etcd goes through a real client over the
/// simulated network and lets simulated time run until it has its answer.
///
/// Commands:
///   cluster N [pre-vote] [seed S]       a fresh world with members etcd-1..N over three zones
///   advance DURATION                    let time pass
///   leader | status | log | members     what an omniscient observer sees
///   put K V [via M] | get K [--prefix] [via M] [--serializable] [--rev R] | del K [--prefix]
///   compact R | member add NAME | member remove NAME | start NAME | stop NAME | move-leader NAME
///   crash HOST | restart HOST | partition A,B | C (cuts only those links) | heal | slow-disk M DURATION | drop P
///   watch NAME PREFIX [from R] | events NAME
///   fill N PREFIX                       N writes, one after another (to grow the log past a snapshot)
///   disk                                each member's write-ahead log and snapshot
final class EtcdScenarioHarness {
    private(set) var world: World!
    private(set) var cluster: EtcdCluster!
    private var watches: [String: [String]] = [:]
    private var clientCount = 0
    static let zones = ["zone-a", "zone-b", "zone-c"]

    func run(_ command: String) -> String {
        let words = command.split(separator: " ").map(String.init)
        guard let verb = words.first else { return "" }
        let arguments = Array(words.dropFirst())
        if verb != "cluster" && world == nil { return "error: no cluster yet (start with `cluster 3`)" }
        switch verb {
        case "cluster": return makeCluster(arguments)
        case "advance": return advance(arguments)
        case "leader": return leaderLine()
        case "status": return statusLines()
        case "log": return logLines()
        case "members": return memberLines()
        case "put", "get", "del", "compact": return keyValue(verb, arguments)
        case "member": return membership(arguments)
        case "start": return startMember(arguments)
        case "stop": return stopMember(arguments)
        case "move-leader": return moveLeader(arguments)
        case "crash", "restart": return hostFault(verb, arguments)
        case "partition": return partition(arguments)
        case "heal": world.network.heal(); return ""
        case "slow-disk": return slowDisk(arguments)
        case "drop": world.network.dropProbability = Double(arguments.first ?? "0") ?? 0; return ""
        case "watch": return openWatch(arguments)
        case "fill": return fill(arguments)
        case "disk": return diskLines()
        case "events": return events(arguments)
        default: return "error: unknown command \(verb)"
        }
    }

    // MARK: World

    private func makeCluster(_ arguments: [String]) -> String {
        let count = Int(arguments.first ?? "3") ?? 3
        var seed: UInt64 = 1
        if let position = arguments.firstIndex(of: "seed"), position + 1 < arguments.count { seed = UInt64(arguments[position + 1]) ?? 1 }
        world = World(seed: seed)
        var configuration = EtcdMemberConfiguration()
        configuration.raft.preVote = arguments.contains("pre-vote")
        configuration.snapshotCount = 50
        configuration.snapshotCatchUpEntries = 10
        var hosts: [String] = []
        for index in 1...9 {
            let name = "etcd-\(index)"
            world.addHost(name, zone: EtcdScenarioHarness.zones[(index - 1) % 3])
            if index <= count { hosts.append(name) }
        }
        cluster = EtcdCluster.install(in: world, hosts: hosts, configuration: configuration)
        watches = [:]
        return ""
    }

    private func advance(_ arguments: [String]) -> String {
        guard let text = arguments.first, let span = Span.parse(text) else { return "error: advance needs a duration" }
        world.advance(by: span)
        return ""
    }

    private func member(_ name: String) -> EtcdMember? { cluster.member(named: name) }

    private func name(of id: MemberID) -> String {
        cluster.memberProcess(for: id)?.memberName ?? String(id, radix: 16)
    }

    private func leaderLine() -> String {
        guard let leader = cluster.leader else { return "no leader" }
        return "\(leader.memberName) (term \(leader.term))"
    }

    private func statusLines() -> String {
        cluster.processes.map { member in
            guard member.isRunning else { return "\(member.memberName): down" }
            let leader = member.knownLeader == 0 ? "none" : name(of: member.knownLeader)
            return "\(member.memberName): \(member.role.rawValue) term=\(member.term) leader=\(leader) "
                + "commit=\(member.commitIndex) applied=\(member.appliedIndex) revision=\(member.state.store.revision)"
        }.joined(separator: "\n")
    }

    /// Each running member's log as the terms of its entries, run-length encoded: `1x5 2x3`.
    private func logLines() -> String {
        cluster.processes.filter(\.isRunning).map { member in
            var runs: [(term: UInt64, count: Int)] = []
            for (_, term) in member.logTerms() {
                if let last = runs.last, last.term == term { runs[runs.count - 1].count += 1 } else { runs.append((term, 1)) }
            }
            return "\(member.memberName): " + runs.map { "\($0.term)x\($0.count)" }.joined(separator: " ")
                + " (commit \(member.commitIndex))"
        }.joined(separator: "\n")
    }

    private func fill(_ arguments: [String]) -> String {
        guard arguments.count == 2, let count = Int(arguments[0]) else { return "error: fill N PREFIX" }
        var failures = 0
        for index in 1...max(count, 1) {
            if keyValue("put", ["\(arguments[1])\(index)", "x"]).hasPrefix("error") { failures += 1 }
        }
        return failures == 0 ? "" : "error: \(failures) writes failed"
    }

    /// What each member's disk holds: it survives crashes, unlike everything else.
    private func diskLines() -> String {
        cluster.processes.map { member in
            let disk = member.disk
            let vote = disk.hardState.vote == 0 ? "none" : name(of: disk.hardState.vote)
            return "\(member.memberName): snapshot \(disk.snapshot?.index ?? 0), entries \(disk.compactedIndex + 1)..\(disk.lastIndex), "
                + "term \(disk.hardState.term), vote \(vote), commit \(disk.hardState.commit)"
        }.joined(separator: "\n")
    }

    private func memberLines() -> String {
        cluster.membership.sortedMembers.map { info in
            let name = info.isStarted ? info.name : "(unstarted)"
            return "\(name) \(info.peerURLs.joined(separator: ","))"
        }.joined(separator: "\n")
    }

    // MARK: Faults

    private func hostFault(_ verb: String, _ arguments: [String]) -> String {
        guard let name = arguments.first, let host = world.host(named: name) else { return "error: no such host" }
        if verb == "crash" { world.crash(host) } else { world.restart(host) }
        return ""
    }

    private func partition(_ arguments: [String]) -> String {
        // Only the links between the named groups are cut (as clogs that drop everything), so
        // the operator's workstation still reaches every member.
        let groups = arguments.joined(separator: " ").split(separator: "|").map {
            $0.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        }
        for (position, group) in groups.enumerated() {
            for other in groups[(position + 1)...] {
                for first in group {
                    for second in other { world.network.clog(Clog(from: first, to: second, dropProbability: 1)) }
                }
            }
        }
        return ""
    }

    private func slowDisk(_ arguments: [String]) -> String {
        guard arguments.count == 2, let target = member(arguments[0]), let span = Span.parse(arguments[1]) else {
            return "error: slow-disk MEMBER DURATION"
        }
        target.configuration.diskSyncLatency = span
        return ""
    }

    private func startMember(_ arguments: [String]) -> String {
        do {
            try cluster.startMember(named: arguments.first ?? "")
            return ""
        } catch {
            return "error: \(error)"
        }
    }

    private func stopMember(_ arguments: [String]) -> String {
        do {
            try cluster.stopMember(named: arguments.first ?? "")
            return ""
        } catch {
            return "error: \(error)"
        }
    }

    // MARK: Client calls

    /// A client for one call: through one member (`via`), or through any.
    private func makeClient(via name: String?) -> EtcdClient {
        clientCount += 1
        var configuration = EtcdClientConfiguration()
        configuration.requestTimeout = Span.seconds(5)
        configuration.dialTimeout = Span.seconds(2)
        let endpoints = name.map { [EtcdCluster.clientURL(host: member($0)?.host.name ?? $0)] } ?? cluster.clientURLs
        return EtcdClient(owner: cluster.workstation, endpoints: endpoints.isEmpty ? ["etcd-1:2379"] : endpoints,
                          version: .v3_3, label: "harness-\(clientCount)", configuration: configuration)
    }

    /// Runs the world until `body`'s completion fires (at most `limit`), and returns its text.
    private func waitForAnswer(_ limit: SimTime = Span.seconds(10), _ body: (@escaping (String) -> Void) -> Void) -> String {
        var answer: String?
        body { answer = $0 }
        world.run(until: world.now + limit) { answer != nil }
        return answer ?? "error: no answer within \(Span.describe(limit))"
    }

    private func option(_ name: String, in arguments: [String]) -> String? {
        guard let position = arguments.firstIndex(of: name), position + 1 < arguments.count else { return nil }
        return arguments[position + 1]
    }

    private func keyValue(_ verb: String, _ arguments: [String]) -> String {
        let via = option("via", in: arguments)
        let client = makeClient(via: via)
        defer { client.close() }
        let key = arguments.first ?? ""
        let range: KeyRange = arguments.contains("--prefix") ? .prefix(key) : .key(key)
        return waitForAnswer { done in
            switch verb {
            case "put":
                client.put(key, arguments.count > 1 ? arguments[1] : "") { result in
                    done(result.map { "OK (revision \($0.header.revision))" }.text)
                }
            case "del":
                client.delete(range) { result in
                    done(result.map { response in
                        if case .delete(let deleted, _) = response.responses.first { return "\(deleted)" }
                        return "0"
                    }.text)
                }
            case "compact":
                client.compact(Int64(key) ?? 0) { result in done(result.map { _ in "compacted revision \(key)" }.text) }
            default:
                let revision = Int64(option("--rev", in: arguments) ?? "0") ?? 0
                let request = RangeRequest(range: range, revision: revision, serializable: arguments.contains("--serializable"))
                client.range(request) { result in
                    done(result.map { response in
                        response.keyValues.isEmpty ? "(none)"
                            : response.keyValues.map { "\($0.key)=\($0.value) (mod \($0.modRevision), version \($0.version))" }
                            .joined(separator: "\n")
                    }.text)
                }
            }
        }
    }

    private func membership(_ arguments: [String]) -> String {
        guard arguments.count == 2 else { return "error: member add|remove NAME" }
        let client = makeClient(via: nil)
        defer { client.close() }
        let target = arguments[1]
        if arguments[0] == "add" {
            return waitForAnswer { done in
                client.memberAdd(peerURLs: [EtcdCluster.peerURL(host: target)]) { result in
                    done(result.map { "added \(target): \($0.members.count) members" }.text)
                }
            }
        }
        guard let id = cluster.membership.sortedMembers.first(where: { $0.name == target })?.id ?? member(target)?.memberID else {
            return "error: \(target) is not a member"
        }
        return waitForAnswer { done in
            client.memberRemove(id) { result in done(result.map { "removed \(target): \($0.members.count) members" }.text) }
        }
    }

    private func moveLeader(_ arguments: [String]) -> String {
        guard let target = member(arguments.first ?? ""), let leader = cluster.leader else { return "error: no leader or no target" }
        let client = makeClient(via: leader.memberName)
        defer { client.close() }
        return waitForAnswer { done in
            client.moveLeader(to: target.memberID) { result in
                done(result.map { _ in "leadership transferred from \(leader.memberName) to \(target.memberName)" }.text)
            }
        }
    }

    // MARK: Watches

    private func openWatch(_ arguments: [String]) -> String {
        guard arguments.count >= 2 else { return "error: watch NAME PREFIX [from REVISION]" }
        let name = arguments[0]
        let start = Int64(option("from", in: arguments) ?? "0") ?? 0
        let client = makeClient(via: option("via", in: arguments))
        watches[name] = []
        client.watch(WatchRequest(range: .prefix(arguments[1]), startRevision: start)) { [weak self] response in
            switch response {
            case .created: self?.watches[name, default: []].append("created")
            case .events(let events, _):
                for event in events {
                    self?.watches[name, default: []].append("\(event.kind.rawValue) \(event.keyValue.key)=\(event.keyValue.value) (mod \(event.keyValue.modRevision))")
                }
            case .canceled(let error): self?.watches[name, default: []].append("canceled: \(error)")
            }
        }
        // The harness keeps the client alive as long as the world: it is registered and owned.
        retainedClients.append(client)
        world.advance(by: Span.milliseconds(100))
        return ""
    }

    private var retainedClients: [EtcdClient] = []

    private func events(_ arguments: [String]) -> String {
        guard let name = arguments.first, let seen = watches[name] else { return "error: no watch named that" }
        watches[name] = []
        return seen.isEmpty ? "(nothing)" : seen.joined(separator: "\n")
    }
}

extension Result where Failure == EtcdError, Success == String {
    var text: String {
        switch self {
        case .success(let text): text
        case .failure(let error): "error: \(error)"
        }
    }
}
