import Foundation
import OrderedCollections
import Simulation

/// The patch bodies kubectl sends: JSON merge patch (RFC 7386; `label`, `annotate`, `cordon`,
/// `scale`), strategic merge patch (`rollout restart`, `apply`), and JSON patch (RFC 6902;
/// `rollout undo`). Strategic merge is modelled as merge patch that merges lists of named items
/// (containers, ports) by name and drops the `$` directives; no object here needs more.
enum ObjectPatch {
    enum Kind {
        case merge, strategicMerge, json

        init?(contentType: String) {
            let type = contentType.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            switch type {
            case "application/merge-patch+json": self = .merge
            case "application/strategic-merge-patch+json": self = .strategicMerge
            case "application/json-patch+json": self = .json
            default: return nil
            }
        }
    }

    struct Failure: Error { let message: String }

    static func apply(_ kind: Kind, patch: JSONValue, to target: JSONValue) throws(Failure) -> JSONValue {
        switch kind {
        case .merge: return merge(patch, into: target, byName: false)
        case .strategicMerge: return merge(patch, into: target, byName: true)
        case .json: return try jsonPatch(patch, target)
        }
    }

    static func merge(_ patch: JSONValue, into target: JSONValue, byName: Bool) -> JSONValue {
        if byName, case .array(let patchItems) = patch, case .array(let targetItems) = target,
           patchItems.allSatisfy({ $0["name"]?.stringValue != nil }), targetItems.allSatisfy({ $0["name"]?.stringValue != nil }) {
            var merged = targetItems
            for item in patchItems {
                if let index = merged.firstIndex(where: { $0["name"] == item["name"] }) {
                    merged[index] = merge(item, into: merged[index], byName: true)
                } else {
                    merged.append(merge(item, into: .object([:]), byName: true))
                }
            }
            return .array(merged)
        }
        guard case .object(let patchFields) = patch else { return patch }
        var fields = target.objectValue ?? OrderedDictionary<String, JSONValue>()
        for (key, value) in patchFields where !key.hasPrefix("$") {
            if value == .null {
                fields.removeValue(forKey: key)
            } else {
                fields[key] = merge(value, into: fields[key] ?? .null, byName: byName)
            }
        }
        return .object(fields)
    }

    /// RFC 6902 add, replace, remove and test on object paths and array indices.
    static func jsonPatch(_ patch: JSONValue, _ target: JSONValue) throws(Failure) -> JSONValue {
        guard case .array(let operations) = patch else { throw Failure(message: "a JSON patch must be an array of operations") }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw Failure(message: "a JSON patch operation needs \"op\" and \"path\"")
            }
            let tokens = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            switch op {
            case "add", "replace":
                guard let value = operation["value"] else { throw Failure(message: "the \(op) operation at \(path) has no value") }
                document = try set(value, at: Array(tokens)[...], in: document, path: path)
            case "remove": document = try set(nil, at: Array(tokens)[...], in: document, path: path)
            case "test":
                guard value(at: tokens, in: document) == operation["value"] else { throw Failure(message: "testing value \(path) failed") }
            default: throw Failure(message: "the JSON patch operation \"\(op)\" is not supported here")
            }
        }
        return document
    }

    private static func value(at tokens: [String], in document: JSONValue) -> JSONValue? {
        var current: JSONValue? = document
        for token in tokens {
            if case .array(let items)? = current, let index = Int(token), items.indices.contains(index) { current = items[index] } else { current = current?[token] }
        }
        return current
    }

    private static func set(_ value: JSONValue?, at tokens: ArraySlice<String>, in document: JSONValue, path: String) throws(Failure) -> JSONValue {
        guard let token = tokens.first else { return value ?? .null }
        let rest = tokens.dropFirst()
        switch document {
        case .array(var items):
            if token == "-", rest.isEmpty, let value { items.append(value); return .array(items) }
            guard let index = Int(token), items.indices.contains(index) || (index == items.count && value != nil) else {
                throw Failure(message: "the path \(path) does not exist")
            }
            if rest.isEmpty, value == nil { items.remove(at: index); return .array(items) }
            if index == items.count { items.append(try set(value, at: rest, in: .null, path: path)) } else { items[index] = try set(value, at: rest, in: items[index], path: path) }
            return .array(items)
        case .object(var fields):
            if rest.isEmpty, value == nil { fields.removeValue(forKey: token); return .object(fields) }
            guard rest.isEmpty || fields[token] != nil else { throw Failure(message: "the path \(path) does not exist") }
            fields[token] = try set(value, at: rest, in: fields[token] ?? .null, path: path)
            return .object(fields)
        default:
            throw Failure(message: "the path \(path) does not exist")
        }
    }
}

/// `--field-selector` (and the selectors kubectl sends itself: `metadata.name=` for a named watch,
/// `involvedObject.uid=` for describe's events): equality and inequality on dotted field paths of
/// the object's JSON. A real apiserver accepts only a few fields per type; this one accepts any.
struct FieldSelector {
    struct Term { let path: [String]; let value: String; let equals: Bool }
    let terms: [Term]

    init(_ text: String) {
        terms = text.split(separator: ",").compactMap { part in
            let term = String(part)
            let equals = !term.contains("!=")
            let pieces = term.components(separatedBy: equals ? (term.contains("==") ? "==" : "=") : "!=")
            guard pieces.count == 2 else { return nil }
            return Term(path: pieces[0].split(separator: ".").map(String.init), value: pieces[1], equals: equals)
        }
    }

    func matches(_ object: any APIObject) -> Bool {
        guard !terms.isEmpty else { return true }
        let document = object.encode()
        return terms.allSatisfy { term in
            var current: JSONValue? = document
            for key in term.path { current = current?[key] }
            let text: String
            switch current {
            case .string(let value)?: text = value
            case .integer(let value)?: text = String(value)
            case .bool(let value)?: text = String(value)
            default: text = ""
            }
            return (text == term.value) == term.equals
        }
    }
}
