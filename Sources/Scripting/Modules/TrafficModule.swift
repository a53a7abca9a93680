import Simulation

/// `traffic`: the bank's request classes as customers feel them, from the metrics the traffic
/// writes every second; and card stand-in processing, the backup operators switch on. Alert
/// pages reach the trainee from here: every page becomes a notice the REPL shows between commands.
enum TrafficModule {
    static let defaultWindow = Span.minutes(1)

    static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        deliverPages(of: world, to: runtime)
        runtime.document("traffic", usage: "traffic", "the request classes: rates, success rates, latencies; card stand-in processing")
        runtime.define("traffic.classes", usage: "traffic.classes()", "the names of the request classes") { [unowned runtime] call in
            let engine = try requireTraffic(call, world)
            runtime.recordRead(via: "traffic.classes", verb: "list", AuditObject(kind: "traffic"))
            try call.push(.table(LuaTable(array: engine.catalog.classes.map { .string($0.name) })))
            return 1
        }
        runtime.define("traffic.success_rate", usage: "traffic.success_rate(class [, window])",
                       "the share of the class's requests that succeeded over the last window (default \"1m\"), 0..1, as customers saw it",
                       details: """
                       traffic.success_rate("card_payments", "5m")  --> 0.31
                       Customers' view: card stand-in approvals count (the dashboard's CUSTOMERS column). Pages judge the platform's own
                       answers, the dashboard's PLATFORM column: metrics.query("platform_success_rate", {class = "card_payments"}, "5m").
                       """) { [unowned runtime] call in
            let (engine, index) = try requestClass(call, world)
            let window = call.isNil(2) ? defaultWindow : try SimModule.duration(call, 2)
            let rate = successRate(engine, index, window: window, metric: "success_rate")
            runtime.recordRead(via: "traffic.success_rate", verb: "get", AuditObject(kind: "traffic", name: engine.catalog.classes[index].name),
                               findings: AuditFindings.failing(engine.catalog.classes[index].name, rate: rate))
            guard let rate else {
                return call.fail("no \(engine.catalog.classes[index].name) requests in the last \(Span.describe(window))")
            }
            call.push(number: rate)
            return 1
        }
        runtime.define("traffic.rate", usage: "traffic.rate(class [, window])",
                       "the class's requests per second, averaged over the last window (default \"1m\")") { [unowned runtime] call in
            let (engine, index) = try requestClass(call, world)
            let window = call.isNil(2) ? defaultWindow : try SimModule.duration(call, 2)
            runtime.recordRead(via: "traffic.rate", verb: "get", AuditObject(kind: "traffic", name: engine.catalog.classes[index].name))
            call.push(number: average(samples(engine, index, "requests_per_second", window: window).map(\.value)) ?? 0)
            return 1
        }
        runtime.define("traffic.latency", usage: "traffic.latency(class [, window])",
                       "the class's 99th-percentile latency in milliseconds, averaged over the last window (default \"1m\")") { [unowned runtime] call in
            let (engine, index) = try requestClass(call, world)
            let window = call.isNil(2) ? defaultWindow : try SimModule.duration(call, 2)
            runtime.recordRead(via: "traffic.latency", verb: "get", AuditObject(kind: "traffic", name: engine.catalog.classes[index].name))
            guard let latency = average(samples(engine, index, "latency_p99_ms", window: window).map(\.value)) else {
                return call.fail("no \(engine.catalog.classes[index].name) requests in the last \(Span.describe(window))")
            }
            call.push(number: latency)
            return 1
        }
        runtime.define("traffic.path", usage: "traffic.path(class)",
                       "the calls a request of the class makes, in order: {from, to} as \"namespace/service\"") { [unowned runtime] call in
            let (engine, index) = try requestClass(call, world)
            runtime.recordRead(via: "traffic.path", verb: "get", AuditObject(kind: "traffic-path", name: engine.catalog.classes[index].name))
            let catalog = engine.catalog
            let calls = catalog.classes[index].calls.map { call -> LuaValue in
                ["from": .string(catalog.services[call.caller].reference.description), "to": .string(catalog.services[call.callee].reference.description)]
            }
            try call.push(.table(LuaTable(array: calls)))
            return 1
        }
        installStandIn(into: runtime)
    }

    private static func installStandIn(into runtime: ScriptRuntime) {
        let world = runtime.world
        runtime.define("traffic.standin", usage: "traffic.standin([on])",
                       "card stand-in processing: with true or false switch it on or off; returns whether it is on",
                       details: "While on, the card network approves the low-value card payments the platform fails (traffic.success_rate counts them; platform_success_rate does not).") { [unowned runtime] call in
            let engine = try requireTraffic(call, world)
            if !call.isNil(1) {
                guard case .boolean(let on) = try call.value(1) else { throw call.typeError(1, expected: "boolean") }
                if let reader = runtime.readOnlyReader {
                    throw call.error("traffic.standin(on) changes the world, which \(reader) may only read")
                }
                engine.setStandIn(on)
                runtime.recordAction(via: "traffic.standin", verb: "standin", AuditObject(kind: "standin", name: on ? "on" : "off"))
            } else {
                runtime.recordRead(via: "traffic.standin", verb: "get", AuditObject(kind: "standin"))
            }
            call.push(boolean: engine.isStandInEnabled)
            return 1
        }
    }

    /// Every page the alert manager sends becomes a notice for the trainee. Pages sent before
    /// anyone arrived (during the warm-up) are dropped: `alerts.firing()` shows what still fires.
    private static func deliverPages(of world: World, to runtime: ScriptRuntime) {
        guard let telemetry = world.component(Telemetry.self) else { return }
        _ = telemetry.alerts.drainPages()
        telemetry.alerts.onPage = { [weak runtime] page in
            guard let runtime else { return }
            let clock = runtime.world.calendarStart.adding(page.time).clock
            runtime.postNotice("\(clock) \(page.kind.rawValue) \(page.alert) (\(page.severity.rawValue)): \(page.summary)",
                               kind: page.kind == .firing ? (page.severity == .page ? .alert : .warning) : .info)
        }
    }

    // MARK: Arguments and series

    static func requireTraffic(_ call: LuaCall, _ world: World) throws -> TrafficEngine {
        guard let engine = world.component(TrafficEngine.self) else {
            throw call.error("this world has no traffic (scenario \(LuaValue.quote(world.scenarioName))); try --scenario bank")
        }
        return engine
    }

    static func requestClass(_ call: LuaCall, _ world: World) throws -> (TrafficEngine, Int) {
        let engine = try requireTraffic(call, world)
        let name = try call.string(1)
        guard let index = engine.classIndex(named: name) else {
            throw call.argumentError(1, "unknown class \(LuaValue.quote(name)); classes are \(engine.catalog.classes.map(\.name).joined(separator: ", "))")
        }
        return (engine, index)
    }

    static func samples(_ engine: TrafficEngine, _ index: Int, _ metric: String, window: SimTime) -> [Sample] {
        let now = engine.world.now
        guard let series = Telemetry.of(engine.world).metrics.query(metric, ["class": engine.catalog.classes[index].name]).first else { return [] }
        return series.samples(from: max(now - window + 1, engine.world.calendarWindowStart(window)), to: now)
    }

    /// The success share over a window, weighting each second by its requests.
    static func successRate(_ engine: TrafficEngine, _ index: Int, window: SimTime, metric: String) -> Double? {
        let rates = samples(engine, index, "requests_per_second", window: window)
        var rateAt: [SimTime: Double] = [:]
        for sample in rates { rateAt[sample.time] = sample.value }
        var requests = 0.0, succeeded = 0.0
        for sample in samples(engine, index, metric, window: window) {
            let rate = rateAt[sample.time] ?? 0
            requests += rate
            succeeded += rate * sample.value
        }
        return requests > 0 ? succeeded / requests : nil
    }

    static func average(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
