import Scripting
import Simulation

/// What `lab.lua` returns, checked field by field: the lab's description plus the Lua functions
/// that a session calls (`setup`, each step's `done`, each inject's `when` and `run`).
struct LabDefinition {
    struct Inject {
        let description: LabInject
        let predicate: LuaFunctionReference?
        let action: LuaFunctionReference
    }

    let id: String
    let title: String
    let summary: String
    let difficulty: LabDifficulty
    let minutes: Int
    let gradingSeconds: Double
    let scenario: LabScenario
    let timing: LabTiming
    let setup: LuaFunctionReference?
    let steps: [LabStep]
    let stepChecks: [LuaFunctionReference]
    let injects: [Inject]
    let counterfactual: Bool

    static let fields = ["id", "title", "summary", "difficulty", "minutes", "grading_seconds", "scenario", "time", "setup", "injects", "steps",
                         "counterfactual"]

    /// A lab that does not say how long grading takes is assumed to take this long.
    static let defaultGradingSeconds = 30.0

    /// Reads the table `lab.lua` returned. `folderName` must match its `id`.
    static func read(_ table: LuaTable, file: LabFile, folderName: String) throws -> LabDefinition {
        let lab = LabTableReader(table: table, file: file, locator: LuaSourceLocator(source: file.text))
        try lab.rejectUnknownFields(fields)
        let id = try lab.string("id")
        guard id == folderName else {
            throw lab.error("id", "is \(LuaValue.quote(id)) but the folder is \(LuaValue.quote(folderName)); they must match")
        }
        let steps = try lab.tables("steps")
        let injects = try lab.value("injects").isNil ? [] : lab.tables("injects", allowEmpty: true)
        return LabDefinition(
            id: id,
            title: try lab.string("title"),
            summary: try lab.string("summary"),
            difficulty: try difficulty(lab),
            minutes: try minutes(lab),
            gradingSeconds: try gradingSeconds(lab),
            scenario: try scenario(lab.table("scenario")),
            timing: try lab.optionalTable("time").map(timing) ?? .standard,
            setup: try lab.optionalFunction("setup"),
            steps: try steps.map(step),
            stepChecks: try steps.map { try $0.function("done") },
            injects: try injects.enumerated().map { try inject($1, number: $0 + 1) },
            counterfactual: try lab.optionalBoolean("counterfactual") ?? false
        )
    }

    private static func difficulty(_ lab: LabTableReader) throws -> LabDifficulty {
        let text = try lab.string("difficulty")
        guard let difficulty = LabDifficulty(rawValue: text) else {
            throw lab.error("difficulty", "is \(LuaValue.quote(text)); use one of \(LabDifficulty.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return difficulty
    }

    private static func minutes(_ lab: LabTableReader) throws -> Int {
        let minutes = try lab.integer("minutes")
        guard (1...600).contains(minutes) else { throw lab.error("minutes", "must be between 1 and 600 (minutes a trainee needs)") }
        return Int(minutes)
    }

    private static func gradingSeconds(_ lab: LabTableReader) throws -> Double {
        guard let seconds = try lab.optionalNumber("grading_seconds") else { return defaultGradingSeconds }
        guard seconds > 0 && seconds <= 3_600 else {
            throw lab.error("grading_seconds", "must be more than 0 and at most 3600 (wall-clock seconds to grade one session)")
        }
        return seconds
    }

    private static func scenario(_ table: LabTableReader) throws -> LabScenario {
        try table.rejectUnknownFields(["name", "seed", "seeds", "start", "versions"])
        let name = try table.string("name")
        guard ScenarioCatalog.named(name) != nil else {
            throw table.error("name", "unknown scenario \(LuaValue.quote(name)); choose one of \(ScenarioCatalog.names.joined(separator: ", "))")
        }
        var seed: UInt64 = 1
        if !table.value("seed").isNil {
            let value = try table.integer("seed")
            guard value >= 0 else { throw table.error("seed", "must not be negative") }
            seed = UInt64(value)
        }
        var start: CalendarTime?
        if let text = try table.optionalString("start") {
            guard let parsed = CalendarTime(parsing: text) else {
                throw table.error("start", "is \(LuaValue.quote(text)); write it as \"2017-10-27 13:55\"")
            }
            start = parsed
        }
        var versions: [String: String] = [:]
        if let table = try table.optionalTable("versions") {
            for (key, value) in table.table.hash {
                guard case .string(let component) = key, case .string(let version) = value else {
                    throw table.error(nil, "versions map component names to version strings: { etcd = \"3.1.9\" }")
                }
                versions[component] = version
            }
        }
        let seeds = try vettedSeeds(table) ?? [seed]
        guard seeds.isEmpty || seeds.contains(seed) else {
            throw table.error("seeds", "must include the lab's seed (\(seed)): a session started without --seed must be graded")
        }
        return LabScenario(name: name, seed: seed, seeds: seeds, start: start, versions: versions)
    }

    /// `seeds = { 315, 402, ... }`: the seeds a session may be graded on.
    private static func vettedSeeds(_ table: LabTableReader) throws -> [UInt64]? {
        guard !table.value("seeds").isNil else { return nil }
        // A lab whose grader judges whatever the seed drew (a game day) grades every seed.
        if table.value("seeds").stringValue == "any" { return [] }
        guard let list = table.value("seeds").tableValue, list.hash.isEmpty, !list.array.isEmpty else {
            throw table.error("seeds", "expected a list of seeds, such as { 315, 402 }, or \"any\"")
        }
        return try list.array.map { value in
            guard let seed = value.integerValue, seed >= 0 else { throw table.error("seeds", "expected whole numbers of at least 0, got \(value)") }
            return UInt64(seed)
        }
    }

    private static func timing(_ table: LabTableReader) throws -> LabTiming {
        try table.rejectUnknownFields(["speed", "advance", "check_every", "grade_at"])
        let speed = try table.optionalNumber("speed") ?? 1
        guard (0...1_000).contains(speed) else { throw table.error("speed", "must be between 0 and 1000 (simulated seconds per wall-clock second)") }
        return LabTiming(speed: speed, advance: try advance(table),
                         checkInterval: try duration(table, "check_every") ?? Span.seconds(1),
                         gradeAt: try moment(table, "grade_at"))
    }

    private static func advance(_ table: LabTableReader) throws -> AdvancePermission {
        switch table.value("advance") {
        case .nil, .boolean(false): return .never
        case .boolean(true): return .always
        case .string: return .upTo(try duration(table, "advance")!)
        default: throw table.error("advance", "expected true, false or a duration such as \"5m\", got \(table.value("advance").typeName)")
        }
    }

    static func duration(_ table: LabTableReader, _ key: String) throws -> SimTime? {
        guard let text = try table.optionalString(key) else { return nil }
        guard let span = Span.parse(text), span > 0 else {
            throw table.error(key, "is \(LuaValue.quote(text)); write a positive duration such as \"90s\", \"5m\" or \"1h30m\"")
        }
        return span
    }

    static func moment(_ table: LabTableReader, _ key: String) throws -> LabMoment? {
        guard let text = try table.optionalString(key) else { return nil }
        guard let moment = LabMoment.parse(text) else {
            throw table.error(key, "is \(LuaValue.quote(text)); write a clock time (\"14:10\", \"14:10:30\") or an offset after arrival (\"+5m\")")
        }
        return moment
    }

    private static func step(_ table: LabTableReader) throws -> LabStep {
        try table.rejectUnknownFields(["title", "briefing", "hints", "done"])
        return LabStep(title: try table.string("title"), briefing: try table.string("briefing"), hints: try table.strings("hints"))
    }

    private static func inject(_ table: LabTableReader, number: Int) throws -> Inject {
        try table.rejectUnknownFields(["name", "at", "when", "every", "run", "notice"])
        let name = try table.optionalString("name") ?? "inject \(number)"
        let hasAt = !table.value("at").isNil, hasWhen = !table.value("when").isNil
        guard hasAt != hasWhen else {
            throw table.error(nil, "an inject needs exactly one trigger: at = \"14:10\" (or \"+5m\") or when = function(world, session) ... end")
        }
        let trigger: LabInject.Trigger
        if hasAt {
            guard let moment = try moment(table, "at") else { throw table.error("at", "must not be empty") }
            guard try table.optionalString("every") == nil else { throw table.error("every", "only goes with when, not with at") }
            trigger = .at(moment)
        } else {
            trigger = .when(every: try duration(table, "every") ?? Span.seconds(1))
        }
        let description = LabInject(name: name, trigger: trigger, notice: try table.optionalString("notice"))
        return Inject(description: description, predicate: hasWhen ? try table.function("when") : nil,
                      action: try table.function("run"))
    }
}

/// What `grade.lua` returns: named checks with points and the functions that score them.
struct RubricDefinition {
    let checks: [RubricCheck]
    let functions: [LuaFunctionReference]

    static func read(_ table: LuaTable, file: LabFile) throws -> RubricDefinition {
        let rubric = LabTableReader(table: table, file: file, locator: LuaSourceLocator(source: file.text))
        try rubric.rejectUnknownFields(["checks"])
        var checks: [RubricCheck] = []
        var functions: [LuaFunctionReference] = []
        for check in try rubric.tables("checks") {
            try check.rejectUnknownFields(["name", "points", "check", "pass", "fail"])
            let name = try check.string("name")
            guard !checks.contains(where: { $0.name == name }) else {
                throw check.error("name", "\(LuaValue.quote(name)) names two checks; each check needs its own name")
            }
            let points = try check.number("points")
            guard points > 0 && points <= 1_000 else { throw check.error("points", "must be more than 0 and at most 1000") }
            checks.append(RubricCheck(name: name, points: points, passFeedback: try check.optionalString("pass"),
                                      failFeedback: try check.optionalString("fail")))
            functions.append(try check.function("check"))
        }
        return RubricDefinition(checks: checks, functions: functions)
    }
}
