/// A lab that cannot be used as written: names the file, the line when it is known, and the field,
/// so the author can go straight to it: `Labs/x/lab.lua:14: steps[2].done: expected a function, got nil`.
public struct LabError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as the author would type it (`Labs/x/lab.lua`).
    public let file: String
    public let line: Int?
    /// The field path (`steps[2].done`), or nil for a problem with the whole file.
    public let field: String?
    public let problem: String

    public init(file: String, line: Int? = nil, field: String? = nil, problem: String) {
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
    }

    /// An error Lua reported itself; its message already starts with `file:line:`, which may
    /// name a module the file required rather than the file itself.
    public static func lua(file: String, message: String) -> LabError {
        LabError(file: luaFile(in: message) ?? file, problem: message)
    }

    /// The `path.lua` a Lua message starts with (`Labs/lib/runbook.lua:3: ...`), if any.
    static func luaFile(in message: String) -> String? {
        guard let colon = message.firstIndex(of: ":") else { return nil }
        let path = message[..<colon]
        let rest = message[message.index(after: colon)...]
        guard path.hasSuffix(".lua"), !path.contains(" "), rest.first?.isNumber == true else { return nil }
        return String(path)
    }

    public var description: String {
        if field == nil, line == nil, problem.hasPrefix(file + ":") { return problem }
        var location = file
        if let line { location += ":\(line)" }
        guard let field else { return location + ": " + problem }
        return location + ": " + field + ": " + problem
    }
}

/// Why a lab or session cannot be found or opened: one line a person can act on.
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
