/// A taint keeps pods off a node unless they tolerate it (masters carry one).
public struct Taint: Equatable, Sendable {
    public var key: String
    public var value: String
    public var effect: String

    public init(key: String, value: String = "", effect: String) { (self.key, self.value, self.effect) = (key, value, effect) }
}

public struct NodeSpec: Equatable, Sendable {
    public var podCIDR: String
    public var unschedulable = false
    public var taints: [Taint] = []

    public init(podCIDR: String) { self.podCIDR = podCIDR }
}

public struct NodeSystemInfo: Equatable, Sendable {
    public var kubeletVersion: String
    public var osImage = "Container Linux by CoreOS 1520.6.0 (Ladybug)"
    public var kernelVersion = "4.13.9-coreos"
    public var containerRuntimeVersion = "docker://1.12.6"

    public init(kubeletVersion: String) { self.kubeletVersion = kubeletVersion }
}

public struct NodeStatus: Equatable, Sendable {
    /// `cpu`, `memory`, `pods`, as quantities.
    public var capacity: [String: String] = [:]
    public var allocatable: [String: String] = [:]
    public var conditions: [Condition] = []
    public var addresses: [(type: String, address: String)] = []
    public var nodeInfo: NodeSystemInfo

    public init(nodeInfo: NodeSystemInfo) { self.nodeInfo = nodeInfo }

    public static func == (left: NodeStatus, right: NodeStatus) -> Bool {
        left.capacity == right.capacity && left.allocatable == right.allocatable && left.conditions == right.conditions
            && left.addresses.map(\.address) == right.addresses.map(\.address) && left.nodeInfo == right.nodeInfo
    }

    public var internalIP: String { addresses.first { $0.type == "InternalIP" }?.address ?? "" }
}

/// A machine the kubelet registered. Its `Ready` condition is the kubelet's heartbeat.
public struct Node: APIObject, Equatable {
    public static let resource = Resource.nodes
    public static let zoneLabel = "failure-domain.beta.kubernetes.io/zone"
    public static let hostnameLabel = "kubernetes.io/hostname"
    public static let masterRoleLabel = "node-role.kubernetes.io/master"
    public var metadata: ObjectMeta
    public var spec: NodeSpec
    public var status: NodeStatus

    public init(metadata: ObjectMeta, spec: NodeSpec, status: NodeStatus) {
        (self.metadata, self.spec, self.status) = (metadata, spec, status)
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        let specReader = try body.object("spec")
        spec = NodeSpec(podCIDR: try specReader.string("podCIDR", default: ""))
        spec.unschedulable = try specReader.bool("unschedulable") ?? false
        spec.taints = try specReader.list("taints") { (value, path) throws(ObjectDecodingError) -> Taint in
            let reader = try FieldReader(value, path: path)
            return Taint(key: try reader.string("key", default: ""), value: try reader.string("value", default: ""),
                         effect: try reader.string("effect", default: ""))
        } ?? []
        let statusReader = try body.object("status")
        let info = try statusReader.object("nodeInfo")
        var nodeInfo = NodeSystemInfo(kubeletVersion: try info.string("kubeletVersion", default: ""))
        nodeInfo.osImage = try info.string("osImage", default: "")
        nodeInfo.kernelVersion = try info.string("kernelVersion", default: "")
        nodeInfo.containerRuntimeVersion = try info.string("containerRuntimeVersion", default: "")
        status = NodeStatus(nodeInfo: nodeInfo)
        status.capacity = try statusReader.stringMap("capacity")
        status.allocatable = try statusReader.stringMap("allocatable")
        status.conditions = try statusReader.list("conditions", Condition.decode) ?? []
        status.addresses = try statusReader.list("addresses") { (value, path) throws(ObjectDecodingError) -> (type: String, address: String) in
            let reader = try FieldReader(value, path: path)
            return (try reader.string("type", default: ""), try reader.string("address", default: ""))
        } ?? []
    }

    public func encodeBody(into writer: inout FieldWriter) {
        var specWriter = FieldWriter()
        specWriter.set("podCIDR", spec.podCIDR)
        if spec.unschedulable { specWriter.set("unschedulable", true) }
        specWriter.set("taints", list: spec.taints.map { taint in
            var taintWriter = FieldWriter()
            taintWriter.set("key", taint.key)
            taintWriter.set("value", taint.value)
            taintWriter.set("effect", taint.effect)
            return taintWriter.value
        })
        writer.set("spec", specWriter.value)
        var statusWriter = FieldWriter()
        statusWriter.set("capacity", status.capacity)
        statusWriter.set("allocatable", status.allocatable)
        statusWriter.set("conditions", list: status.conditions.map(\.json))
        statusWriter.set("addresses", list: status.addresses.map { .object(["type": .string($0.type), "address": .string($0.address)]) })
        var info = FieldWriter()
        info.set("kernelVersion", status.nodeInfo.kernelVersion)
        info.set("osImage", status.nodeInfo.osImage)
        info.set("containerRuntimeVersion", status.nodeInfo.containerRuntimeVersion)
        info.set("kubeletVersion", status.nodeInfo.kubeletVersion)
        info.set("kubeProxyVersion", status.nodeInfo.kubeletVersion)
        info.set("operatingSystem", "linux")
        info.set("architecture", "amd64")
        statusWriter.set("nodeInfo", info.value)
        writer.set("status", statusWriter.value)
    }

    public var isReady: Bool { status.conditions["Ready"]?.isTrue ?? false }
    public var zone: String { metadata.labels[Node.zoneLabel] ?? "" }
    public var isMaster: Bool { metadata.labels[Node.masterRoleLabel] != nil }

    public var allocatableMillicores: Int64 { status.allocatable["cpu"].flatMap(Quantity.millicores) ?? 0 }
    public var allocatableBytes: Int64 { status.allocatable["memory"].flatMap(Quantity.bytes) ?? 0 }
    public var allocatablePods: Int64 { status.allocatable["pods"].flatMap { Int64($0) } ?? 110 }
}

/// Something that happened to an object, as `kubectl get events` and `describe` show.
public struct Event: APIObject, Equatable {
    public static let resource = Resource.events
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String
    public var message: String
    public var sourceComponent: String
    public var sourceHost: String = ""
    public var firstTimestamp: Timestamp
    public var lastTimestamp: Timestamp
    public var count: Int64 = 1
    /// Normal or Warning.
    public var type: String

    public init(metadata: ObjectMeta, involvedObject: ObjectReference, reason: String, message: String, sourceComponent: String,
                type: String, at time: Timestamp) {
        (self.metadata, self.involvedObject, self.reason, self.message) = (metadata, involvedObject, reason, message)
        (self.sourceComponent, self.type, self.firstTimestamp, self.lastTimestamp) = (sourceComponent, type, time, time)
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        involvedObject = try ObjectReference.decode(body.fields["involvedObject"] ?? .object([:]), "involvedObject")
        reason = try body.string("reason", default: "")
        message = try body.string("message", default: "")
        let source = try body.object("source")
        sourceComponent = try source.string("component", default: "")
        sourceHost = try source.string("host", default: "")
        let zero = Timestamp(secondsSinceEpoch: 0)
        firstTimestamp = try Timestamp.decode(body, "firstTimestamp") ?? metadata.creationTimestamp ?? zero
        lastTimestamp = try Timestamp.decode(body, "lastTimestamp") ?? firstTimestamp
        count = try body.integer("count") ?? 1
        type = try body.string("type", default: "Normal")
    }

    public func encodeBody(into writer: inout FieldWriter) {
        writer.set("involvedObject", involvedObject.json)
        writer.set("reason", reason)
        writer.set("message", message)
        var source = FieldWriter()
        source.set("component", sourceComponent)
        source.set("host", sourceHost)
        writer.set("source", source.value)
        writer.set("firstTimestamp", firstTimestamp)
        writer.set("lastTimestamp", lastTimestamp)
        writer.set("count", count)
        writer.set("type", type)
    }
}
