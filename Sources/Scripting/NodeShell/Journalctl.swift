import Simulation

/// `journalctl [-u UNIT]... [--since TIME] [--until TIME] [-n N]`: the host's journal, as the
/// units wrote it while the model ran, in journald's short format:
/// `Oct 27 14:37:01 node-7 kubelet[1234]: E1027 14:37:01.123456    1234 ...`.
struct Journalctl {
    let shell: NodeShell

    struct Options {
        var units: [String] = []
        var since: Int64?
        var until: Int64?
        var lines: Int?
    }

    func run(_ arguments: [String]) throws -> String {
        let options = try parse(arguments)
        let journal = shell.host.journal
        let units = options.units.isEmpty ? journal.units : options.units
        var entries = units.flatMap { journal.entries(unit: $0) }
        let everything = journal.units.flatMap { journal.entries(unit: $0) }
        // Units interleave by time; within one time, each unit keeps its own order.
        entries = entries.enumerated().sorted { ($0.element.wallMicroseconds, $0.offset) < ($1.element.wallMicroseconds, $1.offset) }.map(\.element)
        if let since = options.since { entries = entries.filter { $0.wallMicroseconds >= since } }
        if let until = options.until { entries = entries.filter { $0.wallMicroseconds <= until } }
        if let lines = options.lines { entries = Array(entries.suffix(lines)) }
        var output: [String] = []
        if let first = everything.map(\.wallMicroseconds).min(), let last = everything.map(\.wallMicroseconds).max() {
            output.append("-- Logs begin at \(HostClock.systemd(first)), end at \(HostClock.systemd(last)). --")
        }
        guard !entries.isEmpty else { return (output + ["-- No entries --"]).joined(separator: "\n") }
        output += entries.map { format($0) }
        return output.joined(separator: "\n")
    }

    func format(_ entry: Journal.Entry) -> String {
        "\(HostClock.syslog(entry.wallMicroseconds)) \(shell.host.name) \(entry.identifier)[\(entry.pid)]: \(entry.message)"
    }

    private func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var index = 0
        func value(_ flag: String) throws -> String {
            guard index + 1 < arguments.count else { throw NodeShellFailure("journalctl: option '\(flag)' requires an argument") }
            index += 1
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-u", "--unit": options.units.append(Journalctl.unit(try value(argument)))
            case "-S", "--since": options.since = try time(try value(argument), flag: "--since")
            case "-U", "--until": options.until = try time(try value(argument), flag: "--until")
            case "-n", "--lines": options.lines = try count(try value(argument))
            case "--no-pager", "-l", "--full", "-a", "--all", "-q", "--quiet", "-x", "--catalog": break
            case "-e", "--pager-end": options.lines = options.lines ?? 1_000
            case "-f", "--follow":
                throw NodeShellFailure("journalctl: --follow waits for new lines, which node.sh cannot show; run it again after sim.advance(...)")
            default:
                if argument.hasPrefix("--unit=") { options.units.append(Journalctl.unit(String(argument.dropFirst(7)))) }
                else if argument.hasPrefix("-u"), argument.count > 2 { options.units.append(Journalctl.unit(String(argument.dropFirst(2)))) }
                else if argument.hasPrefix("--since=") { options.since = try time(String(argument.dropFirst(8)), flag: "--since") }
                else if argument.hasPrefix("--until=") { options.until = try time(String(argument.dropFirst(8)), flag: "--until") }
                else if argument.hasPrefix("--lines=") { options.lines = try count(String(argument.dropFirst(8))) }
                else if argument.hasPrefix("-n"), argument.count > 2 { options.lines = try count(String(argument.dropFirst(2))) }
                else if argument.hasPrefix("-") { throw NodeShellFailure("journalctl: unrecognized option '\(argument)'") }
                else { throw NodeShellFailure("Failed to add match '\(argument)': Invalid argument") }
            }
            index += 1
        }
        return options
    }

    /// `kubelet.service` and `kubelet` are the same unit.
    static func unit(_ name: String) -> String { name.hasSuffix(".service") ? String(name.dropLast(8)) : name }

    private func count(_ text: String) throws -> Int {
        guard let number = Int(text), number >= 0 else { throw NodeShellFailure("Failed to parse lines '\(text)'") }
        return number
    }

    /// The times journalctl takes: `2017-10-27 14:18:00`, `2017-10-27 14:18`, `14:18`,
    /// `14:18:30`, `today`, `yesterday`, `now`, `10 min ago`, `-10m`, `1h ago`.
    func time(_ text: String, flag: String) throws -> Int64 {
        let trimmed = text.lowercased()
        let now = shell.now
        let today = HostClock.calendar(now)
        let midnight = CalendarTime(year: today.year, month: today.month, day: today.day).secondsSinceEpoch * Span.microsecondsPerSecond
        switch trimmed {
        case "now": return now
        case "today": return midnight
        case "yesterday": return midnight - Span.days(1)
        case "tomorrow": return midnight + Span.days(1)
        default: break
        }
        if let ago = Journalctl.relative(trimmed) { return now - ago }
        if let calendar = CalendarTime(parsing: text) { return calendar.secondsSinceEpoch * Span.microsecondsPerSecond }
        if let clock = CalendarTime(parsing: "\(today.date) \(text)") { return clock.secondsSinceEpoch * Span.microsecondsPerSecond }
        throw NodeShellFailure("Failed to parse timestamp: \(text)")
    }

    /// `10 min ago`, `2 hours ago`, `-5m`, `-1h30m`: how far back, or nil.
    static func relative(_ text: String) -> Int64? {
        if text.hasPrefix("-"), let span = Span.parse(String(text.dropFirst())) { return span }
        guard text.hasSuffix(" ago") else { return nil }
        let words = text.dropLast(4).split(separator: " ")
        guard words.count == 2 || words.count == 1 else { return nil }
        let joined = words.count == 2 ? String(words[0]) + String(words[1]) : String(words[0])
        let units: [(String, String)] = [("minutes", "m"), ("minute", "m"), ("mins", "m"), ("min", "m"), ("hours", "h"), ("hour", "h"),
                                         ("seconds", "s"), ("second", "s"), ("sec", "s"), ("days", "d"), ("day", "d")]
        for (word, unit) in units where joined.hasSuffix(word) {
            return Span.parse(String(joined.dropLast(word.count)) + unit)
        }
        return Span.parse(joined)
    }
}

/// `systemctl status|is-active UNIT`: what systemd knows of a unit, from the model's process
/// (running since when, or stopped or failed since when) and its last journal lines.
struct Systemctl {
    let shell: NodeShell

    /// The units a host has: the kubelet and docker on nodes and masters, etcd on etcd hosts, ssh everywhere.
    var units: [String] {
        var units = ["ssh"]
        if service("kubelet") != nil { units += ["docker", "kubelet"] }
        if service("etcd") != nil { units.append("etcd") }
        return units.sorted()
    }

    func run(_ arguments: [String]) throws -> String {
        let words = arguments.filter { !$0.hasPrefix("-") }
        guard let verb = words.first else { throw NodeShellFailure("systemctl: node.sh shows `systemctl status UNIT` and `systemctl is-active UNIT`") }
        let names = words.dropFirst().map(Journalctl.unit)
        switch verb {
        case "status":
            guard !names.isEmpty else { throw NodeShellFailure("systemctl: name a unit: systemctl status kubelet") }
            return try names.map(status).joined(separator: "\n\n")
        case "is-active":
            return names.map { state($0).active }.joined(separator: "\n")
        case "start", "stop", "restart", "reload", "enable", "disable", "kill", "mask", "daemon-reload":
            throw NodeShellFailure("systemctl \(verb): node.sh is read-only; change the platform from Lua (faults.restart(\"\(shell.host.name)\"), kubectl, etcd.start)")
        default:
            throw NodeShellFailure("Unknown operation '\(verb)'.")
        }
    }

    private func service(_ unit: String) -> (any SystemdService)? {
        shell.host.processes.compactMap { $0 as? any SystemdService }.last { $0.unitName == unit }
    }

    /// `active`/`inactive`/`failed`, and the line systemd shows for it.
    private func state(_ unit: String) -> (active: String, line: String) {
        let boot = shell.host.bootedAtWallMicroseconds
        switch unit {
        case "ssh", "docker":
            return ("active", "active (running) since \(HostClock.systemd(boot)); \(HostClock.ago(shell.now - boot))")
        default:
            guard let service = service(unit) else { return ("inactive", "inactive (dead)") }
            if service.isRunning {
                let since = service.startedAtWallMicroseconds
                return ("active", "active (running) since \(HostClock.systemd(since)); \(HostClock.ago(shell.now - since))")
            }
            let last = shell.host.journal.entries(unit: unit).last { $0.identifier == "systemd" }
            let since = last.map { " since \(HostClock.systemd($0.wallMicroseconds)); \(HostClock.ago(shell.now - $0.wallMicroseconds))" } ?? ""
            if last?.message.contains("status=1/FAILURE") == true { return ("failed", "failed (Result: exit-code)\(since)") }
            return ("inactive", "inactive (dead)\(since)")
        }
    }

    private func status(_ unit: String) throws -> String {
        guard units.contains(unit) else { throw NodeShellFailure("Unit \(unit).service could not be found.") }
        let descriptions = ["ssh": "OpenBSD Secure Shell server", "docker": "Docker Application Container Engine"]
        let process = service(unit)
        let description = process?.unitDescription ?? descriptions[unit] ?? unit
        let running = state(unit).active == "active"
        var lines = [
            "\(running ? "●" : "○") \(unit).service - \(description)",
            "   Loaded: loaded (/etc/systemd/system/\(unit).service; enabled; vendor preset: enabled)",
            "   Active: \(state(unit).line)",
        ]
        if unit == "kubelet" { lines.append("     Docs: https://github.com/kubernetes/kubernetes") }
        if unit == "etcd" { lines.append("     Docs: https://github.com/coreos/etcd") }
        if running, let process {
            lines.append(" Main PID: \(process.pid) (\(unit))")
            lines.append("   CGroup: /system.slice/\(unit).service")
            lines.append("           └─\(process.pid) \(process.commandLine)")
        }
        let recent = shell.host.journal.entries(unit: unit).suffix(10)
        if !recent.isEmpty {
            lines.append("")
            let journal = Journalctl(shell: shell)
            lines += recent.map(journal.format)
        }
        return lines.joined(separator: "\n")
    }
}
