/// An etcd member as the systemd unit it runs as on its host, and what it writes to the journal:
/// its start, elections, membership changes and its own removal, in the words etcd 3.2 used
/// (under journald, etcd drops its timestamp and package prefix).
extension EtcdMember: SystemdService {
    public var unitName: String { "etcd" }
    public var unitDescription: String { "etcd" }

    public var commandLine: String {
        "/usr/local/bin/etcd --name \(memberName) --data-dir /var/lib/etcd --listen-client-urls http://0.0.0.0:2379"
            + " --advertise-client-urls \(clientURL) --listen-peer-urls http://0.0.0.0:2380 --initial-advertise-peer-urls \(peerURL)"
    }

    public func journalAfterStart() -> [String] {
        [
            "etcd Version: \(configuration.version)",
            "Go OS/Arch: linux/amd64",
            "setting maximum number of CPUs to 2, total number of available CPUs is 2",
            "listening for peers on http://0.0.0.0:2380",
            "listening for client requests on 0.0.0.0:2379",
            "name = \(memberName)",
            "data dir = /var/lib/etcd",
            "starting member \(hexID) in cluster \(String(cluster.clusterID, radix: 16))",
            "\(hexID) became follower at term \(term)",
            "ready to serve client requests",
            "serving insecure client requests on [::]:2379, this is strongly discouraged!",
        ]
    }

    public func journalBeforeStop() -> [String] {
        guard wasRemoved else { return ["received terminated signal, shutting down..."] }
        return ["the member has been permanently removed from the cluster",
                "the data-dir used by this member must be removed."]
    }

    public var isExitingByItself: Bool { wasRemoved }

    func journal(_ message: String) {
        world.journal(self, unit: unitName, identifier: unitName, message)
    }
}

/// Writes what every member would log about elections and membership changes, as the cluster's
/// observer (tests that watch the cluster themselves replace it).
final class EtcdJournalWriter: EtcdClusterObserver {
    unowned(unsafe) let cluster: EtcdCluster

    init(cluster: EtcdCluster) { self.cluster = cluster }

    func member(_ member: EtcdMember, becameLeaderIn term: UInt64) {
        member.journal("\(member.hexID) became leader at term \(term)")
        for peer in cluster.processes where peer.isRunning {
            peer.journal("raft.node: \(peer.hexID) elected leader \(member.hexID) at term \(term)")
        }
    }

    func member(_ member: EtcdMember, applied entry: LogEntry) {
        guard case .configurationChange(let change) = entry.payload, change.identifier != 0 else { return }
        let clusterID = String(cluster.clusterID, radix: 16)
        let memberID = String(change.memberID, radix: 16)
        switch change.kind {
        case .addMember:
            member.journal("added member \(memberID) [\(change.peerURLs.joined(separator: " "))] to cluster \(clusterID)")
        case .removeMember:
            member.journal("removed member \(memberID) from cluster \(clusterID)")
        }
    }

    func member(_ member: EtcdMember, loadedSnapshotAt index: UInt64, term: UInt64) {
        member.journal("applied incoming snapshot at index \(index)")
    }
}
