import OrderedCollections

/// A port a container listens on.
public struct ContainerPort: Equatable, Sendable {
    public var name: String
    public var containerPort: Int64
    public var `protocol`: String

    public init(name: String = "", containerPort: Int64, protocol: String = "TCP") {
        (self.name, self.containerPort, self.protocol) = (name, containerPort, `protocol`)
    }
}

/// A readiness probe, reduced to the timings that decide when a pod turns ready.
public struct Probe: Equatable, Sendable {
    public var initialDelaySeconds: Int64 = 0
    public var periodSeconds: Int64 = 10
    public var failureThreshold: Int64 = 3
    /// The handler as written (`httpGet`, `tcpSocket`, `exec`), kept for display.
    public var handler: OrderedDictionary<String, JSONValue> = [:]

    public init(initialDelaySeconds: Int64 = 0, periodSeconds: Int64 = 10) {
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
    }
}

/// One container of a pod. Fields this model does not act on (command, env, volume mounts) are
/// kept as written, so `kubectl get -o yaml` shows what was applied.
public struct Container: Equatable, Sendable {
    public var name: String
    public var image: String
    public var ports: [ContainerPort] = []
    /// Requests as written (`cpu: 100m`, `memory: 128Mi`).
    public var requests: [String: String] = [:]
    public var limits: [String: String] = [:]
    public var readinessProbe: Probe?
    public var other: OrderedDictionary<String, JSONValue> = [:]

    public init(name: String, image: String, ports: [ContainerPort] = [], requests: [String: String] = [:]) {
        (self.name, self.image, self.ports, self.requests) = (name, image, ports, requests)
    }

    public var requestedMillicores: Int64 { requests["cpu"].flatMap(Quantity.millicores) ?? 0 }
    public var requestedBytes: Int64 { requests["memory"].flatMap(Quantity.bytes) ?? 0 }

    /// ConfigMaps named by `env[].valueFrom.configMapKeyRef` and `envFrom[].configMapRef`.
    public var configMapNames: [String] {
        var names: [String] = []
        for entry in other["env"]?.arrayValue ?? [] {
            if let name = entry["valueFrom"]?["configMapKeyRef"]?["name"]?.stringValue { names.append(name) }
        }
        for entry in other["envFrom"]?.arrayValue ?? [] {
            if let name = entry["configMapRef"]?["name"]?.stringValue { names.append(name) }
        }
        return names
    }

    static let modelledKeys: Set<String> = ["name", "image", "ports", "resources", "readinessProbe"]

    var json: JSONValue {
        var writer = FieldWriter()
        writer.set("name", name)
        writer.set("image", image)
        writer.set("ports", list: ports.map { port in
            var portWriter = FieldWriter()
            portWriter.set("name", port.name)
            portWriter.set("containerPort", port.containerPort)
            portWriter.set("protocol", port.protocol)
            return portWriter.value
        })
        var resources = FieldWriter()
        resources.set("limits", limits)
        resources.set("requests", requests)
        writer.set("resources", resources.value)
        if let probe = readinessProbe {
            var probeWriter = FieldWriter()
            for (key, value) in probe.handler { probeWriter.set(key, value) }
            probeWriter.set("initialDelaySeconds", probe.initialDelaySeconds)
            probeWriter.set("periodSeconds", probe.periodSeconds)
            probeWriter.set("failureThreshold", probe.failureThreshold)
            writer.set("readinessProbe", probeWriter.value)
        }
        for (key, value) in other { writer.set(key, value) }
        return writer.value
    }

    static func decode(_ value: JSONValue, _ path: String) throws(ObjectDecodingError) -> Container {
        let reader = try FieldReader(value, path: path)
        var container = Container(name: try reader.string("name", default: ""), image: try reader.string("image", default: ""))
        container.ports = try reader.list("ports") { (item, itemPath) throws(ObjectDecodingError) -> ContainerPort in
            let port = try FieldReader(item, path: itemPath)
            return ContainerPort(name: try port.string("name", default: ""), containerPort: try port.integer("containerPort") ?? 0,
                                 protocol: try port.string("protocol", default: "TCP"))
        } ?? []
        let resources = try reader.object("resources")
        container.requests = try resources.stringMap("requests")
        container.limits = try resources.stringMap("limits")
        if reader.has("readinessProbe") {
            let probeReader = try reader.object("readinessProbe")
            var probe = Probe(initialDelaySeconds: try probeReader.integer("initialDelaySeconds") ?? 0,
                              periodSeconds: try probeReader.integer("periodSeconds") ?? 10)
            probe.failureThreshold = try probeReader.integer("failureThreshold") ?? 3
            for (key, value) in probeReader.fields where !["initialDelaySeconds", "periodSeconds", "failureThreshold"].contains(key) {
                probe.handler[key] = value
            }
            container.readinessProbe = probe
        }
        for (key, value) in reader.fields where !modelledKeys.contains(key) { container.other[key] = value }
        if container.name.isEmpty { throw ObjectDecodingError(path: reader.field("name"), problem: "Required value") }
        if container.image.isEmpty { throw ObjectDecodingError(path: reader.field("image"), problem: "Required value") }
        return container
    }
}
