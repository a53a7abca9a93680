/// An `etcdctl` command line split into words, command and flags the way cobra reads it, with
/// cobra's and etcdctl's own error texts for what it cannot read.
struct EtcdctlCommandLine {
    /// `member list`, `get`, ...: the command words, then its positional arguments.
    var words: [String] = []
    var flags: [String: String] = [:]

    /// Flags that take a value, and the boolean ones.
    static let valueFlags: Set<String> = [
        "endpoints", "write-out", "w", "command-timeout", "dial-timeout", "peer-urls", "rev", "limit",
    ]
    static let booleanFlags: Set<String> = ["prefix", "keys-only", "print-value-only", "cluster", "prev-kv", "help", "h"]

    static let empty = EtcdctlCommandLine(words: [], flags: [:])

    private init(words: [String], flags: [String: String]) {
        self.words = words
        self.flags = flags
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ text: String) throws(ParseError) {
        let tokens = try EtcdctlCommandLine.tokenize(text)
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            guard token.hasPrefix("-"), token.count > 1, Int(token) == nil else {
                words.append(token)
                continue
            }
            let body = token.hasPrefix("--") ? String(token.dropFirst(2)) : String(token.dropFirst())
            var name = body
            var value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            }
            if EtcdctlCommandLine.booleanFlags.contains(name) {
                flags[name] = value ?? "true"
            } else if EtcdctlCommandLine.valueFlags.contains(name) {
                if value == nil {
                    guard index < tokens.count else { throw ParseError(description: "flag needs an argument: \(token)") }
                    value = tokens[index]
                    index += 1
                }
                flags[name == "w" ? "write-out" : name] = value
            } else {
                throw ParseError(description: token.hasPrefix("--") ? "unknown flag: \(token)" : "unknown shorthand flag: '\(body.prefix(1))' in \(token)")
            }
        }
    }

    static func tokenize(_ text: String) throws(ParseError) -> [String] {
        guard let tokens = ShellWords.split(text) else { throw ParseError(description: "unterminated quote in command line") }
        return tokens
    }

    func flag(_ name: String) -> String? { flags[name] }
    func isSet(_ name: String) -> Bool { flags[name].map { $0 != "false" } ?? false }
}
