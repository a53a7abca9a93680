/// Finds the line where a field of a lab's returned table is written, so that an error about
/// `steps[2].done` can name its line. Lua keeps no lines for table fields, so this reads the
/// source: it tokenizes it, finds the table the chunk returns (`return { ... }`, or
/// `return lab` with `local lab = { ... }` above) and walks its constructors. When a field is
/// missing it gives the line of the table that should hold it; when it cannot tell, nil.
struct LuaSourceLocator {
    private let tokens: [LuaToken]

    init(source: String) {
        tokens = LuaTokenizer.tokenize(Array(source.utf8))
    }

    func line(of path: FieldPath) -> Int? {
        guard var constructor = returnedConstructor() else { return nil }
        for (depth, component) in path.components.enumerated() {
            guard let field = fields(of: constructor).first(where: { $0.key == component }) else {
                return tokens[constructor].line
            }
            if depth == path.components.count - 1 { return field.line }
            guard let next = constructorAt(field.valueStart) else { return field.line }
            constructor = next
        }
        return tokens[constructor].line
    }

    // MARK: Finding tables

    private struct Field {
        let key: FieldPath.Component
        let line: Int
        let valueStart: Int
    }

    /// The `{` of the table the chunk returns at its top level.
    private func returnedConstructor() -> Int? {
        var found: Int?
        scanTopLevel { index in
            if tokens[index].isName("return"), index + 1 < tokens.count { found = index + 1 }
        }
        guard let found else { return nil }
        return constructorAt(found)
    }

    /// A constructor at `index`, or the one a plain name there was last assigned at top level.
    private func constructorAt(_ index: Int) -> Int? {
        guard index < tokens.count else { return nil }
        if tokens[index].isSymbol("{") { return index }
        guard tokens[index].kind == .name else { return nil }
        let name = tokens[index].text
        var assigned: Int?
        scanTopLevel { position in
            guard position < index, tokens[position].kind == .name, tokens[position].text == name,
                  position + 2 < tokens.count, tokens[position + 1].isSymbol("="), tokens[position + 2].isSymbol("{")
            else { return }
            assigned = position + 2
        }
        return assigned
    }

    /// Calls `visit` with every token index outside any block, bracket or constructor.
    private func scanTopLevel(_ visit: (Int) -> Void) {
        var brackets = 0, blocks = 0
        for index in tokens.indices {
            let token = tokens[index]
            if brackets == 0 && blocks == 0 { visit(index) }
            if token.kind == .symbol {
                if ["(", "[", "{"].contains(token.text) { brackets += 1 }
                if [")", "]", "}"].contains(token.text) { brackets = max(0, brackets - 1) }
            } else if token.kind == .name {
                if LuaToken.blockOpeners.contains(token.text) { blocks += 1 }
                if LuaToken.blockClosers.contains(token.text) { blocks = max(0, blocks - 1) }
            }
        }
    }

    /// The fields of the constructor whose `{` is at `open`, with positional items numbered.
    private func fields(of open: Int) -> [Field] {
        var result: [Field] = []
        var index = open + 1
        var position = 0
        while index < tokens.count, !tokens[index].isSymbol("}") {
            let token = tokens[index]
            let key: FieldPath.Component
            var valueStart = index
            if token.kind == .name, index + 1 < tokens.count, tokens[index + 1].isSymbol("=") {
                key = .name(token.text)
                valueStart = index + 2
            } else if token.isSymbol("["), index + 3 < tokens.count, tokens[index + 1].kind == .string,
                      tokens[index + 2].isSymbol("]"), tokens[index + 3].isSymbol("=") {
                key = .name(tokens[index + 1].text)
                valueStart = index + 4
            } else {
                position += 1
                key = .index(position)
            }
            result.append(Field(key: key, line: token.line, valueStart: valueStart))
            let end = endOfValue(from: valueStart)
            guard end < tokens.count, !tokens[end].isSymbol("}") else { break }
            index = end + 1
        }
        return result
    }

    /// The `,`, `;` or closing `}` that ends the field value starting at `start`.
    private func endOfValue(from start: Int) -> Int {
        var brackets = 0, blocks = 0
        var index = start
        while index < tokens.count {
            let token = tokens[index]
            if token.kind == .symbol {
                switch token.text {
                case "(", "[", "{": brackets += 1
                case ")", "]", "}":
                    if brackets == 0 && blocks == 0 { return index }
                    brackets -= 1
                case ",", ";":
                    if brackets == 0 && blocks == 0 { return index }
                default: break
                }
            } else if token.kind == .name {
                if LuaToken.blockOpeners.contains(token.text) { blocks += 1 }
                if LuaToken.blockClosers.contains(token.text) { blocks -= 1 }
            }
            index += 1
        }
        return tokens.count
    }
}

/// One token of Lua source with the line it starts on. Strings keep their contents only.
struct LuaToken {
    enum Kind { case name, string, number, symbol }
    let kind: Kind
    let text: String
    let line: Int

    /// Keywords that open a block closed by `end` (or `until`, for `repeat`).
    static let blockOpeners: Set<String> = ["function", "if", "do", "repeat"]
    static let blockClosers: Set<String> = ["end", "until"]

    func isName(_ word: String) -> Bool { kind == .name && text == word }
    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
}

/// Just enough of Lua's lexer to find fields: names, strings, numbers, symbols and comments.
enum LuaTokenizer {
    static func tokenize(_ bytes: [UInt8]) -> [LuaToken] {
        var tokens: [LuaToken] = []
        var index = 0
        var line = 1
        func byte(_ offset: Int = 0) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        while let current = byte() {
            switch current {
            case UInt8(ascii: "\n"):
                line += 1
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "-") where byte(1) == UInt8(ascii: "-"):
                index += 2
                if let level = longBracketLevel(bytes, at: index) {
                    _ = readLongBracket(bytes, from: &index, level: level, line: &line)
                } else {
                    while let next = byte(), next != UInt8(ascii: "\n") { index += 1 }
                }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let startLine = line
                let text = readQuoted(bytes, from: &index, line: &line)
                tokens.append(LuaToken(kind: .string, text: text, line: startLine))
            case UInt8(ascii: "[") where longBracketLevel(bytes, at: index) != nil:
                let startLine = line
                let text = readLongBracket(bytes, from: &index, level: longBracketLevel(bytes, at: index)!, line: &line)
                tokens.append(LuaToken(kind: .string, text: text, line: startLine))
            case _ where isNameStart(current):
                let start = index
                while let next = byte(), isNameStart(next) || isDigit(next) { index += 1 }
                tokens.append(LuaToken(kind: .name, text: String(decoding: bytes[start..<index], as: UTF8.self), line: line))
            case _ where isDigit(current) || (current == UInt8(ascii: ".") && byte(1).map(isDigit) == true):
                let start = index
                while let next = byte(), isDigit(next) || isNameStart(next) || next == UInt8(ascii: ".")
                        || ((next == UInt8(ascii: "+") || next == UInt8(ascii: "-")) && "eEpP".utf8.contains(bytes[index - 1])) {
                    index += 1
                }
                tokens.append(LuaToken(kind: .number, text: String(decoding: bytes[start..<index], as: UTF8.self), line: line))
            default:
                let symbol = readSymbol(bytes, at: index)
                index += symbol.utf8.count
                tokens.append(LuaToken(kind: .symbol, text: symbol, line: line))
            }
        }
        return tokens
    }

    private static let multiCharacterSymbols = ["...", "==", "~=", "<=", ">=", "//", "::", "<<", ">>", ".."]

    private static func readSymbol(_ bytes: [UInt8], at index: Int) -> String {
        for symbol in multiCharacterSymbols {
            let length = symbol.utf8.count
            if index + length <= bytes.count, Array(bytes[index..<index + length]) == Array(symbol.utf8) { return symbol }
        }
        return String(decoding: bytes[index...index], as: UTF8.self)
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The level of a long bracket (`[[` is 0, `[==[` is 2) opening at `index`, if one does.
    private static func longBracketLevel(_ bytes: [UInt8], at index: Int) -> Int? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        var position = index + 1
        while position < bytes.count, bytes[position] == UInt8(ascii: "=") { position += 1 }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else { return nil }
        return position - index - 1
    }

    private static func readLongBracket(_ bytes: [UInt8], from index: inout Int, level: Int, line: inout Int) -> String {
        index += level + 2
        let start = index
        let closing = [UInt8(ascii: "]")] + Array(repeating: UInt8(ascii: "="), count: level) + [UInt8(ascii: "]")]
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "]"), index + closing.count <= bytes.count,
               Array(bytes[index..<index + closing.count]) == closing {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += closing.count
                return text
            }
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    private static func readQuoted(_ bytes: [UInt8], from index: inout Int, line: inout Int) -> String {
        let quote = bytes[index]
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != quote, bytes[index] != UInt8(ascii: "\n") {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                if bytes[index + 1] == UInt8(ascii: "\n") { line += 1 }
                index += 1
            }
            index += 1
        }
        let text = String(decoding: bytes[start..<min(index, bytes.count)], as: UTF8.self)
        if index < bytes.count, bytes[index] == quote { index += 1 }
        return text
    }
}
