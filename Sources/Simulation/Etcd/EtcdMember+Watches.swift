/// A watch as a member serves it: which keys, and the next revision to report.
final class EtcdServerWatch {
    let session: ClientSession
    let watchID: Int64
    let request: WatchRequest
    var nextRevision: Int64

    init(session: ClientSession, watchID: Int64, request: WatchRequest, nextRevision: Int64) {
        self.session = session
        self.watchID = watchID
        self.request = request
        self.nextRevision = nextRevision
    }
}

extension EtcdMember {
    /// Opens a watch: `created`, then the backlog from the start revision, then events as this
    /// member applies them. A start revision already compacted away ends the watch at once.
    func createWatch(_ watchID: Int64, _ request: WatchRequest, session: ClientSession) {
        let store = state.store
        reply(.watch(watchID: watchID, .created, revision: store.revision), to: session)
        if request.startRevision > 0 && request.startRevision < store.compactedRevision {
            let error = EtcdError.compacted(compactRevision: store.compactedRevision)
            reply(.watch(watchID: watchID, .canceled(error), revision: store.revision), to: session)
            return
        }
        let start = request.startRevision > 0 ? request.startRevision : store.revision + 1
        let watch = EtcdServerWatch(session: session, watchID: watchID, request: request, nextRevision: start)
        watches.append(watch)
        deliverEvents(to: watch)
    }

    /// The store moved on (applied entries or a loaded snapshot): every watch gets what is new
    /// for it, in one message per watch.
    func storeChanged() {
        guard !watches.isEmpty else { return }
        watches.removeAll { !$0.session.connection.isOpenAtServer }
        for watch in watches { deliverEvents(to: watch) }
    }

    private func deliverEvents(to watch: EtcdServerWatch) {
        let store = state.store
        guard watch.nextRevision <= store.revision else { return }
        let events: [WatchEvent]
        do throws(EtcdError) {
            events = try store.events(in: watch.request.range, from: watch.nextRevision)
        } catch {
            // The member loaded a snapshot past a compaction the watch had not caught up with.
            reply(.watch(watchID: watch.watchID, .canceled(error), revision: store.revision), to: watch.session)
            watches.removeAll { $0 === watch }
            return
        }
        watch.nextRevision = store.revision + 1
        guard !events.isEmpty else { return }
        let shaped = watch.request.previousKeyValue ? events : events.map { WatchEvent(kind: $0.kind, keyValue: $0.keyValue) }
        reply(.watch(watchID: watch.watchID, .events(shaped, revision: store.revision), revision: store.revision), to: watch.session)
    }
}
