public struct ServicePort: Equatable, Sendable {
    public var name: String
    public var `protocol`: String
    public var port: Int64
    /// A number or a container port's name.
    public var targetPort: String
    public var nodePort: Int64 = 0

    public init(name: String = "", protocol: String = "TCP", port: Int64, targetPort: String? = nil) {
        (self.name, self.protocol, self.port) = (name, `protocol`, port)
        self.targetPort = targetPort ?? String(port)
    }
}

/// A Service: a stable name and virtual IP for the pods its selector picks.
public struct Service: APIObject, Equatable {
    public static let resource = Resource.services
    public var metadata: ObjectMeta
    public var type = "ClusterIP"
    public var clusterIP = ""
    public var ports: [ServicePort]
    /// Pods whose labels carry all of these back the service. Empty: endpoints are managed by hand.
    public var selector: [String: String]

    public init(metadata: ObjectMeta, ports: [ServicePort], selector: [String: String]) {
        (self.metadata, self.ports, self.selector) = (metadata, ports, selector)
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        let spec = try body.object("spec")
        type = try spec.string("type", default: "ClusterIP")
        clusterIP = try spec.string("clusterIP", default: "")
        selector = try spec.stringMap("selector")
        ports = try spec.list("ports") { (value, path) throws(ObjectDecodingError) -> ServicePort in
            let reader = try FieldReader(value, path: path)
            guard let port = try reader.integer("port"), (1...65_535).contains(port) else {
                throw ObjectDecodingError(path: reader.field("port"), problem: "Invalid value: must be between 1 and 65535, inclusive")
            }
            var servicePort = ServicePort(name: try reader.string("name", default: ""), protocol: try reader.string("protocol", default: "TCP"),
                                          port: port, targetPort: try reader.string("targetPort"))
            servicePort.nodePort = try reader.integer("nodePort") ?? 0
            return servicePort
        } ?? []
    }

    public func encodeBody(into writer: inout FieldWriter) {
        var spec = FieldWriter()
        spec.set("ports", list: ports.map { port in
            var portWriter = FieldWriter()
            portWriter.set("name", port.name)
            portWriter.set("protocol", port.protocol)
            portWriter.set("port", .integer(port.port))
            portWriter.set("targetPort", Int64(port.targetPort).map { JSONValue.integer($0) } ?? .string(port.targetPort))
            portWriter.setNonZero("nodePort", port.nodePort)
            return portWriter.value
        })
        spec.set("selector", selector)
        spec.set("clusterIP", clusterIP)
        spec.set("type", type)
        spec.set("sessionAffinity", "None")
        writer.set("spec", spec.value)
        writer.set("status", .object(["loadBalancer": .object([:])]))
    }

    public func hasDifferentSpec(from other: any APIObject) -> Bool {
        guard let other = other as? Service else { return true }
        return other.ports != ports || other.selector != selector || other.type != type
    }

    public func validate() throws(ObjectDecodingError) {
        if ports.isEmpty { throw ObjectDecodingError(path: "spec.ports", problem: "Required value") }
    }
}

public struct EndpointAddress: Equatable, Sendable {
    public var ip: String
    public var nodeName: String
    public var targetRef: ObjectReference?

    public init(ip: String, nodeName: String, targetRef: ObjectReference?) {
        (self.ip, self.nodeName, self.targetRef) = (ip, nodeName, targetRef)
    }
}

public struct EndpointPort: Equatable, Sendable {
    public var name: String
    public var port: Int64
    public var `protocol`: String

    public init(name: String, port: Int64, protocol: String) { (self.name, self.port, self.protocol) = (name, port, `protocol`) }
}

public struct EndpointSubset: Equatable, Sendable {
    public var addresses: [EndpointAddress]
    public var notReadyAddresses: [EndpointAddress]
    public var ports: [EndpointPort]

    public init(addresses: [EndpointAddress], notReadyAddresses: [EndpointAddress] = [], ports: [EndpointPort]) {
        (self.addresses, self.notReadyAddresses, self.ports) = (addresses, notReadyAddresses, ports)
    }
}

/// The addresses behind a Service. `subsets` is nil when there are none on Kubernetes 1.6 and
/// later, and an empty list before: the difference linkerd 0.9 tripped over at Monzo.
public struct Endpoints: APIObject, Equatable {
    public static let resource = Resource.endpoints
    public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?

    public init(metadata: ObjectMeta, subsets: [EndpointSubset]?) {
        self.metadata = metadata
        self.subsets = subsets
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        subsets = try body.list("subsets") { (value, path) throws(ObjectDecodingError) -> EndpointSubset in
            let reader = try FieldReader(value, path: path)
            func addresses(_ key: String) throws(ObjectDecodingError) -> [EndpointAddress] {
                try reader.list(key) { (item, itemPath) throws(ObjectDecodingError) -> EndpointAddress in
                    let address = try FieldReader(item, path: itemPath)
                    return EndpointAddress(ip: try address.string("ip", default: ""), nodeName: try address.string("nodeName", default: ""),
                                           targetRef: address.has("targetRef") ? try ObjectReference.decode(address.fields["targetRef"]!, itemPath) : nil)
                } ?? []
            }
            let ports = try reader.list("ports") { (item, itemPath) throws(ObjectDecodingError) -> EndpointPort in
                let port = try FieldReader(item, path: itemPath)
                return EndpointPort(name: try port.string("name", default: ""), port: try port.integer("port") ?? 0,
                                    protocol: try port.string("protocol", default: "TCP"))
            } ?? []
            return EndpointSubset(addresses: try addresses("addresses"), notReadyAddresses: try addresses("notReadyAddresses"), ports: ports)
        }
    }

    public func encodeBody(into writer: inout FieldWriter) {
        guard let subsets else { writer.set("subsets", .null); return }
        writer.set("subsets", .array(subsets.map { subset in
            func encode(_ address: EndpointAddress) -> JSONValue {
                var addressWriter = FieldWriter()
                addressWriter.set("ip", address.ip)
                addressWriter.set("nodeName", address.nodeName)
                if let reference = address.targetRef { addressWriter.set("targetRef", reference.json) }
                return addressWriter.value
            }
            var subsetWriter = FieldWriter()
            subsetWriter.set("addresses", list: subset.addresses.map(encode))
            subsetWriter.set("notReadyAddresses", list: subset.notReadyAddresses.map(encode))
            subsetWriter.set("ports", list: subset.ports.map { port in
                var portWriter = FieldWriter()
                portWriter.set("name", port.name)
                portWriter.set("port", .integer(port.port))
                portWriter.set("protocol", port.protocol)
                return portWriter.value
            })
            return subsetWriter.value
        }))
    }

    /// Every ready `ip:port`, in order, as `kubectl get endpoints` lists them.
    public var readyAddresses: [String] {
        (subsets ?? []).flatMap { subset in subset.addresses.flatMap { address in subset.ports.map { "\(address.ip):\($0.port)" } } }
    }
}

/// Configuration data a pod reads at start (linkerd's config at Monzo).
public struct ConfigMap: APIObject, Equatable {
    public static let resource = Resource.configmaps
    public var metadata: ObjectMeta
    public var data: [String: String]

    public init(metadata: ObjectMeta, data: [String: String]) {
        self.metadata = metadata
        self.data = data
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        data = try body.stringMap("data")
    }

    public func encodeBody(into writer: inout FieldWriter) { writer.set("data", data) }
}

/// A namespace. Objects can only be created in one that exists.
public struct Namespace: APIObject, Equatable {
    public static let resource = Resource.namespaces
    public var metadata: ObjectMeta
    public var phase = "Active"

    public init(metadata: ObjectMeta) { self.metadata = metadata }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        phase = try body.object("status").string("phase", default: "Active")
    }

    public func encodeBody(into writer: inout FieldWriter) {
        writer.set("spec", .object(["finalizers": .array([.string("kubernetes")])]))
        writer.set("status", .object(["phase": .string(phase)]))
    }
}
