import Foundation
import Scripting
import Simulation

public struct GradingOptions: Sendable {
    /// Grade sessions recorded against other lab files, or with damaged lines (which are skipped).
    public var force: Bool
    /// The firedrill version grading, to warn when a session was recorded with another.
    public var firedrillVersion: String
    /// Lua instructions each rubric check may run.
    public var checkInstructionLimit: Int64

    public init(force: Bool = false, firedrillVersion: String, checkInstructionLimit: Int64 = 50_000_000) {
        self.force = force
        self.firedrillVersion = firedrillVersion
        self.checkInstructionLimit = checkInstructionLimit
    }
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

    public func grade(path: String) -> SessionGrade {
        var warnings: [String] = []
        var labID: String?
        var maxScore = 0.0
        do {
            let reading = try SessionReader.read(path: path)
            labID = reading.header.lab
            let lab = try catalog.requireLab(reading.header.lab)
            maxScore = lab.maxScore
            warnings += try admit(reading, lab: lab)
            let replay = try SessionReplay.run(reading, lab: lab)
            warnings += replay.warnings
            let ending = self.ending(of: reading, replay: replay, lab: lab, warnings: &warnings)
            replay.session.advanceWorld(to: ending.time)
            replay.session.history.sample(replay.session.world)
            let checks = try replay.session.grade(ending: ending, checkInstructionLimit: options.checkInstructionLimit)
            return SessionGrade(session: path, lab: lab.id, checks: checks, maxScore: maxScore, warnings: warnings)
        } catch {
            return SessionGrade(session: path, lab: labID, checks: [], maxScore: maxScore, warnings: warnings, error: "\(error)")
        }
    }

    /// Refuses a session that cannot be graded faithfully unless forced; returns the warnings.
    private func admit(_ reading: SessionReading, lab: Lab) throws -> [String] {
        var warnings = reading.problems.map { "\(reading.path): \($0)" }
        if reading.isCorrupt && !options.force {
            throw TrainingError("'\(reading.path)' has damaged lines (\(reading.problems.filter { $0.kind != .cutOff }.map(\.description).joined(separator: "; "))); a command may be missing, so it is not graded. --force grades its \(reading.commands.count) readable commands")
        }
        let changed = lab.fingerprint.changedFiles(comparedWith: LabFingerprint(files: reading.header.labFiles))
        if !changed.isEmpty {
            let files = changed.joined(separator: " and ")
            let consequence = changed.contains("lab.lua")
                ? "the world it re-executes on is not the one the trainee had"
                : "the world is the same, only the scoring changed"
            guard options.force else {
                throw TrainingError("'\(reading.path)' was recorded against other lab files: \(files) in \(lab.directory) changed since (\(consequence)). --force grades it anyway")
            }
            warnings.append("graded with --force against changed lab files (\(files)): \(consequence)")
        }
        if reading.header.firedrill != options.firedrillVersion {
            warnings.append("recorded with firedrill \(reading.header.firedrill), graded with \(options.firedrillVersion)")
        }
        return warnings
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

/// Grades many sessions on `jobs` threads. Results come back in the order of `paths`, whatever
/// order they finish in; `progress` hears of each as it finishes (from a worker thread).
public enum BatchGrader {
    public static func grade(_ paths: [String], with grader: Grader, jobs: Int,
                             progress: @escaping @Sendable (_ finished: Int, _ total: Int, SessionGrade) -> Void = { _, _, _ in })
        -> [SessionGrade] {
        let work = BatchWork(count: paths.count)
        let workers = max(1, min(jobs, paths.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = work.claim() {
                let grade = grader.grade(path: paths[index])
                progress(work.store(grade, at: index), paths.count, grade)
            }
        }
        return work.results
    }
}

/// The shared state of a batch: the next session to take and the results so far, behind a lock.
private final class BatchWork: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var finished = 0
    private var slots: [SessionGrade?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    /// Stores a result and returns how many are done.
    func store(_ grade: SessionGrade, at index: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = grade
        finished += 1
        return finished
    }

    var results: [SessionGrade] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
