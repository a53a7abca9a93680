import Foundation

/// A Lua value on the Swift side of the bridge. Tables are copied (snapshots); functions stay in
/// the Lua state and cross as references.
public enum LuaValue: Hashable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    /// Lua strings are bytes; they cross as Swift strings, with invalid UTF-8 repaired.
    case string(String)
    case table(LuaTable)
    case function(LuaFunctionReference)

    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .table: "table"
        case .function: "function"
        }
    }

    public var isNil: Bool { if case .nil = self { true } else { false } }

    public var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    public var tableValue: LuaTable? { if case .table(let table) = self { table } else { nil } }
    public var boolValue: Bool? { if case .boolean(let flag) = self { flag } else { nil } }

    /// Integers, and floats with an exact integer value, as Lua's `math.tointeger` sees them.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): value
        case .number(let value): value.isFinite && value == value.rounded() && abs(value) < 9.2e18 ? Int64(value) : nil
        default: nil
        }
    }

    public var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// Lua truthiness: only nil and false are false.
    public var isTruthy: Bool {
        switch self {
        case .nil, .boolean(false): false
        default: true
        }
    }

    /// A field of a table value, or nil.
    public subscript(key: String) -> LuaValue {
        tableValue?[key] ?? .nil
    }

    /// Float keys with an integer value become integer keys, as in Lua.
    var normalizedKey: LuaValue {
        if case .number(let value) = self, let integer = integerValue, Double(integer) == value { return .integer(integer) }
        return self
    }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(nilLiteral: ()) { self = .nil }
    public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        var table = LuaTable()
        for (key, value) in elements { table[key] = value }
        self = .table(table)
    }
}

/// A snapshot of a Lua table: the sequence `1...n` in `array`, every other key in `hash`.
public struct LuaTable: Hashable {
    public var array: [LuaValue]
    public var hash: [LuaValue: LuaValue]

    public init(array: [LuaValue] = [], hash: [LuaValue: LuaValue] = [:]) {
        self.array = array
        self.hash = hash
    }

    public subscript(key: String) -> LuaValue? {
        get { hash[.string(key)] }
        set { hash[.string(key)] = newValue }
    }

    public subscript(key: LuaValue) -> LuaValue {
        get {
            let key = key.normalizedKey
            if let index = key.integerValue, case .integer = key, index >= 1, index <= array.count {
                return array[Int(index - 1)]
            }
            return hash[key] ?? .nil
        }
        set { set(key, newValue) }
    }

    /// Sets a key, keeping the array part the longest run `1...n` of non-nil values.
    public mutating func set(_ key: LuaValue, _ value: LuaValue) {
        let key = key.normalizedKey
        precondition(!key.isNil, "table key must not be nil")
        if case .integer(let index) = key, index >= 1, index <= Int64(array.count) + 1 {
            let position = Int(index - 1)
            if value.isNil {
                guard position < array.count else { return }
                // Everything after a hole moves to the hash part, as the sequence now ends here.
                for (offset, moved) in array[(position + 1)...].enumerated() {
                    hash[.integer(index + 1 + Int64(offset))] = moved
                }
                array.removeSubrange(position...)
            } else if position < array.count {
                array[position] = value
            } else {
                array.append(value)
                while let next = hash.removeValue(forKey: .integer(Int64(array.count) + 1)) { array.append(next) }
            }
            return
        }
        hash[key] = value.isNil ? nil : value
    }

    public var isEmpty: Bool { array.isEmpty && hash.isEmpty }
    public var count: Int { array.count + hash.count }

    /// Every entry in a canonical order: the sequence first, then numbers, strings, booleans and
    /// the rest, each sorted. Use this wherever order can reach output or behaviour.
    public var sortedEntries: [(key: LuaValue, value: LuaValue)] {
        let sequence = array.enumerated().map { (key: LuaValue.integer(Int64($0.offset + 1)), value: $0.element) }
        let rest = hash.sorted { LuaValue.canonicalOrder($0.key, $1.key) }.map { (key: $0.key, value: $0.value) }
        return sequence + rest
    }
}

extension LuaValue {
    /// The order used for printing and for deterministic `pairs`: numbers, strings, booleans, then
    /// everything else by its printed form.
    public static func canonicalOrder(_ left: LuaValue, _ right: LuaValue) -> Bool {
        func rank(_ value: LuaValue) -> Int {
            switch value {
            case .integer, .number: 0
            case .string: 1
            case .boolean: 2
            default: 3
            }
        }
        let (leftRank, rightRank) = (rank(left), rank(right))
        if leftRank != rightRank { return leftRank < rightRank }
        switch (left, right) {
        case (.string(let a), .string(let b)): return Array(a.utf8).lexicographicallyPrecedes(b.utf8)
        case (.boolean(let a), .boolean(let b)): return !a && b
        default:
            if let a = left.numberValue, let b = right.numberValue { return a < b }
            return left.description < right.description
        }
    }
}

extension LuaValue: CustomStringConvertible {
    /// A compact Lua-like literal: strings quoted, tables with sorted keys.
    public var description: String {
        switch self {
        case .nil: return "nil"
        case .boolean(let flag): return flag ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value): return LuaValue.format(number: value)
        case .string(let text): return LuaValue.quote(text)
        case .function(let reference): return "function: #\(reference.reference)"
        case .table(let table):
            if table.isEmpty { return "{}" }
            let items = table.array.map(\.description) + table.hash
                .sorted { LuaValue.canonicalOrder($0.key, $1.key) }
                .map { "\(LuaValue.keyLiteral($0.key)) = \($0.value.description)" }
            return "{" + items.joined(separator: ", ") + "}"
        }
    }

    /// Numbers as Lua prints them: `%.14g`, with `.0` added when the result looks like an integer.
    public static func format(number value: Double) -> String {
        if value.isNaN { return value.sign == .minus ? "-nan" : "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let text = String(format: "%.14g", value)
        return text.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) ? text : text + ".0"
    }

    public static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\0": result += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f { result += "\\\(scalar.value)" } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }

    static func keyLiteral(_ key: LuaValue) -> String {
        if case .string(let name) = key, isIdentifier(name) { return name }
        return "[\(key.description)]"
    }

    static let reservedWords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !reservedWords.contains(name) else { return false }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
        }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}

/// A Lua function kept alive in the registry of the state it came from. Calling it needs that
/// state; it is released when the last Swift reference goes.
public final class LuaFunctionReference: Hashable {
    public let reference: Int32
    private unowned(unsafe) let owner: LuaState
    private let lifetime: LuaStateLifetime

    init(reference: Int32, state: LuaState, lifetime: LuaStateLifetime) {
        self.reference = reference
        self.owner = state
        self.lifetime = lifetime
    }

    /// The state this function lives in, or nil once that state is gone.
    var state: LuaState? { lifetime.isAlive ? owner : nil }

    deinit { if lifetime.isAlive { owner.releaseReference(reference) } }

    public static func == (left: LuaFunctionReference, right: LuaFunctionReference) -> Bool { left === right }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// Whether a Lua state still exists; shared by the state and the references into it.
final class LuaStateLifetime {
    var isAlive = true
}
