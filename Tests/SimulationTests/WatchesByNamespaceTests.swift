import Testing
@testable import Simulation

/// The apiserver's watches filed by namespace: a change reaches the cluster-wide watches and its
/// own namespace's, in the order they were registered, as one list offered it.
@Suite struct WatchesByNamespaceTests {
    /// Registers a watch that notes its name on every event it is sent.
    func watch(_ number: Int, _ namespace: String?, into watches: inout WatchesByNamespace, heard: Box) {
        let name = "\(namespace ?? "*")#\(number)"
        watches.insert(ServerWatch(key: WatchKey(connectionID: 1, clientWatchID: number), filter: ObjectFilter(namespace: namespace)) { _ in
            heard.names.append(name)
        })
    }

    final class Box { var names: [String] = [] }

    func change(in namespace: String) -> CachedEvent {
        CachedEvent(kind: .added, object: Endpoints(metadata: ObjectMeta(name: "web", namespace: namespace), subsets: []), previous: nil)
    }

    @Test func aChangeReachesItsNamespaceAndTheClusterWideWatchesInRegistrationOrder() {
        var watches = WatchesByNamespace()
        let heard = Box()
        for (number, namespace) in [(1, "payments"), (2, nil), (3, "linkerd"), (4, "payments"), (5, ""), (6, "payments")] {
            watch(number, namespace, into: &watches, heard: heard)
        }
        watches.offer(change(in: "payments"))
        #expect(heard.names == ["payments#1", "*#2", "payments#4", "#5", "payments#6"])
        heard.names.removeAll()
        watches.offer(change(in: "default"))
        #expect(heard.names == ["*#2", "#5"], "no watch of another namespace hears it")
        heard.names.removeAll()
        watches.offer(CachedEvent(kind: .added, object: Namespace(metadata: ObjectMeta(name: "payments")), previous: nil))
        #expect(heard.names == ["*#2", "#5"], "a cluster-scoped object reaches the cluster-wide watches once")
    }

    @Test func aWatchRegisteredAgainKeepsItsPlaceAndRemovedOnesHearNothing() {
        var watches = WatchesByNamespace()
        let heard = Box()
        for (number, namespace) in [(1, "payments"), (2, nil), (3, "payments")] { watch(number, namespace, into: &watches, heard: heard) }
        // Watch 1 again, now cluster-wide: it keeps its place before watch 2, as an ordered
        // dictionary keeps a replaced key's place.
        watch(1, nil, into: &watches, heard: heard)
        #expect(watches.count == 3)
        watches.offer(change(in: "payments"))
        #expect(heard.names == ["*#1", "*#2", "payments#3"])
        heard.names.removeAll()
        #expect(watches.remove(WatchKey(connectionID: 1, clientWatchID: 2)) != nil)
        #expect(watches.remove(WatchKey(connectionID: 1, clientWatchID: 2)) == nil)
        watches.offer(change(in: "payments"))
        #expect(heard.names == ["*#1", "payments#3"])
        #expect(watches.all.map(\.key.clientWatchID) == [1, 3])
    }

    static func kind(of event: APIWatchEvent) -> String {
        switch event {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .error, .ended: "END"
        }
    }

    /// FIREDRILL_WATCH_ORDER_SEEDS sets how many random sets of watches are tried (default 20).
    static let seeds = seedCount("FIREDRILL_WATCH_ORDER_SEEDS", default: 20)

    /// On random watches (namespaced, cluster-wide, with selectors, registered again elsewhere,
    /// removed) and random changes, the index sends exactly what the linear scan sent, in the
    /// same order: the proof that filing watches by namespace moves no event in the world.
    @Test func theIndexSendsWhatTheLinearScanSentInItsOrder() {
        for seed in 1...UInt64(Self.seeds) {
            let random = RandomStream(seed: seed, name: "test/watch-order")
            let namespaces: [String?] = [nil, "", "payments", "linkerd", "default", "feed"]
            var watches = WatchesByNamespace()
            let heard = Box()
            for _ in 0..<200 {
                let number = random.integer(in: 0..<60)
                if random.chance(0.2) {
                    _ = watches.remove(WatchKey(connectionID: 1, clientWatchID: number))
                    continue
                }
                let selector = random.chance(0.3) ? LabelSelector(matchLabels: ["app": "web"]) : nil
                let filter = ObjectFilter(namespace: random.element(of: namespaces)!, selector: selector)
                watches.insert(ServerWatch(key: WatchKey(connectionID: 1, clientWatchID: number), filter: filter) { event in
                    heard.names.append("#\(number) \(Self.kind(of: event))")
                })
            }
            for step in 0..<50 {
                let namespace = random.element(of: ["", "payments", "linkerd", "default", "feed", "elsewhere"])!
                let labels = random.chance(0.5) ? ["app": "web"] : [:]
                let before = Endpoints(metadata: ObjectMeta(name: "web", namespace: namespace, labels: random.chance(0.5) ? ["app": "web"] : [:]), subsets: [])
                let object = Endpoints(metadata: ObjectMeta(name: "web", namespace: namespace, labels: labels), subsets: [])
                let kind = random.element(of: [CachedEvent.Kind.added, .modified, .deleted])!
                let event = CachedEvent(kind: kind, object: object, previous: kind == .added ? nil : before)
                heard.names.removeAll()
                watches.offerToEach(event)
                let linear = heard.names
                heard.names.removeAll()
                watches.offer(event)
                #expect(heard.names == linear, "seed \(seed), change \(step) in \"\(namespace)\"; replay: FIREDRILL_WATCH_ORDER_SEEDS=\(seed) swift test --filter WatchesByNamespaceTests")
            }
        }
    }
}
