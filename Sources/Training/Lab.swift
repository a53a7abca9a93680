import Scripting
import Simulation

/// A guided lab, as read and checked from its folder `Labs/<id>/`: what `firedrill labs` lists and
/// what a `LabSession` runs. The functions (`setup`, `done`, injects, checks) stay in Lua; this
/// holds what Swift needs to know about them, already validated.
public struct Lab: Sendable {
    public let id: String
    public let title: String
    public let summary: String
    public let difficulty: LabDifficulty
    /// About how long the lab takes a trainee, in wall-clock minutes.
    public let minutes: Int
    /// About how long grading one session takes, in wall-clock seconds on a laptop (a release
    /// build): `grade --timeout` defaults to ten times this.
    public let gradingSeconds: Double
    /// The folder, as the person who named it would write it (`Labs/write-a-drill`).
    public let directory: String
    public let scenario: LabScenario
    public let timing: LabTiming
    public let hasSetup: Bool
    public let steps: [LabStep]
    public let injects: [LabInject]
    public let rubric: [RubricCheck]
    public let labFile: LabFile
    public let graderFile: LabFile
    /// The briefing a trainee reads first (`README.md`).
    public let readme: String
    /// The modules `lab.lua` and `grade.lua` loaded with `require`, by the name they were asked
    /// for, as read when the lab loaded (see `LabModules`): sessions and grading run these.
    public let modules: [String: LabFile]
    public let fingerprint: LabFingerprint
    /// `counterfactual = true`: grading also runs the same seed with nobody at the keyboard, to
    /// the same end, and hands the grader that world's series as `history.counterfactual`
    /// (what doing nothing would have cost, the yardstick of a game day's customer impact).
    public var counterfactual = false

    public var maxScore: Double { rubric.reduce(0) { $0 + $1.points } }
}

public enum LabDifficulty: String, Sendable, CaseIterable {
    case beginner, intermediate, advanced
}

/// One file of a lab: its text, and the path errors and tracebacks show for it.
public struct LabFile: Sendable, Equatable {
    public let name: String
    public let displayPath: String
    public let text: String

    /// The chunk name Lua reports in messages and tracebacks.
    var chunkName: String { "@" + displayPath }
}

/// The platform a lab starts from: a scenario, its seed, and optionally another calendar start
/// and component versions (for labs whose history depends on the version that ran).
public struct LabScenario: Sendable, Equatable {
    public let name: String
    /// The seed a session starts from unless told otherwise.
    public let seed: UInt64
    /// The vetted seeds, on which the lab and its grader are known to work: a session recorded
    /// on any other seed is graded as practice (`scenario.seeds`; just `seed` when not given;
    /// empty for `seeds = "any"`, a lab whose grader judges whatever its seed drew).
    public let seeds: [UInt64]
    public let start: CalendarTime?
    /// Component versions (`etcd = "3.1.9"`), kept for the scenarios that will take them.
    public let versions: [String: String]

    /// The seed for a session started without one: one of the vetted seeds, drawn, so trainees
    /// meet different outages (a lab with one seed always gets it).
    public func drawSeed<Generator: RandomNumberGenerator>(using generator: inout Generator) -> UInt64 {
        seeds.randomElement(using: &generator) ?? seed
    }

    /// Why a session on `seed` is practice, or nil when the seed is one of the lab's.
    public func practiceReason(seed: UInt64) -> String? {
        guard !seeds.isEmpty, !seeds.contains(seed) else { return nil }
        let list = seeds.map(String.init).joined(separator: ", ")
        return "seed \(seed) is not one of this lab's graded seeds (\(list)), so this is a practice session"
    }
}

/// How simulated time moves in a lab.
public struct LabTiming: Sendable, Equatable {
    /// Simulated seconds per wall-clock second while the trainee works (0: only `sim.advance`).
    public let speed: Double
    /// Whether and how far the trainee may move time with `sim.advance`.
    public let advance: AdvancePermission
    /// How often the current step's `done` check runs, in simulated time.
    public let checkInterval: SimTime
    /// When grading judges the world: a session that ended earlier runs on, untouched, to here.
    public let gradeAt: LabMoment?

    public static let standard = LabTiming(speed: 1, advance: .never, checkInterval: Span.seconds(1), gradeAt: nil)
}

/// Whether the trainee may call `sim.advance`, as the lab's `time.advance` field says:
/// `false` (time follows the wall clock only), `true`, or a duration such as `"5m"`, the most one
/// command may move the clock (`sim.advance` and every wait in it together).
public enum AdvancePermission: Sendable, Equatable {
    case never
    case always
    case upTo(SimTime)

    /// How long commands may wait for answers where `sim.advance` is not allowed: a request
    /// that hits a stuck apiserver waits out its minute, a few of them fit, a loop does not.
    public static let waitingWithoutAdvance = Span.minutes(5)

    /// The cap the runtime enforces for this permission.
    public var commandTimeCap: CommandTimeCap {
        switch self {
        case .always:
            return .unlimited
        case .never:
            return CommandTimeCap(allowsAdvance: false, limit: AdvancePermission.waitingWithoutAdvance,
                                  advanceRefusal: "sim.advance is not allowed in this lab: simulated time follows the wall clock, as it would on call")
        case .upTo(let limit):
            return CommandTimeCap(allowsAdvance: true, limit: limit)
        }
    }
}

/// A moment a lab names: a clock time (`"14:10"`, `"14:10:30"`, the next time the clock reads
/// that, from the trainee's arrival on) or an offset after arrival (`"+5m"`).
public enum LabMoment: Sendable, Equatable {
    case clock(hour: Int, minute: Int, second: Int)
    case afterArrival(SimTime)

    public static func parse(_ text: String) -> LabMoment? {
        if text.hasPrefix("+") {
            return Span.parse(String(text.dropFirst())).map { .afterArrival($0) }
        }
        let fields = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (2...3).contains(fields.count), fields.allSatisfy({ $0 != nil }) else { return nil }
        let (hour, minute, second) = (fields[0]!, fields[1]!, fields.count == 3 ? fields[2]! : 0)
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        return .clock(hour: hour, minute: minute, second: second)
    }

    /// The simulated time this moment names for a trainee who arrived at `arrival`.
    public func resolve(arrival: SimTime, calendarStart: CalendarTime) -> SimTime {
        switch self {
        case .afterArrival(let span):
            return arrival + span
        case .clock(let hour, let minute, let second):
            let arrived = calendarStart.adding(arrival)
            let secondsNow = Int64(arrived.hour * 3_600 + arrived.minute * 60 + arrived.second)
            var delta = Int64(hour * 3_600 + minute * 60 + second) - secondsNow
            if delta < 0 { delta += 86_400 }
            return arrival - arrival % Span.microsecondsPerSecond + Span.seconds(delta)
        }
    }
}

/// A step of a lab: what the trainee is asked to do, hints released one at a time, and (in Lua)
/// a `done(world, session)` check run continuously.
public struct LabStep: Sendable, Equatable {
    public let title: String
    public let briefing: String
    public let hints: [String]
}

/// Something the lab does to the world while the trainee works.
public struct LabInject: Sendable, Equatable {
    public enum Trigger: Sendable, Equatable {
        /// At a moment (`at = "14:10"` or `"+5m"`).
        case at(LabMoment)
        /// The first time a predicate holds, asked every `every` of simulated time.
        case when(every: SimTime)
    }

    public let name: String
    public let trigger: Trigger
    /// Shown to the trainee between commands when it fires, like a page.
    public let notice: String?
}

/// A named check of a lab's rubric (`grade.lua`), worth `points`.
public struct RubricCheck: Sendable, Equatable {
    public let name: String
    public let points: Double
    /// Feedback when the check earns full marks, and when it does not, unless the check returns
    /// its own.
    public let passFeedback: String?
    public let failFeedback: String?
}
