/// etcd's multi-version key-value store: every write gets the next global revision, every key
/// keeps its history until compaction, reads can ask for any revision still kept, and watches
/// replay the events from a revision on. A value type, so a copy is a snapshot (what a Raft
/// snapshot ships to a member that fell behind).
///
/// Revisions start at 1, as in etcd: an empty store is at revision 1 and the first write makes 2.
///
/// Each kept key has a number, and its versions live at that index of `histories`: a write
/// hashes its key once, and compaction, which walks every event since the last one, works on
/// numbers alone (it used to insert each event's key into a `Set<String>`, 138k of them in the
/// bank's first compaction).
public struct MVCCStore: Equatable, Sendable {
    /// One version of a key: its value, or a tombstone (`keyValue == nil`) at a deletion.
    struct Version: Equatable, Sendable {
        let revision: Int64
        let keyValue: KeyValue?
    }

    public private(set) var revision: Int64 = 1
    /// Reads below this revision and watches from below it fail with "compacted".
    public private(set) var compactedRevision: Int64 = 0
    /// Every key with a version still kept, sorted, for range reads.
    private var orderedKeys: [String] = []
    /// Each kept key's number: where its versions are in `histories`.
    private var keyNumbers: [String: Int32] = [:]
    /// Versions by key number, oldest first; empty for a number no key holds.
    private var histories: [[Version]] = []
    /// The key each number was last given to.
    private var keyNames: [String] = []
    /// Numbers whose key compaction removed, to give to the next new keys.
    private var freeNumbers: [Int32] = []
    /// Every change since the compacted revision, in revision order, for watches.
    private var events: [WatchEvent] = []
    /// The number of each event's key when it was written, for compaction (a number freed since
    /// may have gone to another key: compacting that one as well is harmless).
    private var eventKeyNumbers: [Int32] = []
    /// Bytes written since the store was created: etcd's database file grows with every
    /// revision and does not shrink on compaction (only a defragmentation would), so this is
    /// what `endpoint status` reports as its size, above an empty database's.
    public private(set) var writtenBytes = 0
    /// The size `etcdctl endpoint status` shows: an empty bolt database is about 20 kB.
    public var databaseSizeBytes: Int { 20_480 + writtenBytes }
    /// Most operations one transaction may hold (etcd's `--max-txn-ops` default).
    public static let maximumOperationsPerTransaction = 128
    /// Bytes of keys and values the kept history holds, as `write`, `tombstone` and compaction
    /// account them: what the quota below bounds.
    public private(set) var storedBytes = 0
    /// The backend quota: once the kept history would pass it, writes fail with etcd's "database
    /// space exceeded" until compaction frees room. Real etcd defaults to 2 GiB of database; a
    /// simulated member keeps its history in the host's memory, so it stops far earlier, where
    /// no platform's own writes reach between the apiservers' five-minute compactions.
    public static let defaultQuotaBytes = 256 << 20
    public var quotaBytes = MVCCStore.defaultQuotaBytes

    public init() {}

    // MARK: Reads

    /// The latest value of a key, if it exists.
    public func value(of key: String) -> KeyValue? { versions(of: key).last?.keyValue }

    /// Room the watch-event log has, for tests that check compaction gives it back.
    var eventLogCapacity: Int { events.capacity }

    public var keyCount: Int { histories.reduce(0) { $0 + ($1.last?.keyValue == nil ? 0 : 1) } }

    /// A kept key's versions, oldest first (none for a key not kept).
    private func versions(of key: String) -> [Version] {
        guard let number = keyNumbers[key] else { return [] }
        return histories[Int(number)]
    }

    public func range(_ request: RangeRequest) throws(EtcdError) -> RangeResponse {
        let readRevision = request.revision > 0 ? request.revision : revision
        if readRevision > revision { throw .futureRevision }
        if readRevision < compactedRevision { throw .compacted(compactRevision: compactedRevision) }
        var found: [KeyValue] = []
        var count = 0
        for key in keys(in: request.range) {
            guard let keyValue = self.keyValue(key, at: readRevision) else { continue }
            count += 1
            if !request.countOnly && (request.limit == 0 || found.count < request.limit) { found.append(keyValue) }
        }
        return RangeResponse(header: ResponseHeader(revision: revision), keyValues: found, count: count,
                             more: request.limit > 0 && count > request.limit)
    }

    /// The changes in `range` from `startRevision` on, in order.
    public func events(in range: KeyRange, from startRevision: Int64) throws(EtcdError) -> [WatchEvent] {
        if startRevision < compactedRevision { throw .compacted(compactRevision: compactedRevision) }
        let first = firstEventIndex(atOrAfter: startRevision)
        return events[first...].filter { range.contains($0.keyValue.key) }
    }

    private func keyValue(_ key: String, at readRevision: Int64) -> KeyValue? {
        guard let number = keyNumbers[key] else { return nil }
        let versions = histories[Int(number)]
        // Versions are in revision order; find the last one at or before the read revision.
        var low = 0, high = versions.count
        while low < high {
            let middle = (low + high) / 2
            if versions[middle].revision <= readRevision { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : versions[low - 1].keyValue
    }

    private func keys(in range: KeyRange) -> ArraySlice<String> {
        switch range {
        case .key(let key):
            return keyNumbers[key] == nil ? [] : [key]
        case .prefix(let prefix):
            let start = lowerBound(prefix)
            var end = start
            while end < orderedKeys.count, orderedKeys[end].hasPrefix(prefix) { end += 1 }
            return orderedKeys[start..<end]
        case .interval(let from, let to):
            let start = lowerBound(from)
            let end = to.isEmpty ? orderedKeys.count : max(start, lowerBound(to))
            return orderedKeys[start..<end]
        }
    }

    private func lowerBound(_ key: String) -> Int {
        var low = 0, high = orderedKeys.count
        while low < high {
            let middle = (low + high) / 2
            if orderedKeys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func firstEventIndex(atOrAfter startRevision: Int64) -> Int {
        var low = 0, high = events.count
        while low < high {
            let middle = (low + high) / 2
            if events[middle].keyValue.modRevision < startRevision { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: Writes

    @discardableResult
    public mutating func put(_ key: String, _ value: String, lease: Int64 = 0) -> TxnResponse {
        // A transaction of one put cannot fail.
        try! txn(TxnRequest(success: [.put(key: key, value: value, lease: lease)]))
    }

    @discardableResult
    public mutating func delete(_ range: KeyRange) -> TxnResponse {
        try! txn(TxnRequest(success: [.delete(range)]))
    }

    /// Applies a transaction: its writes share one new revision, as in etcd.
    public mutating func txn(_ request: TxnRequest) throws(EtcdError) -> TxnResponse {
        guard request.compares.count + max(request.success.count, request.failure.count)
            <= MVCCStore.maximumOperationsPerTransaction else { throw .tooManyOperations }
        let succeeded = request.compares.allSatisfy(holds)
        let operations = succeeded ? request.success : request.failure
        try checkNoDuplicateWrites(operations)
        try checkQuota(operations)
        let writeRevision = revision + 1
        var wrote = false
        var responses: [ResponseOperation] = []
        for operation in operations {
            switch operation {
            case .range(let range):
                responses.append(.range(try self.range(range)))
            case .put(let key, let value, let lease):
                let previous = self.value(of: key)
                write(key, value: value, lease: lease, previous: previous, at: writeRevision)
                wrote = true
                responses.append(.put(previous: previous))
            case .delete(let range):
                let doomed = keys(in: range).compactMap { self.value(of: $0) }
                for keyValue in doomed { tombstone(keyValue, at: writeRevision) }
                wrote = wrote || !doomed.isEmpty
                responses.append(.delete(deleted: doomed.count, previous: doomed))
            }
        }
        if wrote { revision = writeRevision }
        return TxnResponse(header: ResponseHeader(revision: revision), succeeded: succeeded, responses: responses)
    }

    private func checkQuota(_ operations: [RequestOperation]) throws(EtcdError) {
        var adding = 0
        for case .put(let key, let value, _) in operations { adding += key.utf8.count + value.utf8.count + 64 }
        guard adding > 0, storedBytes + adding > quotaBytes else { return }
        throw .invalid("mvcc: database space exceeded")
    }

    private func checkNoDuplicateWrites(_ operations: [RequestOperation]) throws(EtcdError) {
        // Most transactions hold one operation: no set needed to know it is not repeated.
        guard operations.count > 1 else { return }
        var written = Set<String>()
        for case .put(let key, _, _) in operations where !written.insert(key).inserted {
            throw .invalid("duplicate key given in txn request")
        }
    }

    private func holds(_ compare: Compare) -> Bool {
        let current = value(of: compare.key)
        func relate<Value: Comparable>(_ left: Value, _ right: Value) -> Bool {
            switch compare.relation {
            case .equal: left == right
            case .notEqual: left != right
            case .less: left < right
            case .greater: left > right
            }
        }
        switch compare.target {
        case .value(let expected):
            guard let current else { return false }
            return relate(current.value, expected)
        case .version(let expected): return relate(current?.version ?? 0, expected)
        case .createRevision(let expected): return relate(current?.createRevision ?? 0, expected)
        case .modRevision(let expected): return relate(current?.modRevision ?? 0, expected)
        }
    }

    private mutating func write(_ key: String, value: String, lease: Int64, previous: KeyValue?, at writeRevision: Int64) {
        let keyValue = KeyValue(key: key, value: value, createRevision: previous?.createRevision ?? writeRevision,
                                modRevision: writeRevision, version: (previous?.version ?? 0) + 1, lease: lease)
        writtenBytes += key.utf8.count + value.utf8.count + 64
        storedBytes += key.utf8.count + value.utf8.count + 64
        let number = appendVersion(Version(revision: writeRevision, keyValue: keyValue), of: key)
        events.append(WatchEvent(kind: .put, keyValue: keyValue, previous: previous))
        eventKeyNumbers.append(number)
    }

    /// Adds a version to a key's history with one dictionary lookup (every member applies every
    /// write, so this is hot), numbering the key if it is new. Returns the key's number.
    private mutating func appendVersion(_ version: Version, of key: String) -> Int32 {
        if let number = keyNumbers[key] {
            histories[Int(number)].append(version)
            return number
        }
        let number: Int32
        if let free = freeNumbers.popLast() {
            number = free
            histories[Int(number)] = [version]
            keyNames[Int(number)] = key
        } else {
            number = Int32(histories.count)
            histories.append([version])
            keyNames.append(key)
        }
        keyNumbers[key] = number
        orderedKeys.insert(key, at: lowerBound(key))
        return number
    }

    private mutating func tombstone(_ previous: KeyValue, at writeRevision: Int64) {
        let number = appendVersion(Version(revision: writeRevision, keyValue: nil), of: previous.key)
        writtenBytes += previous.key.utf8.count + 64
        storedBytes += previous.key.utf8.count + 64
        let deleted = KeyValue(key: previous.key, value: "", createRevision: 0, modRevision: writeRevision, version: 0)
        events.append(WatchEvent(kind: .delete, keyValue: deleted, previous: previous))
        eventKeyNumbers.append(number)
    }

    // MARK: Compaction

    /// Forgets history before `target`: reads below it and watches from below it fail from now on.
    ///
    /// Only keys written since the last compaction can hold versions to drop: any other key was
    /// left by that compaction with its one version in force (a tombstone would have gone), which
    /// this one keeps as it is. Those keys are exactly the ones in `events` up to `target`, so a
    /// compaction costs the writes since the last one, not every key in the store (the
    /// apiservers compact every five minutes, on every member).
    public mutating func compact(_ target: Int64) throws(EtcdError) {
        if target > revision { throw .futureRevision }
        if target <= compactedRevision { throw .compacted(compactRevision: compactedRevision) }
        compactedRevision = target
        let dropped = firstEventIndex(atOrAfter: target + 1)
        var visited = [Bool](repeating: false, count: histories.count)
        var emptied = false
        for number in eventKeyNumbers[..<dropped] where !visited[Int(number)] {
            visited[Int(number)] = true
            emptied = compactHistory(number: number, at: target) || emptied
        }
        if emptied { orderedKeys.removeAll { keyNumbers[$0] == nil } }
        dropEvents(before: firstEventIndex(atOrAfter: target))
    }

    /// Keeps the version in force at `target` (unless it is a tombstone) and all later ones; a
    /// key left with none loses its number. True if that happened.
    private mutating func compactHistory(number: Int32, at target: Int64) -> Bool {
        let index = Int(number)
        let versions = histories[index]
        let firstLater = versions.firstIndex { $0.revision > target } ?? versions.count
        guard firstLater > 0 else { return false }
        let inForceIsValue = versions[firstLater - 1].keyValue != nil
        let doomed = inForceIsValue ? firstLater - 1 : firstLater
        guard doomed > 0 else { return false }
        for version in versions[..<doomed] { storedBytes -= MVCCStore.bytes(of: version, key: keyNames[index]) }
        histories[index].removeFirst(doomed)
        guard histories[index].isEmpty else { return false }
        histories[index] = []
        keyNumbers[keyNames[index]] = nil
        freeNumbers.append(number)
        return true
    }

    /// Drops the first `count` events into a log of the size kept: `removeFirst` would keep the
    /// capacity of the whole log, and the log before the first compaction holds the warm-up.
    private mutating func dropEvents(before count: Int) {
        guard count > 0 else { return }
        events = Array(events[count...])
        eventKeyNumbers = Array(eventKeyNumbers[count...])
    }

    /// What a version counts towards `storedBytes`, as `write` and `tombstone` added it.
    private static func bytes(of version: Version, key: String) -> Int {
        key.utf8.count + (version.keyValue?.value.utf8.count ?? 0) + 64
    }

    /// Compaction by its definition, visiting every key: the reference the tests hold `compact`
    /// to, state for state.
    func compactedVisitingEveryKey(_ target: Int64) -> MVCCStore {
        var store = self
        store.compactedRevision = target
        for key in store.orderedKeys { _ = store.compactHistory(number: store.keyNumbers[key]!, at: target) }
        store.orderedKeys.removeAll { store.keyNumbers[$0] == nil }
        store.dropEvents(before: store.firstEventIndex(atOrAfter: target))
        return store
    }

    /// The same revisions, keys, versions and events, however the keys happen to be numbered.
    public static func == (left: MVCCStore, right: MVCCStore) -> Bool {
        guard left.revision == right.revision, left.compactedRevision == right.compactedRevision,
              left.writtenBytes == right.writtenBytes, left.storedBytes == right.storedBytes,
              left.quotaBytes == right.quotaBytes, left.orderedKeys == right.orderedKeys,
              left.events == right.events else { return false }
        return left.orderedKeys.allSatisfy { left.versions(of: $0) == right.versions(of: $0) }
    }

    // MARK: Digest

    public func stableHash(into hasher: inout StableHasher) {
        hasher.combine(revision)
        hasher.combine(compactedRevision)
        hasher.combine(orderedKeys.count)
        for key in orderedKeys {
            hasher.combine(key)
            for version in versions(of: key) {
                hasher.combine(version.revision)
                if let keyValue = version.keyValue { keyValue.stableHash(into: &hasher) } else { hasher.combine("tombstone") }
            }
        }
        hasher.combine(events.count)
    }
}
