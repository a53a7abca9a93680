/// A label selector as kubectl's `-l` and the API's `matchLabels`/`matchExpressions` express it.
/// An empty selector matches everything (for a Service, no selector means no managed endpoints,
/// which callers decide before asking).
public struct LabelSelector: Equatable, Sendable, CustomStringConvertible {
    public enum Operator: String, Sendable { case equals = "=", notEquals = "!=", `in` = "in", notIn = "notin", exists, doesNotExist }

    public struct Requirement: Equatable, Sendable {
        public var key: String
        public var `operator`: Operator
        public var values: [String]

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch self.operator {
            case .equals: return value == values.first
            case .notEquals: return value != values.first
            case .in: return value.map(values.contains) ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }

        var text: String {
            switch self.operator {
            case .equals: "\(key)=\(values.first ?? "")"
            case .notEquals: "\(key)!=\(values.first ?? "")"
            case .in: "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: "\(key) notin (\(values.joined(separator: ",")))"
            case .exists: key
            case .doesNotExist: "!\(key)"
            }
        }
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    /// Equality on every label given, as a Service's or a ReplicaSet's `matchLabels`.
    public init(matchLabels: [String: String]) {
        requirements = matchLabels.keys.sorted().map { Requirement(key: $0, operator: .equals, values: [matchLabels[$0]!]) }
    }

    public var isEmpty: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool { requirements.allSatisfy { $0.matches(labels) } }

    /// kubectl's form: `app=web,tier in (a,b)`.
    public var description: String { requirements.map(\.text).joined(separator: ",") }

    /// The equality requirements as a map, when there are only those (what `matchLabels` holds).
    public var matchLabels: [String: String] {
        var labels: [String: String] = [:]
        for requirement in requirements where requirement.operator == .equals { labels[requirement.key] = requirement.values.first ?? "" }
        return labels
    }
}

/// Why a selector string does not parse; the text is the apiserver's.
public struct LabelSelectorError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension LabelSelector {
    /// Parses kubectl's selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
    /// joined by commas.
    public init(parsing text: String) throws(LabelSelectorError) {
        var requirements: [Requirement] = []
        for part in LabelSelector.splitTopLevel(text) {
            let trimmed = part.trimmingSpaces()
            if trimmed.isEmpty {
                if text.trimmingSpaces().isEmpty { break }
                throw LabelSelectorError(message: "found ',', expected: !, identifier, or 'end of string'")
            }
            requirements.append(try LabelSelector.parseRequirement(trimmed))
        }
        self.init(requirements: requirements)
    }

    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == "," && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    private static func parseRequirement(_ text: String) throws(LabelSelectorError) -> Requirement {
        if text.hasPrefix("!") {
            let key = String(text.dropFirst()).trimmingSpaces()
            try checkKey(key)
            return Requirement(key: key, operator: .doesNotExist, values: [])
        }
        for (symbol, op) in [("!=", Operator.notEquals), ("==", .equals), ("=", .equals)] {
            if let (before, after) = text.splitOnce(symbol) {
                let key = before.trimmingSpaces()
                let value = after.trimmingSpaces()
                try checkKey(key)
                try checkValue(value)
                return Requirement(key: key, operator: op, values: [value])
            }
        }
        let words = text.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let rest = words[1].trimmingSpaces()
            for (word, op) in [("notin", Operator.notIn), ("in", .in)] where rest.hasPrefix(word) {
                try checkKey(words[0])
                let list = String(rest.dropFirst(word.count)).trimmingSpaces()
                guard list.hasPrefix("(") else { throw LabelSelectorError(message: "found '\(list)', expected: '('") }
                guard list.hasSuffix(")") else { throw LabelSelectorError(message: "found '', expected: ',' or ')'") }
                let values = list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
                for value in values { try checkValue(value) }
                return Requirement(key: words[0], operator: op, values: values)
            }
            throw LabelSelectorError(message: "found '\(rest.split(separator: " ").first ?? "")', expected: in, notin, =, ==, !=, gt, lt")
        }
        try checkKey(text)
        return Requirement(key: text, operator: .exists, values: [])
    }

    static func checkKey(_ key: String) throws(LabelSelectorError) {
        let name = key.split(separator: "/", maxSplits: 1).last.map(String.init) ?? ""
        guard isQualifiedNamePart(name), key.split(separator: "/", omittingEmptySubsequences: false).count <= 2 else {
            throw LabelSelectorError(message: """
            unable to parse requirement: invalid label key "\(key)": name part must consist of alphanumeric characters, '-', '_' or '.', \
            and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for \
            validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')
            """)
        }
    }

    static func checkValue(_ value: String) throws(LabelSelectorError) {
        guard value.isEmpty || isQualifiedNamePart(value) else {
            throw LabelSelectorError(message: """
            unable to parse requirement: values[0][\(value)]: Invalid value: "\(value)": a valid label must be an empty string or \
            consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character
            """)
        }
    }

    static func isQualifiedNamePart(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last, text.utf8.count <= 63 else { return false }
        func alphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        return alphanumeric(first) && alphanumeric(last)
            && text.unicodeScalars.allSatisfy { alphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}

// MARK: The API form

extension LabelSelector {
    var json: JSONValue {
        var writer = FieldWriter()
        let equalities = requirements.filter { $0.operator == .equals }
        writer.set("matchLabels", Dictionary(uniqueKeysWithValues: equalities.map { ($0.key, $0.values.first ?? "") }))
        let expressions = requirements.filter { $0.operator != .equals }.map { requirement -> JSONValue in
            var expression = FieldWriter()
            expression.set("key", requirement.key)
            let name: String = switch requirement.operator {
            case .in: "In"
            case .notIn: "NotIn"
            case .exists: "Exists"
            case .doesNotExist: "DoesNotExist"
            case .equals, .notEquals: "NotIn"
            }
            expression.set("operator", name)
            expression.set("values", list: requirement.values.map { .string($0) })
            return expression.value
        }
        writer.set("matchExpressions", list: expressions)
        return writer.value
    }

    static func decode(_ reader: FieldReader) throws(ObjectDecodingError) -> LabelSelector {
        var selector = LabelSelector(matchLabels: try reader.stringMap("matchLabels"))
        let expressions = try reader.list("matchExpressions") { (value, path) throws(ObjectDecodingError) -> Requirement in
            let expression = try FieldReader(value, path: path)
            let key = try expression.string("key", default: "")
            let values = try expression.list("values") { (item, itemPath) throws(ObjectDecodingError) -> String in
                guard case .string(let text) = item else { throw ObjectDecodingError(path: itemPath, problem: "Invalid value: expected a string") }
                return text
            } ?? []
            let op: Operator
            switch try expression.string("operator", default: "") {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            case let other: throw ObjectDecodingError(path: expression.field("operator"), problem: "Invalid value: \"\(other)\": not a valid selector operator")
            }
            return Requirement(key: key, operator: op, values: values)
        } ?? []
        selector.requirements += expressions
        return selector
    }
}

extension String {
    /// The text before and after the first occurrence of `separator`, or nil if it does not occur.
    func splitOnce(_ separator: String) -> (String, String)? {
        let characters = Array(self), pattern = Array(separator)
        guard !pattern.isEmpty, characters.count >= pattern.count else { return nil }
        for start in 0...(characters.count - pattern.count) where Array(characters[start..<(start + pattern.count)]) == pattern {
            return (String(characters[..<start]), String(characters[(start + pattern.count)...]))
        }
        return nil
    }
}
