import OrderedCollections

/// A controller's queue of object keys to sync: each key at most once, processed in the order
/// first added, a moment after it was added so that bursts of events coalesce.
final class WorkQueue {
    private unowned let process: SimProcess
    private var keys = OrderedSet<String>()
    private var isScheduled = false
    private let delay: SimTime
    private let handler: (String) -> Void

    init(process: SimProcess, delay: SimTime = Span.milliseconds(5), handler: @escaping (String) -> Void) {
        (self.process, self.delay, self.handler) = (process, delay, handler)
    }

    var count: Int { keys.count }

    func add(_ key: String) {
        keys.append(key)
        guard !isScheduled else { return }
        isScheduled = true
        process.after(delay) { [weak self] in self?.drain() }
    }

    func add(_ key: String, after delay: SimTime) {
        process.after(delay) { [weak self] in self?.add(key) }
    }

    /// Failed syncs in a row, per key, for `addRateLimited`.
    private var failures: [String: Int] = [:]

    /// Retries a key whose sync failed, backing off per key as client-go's default item limiter
    /// does: 5 ms, doubling with each failure in a row, at most 1000 s. A controller whose cache
    /// went stale (every update a Conflict) must not retry hundreds of objects many times a second.
    func addRateLimited(_ key: String) {
        let count = failures[key, default: 0]
        failures[key] = count + 1
        add(key, after: min(Span.milliseconds(5) << min(count, 20), Span.seconds(1_000)))
    }

    /// The key synced: its next failure starts the backoff again.
    func forget(_ key: String) { failures[key] = nil }

    private func drain() {
        isScheduled = false
        let batch = keys
        keys.removeAll()
        for key in batch { handler(key) }
    }
}
