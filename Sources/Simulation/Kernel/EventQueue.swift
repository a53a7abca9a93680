import HeapModule

/// The world's one priority queue, ordered by (time, insertion sequence): events due at the same
/// instant run in the order they were scheduled, so a run never depends on heap internals.
public struct EventQueue {
    struct Entry: Comparable {
        let time: SimTime
        let sequence: UInt64
        let action: () -> Void

        static func < (left: Entry, right: Entry) -> Bool {
            left.time != right.time ? left.time < right.time : left.sequence < right.sequence
        }
        static func == (left: Entry, right: Entry) -> Bool {
            left.time == right.time && left.sequence == right.sequence
        }
    }

    private var heap = Heap<Entry>()
    /// How many events have ever been scheduled; the next event's sequence number.
    public private(set) var scheduledCount: UInt64 = 0
    public private(set) var executedCount: UInt64 = 0

    public init() {}

    /// Events waiting, including timers cancelled but not yet reached.
    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var nextTime: SimTime? { heap.min?.time }

    public mutating func schedule(at time: SimTime, _ action: @escaping () -> Void) {
        let sequence = scheduledCount
        scheduledCount += 1
        heap.insert(Entry(time: time, sequence: sequence, action: action))
    }

    /// Removes and returns the next event if it is due at or before `limit`.
    mutating func popDue(notAfter limit: SimTime) -> (time: SimTime, action: () -> Void)? {
        guard let head = heap.min, head.time <= limit else { return nil }
        heap.removeMin()
        executedCount += 1
        return (head.time, head.action)
    }
}

/// A scheduled action that can be called off. Cancelling one that already ran is harmless.
public final class Timer {
    public private(set) var isCancelled = false
    public let dueTime: SimTime

    init(dueTime: SimTime) { self.dueTime = dueTime }

    public func cancel() { isCancelled = true }
}
