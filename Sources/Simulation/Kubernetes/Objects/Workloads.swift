/// An integer or a percentage, as `maxSurge: 25%` or `maxUnavailable: 1`.
public struct IntOrPercent: Equatable, Sendable, CustomStringConvertible {
    public var text: String

    public init(_ text: String) { self.text = text }

    /// The absolute value for `total` replicas; percentages round up for surge, down for unavailability.
    /// Validation keeps both within int32, as the API's types do, so this cannot overflow.
    public func value(of total: Int64, roundUp: Bool) -> Int64 {
        if text.hasSuffix("%"), let percent = Int64(text.dropLast()) {
            let (scaled, overflow) = total.multipliedReportingOverflow(by: percent)
            if overflow { return Int64(Int32.max) }
            return roundUp ? (scaled + 99) / 100 : scaled / 100
        }
        return Int64(text) ?? 0
    }

    public var description: String { text }

    var json: JSONValue { text.hasSuffix("%") ? .string(text) : .integer(Int64(text) ?? 0) }

    static func decode(_ reader: FieldReader, _ key: String, default fallback: String) throws(ObjectDecodingError) -> IntOrPercent {
        guard let text = try reader.string(key) else { return IntOrPercent(fallback) }
        guard let number = Int64(text.hasSuffix("%") ? String(text.dropLast()) : text) else {
            throw ObjectDecodingError(path: reader.field(key), problem: "Invalid value: \"\(text)\": must be an integer or percentage (e.g '5%')")
        }
        // The API's IntOrString holds an int32, and apps validation wants it non-negative.
        guard number >= 0, number <= Int64(Int32.max) else {
            throw ObjectDecodingError(path: reader.field(key), problem: "Invalid value: \"\(text)\": must be greater than or equal to 0 and fit in 32 bits")
        }
        return IntOrPercent(text)
    }
}

public struct DeploymentStrategy: Equatable, Sendable {
    /// RollingUpdate or Recreate.
    public var type = "RollingUpdate"
    public var maxSurge = IntOrPercent("25%")
    public var maxUnavailable = IntOrPercent("25%")

    public init() {}
}

public struct DeploymentSpec: Equatable, Sendable {
    public var replicas: Int64 = 1
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    public var strategy = DeploymentStrategy()
    public var minReadySeconds: Int64 = 0
    public var revisionHistoryLimit: Int64 = 10
    public var progressDeadlineSeconds: Int64 = 600
    public var paused = false

    public init(replicas: Int64, selector: LabelSelector, template: PodTemplateSpec) {
        (self.replicas, self.selector, self.template) = (replicas, selector, template)
    }
}

public struct DeploymentStatus: Equatable, Sendable {
    public var observedGeneration: Int64 = 0
    public var replicas: Int64 = 0
    public var updatedReplicas: Int64 = 0
    public var readyReplicas: Int64 = 0
    public var availableReplicas: Int64 = 0
    public var unavailableReplicas: Int64 = 0
    public var conditions: [Condition] = []

    public init() {}
}

/// A Deployment: the desired pod template and replica count, rolled out through ReplicaSets.
public struct Deployment: APIObject, Equatable {
    public static let resource = Resource.deployments
    public static let revisionAnnotation = "deployment.kubernetes.io/revision"
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec
    public var status = DeploymentStatus()

    public init(metadata: ObjectMeta, spec: DeploymentSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        let specReader = try body.object("spec")
        spec = DeploymentSpec(replicas: try specReader.integer("replicas") ?? 1,
                              selector: try LabelSelector.decode(try specReader.object("selector")),
                              template: try PodTemplateSpec.decode(try specReader.object("template")))
        let strategy = try specReader.object("strategy")
        spec.strategy.type = try strategy.string("type", default: "RollingUpdate")
        let rolling = try strategy.object("rollingUpdate")
        spec.strategy.maxSurge = try IntOrPercent.decode(rolling, "maxSurge", default: "25%")
        spec.strategy.maxUnavailable = try IntOrPercent.decode(rolling, "maxUnavailable", default: "25%")
        spec.minReadySeconds = try specReader.integer("minReadySeconds") ?? 0
        spec.revisionHistoryLimit = try specReader.integer("revisionHistoryLimit") ?? 10
        spec.progressDeadlineSeconds = try specReader.integer("progressDeadlineSeconds") ?? 600
        spec.paused = try specReader.bool("paused") ?? false
        let statusReader = try body.object("status")
        status.observedGeneration = try statusReader.integer("observedGeneration") ?? 0
        status.replicas = try statusReader.integer("replicas") ?? 0
        status.updatedReplicas = try statusReader.integer("updatedReplicas") ?? 0
        status.readyReplicas = try statusReader.integer("readyReplicas") ?? 0
        status.availableReplicas = try statusReader.integer("availableReplicas") ?? 0
        status.unavailableReplicas = try statusReader.integer("unavailableReplicas") ?? 0
        status.conditions = try statusReader.list("conditions", Condition.decode) ?? []
    }

    public func encodeBody(into writer: inout FieldWriter) {
        var specWriter = FieldWriter()
        specWriter.set("replicas", .integer(spec.replicas))
        specWriter.set("selector", spec.selector.json)
        specWriter.set("template", spec.template.json)
        var strategy = FieldWriter()
        strategy.set("type", spec.strategy.type)
        if spec.strategy.type == "RollingUpdate" {
            var rolling = FieldWriter()
            rolling.set("maxSurge", spec.strategy.maxSurge.json)
            rolling.set("maxUnavailable", spec.strategy.maxUnavailable.json)
            strategy.set("rollingUpdate", rolling.value)
        }
        specWriter.set("strategy", strategy.value)
        specWriter.setNonZero("minReadySeconds", spec.minReadySeconds)
        specWriter.set("revisionHistoryLimit", spec.revisionHistoryLimit)
        specWriter.set("progressDeadlineSeconds", spec.progressDeadlineSeconds)
        if spec.paused { specWriter.set("paused", true) }
        writer.set("spec", specWriter.value)
        var statusWriter = FieldWriter()
        statusWriter.setNonZero("observedGeneration", status.observedGeneration)
        statusWriter.setNonZero("replicas", status.replicas)
        statusWriter.setNonZero("updatedReplicas", status.updatedReplicas)
        statusWriter.setNonZero("readyReplicas", status.readyReplicas)
        statusWriter.setNonZero("availableReplicas", status.availableReplicas)
        statusWriter.setNonZero("unavailableReplicas", status.unavailableReplicas)
        statusWriter.set("conditions", list: status.conditions.map(\.json))
        writer.set("status", statusWriter.value)
    }

    public func hasDifferentSpec(from other: any APIObject) -> Bool { (other as? Deployment)?.spec != spec }

    public func validate() throws(ObjectDecodingError) {
        try WorkloadValidation.check(selector: spec.selector, template: spec.template, replicas: spec.replicas)
    }

    /// The revision number kubectl's rollout history shows, from the annotation.
    public var revision: Int64 { metadata.annotations[Deployment.revisionAnnotation].flatMap { Int64($0) } ?? 0 }
}

public struct ReplicaSetSpec: Equatable, Sendable {
    public var replicas: Int64
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    public var minReadySeconds: Int64 = 0

    public init(replicas: Int64, selector: LabelSelector, template: PodTemplateSpec) {
        (self.replicas, self.selector, self.template) = (replicas, selector, template)
    }
}

public struct ReplicaSetStatus: Equatable, Sendable {
    public var replicas: Int64 = 0
    public var fullyLabeledReplicas: Int64 = 0
    public var readyReplicas: Int64 = 0
    public var availableReplicas: Int64 = 0
    public var observedGeneration: Int64 = 0

    public init() {}
}

/// A ReplicaSet: keeps a number of pods from one template running.
public struct ReplicaSet: APIObject, Equatable {
    public static let resource = Resource.replicasets
    public var metadata: ObjectMeta
    public var spec: ReplicaSetSpec
    public var status = ReplicaSetStatus()

    public init(metadata: ObjectMeta, spec: ReplicaSetSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        let specReader = try body.object("spec")
        spec = ReplicaSetSpec(replicas: try specReader.integer("replicas") ?? 1,
                              selector: try LabelSelector.decode(try specReader.object("selector")),
                              template: try PodTemplateSpec.decode(try specReader.object("template")))
        spec.minReadySeconds = try specReader.integer("minReadySeconds") ?? 0
        let statusReader = try body.object("status")
        status.replicas = try statusReader.integer("replicas") ?? 0
        status.fullyLabeledReplicas = try statusReader.integer("fullyLabeledReplicas") ?? 0
        status.readyReplicas = try statusReader.integer("readyReplicas") ?? 0
        status.availableReplicas = try statusReader.integer("availableReplicas") ?? 0
        status.observedGeneration = try statusReader.integer("observedGeneration") ?? 0
    }

    public func encodeBody(into writer: inout FieldWriter) {
        var specWriter = FieldWriter()
        specWriter.set("replicas", .integer(spec.replicas))
        specWriter.set("selector", spec.selector.json)
        specWriter.set("template", spec.template.json)
        specWriter.setNonZero("minReadySeconds", spec.minReadySeconds)
        writer.set("spec", specWriter.value)
        var statusWriter = FieldWriter()
        statusWriter.set("replicas", .integer(status.replicas))
        statusWriter.setNonZero("fullyLabeledReplicas", status.fullyLabeledReplicas)
        statusWriter.setNonZero("readyReplicas", status.readyReplicas)
        statusWriter.setNonZero("availableReplicas", status.availableReplicas)
        statusWriter.setNonZero("observedGeneration", status.observedGeneration)
        writer.set("status", statusWriter.value)
    }

    public func hasDifferentSpec(from other: any APIObject) -> Bool { (other as? ReplicaSet)?.spec != spec }

    public func validate() throws(ObjectDecodingError) {
        try WorkloadValidation.check(selector: spec.selector, template: spec.template, replicas: spec.replicas)
    }

    public var revision: Int64 { metadata.annotations[Deployment.revisionAnnotation].flatMap { Int64($0) } ?? 0 }
}

public struct DaemonSetSpec: Equatable, Sendable {
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    /// RollingUpdate (replace pods node by node) or OnDelete.
    public var updateStrategyType = "RollingUpdate"
    public var maxUnavailable = IntOrPercent("1")
    public var minReadySeconds: Int64 = 0

    public init(selector: LabelSelector, template: PodTemplateSpec) {
        (self.selector, self.template) = (selector, template)
    }
}

public struct DaemonSetStatus: Equatable, Sendable {
    public var currentNumberScheduled: Int64 = 0
    public var numberMisscheduled: Int64 = 0
    public var desiredNumberScheduled: Int64 = 0
    public var numberReady: Int64 = 0
    public var observedGeneration: Int64 = 0
    public var updatedNumberScheduled: Int64 = 0
    public var numberAvailable: Int64 = 0
    public var numberUnavailable: Int64 = 0

    public init() {}
}

/// A DaemonSet: one pod per eligible node (the mesh runs its proxies this way).
public struct DaemonSet: APIObject, Equatable {
    public static let resource = Resource.daemonsets
    public var metadata: ObjectMeta
    public var spec: DaemonSetSpec
    public var status = DaemonSetStatus()

    public init(metadata: ObjectMeta, spec: DaemonSetSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(metadata: ObjectMeta, body: FieldReader) throws(ObjectDecodingError) {
        self.metadata = metadata
        let specReader = try body.object("spec")
        spec = DaemonSetSpec(selector: try LabelSelector.decode(try specReader.object("selector")),
                             template: try PodTemplateSpec.decode(try specReader.object("template")))
        let strategy = try specReader.object("updateStrategy")
        spec.updateStrategyType = try strategy.string("type", default: "RollingUpdate")
        spec.maxUnavailable = try IntOrPercent.decode(try strategy.object("rollingUpdate"), "maxUnavailable", default: "1")
        spec.minReadySeconds = try specReader.integer("minReadySeconds") ?? 0
        let statusReader = try body.object("status")
        status.currentNumberScheduled = try statusReader.integer("currentNumberScheduled") ?? 0
        status.numberMisscheduled = try statusReader.integer("numberMisscheduled") ?? 0
        status.desiredNumberScheduled = try statusReader.integer("desiredNumberScheduled") ?? 0
        status.numberReady = try statusReader.integer("numberReady") ?? 0
        status.observedGeneration = try statusReader.integer("observedGeneration") ?? 0
        status.updatedNumberScheduled = try statusReader.integer("updatedNumberScheduled") ?? 0
        status.numberAvailable = try statusReader.integer("numberAvailable") ?? 0
        status.numberUnavailable = try statusReader.integer("numberUnavailable") ?? 0
    }

    public func encodeBody(into writer: inout FieldWriter) {
        var specWriter = FieldWriter()
        specWriter.set("selector", spec.selector.json)
        specWriter.set("template", spec.template.json)
        var strategy = FieldWriter()
        strategy.set("type", spec.updateStrategyType)
        if spec.updateStrategyType == "RollingUpdate" {
            var rolling = FieldWriter()
            rolling.set("maxUnavailable", spec.maxUnavailable.json)
            strategy.set("rollingUpdate", rolling.value)
        }
        specWriter.set("updateStrategy", strategy.value)
        specWriter.setNonZero("minReadySeconds", spec.minReadySeconds)
        writer.set("spec", specWriter.value)
        var statusWriter = FieldWriter()
        statusWriter.set("currentNumberScheduled", .integer(status.currentNumberScheduled))
        statusWriter.set("numberMisscheduled", .integer(status.numberMisscheduled))
        statusWriter.set("desiredNumberScheduled", .integer(status.desiredNumberScheduled))
        statusWriter.set("numberReady", .integer(status.numberReady))
        statusWriter.setNonZero("observedGeneration", status.observedGeneration)
        statusWriter.setNonZero("updatedNumberScheduled", status.updatedNumberScheduled)
        statusWriter.setNonZero("numberAvailable", status.numberAvailable)
        statusWriter.setNonZero("numberUnavailable", status.numberUnavailable)
        writer.set("status", statusWriter.value)
    }

    public func hasDifferentSpec(from other: any APIObject) -> Bool { (other as? DaemonSet)?.spec != spec }

    public func validate() throws(ObjectDecodingError) {
        try WorkloadValidation.check(selector: spec.selector, template: spec.template, replicas: 0)
    }
}

public enum WorkloadValidation {
    /// The most replicas one workload may ask for. Kubernetes allows any int32; a simulated
    /// cluster of a few dozen nodes cannot run more than this, and a million pods would keep the
    /// world busy for ever, so the apiserver refuses more, as a quota would.
    public static let maximumReplicas: Int64 = 1_000

    static func check(selector: LabelSelector, template: PodTemplateSpec, replicas: Int64) throws(ObjectDecodingError) {
        if replicas < 0 {
            throw ObjectDecodingError(path: "spec.replicas", problem: "Invalid value: \(replicas): must be greater than or equal to 0")
        }
        if replicas > maximumReplicas {
            throw ObjectDecodingError(path: "spec.replicas", problem: "Invalid value: \(replicas): must be no more than \(maximumReplicas) in a simulated cluster")
        }
        if selector.isEmpty { throw ObjectDecodingError(path: "spec.selector", problem: "Required value") }
        if !selector.matches(template.labels) {
            throw ObjectDecodingError(path: "spec.template.metadata.labels",
                                      problem: "Invalid value: \(LabelSelector(matchLabels: template.labels).description): `selector` does not match template `labels`")
        }
    }
}
