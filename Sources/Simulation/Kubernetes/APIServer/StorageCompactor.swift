/// The apiserver's etcd compactor (Kubernetes 1.6, `pkg/storage/etcd3/compact.go`): every
/// `--etcd-compaction-interval` it compacts etcd's history up to the revision it saw one interval
/// earlier, so etcd keeps about one interval of history. That is where a watch resuming from an
/// older revision gets "required revision has been compacted", and the apiserver's cache relists.
///
/// Several apiservers share the work through a compare-and-swap on `compact_rev_key`: its
/// version is a logical clock. An apiserver whose local clock matches bumps it (storing the
/// revision it will compact to next time) and compacts; one that lost the race adopts the
/// remote clock and tries again an interval later. So in steady state one apiserver compacts
/// per interval, and if it dies another takes over within two.
final class StorageCompactor {
    static let key = "compact_rev_key"
    private unowned let server: APIServer
    private let client: KeyValueClient
    private let interval: SimTime
    /// The version of `compact_rev_key` this apiserver believes current.
    private var compactTime: Int64 = 0
    /// The revision seen at the last round: what the next successful round compacts to.
    private var revision: Int64 = 0
    private(set) var compactionCount = 0
    /// When this compactor last compacted, if it has.
    private(set) var lastCompactionTime: SimTime?

    init(server: APIServer, client: KeyValueClient, interval: SimTime) {
        (self.server, self.client, self.interval) = (server, client, interval)
    }

    /// Starts the loop; the first round comes one interval from now, as in Kubernetes.
    func start() { server.after(interval) { [weak self] in self?.round() } }

    private func round() {
        let claim = TxnRequest(compares: [Compare(key: StorageCompactor.key, .equal, .version(compactTime))],
                               success: [.put(StorageCompactor.key, String(revision))],
                               failure: [.range(RangeRequest(range: .key(StorageCompactor.key)))])
        client.txn(claim) { [weak self] result in
            guard let self, self.server.isRunning else { return }
            switch result {
            case .failure(let error):
                self.server.log(.error, "compact.go:124] etcd: endpoint \(self.endpoints) compact failed: \(error)")
                self.scheduleNextRound()
            case .success(let response):
                self.claimed(response)
            }
        }
    }

    private func claimed(_ response: TxnResponse) {
        let target = revision
        revision = response.header.revision
        guard response.succeeded else {
            if case .range(let current)? = response.responses.first, let stored = current.keyValues.first {
                compactTime = stored.version
            }
            return scheduleNextRound()
        }
        compactTime += 1
        // The first round only starts the clock: there is nothing an interval old to drop yet.
        guard target > 0, let etcd = client as? EtcdClient else { return scheduleNextRound() }
        etcd.compact(target) { [weak self] result in
            guard let self, self.server.isRunning else { return }
            switch result {
            case .success:
                self.compactionCount += 1
                self.lastCompactionTime = self.server.world.now
                self.server.log(.info, "compact.go:159] etcd: compacted rev (\(target)), endpoints \(self.endpoints)")
            case .failure(let error):
                self.server.log(.error, "compact.go:124] etcd: endpoint \(self.endpoints) compact failed: \(error)")
            }
            self.scheduleNextRound()
        }
    }

    /// The calendar skips `span` of a platform at rest: this compactor, the one compacting,
    /// would have gone on every interval, compacting to the revision it last saw (nothing else
    /// was written). Its log says so, as many of the last rounds as its log keeps lines.
    func logRoundsDuringSkip(_ span: SimTime) {
        guard let last = lastCompactionTime, interval > 0 else { return }
        let world: World = server.world
        let now = world.wallMicroseconds
        let end = now + span
        var round = now - (world.now - last) + interval
        if round <= now { round += ((now - round) / interval + 1) * interval }
        let earliest = end - interval * SimTime(server.cluster.logs.lineLimitPerStream)
        if round < earliest { round += ((earliest - round) / interval + 1) * interval }
        while round <= end {
            server.logAt(round, .info, "compact.go:159] etcd: compacted rev (\(revision)), endpoints \(endpoints)")
            round += interval
        }
    }

    private func scheduleNextRound() { server.after(interval) { [weak self] in self?.round() } }

    /// The client's endpoints as Go prints a list: `[http://etcd-1:2379 http://etcd-2:2379]`.
    private var endpoints: String { "[" + ((client as? EtcdClient)?.endpoints ?? []).joined(separator: " ") + "]" }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(compactTime)
        hasher.combine(revision)
        hasher.combine(compactionCount)
    }
}
