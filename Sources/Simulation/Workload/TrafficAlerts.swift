/// The bank's alerting rules, as its on-call engineers had them: a page when a request class
/// fails or a namespace's services return errors, a warning when a class is slow or linkerds
/// are not running. A class pages on the platform's own success: card stand-in approvals keep
/// customers' cards working but do not make a broken platform look well to the on-call engineer
/// (the dashboard's PLATFORM column shows the same figure). Each fires once its condition has held for a while, and resolves when it
/// stops holding. Rules read the latest sample of a series and ignore one gone quiet.
public enum TrafficAlerts {
    /// Below this share of answered requests a class pages.
    public static let classSuccessThreshold = 0.9
    public static let namespaceSuccessThreshold = 0.95
    public static let latencyThresholdMilliseconds = 1_000.0

    public static func rules(for catalog: WorkloadCatalog) -> [AlertRule] {
        var rules: [AlertRule] = []
        for requestClass in catalog.classes {
            let name = requestClass.name, title = alertName(name)
            rules.append(AlertRule(name: "\(title)Failing", severity: .page, holdFor: Span.minutes(2),
                                   summary: "\(name): the platform answered only {value} of requests, stand-in approvals not counted (page below \(classSuccessThreshold))") { metrics, now in
                below(classSuccessThreshold, latest("platform_success_rate", ["class": name], metrics, now))
            })
            rules.append(AlertRule(name: "\(title)Slow", severity: .warning, holdFor: Span.minutes(5),
                                   summary: "\(name): p99 latency {value} ms (warn above \(Int(latencyThresholdMilliseconds)) ms)") { metrics, now in
                above(latencyThresholdMilliseconds, latest("latency_p99_ms", ["class": name], metrics, now))
            })
        }
        for namespace in catalog.namespaces {
            rules.append(AlertRule(name: "\(alertName(namespace))Errors", severity: .page, holdFor: Span.minutes(3),
                                   summary: "namespace \(namespace): only {value} of requests to its services succeed") { metrics, now in
                below(namespaceSuccessThreshold, latest("namespace_success_rate", ["namespace": namespace], metrics, now))
            })
        }
        rules.append(AlertRule(name: "LinkerdProxiesDown", severity: .warning, holdFor: Span.minutes(5),
                               summary: "{value} linkerd proxies are not running") { metrics, now in
            above(0, latest("mesh_proxies_not_running", [:], metrics, now))
        })
        return rules
    }

    /// `card_payments` → `CardPayments`, `current-account` → `CurrentAccount`.
    public static func alertName(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The latest value of the first matching series, unless it is older than a minute.
    private static func latest(_ name: String, _ labels: [String: String], _ metrics: MetricStore, _ now: SimTime) -> Double? {
        guard let sample = metrics.query(name, labels).first?.latest, now - sample.time <= Span.minutes(1) else { return nil }
        return sample.value
    }

    private static func below(_ threshold: Double, _ value: Double?) -> Double? {
        guard let value, value < threshold else { return nil }
        return value
    }

    private static func above(_ threshold: Double, _ value: Double?) -> Double? {
        guard let value, value > threshold else { return nil }
        return value
    }
}
