import Foundation

/// The built `firedrill` in a real terminal: a private tmux server (its own socket, so tests run
/// side by side) with one 120×40 pane, driven by keystrokes and read back from the screen. Waits
/// poll the screen until what is expected shows, so a slow machine only makes a test slower.
final class TerminalSession {
    struct Timeout: Error, CustomStringConvertible {
        let expectation: String
        let screen: String
        var description: String { "timed out waiting for \(expectation); the screen was:\n\(screen)" }
    }

    /// HOME and the default XDG_STATE_HOME of the session: nothing of the real user's is read.
    let home: URL
    private let configuration: URL
    /// The tmux server's socket, inside the scratch directory so that nothing is left in /tmp.
    private let socket: URL
    /// Whether `home` was made here and is removed with the session.
    private let ownsHome: Bool
    static let timeoutSeconds = 20.0

    /// Starts `firedrill ARGUMENTS` in the pane. `NO_COLOR` is removed from the environment unless
    /// given, so a test decides whether colour is on.
    /// `afterwards` is shell text run in the pane once firedrill has left, to look at what it left
    /// behind (the terminal's modes, say).
    init(_ arguments: [String] = ["repl"], environment: [String: String] = [:], home: URL? = nil,
         afterwards: String = "") throws {
        self.home = try home ?? CommandRunner.scratchDirectory()
        ownsHome = home == nil
        configuration = self.home.appendingPathComponent("tmux.conf")
        socket = self.home.appendingPathComponent("tmux.socket")
        // remain-on-exit keeps the pane, and what firedrill printed last, after it leaves.
        try "set -g status off\nset -g remain-on-exit on\n".write(to: configuration, atomically: true, encoding: .utf8)
        var variables = ["HOME": self.home.path, "XDG_STATE_HOME": self.home.appendingPathComponent("state").path]
        variables.merge(environment) { $1 }
        let assignments = variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        // The shell reports how firedrill ended on the screen: tmux 3.3 sometimes marks a pane dead
        // without ever learning its exit status.
        let command = (["env", "-u", "NO_COLOR"] + assignments + [CommandRunner.binary.path] + arguments)
            .map(TerminalSession.quote).joined(separator: " ") + "; echo \"\(TerminalSession.exitMarker)$?]\"; " + afterwards
        try tmux(["new-session", "-d", "-x", "120", "-y", "40", command])
    }

    deinit {
        _ = try? tmux(["kill-server"])
        if ownsHome { try? FileManager.default.removeItem(at: home) }
    }

    /// Types text as it is (no key names).
    func type(_ text: String) throws { try tmux(["send-keys", "-t", socketTarget, "-l", text]) }

    /// Presses keys by tmux name: `Enter`, `Tab`, `Up`, `C-c`, `C-d`.
    func press(_ keys: String...) throws { try tmux(["send-keys", "-t", socketTarget] + keys) }

    /// The screen as text; with `escapes`, with the colour codes tmux holds for it.
    func screen(escapes: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", socketTarget] + (escapes ? ["-e"] : []))
    }

    /// Waits until the screen contains `text`, and returns the screen.
    @discardableResult
    func waitFor(_ text: String) throws -> String {
        try waitUntil("\"\(text)\"") { $0.contains(text) }
    }

    /// Waits until `condition` holds for the screen, and returns the screen.
    @discardableResult
    func waitUntil(_ expectation: String, escapes: Bool = false, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(TerminalSession.timeoutSeconds)
        while true {
            let screen = try self.screen(escapes: escapes)
            if condition(screen) { return screen }
            guard Date() < deadline else { throw Timeout(expectation: expectation, screen: screen) }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Waits until the REPL has taken the line ending in `line`: the cursor has left it. Only then
    /// is a Ctrl-C sure to stop the command rather than clear the line, since the terminal raises
    /// SIGINT as the key arrives, ahead of an Enter the REPL has not read yet.
    func waitUntilEntered(_ line: String) throws {
        _ = try waitUntilValue("\"\(line)\" to be entered") { () -> Bool? in
            let rows = try screen().components(separatedBy: "\n")
            guard let row = rows.lastIndex(where: { $0.hasSuffix(line) }) else { return nil }
            let cursor = try tmux(["display-message", "-p", "-t", socketTarget, "#{cursor_y}"])
            guard let cursorRow = Int(cursor.trimmingCharacters(in: .whitespacesAndNewlines)), cursorRow > row else { return nil }
            return true
        }
    }

    /// Presses keys again and again until the screen shows `text`: how a person uses Ctrl-C when
    /// the first press lands before the command has started.
    @discardableResult
    func press(_ key: String, until text: String) throws -> String {
        let deadline = Date().addingTimeInterval(TerminalSession.timeoutSeconds)
        while true {
            try press(key)
            let settle = Date().addingTimeInterval(0.5)
            while Date() < settle {
                let screen = try self.screen()
                if screen.contains(text) { return screen }
                Thread.sleep(forTimeInterval: 0.02)
            }
            guard Date() < deadline else { throw Timeout(expectation: "\"\(text)\" after \(key)", screen: try screen()) }
        }
    }

    /// Waits for firedrill to leave and returns its exit status.
    func waitForExit() throws -> Int32 {
        let screen = try waitFor(TerminalSession.exitMarker)
        let status = screen.components(separatedBy: TerminalSession.exitMarker).last?.prefix { $0.isNumber } ?? ""
        return Int32(status) ?? -1
    }

    static let exitMarker = "[firedrill exited with status "

    /// Sends a signal to firedrill itself (the child of the pane's shell).
    func signalFiredrill(_ signal: Int32) throws {
        let shell = try tmux(["display-message", "-p", "-t", socketTarget, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        guard let child = children.split(separator: " ").first.flatMap({ pid_t($0) }) else {
            throw Timeout(expectation: "firedrill to be running under the shell \(shell)", screen: try screen())
        }
        kill(child, signal)
    }

    private func waitUntilValue<Value>(_ expectation: String, _ probe: () throws -> Value?) throws -> Value {
        let deadline = Date().addingTimeInterval(TerminalSession.timeoutSeconds)
        while true {
            if let value = try probe() { return value }
            guard Date() < deadline else { throw Timeout(expectation: expectation, screen: try screen()) }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// The one pane of the one session (tmux names the first session "0").
    private let socketTarget = "=0:"

    /// Runs one tmux command and returns what it printed. Not through Foundation's `Process`: it
    /// learns that a child ended from a descriptor the child inherits, and the server that
    /// `new-session` starts keeps that descriptor open forever. Output goes through files for the
    /// same reason, and the signal mask is emptied so that the pane's processes can be interrupted
    /// whatever this test runner's thread blocks.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let output = home.appendingPathComponent("tmux-output-\(UUID().uuidString)")
        let errors = home.appendingPathComponent("tmux-errors-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        let status = try TerminalSession.spawnAndWait(["tmux", "-S", socket.path, "-f", configuration.path] + arguments,
                                                      output: output.path, errors: errors.path)
        guard status == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw TmuxFailure(arguments: arguments, status: status, message: message)
        }
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    private static func spawnAndWait(_ arguments: [String], output: String, errors: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let arguments = arguments.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let spawned = posix_spawnp(&pid, arguments[0]!, &actions, &attributes, arguments, environ)
        guard spawned == 0 else {
            throw TmuxFailure(arguments: arguments.compactMap { $0.map { String(cString: $0) } }, status: -1,
                              message: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // Exited normally: the status is in bits 8-15; otherwise report the signal as negative.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
    }

    struct TmuxFailure: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let message: String
        var description: String {
            "tmux \(arguments.joined(separator: " ")) exited \(status): \(message) (is tmux installed? Scripts/setup installs it)"
        }
    }

    /// Single-quotes a word for the shell tmux runs the command with.
    static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
