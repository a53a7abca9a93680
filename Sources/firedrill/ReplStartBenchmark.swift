import CLineEdit
import Foundation

/// `repl_start_ms`: how long a trainee waits from starting `firedrill lab monzo-2017` to its first
/// prompt, measured as they meet it, in a terminal: this binary is started again on a
/// pseudo-terminal, and the clock stops when the prompt's bytes arrive. The median of several
/// starts, so one start disturbed by the machine does not decide the figure. The Monzo lab's
/// setup replays two weeks of history (the etcd resize, the scale to zero) before the prompt;
/// `repl_plain_start_ms` is the same for `firedrill repl` on the practice platform.
enum ReplStartBenchmark {
    static let timeoutSeconds = 300.0

    static func monzoLabMedianMilliseconds() throws -> Double {
        let session = FileManager.default.temporaryDirectory.appendingPathComponent("firedrill-bench-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: session) }
        return try median(starts: 3) {
            try? FileManager.default.removeItem(atPath: session)
            return ["lab", "monzo-2017", "--no-history", "--session", session]
        }
    }

    static func plainReplMedianMilliseconds() throws -> Double {
        try median(starts: 7) { ["repl", "--no-history"] }
    }

    private static func median(starts: Int, arguments: () throws -> [String]) throws -> Double {
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var samples: [Double] = []
        for _ in 0..<starts { samples.append(try millisecondsToFirstPrompt(binary: binary, arguments: try arguments())) }
        samples.sort()
        return (samples[samples.count / 2] * 10).rounded() / 10
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One start: spawn `firedrill ARGUMENTS` on a fresh pseudo-terminal, wait for `] > `, then Ctrl-D.
    static func millisecondsToFirstPrompt(binary: String, arguments: [String]) throws -> Double {
        let terminal = try PseudoTerminal()
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["TERM"] = environment["TERM"] ?? "xterm"
        let started = DispatchTime.now().uptimeNanoseconds
        let child = try terminal.spawn(binary, arguments: arguments, environment: environment)
        defer { terminal.finish(child) }
        guard terminal.read(until: "] > ", timeoutSeconds: timeoutSeconds) else {
            throw Failure(description: "firedrill \(arguments.joined(separator: " ")): no prompt within \(Int(timeoutSeconds)) s; it printed: \(terminal.received)")
        }
        return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
    }
}

/// A pseudo-terminal pair: the child gets the terminal side, this process reads the other.
final class PseudoTerminal {
    private let controller: Int32
    private let terminalPath: String
    private(set) var received = ""

    init() throws {
        var path = [CChar](repeating: 0, count: 64)
        controller = fd_open_pseudo_terminal(&path, path.count)
        guard controller >= 0 else {
            throw ReplStartBenchmark.Failure(description: "cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        terminalPath = String(decoding: path.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { close(controller) }

    /// Starts a program with the terminal as its standard input, output and error.
    func spawn(_ path: String, arguments: [String], environment: [String: String]) throws -> pid_t {
        let terminal = open(terminalPath, O_RDWR | O_NOCTTY)
        guard terminal >= 0 else {
            throw ReplStartBenchmark.Failure(description: "cannot open \(terminalPath): \(String(cString: strerror(errno)))")
        }
        defer { close(terminal) }
        _ = fd_set_terminal_size(terminal, 40, 120)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            posix_spawn_file_actions_adddup2(&actions, terminal, descriptor)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard status == 0 else {
            throw ReplStartBenchmark.Failure(description: "cannot start \(path): \(String(cString: strerror(status)))")
        }
        return child
    }

    /// Reads what the program prints until `marker` has arrived; false on timeout or end.
    func read(until marker: String, timeoutSeconds: Double) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutSeconds * 1e9)
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while !received.contains(marker) {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return false }
            var request = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, Int32((deadline - now) / 1_000_000) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            let count = Glibc.read(controller, &buffer, buffer.count)
            guard count > 0 else { return false }
            received += String(decoding: buffer[..<count], as: UTF8.self)
        }
        return true
    }

    /// Sends Ctrl-D so the REPL leaves as a trainee would make it, then reaps it; kills it if it
    /// does not go.
    func finish(_ child: pid_t) {
        var endOfInput: UInt8 = 4
        _ = write(controller, &endOfInput, 1)
        var status: Int32 = 0
        for _ in 0..<200 {
            if waitpid(child, &status, WNOHANG) == child { return }
            _ = read(until: "\u{0}never", timeoutSeconds: 0.01)
        }
        kill(child, SIGKILL)
        waitpid(child, &status, 0)
    }
}
