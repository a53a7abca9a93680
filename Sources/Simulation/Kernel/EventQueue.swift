/// The world's one priority queue, ordered by (time, insertion sequence): events due at the same
/// instant run in the order they were scheduled, so a run never depends on heap internals.
///
/// The heap holds plain values (time, sequence, slot); the actions live in a slot table beside
/// it. Moving closures through the heap would retain and release them at every swap, which was
/// most of the cost of an event. The heap is a 4-ary min-heap of our own rather than
/// swift-collections' `Heap`: that one is a min-max heap, whose trickle-down took half of every
/// event's time in `firedrill bench kernel_events_per_second`, and a queue only needs the min.
public struct EventQueue {
    struct Entry: Comparable {
        let time: SimTime
        let sequence: UInt64
        let slot: Int32

        static func < (left: Entry, right: Entry) -> Bool {
            left.time != right.time ? left.time < right.time : left.sequence < right.sequence
        }
        static func == (left: Entry, right: Entry) -> Bool {
            left.time == right.time && left.sequence == right.sequence
        }
    }

    /// What runs when an event is due: a closure, or an object's `fire()` (no allocation per
    /// event, for the hot periodic timers of processes).
    enum Action {
        case closure(() -> Void)
        case target(any EventTarget)

        func run() {
            switch self {
            case .closure(let body): body()
            case .target(let target): target.fire()
            }
        }
    }

    private var heap = QuaternaryHeap()
    private var actions: [Action?] = []
    private var freeSlots: [Int32] = []
    /// How many events have ever been scheduled; the next event's sequence number.
    public private(set) var scheduledCount: UInt64 = 0
    public private(set) var executedCount: UInt64 = 0

    public init() {}

    /// Events waiting, including timers cancelled but not yet reached.
    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var nextTime: SimTime? { heap.min?.time }

    public mutating func schedule(at time: SimTime, _ action: @escaping () -> Void) {
        schedule(at: time, action: .closure(action))
    }

    public mutating func schedule(at time: SimTime, _ target: any EventTarget) {
        schedule(at: time, action: .target(target))
    }

    private mutating func schedule(at time: SimTime, action: Action) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            actions[Int(free)] = action
        } else {
            slot = Int32(actions.count)
            actions.append(action)
        }
        heap.insert(Entry(time: time, sequence: scheduledCount, slot: slot))
        scheduledCount += 1
    }

    /// Removes and returns the next event if it is due at or before `limit`.
    mutating func popDue(notAfter limit: SimTime) -> (time: SimTime, action: Action)? {
        guard let head = heap.min, head.time <= limit else { return nil }
        heap.removeMin()
        executedCount += 1
        let index = Int(head.slot)
        // `take()` moves the closure out without a retain/release pair.
        let action = actions[index].take().unsafelyUnwrapped
        freeSlots.append(head.slot)
        return (head.time, action)
    }
}

/// An object that events can call directly: scheduling it allocates nothing, unlike a closure.
public protocol EventTarget: AnyObject {
    func fire()
}

/// A scheduled action that can be called off. Cancelling one that already ran is harmless.
public final class Timer {
    public private(set) var isCancelled = false
    public let dueTime: SimTime

    init(dueTime: SimTime) { self.dueTime = dueTime }

    public func cancel() { isCancelled = true }
}
