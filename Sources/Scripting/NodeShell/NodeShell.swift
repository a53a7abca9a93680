import Simulation

/// A shell on one host of the platform, as an on-call engineer reaches it over ssh from the
/// bastion: a small, honest set of read-only commands against the model (`journalctl`,
/// `systemctl status`, `ss`, `netstat`, `curl` to linkerd's admin port, `ps`, `df`, `uptime`,
/// `cat /etc/hosts`), optionally piped through `grep`, `head`, `tail` or `wc -l`. Anything else
/// is `bash: X: command not found`; a command that would change the host is refused.
struct NodeShell {
    let world: World
    let host: Host

    /// The commands it knows, for completion and help.
    static let commands = ["journalctl", "systemctl", "ss", "netstat", "curl", "ps", "df", "uptime", "cat"]
    static let filters = ["grep", "head", "tail", "wc"]

    /// Reaches a host by name as ssh from the bastion would, or says why not in ssh's words.
    static func connect(_ name: String, world: World) -> Result<NodeShell, NodeShellFailure> {
        guard let host = world.host(named: name) else {
            return .failure(NodeShellFailure("ssh: Could not resolve hostname \(name): Name or service not known"))
        }
        let bastion = world.host(named: "bastion")
        guard host.isUp, bastion.map({ world.network.canReach(from: $0, to: host) }) ?? true else {
            return .failure(NodeShellFailure("ssh: connect to host \(name) port 22: Connection timed out"))
        }
        return .success(NodeShell(world: world, host: host))
    }

    /// Runs a command line: one command, optionally piped through filters.
    func run(_ line: String) -> Result<String, NodeShellFailure> {
        do {
            let stages = try NodeShell.pipeline(line)
            guard var words = stages.first, !words.isEmpty else { return .success("") }
            if words.first == "sudo" { words.removeFirst() }
            guard let command = words.first else { return .success("") }
            var output = try execute(command, Array(words.dropFirst()))
            for filter in stages.dropFirst() { output = try NodeShellFilter.apply(filter, to: output) }
            return .success(output)
        } catch let failure as NodeShellFailure {
            return .failure(failure)
        } catch {
            return .failure(NodeShellFailure("bash: \(error)"))
        }
    }

    private func execute(_ command: String, _ arguments: [String]) throws -> String {
        switch command {
        case "journalctl": return try Journalctl(shell: self).run(arguments)
        case "systemctl": return try Systemctl(shell: self).run(arguments)
        case "ss": return try SocketCommands(shell: self).ss(arguments)
        case "netstat": return try SocketCommands(shell: self).netstat(arguments)
        case "curl": return try LinkerdAdminCurl(shell: self).run(arguments)
        case "ps": return try HostCommands(shell: self).ps(arguments)
        case "df": return try HostCommands(shell: self).df(arguments)
        case "uptime": return HostCommands(shell: self).uptime()
        case "cat": return try HostCommands(shell: self).cat(arguments)
        case "reboot", "shutdown", "kill", "pkill", "rm", "docker", "kubectl", "etcdctl", "vi", "vim", "nano":
            if command == "kubectl" || command == "etcdctl" {
                throw NodeShellFailure("bash: \(command): command not found (on the platform's hosts; use \(command)(\"...\") in Lua)")
            }
            throw NodeShellFailure("bash: \(command): command not found")
        default:
            throw NodeShellFailure("bash: \(command): command not found")
        }
    }

    /// Splits a line at unquoted `|` into stages of words.
    static func pipeline(_ line: String) throws -> [[String]] {
        var stages: [String] = [""]
        var quote: Character?
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "|" {
                stages.append("")
                continue
            }
            stages[stages.count - 1].append(character)
        }
        guard quote == nil else { throw NodeShellFailure("bash: unexpected EOF while looking for matching `\(quote!)'") }
        return try stages.map { stage in
            guard let words = ShellWords.split(stage) else { throw NodeShellFailure("bash: syntax error") }
            return words
        }
    }

    // MARK: The host's clock

    var now: Int64 { world.wallMicroseconds }
    var address: String { world.address(of: host) }
}

/// What a command printed to its standard error, and its failure.
struct NodeShellFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// The filters a command's output may go through: `grep [-i] [-v] [-c] PATTERN`, `head`/`tail`
/// `[-n N | -N]`, `wc -l`.
enum NodeShellFilter {
    static func apply(_ words: [String], to text: String) throws -> String {
        guard let command = words.first else { throw NodeShellFailure("bash: syntax error near unexpected token `|'") }
        let lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let arguments = Array(words.dropFirst())
        switch command {
        case "grep": return try grep(arguments, lines)
        case "head", "tail":
            let count = try lineCount(arguments, command)
            return (command == "head" ? Array(lines.prefix(count)) : Array(lines.suffix(count))).joined(separator: "\n")
        case "wc":
            guard arguments == ["-l"] else { throw NodeShellFailure("wc: only wc -l is available here") }
            return String(lines.count)
        default:
            throw NodeShellFailure("bash: \(command): command not found")
        }
    }

    private static func grep(_ arguments: [String], _ lines: [String]) throws -> String {
        var ignoreCase = false, invert = false, countOnly = false
        var pattern: String?
        for argument in arguments {
            if argument.hasPrefix("-"), argument.count > 1, pattern == nil {
                for flag in argument.dropFirst() {
                    switch flag {
                    case "i": ignoreCase = true
                    case "v": invert = true
                    case "c": countOnly = true
                    case "E", "F": break
                    default: throw NodeShellFailure("grep: invalid option -- '\(flag)'")
                    }
                }
            } else if pattern == nil {
                pattern = argument
            } else {
                throw NodeShellFailure("grep: \(argument): No such file or directory")
            }
        }
        guard let pattern else { throw NodeShellFailure("Usage: grep [OPTION]... PATTERN [FILE]...") }
        let needle = ignoreCase ? pattern.lowercased() : pattern
        let kept = lines.filter { line in (ignoreCase ? line.lowercased() : line).contains(needle) != invert }
        return countOnly ? String(kept.count) : kept.joined(separator: "\n")
    }

    private static func lineCount(_ arguments: [String], _ command: String) throws -> Int {
        var count = 10
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-n", index + 1 < arguments.count, let value = Int(arguments[index + 1]), value >= 0 {
                count = value
                index += 2
                continue
            }
            if argument.hasPrefix("-"), let value = Int(argument.dropFirst()), value >= 0 {
                count = value
            } else if argument.hasPrefix("-n"), let value = Int(argument.dropFirst(2)), value >= 0 {
                count = value
            } else {
                throw NodeShellFailure("\(command): invalid number of lines: '\(argument)'")
            }
            index += 1
        }
        return count
    }
}

/// How the host's tools print times: syslog's `Oct 27 14:37:01`, systemd's
/// `Fri 2017-10-27 14:37:01 UTC`, and spans as systemd words them (`2 weeks 0 days`, `4h 2min`).
enum HostClock {
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let dayNames = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]

    static func calendar(_ wallMicroseconds: Int64) -> CalendarTime {
        CalendarTime(secondsSinceEpoch: wallMicroseconds.floorDivided(by: Span.microsecondsPerSecond))
    }

    /// `Oct 27 14:37:01`
    static func syslog(_ wallMicroseconds: Int64) -> String {
        let time = calendar(wallMicroseconds)
        return "\(monthNames[time.month - 1]) \(time.day < 10 ? "0" : "")\(time.day) \(time.clock)"
    }

    /// `Fri 2017-10-27 14:37:01 UTC`
    static func systemd(_ wallMicroseconds: Int64) -> String {
        let seconds = wallMicroseconds.floorDivided(by: Span.microsecondsPerSecond)
        let weekday = dayNames[Int(seconds.floorDivided(by: 86_400) % 7 + 7) % 7]
        return "\(weekday) \(calendar(wallMicroseconds)) UTC"
    }

    /// How long ago, as systemd's `format_timestamp_relative` words it: `2 weeks 0 days ago`,
    /// `1 day 4h ago`, `4h 23min ago`, `12min ago`, `1min 5s ago`, `12s ago`.
    static func ago(_ span: Int64) -> String {
        let seconds = max(0, span / Span.microsecondsPerSecond)
        let minute: Int64 = 60, hour: Int64 = 3_600, day: Int64 = 86_400, week: Int64 = 604_800
        switch seconds {
        case week...: return "\(seconds / week) weeks \(seconds % week / day) days ago"
        case (2 * day)...: return "\(seconds / day) days ago"
        case (25 * hour)...: return "1 day \((seconds - day) / hour)h ago"
        case (6 * hour)...: return "\(seconds / hour)h ago"
        case hour...: return "\(seconds / hour)h \(seconds % hour / minute)min ago"
        case (5 * minute)...: return "\(seconds / minute)min ago"
        case minute...: return "\(seconds / minute)min \(seconds % minute)s ago"
        default: return "\(seconds)s ago"
        }
    }
}
