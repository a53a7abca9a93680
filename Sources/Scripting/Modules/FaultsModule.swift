import Simulation

/// `faults`: break the platform on purpose. Names are the host and zone names that
/// `kubectl "get nodes"`, `etcd.members()` and `mesh.proxies()` show.
enum FaultsModule {
    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.document("faults", usage: "faults", "break things on purpose: partitions, crashes, slow links")
        runtime.define("faults.partition", usage: "faults.partition{groups...}",
                       "cut the network between groups of zones or hosts",
                       details: """
                       faults.partition{"eu-west-1a"}                  -- one zone against the rest
                       faults.partition{{"node-1", "node-2"}, {"node-3"}} -- explicit groups
                       """, mutates: true) { [unowned runtime] call in
            let groups = try partitionGroups(call, world: world)
            world.network.partition(Partition(groups: groups))
            runtime.recordAction(via: "faults.partition", verb: "partition", AuditObject(kind: "network", name: groups.map { $0.joined(separator: ",") }.joined(separator: " | ")))
            return 0
        }
        runtime.define("faults.heal", usage: "faults.heal()", "remove every partition and clog", mutates: true) { [unowned runtime] _ in
            world.network.heal()
            runtime.recordAction(via: "faults.heal", verb: "heal", AuditObject(kind: "network"))
            return 0
        }
        runtime.define("faults.crash", usage: "faults.crash(host)",
                       "crash a host: every process on it dies and no peer is told", mutates: true) { [unowned runtime] call in
            let target = try host(call, 1, world: world)
            world.crash(target)
            runtime.recordAction(via: "faults.crash", verb: "crash", AuditObject(kind: "host", name: target.name, host: target.name))
            return 0
        }
        runtime.define("faults.terminate", usage: "faults.terminate(host)",
                       "terminate an instance: a clean shutdown, or its network gone first (drawn per host from the seed); it stays down; returns true if clean",
                       mutates: true) { [unowned runtime] call in
            let target = try host(call, 1, world: world)
            let clean = world.terminate(target)
            runtime.recordAction(via: "faults.terminate", verb: "terminate", AuditObject(kind: "host", name: target.name, host: target.name))
            call.push(boolean: clean)
            return 1
        }
        runtime.define("faults.restart", usage: "faults.restart(host)",
                       "bring a crashed host back, or reboot a running one", mutates: true) { [unowned runtime] call in
            let target = try host(call, 1, world: world)
            world.restart(target)
            runtime.recordAction(via: "faults.restart", verb: "restart", AuditObject(kind: "host", name: target.name, host: target.name))
            return 0
        }
        runtime.define("faults.clog", usage: "faults.clog{from=, to=, delay=, drop=, one_way=}",
                       "slow down or lose messages between zones or hosts",
                       details: "faults.clog{from=\"eu-west-1a\", delay=\"200ms\", drop=0.1}", mutates: true) { [unowned runtime] call in
            let clog = try clog(call, world: world)
            world.network.clog(clog)
            runtime.recordAction(via: "faults.clog", verb: "clog", AuditObject(kind: "network", name: "\(clog.from ?? "*") -> \(clog.to ?? "*")"))
            return 0
        }
        runtime.define("faults.active", usage: "faults.active()", "the partitions and clogs in force, as tables") { [unowned runtime] call in
            runtime.recordRead(via: "faults.active", verb: "list", AuditObject(kind: "faults"), findings: AuditFindings.faults(world.network))
            try call.push(activeFaults(world.network))
            return 1
        }
    }

    static func host(_ call: LuaCall, _ index: Int32, world: World) throws -> Host {
        let name = try call.string(index)
        guard let host = world.host(named: name) else {
            throw call.argumentError(index, "unknown host \(LuaValue.quote(name)); hosts are \(world.hosts.keys.joined(separator: ", "))")
        }
        return host
    }

    /// Checks a zone or host name against the world.
    static func place(_ name: String, call: LuaCall, index: Int32, world: World) throws -> String {
        guard world.hosts[name] != nil || world.zones.contains(name) else {
            throw call.argumentError(index, "unknown host or zone \(LuaValue.quote(name)); zones are \(world.zones.joined(separator: ", "))")
        }
        return name
    }

    static func partitionGroups(_ call: LuaCall, world: World) throws -> [[String]] {
        let table = try call.table(1)
        guard !table.array.isEmpty, table.hash.isEmpty else {
            throw call.argumentError(1, "expected a list of zone or host names, or of lists of them")
        }
        var groups: [[String]] = []
        for element in table.array {
            switch element {
            case .string(let name):
                groups.append([try place(name, call: call, index: 1, world: world)])
            case .table(let group) where !group.array.isEmpty:
                groups.append(try group.array.map { value in
                    guard case .string(let name) = value else { throw call.argumentError(1, "group members must be names") }
                    return try place(name, call: call, index: 1, world: world)
                })
            default:
                throw call.argumentError(1, "each group is a name or a non-empty list of names")
            }
        }
        return groups
    }

    /// The longest delay a clog may add.
    static let longestDelay = Span.days(1)

    static func clog(_ call: LuaCall, world: World) throws -> Clog {
        let table = try call.table(1)
        let known: Set<String> = ["from", "to", "delay", "drop", "one_way"]
        for key in table.hash.keys {
            guard case .string(let name) = key, known.contains(name) else {
                throw call.argumentError(1, "unknown field \(key); use from, to, delay, drop, one_way")
            }
        }
        func name(_ field: String) throws -> String? {
            guard let value = table[field], !value.isNil else { return nil }
            guard case .string(let text) = value else { throw call.argumentError(1, "\(field) must be a zone or host name") }
            return try place(text, call: call, index: 1, world: world)
        }
        var delay: SimTime = 0
        switch table["delay"] ?? .nil {
        case .nil: break
        case .string(let text):
            guard let span = Span.parse(text) else { throw call.argumentError(1, "invalid delay \(LuaValue.quote(text))") }
            delay = span
        case let value:
            guard let seconds = value.numberValue, seconds >= 0, let span = Span.fromSecondsIfRepresentable(seconds) else {
                throw call.argumentError(1, "delay must be a duration")
            }
            delay = span
        }
        // A message held up longer than this is as good as dropped; the bound keeps delivery
        // times far from overflowing.
        guard delay <= FaultsModule.longestDelay else {
            throw call.argumentError(1, "delay must be at most \(Span.describe(FaultsModule.longestDelay)); use drop = 1 to lose messages")
        }
        let drop = (table["drop"] ?? .nil).numberValue ?? 0
        guard (0...1).contains(drop) else { throw call.argumentError(1, "drop must be a probability between 0 and 1") }
        guard delay > 0 || drop > 0 else { throw call.argumentError(1, "a clog needs a delay or a drop probability") }
        return Clog(from: try name("from"), to: try name("to"), extraDelay: delay, dropProbability: drop,
                    bothWays: !((table["one_way"] ?? .nil).boolValue ?? false))
    }

    static func activeFaults(_ network: Network) -> LuaValue {
        var list = LuaTable()
        for partition in network.partitions {
            list.array.append(["kind": "partition", "groups": .table(LuaTable(array: partition.groups.map {
                .table(LuaTable(array: $0.map { .string($0) }))
            }))])
        }
        for clog in network.clogs {
            var entry: LuaTable = LuaTable()
            entry["kind"] = "clog"
            entry["from"] = clog.from.map { .string($0) } ?? .nil
            entry["to"] = clog.to.map { .string($0) } ?? .nil
            entry["delay_ms"] = .number(Double(clog.extraDelay) / 1_000)
            entry["drop"] = .number(clog.dropProbability)
            entry["one_way"] = .boolean(!clog.bothWays)
            list.array.append(.table(entry))
        }
        return .table(list)
    }
}
