/// A knob a scenario offers: a component version or a size, with its default and the values it
/// accepts (empty: any).
public struct ScenarioOption: Sendable, Equatable {
    public let name: String
    public let defaultValue: String
    public let allowed: [String]
    public let summary: String

    public init(_ name: String, default defaultValue: String, allowed: [String] = [], _ summary: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.allowed = allowed
        self.summary = summary
    }
}

/// The options one world is built with: every option of the scenario, defaults filled in.
public struct ScenarioSettings: Sendable, Equatable {
    public private(set) var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(name: String) -> String? { values[name] }

    /// The value of an option the scenario declared (so it always has one).
    public func value(_ name: String) -> String {
        guard let value = values[name] else { preconditionFailure("scenario option \(name) was not declared") }
        return value
    }
}

/// Why options were refused, in words a person can act on.
public struct ScenarioOptionError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// A named, ready-made platform that a script, a REPL or a lab starts from.
public struct Scenario: Sendable {
    public let name: String
    public let summary: String
    /// The calendar time the trainee arrives at, for display.
    public let calendarStart: CalendarTime
    /// How long the platform runs before anyone arrives, so pods are up and leaders elected. The
    /// calendar is set back by as much, so the clock still reads `calendarStart` on arrival.
    public let warmUp: SimTime
    public let options: [ScenarioOption]
    /// Builds the platform into an empty world.
    public let build: @Sendable (World, ScenarioSettings) -> Void

    public init(name: String, summary: String, calendarStart: CalendarTime, warmUp: SimTime = 0,
                options: [ScenarioOption] = [], build: @escaping @Sendable (World, ScenarioSettings) -> Void) {
        self.name = name
        self.summary = summary
        self.calendarStart = calendarStart
        self.warmUp = warmUp
        self.options = options
        self.build = build
    }

    /// The calendar at simulated time zero: the start, set back by the warm-up.
    public var calendarAtTimeZero: CalendarTime { calendarStart.adding(-warmUp) }

    /// The same scenario arriving at another calendar time.
    public func arriving(at start: CalendarTime) -> Scenario {
        Scenario(name: name, summary: summary, calendarStart: start, warmUp: warmUp, options: options, build: build)
    }

    /// Checks options against the declared ones and fills in defaults.
    public func settings(_ given: [String: String] = [:]) throws(ScenarioOptionError) -> ScenarioSettings {
        var values: [String: String] = [:]
        for option in options { values[option.name] = option.defaultValue }
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let option = options.first(where: { $0.name == name }) else {
                let known = options.isEmpty ? "it has none" : "it has " + options.map(\.name).joined(separator: ", ")
                throw ScenarioOptionError(description: "scenario '\(self.name)' has no option '\(name)'; \(known)")
            }
            guard option.allowed.isEmpty || option.allowed.contains(value) else {
                throw ScenarioOptionError(description: "option \(name) of scenario '\(self.name)' cannot be '\(value)'; choose one of: \(option.allowed.joined(separator: ", "))")
            }
            values[name] = value
        }
        return ScenarioSettings(values)
    }

    /// A fresh world built from this scenario with the given seed and options, warmed up.
    public func makeWorld(seed: UInt64, options given: [String: String] = [:]) throws(ScenarioOptionError) -> World {
        let settings = try settings(given)
        let world = World(seed: seed, calendarStart: calendarAtTimeZero)
        world.scenarioName = name
        build(world, settings)
        world.advance(by: warmUp)
        world.markOrigin()
        return world
    }
}

/// Every scenario Firedrill ships, in the order `firedrill scenarios` lists them.
public enum ScenarioCatalog {
    public static let all: [Scenario] = [
        PracticeScenario.scenario,
        Scenario(name: "empty", summary: "No hosts at all: a bare kernel for experiments.",
                 calendarStart: CalendarTime(year: 2017, month: 10, day: 27, hour: 9)) { _, _ in },
        BankScenario.scenario,
        BankPracticeScenario.scenario,
    ]

    /// The scenario a script gets when it names none.
    public static let defaultName = "practice"

    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }

    public static var names: [String] { all.map(\.name) }
}
