import OrderedCollections

/// The API watches on one resource, filed by the namespace they watch, so a change is offered
/// only to the watches that can want it: the cluster-wide ones and those of its namespace. (In
/// the bank, every Endpoints change used to be offered to all ~289 linkerd watches, each
/// rejecting it after copying the object's metadata twice.)
///
/// A watch on another namespace never sends anything for a change (an object keeps its
/// namespace), so leaving it out changes nothing; and the watches are still offered each change
/// in the order they were first registered, as one list did: the order their sends are
/// scheduled in is part of the world's history.
struct WatchesByNamespace {
    private struct Entry {
        /// Registration order: a watch registered again under its key keeps its place.
        let sequence: Int
        let watch: ServerWatch
    }

    /// "" files the cluster-wide watches.
    private var filed: [String: OrderedDictionary<WatchKey, Entry>] = [:]
    /// The namespace each watch is filed under.
    private var namespaces: [WatchKey: String] = [:]
    private var nextSequence = 0

    var count: Int { namespaces.count }

    /// Files `watch` under its key, replacing a watch registered with that key before (in its
    /// place in the order, as an ordered dictionary would).
    mutating func insert(_ watch: ServerWatch) {
        let namespace = watch.filter.namespace ?? ""
        guard let before = namespaces[watch.key] else {
            filed[namespace, default: [:]][watch.key] = Entry(sequence: nextSequence, watch: watch)
            namespaces[watch.key] = namespace
            nextSequence += 1
            return
        }
        let sequence = filed[before]![watch.key]!.sequence
        if before == namespace {
            filed[namespace]![watch.key] = Entry(sequence: sequence, watch: watch)
            return
        }
        _ = remove(watch.key)
        let entries = filed[namespace, default: [:]]
        let position = entries.values.firstIndex { $0.sequence > sequence } ?? entries.count
        filed[namespace, default: [:]].updateValue(Entry(sequence: sequence, watch: watch), forKey: watch.key, insertingAt: position)
        namespaces[watch.key] = namespace
    }

    mutating func remove(_ key: WatchKey) -> ServerWatch? {
        guard let namespace = namespaces.removeValue(forKey: key) else { return nil }
        let entry = filed[namespace]?.removeValue(forKey: key)
        if filed[namespace]?.isEmpty == true { filed[namespace] = nil }
        return entry?.watch
    }

    mutating func removeAll() {
        filed.removeAll()
        namespaces.removeAll()
    }

    /// Every watch, in registration order.
    var all: [ServerWatch] {
        filed.values.flatMap(\.values).sorted { $0.sequence < $1.sequence }.map(\.watch)
    }

    /// Offers `event` to the cluster-wide watches and those of its namespace, in registration
    /// order. The lists are read before the first offer, so a watch that a send adds or removes
    /// does not change who this change is offered to.
    func offer(_ event: CachedEvent) {
        let namespace = event.object.metadata.namespace
        let everywhere = filed[""]?.values ?? OrderedDictionary<WatchKey, Entry>().values
        guard !namespace.isEmpty, let local = filed[namespace]?.values else {
            for entry in everywhere { entry.watch.offer(event) }
            return
        }
        var (wide, near) = (everywhere.startIndex, local.startIndex)
        while wide < everywhere.endIndex || near < local.endIndex {
            if near == local.endIndex || (wide < everywhere.endIndex && everywhere[wide].sequence < local[near].sequence) {
                everywhere[wide].watch.offer(event)
                wide += 1
            } else {
                local[near].watch.offer(event)
                near += 1
            }
        }
    }
}
