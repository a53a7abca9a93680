import OrderedCollections

/// Why a manifest or stored value does not decode as a Kubernetes object, worded as the
/// apiserver's validation words it (`spec.replicas: Invalid value: "x": must be an integer`).
public struct ObjectDecodingError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
}

/// Reads the fields of one JSON object, remembering where it is so errors name the field.
public struct FieldReader {
    public let fields: OrderedDictionary<String, JSONValue>
    public let path: String

    public init(_ value: JSONValue?, path: String = "") throws(ObjectDecodingError) {
        switch value {
        case .none, .null?: self.fields = [:]
        case .object(let fields)?: self.fields = fields
        default: throw ObjectDecodingError(path: path, problem: "Invalid value: expected an object")
        }
        self.path = path
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func has(_ key: String) -> Bool {
        if let value = fields[key], value != .null { return true }
        return false
    }

    public func string(_ key: String) throws(ObjectDecodingError) -> String? {
        switch fields[key] {
        case .none, .null?: return nil
        case .string(let text)?: return text
        case .integer(let value)?: return String(value)
        case .bool(let flag)?: return flag ? "true" : "false"
        default: throw ObjectDecodingError(path: field(key), problem: "Invalid value: expected a string")
        }
    }

    public func string(_ key: String, default fallback: String) throws(ObjectDecodingError) -> String {
        try string(key) ?? fallback
    }

    public func integer(_ key: String) throws(ObjectDecodingError) -> Int64? {
        switch fields[key] {
        case .none, .null?: return nil
        case let value?:
            if let integer = value.integerValue { return integer }
            if case .string(let text) = value, let integer = Int64(text) { return integer }
            throw ObjectDecodingError(path: field(key), problem: "Invalid value: \(value.compactText): must be an integer")
        }
    }

    public func bool(_ key: String) throws(ObjectDecodingError) -> Bool? {
        switch fields[key] {
        case .none, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw ObjectDecodingError(path: field(key), problem: "Invalid value: expected true or false")
        }
    }

    public func object(_ key: String) throws(ObjectDecodingError) -> FieldReader {
        try FieldReader(fields[key], path: field(key))
    }

    /// A list, or nil when the field is absent or null (Endpoints subsets tell the two apart).
    public func list<Element>(_ key: String, _ decode: (JSONValue, String) throws(ObjectDecodingError) -> Element)
        throws(ObjectDecodingError) -> [Element]? {
        switch fields[key] {
        case .none, .null?: return nil
        case .array(let items)?:
            var result: [Element] = []
            for (index, item) in items.enumerated() { result.append(try decode(item, "\(field(key))[\(index)]")) }
            return result
        default: throw ObjectDecodingError(path: field(key), problem: "Invalid value: expected a list")
        }
    }

    public func stringMap(_ key: String) throws(ObjectDecodingError) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in try object(key).fields {
            switch value {
            case .string(let text): result[name] = text
            case .integer(let number): result[name] = String(number)
            case .bool(let flag): result[name] = flag ? "true" : "false"
            case .null: continue
            default: throw ObjectDecodingError(path: field(key) + "." + name, problem: "Invalid value: expected a string")
            }
        }
        return result
    }
}

/// Builds a JSON object in the API's field order, leaving out empty optional fields as the API
/// does (`omitempty`).
public struct FieldWriter {
    public private(set) var fields = OrderedDictionary<String, JSONValue>()

    public init() {}

    public var value: JSONValue { .object(fields) }

    public mutating func set(_ key: String, _ value: JSONValue) { fields[key] = value }

    public mutating func set(_ key: String, _ text: String?) {
        if let text, !text.isEmpty { fields[key] = .string(text) }
    }

    public mutating func set(_ key: String, _ number: Int64?) {
        if let number { fields[key] = .integer(number) }
    }

    public mutating func setNonZero(_ key: String, _ number: Int64) {
        if number != 0 { fields[key] = .integer(number) }
    }

    public mutating func set(_ key: String, _ flag: Bool?) {
        if let flag { fields[key] = .bool(flag) }
    }

    public mutating func set(_ key: String, _ map: [String: String]) {
        guard !map.isEmpty else { return }
        var object = OrderedDictionary<String, JSONValue>()
        for name in map.keys.sorted() { object[name] = .string(map[name]!) }
        fields[key] = .object(object)
    }

    public mutating func set(_ key: String, object writer: FieldWriter) {
        if !writer.fields.isEmpty { fields[key] = writer.value }
    }

    public mutating func set(_ key: String, list: [JSONValue]) {
        if !list.isEmpty { fields[key] = .array(list) }
    }
}
