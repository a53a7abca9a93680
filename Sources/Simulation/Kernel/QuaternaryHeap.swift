/// A min-heap of event entries with four children per node: shallower than a binary heap, and
/// its children share a cache line, so popping the minimum touches less memory.
struct QuaternaryHeap {
    private var entries: ContiguousArray<EventQueue.Entry> = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var min: EventQueue.Entry? { entries.first }

    mutating func insert(_ entry: EventQueue.Entry) {
        entries.append(entry)
        entries.withUnsafeMutableBufferPointer { buffer in
            var index = buffer.count - 1
            while index > 0 {
                let parent = (index - 1) >> 2
                guard entry < buffer[parent] else { break }
                buffer[index] = buffer[parent]
                index = parent
            }
            buffer[index] = entry
        }
    }

    @discardableResult
    mutating func removeMin() -> EventQueue.Entry? {
        guard let first = entries.first else { return nil }
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first }
        entries.withUnsafeMutableBufferPointer { buffer in
            let count = buffer.count
            var index = 0
            while true {
                let firstChild = 4 * index + 1
                guard firstChild < count else { break }
                var smallest = firstChild
                var child = firstChild + 1
                let end = Swift.min(firstChild + 4, count)
                while child < end {
                    if buffer[child] < buffer[smallest] { smallest = child }
                    child += 1
                }
                guard buffer[smallest] < last else { break }
                buffer[index] = buffer[smallest]
                index = smallest
            }
            buffer[index] = last
        }
        return first
    }
}
