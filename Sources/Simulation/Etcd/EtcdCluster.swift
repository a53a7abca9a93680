/// Something that wants to see inside a cluster as it runs: the safety checker in tests.
public protocol EtcdClusterObserver: AnyObject {
    func member(_ member: EtcdMember, becameLeaderIn term: UInt64)
    func member(_ member: EtcdMember, applied entry: LogEntry)
    func member(_ member: EtcdMember, loadedSnapshotAt index: UInt64, term: UInt64)
}

/// Operating errors when starting or placing members, with messages an operator can act on.
public enum EtcdClusterError: Error, Equatable, CustomStringConvertible {
    case unknownHost(String)
    /// No host named like the member, and no peer URL was given.
    case unknownHostForName(String)
    case hostDown(String)
    case notAMember(String)
    case alreadyRunning(String)
    case notRunning(String)
    case unknownMember(String)
    case removed(String)

    public var description: String {
        switch self {
        case .unknownHost(let host): "no host named \(host) to run etcd on"
        case .unknownHostForName(let name):
            "no host named \(name) to run etcd on; give its peer URL: etcd.start(\"\(name)\", \"http://HOST:2380\")"
        case .hostDown(let host): "host \(host) is down; restart it first"
        case .notAMember(let name):
            "\(name) is not a member of the cluster: add it first with etcdctl \"member add \(name) --peer-urls=http://\(name):2380\""
        case .alreadyRunning(let name): "etcd is already running as \(name)"
        case .notRunning(let name): "etcd is not running as \(name)"
        case .unknownMember(let name): "no etcd member named \(name); etcd.members() lists them"
        case .removed(let name): "member \(name) has already been removed from the cluster; add it again as a new member"
        }
    }
}

/// An etcd cluster in the world: its member processes (every one ever placed, running or not),
/// the way clients find them by URL, and omniscient views (leader, membership) for `etcd.*` in
/// Lua and for graders. The members themselves know only what Raft tells them.
public final class EtcdCluster: WorldComponent {
    public let componentName = "etcd"
    /// The cluster token (`--initial-cluster-token`), which seeds member ids.
    public let token: String
    public let clusterID: UInt64
    /// The configuration new members start with.
    public var memberConfiguration: EtcdMemberConfiguration
    /// Every etcd process placed in the world, in the order placed.
    public private(set) var processes: [EtcdMember] = []
    /// Where operators run `etcdctl` from: a process on its own host (a bastion).
    public private(set) var workstation: SimProcess
    public weak var observer: EtcdClusterObserver?
    /// The default observer: writes elections and membership changes to the members' journals.
    private var journalWriter: EtcdJournalWriter?
    private var processByMemberID: [MemberID: EtcdMember] = [:]
    private var clientRegistry: [WeakClient] = []
    private unowned let world: World

    private struct WeakClient { weak var client: EtcdClient? }

    /// The default ports: `http://HOST:2380` between peers, `http://HOST:2379` for clients.
    public static func peerURL(host: String) -> String { "http://\(host):2380" }
    public static func clientURL(host: String) -> String { "http://\(host):2379" }

    private init(world: World, token: String, clusterID: UInt64, configuration: EtcdMemberConfiguration, workstation: SimProcess) {
        self.world = world
        self.token = token
        self.clusterID = clusterID
        self.memberConfiguration = configuration
        self.workstation = workstation
    }

    /// Builds and starts a cluster with one member per host, each named after its host (the
    /// hosts must exist), and a workstation host for `etcdctl` (created in the first member's
    /// zone if the world has no host of that name). Scenarios call this: the practice cluster
    /// has three members, the bank's nine.
    @discardableResult
    public static func install(in world: World, hosts: [String], token: String = "etcd-cluster",
                               configuration: EtcdMemberConfiguration = EtcdMemberConfiguration(),
                               workstationHost: String = "bastion") -> EtcdCluster {
        precondition(!hosts.isEmpty, "an etcd cluster needs at least one member")
        precondition(world.component(EtcdCluster.self) == nil, "the world already has an etcd cluster")
        let members = hosts.map { host in
            EtcdMemberInfo(id: memberID(token: token, peerURLs: [peerURL(host: host)], salt: ""), name: host,
                           peerURLs: [peerURL(host: host)], clientURLs: [clientURL(host: host)])
        }
        let firstZone = world.host(named: hosts[0])!.zone
        let workstationHostObject = world.host(named: workstationHost) ?? world.addHost(workstationHost, zone: firstZone)
        let workstation = EtcdWorkstation(name: "etcdctl", host: workstationHostObject)
        world.add(workstation)
        world.start(workstation)
        var idHasher = StableHasher()
        idHasher.combine(members.map(\.id).sorted())
        let cluster = EtcdCluster(world: world, token: token, clusterID: idHasher.finalize(), configuration: configuration,
                                  workstation: workstation)
        world.install(cluster)
        cluster.journalWriter = EtcdJournalWriter(cluster: cluster)
        cluster.observer = cluster.journalWriter
        let disk = WriteAheadLog.bootstrap(members: members)
        for (member, hostName) in zip(members, hosts) {
            guard let host = world.host(named: hostName) else { preconditionFailure("no host \(hostName) for etcd") }
            let process = cluster.place(member.id, name: hostName, on: host, disk: disk)
            world.start(process)
        }
        return cluster
    }

    // MARK: Finding members

    /// The process that currently carries a member id.
    public func memberProcess(for id: MemberID) -> EtcdMember? { processByMemberID[id] }

    /// The latest process running (or placed) under a member name.
    public func member(named name: String) -> EtcdMember? { processes.last { $0.memberName == name } }

    /// The member process serving a client URL (`http://etcd-1:2379`, or just `etcd-1:2379`).
    public func resolve(_ endpoint: String) -> EtcdMember? {
        let url = EtcdCluster.normalized(endpoint)
        return processes.last { $0.clientURL == url }
    }

    static func normalized(_ endpoint: String) -> String {
        endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") ? endpoint : "http://" + endpoint
    }

    /// The leader as an omniscient observer sees it: a running member that leads in the highest
    /// term (a deposed leader that has not noticed yet is not it).
    public var leader: EtcdMember? {
        processes.filter { $0.isRunning && $0.isLeader }.max { $0.term < $1.term }
    }

    /// The membership as the most advanced running member has applied it (the last one known
    /// when none runs).
    public var membership: ClusterMembership {
        let running = processes.filter(\.isRunning)
        if let best = running.max(by: { $0.appliedIndex < $1.appliedIndex }) { return best.state.membership }
        return processes.compactMap { $0.disk.snapshot?.state.membership }.last ?? ClusterMembership()
    }

    /// The client URLs of the current members that have started: what an apiserver's
    /// `--etcd-servers` should list.
    public var clientURLs: [String] { membership.sortedMembers.flatMap(\.clientURLs) }

    /// A fresh member id for `member add`, from the peer URLs and the time, as etcd does.
    func newMemberID(peerURLs: [String]) -> MemberID {
        EtcdCluster.memberID(token: token, peerURLs: peerURLs, salt: String(world.now))
    }

    private static func memberID(token: String, peerURLs: [String], salt: String) -> MemberID {
        var hasher = StableHasher()
        hasher.combine(token)
        hasher.combine(peerURLs.sorted())
        hasher.combine(salt)
        return hasher.finalize()
    }

    // MARK: Placing and starting members

    private func place(_ id: MemberID, name: String, on host: Host, disk: WriteAheadLog) -> EtcdMember {
        let processName = world.process(named: name) == nil ? name : "\(name)-\(String(id, radix: 16).prefix(8))"
        let member = EtcdMember(memberID: id, memberName: name, processName: processName, host: host,
                                peerURL: EtcdCluster.peerURL(host: host.name), clientURL: EtcdCluster.clientURL(host: host.name),
                                configuration: memberConfiguration, disk: disk, cluster: self)
        world.add(member)
        processes.append(member)
        processByMemberID[id] = member
        return member
    }

    /// Starts etcd as member `name` on the host its peer URL names (`http://NAME:2380` unless
    /// told otherwise), the way an operator runs `etcd --name NAME --initial-cluster-state
    /// existing` after `member add`. A member stopped earlier starts again with its disk.
    @discardableResult
    public func startMember(named name: String, peerURL: String? = nil) throws(EtcdClusterError) -> EtcdMember {
        let url = EtcdCluster.normalized(peerURL ?? EtcdCluster.peerURL(host: name))
        let hostName = EtcdCluster.hostPart(of: url)
        if let existing = member(named: name), existing.peerURL == url, !membership.isRemoved(existing.memberID) {
            guard !existing.isRunning else { throw .alreadyRunning(existing.name) }
            guard existing.host.isUp else { throw .hostDown(existing.host.name) }
            world.start(existing)
            return existing
        }
        guard let host = world.host(named: hostName) else {
            throw peerURL == nil ? .unknownHostForName(name) : .unknownHost(hostName)
        }
        guard host.isUp else { throw .hostDown(hostName) }
        let current = membership
        guard let added = current.sortedMembers.first(where: { $0.peerURLs.contains(url) }) else {
            if let gone = processes.last(where: { $0.memberName == name }), current.isRemoved(gone.memberID) {
                throw .removed(name)
            }
            throw .notAMember(name)
        }
        if let running = processByMemberID[added.id], running.isRunning { throw .alreadyRunning(running.name) }
        let member = place(added.id, name: name, on: host, disk: WriteAheadLog())
        world.start(member)
        return member
    }

    /// Stops a member's etcd process cleanly (`systemctl stop etcd`).
    public func stopMember(named name: String) throws(EtcdClusterError) {
        guard let member = member(named: name) else { throw .unknownMember(name) }
        guard member.isRunning else { throw .notRunning(name) }
        world.stop(member, graceful: true)
    }

    /// The host a URL names: `http://etcd-4:2380` → `etcd-4`.
    public static func hostPart(of url: String) -> String {
        var rest = Substring(url)
        for scheme in ["http://", "https://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        return String(rest.prefix { $0 != ":" && $0 != "/" })
    }

    // MARK: Clients

    func register(_ client: EtcdClient) {
        clientRegistry.removeAll { $0.client == nil }
        clientRegistry.append(WeakClient(client: client))
    }

    /// Every client still open, in the order created: for graders and `etcd.clients()`.
    public var clients: [EtcdClient] { clientRegistry.compactMap(\.client).filter { !$0.isClosed } }

    // MARK: Digest

    public func stableHash(into hasher: inout StableHasher) {
        hasher.combine(token)
        hasher.combine(processes.count)
        for process in processes { hasher.combine(process.name); hasher.combine(process.memberID) }
        for client in clients { client.stableHash(into: &hasher) }
    }
}

/// The operator's workstation process: where `etcdctl` runs, so that its requests cross the
/// network like anyone else's (a partition can cut the operator off too).
final class EtcdWorkstation: SimProcess {}
