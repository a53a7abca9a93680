/// One documented name in the Lua surface: a module, a function or a command. `help()` and tab
/// completion both read these, so there is one source of truth.
public struct Topic: Sendable, Equatable {
    /// The dotted name as typed: `sim`, `sim.advance`, `kubectl`.
    public let name: String
    /// How it is called: `sim.advance(d)`.
    public let usage: String
    /// One line on what it does.
    public let summary: String
    /// More, when a line is not enough: arguments, examples.
    public let details: String

    public init(name: String, usage: String, summary: String, details: String = "") {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.details = details
    }
}

/// The documented Lua surface of a runtime, in the order it was defined.
public struct Documentation: Sendable {
    public private(set) var topics: [Topic] = []

    public init() {}

    public mutating func add(_ topic: Topic) {
        topics.removeAll { $0.name == topic.name }
        topics.append(topic)
    }

    public func topic(_ name: String) -> Topic? { topics.first { $0.name == name } }

    /// Top-level names: modules and global commands.
    public var modules: [Topic] { topics.filter { !$0.name.contains(".") } }

    public func members(of module: String) -> [Topic] {
        topics.filter { $0.name.hasPrefix(module + ".") }
    }

    /// `help()`: every module with its one-line summary.
    public func overview() -> String {
        let width = (modules.map(\.usage.count).max() ?? 0) + 2
        var lines = ["Firedrill's Lua surface. help(\"name\") tells more about any of these:", ""]
        for module in modules {
            lines.append("  " + module.usage.padding(toLength: width) + module.summary)
        }
        return lines.joined(separator: "\n")
    }

    /// `help("sim")` or `help("sim.advance")`; nil when the name is unknown.
    public func describe(_ name: String) -> String? {
        guard let topic = topic(name) else { return nil }
        var lines = [topic.usage, "  " + topic.summary]
        if !topic.details.isEmpty { lines += ["", topic.details] }
        let members = self.members(of: name)
        if !members.isEmpty {
            let width = (members.map(\.usage.count).max() ?? 0) + 2
            lines.append("")
            for member in members { lines.append("  " + member.usage.padding(toLength: width) + member.summary) }
        }
        return lines.joined(separator: "\n")
    }

    /// Names close to an unknown one, for "did you mean".
    public func suggestions(for name: String) -> [String] {
        let lowered = name.lowercased()
        return topics.map(\.name).filter { $0.lowercased().contains(lowered) || lowered.contains($0.lowercased()) }
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self + " " : self + String(repeating: " ", count: length - count)
    }
}
