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

    private func drain() {
        isScheduled = false
        let batch = keys
        keys.removeAll()
        for key in batch { handler(key) }
    }
}
