/// An operator's automation for changing a cluster one member at a time, run from the cluster's
/// workstation through a 3.3 client as `etcdctl` would be: what a scenario replays to get a
/// cluster into the state a real resize left it in (the bank's 3→9 resize two weeks before the
/// Monzo outage), and what tests drive.
///
/// Steps run in order; a step etcd refuses (not enough started members, unhealthy cluster) is
/// tried again a little later, as an operator would.
public final class EtcdRunbook {
    public enum Step: Sendable, Equatable {
        /// `member add` a member named after `host`, start etcd there, and wait until it has
        /// caught up with the leader.
        case addMember(host: String)
        /// `member remove` the member named `name`; etcd stops it once it learns.
        case removeMember(name: String)
        /// The machine is decommissioned: powered off for good, telling no one (no teardown
        /// leaves it for the clients still connected).
        case terminateInstance(host: String)
        case wait(SimTime)
    }

    public let steps: [Step]
    /// What happened, one line per step: `00:01:02 member add etcd-4: ok`.
    public private(set) var journal: [String] = []
    public private(set) var isFinished = false
    private let cluster: EtcdCluster
    private let client: EtcdClient
    private unowned let world: World
    private var position = 0
    private let completion: (() -> Void)?

    /// Starts running `steps` now.
    public init(cluster: EtcdCluster, steps: [Step], completion: (() -> Void)? = nil) {
        self.cluster = cluster
        self.steps = steps
        self.world = cluster.workstation.world
        self.completion = completion
        client = EtcdClient(owner: cluster.workstation, discoveringMembersWith: .v3_3, label: "runbook")
        world.schedule(after: 0) { [self] in runCurrentStep() }
    }

    /// Monzo's resize: the cluster grows from one member per zone to three, on new instances
    /// running the new version; each zone's old member is replaced by the first new one there
    /// (added, then the old one removed and its instance terminated), then the zone's other two
    /// are added. One membership change at a time throughout.
    ///
    /// By default the automation terminates an old instance as soon as `member remove` returns,
    /// inside the second a removed member keeps running. The terminate shuts the instance down
    /// cleanly (every client is sent a teardown) or its network vanishes first (every client
    /// keeps a connection that looks open and never answers): `World.terminate` draws which.
    /// Given a few seconds' delay, the member exits by itself and every teardown lands first.
    public static func replaceAndGrow(oldHosts: [String], newHostsByZone: [[String]],
                                      terminationDelay: SimTime = 0) -> [Step] {
        precondition(oldHosts.count == newHostsByZone.count, "one old member per zone")
        var steps: [Step] = []
        for (old, newHosts) in zip(oldHosts, newHostsByZone) {
            guard let first = newHosts.first else { continue }
            steps.append(.addMember(host: first))
            steps.append(.removeMember(name: old))
            if terminationDelay > 0 { steps.append(.wait(terminationDelay)) }
            steps.append(.terminateInstance(host: old))
            for host in newHosts.dropFirst() { steps.append(.addMember(host: host)) }
        }
        return steps
    }

    private func note(_ text: String) {
        journal.append("\(world.calendarNow.clock) \(text)")
    }

    private func runCurrentStep() {
        guard position < steps.count else {
            isFinished = true
            client.close()
            completion?()
            return
        }
        switch steps[position] {
        case .addMember(let host): addMember(host)
        case .removeMember(let name): removeMember(name)
        case .terminateInstance(let host):
            let clean = world.host(named: host).map { world.terminate($0) } ?? false
            note("terminate instance \(host): ok (\(clean ? "clean shutdown" : "network gone before etcd exited"))")
            advance()
        case .wait(let span):
            world.schedule(after: span) { [self] in advance() }
        }
    }

    private func advance(after delay: SimTime = 0) {
        world.schedule(after: delay) { [self] in
            position += 1
            runCurrentStep()
        }
    }

    private func retry(_ reason: String) {
        note("\(describe(steps[position])): \(reason); retrying")
        world.schedule(after: Span.seconds(5)) { [self] in runCurrentStep() }
    }

    private func describe(_ step: Step) -> String {
        switch step {
        case .addMember(let host): "member add \(host)"
        case .removeMember(let name): "member remove \(name)"
        case .terminateInstance(let host): "terminate instance \(host)"
        case .wait(let span): "wait \(Span.describe(span))"
        }
    }

    private func addMember(_ host: String) {
        client.memberAdd(peerURLs: [EtcdCluster.peerURL(host: host)]) { [self] result in
            switch result {
            case .failure(let error): retry("\(error)")
            case .success:
                do {
                    let member = try cluster.startMember(named: host)
                    note("member add \(host): ok")
                    awaitCatchUp(of: member)
                } catch {
                    retry("\(error)")
                }
            }
        }
    }

    /// Waits until the new member has applied what the leader had committed when it started.
    private func awaitCatchUp(of member: EtcdMember, target: UInt64? = nil) {
        let goal = target ?? cluster.leader?.commitIndex ?? 0
        if member.isRunning && member.appliedIndex >= goal && member.knownLeader != 0 {
            note("\(member.memberName) caught up at index \(member.appliedIndex)")
            return advance()
        }
        world.schedule(after: Span.milliseconds(500)) { [self] in awaitCatchUp(of: member, target: goal) }
    }

    private func removeMember(_ name: String) {
        guard let id = cluster.membership.sortedMembers.first(where: { $0.name == name })?.id else {
            note("member remove \(name): not a member")
            return advance()
        }
        client.memberRemove(id) { [self] result in
            switch result {
            case .failure(let error): retry("\(error)")
            case .success:
                note("member remove \(name): ok")
                advance()
            }
        }
    }
}
