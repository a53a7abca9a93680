import Simulation

/// `metrics` and `alerts`: what the platform's monitoring sees.
/// Reading never creates the telemetry subsystem: a read must not change the world (graders read).
enum TelemetryModule {
    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.document("metrics", usage: "metrics", "metric series: rates, success rates, latencies")
        runtime.define("metrics.names", usage: "metrics.names()", "the names of every metric recorded so far") { [unowned runtime] call in
            runtime.recordRead(via: "metrics.names", verb: "list", AuditObject(kind: "metrics"))
            try call.push(.table(LuaTable(array: (world.component(Telemetry.self)?.metrics.names ?? []).map { .string($0) })))
            return 1
        }
        runtime.define("metrics.query", usage: "metrics.query(name [, labels [, window]])",
                       "samples of the series named name whose labels match, over the last window (default \"15m\")",
                       details: """
                       metrics.query("success_rate", {class = "card_payments"}, "5m")
                       --> { { labels = { class = "card_payments" }, samples = { { t = 3600.0, clock = "14:55:00", v = 0.99 }, ... } } }
                       t: seconds since you arrived, as sim.now() counts (negative before); clock: the same moment on the calendar.
                       """) { [unowned runtime] call in
            let name = try call.string(1)
            runtime.recordRead(via: "metrics.query", verb: "query", AuditObject(kind: "metrics", name: name))
            let matcher = try labels(call, 2)
            let window = call.isNil(3) ? Span.minutes(15) : try SimModule.duration(call, 3)
            let found = world.component(Telemetry.self)?.metrics.query(name, matcher) ?? []
            try call.push(.table(LuaTable(array: found.map { series($0, window: window, world: world) })))
            return 1
        }
        runtime.document("alerts", usage: "alerts", "alert rules that page the on-call engineer")
        runtime.define("alerts.firing", usage: "alerts.firing()", "the alerts firing now: {name, severity, since, since_age, summary, value}",
                       details: "since: the clock when it began to fire (see help(\"sim\") on times); since_age: seconds since.") { [unowned runtime] call in
            runtime.recordRead(via: "alerts.firing", verb: "list", AuditObject(kind: "alerts"), findings: AuditFindings.firingAlerts(world))
            let firing = (world.component(Telemetry.self)?.alerts.firing ?? []).map { alert -> LuaValue in
                var entry = LuaTable()
                entry["name"] = .string(alert.name)
                entry["severity"] = .string(alert.severity.rawValue)
                TimeFields.set("since", alert.firingSince ?? alert.pendingSince, in: &entry, world: world)
                entry["summary"] = .string(alert.summary)
                entry["value"] = .number(alert.value)
                return .table(entry)
            }
            try call.push(.table(LuaTable(array: firing)))
            return 1
        }
        runtime.define("alerts.rules", usage: "alerts.rules()", "every alert rule: {name, severity, hold}") { [unowned runtime] call in
            runtime.recordRead(via: "alerts.rules", verb: "list", AuditObject(kind: "alert-rules"))
            let rules = (world.component(Telemetry.self)?.alerts.rules ?? []).map { rule -> LuaValue in
                ["name": .string(rule.name), "severity": .string(rule.severity.rawValue), "hold": .string(Span.describe(rule.holdFor))]
            }
            try call.push(.table(LuaTable(array: rules)))
            return 1
        }
    }

    static func labels(_ call: LuaCall, _ index: Int32) throws -> [String: String] {
        guard !call.isNil(index) else { return [:] }
        let table = try call.table(index)
        var result: [String: String] = [:]
        for (key, value) in table.hash {
            guard case .string(let name) = key, case .string(let text) = value else {
                throw call.argumentError(index, "labels are a table of strings, like {class = \"card_payments\"}")
            }
            result[name] = text
        }
        guard table.array.isEmpty else { throw call.argumentError(index, "labels are a table of strings, like {class = \"card_payments\"}") }
        return result
    }

    static func series(_ series: MetricSeries, window: SimTime, world: World) -> LuaValue {
        let now = world.now
        var labels = LuaTable()
        for label in series.key.labels { labels[label.name] = .string(label.value) }
        let samples = series.samples(from: world.calendarWindowStart(window), to: now).map { sample -> LuaValue in
            ["t": .number(world.scriptSeconds(sample.time)), "clock": .string(TimeFields.clock(sample.time, in: world)), "v": .number(sample.value)]
        }
        return ["name": .string(series.key.name), "labels": .table(labels), "samples": .table(LuaTable(array: samples))]
    }
}
