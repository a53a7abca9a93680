import Simulation

/// What one `etcdctl` command did, for the world's audit log: `member add` and `put` are deeds
/// with the outcome etcd gave (a write that ended in `context deadline exceeded` failed);
/// `member list` and `endpoint health` are looks. Lines etcdctl could not read reached nothing.
enum EtcdctlAudit {
    static func record(_ text: String, _ result: Result<String, EtcdctlFailure>, runtime: ScriptRuntime, startedAt: SimTime) {
        guard let line = try? EtcdctlCommandLine(text), let cluster = runtime.world.component(EtcdCluster.self) else { return }
        let words = line.words
        let argument = words.count > 1 ? words[1] : ""
        let outcome: AuditOutcome
        switch result {
        case .success: outcome = .done
        case .failure(let failure): outcome = .etcd(failure.message)
        }
        func act(_ verb: String, _ object: AuditObject) {
            runtime.recordAction(via: "etcdctl", verb: verb, object, outcome: outcome, startedAt: startedAt)
        }
        func look(_ verb: String, _ object: AuditObject, findings: [String] = []) {
            let failure = outcome.reason.map { ["error: " + $0] } ?? []
            runtime.recordRead(via: "etcdctl", verb: verb, object, findings: failure + findings)
        }
        switch (words.first ?? "", words.count > 1 ? words[1] : "") {
        case ("member", "list"):
            look("list", AuditObject(kind: "etcd-members"))
        case ("member", "add"):
            let peer = line.flags["peer-urls"].map(EtcdCluster.hostPart) ?? ""
            act("add", AuditObject(kind: "etcd-members", name: words.count > 2 ? words[2] : "", host: peer))
        case ("member", "remove"):
            act("remove", member(words.count > 2 ? words[2] : "", in: cluster))
        case ("endpoint", "status"), ("endpoint", "health"):
            let unhealthy = (try? result.get())?.split(separator: "\n").filter { $0.contains("unhealthy") }.map(String.init) ?? []
            look("get", AuditObject(kind: "etcd-health"), findings: unhealthy)
        case ("get", _): look("get", AuditObject(kind: "etcd-keys", name: argument))
        case ("put", _): act("put", AuditObject(kind: "etcd-keys", name: argument))
        case ("del", _): act("delete", AuditObject(kind: "etcd-keys", name: argument))
        case ("compact", _): act("compact", AuditObject(kind: "etcd", name: argument))
        case ("move-leader", _): act("move-leader", member(argument, in: cluster))
        default: break
        }
    }

    /// A member given by its hex id, named as etcd knows it where it can be.
    private static func member(_ hexID: String, in cluster: EtcdCluster) -> AuditObject {
        guard let id = MemberID(hexID, radix: 16), let process = cluster.memberProcess(for: id) else {
            return AuditObject(kind: "etcd-members", name: hexID)
        }
        return AuditObject(kind: "etcd-members", name: process.memberName, host: process.host.name)
    }
}
