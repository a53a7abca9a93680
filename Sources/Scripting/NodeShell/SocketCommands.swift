import Simulation

/// `ss -tn` and `netstat -tn`: the host's TCP connections from the model's own (each end a
/// process still believes open), plus the ssh session node.sh arrives on; `-l`/`-a` add the
/// ports the host's processes listen on, `-p` the process holding each socket.
struct SocketCommands {
    let shell: NodeShell

    struct Flags {
        /// Without -n, addresses and well-known ports are shown by name, as /etc/hosts and /etc/services give them.
        var numeric = false
        var listening = false
        var all = false
        var processes = false
    }

    /// The sockets to show, ssh session first among equals.
    private func sockets(_ flags: Flags) -> [HostSocket] {
        var connected = shell.world.sockets(on: shell.host)
        if let bastion = shell.world.host(named: "bastion"), bastion !== shell.host {
            connected.append(HostSocket(state: "ESTAB", receiveQueue: 0, sendQueue: 0, localAddress: shell.address, localPort: 22,
                                        peerAddress: shell.world.address(of: bastion), peerPort: 51_022, processName: "sshd", pid: 4_210))
        }
        let listening = listeningSockets()
        if flags.listening { return listening }
        return flags.all ? listening + connected.sorted(by: order) : connected.sorted(by: order)
    }

    private func order(_ left: HostSocket, _ right: HostSocket) -> Bool {
        (left.localPort, left.peerAddress, left.peerPort) < (right.localPort, right.peerAddress, right.peerPort)
    }

    /// The ports the host's running processes listen on.
    private func listeningSockets() -> [HostSocket] {
        var ports: [(Int, String, Int)] = [(22, "sshd", 512)]
        for process in shell.world.processes(on: shell.host) {
            switch process.name {
            case "kubelet": ports += [(10250, "kubelet", process.pid), (10255, "kubelet", process.pid)]
            case "kube-apiserver": ports.append((443, "kube-apiserver", process.pid))
            case "etcd": ports += [(2379, "etcd", process.pid), (2380, "etcd", process.pid)]
            case "java": ports += [(4140, "java", process.pid), (4141, "java", process.pid), (9990, "java", process.pid)]
            default: break
            }
        }
        return ports.sorted { $0.0 < $1.0 }.map { port, name, pid in
            HostSocket(state: "LISTEN", receiveQueue: 0, sendQueue: 128, localAddress: "*", localPort: port,
                       peerAddress: "*", peerPort: 0, processName: name, pid: pid)
        }
    }

    private func flags(_ arguments: [String], command: String) throws -> Flags {
        var flags = Flags()
        var sawTCP = false
        for argument in arguments {
            guard argument.hasPrefix("-"), argument.count > 1 else { throw NodeShellFailure("\(command): unexpected argument '\(argument)'; try \(command) -tn") }
            for letter in argument.dropFirst() {
                switch letter {
                case "t": sawTCP = true
                case "n": flags.numeric = true
                case "e", "o", "4": break
                case "l": flags.listening = true
                case "a": flags.all = true
                case "p": flags.processes = true
                default: throw NodeShellFailure("\(command): option -\(letter) is not available here; try \(command) -tn, -tnp, -tln or -tan")
                }
            }
        }
        guard sawTCP else { throw NodeShellFailure("\(command): node.sh shows TCP sockets only; add -t (\(command) -tn)") }
        return flags
    }

    func ss(_ arguments: [String]) throws -> String {
        let flags = try self.flags(arguments, command: "ss")
        var lines = [pad("State", 10) + " " + pad("Recv-Q", 6) + " " + pad("Send-Q", 6) + " "
                     + right("Local Address:Port", 25) + "  " + pad("Peer Address:Port", 25)]
        var nextDescriptor: [Int: Int] = [:]
        for socket in sockets(flags) {
            // Each process numbers its sockets from its first free descriptor.
            let descriptor = nextDescriptor[socket.pid, default: socket.processName == "sshd" ? 3 : 9]
            nextDescriptor[socket.pid] = descriptor + 1
            var line = pad(socket.state, 10) + " " + pad(String(socket.receiveQueue), 6) + " " + pad(String(socket.sendQueue), 6) + " "
                + right("\(name(socket.localAddress, flags)):\(port(socket.localPort, flags))", 25) + "  "
                + pad("\(name(socket.peerAddress, flags)):\(port(socket.peerPort, flags))", 25)
            if flags.processes { line += " users:((\"\(socket.processName)\",pid=\(socket.pid),fd=\(descriptor)))" }
            lines.append(line)
        }
        return lines.map(trailingSpacesTrimmed).joined(separator: "\n")
    }

    func netstat(_ arguments: [String]) throws -> String {
        let flags = try self.flags(arguments, command: "netstat")
        let heading = flags.listening || flags.all ? "Active Internet connections (servers and established)" : "Active Internet connections (w/o servers)"
        var lines = [heading, "Proto Recv-Q Send-Q Local Address           Foreign Address         State      " + (flags.processes ? " PID/Program name" : "")]
        for socket in sockets(flags) {
            let local = socket.localAddress == "*" ? "0.0.0.0:\(port(socket.localPort, flags))" : "\(name(socket.localAddress, flags)):\(port(socket.localPort, flags))"
            let peer = socket.peerAddress == "*" ? "0.0.0.0:*" : "\(name(socket.peerAddress, flags)):\(port(socket.peerPort, flags))"
            let state = socket.state == "ESTAB" ? "ESTABLISHED" : socket.state
            var line = "tcp  " + right(String(socket.receiveQueue), 7) + right(String(socket.sendQueue == 128 && socket.state == "LISTEN" ? 0 : socket.sendQueue), 7)
                + " " + pad(local, 23) + " " + pad(peer, 23) + " " + pad(state, 11)
            if flags.processes { line += " \(socket.pid)/\(socket.processName)" }
            lines.append(line)
        }
        return lines.map(trailingSpacesTrimmed).joined(separator: "\n")
    }

    private func port(_ number: Int, _ flags: Flags) -> String {
        guard number != 0 else { return "*" }
        guard !flags.numeric else { return String(number) }
        return [22: "ssh", 443: "https"][number] ?? String(number)
    }

    /// An address as the resolver would name it: a host of the platform, or as it is.
    private func name(_ address: String, _ flags: Flags) -> String {
        guard !flags.numeric, address != "*" else { return address }
        return shell.world.host(atAddress: address)?.name ?? address
    }
    private func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
    private func right(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
    private func trailingSpacesTrimmed(_ line: String) -> String {
        var trimmed = Substring(line)
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}

/// `curl [-s] localhost:9990/...`: linkerd's admin port on a node, `/admin/metrics.json` (add
/// `?pretty=1` to indent it) and `/delegator.json?path=/svc/NAMESPACE/SERVICE`. Nothing else
/// listens where curl could reach it from here.
struct LinkerdAdminCurl {
    let shell: NodeShell

    func run(_ arguments: [String]) throws -> String {
        let urls = arguments.filter { !$0.hasPrefix("-") }
        for flag in arguments where flag.hasPrefix("-") && !["-s", "-S", "-sS", "-Ss", "--silent", "--show-error", "-q", "-L", "-sL"].contains(flag) {
            throw NodeShellFailure("curl: option \(flag): is not available here; try curl -s localhost:9990/admin/metrics.json")
        }
        guard urls.count == 1, let url = urls.first else { throw NodeShellFailure("curl: try 'curl --help' or 'curl --manual' for more information") }
        var rest = url
        for scheme in ["http://", "https://"] where rest.hasPrefix(scheme) { rest = String(rest.dropFirst(scheme.count)) }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let target = slash == rest.endIndex ? "/" : String(rest[slash...])
        let parts = authority.split(separator: ":")
        let hostName = String(parts.first ?? "")
        let port = parts.count > 1 ? Int(parts[1]) ?? 80 : 80
        guard ["localhost", "127.0.0.1", shell.host.name, shell.address].contains(hostName) else {
            throw NodeShellFailure("curl: (7) Failed to connect to \(hostName) port \(port): Connection refused")
        }
        guard port == 9990, let proxy = shell.world.component(Mesh.self)?.proxy(onNode: shell.host.name), proxy.isRunning else {
            throw NodeShellFailure("curl: (7) Failed to connect to \(hostName) port \(port): Connection refused")
        }
        let (path, query) = LinkerdAdminCurl.split(target)
        switch path {
        case "/admin/metrics.json":
            return metrics(proxy, pretty: query["pretty"] == "1" || query["pretty"] == "true")
        case "/delegator.json":
            guard let name = query["path"] else { return "Invalid path: null" }
            switch proxy.delegation(of: name) {
            case .tree(let json): return json
            case .timedOut: return "Request timed out."
            }
        default:
            return ""
        }
    }

    private func metrics(_ proxy: LinkerdProxy, pretty: Bool) -> String {
        let entries = proxy.adminMetrics().map { "\(LinkerdProxy.jsonString($0.name)):\(LinkerdAdminCurl.number($0.value))" }
        guard pretty else { return "{" + entries.joined(separator: ",") + "}" }
        return "{\n" + entries.map { "  " + $0.replacingColon() }.joined(separator: ",\n") + "\n}"
    }

    /// A number as finagle's JSON writes it: whole numbers without a fraction.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// `/delegator.json?path=/svc/x&namespace=outgoing` into its path and decoded query.
    static func split(_ target: String) -> (String, [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let halves = pair.split(separator: "=", maxSplits: 1)
            let key = String(halves[0])
            query[key] = halves.count > 1 ? percentDecoded(String(halves[1])) : ""
        }
        return (String(target[..<mark]), query)
    }

    private static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private extension String {
    /// `"name":1` as the pretty form writes it: `"name" : 1`.
    func replacingColon() -> String {
        guard let colon = lastIndex(of: ":") else { return self }
        return String(self[..<colon]) + " : " + String(self[index(after: colon)...])
    }
}
