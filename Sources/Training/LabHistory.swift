import Scripting
import Simulation

/// What happened during a session beyond the final world: series of gauges sampled while the
/// trainee worked, and a timeline of lab events. Graders receive it as the `history` table:
///
///     history.series.hosts_up       --> { {t = 32400.0, v = 3}, {t = 32710.0, v = 2}, ... }
///     history.events                --> { {t = 32455.0, clock = "09:00:55", kind = "inject", detail = "..."}, ... }
///     history.actions, history.reads --> the trainee's deeds and looks, from the world's audit log (`AuditValues`)
///
/// A series lists the moments its value changed (a step function), from the trainee's arrival.
/// Samples use the `{t, v}` shape of `metrics.query`, so a grader reads both the same way.
///
/// This is the seam for telemetry: a gauge added to `HistoryGauges.all` is sampled in every
/// session from then on (on the step-check poll, so at the lab's `check_every`).
public final class LabHistory {
    public struct Point: Sendable, Equatable {
        public let time: SimTime
        public let value: Double
    }

    public struct Event: Sendable, Equatable {
        public let time: SimTime
        public let kind: String
        public let detail: String
    }

    public private(set) var series: [(name: String, points: [Point])]
    public private(set) var events: [Event] = []
    private let gauges: [HistoryGauge]
    /// For a lab with `counterfactual = true`, grading's do-nothing run of the same seed, as
    /// the grader reads it (`history.counterfactual`, with `series` and `events`).
    var counterfactual: LuaValue?

    init(gauges: [HistoryGauge] = HistoryGauges.all) {
        self.gauges = gauges
        series = gauges.map { (name: $0.name, points: []) }
    }

    /// Reads every gauge, keeping a point only where a value changed.
    func sample(_ world: World) {
        for (index, gauge) in gauges.enumerated() {
            let value = gauge.read(world)
            if series[index].points.last?.value != value {
                series[index].points.append(Point(time: world.now, value: value))
            }
        }
    }

    func record(_ kind: String, _ detail: String, at time: SimTime) {
        events.append(Event(time: time, kind: kind, detail: detail))
    }

    public func events(of kind: String) -> [Event] { events.filter { $0.kind == kind } }

    /// The `history` table a grader receives.
    func luaValue(world: World) -> LuaValue {
        let calendarStart = world.calendarStart
        var seriesTable = LuaTable()
        for entry in series {
            seriesTable[entry.name] = .table(LuaTable(array: entry.points.map {
                ["t": .number(world.scriptSeconds($0.time)), "v": .number($0.value)]
            }))
        }
        let eventList = events.map { event -> LuaValue in
            ["t": .number(world.scriptSeconds(event.time)), "clock": .string(calendarStart.adding(event.time).clock),
             "kind": .string(event.kind), "detail": .string(event.detail)]
        }
        var value = LuaTable()
        value["series"] = .table(seriesTable)
        value["events"] = .table(LuaTable(array: eventList))
        value["actions"] = AuditValues.actions(world)
        value["reads"] = AuditValues.reads(world)
        value["counterfactual"] = counterfactual ?? .nil
        return .table(value)
    }
}

/// A number read from the world for `history.series`. Reading must not change the world.
public struct HistoryGauge: Sendable {
    public let name: String
    public let read: @Sendable (World) -> Double

    public init(name: String, read: @escaping @Sendable (World) -> Double) {
        self.name = name
        self.read = read
    }
}

/// The gauges every session samples. Add to this list to give graders another series.
public enum HistoryGauges {
    public static let all: [HistoryGauge] = [
        HistoryGauge(name: "hosts_up") { world in Double(world.hosts.values.filter(\.isUp).count) },
        HistoryGauge(name: "faults_active") { world in Double(world.network.partitions.count + world.network.clogs.count) },
        // etcd as its own tools would report it: members in the membership, members that have
        // started (published themselves), and whether a leader exists.
        HistoryGauge(name: "etcd_members") { world in
            Double(world.component(EtcdCluster.self)?.membership.sortedMembers.count ?? 0)
        },
        HistoryGauge(name: "etcd_started_members") { world in
            Double(world.component(EtcdCluster.self)?.membership.sortedMembers.filter(\.isStarted).count ?? 0)
        },
        HistoryGauge(name: "etcd_has_leader") { world in world.component(EtcdCluster.self)?.leader == nil ? 0 : 1 },
    ] + MeshHistoryGauges.all
}

/// The mesh's and the traffic's gauges: each request class's success as customers saw it over
/// the last tick (`success_<class>`, absent classes read 1), linkerds running, linkerd
/// namespaces whose discovery has no cache (`linkerd_discovery_failures`), and running linkerds
/// whose namer threw NullPointerException on a null `subsets` (`linkerd_null_pointer_throwers`:
/// a restart clears it, so a grader asks whether it was ever above zero).
enum MeshHistoryGauges {
    static let classes = ["card_payments", "bank_transfers", "feed_balance", "cops_lookups", "prepaid_card_payments", "balance_checks"]

    static let all: [HistoryGauge] = classes.map { name in
        HistoryGauge(name: "success_\(name)") { world in
            guard let traffic = world.component(TrafficEngine.self), let index = traffic.classIndex(named: name) else { return 1 }
            return (traffic.snapshots[index].successRate * 1_000).rounded() / 1_000
        }
    } + [
        HistoryGauge(name: "linkerd_running") { world in
            Double(world.component(Mesh.self)?.proxies.filter(\.isRunning).count ?? 0)
        },
        HistoryGauge(name: "linkerd_discovery_failures") { world in
            Double(world.component(Mesh.self)?.proxies.reduce(0) { $0 + ($1.isRunning ? $1.failedNamespaceCount : 0) } ?? 0)
        },
        HistoryGauge(name: "linkerd_null_pointer_throwers") { world in
            Double(world.component(Mesh.self)?.proxies.filter { proxy in
                proxy.isRunning && proxy.discoveryReport.contains { $0.nullPointerCount > 0 }
            }.count ?? 0)
        },
    ]
}
