/// A member's disk: the write-ahead log (hard state and entries) and the latest snapshot. It
/// survives a crash; everything else a member holds does not. Writes land here only when the
/// member's disk sync completes, so entries still in flight are lost with a crash, as they are
/// on a real machine.
public struct WriteAheadLog: Sendable {
    public private(set) var hardState = HardState()
    public private(set) var snapshot: RaftSnapshot?
    /// The last entry compacted away; `entries` start right after it.
    public private(set) var compactedIndex: UInt64 = 0
    public private(set) var compactedTerm: UInt64 = 0
    public private(set) var entries: [LogEntry] = []
    /// Syncs completed, for `endpoint status`-style figures and tests.
    public private(set) var syncCount = 0

    public init() {}

    public var lastIndex: UInt64 { compactedIndex + UInt64(entries.count) }
    public var isEmpty: Bool { entries.isEmpty && snapshot == nil && hardState == HardState() }

    /// Writes one ready's worth: a received snapshot first (it replaces the log), then entries
    /// (each replacing whatever the log held from its index on), then the hard state.
    mutating func write(hardState newHardState: HardState?, entries newEntries: [LogEntry], snapshot newSnapshot: RaftSnapshot?, synced: Bool) {
        if let newSnapshot { save(received: newSnapshot) }
        if let first = newEntries.first {
            precondition(first.index > compactedIndex && first.index <= lastIndex + 1, "WAL write leaves a gap at \(first.index)")
            entries.removeLast(Int(lastIndex - (first.index - 1)))
            entries.append(contentsOf: newEntries)
        }
        if let newHardState { hardState = newHardState }
        if synced { syncCount += 1 }
    }

    private mutating func save(received newSnapshot: RaftSnapshot) {
        snapshot = newSnapshot
        compactedIndex = newSnapshot.index
        compactedTerm = newSnapshot.term
        entries = []
        hardState.commit = max(hardState.commit, newSnapshot.index)
    }

    /// The member took a snapshot of its own; drop entries before `keepFrom`.
    mutating func compact(with newSnapshot: RaftSnapshot, keepingFrom keepFrom: UInt64) {
        snapshot = newSnapshot
        let dropThrough = min(keepFrom > 0 ? keepFrom - 1 : 0, newSnapshot.index)
        guard dropThrough > compactedIndex, dropThrough <= lastIndex else { return }
        compactedTerm = entries[Int(dropThrough - compactedIndex - 1)].term
        entries.removeFirst(Int(dropThrough - compactedIndex))
        compactedIndex = dropThrough
    }

    /// A new member's disk, or a bootstrap member's: the initial membership as committed entries.
    static func bootstrap(members: [EtcdMemberInfo]) -> WriteAheadLog {
        var log = WriteAheadLog()
        for (offset, member) in members.enumerated() {
            let change = ConfigurationChange(kind: .addMember, memberID: member.id, peerURLs: member.peerURLs)
            log.entries.append(LogEntry(term: 1, index: UInt64(offset + 1), payload: .configurationChange(change)))
        }
        log.hardState = HardState(term: 1, vote: 0, commit: UInt64(members.count))
        return log
    }

    /// The log Raft starts from after a restart.
    var raftLog: RaftLog {
        RaftLog(snapshot: snapshot, compactedIndex: compactedIndex, compactedTerm: compactedTerm,
                entries: entries, commit: hardState.commit)
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(hardState.term); hasher.combine(hardState.vote); hasher.combine(hardState.commit)
        hasher.combine(snapshot?.index ?? 0)
        hasher.combine(compactedIndex)
        hasher.combine(lastIndex)
        hasher.combine(entries.last?.term ?? compactedTerm)
    }
}
