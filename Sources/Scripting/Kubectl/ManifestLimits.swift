import Simulation

/// What `kubectl apply -f` (and `delete -f`) reads is checked before a parser sees it: a
/// manifest's size, how deep it nests, and aliases. YAML's parser recurses once per level and
/// expands aliases in full, so 5,000 nested brackets would overflow the stack and a few hundred
/// bytes of nested aliases ("a billion laughs") would take gigabytes; the real apiserver bounds
/// the same things (a 3 MiB request body, "excessive aliasing").
enum ManifestLimits {
    /// The apiserver's request-body limit.
    static let maximumBytes = 3 << 20
    /// Deeper than any Kubernetes object needs.
    static let maximumDepth = 64
    /// Values a parsed manifest may hold (scalars, maps and lists), counted after parsing.
    static let maximumNodes = 200_000
    /// The largest object an apply may send (etcd's --max-request-bytes).
    static let maximumObjectBytes = 1_572_864

    /// The first reason `text` may not be parsed, as kubectl words a parse error, or nil.
    static func problem(in text: String, source: String) -> String? {
        let bytes = text.utf8.count
        if bytes > maximumBytes {
            return "error: error parsing \(source): the manifest is \(bytes >> 10) KiB; the apiserver accepts at most \(maximumBytes >> 20) MiB (Request entity too large)"
        }
        var scanner = NestingScanner()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let alias = scanner.read(line) {
                return "error: error parsing \(source): error converting YAML to JSON: yaml: line \(number + 1): aliases are not accepted in manifests (*\(alias)); write the value out"
            }
            if scanner.deepest > maximumDepth {
                return "error: error parsing \(source): error converting YAML to JSON: yaml: line \(number + 1): the manifest nests deeper than \(maximumDepth) levels"
            }
        }
        return nil
    }

    /// The number of values in a parsed document, stopping once past the limit.
    static func nodeCount(_ value: JSONValue, budget: inout Int) {
        budget -= 1
        guard budget >= 0 else { return }
        switch value {
        case .array(let items): for item in items { nodeCount(item, budget: &budget); if budget < 0 { return } }
        case .object(let fields): for item in fields.values { nodeCount(item, budget: &budget); if budget < 0 { return } }
        default: break
        }
    }
}

/// Reads YAML (or JSON) line by line and keeps the nesting an upper bound would give: open flow
/// brackets, block indentation levels and `- ` entries. Quoted text, comments and the lines of
/// block scalars (`|`, `>`) are skipped. It errs towards counting too deep, never too shallow.
private struct NestingScanner {
    private var indents: [Int] = []
    private var flowDepth = 0
    /// The indentation of the line that opened a block scalar; deeper lines are its text.
    private var blockScalarParent: Int?
    private(set) var deepest = 0

    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    /// Reads one line; returns the name of an alias if the line uses one.
    mutating func read(_ line: Substring) -> String? {
        let characters = Array(line.utf8)
        var index = 0
        while index < characters.count, characters[index] == NestingScanner.space { index += 1 }
        let indent = index
        guard index < characters.count else { return nil }
        if let parent = blockScalarParent {
            if indent > parent { return nil }
            blockScalarParent = nil
        }
        guard characters[index] != UInt8(ascii: "#") else { return nil }
        if flowDepth == 0 {
            while let last = indents.last, last >= indent { indents.removeLast() }
            indents.append(indent)
        }
        var depth = indents.count + flowDepth
        var atNodeStart = true
        var quote: UInt8 = 0
        var lastSignificant: UInt8 = 0
        while index < characters.count {
            let character = characters[index]
            defer { index += 1 }
            if quote != 0 {
                if character == UInt8(ascii: "\\"), quote == UInt8(ascii: "\"") { index += 1 }
                else if character == quote { quote = 0 }
                continue
            }
            if character == NestingScanner.space || character == NestingScanner.tab {
                // After an indicator, a new node may start.
                if [UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ",")].contains(lastSignificant) {
                    atNodeStart = true
                }
                continue
            }
            defer { lastSignificant = character }
            switch character {
            case UInt8(ascii: "#") where index > 0 && characters[index - 1] == NestingScanner.space:
                index = characters.count
                continue
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                if atNodeStart { quote = character }
                atNodeStart = false
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowDepth += 1
                depth += 1
                atNodeStart = true
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                flowDepth = max(0, flowDepth - 1)
                atNodeStart = false
            case UInt8(ascii: ","):
                atNodeStart = true
            case UInt8(ascii: ":") where flowDepth > 0:
                // JSON-style `"key":"value"`: a value may follow the colon at once.
                atNodeStart = true
            case UInt8(ascii: "-") where atNodeStart && (index + 1 == characters.count || characters[index + 1] == NestingScanner.space):
                depth += 1
            case UInt8(ascii: "*") where atNodeStart:
                var end = index + 1
                while end < characters.count, !" ,]}\t".utf8.contains(characters[end]) { end += 1 }
                if end > index + 1 { return String(decoding: characters[(index + 1)..<end], as: UTF8.self) }
            case UInt8(ascii: "|"), UInt8(ascii: ">"):
                // A block scalar: the lines below that are indented deeper are its text.
                if atNodeStart {
                    blockScalarParent = indent
                    index = characters.count
                    continue
                }
                atNodeStart = false
            default:
                atNodeStart = false
            }
            deepest = max(deepest, depth)
        }
        deepest = max(deepest, depth)
        return nil
    }
}
