import OrderedCollections

/// What a pod should run and where.
public struct PodSpec: Equatable, Sendable {
    public var containers: [Container]
    public var nodeName: String = ""
    public var nodeSelector: [String: String] = [:]
    public var restartPolicy = "Always"
    public var terminationGracePeriodSeconds: Int64 = 30
    /// Volumes as written; the kubelet reads the ConfigMaps they name.
    public var volumes: [JSONValue] = []
    /// Tolerations as written; DaemonSet pods tolerate every taint.
    public var tolerations: [JSONValue] = []
    public var other: OrderedDictionary<String, JSONValue> = [:]

    public init(containers: [Container]) { self.containers = containers }

    /// Every ConfigMap the kubelet must fetch before it can start the pod.
    public var configMapNames: [String] {
        var names: [String] = []
        for volume in volumes {
            if let name = volume["configMap"]?["name"]?.stringValue { names.append(name) }
        }
        for container in containers { names += container.configMapNames }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    public var toleratesEverything: Bool {
        tolerations.contains { $0["operator"]?.stringValue == "Exists" && $0["key"] == nil }
    }

    static let modelledKeys: Set<String> = ["containers", "nodeName", "nodeSelector", "restartPolicy",
                                           "terminationGracePeriodSeconds", "volumes", "tolerations"]

    var json: JSONValue {
        var writer = FieldWriter()
        writer.set("volumes", list: volumes)
        writer.set("containers", .array(containers.map(\.json)))
        writer.set("restartPolicy", restartPolicy)
        writer.set("terminationGracePeriodSeconds", terminationGracePeriodSeconds)
        writer.set("nodeSelector", nodeSelector)
        writer.set("nodeName", nodeName)
        writer.set("tolerations", list: tolerations)
        for (key, value) in other { writer.set(key, value) }
        return writer.value
    }

    static func decode(_ reader: FieldReader) throws(ObjectDecodingError) -> PodSpec {
        guard let containers = try reader.list("containers", Container.decode), !containers.isEmpty else {
            throw ObjectDecodingError(path: reader.field("containers"), problem: "Required value")
        }
        var spec = PodSpec(containers: containers)
        spec.nodeName = try reader.string("nodeName", default: "")
        spec.nodeSelector = try reader.stringMap("nodeSelector")
        spec.restartPolicy = try reader.string("restartPolicy", default: "Always")
        spec.terminationGracePeriodSeconds = try reader.integer("terminationGracePeriodSeconds") ?? 30
        spec.volumes = try reader.list("volumes") { (value, _) throws(ObjectDecodingError) in value } ?? []
        spec.tolerations = try reader.list("tolerations") { (value, _) throws(ObjectDecodingError) in value } ?? []
        for (key, value) in reader.fields where !modelledKeys.contains(key) { spec.other[key] = value }
        return spec
    }
}

/// A container's state as the kubelet reports it.
public enum ContainerState: Equatable, Sendable {
    case waiting(reason: String, message: String)
    case running(startedAt: Timestamp)
    case terminated(exitCode: Int64, reason: String, startedAt: Timestamp?, finishedAt: Timestamp)

    var json: JSONValue {
        var inner = FieldWriter()
        var writer = FieldWriter()
        switch self {
        case .waiting(let reason, let message):
            inner.set("reason", reason)
            inner.set("message", message)
            writer.set("waiting", inner.value)
        case .running(let startedAt):
            inner.set("startedAt", startedAt)
            writer.set("running", inner.value)
        case .terminated(let exitCode, let reason, let startedAt, let finishedAt):
            inner.set("exitCode", .integer(exitCode))
            inner.set("reason", reason)
            inner.set("startedAt", startedAt)
            inner.set("finishedAt", finishedAt)
            writer.set("terminated", inner.value)
        }
        return writer.value
    }

    static func decode(_ reader: FieldReader) throws(ObjectDecodingError) -> ContainerState? {
        if reader.has("running") {
            let running = try reader.object("running")
            return .running(startedAt: try Timestamp.decode(running, "startedAt") ?? Timestamp(secondsSinceEpoch: 0))
        }
        if reader.has("terminated") {
            let terminated = try reader.object("terminated")
            return .terminated(exitCode: try terminated.integer("exitCode") ?? 0, reason: try terminated.string("reason", default: ""),
                               startedAt: try Timestamp.decode(terminated, "startedAt"),
                               finishedAt: try Timestamp.decode(terminated, "finishedAt") ?? Timestamp(secondsSinceEpoch: 0))
        }
        if reader.has("waiting") {
            let waiting = try reader.object("waiting")
            return .waiting(reason: try waiting.string("reason", default: ""), message: try waiting.string("message", default: ""))
        }
        return nil
    }
}

public struct ContainerStatus: Equatable, Sendable {
    public var name: String
    public var state: ContainerState
    public var lastState: ContainerState?
    public var ready: Bool
    public var restartCount: Int64
    public var image: String
    public var containerID: String

    public init(name: String, state: ContainerState, ready: Bool = false, restartCount: Int64 = 0, image: String, containerID: String = "") {
        (self.name, self.state, self.ready, self.restartCount, self.image, self.containerID) = (name, state, ready, restartCount, image, containerID)
    }

    var json: JSONValue {
        var writer = FieldWriter()
        writer.set("name", name)
        writer.set("state", state.json)
        writer.set("lastState", lastState?.json ?? .object([:]))
        writer.set("ready", ready)
        writer.set("restartCount", restartCount)
        writer.set("image", image)
        writer.set("imageID", image.isEmpty ? "" : "docker-pullable://\(image)")
        writer.set("containerID", containerID)
        return writer.value
    }

    static func decode(_ value: JSONValue, _ path: String) throws(ObjectDecodingError) -> ContainerStatus {
        let reader = try FieldReader(value, path: path)
        var status = ContainerStatus(name: try reader.string("name", default: ""),
                                     state: try ContainerState.decode(try reader.object("state")) ?? .waiting(reason: "", message: ""),
                                     ready: try reader.bool("ready") ?? false, restartCount: try reader.integer("restartCount") ?? 0,
                                     image: try reader.string("image", default: ""), containerID: try reader.string("containerID", default: ""))
        status.lastState = try ContainerState.decode(try reader.object("lastState"))
        return status
    }
}

/// A condition such as a pod's `Ready` or a node's `Ready`.
public struct Condition: Equatable, Sendable {
    public var type: String
    /// "True", "False" or "Unknown", as the API spells them.
    public var status: String
    public var lastHeartbeatTime: Timestamp?
    /// Deployments' conditions record when they last changed, not heartbeats.
    public var lastUpdateTime: Timestamp?
    public var lastTransitionTime: Timestamp?
    public var reason: String = ""
    public var message: String = ""

    public init(type: String, status: String, lastHeartbeatTime: Timestamp? = nil, lastTransitionTime: Timestamp?,
                reason: String = "", message: String = "") {
        (self.type, self.status, self.lastHeartbeatTime, self.lastTransitionTime) = (type, status, lastHeartbeatTime, lastTransitionTime)
        (self.reason, self.message) = (reason, message)
    }

    public var isTrue: Bool { status == "True" }

    var json: JSONValue {
        var writer = FieldWriter()
        writer.set("type", type)
        writer.set("status", status)
        writer.set("lastHeartbeatTime", lastHeartbeatTime)
        writer.set("lastUpdateTime", lastUpdateTime)
        writer.set("lastTransitionTime", lastTransitionTime)
        writer.set("reason", reason)
        writer.set("message", message)
        return writer.value
    }

    static func decode(_ value: JSONValue, _ path: String) throws(ObjectDecodingError) -> Condition {
        let reader = try FieldReader(value, path: path)
        var condition = Condition(type: try reader.string("type", default: ""), status: try reader.string("status", default: "Unknown"),
                                  lastHeartbeatTime: try Timestamp.decode(reader, "lastHeartbeatTime"),
                                  lastTransitionTime: try Timestamp.decode(reader, "lastTransitionTime"),
                                  reason: try reader.string("reason", default: ""), message: try reader.string("message", default: ""))
        condition.lastUpdateTime = try Timestamp.decode(reader, "lastUpdateTime")
        return condition
    }
}

extension Array where Element == Condition {
    public subscript(type: String) -> Condition? { first { $0.type == type } }

    /// Sets a condition, keeping its transition time when the status does not change.
    public mutating func set(_ condition: Condition) {
        guard let index = firstIndex(where: { $0.type == condition.type }) else { append(condition); return }
        var updated = condition
        if self[index].status == condition.status { updated.lastTransitionTime = self[index].lastTransitionTime }
        self[index] = updated
    }
}

public struct PodStatus: Equatable, Sendable {
    /// Pending, Running, Succeeded, Failed or Unknown.
    public var phase = "Pending"
    public var conditions: [Condition] = []
    public var message = ""
    public var reason = ""
    public var hostIP = ""
    public var podIP = ""
    public var startTime: Timestamp?
    public var containerStatuses: [ContainerStatus] = []

    public init() {}

    var json: JSONValue {
        var writer = FieldWriter()
        writer.set("phase", phase)
        writer.set("conditions", list: conditions.map(\.json))
        writer.set("message", message)
        writer.set("reason", reason)
        writer.set("hostIP", hostIP)
        writer.set("podIP", podIP)
        writer.set("startTime", startTime)
        writer.set("containerStatuses", list: containerStatuses.map(\.json))
        return writer.value
    }

    static func decode(_ reader: FieldReader) throws(ObjectDecodingError) -> PodStatus {
        var status = PodStatus()
        status.phase = try reader.string("phase", default: "Pending")
        status.conditions = try reader.list("conditions", Condition.decode) ?? []
        status.message = try reader.string("message", default: "")
        status.reason = try reader.string("reason", default: "")
        status.hostIP = try reader.string("hostIP", default: "")
        status.podIP = try reader.string("podIP", default: "")
        status.startTime = try Timestamp.decode(reader, "startTime")
        status.containerStatuses = try reader.list("containerStatuses", ContainerStatus.decode) ?? []
        return status
    }
}

/// A pod: one or more containers scheduled together onto a node.
///
/// A value, like every object, but its fields live in one box shared between copies until one
/// of them changes (copy on write). Pods are copied at every step (caches, informers, watch
/// events, `any APIObject` existentials), and a pod held inline is dozens of references to
/// retain and release per copy, and too big for an existential's inline buffer, so every
/// conversion allocated. Reads borrow the box's fields (`_read`); writes copy the box first
/// if another pod shares it (`_modify`).
public struct Pod: APIObject, Equatable {
    public static let resource = Resource.pods

    private final class Storage: @unchecked Sendable {
        var metadata: ObjectMeta
        var spec: PodSpec
        var status: PodStatus
        /// `spec` as JSON, made on first need. Every pod sharing this box has this spec (a change
        /// to a spec makes the box its own and clears this first), and most writes of a pod change
        /// only its status, so the stored form's largest part is built once per spec.
        var specJSON: JSONValue?

        init(metadata: ObjectMeta, spec: PodSpec, status: PodStatus, specJSON: JSONValue? = nil) {
            (self.metadata, self.spec, self.status, self.specJSON) = (metadata, spec, status, specJSON)
        }
    }

    private var storage: Storage

    public var metadata: ObjectMeta {
        _read { yield storage.metadata }
        _modify { yield &uniqueStorage().metadata }
    }

    public var spec: PodSpec {
        _read { yield storage.spec }
        _modify {
            let unique = uniqueStorage()
            unique.specJSON = nil
            yield &unique.spec
        }
    }

    public var status: PodStatus {
        _read { yield storage.status }
        _modify { yield &uniqueStorage().status }
    }

    public init(metadata: ObjectMeta, spec: PodSpec) {
        storage = Storage(metadata: metadata, spec: spec, status: PodStatus())
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        storage = Storage(metadata: metadata, spec: try PodSpec.decode(try body.object("spec")),
                          status: try PodStatus.decode(try body.object("status")))
    }

    /// The box, made this pod's own before a change: a pod sharing it with others copies it.
    private mutating func uniqueStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) {
            storage = Storage(metadata: storage.metadata, spec: storage.spec, status: storage.status, specJSON: storage.specJSON)
        }
        return storage
    }

    public static func == (left: Pod, right: Pod) -> Bool {
        left.storage === right.storage
            || (left.metadata == right.metadata && left.spec == right.spec && left.status == right.status)
    }

    public func encodeBody(into writer: inout FieldWriter) {
        writer.set("spec", specJSON)
        writer.set("status", status.json)
    }

    private var specJSON: JSONValue {
        if let cached = storage.specJSON { return cached }
        let json = storage.spec.json
        storage.specJSON = json
        return json
    }

    /// Ready as the endpoints controller and kubectl see it: the Ready condition is True.
    public var isReady: Bool { status.conditions["Ready"]?.isTrue ?? false }

    /// Not finished and not being deleted: counts toward a ReplicaSet's replicas.
    public var isActive: Bool {
        metadata.deletionTimestamp == nil && status.phase != "Succeeded" && status.phase != "Failed"
    }

    public var requestedMillicores: Int64 { spec.containers.reduce(0) { $0 + $1.requestedMillicores } }
    public var requestedBytes: Int64 { spec.containers.reduce(0) { $0 + $1.requestedBytes } }
}

/// A pod template, as Deployments, ReplicaSets and DaemonSets hold one.
public struct PodTemplateSpec: Equatable, Sendable {
    public var labels: [String: String]
    public var annotations: [String: String] = [:]
    public var spec: PodSpec

    public init(labels: [String: String], spec: PodSpec) {
        self.labels = labels
        self.spec = spec
    }

    var json: JSONValue {
        var metadata = FieldWriter()
        metadata.set("labels", labels)
        metadata.set("annotations", annotations)
        var writer = FieldWriter()
        writer.set("metadata", metadata.value)
        writer.set("spec", spec.json)
        return writer.value
    }

    static func decode(_ reader: FieldReader) throws(ObjectDecodingError) -> PodTemplateSpec {
        let metadata = try reader.object("metadata")
        var template = PodTemplateSpec(labels: try metadata.stringMap("labels"), spec: try PodSpec.decode(try reader.object("spec")))
        template.annotations = try metadata.stringMap("annotations")
        return template
    }

    /// The `pod-template-hash` label value: a stable hash of the template in kubectl's safe alphabet.
    public var hashLabel: String {
        var copy = self
        copy.labels["pod-template-hash"] = nil
        var hash = StableHasher.hash(copy.json.compactText)
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var text = ""
        for _ in 0..<10 {
            text.append(alphabet[Int(hash % UInt64(alphabet.count))])
            hash /= UInt64(alphabet.count)
        }
        return text
    }

    public var images: [String] { spec.containers.map(\.image) }
}
