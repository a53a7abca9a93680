import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs work in child processes forked from this one, `jobs` at a time, each result coming back
/// as JSON over the child's own pipe. A child starts from a copy-on-write copy of everything
/// this process holds (a prepared lab world), so what it does touches nothing of the parent's
/// or of another child's; a child that crashes or runs past its deadline is killed and becomes
/// a failure for its own task alone.
///
/// The parent stays on one thread throughout: it forks, polls the pipes and reaps. Forking is
/// only safe while the process has one thread (another thread could hold a lock, of malloc or
/// of the Swift runtime, that the child would then wait on forever), so callers check `isSafe`
/// first and fall back to threads when it is false.
public enum ForkedBatch {
    /// True in a child this batch forked (set once, right after the fork, before any work).
    public nonisolated(unsafe) private(set) static var isChild = false

    /// One unit of work: the index it is known by, and the wall-clock seconds after which its
    /// child is killed.
    struct Task {
        let index: Int
        let killAfterSeconds: Double
    }

    /// How one child ended when it sent back no result.
    enum Failure: Error, Equatable {
        /// Killed after `Task.killAfterSeconds`.
        case killed
        /// Ended by a signal it did not handle (a crash, or something else killing it).
        case signal(Int32)
        /// Exited without a readable result.
        case exit(Int32)
    }

    /// True when this process has exactly one thread, so a child forked now can use malloc, the
    /// Swift runtime and even start threads of its own.
    static var isSafe: Bool { threadCount == 1 }

    static var threadCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? .max
    }

    /// Runs `work` for every task in a child, at most `jobs` at once, and hands each result (or
    /// how its child failed) to `finished`, in the order they finish. `work` runs in the child
    /// only; `finished` runs in this process.
    static func run<Result: Codable>(_ tasks: [Task], jobs: Int, work: (Int) -> Result,
                                     finished: (Int, Swift.Result<Result, Failure>) -> Void) {
        precondition(isSafe, "fork with more than one thread: a child could deadlock on a lock another thread held")
        var waiting = tasks[...]
        var running: [Child] = []
        while !waiting.isEmpty || !running.isEmpty {
            while running.count < max(1, jobs), let task = waiting.popFirst() {
                running.append(start(task, work: work))
            }
            awaitOutput(of: &running)
            for index in running.indices.reversed() where running[index].isDone {
                let child = running.remove(at: index)
                finished(child.task.index, child.reap(as: Result.self))
            }
        }
    }

    /// A child at work: its pipe, what it has sent so far, when it is to be killed.
    private struct Child {
        let task: Task
        let pid: pid_t
        let pipe: Int32
        let killAt: UInt64
        var output: [UInt8] = []
        var isDone = false
        var wasKilled = false

        /// Waits for the child to exit and reads its result.
        func reap<Result: Decodable>(as: Result.Type) -> Swift.Result<Result, Failure> {
            close(pipe)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if wasKilled { return .failure(.killed) }
            let signal = status & 0x7f
            if signal != 0 { return .failure(.signal(signal)) }
            let code = (status >> 8) & 0xff
            guard code == 0, let result = try? JSONDecoder().decode(Result.self, from: Data(output)) else { return .failure(.exit(code)) }
            return .success(result)
        }
    }

    private static func start<Result: Encodable>(_ task: Task, work: (Int) -> Result) -> Child {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { fatalError("pipe failed: \(String(cString: strerror(errno)))") }
        // What this process has buffered for standard output must not be written twice.
        fflush(nil)
        let pid = fork()
        guard pid >= 0 else { fatalError("fork failed: \(String(cString: strerror(errno)))") }
        if pid == 0 {
            isChild = true
            close(ends[0])
            let data = (try? JSONEncoder().encode(work(task.index))) ?? Data()
            let written = data.withUnsafeBytes { writeAll(ends[1], $0) }
            // _exit: no atexit handlers, no flushing of the parent's buffers a second time.
            _exit(written && !data.isEmpty ? 0 : 70)
        }
        close(ends[1])
        return Child(task: task, pid: pid, pipe: ends[0],
                     killAt: monotonicNanoseconds() + UInt64(max(0, task.killAfterSeconds) * 1e9))
    }

    /// Reads what the children have written, for up to a second or until one has more to read;
    /// kills the ones past their time (their pipe then closes, which ends them here too).
    private static func awaitOutput(of running: inout [Child]) {
        let now = monotonicNanoseconds()
        for index in running.indices where !running[index].wasKilled && now >= running[index].killAt {
            kill(running[index].pid, SIGKILL)
            running[index].wasKilled = true
        }
        let nearest = running.filter { !$0.wasKilled }.map { $0.killAt > now ? $0.killAt - now : 0 }.min() ?? 1_000_000_000
        var polled = running.map { pollfd(fd: $0.pipe, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&polled, nfds_t(polled.count), Int32(min(1_000, nearest / 1_000_000 + 1)))
        guard ready > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        for index in polled.indices where polled[index].revents != 0 {
            let count = buffer.withUnsafeMutableBytes { read(polled[index].fd, $0.baseAddress, $0.count) }
            if count > 0 {
                running[index].output += buffer[0..<count]
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                running[index].isDone = true
            }
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
