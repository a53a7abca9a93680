/// A Kubernetes object: metadata plus a body (spec and status, or data). Each resource type is a
/// value type that encodes to the API's JSON and decodes from it; caches keep decoded copies so
/// nothing re-parses JSON on every event.
public protocol APIObject: Sendable {
    static var resource: Resource { get }
    var metadata: ObjectMeta { get set }
    /// Writes the fields after `metadata` in the API's order.
    func encodeBody(into writer: inout FieldWriter)
    init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError)
    /// True when the desired state differs from `other`'s, which bumps `metadata.generation`.
    func hasDifferentSpec(from other: any APIObject) -> Bool
    /// Sets defaults the apiserver fills in on create (replicas 1, strategy, ports' protocols).
    mutating func applyDefaults()
    /// Checks what the apiserver validates; the message is the API's (`spec.replicas: Invalid value`).
    func validate() throws(ObjectDecodingError)
}

extension APIObject {
    public func hasDifferentSpec(from other: any APIObject) -> Bool { false }
    public mutating func applyDefaults() {}
    public func validate() throws(ObjectDecodingError) {}

    public var resource: Resource { Self.resource }
    public var name: String { metadata.name }
    public var namespace: String { metadata.namespace }
    public var storageKey: String { Self.resource.storageKey(namespace: metadata.namespace, name: metadata.name) }

    /// `namespace/name`, or the name alone for cluster-scoped objects.
    public var qualifiedName: String { metadata.namespace.isEmpty ? metadata.name : "\(metadata.namespace)/\(metadata.name)" }

    /// The whole object as the API serves it.
    public func encode(includeResourceVersion: Bool = true) -> JSONValue {
        var writer = FieldWriter()
        writer.set("kind", Self.resource.kind)
        writer.set("apiVersion", Self.resource.apiVersion)
        writer.set("metadata", metadata.encode(includeResourceVersion: includeResourceVersion))
        encodeBody(into: &writer)
        return writer.value
    }

    /// A reference to this object from an event or an endpoint address.
    public var reference: ObjectReference {
        ObjectReference(kind: Self.resource.kind, namespace: metadata.namespace, name: metadata.name, uid: metadata.uid)
    }

    public func ownerReference() -> OwnerReference {
        OwnerReference(apiVersion: Self.resource.apiVersion, kind: Self.resource.kind, name: metadata.name, uid: metadata.uid)
    }
}

/// Decodes any object from its JSON by its `kind`.
public enum ObjectDecoder {
    public static func decode(_ value: JSONValue) throws(ObjectDecodingError) -> any APIObject {
        let reader = try FieldReader(value)
        guard let kind = try reader.string("kind"), !kind.isEmpty else {
            throw ObjectDecodingError(path: "", problem: "Object 'Kind' is missing")
        }
        guard let resource = Resource.allCases.first(where: { $0.kind == kind }) else {
            throw ObjectDecodingError(path: "", problem: "no matches for kind \"\(kind)\"")
        }
        return try decode(value, as: resource)
    }

    public static func decode(_ value: JSONValue, as resource: Resource) throws(ObjectDecodingError) -> any APIObject {
        let reader = try FieldReader(value)
        let metadata = try ObjectMeta.decode(try reader.object("metadata"))
        return try resource.objectType.init(metadata: metadata, body: reader)
    }
}

/// A pointer to an object, as events and endpoint addresses carry one.
public struct ObjectReference: Equatable, Sendable {
    public var kind: String
    public var namespace: String
    public var name: String
    public var uid: String

    public init(kind: String, namespace: String, name: String, uid: String = "") {
        (self.kind, self.namespace, self.name, self.uid) = (kind, namespace, name, uid)
    }

    var json: JSONValue {
        var writer = FieldWriter()
        writer.set("kind", kind)
        writer.set("namespace", namespace)
        writer.set("name", name)
        writer.set("uid", uid)
        return writer.value
    }

    static func decode(_ value: JSONValue, _ path: String) throws(ObjectDecodingError) -> ObjectReference {
        let reader = try FieldReader(value, path: path)
        return ObjectReference(kind: try reader.string("kind", default: ""), namespace: try reader.string("namespace", default: ""),
                               name: try reader.string("name", default: ""), uid: try reader.string("uid", default: ""))
    }
}
