import Foundation
import Scripting

/// Reads a table a lab file returned, field by field, turning every mistake into a `LabError`
/// that names the file, the line (found in the source) and the field path.
struct LabTableReader {
    let table: LuaTable
    let path: FieldPath
    let file: LabFile
    let locator: LuaSourceLocator

    init(table: LuaTable, path: FieldPath = .root, file: LabFile, locator: LuaSourceLocator) {
        self.table = table
        self.path = path
        self.file = file
        self.locator = locator
    }

    func error(_ key: String?, _ problem: String) -> LabError {
        let fieldPath = key.map { path.appending($0) } ?? path
        return error(at: fieldPath, problem)
    }

    func error(at fieldPath: FieldPath, _ problem: String) -> LabError {
        LabError(file: file.displayPath, line: locator.line(of: fieldPath),
                 field: fieldPath.components.isEmpty ? nil : fieldPath.description, problem: problem)
    }

    func value(_ key: String) -> LuaValue { table[key] ?? .nil }

    private func expected(_ key: String, _ what: String) -> LabError {
        error(key, "expected \(what), got \(value(key).typeName)")
    }

    func string(_ key: String) throws -> String {
        guard let text = value(key).stringValue else { throw expected(key, "a string") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw error(key, "must not be empty") }
        return text
    }

    func optionalString(_ key: String) throws -> String? {
        value(key).isNil ? nil : try string(key)
    }

    func number(_ key: String) throws -> Double {
        guard let number = value(key).numberValue, number.isFinite else { throw expected(key, "a number") }
        return number
    }

    func optionalNumber(_ key: String) throws -> Double? {
        value(key).isNil ? nil : try number(key)
    }

    func optionalBoolean(_ key: String) throws -> Bool? {
        if value(key).isNil { return nil }
        guard case .boolean(let flag) = value(key) else { throw expected(key, "true or false") }
        return flag
    }

    func integer(_ key: String) throws -> Int64 {
        guard let integer = value(key).integerValue else { throw expected(key, "a whole number") }
        return integer
    }

    func function(_ key: String) throws -> LuaFunctionReference {
        guard case .function(let function) = value(key) else { throw expected(key, "a function") }
        return function
    }

    func optionalFunction(_ key: String) throws -> LuaFunctionReference? {
        value(key).isNil ? nil : try function(key)
    }

    func table(_ key: String) throws -> LabTableReader {
        guard let nested = value(key).tableValue else { throw expected(key, "a table") }
        return LabTableReader(table: nested, path: path.appending(key), file: file, locator: locator)
    }

    func optionalTable(_ key: String) throws -> LabTableReader? {
        value(key).isNil ? nil : try table(key)
    }

    /// A list of tables (`steps = { {...}, {...} }`), each with its own path.
    func tables(_ key: String, allowEmpty: Bool = false) throws -> [LabTableReader] {
        guard let list = value(key).tableValue, list.hash.isEmpty else { throw expected(key, "a list of tables") }
        guard allowEmpty || !list.array.isEmpty else { throw error(key, "must list at least one entry") }
        return try list.array.enumerated().map { offset, element in
            let elementPath = path.appending(key).appending(index: offset + 1)
            guard let nested = element.tableValue else {
                throw error(at: elementPath, "expected a table, got \(element.typeName)")
            }
            return LabTableReader(table: nested, path: elementPath, file: file, locator: locator)
        }
    }

    /// A list of strings (`hints = { "...", "..." }`); missing means empty.
    func strings(_ key: String) throws -> [String] {
        guard !value(key).isNil else { return [] }
        guard let list = value(key).tableValue, list.hash.isEmpty else { throw expected(key, "a list of strings") }
        return try list.array.enumerated().map { offset, element in
            guard let text = element.stringValue else {
                throw error(at: path.appending(key).appending(index: offset + 1), "expected a string, got \(element.typeName)")
            }
            return text
        }
    }

    /// Refuses fields the format does not know, which are almost always typos (`hint` for `hints`).
    func rejectUnknownFields(_ known: [String]) throws {
        guard table.array.isEmpty else {
            throw error(at: path.appending(index: 1), "unexpected list entry; this table takes the fields \(known.joined(separator: ", "))")
        }
        for key in table.hash.keys.sorted(by: LuaValue.canonicalOrder) {
            guard case .string(let name) = key else {
                throw error(nil, "unexpected key \(key); this table takes the fields \(known.joined(separator: ", "))")
            }
            guard !known.contains(name) else { continue }
            let suggestion = known.first { FieldNames.areClose(name, $0) }.map { " (did you mean '\($0)'?)" } ?? ""
            throw error(name, "unknown field\(suggestion); this table takes \(known.joined(separator: ", "))")
        }
    }
}

/// Spelling distance for "did you mean".
enum FieldNames {
    static func areClose(_ left: String, _ right: String) -> Bool {
        if left.hasPrefix(right) || right.hasPrefix(left) { return true }
        return editDistance(Array(left), Array(right)) <= 2
    }

    static func editDistance(_ left: [Character], _ right: [Character]) -> Int {
        var previous = Array(0...right.count)
        for (row, leftCharacter) in left.enumerated() {
            var current = [row + 1]
            for (column, rightCharacter) in right.enumerated() {
                current.append(min(previous[column + 1] + 1, current[column] + 1,
                                   previous[column] + (leftCharacter == rightCharacter ? 0 : 1)))
            }
            previous = current
        }
        return previous[right.count]
    }
}
