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

    public init(kubectl: String, answer: @escaping (KubeAPIRequest) -> KubeAPIResponse) throws {
        self.kubectl = kubectl
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("firedrill-kubectl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        endpoint = try KubeAPIEndpoint.start(kubeconfigPath: folder.appendingPathComponent("kubeconfig").path, mailbox: WorldMailbox())
        self.answer = answer
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

    /// `kubectl ARGUMENTS` with this endpoint's kubeconfig and a discovery cache of its own.
    /// `usesEndpoint` false runs it without one (`kubectl version --client`, to time start-up).
    public func run(_ arguments: [String], usesEndpoint: Bool = true) throws -> Run {
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
        let deadline = Date().addingTimeInterval(KubectlRunner.patienceSeconds)
        while process.isRunning {
            var descriptor = pollfd(fd: endpoint.mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 5)
            endpoint.mailbox.deliver(answer)
            if Date() > deadline { process.terminate() }
        }
        endpoint.mailbox.deliver(answer)
        return Run(status: process.terminationStatus, output: try String(contentsOf: output, encoding: .utf8),
                   error: try String(contentsOf: error, encoding: .utf8))
    }

    public func run(_ line: String) throws -> Run { try run(line.split(separator: " ").map(String.init)) }
}
