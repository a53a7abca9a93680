import ArgumentParser
import Foundation
import KubeAPI
import KubeAPIServer
import Training

/// `--api`, `--api-port`, `--kubeconfig`: the world's Kubernetes API for the real kubectl.
struct APIOptions: ParsableArguments {
    @Flag(help: "Serve the world's Kubernetes API over HTTPS on 127.0.0.1, for the real kubectl in another terminal.")
    var api = false

    @Option(help: ArgumentHelp("The port for --api (default: a free one).", valueName: "port"))
    var apiPort: Int?

    @Option(help: ArgumentHelp("Where --api writes its kubeconfig (default: beside the session file).", valueName: "path"))
    var kubeconfig: String?

    func validate() throws {
        if let apiPort, !(1...65_535).contains(apiPort) { throw ValidationError("--api-port must be between 1 and 65535") }
        if !api && (apiPort != nil || kubeconfig != nil) { throw ValidationError("--api-port and --kubeconfig go with --api") }
    }
}

/// The API endpoint of this process's world, and who answers its requests: the world's owner,
/// the REPL or lab loop, between commands and while it waits for input (never a server thread).
final class APIService {
    /// The one service of this process, which the input loops serve while they wait.
    nonisolated(unsafe) static var current: APIService?

    let endpoint: KubeAPIEndpoint
    private let answer: (KubeAPIRequest) -> KubeAPIResponse

    private init(endpoint: KubeAPIEndpoint, answer: @escaping (KubeAPIRequest) -> KubeAPIResponse) {
        self.endpoint = endpoint
        self.answer = answer
    }

    /// Starts the endpoint, makes it the process's, and says how to use it (on standard error
    /// when standard output is a transcript).
    static func start(_ options: APIOptions, defaultKubeconfig: String, answer: @escaping (KubeAPIRequest) -> KubeAPIResponse) throws {
        guard options.api else { return }
        let path = options.kubeconfig ?? defaultKubeconfig
        let endpoint: KubeAPIEndpoint
        do {
            endpoint = try KubeAPIEndpoint.start(port: options.apiPort ?? 0, kubeconfigPath: path, mailbox: WorldMailbox())
        } catch {
            throw ValidationError("\(error)")
        }
        let service = APIService(endpoint: endpoint, answer: answer)
        current = service
        LineEditor.serveWhileWaiting(endpoint.mailbox.wakeDescriptor) { APIService.current?.serve() }
        let banner = "Kubernetes API on https://127.0.0.1:\(endpoint.port) for the real kubectl, in another terminal:\n  export KUBECONFIG=\(path)\n"
        if isatty(STDIN_FILENO) != 0 {
            print(banner)
        } else {
            FileHandle.standardError.write(Data(banner.utf8))
        }
    }

    /// Answers what waits.
    func serve() { endpoint.mailbox.deliver(answer) }

    /// Ends the endpoint: the session is over.
    static func stop() {
        LineEditor.serveWhileWaiting(-1, nil)
        current?.endpoint.stop()
        current = nil
    }

    /// The kubeconfig beside a session file: `monzo-20261207T140000.kubeconfig`.
    static func kubeconfigBeside(_ sessionPath: String) -> String {
        (sessionPath.hasSuffix(".jsonl") ? String(sessionPath.dropLast(6)) : sessionPath) + ".kubeconfig"
    }
}

/// Lines from standard input when it is not a terminal. With an API endpoint running, the wait
/// for a line also answers the real kubectl's requests; without one it is `readLine`.
enum InputLines {
    nonisolated(unsafe) private static var buffered: [UInt8] = []
    nonisolated(unsafe) private static var atEnd = false

    static func next() -> String? {
        guard let service = APIService.current else { return readLine(strippingNewline: true) }
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            if atEnd {
                guard !buffered.isEmpty else { return nil }
                defer { buffered.removeAll() }
                return String(decoding: buffered, as: UTF8.self)
            }
            var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: service.endpoint.mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 2, -1) >= 0 || errno == EINTR else { return nil }
            if descriptors[1].revents != 0 { service.serve() }
            if descriptors[0].revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 4_096)
                let count = read(STDIN_FILENO, &chunk, chunk.count)
                if count <= 0 { atEnd = true } else { buffered.append(contentsOf: chunk[..<count]) }
            }
        }
    }
}
