import Foundation
import OrderedCollections
import Simulation
import Yams

/// Manifests in and out: YAML (several documents) or JSON for `apply -f`, and the `-o yaml`
/// form, with keys sorted as kubectl prints them.
enum KubectlManifests {
    /// The text given for `-f -`. The sandbox has no files: a script must not read the host's
    /// (what a session does would depend on the machine that replays it), so every other path
    /// does not exist, as on an empty workstation.
    static func read(_ path: String, stdin: String?) throws(KubectlFailure) -> String {
        guard path == "-" else { throw KubectlFailure("error: the path \"\(path)\" does not exist") }
        guard let stdin else { throw KubectlFailure("error: no objects passed to apply (pass the manifest as kubectl's second argument for -f -)") }
        return stdin
    }

    /// Every object in the text, decoded and validated, or the first problem: nothing is applied
    /// unless everything reads.
    static func objects(in text: String, source: String) throws(KubectlFailure) -> [any APIObject] {
        try written(in: text, source: source).map(\.object)
    }

    /// Every object in the text with the `apiVersion` its manifest was written at (kubectl 1.10
    /// names an applied object by that group: `deployment.apps "web" created`).
    static func written(in text: String, source: String) throws(KubectlFailure) -> [(object: any APIObject, apiVersion: String)] {
        if let problem = ManifestLimits.problem(in: text, source: source) { throw KubectlFailure(problem) }
        var documents: [JSONValue] = []
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            do { documents = [try JSONValue.parse(trimmed)] } catch {
                throw KubectlFailure("error: error parsing \(source): \(error.description)")
            }
        } else {
            do {
                let parser = try Parser(yaml: text)
                while let node = try parser.nextRoot() { documents.append(json(node)) }
            } catch let error as YamlError {
                throw KubectlFailure("error: error parsing \(source): error converting YAML to JSON: yaml: \(describe(error))")
            } catch {
                throw KubectlFailure("error: error parsing \(source): \(error)")
            }
        }
        var room = ManifestLimits.maximumNodes
        for document in documents { ManifestLimits.nodeCount(document, budget: &room) }
        guard room >= 0 else {
            throw KubectlFailure("error: error parsing \(source): the manifest holds more than \(ManifestLimits.maximumNodes) values")
        }
        var objects: [(object: any APIObject, apiVersion: String)] = []
        for document in documents where document != .null {
            let items = document["kind"]?.stringValue == "List" ? document["items"]?.arrayValue ?? [] : [document]
            for item in items { objects.append((try decode(item, source: source), item["apiVersion"]?.stringValue ?? "")) }
        }
        guard !objects.isEmpty else { throw KubectlFailure("error: no objects passed to apply") }
        return objects
    }

    static func decode(_ document: JSONValue, source: String) throws(KubectlFailure) -> any APIObject {
        guard document.objectValue != nil else {
            throw KubectlFailure("error: error validating \"\(source)\": error validating data: invalid object; if you choose to ignore these errors, turn validation off with --validate=false")
        }
        let kind = document["kind"]?.stringValue ?? ""
        if kind.isEmpty {
            throw KubectlFailure("error: error validating \"\(source)\": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false")
        }
        guard Resource.allCases.contains(where: { $0.kind == kind }) else {
            throw KubectlFailure("error: resource mapping not found for name: \"\(document["metadata"]?["name"]?.stringValue ?? "")\" namespace: \"\" from \"\(source)\": no matches for kind \"\(kind)\" in version \"\(document["apiVersion"]?.stringValue ?? "")\"\nensure CRDs are installed first")
        }
        do throws(ObjectDecodingError) {
            var object = try ObjectDecoder.decode(document)
            object.applyDefaults()
            try object.validate()
            if object.metadata.name.isEmpty { throw ObjectDecodingError(path: "metadata.name", problem: "Required value: name or generateName is required") }
            return object
        } catch {
            throw KubectlFailure("error: error validating \"\(source)\": error validating data: \(error.description); if you choose to ignore these errors, turn validation off with --validate=false")
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line): \(problem)"
        default:
            return "\(error)"
        }
    }

    static func json(_ node: Yams.Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch scalar.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map { JSONValue.bool($0) } ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { JSONValue.integer(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map { JSONValue.number($0) } ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var fields = OrderedDictionary<String, JSONValue>()
            for (key, value) in mapping { fields[key.string ?? "\(key)"] = json(value) }
            return .object(fields)
        case .sequence(let sequence):
            return .array(sequence.map(json))
        }
    }

    // MARK: Output

    static func yaml(_ value: JSONValue) -> String {
        do { return try Yams.serialize(node: node(value), sortKeys: true) } catch { return "# \(error)\n" }
    }

    private static func node(_ value: JSONValue) -> Yams.Node {
        switch value {
        case .null: return Yams.Node("null", Tag(.null))
        case .bool(let flag): return Yams.Node(flag ? "true" : "false", Tag(.bool))
        case .integer(let number): return Yams.Node(String(number), Tag(.int))
        case .number(let number): return Yams.Node("\(number)", Tag(.float))
        case .string(let text):
            if text.contains("\n") { return Yams.Node(text, Tag(.str), .literal) }
            return Yams.Node(text, Tag(.str), looksLikeAnotherType(text) ? .doubleQuoted : .any)
        case .array(let items): return Yams.Node(items.map(node))
        case .object(let fields): return Yams.Node(fields.map { (Yams.Node($0.key), node($0.value)) })
        }
    }

    /// Strings YAML would read back as numbers, booleans or null are quoted, as kubectl does.
    private static func looksLikeAnotherType(_ text: String) -> Bool {
        if text.isEmpty || Double(text) != nil { return true }
        return ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"].contains(text.lowercased())
    }

    /// A list of objects as kubectl prints one: `kind: List` with the objects as items.
    static func list(_ objects: [any APIObject]) -> JSONValue {
        .object(["apiVersion": .string("v1"), "items": .array(objects.map { $0.encode() }), "kind": .string("List"),
                 "metadata": .object(["resourceVersion": .string("")])])
    }
}
