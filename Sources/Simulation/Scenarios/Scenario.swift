/// A named, ready-made platform that a script, a REPL or a lab starts from.
public struct Scenario: Sendable {
    public let name: String
    public let summary: String
    /// The calendar time at which the world starts, for display.
    public let calendarStart: CalendarTime
    /// Builds the platform into an empty world.
    public let build: @Sendable (World) -> Void

    public init(name: String, summary: String, calendarStart: CalendarTime,
                build: @escaping @Sendable (World) -> Void) {
        self.name = name
        self.summary = summary
        self.calendarStart = calendarStart
        self.build = build
    }

    /// A fresh world built from this scenario with the given seed.
    public func makeWorld(seed: UInt64) -> World {
        let world = World(seed: seed, calendarStart: calendarStart)
        world.scenarioName = name
        build(world)
        return world
    }
}

/// Every scenario Firedrill ships, in the order `firedrill scenarios` lists them.
public enum ScenarioCatalog {
    public static let all: [Scenario] = [
        PracticeScenario.scenario,
        Scenario(name: "empty", summary: "No hosts at all: a bare kernel for experiments.",
                 calendarStart: CalendarTime(year: 2017, month: 10, day: 27, hour: 9)) { _ in },
    ]

    /// The scenario a script gets when it names none.
    public static let defaultName = "practice"

    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }

    /// The practice platform running another Kubernetes release.
    public static func practice(kubernetesVersion: KubernetesVersion) -> Scenario {
        PracticeScenario.make(kubernetesVersion: kubernetesVersion)
    }

    public static var names: [String] { all.map(\.name) }
}
