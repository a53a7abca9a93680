import Simulation

/// `etcd`: the cluster as data, read as an omniscient observer would (no request crosses the
/// network): its members, its leader, its health, and the clients other components hold. Plus
/// starting and stopping a member's process, which is how a member added with `etcdctl member
/// add` comes to life.
enum EtcdModule {
    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.document("etcd", usage: "etcd", "the etcd cluster as data: members, leader, health, clients")
        runtime.define("etcd.members", usage: "etcd.members()",
                       "the members: list of {id, name, host, zone, leader, healthy}, id in hex as etcd prints it") { [unowned runtime] call in
            let cluster = try requireCluster(call, world)
            runtime.recordRead(via: "etcd.members", verb: "list", AuditObject(kind: "etcd-members"), findings: AuditFindings.unhealthyMembers(cluster))
            try call.push(.table(LuaTable(array: sortedMembers(cluster).map { memberTable($0, cluster: cluster, world: world) })))
            return 1
        }
        runtime.define("etcd.leader", usage: "etcd.leader()", "the leader as in etcd.members(), or nil when there is none") { [unowned runtime] call in
            let cluster = try requireCluster(call, world)
            runtime.recordRead(via: "etcd.leader", verb: "get", AuditObject(kind: "etcd-members"), findings: cluster.leader == nil ? ["no leader"] : [])
            guard let leader = cluster.leader, let info = cluster.membership.members[leader.memberID] else {
                call.pushNil()
                return 1
            }
            try call.push(memberTable(info, cluster: cluster, world: world))
            return 1
        }
        runtime.define("etcd.health", usage: "etcd.health()",
                       "{healthy, leader, members, started, healthy_members, quorum, fault_tolerance, term, revision}",
                       details: "fault_tolerance: how many more members can fail before writes stop") { [unowned runtime] call in
            let cluster = try requireCluster(call, world)
            runtime.recordRead(via: "etcd.health", verb: "get", AuditObject(kind: "etcd-health"), findings: AuditFindings.unhealthyMembers(cluster))
            try call.push(health(cluster, world: world))
            return 1
        }
        runtime.define("etcd.clients", usage: "etcd.clients()",
                       "the etcd clients components hold: {owner, label, version, pinned, zombie, pending, watches, lost_watches, timed_out}") { [unowned runtime] call in
            let cluster = try requireCluster(call, world)
            runtime.recordRead(via: "etcd.clients", verb: "list", AuditObject(kind: "etcd-clients"), findings: AuditFindings.zombieClients(cluster))
            try call.push(.table(LuaTable(array: cluster.clients.map(clientTable))))
            return 1
        }
        installProcessControl(into: runtime)
        EtcdctlCommand.install(into: runtime)
    }

    private static func installProcessControl(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.define("etcd.start", usage: "etcd.start(name [, peer_url])",
                       "start etcd as member name (after etcdctl \"member add\"), on the host its peer URL names, or restart a stopped member",
                       details: "etcd.start(\"etcd-4\")                         -- peer URL http://etcd-4:2380\netcd.start(\"extra\", \"http://node-1:2380\")   -- runs on node-1", mutates: true) { [unowned runtime] call in
            let cluster = try requireCluster(call, world)
            let name = try call.string(1), peerURL = try call.optionalString(2)
            let object = AuditObject(kind: "etcd-member", name: name, host: EtcdCluster.hostPart(of: peerURL ?? EtcdCluster.peerURL(host: name)))
            do {
                try cluster.startMember(named: name, peerURL: peerURL)
            } catch {
                runtime.recordAction(via: "etcd.start", verb: "start", object, outcome: .refused("\(error)"))
                return call.fail("\(error)")
            }
            runtime.recordAction(via: "etcd.start", verb: "start", object)
            call.push(boolean: true)
            return 1
        }
        runtime.define("etcd.stop", usage: "etcd.stop(name)", "stop member name's etcd process cleanly (systemctl stop etcd)",
                       mutates: true) { [unowned runtime] call in
            let cluster = try requireCluster(call, world)
            let name = try call.string(1)
            let object = AuditObject(kind: "etcd-member", name: name, host: cluster.member(named: name)?.host.name ?? "")
            do {
                try cluster.stopMember(named: name)
            } catch {
                runtime.recordAction(via: "etcd.stop", verb: "stop", object, outcome: .refused("\(error)"))
                return call.fail("\(error)")
            }
            runtime.recordAction(via: "etcd.stop", verb: "stop", object)
            call.push(boolean: true)
            return 1
        }
    }

    static func requireCluster(_ call: LuaCall, _ world: World) throws -> EtcdCluster {
        guard let cluster = world.component(EtcdCluster.self) else {
            throw call.error("this world has no etcd cluster (scenario \(LuaValue.quote(world.scenarioName))); try --scenario practice")
        }
        return cluster
    }

    /// Members in name order, numbers compared as numbers (etcd-2 before etcd-10).
    static func sortedMembers(_ cluster: EtcdCluster) -> [EtcdMemberInfo] {
        cluster.membership.sortedMembers.sorted { naturalOrder(displayName($0), displayName($1)) }
    }

    /// A member's name, or the host its peer URL names while it has not started.
    static func displayName(_ info: EtcdMemberInfo) -> String {
        info.isStarted ? info.name : EtcdCluster.hostPart(of: info.peerURLs.first ?? "")
    }

    static func naturalOrder(_ left: String, _ right: String) -> Bool {
        func split(_ text: String) -> (String, Int) {
            let digits = text.reversed().prefix { $0.isNumber }
            return (String(text.dropLast(digits.count)), Int(String(digits.reversed())) ?? -1)
        }
        let (leftStem, leftNumber) = split(left), (rightStem, rightNumber) = split(right)
        return leftStem != rightStem ? leftStem < rightStem : leftNumber < rightNumber
    }

    /// Healthy: its process runs on a host that is up, and it follows the cluster's leader (or is it).
    static func isHealthy(_ info: EtcdMemberInfo, cluster: EtcdCluster) -> Bool {
        guard let process = cluster.memberProcess(for: info.id), process.isRunning, process.host.isUp,
              let leader = cluster.leader else { return false }
        return process.knownLeader == leader.memberID
    }

    static func memberTable(_ info: EtcdMemberInfo, cluster: EtcdCluster, world: World) -> LuaValue {
        let process = cluster.memberProcess(for: info.id)
        let hostName = process?.host.name ?? EtcdCluster.hostPart(of: info.peerURLs.first ?? "")
        var table = LuaTable()
        table["id"] = .string(info.hexID)
        table["name"] = .string(info.name)
        table["host"] = .string(hostName)
        table["zone"] = .string(world.host(named: hostName)?.zone ?? "")
        table["leader"] = .boolean(cluster.leader?.memberID == info.id)
        table["healthy"] = .boolean(isHealthy(info, cluster: cluster))
        return .table(table)
    }

    static func health(_ cluster: EtcdCluster, world: World) -> LuaValue {
        let members = cluster.membership.sortedMembers
        let healthyCount = members.filter { isHealthy($0, cluster: cluster) }.count
        let quorum = members.count / 2 + 1
        let leader = cluster.leader
        var table = LuaTable()
        table["healthy"] = .boolean(leader != nil && healthyCount >= quorum)
        table["leader"] = leader.map { .string($0.memberName) } ?? .nil
        table["members"] = .integer(Int64(members.count))
        table["started"] = .integer(Int64(members.filter(\.isStarted).count))
        table["healthy_members"] = .integer(Int64(healthyCount))
        table["quorum"] = .integer(Int64(quorum))
        table["fault_tolerance"] = .integer(Int64(max(0, healthyCount - quorum)))
        table["term"] = .integer(Int64(leader?.term ?? 0))
        table["revision"] = .integer(leader?.state.store.revision ?? 0)
        return .table(table)
    }

    static func clientTable(_ client: EtcdClient) -> LuaValue {
        var table = LuaTable()
        table["owner"] = .string(client.owner.name)
        table["label"] = .string(client.label)
        table["version"] = .string(client.version.rawValue)
        table["pinned"] = client.pinnedEndpoint.map { .string($0) } ?? .nil
        table["zombie"] = .boolean(client.isPinnedConnectionZombie)
        table["pending"] = .integer(Int64(client.pendingCallCount))
        table["watches"] = .integer(Int64(client.openWatchCount))
        table["lost_watches"] = .integer(Int64(client.lostWatchCount))
        table["timed_out"] = .integer(Int64(client.timedOutCallCount))
        table["usable"] = .boolean(client.isUsable)
        return .table(table)
    }
}
