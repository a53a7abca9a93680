import Foundation
import KubeAPI

/// A kubectl binary run against an endpoint whose world the calling thread owns: kubectl runs as
/// a child process, and the caller's thread answers its requests (as the REPL loop does) until it
/// exits. For the real-kubectl tests and `firedrill bench api_request_us`.
public final class KubectlRunner {
    public let kubectl: String
    public let endpoint: KubeAPIEndpoint
    /// Holds the kubeconfig, kubectl's discovery cache and its outputs.
    public let folder: URL
    private let answer: (KubeAPIRequest) -> KubeAPIResponse
    /// Longest one kubectl run may take before it is stopped.
    public static let patienceSeconds = 300.0

    /// For a thread of its own (see `KubeAPIEndpoint.start`).
    public convenience init(kubectl: String, answer: @escaping (KubeAPIRequest) -> KubeAPIResponse) throws {
        let folder = try KubectlRunner.makeFolder()
        let endpoint = try KubeAPIEndpoint.start(kubeconfigPath: folder.appendingPathComponent("kubeconfig").path, mailbox: WorldMailbox())
        self.init(kubectl: kubectl, endpoint: endpoint, folder: folder, answer: answer)
    }

    /// For a caller on Swift's cooperative pool (a test).
    public static func make(kubectl: String, answer: @escaping (KubeAPIRequest) -> KubeAPIResponse) async throws -> KubectlRunner {
        let folder = try makeFolder()
        let endpoint = try await KubeAPIEndpoint.start(kubeconfigPath: folder.appendingPathComponent("kubeconfig").path, mailbox: WorldMailbox())
        return KubectlRunner(kubectl: kubectl, endpoint: endpoint, folder: folder, answer: answer)
    }

    private init(kubectl: String, endpoint: KubeAPIEndpoint, folder: URL, answer: @escaping (KubeAPIRequest) -> KubeAPIResponse) {
        (self.kubectl, self.endpoint, self.folder, self.answer) = (kubectl, endpoint, folder, answer)
    }

    private static func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("firedrill-kubectl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    deinit {
        endpoint.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The kubectl on PATH, or nil.
    public static func onPath() -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/kubectl"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    public struct Run: Sendable {
        public let status: Int32
        public let output: String
        public let error: String
    }

    /// `kubectl ARGUMENTS` with this endpoint's kubeconfig and a discovery cache of its own,
    /// answered on this thread. `usesEndpoint` false runs it without one (`kubectl version
    /// --client`, to time start-up).
    public func run(_ arguments: [String], usesEndpoint: Bool = true) throws -> Run {
        let started = try launch(arguments, usesEndpoint: usesEndpoint)
        while started.process.isRunning {
            var descriptor = pollfd(fd: endpoint.mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 5)
            serve(started)
        }
        return try finish(started)
    }

    /// `run` for a caller on Swift's cooperative pool (a test). The answering loop runs on a
    /// thread of its own: on a 2-core machine the pool has two threads, and when other tests
    /// hold both with long synchronous work, a loop that waited on the pool answered nothing
    /// until kubectl gave up (its discovery timed out after 32 s). Nothing else touches the
    /// world while the caller awaits.
    public func run(_ arguments: [String]) async throws -> Run {
        nonisolated(unsafe) let runner = self
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runner.run(arguments, usesEndpoint: true) })
            }
            thread.name = "kubectl-runner"
            thread.start()
        }
    }

    public func run(_ line: String) async throws -> Run { try await run(line.split(separator: " ").map(String.init)) }

    private struct Started {
        let process: Process
        let output: URL
        let error: URL
        let deadline: Date
    }

    private func launch(_ arguments: [String], usesEndpoint: Bool) throws -> Started {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = (usesEndpoint ? ["--kubeconfig", endpoint.kubeconfigPath, "--cache-dir", folder.appendingPathComponent("cache").path] : [])
            + arguments
        let output = folder.appendingPathComponent("stdout")
        let error = folder.appendingPathComponent("stderr")
        for file in [output, error] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: error)
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = folder.path
        environment.removeValue(forKey: "KUBECONFIG")
        process.environment = environment
        try process.run()
        return Started(process: process, output: output, error: error, deadline: Date().addingTimeInterval(KubectlRunner.patienceSeconds))
    }

    private func serve(_ started: Started) {
        endpoint.mailbox.deliver(answer)
        if Date() > started.deadline { started.process.terminate() }
    }

    private func finish(_ started: Started) throws -> Run {
        endpoint.mailbox.deliver(answer)
        return Run(status: started.process.terminationStatus, output: try String(contentsOf: started.output, encoding: .utf8),
                   error: try String(contentsOf: started.error, encoding: .utf8))
    }

}
