/// A change the watch cache applied, kept in its history so watches can resume from a version.
struct CachedEvent {
    enum Kind { case added, modified, deleted }
    let kind: Kind
    let object: any APIObject
    /// The object before the change, so a watch can tell that it left or entered its filter.
    let previous: (any APIObject)?
    var resourceVersion: Int64 { object.metadata.resourceVersion }
}

/// Identifies a watch at the server: the client's connection and the client's own number for it.
struct WatchKey: Hashable {
    let connectionID: Int
    let clientWatchID: Int
}

/// One API watch stream being served: a filter, and a way to send events to the client.
final class ServerWatch {
    let key: WatchKey
    let filter: ObjectFilter
    private let send: (APIWatchEvent) -> Void
    var timeout: Timer?

    init(key: WatchKey, filter: ObjectFilter, send: @escaping (APIWatchEvent) -> Void) {
        (self.key, self.filter, self.send) = (key, filter, send)
    }

    /// Sends what this change means for this watch's filter: an object moving into the filter is
    /// ADDED, one moving out is DELETED.
    func offer(_ event: CachedEvent) {
        let matchesNow = filter.matches(event.object)
        switch event.kind {
        case .added where matchesNow: send(.added(event.object))
        case .deleted where matchesNow: send(.deleted(event.object))
        case .modified:
            // Only a modification asks where the object was before: an addition has no before,
            // and a deletion's before is the object itself.
            let matchedBefore = event.previous.map(filter.matches) ?? false
            if matchesNow {
                send(matchedBefore ? .modified(event.object) : .added(event.object))
            } else if matchedBefore {
                send(.deleted(event.object))
            }
        default: break
        }
    }

    func deliver(_ event: APIWatchEvent) { send(event) }

    func end(_ final: APIWatchEvent = .ended) {
        timeout?.cancel()
        send(final)
    }
}
