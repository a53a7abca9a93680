import Foundation
import Scripting
import Simulation

public struct GradingOptions: Sendable {
    /// Grade what would be refused (a broken chain, damaged lines, other lab files, a header
    /// that disagrees with the lab); every line of such a grade's report then says FORCED.
    public var force: Bool
    /// The firedrill version grading, to warn when a session was recorded with another.
    public var firedrillVersion: String
    /// Lua instructions each rubric check may run.
    public var checkInstructionLimit: Int64
    /// The limits every replayed command runs under: the lab's own (the defaults a lab runs
    /// with) unless the grader says otherwise. Never the header's.
    public var limits: LuaLimits
    /// The instructor's key: signed sessions are checked under it, and unsigned ones refused.
    public var key: SessionKey?
    /// Wall-clock seconds one session may take to grade; nil: ten times the lab's
    /// `grading_seconds`. Past it the session is an error and the batch goes on.
    public var timeoutSeconds: Double?

    public init(force: Bool = false, firedrillVersion: String, checkInstructionLimit: Int64 = 50_000_000,
                limits: LuaLimits = LuaLimits(), key: SessionKey? = nil, timeoutSeconds: Double? = nil) {
        self.force = force
        self.firedrillVersion = firedrillVersion
        self.checkInstructionLimit = checkInstructionLimit
        self.limits = limits
        self.key = key
        self.timeoutSeconds = timeoutSeconds
    }

    /// How long grading a session of `lab` may take.
    func timeout(for lab: Lab) -> Double { timeoutSeconds ?? lab.gradingSeconds * 10 }
}

/// Scores session files: read, check against the lab's files, re-execute on a fresh world, run
/// the lab's grader. Every failure becomes a `SessionGrade` with an error, never a throw, so one
/// broken session or grader cannot stop a batch. Holds no mutable state: safe to share between
/// threads, each grade building its own world and Lua state.
public struct Grader: Sendable {
    public let catalog: LabCatalog
    public let options: GradingOptions

    public init(catalog: LabCatalog, options: GradingOptions) {
        self.catalog = catalog
        self.options = options
    }

    public func grade(path: String) -> SessionGrade { grade(path: path, prepared: nil, inspect: { _ in }) }

    /// Grades on `prepared` when it was prepared for the session's lab and seed.
    public func grade(path: String, prepared: PreparedWorld?) -> SessionGrade { grade(path: path, prepared: prepared, inspect: { _ in }) }

    /// Grades as `grade(path:)` does, and hands the graded session (its world at the end, its
    /// history, the grade) to `inspect` before returning: how a report sees exactly what grading
    /// saw. `inspect` is not called for a session that could not be graded. The session replays
    /// on `prepared` when that was prepared for its lab and seed, else on a world built for it.
    public func grade(path: String, prepared: PreparedWorld? = nil, inspect: (GradedSession) -> Void) -> SessionGrade {
        var record = GradeRecord(session: path)
        do {
            let reading = try SessionReader.read(path: path, key: options.key)
            record.lab = reading.header.lab
            record.seed = reading.header.seed
            let lab = try catalog.requireLab(reading.header.lab)
            record.maxScore = lab.maxScore
            record.practice = lab.scenario.practiceReason(seed: reading.header.seed)
            try admit(SessionAdmission(reading: reading, lab: lab, options: options), into: &record)
            let deadline = GradeDeadline(seconds: options.timeout(for: lab))
            defer { deadline.finish() }
            let setup = SessionSetup(lab: lab.id, seed: reading.header.seed, parameters: reading.header.parameters ?? [:])
            let session = try prepared?.take(setup) ?? setup.prepare(lab, limits: options.limits)
            let replay = SessionReplay.run(reading, on: session, started: { deadline.watch($0.runtime.lua) }, cancelled: { deadline.isExpired })
            try deadline.check()
            record.warnings += replay.warnings
            try admit(SessionAdmission.clocks(of: reading, calendar: replay.session.world.calendarStart), into: &record)
            let ending = self.ending(of: reading, replay: replay, lab: lab, warnings: &record.warnings)
            replay.session.advanceWorld(to: ending.time)
            try deadline.check()
            replay.session.history.sample(replay.session.world)
            try attachCounterfactual(to: replay.session, ending: ending)
            try deadline.check()
            if replay.session.world.audit.droppedActions + replay.session.world.audit.droppedReads > 0 {
                record.warnings.append("the world's audit log reached its limit of \(AuditLog.capacity) records; deeds and looks after that are not in history.actions and history.reads")
            }
            let checks = try replay.session.grade(ending: ending, checkInstructionLimit: options.checkInstructionLimit)
            try deadline.check()
            let grade = record.grade(checks: checks)
            inspect(GradedSession(session: replay.session, reading: reading, ending: ending, grade: grade))
            return grade
        } catch {
            return record.grade(checks: [], error: "\(error)")
        }
    }

    /// Refuses what the admission found, unless forced: then the grade is marked FORCED.
    private func admit(_ admission: SessionAdmission, into record: inout GradeRecord) throws {
        record.warnings += admission.warnings
        guard !admission.refusals.isEmpty else { return }
        guard options.force else {
            throw TrainingError("'\(record.session)' is refused: " + admission.refusals.joined(separator: "; ") + ". --force grades it anyway, marked FORCED")
        }
        record.forced += admission.refusals
    }

    /// When grading judges the world: the recorded end, else the last thing saved; and no earlier
    /// than the lab's `time.grade_at`.
    private func ending(of reading: SessionReading, replay: SessionReplay, lab: Lab, warnings: inout [String]) -> SessionEnding {
        let session = replay.session
        var ending: SessionEnding
        if let end = reading.end {
            ending = SessionEnding(time: max(end.timeUs, session.world.now), reason: end.reason, isRecorded: true)
        } else {
            let last = max(reading.commands.last?.timeUs ?? session.arrival, session.world.now)
            ending = SessionEnding(time: last, reason: "cut short", isRecorded: false)
            warnings.append("the session has no end line (the recording was cut short: a crash, kill -9 or a closed terminal); graded as it stood after its last saved command, at \(session.world.calendarStart.adding(last).clock)")
        }
        if let gradeAt = lab.timing.gradeAt {
            let judged = gradeAt.resolve(arrival: session.arrival, calendarStart: session.world.calendarStart)
            if judged > ending.time { ending = SessionEnding(time: judged, reason: ending.reason, isRecorded: ending.isRecorded) }
        }
        return ending
    }
}

/// What a session's world is prepared from before its commands replay: its lab, seed and the
/// parameters a drawn lab (a game day) was started with (the limits are the grader's, the same
/// for every session it grades). Sessions of one setup can
/// share one preparation: the lab's setup, often most of grading, runs once.
public struct SessionSetup: Hashable, Sendable {
    public let lab: String
    public let seed: UInt64
    /// A game day's draw (its difficulty): sessions drawn differently never share a world.
    public let parameters: [String: String]

    public init(lab: String, seed: UInt64, parameters: [String: String] = [:]) {
        self.lab = lab
        self.seed = seed
        self.parameters = parameters
    }

    /// The lab's world for this seed, its setup run and the trainee about to arrive.
    func prepare(_ lab: Lab, limits: LuaLimits) throws -> LabSession {
        precondition(lab.id == self.lab, "a setup prepares its own lab")
        return try LabSession(lab: lab, seed: seed, limits: limits, parameters: parameters)
    }
}

/// A world prepared for one setup and not yet run on. It is handed out once: a forked child
/// takes its own copy-on-write copy, so each session still replays on a world nothing else
/// touched.
public final class PreparedWorld {
    public let setup: SessionSetup
    private var session: LabSession?

    public init(_ setup: SessionSetup, lab: Lab, limits: LuaLimits) throws {
        self.setup = setup
        session = try setup.prepare(lab, limits: limits)
    }

    /// The prepared session, if it was prepared for `setup` and is not taken yet.
    func take(_ setup: SessionSetup) -> LabSession? {
        guard setup == self.setup, let session else { return nil }
        self.session = nil
        return session
    }
}

/// A session as grading left it: the world at the judged end, what happened, and the grade.
public struct GradedSession {
    public let session: LabSession
    public let reading: SessionReading
    public let ending: SessionEnding
    public let grade: SessionGrade
}

/// What a grade has gathered so far, whatever stops it.
private struct GradeRecord {
    let session: String
    var lab: String?
    var seed: UInt64?
    var maxScore = 0.0
    var practice: String?
    var warnings: [String] = []
    var forced: [String] = []

    init(session: String) { self.session = session }

    func grade(checks: [CheckResult], error: String? = nil) -> SessionGrade {
        SessionGrade(session: session, lab: lab, checks: checks, maxScore: maxScore, warnings: warnings, error: error,
                     seed: seed, practice: practice, forced: forced)
    }
}

/// Grades many sessions on `jobs` threads. Results come back in the order of `paths`, whatever
/// order they finish in; `progress` hears of each as it finishes (from a worker thread).
public enum BatchGrader {
    public static func grade(_ paths: [String], with grader: Grader, jobs: Int,
                             progress: @escaping @Sendable (_ finished: Int, _ total: Int, SessionGrade) -> Void = { _, _, _ in })
        -> [SessionGrade] {
        Batch.run(paths, jobs: jobs, work: { grader.grade(path: $0) }, progress: progress)
    }
}

/// Runs `work` on every path on `jobs` threads, each path on its own world. Results come back in
/// the order of `paths`, whatever order they finish in; `progress` hears of each as it finishes.
public enum Batch {
    public static func run<Result: Sendable>(_ paths: [String], jobs: Int, work: @escaping @Sendable (String) -> Result,
                                             progress: @escaping @Sendable (_ finished: Int, _ total: Int, Result) -> Void) -> [Result] {
        let shared = BatchWork<Result>(count: paths.count)
        let workers = max(1, min(jobs, paths.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = shared.claim() {
                let result = work(paths[index])
                progress(shared.store(result, at: index), paths.count, result)
            }
        }
        return shared.results
    }
}

/// The shared state of a batch: the next path to take and the results so far, behind a lock.
private final class BatchWork<Result>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var finished = 0
    private var slots: [Result?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    /// Stores a result and returns how many are done.
    func store(_ result: Result, at index: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = result
        finished += 1
        return finished
    }

    var results: [Result] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
