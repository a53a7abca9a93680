import Simulation

/// `ps`, `df`, `uptime` and `cat /etc/hosts` on a host. Processes, disks and addresses come from
/// the model; CPU and memory figures are nominal, as the model does not simulate them.
struct HostCommands {
    let shell: NodeShell

    /// The session's own processes: the login shell and the command being run.
    private var sessionProcesses: [HostProcess] {
        let started = shell.now - Span.seconds(1)
        return [HostProcess(user: "admin", pid: 4_242, name: "bash", commandLine: "-bash", startedAtWallMicroseconds: started, cpuPercent: 0, memoryPercent: 0.1),
                HostProcess(user: "admin", pid: 4_250, name: "ps", commandLine: "ps", startedAtWallMicroseconds: shell.now, cpuPercent: 0, memoryPercent: 0)]
    }

    func ps(_ arguments: [String]) throws -> String {
        let style = arguments.joined(separator: " ")
        switch style {
        case "":
            return (["  PID TTY          TIME CMD"] + sessionProcesses.map { right(String($0.pid), 5) + " pts/0    00:00:00 " + $0.name })
                .joined(separator: "\n")
        case "aux", "-aux", "auxww", "-auxww", "axu", "aux -w", "auxw":
            return aux()
        case "-ef", "-eF", "-e -f", "-efww", "-A -f", "ax", "-e", "-A":
            return fullFormat()
        default:
            throw NodeShellFailure("error: node.sh shows ps, ps aux and ps -ef")
        }
    }

    private var processes: [HostProcess] { shell.world.processes(on: shell.host) + sessionProcesses }

    private func aux() -> String {
        let memory = shell.world.memoryBytes(of: shell.host)
        var lines = ["USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"]
        for process in processes {
            let resident = Int64(process.memoryPercent / 100 * Double(memory)) / 1_024
            let virtual = max(resident * 3, 4_000)
            let tty = process.user == "admin" ? "pts/0   " : "?       "
            let state = process.pid == 1 || process.name == "sshd" ? "Ss  " : process.name == "ps" ? "R+  " : "Ssl "
            lines.append(pad(process.user, 8) + right(String(process.pid), 6) + right(percent(process.cpuPercent), 5)
                         + right(percent(process.memoryPercent), 5) + right(String(virtual), 7) + right(String(resident), 6) + " "
                         + tty + " " + state + " " + pad(start(process.startedAtWallMicroseconds), 5) + right(cpuTime(process, minutes: true), 7)
                         + " " + process.commandLine)
        }
        return lines.joined(separator: "\n")
    }

    private func fullFormat() -> String {
        var lines = ["UID        PID  PPID  C STIME TTY          TIME CMD"]
        for process in processes {
            let parent = process.pid == 1 ? 0 : process.user == "admin" ? (process.name == "ps" ? 4_242 : 4_210) : 1
            let tty = process.user == "admin" ? "pts/0   " : "?       "
            lines.append(pad(process.user, 8) + right(String(process.pid), 6) + right(String(parent), 6)
                         + right(String(Int(process.cpuPercent)), 3) + " " + pad(start(process.startedAtWallMicroseconds), 5) + " " + tty
                         + right(cpuTime(process, minutes: false), 9) + " " + process.commandLine)
        }
        return lines.joined(separator: "\n")
    }

    /// `14:26` for today, `Oct13` before.
    private func start(_ wallMicroseconds: Int64) -> String {
        let time = HostClock.calendar(wallMicroseconds)
        let today = HostClock.calendar(shell.now)
        if time.date == today.date { return String(time.clock.prefix(5)) }
        return "\(HostClock.monthNames[time.month - 1])\(time.day < 10 ? "0" : "")\(time.day)"
    }

    /// CPU time consumed at the process's nominal share since it started.
    private func cpuTime(_ process: HostProcess, minutes: Bool) -> String {
        let seconds = Int64(Double(max(0, shell.now - process.startedAtWallMicroseconds)) / 1e6 * process.cpuPercent / 100)
        if minutes { return "\(seconds / 60):\(two(seconds % 60))" }
        return "\(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    func df(_ arguments: [String]) throws -> String {
        let human = arguments.contains { $0.hasPrefix("-") && $0.contains("h") }
        for argument in arguments where !argument.hasPrefix("-") {
            throw NodeShellFailure("df: node.sh shows every filesystem: df -h")
        }
        let memory = shell.world.memoryBytes(of: shell.host)
        var rows: [(String, Int64, Int64, String)] = [("udev", memory / 2, 0, "/dev"), ("tmpfs", memory / 10, 9 << 20, "/run")]
        for disk in shell.world.disks(on: shell.host) { rows.append((disk.device, disk.sizeBytes, disk.usedBytes, disk.mountPoint)) }
        rows.append(("tmpfs", memory / 2, 0, "/dev/shm"))
        var lines = [human ? "Filesystem      Size  Used Avail Use% Mounted on" : "Filesystem     1K-blocks     Used Available Use% Mounted on"]
        for (device, size, used, mount) in rows {
            let available = size - used
            let use = size == 0 ? 0 : Int((Double(used) / Double(size) * 100).rounded(.up))
            if human {
                lines.append(pad(device, 15) + right(humanSize(size), 5) + right(humanSize(used), 6) + right(humanSize(available), 6) + right("\(use)%", 5) + " " + mount)
            } else {
                lines.append(pad(device, 14) + right(String(size / 1_024), 10) + right(String(used / 1_024), 9) + right(String(available / 1_024), 10)
                             + right("\(use)%", 5) + " " + mount)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A size as `df -h` prints it: `20G`, `3.2G`, `9.0M`, `0`.
    private func humanSize(_ bytes: Int64) -> String {
        guard bytes > 0 else { return "0" }
        let units = ["K", "M", "G", "T"]
        var value = Double(bytes) / 1_024
        var unit = 0
        while value >= 1_024, unit < units.count - 1 { value /= 1_024; unit += 1 }
        if value < 10 { return "\(Double((value * 10).rounded(.up)) / 10)\(units[unit])" }
        return "\(Int(value.rounded(.up)))\(units[unit])"
    }

    func uptime() -> String {
        let now = HostClock.calendar(shell.now)
        let up = max(0, shell.now - shell.host.bootedAtWallMicroseconds) / Span.microsecondsPerSecond
        let days = up / 86_400, hours = up % 86_400 / 3_600, minutes = up % 3_600 / 60
        var duration = days > 0 ? "\(days) day\(days == 1 ? "" : "s"), " : ""
        duration += hours > 0 ? "\(right(String(hours), 2)):\(two(minutes))" : "\(minutes) min"
        let load = shell.world.processes(on: shell.host).reduce(0) { $0 + $1.cpuPercent } / 100 * 1.6
        let averages = [load, load * 0.93, load * 0.88].map { String(format2($0)) }.joined(separator: ", ")
        return " \(now.clock) up \(duration),  1 user,  load average: \(averages)"
    }

    func cat(_ arguments: [String]) throws -> String {
        guard let file = arguments.first, arguments.count == 1 else { throw NodeShellFailure("cat: node.sh shows cat /etc/hosts and cat /etc/hostname") }
        switch file {
        case "/etc/hosts":
            var lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "ff02::1\tip6-allnodes", "ff02::2\tip6-allrouters", "",
                         "# The platform's hosts (Ansible managed)"]
            for host in shell.world.hosts.values { lines.append("\(shell.world.address(of: host))\t\(host.name)") }
            return lines.joined(separator: "\n")
        case "/etc/hostname":
            return shell.host.name
        default:
            throw NodeShellFailure("cat: \(file): Permission denied (node.sh shows /etc/hosts and /etc/hostname)")
        }
    }

    private func percent(_ value: Double) -> String { String(format2(value, digits: 1)) }
    private func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
    private func right(_ text: String, _ width: Int) -> String { text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text }

    /// A number with a fixed count of decimals, without Foundation's formatter.
    private func format2(_ value: Double, digits: Int = 2) -> String {
        let scale = digits == 1 ? 10.0 : 100.0
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale), fraction = scaled % Int64(scale)
        let fractionText = String(fraction)
        return "\(whole).\(String(repeating: "0", count: digits - fractionText.count))\(fractionText)"
    }
}
