import Foundation

/// A task executor with a thread of its own, for the API server's tasks. Swift's cooperative
/// pool has one thread per core; when a process keeps them busy with synchronous work (the test
/// suite's long simulations, two at a time on two cores), a server on that pool answers nothing
/// and kubectl's discovery times out after 32 s. The server's tasks prefer this executor instead,
/// so they run whatever holds the pool. Child tasks (one per connection) inherit the preference.
final class ServerThreadExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ServerThreadExecutor()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [unowned self] in self.runJobs() }
        thread.name = "firedrill-kubeapi"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
