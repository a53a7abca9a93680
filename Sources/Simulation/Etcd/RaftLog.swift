/// A Raft member's log as Raft sees it: a snapshot, the entries after it, how far they are
/// committed and applied, and how far they are known to be on disk. Entries past `stableIndex`
/// live only in memory until the member's write-ahead log has synced them.
///
/// A class, owned by one `RaftNode` and never shared: as a struct stored in the node, every call
/// of one of its methods from the node copied it first (retaining its entries and both
/// snapshots), because the compiler cannot prove the call leaves the node alone.
final class RaftLog {
    /// The latest snapshot of the applied state; what a follower gets when it needs entries
    /// that were compacted away. It may be newer than the compaction point, since etcd keeps
    /// some entries after a snapshot for followers that are only a little behind.
    private(set) var snapshot: RaftSnapshot?
    /// The last entry compacted away (index and term); the log's entries start right after it.
    private(set) var compactedIndex: UInt64 = 0
    private(set) var compactedTerm: UInt64 = 0
    /// `entries[i].index == compactedIndex + 1 + i`.
    private(set) var entries: [LogEntry] = []
    private(set) var committed: UInt64 = 0
    /// The last index the state machine has applied (or has been handed to apply).
    private(set) var applied: UInt64 = 0
    /// The last index known to be on disk.
    private(set) var stableIndex: UInt64 = 0
    /// The last index handed out for persisting and not yet confirmed.
    private(set) var handedOutIndex: UInt64 = 0
    /// A snapshot received from the leader that the member has yet to persist and apply.
    private(set) var pendingSnapshot: RaftSnapshot?

    init() {}

    /// The log as found on disk after a restart: everything in it is stable.
    init(snapshot: RaftSnapshot?, compactedIndex: UInt64, compactedTerm: UInt64, entries: [LogEntry], commit: UInt64) {
        self.snapshot = snapshot
        self.compactedIndex = compactedIndex
        self.compactedTerm = compactedTerm
        precondition(entries.first.map { $0.index == compactedIndex + 1 } ?? true, "log does not follow its compaction point")
        self.entries = entries
        stableIndex = lastIndex
        handedOutIndex = lastIndex
        let snapshotIndex = snapshot?.index ?? 0
        committed = min(max(commit, snapshotIndex, compactedIndex), lastIndex)
        // The state machine restarts from the snapshot; committed entries after it are replayed.
        applied = snapshotIndex
    }

    var firstIndex: UInt64 { compactedIndex + 1 }
    var lastIndex: UInt64 { compactedIndex + UInt64(entries.count) }
    var lastTerm: UInt64 { entries.last?.term ?? compactedTerm }

    /// The term of the entry at `index`, or nil if it is compacted away or not there yet.
    func term(at index: UInt64) -> UInt64? {
        if index == compactedIndex { return compactedTerm }
        guard index > compactedIndex, index <= lastIndex else { return nil }
        return entries[Int(index - compactedIndex - 1)].term
    }

    func entry(at index: UInt64) -> LogEntry? {
        guard index > compactedIndex, index <= lastIndex else { return nil }
        return entries[Int(index - compactedIndex - 1)]
    }

    func matchesTerm(_ index: UInt64, _ term: UInt64) -> Bool { self.term(at: index) == term }

    /// Raft's voting rule: a candidate's log is at least as up to date as ours.
    func isUpToDate(lastIndex candidateIndex: UInt64, lastTerm candidateTerm: UInt64) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    /// Entries from `index` on, at most `maximumCount`; nil if `index` is compacted away.
    func entries(from index: UInt64, maximumCount: Int) -> [LogEntry]? {
        guard index > compactedIndex else { return nil }
        guard index <= lastIndex else { return [] }
        let start = Int(index - compactedIndex - 1)
        let end = min(entries.count, start + maximumCount)
        return Array(entries[start..<end])
    }

    // MARK: Appending

    /// Appends new entries (a leader's own proposals).
    func append(_ newEntries: [LogEntry]) {
        guard let first = newEntries.first else { return }
        precondition(first.index == lastIndex + 1, "append leaves a gap at \(first.index)")
        entries.append(contentsOf: newEntries)
    }

    /// A follower's append: if our entry at `index` has `logTerm`, keep what agrees, replace
    /// what conflicts, and return the last index the leader sent. Nil if the logs do not match
    /// there, in which case the leader must go further back.
    func maybeAppend(index: UInt64, logTerm: UInt64, leaderCommit: UInt64, _ received: [LogEntry]) -> UInt64? {
        guard matchesTerm(index, logTerm) else { return nil }
        let lastNew = index + UInt64(received.count)
        if let conflict = firstConflict(in: received) {
            precondition(conflict > committed, "entry \(conflict) conflicts with a committed entry")
            truncate(after: conflict - 1)
            append(Array(received[Int(conflict - index - 1)...]))
        }
        commit(to: min(leaderCommit, lastNew))
        return lastNew
    }

    /// The index of the first received entry that we lack or hold with another term.
    private func firstConflict(in received: [LogEntry]) -> UInt64? {
        for entry in received where !matchesTerm(entry.index, entry.term) {
            if entry.index <= compactedIndex { continue }
            return entry.index
        }
        return nil
    }

    private func truncate(after index: UInt64) {
        guard index < lastIndex else { return }
        entries.removeLast(Int(lastIndex - index))
        stableIndex = min(stableIndex, index)
        handedOutIndex = min(handedOutIndex, index)
    }

    // MARK: Commit and apply

    func commit(to index: UInt64) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "commit \(index) beyond the last index \(lastIndex)")
        committed = index
    }

    /// A leader commits only entries of its own term by counting replicas (Raft §5.4.2).
    func maybeCommit(_ index: UInt64, term: UInt64) -> Bool {
        guard index > committed, self.term(at: index) == term else { return false }
        commit(to: index)
        return true
    }

    /// Committed entries on disk that the state machine has not been handed yet.
    var hasEntriesToApply: Bool { pendingSnapshot == nil && min(committed, stableIndex) > applied }

    func takeEntriesToApply() -> [LogEntry] {
        guard pendingSnapshot == nil else { return [] }
        let through = min(committed, stableIndex)
        guard through > applied, let slice = entries(from: applied + 1, maximumCount: Int(through - applied)) else { return [] }
        applied = through
        return slice
    }

    // MARK: Persistence

    var hasEntriesToPersist: Bool { lastIndex > handedOutIndex }

    /// Entries not yet handed to the write-ahead log.
    func takeEntriesToPersist() -> [LogEntry] {
        guard lastIndex > handedOutIndex else { return [] }
        let slice = Array(entries[Int(handedOutIndex - compactedIndex)...])
        handedOutIndex = lastIndex
        return slice
    }

    /// The write-ahead log holds everything through `index` with `term`: it is stable, unless
    /// the entry was replaced meanwhile by a newer leader's.
    func persisted(through index: UInt64, term: UInt64) {
        guard index > stableIndex, matchesTerm(index, term) else { return }
        stableIndex = index
    }

    // MARK: Snapshots

    /// A snapshot from the leader. Returns false if we already have everything it holds.
    func restore(_ incoming: RaftSnapshot) -> Bool {
        guard incoming.index > committed else { return false }
        if matchesTerm(incoming.index, incoming.term) {
            // We hold its last entry: keep the log, just fast-forward the commit.
            commit(to: incoming.index)
            return false
        }
        snapshot = incoming
        compactedIndex = incoming.index
        compactedTerm = incoming.term
        entries = []
        committed = incoming.index
        stableIndex = incoming.index
        handedOutIndex = incoming.index
        pendingSnapshot = incoming
        return true
    }

    /// Hands out a received snapshot once, for the member to persist and load.
    func takePendingSnapshot() -> RaftSnapshot? {
        defer { pendingSnapshot = nil }
        if let pendingSnapshot { applied = pendingSnapshot.index }
        return pendingSnapshot
    }

    /// The member took a snapshot at `index` (applied): entries before `keepFrom` may go.
    func compact(with newSnapshot: RaftSnapshot, keepingFrom keepFrom: UInt64) {
        precondition(newSnapshot.index <= applied, "snapshot of unapplied state")
        let dropThrough = min(keepFrom > 0 ? keepFrom - 1 : 0, newSnapshot.index)
        snapshot = newSnapshot
        if dropThrough > compactedIndex, let dropTerm = term(at: dropThrough) {
            entries.removeFirst(Int(dropThrough - compactedIndex))
            compactedIndex = dropThrough
            compactedTerm = dropTerm
        }
    }
}
