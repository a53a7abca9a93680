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
}
