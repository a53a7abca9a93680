import Testing
@testable import Simulation

@Suite struct MVCCStoreTests {
    @Test func revisionsCountWrites() throws {
        var store = MVCCStore()
        #expect(store.revision == 1)
        store.put("/a", "1")
        store.put("/a", "2")
        store.put("/b", "x")
        let a = store.value(of: "/a")!
        #expect(store.revision == 4)
        #expect(a.createRevision == 2 && a.modRevision == 3 && a.version == 2 && a.value == "2")
        store.delete(.key("/missing"))
        #expect(store.revision == 4, "deleting nothing writes nothing")
        store.delete(.key("/a"))
        store.put("/a", "again")
        #expect(store.value(of: "/a")!.version == 1, "a re-created key starts over")
        #expect(store.value(of: "/a")!.createRevision == 6)
    }

    @Test func readsAtOldRevisionsAndPrefixes() throws {
        var store = MVCCStore()
        store.put("/registry/pods/a", "1")        // 2
        store.put("/registry/pods/b", "1")        // 3
        store.put("/registry/services/s", "1")    // 4
        store.put("/registry/pods/a", "2")        // 5
        store.delete(.key("/registry/pods/b"))    // 6
        let now = try store.range(RangeRequest(range: .prefix("/registry/pods/")))
        #expect(now.keyValues.map(\.value) == ["2"])
        let then = try store.range(RangeRequest(range: .prefix("/registry/pods/"), revision: 4))
        #expect(then.keyValues.map(\.key) == ["/registry/pods/a", "/registry/pods/b"])
        #expect(then.keyValues[0].value == "1")
        #expect(throws: EtcdError.futureRevision) { try store.range(RangeRequest(range: .key("/x"), revision: 99)) }
        let limited = try store.range(RangeRequest(range: .prefix("/registry/"), limit: 1))
        #expect(limited.keyValues.count == 1 && limited.count == 2 && limited.more)
    }

    @Test func transactionsCompareAndSwap() throws {
        var store = MVCCStore()
        let create = TxnRequest(compares: [Compare(key: "/lock", .equal, .createRevision(0))],
                                success: [.put("/lock", "me")], failure: [.range(RangeRequest(range: .key("/lock")))])
        #expect(try store.txn(create).succeeded)
        let again = try store.txn(create)
        #expect(!again.succeeded)
        guard case .range(let current) = again.responses.first else { Issue.record("no range response"); return }
        #expect(current.keyValues.first?.value == "me")
        let stale = TxnRequest(compares: [Compare(key: "/lock", .equal, .modRevision(1))], success: [.put("/lock", "you")])
        #expect(try !store.txn(stale).succeeded)
        #expect(store.value(of: "/lock")?.value == "me")
        #expect(throws: EtcdError.invalid("duplicate key given in txn request")) {
            try store.txn(TxnRequest(success: [.put("/k", "1"), .put("/k", "2")]))
        }
    }

    @Test func watchEventsReplayInOrderAndCompactionForgets() throws {
        var store = MVCCStore()
        for index in 1...5 { store.put("/k/\(index % 2)", "v\(index)") }   // revisions 2...6
        store.delete(.key("/k/0"))                                       // 7
        let all = try store.events(in: .prefix("/k/"), from: 2)
        #expect(all.map(\.keyValue.modRevision) == [2, 3, 4, 5, 6, 7])
        #expect(all.last?.kind == .delete && all.last?.previous?.value == "v4")
        try store.compact(5)
        #expect(throws: EtcdError.compacted(compactRevision: 5)) { try store.events(in: .prefix("/k/"), from: 4) }
        #expect(throws: EtcdError.compacted(compactRevision: 5)) { try store.range(RangeRequest(range: .prefix("/k/"), revision: 4)) }
        #expect(try store.events(in: .prefix("/k/"), from: 5).map(\.keyValue.modRevision) == [5, 6, 7])
        let atCompaction = try store.range(RangeRequest(range: .prefix("/k/"), revision: 5))
        #expect(atCompaction.keyValues.map(\.value) == ["v4", "v3"], "the state at the compacted revision stays readable")
        #expect(try store.range(RangeRequest(range: .prefix("/k/"))).keyValues.map(\.value) == ["v5"])
    }

    @Test func localClientDeliversWatchesInOrder() throws {
        let world = World(seed: 1)
        let client = LocalKeyValueClient(world: world)
        var seen: [String] = []
        client.watch(WatchRequest(range: .prefix("/w/"))) { response in
            if case .events(let events, _) = response { seen += events.map { "\($0.kind.rawValue) \($0.keyValue.key)" } }
        }
        world.advance(by: Span.milliseconds(10))
        client.put("/w/a", "1") { _ in }
        client.put("/other", "1") { _ in }
        client.delete(.key("/w/a")) { _ in }
        world.advance(by: Span.milliseconds(10))
        #expect(seen == ["PUT /w/a", "DELETE /w/a"])
    }
}

/// Compaction visits only the keys written since the last one; it must leave the store exactly
/// as visiting every key would, whatever the history.
@Suite struct MVCCCompactionEquivalenceTests {
    @Test func compactingOnlyRecentlyWrittenKeysEqualsVisitingEveryKey() throws {
        for seed in UInt64(1)...40 {
            let random = RandomStream(seed: seed, name: "test/mvcc-compaction")
            var store = MVCCStore()
            // The latest value of each key, kept by hand: compaction frees the numbers of keys it
            // empties and new keys take them, which must never show in what the store returns.
            var latest: [String: String] = [:]
            for _ in 0..<random.integer(in: 3..<8) {
                for _ in 0..<random.integer(in: 0..<60) {
                    let key = "/k/\(random.integer(in: 0..<12))"
                    if random.chance(0.2) {
                        store.delete(.key(key))
                        latest[key] = nil
                    } else {
                        let value = "v\(random.next() % 100)"
                        store.put(key, value)
                        latest[key] = value
                    }
                }
                guard store.revision > store.compactedRevision + 1 else { continue }
                let target = Int64(random.integer(in: Int(store.compactedRevision + 1)..<Int(store.revision + 1)))
                let expected = store.compactedVisitingEveryKey(target)
                try store.compact(target)
                #expect(store == expected, "seed \(seed): compaction at \(target) differs from the reference")
                let listed = try store.range(RangeRequest(range: .prefix("/k/")))
                #expect(listed.keyValues.map(\.key) == latest.keys.sorted(), "seed \(seed): keys after compaction at \(target)")
                #expect(listed.keyValues.map(\.value) == latest.keys.sorted().map { latest[$0]! }, "seed \(seed): values after compaction")
            }
        }
    }

    /// After the warm-up's writes are compacted away, the watch-event log must not keep their
    /// room: every member holds one, and a snapshot of it too.
    @Test func compactionGivesBackTheEventLogsRoom() throws {
        var store = MVCCStore()
        for index in 0..<20_000 { store.put("/warm-up/\(index % 500)", "v\(index)") }
        try store.compact(store.revision - 10)
        #expect(try store.events(in: .prefix("/"), from: store.compactedRevision).count == 11)
        #expect(store.eventLogCapacity < 1_000, "the event log still has room for \(store.eventLogCapacity) events")
    }

    @Test func writesPastTheQuotaAreRefusedUntilCompactionFreesRoom() throws {
        var store = MVCCStore()
        store.quotaBytes = 1_000
        let value = String(repeating: "x", count: 100)
        func put() throws { _ = try store.txn(TxnRequest(success: [.put(key: "/k", value: value, lease: 0)])) }
        for _ in 0..<6 { try put() }
        #expect(throws: EtcdError.invalid("mvcc: database space exceeded")) { try put() }
        #expect(store.revision == 7, "the refused write wrote nothing")
        _ = try store.txn(TxnRequest(success: [.delete(.key("/other"))]))
        try store.compact(store.revision)
        try put()
        #expect(store.value(of: "/k")?.version == 7, "compaction freed the history, so writes go on")
    }
}
