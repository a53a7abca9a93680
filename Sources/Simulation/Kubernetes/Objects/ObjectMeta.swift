/// Who controls an object: a ReplicaSet owns its pods, a Deployment its ReplicaSets. The
/// garbage collection and adoption rules hang on `controller` and `uid`.
public struct OwnerReference: Equatable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool = true) {
        (self.apiVersion, self.kind, self.name, self.uid, self.controller) = (apiVersion, kind, name, uid, controller)
    }

    var json: JSONValue {
        var writer = FieldWriter()
        writer.set("apiVersion", apiVersion)
        writer.set("kind", kind)
        writer.set("name", name)
        writer.set("uid", uid)
        writer.set("controller", controller)
        writer.set("blockOwnerDeletion", true)
        return writer.value
    }

    static func decode(_ value: JSONValue, _ path: String) throws(ObjectDecodingError) -> OwnerReference {
        let reader = try FieldReader(value, path: path)
        return OwnerReference(apiVersion: try reader.string("apiVersion", default: ""), kind: try reader.string("kind", default: ""),
                              name: try reader.string("name", default: ""), uid: try reader.string("uid", default: ""),
                              controller: try reader.bool("controller") ?? false)
    }
}

/// The metadata every object carries. `resourceVersion` is the etcd modification revision of the
/// stored value (0 before the object is stored); it is never part of the stored value itself.
public struct ObjectMeta: Equatable, Sendable {
    public var name: String
    public var generateName: String = ""
    /// Empty for cluster-scoped objects (nodes, namespaces).
    public var namespace: String
    public var uid: String = ""
    public var resourceVersion: Int64 = 0
    public var generation: Int64 = 0
    public var creationTimestamp: Timestamp?
    public var deletionTimestamp: Timestamp?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String] = [:]
    public var annotations: [String: String] = [:]
    public var ownerReferences: [OwnerReference] = []

    public init(name: String, namespace: String = "", labels: [String: String] = [:], annotations: [String: String] = [:]) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    /// The owner that controls this object, if any.
    public var controllerReference: OwnerReference? { ownerReferences.first { $0.controller } }

    public var isTerminating: Bool { deletionTimestamp != nil }

    func encode(includeResourceVersion: Bool) -> JSONValue {
        var writer = FieldWriter()
        writer.set("name", name)
        writer.set("generateName", generateName)
        writer.set("namespace", namespace)
        writer.set("uid", uid)
        if includeResourceVersion && resourceVersion > 0 { writer.set("resourceVersion", String(resourceVersion)) }
        writer.setNonZero("generation", generation)
        writer.set("creationTimestamp", creationTimestamp)
        writer.set("deletionTimestamp", deletionTimestamp)
        writer.set("deletionGracePeriodSeconds", deletionGracePeriodSeconds)
        writer.set("labels", labels)
        writer.set("annotations", annotations)
        writer.set("ownerReferences", list: ownerReferences.map(\.json))
        return writer.value
    }

    static func decode(_ reader: FieldReader) throws(ObjectDecodingError) -> ObjectMeta {
        var meta = ObjectMeta(name: try reader.string("name", default: ""), namespace: try reader.string("namespace", default: ""))
        meta.generateName = try reader.string("generateName", default: "")
        meta.uid = try reader.string("uid", default: "")
        if let version = try reader.string("resourceVersion"), !version.isEmpty {
            guard let number = Int64(version), number >= 0 else {
                throw ObjectDecodingError(path: reader.field("resourceVersion"), problem: "Invalid value: \"\(version)\": must be a number")
            }
            meta.resourceVersion = number
        }
        meta.generation = try reader.integer("generation") ?? 0
        meta.creationTimestamp = try Timestamp.decode(reader, "creationTimestamp")
        meta.deletionTimestamp = try Timestamp.decode(reader, "deletionTimestamp")
        meta.deletionGracePeriodSeconds = try reader.integer("deletionGracePeriodSeconds")
        meta.labels = try reader.stringMap("labels")
        meta.annotations = try reader.stringMap("annotations")
        meta.ownerReferences = try reader.list("ownerReferences", OwnerReference.decode) ?? []
        return meta
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(namespace); hasher.combine(name); hasher.combine(uid)
        hasher.combine(resourceVersion); hasher.combine(generation)
        hasher.combine(deletionTimestamp?.secondsSinceEpoch ?? -1)
    }
}
