import Simulation

/// `dashboard()`: the platform's health on one screen, readable without colour. One line per
/// request class: a sparkline of the platform's own success over the last 15 minutes (a mark
/// per 30 s, `▁` for none up to `█` for all), the share the platform answers now (what the
/// pages judge), the share customers got (card stand-in approvals included), requests per
/// second and the 99th-percentile latency; then card stand-in, linkerd, and the alerts firing.
///
/// Two views, because card stand-in makes them differ: a page must not resolve because the card
/// network is covering for a broken platform, while customers' experience is what the bank is
/// judged on. The columns say which is which, as the pages do.
enum DashboardModule {
    static let span = Span.minutes(15)
    static let marks = 30
    static let levels = Array("▁▂▃▄▅▆▇█")

    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.define("dashboard", usage: "dashboard()",
                       "the platform at a glance: each request class's success over 15 minutes, its rate and latency, and the firing alerts",
                       details: """
                       PLATFORM: the share the platform answered itself, what the pages judge (the sparkline too).
                       CUSTOMERS: the share customers got, card stand-in approvals included: traffic.success_rate(class).
                       """) { [unowned runtime] call in
            let engine = try TrafficModule.requireTraffic(call, world)
            runtime.recordRead(via: "dashboard", verb: "get", AuditObject(kind: "dashboard"),
                               findings: AuditFindings.failingClasses(engine) + AuditFindings.firingAlerts(world))
            call.push(string: render(engine))
            return 1
        }
    }

    static func render(_ engine: TrafficEngine) -> String {
        let world = engine.world
        let nameWidth = max(5, engine.catalog.classes.map(\.name.count).max() ?? 0)
        var lines = ["platform at \(world.calendarNow.description)       success over the last 15 minutes, a mark per 30 s", ""]
        lines.append(pad("CLASS", nameWidth) + "  " + pad("PLATFORM (15m)", marks) + "  " + left("PLATFORM", 8) + "  " + left("CUSTOMERS", 9)
                     + "  " + left("RATE/S", 8) + "  " + left("P99", 7))
        for (index, requestClass) in engine.catalog.classes.enumerated() {
            let snapshot = engine.snapshots[index]
            let answering = snapshot.requestsPerSecond > 0
            lines.append(pad(requestClass.name, nameWidth) + "  " + sparkline(engine, index) + "  "
                         + left(answering ? percent(snapshot.platformSuccessRate) : "-", 8) + "  " + left(answering ? percent(snapshot.successRate) : "-", 9)
                         + "  " + left(rate(snapshot.requestsPerSecond), 8) + "  " + left(duration(snapshot.latencyP99Milliseconds), 7))
        }
        lines.append("PLATFORM: answered by the platform itself, what the pages judge; CUSTOMERS: as customers felt it, card stand-in approvals included.")
        lines.append("")
        let running = engine.mesh.proxies.filter(\.isRunning).count
        let failing = engine.mesh.proxies.reduce(0) { $0 + $1.failedNamespaceCount }
        var status = "card stand-in: \(engine.isStandInEnabled ? "ON" : "off")    linkerd: \(running)/\(engine.mesh.proxies.count) running, \(failing) namespace \(failing == 1 ? "discovery" : "discoveries") failing"
        if let platform = world.component(StandalonePlatform.self) {
            let inService = platform.instances.filter(\.isInService).count
            status += "    \(platform.name) platform: \(inService)/\(platform.instances.count) hosts in service"
        }
        lines.append(status)
        let firing = Telemetry.of(world).alerts.firing
        lines.append(firing.isEmpty ? "no alerts firing" : "FIRING (\(firing.count))")
        for alert in firing {
            let since = TimeFields.clock(alert.firingSince ?? alert.pendingSince, in: world)
            lines.append("  \(pad(alert.severity.rawValue, 7)) \(alert.name)  since \(since)  \(alert.summary)")
        }
        return lines.joined(separator: "\n")
    }

    /// The platform's own success per 30 s over the last 15 minutes, weighted by requests; a
    /// blank where none came.
    static func sparkline(_ engine: TrafficEngine, _ index: Int) -> String {
        let now = engine.world.now
        let bucket = span / SimTime(marks)
        var requests = Array(repeating: 0.0, count: marks), succeeded = Array(repeating: 0.0, count: marks)
        var rateAt: [SimTime: Double] = [:]
        for sample in TrafficModule.samples(engine, index, "requests_per_second", window: span) { rateAt[sample.time] = sample.value }
        for sample in TrafficModule.samples(engine, index, "platform_success_rate", window: span) {
            let position = marks - 1 - Int((now - sample.time) / bucket)
            guard position >= 0, position < marks else { continue }
            let rate = rateAt[sample.time] ?? 0
            requests[position] += rate
            succeeded[position] += rate * sample.value
        }
        return String((0..<marks).map { position -> Character in
            guard requests[position] > 0 else { return " " }
            return levels[min(levels.count - 1, Int(succeeded[position] / requests[position] * Double(levels.count)))]
        })
    }

    static func percent(_ value: Double) -> String {
        let tenths = (value * 1_000).rounded() / 10
        return "\(tenths)%"
    }

    static func rate(_ value: Double) -> String { "\((value * 10).rounded() / 10)" }

    static func duration(_ milliseconds: Double) -> String {
        milliseconds >= 1_000 ? "\((milliseconds / 100).rounded() / 10)s" : "\(Int(milliseconds.rounded()))ms"
    }

    static func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
    static func left(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
}
