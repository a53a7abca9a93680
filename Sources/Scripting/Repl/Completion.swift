/// One name Tab can offer, with what completion needs to finish it and to describe it.
public struct CompletionCandidate: Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// A table: completing it adds `.`, ready for a field.
        case table
        /// A function: completing it adds `(`.
        case function
        /// Any other value.
        case value
        /// A Lua keyword (`function`, `local`, ...).
        case keyword
        /// A word inside a command string, from a `CommandCompletion`.
        case word
    }

    public let text: String
    public let kind: Kind
    /// The one-line summary from `help`, when the name is documented.
    public let summary: String?

    public init(_ text: String, kind: Kind, summary: String? = nil) {
        self.text = text
        self.kind = kind
        self.summary = summary
    }
}

/// What completion can see of the Lua world: the names in the table reached from the globals by a
/// path of fields. The REPL reads a live state (`LuaNameSource`); tests use a `CompletionSnapshot`.
public protocol CompletionNameSource {
    /// The names in the value at `path` (empty: the globals), including those it inherits through
    /// `__index` tables; for a string value, the string library's, as `s:upper()` finds them.
    /// Empty when there is nothing at the path or it has no fields.
    func names(at path: [String]) -> [CompletionCandidate]
}

/// A fixed set of names by dotted path (`""` for the globals): completion without a Lua state.
public struct CompletionSnapshot: CompletionNameSource {
    public var tables: [String: [CompletionCandidate]]

    public init(_ tables: [String: [CompletionCandidate]]) { self.tables = tables }

    public func names(at path: [String]) -> [CompletionCandidate] {
        tables[path.joined(separator: ".")] ?? []
    }
}

/// The outcome of Tab: which text before the cursor to replace, with what, and the candidates.
public struct CompletionResult: Equatable, Sendable {
    /// The start of the name or word under the cursor, which `replacement` replaces.
    public let partial: String
    /// The candidates that start with `partial`, sorted.
    public let candidates: [CompletionCandidate]
    /// The one candidate with its suffix (`(`, `.`, a space, the closing quote), or the longest
    /// start the candidates share.
    public let replacement: String

    public init(partial: String, candidates: [CompletionCandidate], replacement: String) {
        self.partial = partial
        self.candidates = candidates
        self.replacement = replacement
    }

    /// True when Tab changes the line; otherwise it lists the candidates (or there are none).
    public var extendsInput: Bool { replacement != partial }
}

/// Tab completion as pure functions of the text before the cursor and what is known about names:
/// globals, table fields after `.` and `:` (following `__index` tables), documented modules and
/// functions, Lua keywords, and words inside the strings of commands that registered a
/// `CommandCompletion`. The REPL works out its own word boundaries here rather than relying on
/// libedit's word-break characters, which would split `sim.adv` and `"get po` in the wrong places.
public enum Completer {
    /// Completes the text before the cursor (`head`); nil when the cursor is somewhere completion
    /// has nothing to say (a comment, a number, after `)`).
    public static func complete(head: String, names: CompletionNameSource, documentation: Documentation,
                                commands: [String: any CommandCompletion]) -> CompletionResult? {
        let characters = Array(head)
        switch LexicalPosition.of(characters) {
        case .comment:
            return nil
        case .string(let contentStart, let opener, let closer):
            guard let (command, arguments) = call(before: opener, in: characters), let provider = commands[command] else {
                return nil
            }
            return completeWord(typed: String(characters[contentStart...]), command: command, arguments: arguments,
                                provider: provider, closer: closer)
        case .code:
            guard let expression = Expression.atEnd(of: characters) else { return nil }
            return completeName(expression, names: names, documentation: documentation)
        }
    }

    // MARK: Names

    private static func completeName(_ expression: Expression, names: CompletionNameSource,
                                     documentation: Documentation) -> CompletionResult {
        var candidates = available(at: expression.path, names: names, documentation: documentation)
        if expression.isMethodCall { candidates = candidates.filter { $0.kind == .function } }
        let showsPrivate = expression.partial.hasPrefix("_")
        let matches = candidates.filter {
            $0.text.hasPrefix(expression.partial) && (showsPrivate || !$0.text.hasPrefix("_"))
        }
        return result(partial: expression.partial, matches: matches) { candidate in
            switch candidate.kind {
            case .function: "("
            case .table: "."
            case .value, .keyword, .word: ""
            }
        }
    }

    /// Every name at a path: live names, documented names, and keywords for a bare name. A name
    /// both live and documented keeps its live kind and gains the documented summary.
    static func available(at path: [String], names: CompletionNameSource,
                          documentation: Documentation) -> [CompletionCandidate] {
        let prefix = path.isEmpty ? "" : path.joined(separator: ".") + "."
        var documented: [String: Topic] = [:]
        for topic in documentation.topics where topic.name.hasPrefix(prefix) {
            let rest = String(topic.name.dropFirst(prefix.count))
            if !rest.isEmpty, !rest.contains(".") { documented[rest] = topic }
        }
        var byName: [String: CompletionCandidate] = [:]
        for (name, topic) in documented {
            let kind: CompletionCandidate.Kind = topic.usage.contains("(") ? .function : .table
            byName[name] = CompletionCandidate(name, kind: kind, summary: topic.summary)
        }
        for live in names.names(at: path) {
            byName[live.text] = CompletionCandidate(live.text, kind: live.kind, summary: documented[live.text]?.summary)
        }
        if path.isEmpty {
            for keyword in LuaValue.reservedWords where byName[keyword] == nil {
                byName[keyword] = CompletionCandidate(keyword, kind: .keyword)
            }
        }
        return Array(byName.values)
    }

    // MARK: Command strings

    private static func completeWord(typed: String, command: String, arguments: [String], provider: any CommandCompletion,
                                     closer: String) -> CompletionResult {
        var words = typed.split(whereSeparator: \.isWhitespace).map(String.init)
        var partial = ""
        if let last = typed.last, !last.isWhitespace, !words.isEmpty { partial = words.removeLast() }
        let request = CommandCompletionRequest(command: command, words: words, partial: partial, arguments: arguments)
        let matches = Set(provider.candidates(for: request).filter { $0.hasPrefix(partial) })
            .map { CompletionCandidate($0, kind: .word) }
        return result(partial: partial, matches: matches) { candidate in
            if candidate.text.hasSuffix("/") || candidate.text.hasSuffix("=") { return "" }
            return provider.takesOneWord(for: request) ? closer : " "
        }
    }

    /// The dotted name a string is passed to and the string arguments before it:
    /// `node.sh("node-7", "…"` is `node.sh` with `["node-7"]`.
    static func call(before opener: Int, in characters: [Character]) -> (String, [String])? {
        var end = opener
        var arguments: [String] = []
        func skipSpaces() { while end > 0, characters[end - 1].isWhitespace { end -= 1 } }
        skipSpaces()
        while end > 0, characters[end - 1] == "," {
            end -= 1
            skipSpaces()
            guard end > 0, characters[end - 1] == "\"" || characters[end - 1] == "'" else { return nil }
            let quote = characters[end - 1]
            var start = end - 1
            while start > 0, characters[start - 1] != quote || (start > 1 && characters[start - 2] == "\\") { start -= 1 }
            guard start > 0 else { return nil }
            arguments.insert(String(characters[start..<(end - 1)]), at: 0)
            end = start - 1
            skipSpaces()
            if arguments.count > 8 { return nil }
        }
        guard let name = callee(before: end, in: characters) else { return nil }
        if !arguments.isEmpty, end == 0 || characters[end - 1] != "(" { return nil }
        return (name, arguments)
    }

    /// The dotted name a string is passed to: `kubectl "…"`, `kubectl("…"`, `faults.partition{"…"`.
    static func callee(before opener: Int, in characters: [Character]) -> String? {
        var end = opener
        func skipSpaces() { while end > 0, characters[end - 1].isWhitespace { end -= 1 } }
        skipSpaces()
        if end > 0, characters[end - 1] == "(" || characters[end - 1] == "{" {
            end -= 1
            skipSpaces()
        }
        var start = end
        while start > 0, Expression.isNameCharacter(characters[start - 1]) || characters[start - 1] == "." {
            start -= 1
        }
        guard start < end else { return nil }
        return String(characters[start..<end])
    }

    // MARK: Results

    private static func result(partial: String, matches: [CompletionCandidate],
                               suffix: (CompletionCandidate) -> String) -> CompletionResult {
        let sorted = matches.sorted { $0.text < $1.text }
        guard let first = sorted.first else {
            return CompletionResult(partial: partial, candidates: [], replacement: partial)
        }
        if sorted.count == 1 {
            return CompletionResult(partial: partial, candidates: sorted, replacement: first.text + suffix(first))
        }
        let shared = sorted.dropFirst().reduce(first.text) { commonStart($0, $1.text) }
        return CompletionResult(partial: partial, candidates: sorted, replacement: shared)
    }

    static func commonStart(_ left: String, _ right: String) -> String {
        String(zip(left, right).prefix { $0 == $1 }.map(\.0))
    }
}

/// Where the cursor is, lexically: in code, in a comment, or inside a string literal.
enum LexicalPosition: Equatable {
    case code
    case comment
    /// Inside a string whose text starts at `contentStart`, opened at `opener` and closed by `closer`.
    case string(contentStart: Int, opener: Int, closer: String)

    /// Scans a line the way Lua's lexer would, as far as strings and comments go.
    static func of(_ characters: [Character]) -> LexicalPosition {
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "-", index + 1 < characters.count, characters[index + 1] == "-" {
                guard let level = longBracketLevel(characters, at: index + 2),
                      let end = closingLongBracket(characters, from: index + 4 + level, level: level) else {
                    return .comment
                }
                index = end
            } else if character == "\"" || character == "'" {
                guard let end = closingQuote(characters, from: index + 1, quote: character) else {
                    return .string(contentStart: index + 1, opener: index, closer: String(character))
                }
                index = end
            } else if let level = longBracketLevel(characters, at: index) {
                let contentStart = index + 2 + level
                guard let end = closingLongBracket(characters, from: contentStart, level: level) else {
                    let closer = "]" + String(repeating: "=", count: level) + "]"
                    return .string(contentStart: min(contentStart, characters.count), opener: index, closer: closer)
                }
                index = end
            } else {
                index += 1
            }
        }
        return .code
    }

    /// The index just past a short string's closing quote, or nil if it is still open.
    private static func closingQuote(_ characters: [Character], from start: Int, quote: Character) -> Int? {
        var index = start
        while index < characters.count {
            if characters[index] == "\\" { index += 2; continue }
            if characters[index] == quote { return index + 1 }
            index += 1
        }
        return nil
    }

    /// The level of a long bracket `[[` or `[==[` opening at `index`, or nil if none opens there.
    private static func longBracketLevel(_ characters: [Character], at index: Int) -> Int? {
        guard index < characters.count, characters[index] == "[" else { return nil }
        var level = 0
        while index + 1 + level < characters.count, characters[index + 1 + level] == "=" { level += 1 }
        guard index + 1 + level < characters.count, characters[index + 1 + level] == "[" else { return nil }
        return level
    }

    private static func closingLongBracket(_ characters: [Character], from start: Int, level: Int) -> Int? {
        let closer = Array("]" + String(repeating: "=", count: level) + "]")
        var index = start
        while index + closer.count <= characters.count {
            if Array(characters[index..<(index + closer.count)]) == closer { return index + closer.count }
            index += 1
        }
        return nil
    }
}

/// The name being typed at the end of the line: `sim.adv` is the field prefix `adv` of `sim`.
struct Expression: Equatable {
    /// The tables to walk from the globals.
    let path: [String]
    /// The start of the last name.
    let partial: String
    /// True after `:`, where only functions make sense.
    let isMethodCall: Bool

    static func isNameCharacter(_ character: Character) -> Bool {
        character == "_" || (character.isASCII && (character.isLetter || character.isNumber))
    }

    /// The dotted name that ends the line, or nil when what ends it cannot be completed by name:
    /// a number (`1.5`), a field of a call's result (`f().x`), a string's contents.
    static func atEnd(of characters: [Character]) -> Expression? {
        var start = characters.count
        while start > 0, isNameCharacter(characters[start - 1]) || characters[start - 1] == "." || characters[start - 1] == ":" {
            start -= 1
        }
        var text = String(characters[start...])
        // `a..b.c`: the concatenation operator is not part of the name.
        if let operatorRange = text.range(of: "..", options: .backwards) {
            text = String(text[operatorRange.upperBound...])
        }
        if let first = text.first, first == "." || first == ":" { return nil }
        if text.isEmpty, start > 0, ")]}\"'".contains(characters[start - 1]) { return nil }
        return parse(text)
    }

    private static func parse(_ text: String) -> Expression? {
        var segments: [String] = [""]
        var isMethodCall = false
        for character in text {
            if character == "." || character == ":" {
                // Only the last separator may be `:`, and no name may be empty.
                guard !isMethodCall, !segments[segments.count - 1].isEmpty else { return nil }
                isMethodCall = character == ":"
                segments.append("")
            } else {
                segments[segments.count - 1].append(character)
            }
        }
        if let first = segments.first?.first, first.isNumber { return nil }
        let partial = segments.removeLast()
        return Expression(path: segments, partial: partial, isMethodCall: isMethodCall)
    }
}
