/// One operation on a single register (an etcd key) as a client saw it: when it was invoked,
/// when it returned (nil if it never did, or failed in a way that leaves it unknown whether it
/// took effect), and what it did.
struct RegisterOperation {
    enum Kind: Equatable {
        case write(String)
        /// A read and the value it returned (nil: the key did not exist).
        case read(String?)
    }

    let client: Int
    let invokedAt: SimTimeStamp
    let returnedAt: SimTimeStamp?
    let kind: Kind
}

typealias SimTimeStamp = Int64

/// Wing & Gong's linearizability check with Lowe's memoisation (what Porcupine does): find an
/// order of the operations that respects real time (an operation that returned before another
/// was invoked comes first) and the register's semantics (a read returns the last value
/// written). Operations that never returned may take effect at any point after their call, or
/// never, which placing them after everything else covers.
enum LinearizabilityChecker {
    /// True if the history of one register is linearizable.
    static func isLinearizable(_ operations: [RegisterOperation], initial: String? = nil) -> Bool {
        guard !operations.isEmpty else { return true }
        var events = makeEvents(operations)
        var linearized = Bitset(count: operations.count)
        var state = initial
        var cache = Set<CacheKey>()
        var stack: [(event: Int, state: String?)] = []
        var cursor = events.head
        while events.head != -1 {
            let event = events.nodes[cursor]
            if event.isCall {
                let operation = operations[event.operation]
                var next = linearized
                next.insert(event.operation)
                if let after = step(state, operation.kind), cache.insert(CacheKey(linearized: next, state: after)).inserted {
                    stack.append((cursor, state))
                    state = after
                    linearized = next
                    events.lift(cursor)
                    cursor = events.head
                } else {
                    cursor = event.next
                }
            } else {
                // An operation returned before it could be placed: undo the last choice.
                guard let (lastCall, lastState) = stack.popLast() else { return false }
                state = lastState
                linearized.remove(events.nodes[lastCall].operation)
                events.unlift(lastCall)
                cursor = events.nodes[lastCall].next
            }
        }
        return true
    }

    private static func step(_ state: String?, _ kind: RegisterOperation.Kind) -> String?? {
        switch kind {
        case .write(let value): return .some(value)
        case .read(let seen): return seen == state ? .some(state) : .none
        }
    }

    private struct CacheKey: Hashable {
        let linearized: Bitset
        let state: String?
    }

    private static func makeEvents(_ operations: [RegisterOperation]) -> EventList {
        var raw: [(time: SimTimeStamp, isCall: Bool, operation: Int)] = []
        for (index, operation) in operations.enumerated() {
            raw.append((operation.invokedAt, true, index))
            raw.append((operation.returnedAt ?? SimTimeStamp.max, false, index))
        }
        // At equal times calls come first: the operations count as concurrent, the lenient choice.
        raw.sort { left, right in
            if left.time != right.time { return left.time < right.time }
            if left.isCall != right.isCall { return left.isCall }
            return left.operation < right.operation
        }
        return EventList(raw.map { ($0.isCall, $0.operation) })
    }
}

/// A doubly linked list of call and return events that can take an operation out (both its
/// events) and put it back exactly where it was.
private struct EventList {
    struct Node {
        let isCall: Bool
        let operation: Int
        var previous: Int
        var next: Int
        /// For a call: the index of its return event.
        var match: Int = -1
    }

    var nodes: [Node]
    var head: Int

    init(_ events: [(isCall: Bool, operation: Int)]) {
        nodes = events.enumerated().map { Node(isCall: $1.isCall, operation: $1.operation, previous: $0 - 1,
                                                 next: $0 + 1 < events.count ? $0 + 1 : -1) }
        head = nodes.isEmpty ? -1 : 0
        var callOf: [Int: Int] = [:]
        for (index, node) in nodes.enumerated() {
            if node.isCall { callOf[node.operation] = index } else { nodes[callOf[node.operation]!].match = index }
        }
    }

    mutating func lift(_ call: Int) {
        unlink(call)
        unlink(nodes[call].match)
    }

    mutating func unlift(_ call: Int) {
        relink(nodes[call].match)
        relink(call)
    }

    private mutating func unlink(_ index: Int) {
        let node = nodes[index]
        if node.previous != -1 { nodes[node.previous].next = node.next } else { head = node.next }
        if node.next != -1 { nodes[node.next].previous = node.previous }
    }

    private mutating func relink(_ index: Int) {
        let node = nodes[index]
        if node.previous != -1 { nodes[node.previous].next = index } else { head = index }
        if node.next != -1 { nodes[node.next].previous = index }
    }
}

struct Bitset: Hashable {
    private var words: [UInt64]

    init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

    mutating func insert(_ index: Int) { words[index / 64] |= 1 << UInt64(index % 64) }
    mutating func remove(_ index: Int) { words[index / 64] &= ~(1 << UInt64(index % 64)) }
}
