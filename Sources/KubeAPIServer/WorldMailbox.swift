import Foundation
import KubeAPI

/// Where the HTTP server's threads leave requests for the world's owner (the REPL or lab loop)
/// and wait for the answers. The world is single-threaded and deterministic: only its owner
/// touches it, between commands or while waiting for a key, and answers requests in the order
/// they arrived. A byte on `wakeDescriptor` tells an owner blocked on input that work is waiting.
public final class WorldMailbox: @unchecked Sendable {
    private struct Letter {
        let request: KubeAPIRequest
        let reply: (KubeAPIResponse) -> Void
    }

    private let lock = NSLock()
    private var letters: [Letter] = []
    private var isClosed = false
    private let wakePipe: [Int32]

    public init() {
        var descriptors: [Int32] = [-1, -1]
        if pipe(&descriptors) == 0 {
            for descriptor in descriptors { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        }
        wakePipe = descriptors
    }

    deinit { for descriptor in wakePipe where descriptor >= 0 { Glibc.close(descriptor) } }

    /// Readable when requests wait; the owner reads it empty with `takeAll`.
    public var wakeDescriptor: Int32 { wakePipe[0] }

    /// Leaves a request for the owner; the answer comes back when the owner has run it.
    public func post(_ request: KubeAPIRequest) async -> KubeAPIResponse {
        await withCheckedContinuation { continuation in
            lock.lock()
            guard !isClosed else {
                lock.unlock()
                continuation.resume(returning: KubeAPIMailboxClosed.response)
                return
            }
            letters.append(Letter(request: request) { continuation.resume(returning: $0) })
            lock.unlock()
            var byte: UInt8 = 1
            _ = write(wakePipe[1], &byte, 1)
        }
    }

    /// Runs every waiting request through `answer`, in arrival order, on the caller's thread.
    /// Returns how many were answered.
    @discardableResult
    public func deliver(_ answer: (KubeAPIRequest) -> KubeAPIResponse) -> Int {
        drainWakeBytes()
        var answered = 0
        while let letter = next() {
            letter.reply(answer(letter.request))
            answered += 1
        }
        return answered
    }

    /// Refuses what waits and all that comes later: the session is over.
    public func close() {
        lock.lock()
        isClosed = true
        let waiting = letters
        letters.removeAll()
        lock.unlock()
        for letter in waiting { letter.reply(KubeAPIMailboxClosed.response) }
    }

    private func next() -> Letter? {
        lock.lock()
        defer { lock.unlock() }
        return letters.isEmpty ? nil : letters.removeFirst()
    }

    private func drainWakeBytes() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakePipe[0], &buffer, buffer.count) > 0 {}
    }
}

enum KubeAPIMailboxClosed {
    static let response = KubeAPIResponse(status: 503, body: #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the firedrill session serving this API has ended","reason":"ServiceUnavailable","code":503}"#)
}
