/// A condition on the metrics that pages someone once it has held for a while, as a Prometheus
/// alerting rule does.
public struct AlertRule: Sendable {
    public enum Severity: String, Sendable, Comparable {
        case warning, page
        public static func < (left: Severity, right: Severity) -> Bool { left == .warning && right == .page }
    }

    public let name: String
    public let severity: Severity
    /// How long the condition must hold before the alert fires.
    public let holdFor: SimTime
    /// What the page says; `{value}` is replaced by the value that broke the threshold.
    public let summary: String
    /// Returns the offending value when the condition holds now, nil when it does not.
    public let condition: @Sendable (MetricStore, SimTime) -> Double?

    public init(name: String, severity: Severity = .page, holdFor: SimTime, summary: String,
                condition: @escaping @Sendable (MetricStore, SimTime) -> Double?) {
        self.name = name
        self.severity = severity
        self.holdFor = holdFor
        self.summary = summary
        self.condition = condition
    }
}

/// An alert that is pending or firing.
public struct ActiveAlert: Equatable, Sendable {
    public let name: String
    public let severity: AlertRule.Severity
    /// When the condition started to hold.
    public let pendingSince: SimTime
    /// When it fired, if it has.
    public var firingSince: SimTime?
    public var value: Double
    public var summary: String

    public var isFiring: Bool { firingSince != nil }
}

/// A message to the on-call engineer: an alert fired or resolved.
public struct Page: Equatable, Sendable {
    public enum Kind: String, Sendable { case firing = "FIRING", resolved = "RESOLVED" }
    public let time: SimTime
    public let kind: Kind
    public let alert: String
    public let severity: AlertRule.Severity
    public let summary: String
}

/// Evaluates rules on a fixed interval and keeps each one's state: inactive, pending (holding,
/// not yet long enough), firing. Pages go to a queue the REPL shows between commands.
public final class AlertManager {
    public private(set) var rules: [AlertRule] = []
    public private(set) var active: [String: ActiveAlert] = [:]
    /// Pages not yet shown to anyone.
    public private(set) var pendingPages: [Page] = []
    /// Every page ever sent, for graders (bounded).
    public private(set) var pageHistory: [Page] = []
    public static let pageHistoryLimit = 10_000
    /// Called with every page as it is sent: how pages reach a person (the REPL's notices).
    public var onPage: ((Page) -> Void)?

    public init() {}

    public func add(_ rule: AlertRule) {
        precondition(!rules.contains { $0.name == rule.name }, "alert rule \(rule.name) added twice")
        rules.append(rule)
    }

    public var firing: [ActiveAlert] {
        rules.compactMap { active[$0.name] }.filter(\.isFiring)
    }

    public func evaluate(_ metrics: MetricStore, at now: SimTime) {
        for rule in rules { evaluate(rule, metrics, at: now) }
    }

    private func evaluate(_ rule: AlertRule, _ metrics: MetricStore, at now: SimTime) {
        let summary = { (value: Double) in rule.summary.replacingPlaceholder(value) }
        guard let value = rule.condition(metrics, now) else {
            if let alert = active.removeValue(forKey: rule.name), alert.isFiring {
                send(Page(time: now, kind: .resolved, alert: rule.name, severity: rule.severity, summary: alert.summary))
            }
            return
        }
        var alert = active[rule.name]
            ?? ActiveAlert(name: rule.name, severity: rule.severity, pendingSince: now, firingSince: nil, value: value, summary: summary(value))
        alert.value = value
        alert.summary = summary(value)
        if !alert.isFiring && now - alert.pendingSince >= rule.holdFor {
            alert.firingSince = now
            send(Page(time: now, kind: .firing, alert: rule.name, severity: rule.severity, summary: alert.summary))
        }
        active[rule.name] = alert
    }

    private func send(_ page: Page) {
        pendingPages.append(page)
        pageHistory.append(page)
        if pageHistory.count > AlertManager.pageHistoryLimit { pageHistory.removeFirst() }
        onPage?(page)
    }

    /// Takes the pages not yet shown.
    public func drainPages() -> [Page] {
        defer { pendingPages.removeAll() }
        return pendingPages
    }

    func stableHash(into hasher: inout StableHasher) {
        for rule in rules {
            hasher.combine(rule.name)
            if let alert = active[rule.name] {
                hasher.combine(alert.pendingSince); hasher.combine(alert.firingSince ?? -1); hasher.combine(alert.value)
            }
        }
        hasher.combine(pageHistory.count)
    }
}

extension String {
    /// Replaces every `{value}` with the value, rounded to three decimals.
    func replacingPlaceholder(_ value: Double) -> String {
        let parts = split(separator: "{value}", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return self }
        let rounded = (value * 1_000).rounded() / 1_000
        return parts.joined(separator: String(rounded))
    }
}

/// Metrics and alerts as a world subsystem: rules are evaluated every `evaluationInterval`.
public final class Telemetry: WorldComponent, EventTarget {
    public let componentName = "telemetry"
    public let metrics = MetricStore()
    public let alerts = AlertManager()
    public let evaluationInterval: SimTime
    private unowned let world: World

    /// The world's telemetry, created and started on first use.
    public static func of(_ world: World) -> Telemetry {
        if let existing = world.component(Telemetry.self) { return existing }
        let telemetry = Telemetry(world: world, evaluationInterval: Span.seconds(15))
        world.install(telemetry)
        world.schedule(after: telemetry.evaluationInterval, telemetry)
        return telemetry
    }

    private init(world: World, evaluationInterval: SimTime) {
        self.world = world
        self.evaluationInterval = evaluationInterval
    }

    public func fire() {
        alerts.evaluate(metrics, at: world.now)
        world.schedule(after: evaluationInterval, self)
    }

    public func stableHash(into hasher: inout StableHasher) {
        metrics.stableHash(into: &hasher)
        alerts.stableHash(into: &hasher)
    }
}
