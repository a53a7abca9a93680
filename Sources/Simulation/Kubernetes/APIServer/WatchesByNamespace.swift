import OrderedCollections

/// The API watches on one resource, filed by the namespace they watch, so a change is offered
/// only to the watches that can want it: the cluster-wide ones and those of its namespace. (In
/// the bank, every Endpoints change used to be offered to all ~289 linkerd watches, each
/// rejecting it after copying the object's metadata.)
///
/// A watch on another namespace never sends anything for a change (an object keeps its
/// namespace), so leaving it out changes nothing; and the watches that remain are offered each
/// change in the order they were registered, as the one list offered it: the order their sends
/// are scheduled in is part of the world's history, and seed 315's outage hangs on it.
struct WatchesByNamespace {
    /// A watch and its place in the registration order.
    private struct Filed {
        let sequence: Int
        let watch: ServerWatch
    }

    /// Every watch in registration order: the one list each change used to be offered to. A
    /// watch registered again under its key keeps its place, as an ordered dictionary keeps a
    /// replaced key's.
    private var inOrder = OrderedDictionary<WatchKey, Filed>()
    /// Each namespace's watches in registration order; "" files the cluster-wide ones.
    private var filed: [String: [Filed]] = [:]
    private var nextSequence = 0

    var count: Int { inOrder.count }

    /// Every watch, in registration order.
    var all: [ServerWatch] { inOrder.values.map(\.watch) }

    /// Files `watch` under its key, replacing (in its place in the order) a watch registered
    /// with that key before.
    mutating func insert(_ watch: ServerWatch) {
        let sequence: Int
        if let before = inOrder[watch.key] {
            sequence = before.sequence
            unfile(before)
        } else {
            sequence = nextSequence
            nextSequence += 1
        }
        let entry = Filed(sequence: sequence, watch: watch)
        inOrder[watch.key] = entry
        let namespace = Self.namespace(of: watch)
        var bucket = filed.removeValue(forKey: namespace) ?? []
        bucket.insert(entry, at: bucket.partitioningIndex { $0.sequence > sequence })
        filed[namespace] = bucket
    }

    mutating func remove(_ key: WatchKey) -> ServerWatch? {
        guard let entry = inOrder.removeValue(forKey: key) else { return nil }
        unfile(entry)
        return entry.watch
    }

    mutating func removeAll() {
        inOrder.removeAll()
        filed.removeAll()
    }

    /// Offers `event` to the cluster-wide watches and those of its namespace, in registration
    /// order. The lists are read before the first offer (as iterating the one list did), so a
    /// watch that a send adds or removes does not change who this change is offered to.
    func offer(_ event: CachedEvent) {
        let namespace = event.object.metadata.namespace
        let everywhere = filed[""] ?? []
        guard !namespace.isEmpty, let local = filed[namespace] else {
            for entry in everywhere { entry.watch.offer(event) }
            return
        }
        var (wide, near) = (0, 0)
        while wide < everywhere.count || near < local.count {
            if near == local.count || (wide < everywhere.count && everywhere[wide].sequence < local[near].sequence) {
                everywhere[wide].watch.offer(event)
                wide += 1
            } else {
                local[near].watch.offer(event)
                near += 1
            }
        }
    }

    /// Offers `event` to every watch in registration order: the linear scan the index replaced,
    /// kept as the reference that proves the index changes nothing (`World.buildsOnReferencePaths`).
    func offerToEach(_ event: CachedEvent) {
        for entry in inOrder.values { entry.watch.offer(event) }
    }

    private mutating func unfile(_ entry: Filed) {
        let namespace = Self.namespace(of: entry.watch)
        guard var bucket = filed.removeValue(forKey: namespace) else { return }
        let index = bucket.partitioningIndex { $0.sequence >= entry.sequence }
        if index < bucket.count, bucket[index].sequence == entry.sequence { bucket.remove(at: index) }
        if !bucket.isEmpty { filed[namespace] = bucket }
    }

    /// A watch's filing namespace: nil and "" both mean every namespace (`ObjectFilter.matches`).
    private static func namespace(of watch: ServerWatch) -> String { watch.filter.namespace ?? "" }
}

extension Array {
    /// The first index whose element satisfies `belongsAfter`, by binary search: the elements
    /// must be partitioned, every one that does not satisfy it before every one that does.
    func partitioningIndex(where belongsAfter: (Element) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if belongsAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
