import ArgumentParser
import Foundation
import Scripting
import Training

struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Score recorded sessions by re-executing them and running their lab's grader.",
        discussion: """
        Each session's commands run again at their recorded simulated times on a fresh world (the \
        outputs in the file are ignored), then the lab's grade.lua scores the result. A session \
        that cannot be graded is reported and the others go on; the exit status is non-zero only \
        when some session could not be graded, never for a low score.

        Sessions are sealed with a hash chain: a file edited after it was recorded is refused, \
        naming the first line that does not follow. With a key (--key-file or \
        FIREDRILL_SESSION_KEY, the same as on the lab machines), sessions must be signed with it. \
        Every command is replayed under the lab's limits (or the ones given here), never the \
        file's. A session recorded on a seed outside the lab's is graded as PRACTICE: Gradescope \
        gives it 0. --force grades what would be refused, and marks it FORCED.

        At scale: --shard I/N grades every N-th session of the sorted list, starting at the I-th \
        (0-based; a Kubernetes Indexed Job's JOB_COMPLETION_INDEX), and --format jsonl writes one \
        grade a line; --merge then joins the shards' files into one report in any format, the \
        same as grading every session at once. See deploy/grade-job.yaml.
        """
    )

    @Argument(help: ArgumentHelp("Session files to grade (with --merge: the shards' jsonl files).", valueName: "session.jsonl"))
    var sessions: [String]

    @Option(help: ArgumentHelp("text, json, junit, gradescope (Gradescope's results.json) or jsonl (a grade a line, for --merge).", valueName: "format"))
    var format: String = GradeReportFormat.text.rawValue

    @Option(help: ArgumentHelp("Grade only every N-th session of the sorted list, starting at the I-th (0 <= I < N).", valueName: "I/N"))
    var shard: String?

    @Flag(help: "Join the jsonl files that sharded grading wrote into one report, instead of grading.")
    var merge = false

    @OptionGroup var grading: GradingFlags

    @OptionGroup var location: LabsLocation

    func validate() throws {
        guard !sessions.isEmpty else { throw ValidationError(merge ? "name the shards' jsonl files to merge" : "name at least one session file to grade") }
        guard GradeReportFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)'; choose one of: \(GradeReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let shard {
            guard !merge else { throw ValidationError("--shard grades one slice and --merge joins slices; use one of them") }
            do { _ = try GradeShard(parsing: shard) } catch { throw ValidationError("\(error)") }
        }
        try grading.validate()
    }

    func run() throws {
        let grades: [SessionGrade]
        if merge {
            do { grades = try GradeMerge.merge(files: sessions) } catch { throw fail("\(error)") }
        } else {
            let paths = try shard.map { try GradeShard(parsing: $0).select(sessions) } ?? sessions
            let grader = try grading.grader(location)
            let progress = BatchProgress(verb: "grading", total: paths.count)
            grades = grading.batch(paths, grader: grader, work: { grader.grade(path: $0, prepared: $1) }, unfinished: { $1 }) { finished, _, grade in
                progress.show(finished: finished, grade.session, result: grade.progressResult)
            }
            progress.clear()
        }
        print(GradeReportFormat(rawValue: format)!.render(grades), terminator: "")
        try GradeCommand.reportErrors(grades)
    }

    /// Each session that could not be graded, on stderr; and then a non-zero exit.
    static func reportErrors(_ grades: [SessionGrade]) throws {
        let failed = grades.filter(\.isError)
        for grade in failed {
            let message = grade.error!.contains(grade.session) ? grade.error! : "\(grade.session): \(grade.error!)"
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

/// How grading re-executes sessions, shared by `grade` and `report` so a debrief is graded
/// exactly as the grade is.
struct GradingFlags: ParsableArguments {
    @Option(help: "Sessions graded at once, each on its own world (default: one per core).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Build every session's world from scratch, on threads of this process, instead of preparing the world once for the sessions that share a lab and seed and forking a process per session from it.")
    var noFork = false

    @Flag(help: "Grade sessions that would be refused (edited, unsigned, other lab files, damaged lines), marked FORCED.")
    var force = false

    @Option(help: ArgumentHelp("A file holding the instructors' key that signs sessions (default: $FIREDRILL_SESSION_KEY).", valueName: "path"))
    var keyFile: String?

    @Option(help: ArgumentHelp("Wall-clock seconds one session may take to grade (default: ten times the lab's grading_seconds).", valueName: "seconds"))
    var timeout: Double?

    @Option(help: "Lua instructions one replayed command may run (default: the lab's, as the trainee had them).")
    var instructionLimit: Int64 = LuaLimits().instructions

    @Option(help: "Memory the replayed Lua state may use, in MiB (default: the lab's).")
    var memoryLimitMiB: Int = LuaLimits().memoryBytes >> 20

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let timeout { guard timeout > 0 && timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") } }
        guard instructionLimit >= 0, memoryLimitMiB >= 0 else { throw ValidationError("limits must not be negative") }
    }

    /// Runs `work` on every session as these flags say: a shared, forked setup per lab and
    /// seed, or (`--no-fork`) every world built in this process.
    func batch<Result: Codable & Sendable>(_ paths: [String], grader: Grader, work: @escaping @Sendable (String, PreparedWorld?) -> Result,
                                           unfinished: @escaping (String, SessionGrade) -> Result,
                                           progress: @escaping @Sendable (Int, Int, Result) -> Void) -> [Result] {
        let crashing = ProcessInfo.processInfo.environment["FIREDRILL_TEST_CRASH_GRADING"]
        return SharedSetupBatch.run(paths, grader: grader, jobs: jobs, fork: !noFork, work: { path, prepared in
            // A test's way to crash one session's forked process (never set outside the tests):
            // only there, where it costs that session alone.
            if let crashing, !crashing.isEmpty, ForkedBatch.isChild, path.hasSuffix(crashing) { abort() }
            return work(path, prepared)
        }, unfinished: unfinished, progress: progress)
    }

    func grader(_ location: LabsLocation) throws -> Grader {
        let key: SessionKey?
        do { key = try SessionKey.load(keyFile: keyFile) } catch { throw fail("\(error)") }
        let options = GradingOptions(force: force, firedrillVersion: FiredrillVersion.current,
                                     limits: LuaLimits(instructions: instructionLimit, memoryBytes: memoryLimitMiB << 20),
                                     key: key, timeoutSeconds: timeout)
        return Grader(catalog: try location.catalog(), options: options)
    }
}

extension SessionGrade {
    var progressResult: String {
        isError ? "not graded" : "\(ScoreFormat.number(score))/\(ScoreFormat.number(maxScore))"
    }
}

/// One line of progress on a terminal, rewritten as sessions finish (from any worker thread):
/// done/total, an estimate of the time left, and the session just finished. Shown only for more
/// than one session and only when standard error is a terminal, so pipes and logs get none.
final class BatchProgress: @unchecked Sendable {
    private let verb: String
    private let total: Int
    private let enabled: Bool
    private let started = DispatchTime.now().uptimeNanoseconds
    private let lock = NSLock()
    private let sink: @Sendable (String) -> Void

    init(verb: String, total: Int, terminal: Bool = isatty(STDERR_FILENO) != 0,
         sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.verb = verb
        self.total = total
        self.sink = sink
        enabled = terminal && total > 1
    }

    func show(finished: Int, _ session: String, result: String) {
        guard enabled else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let left = elapsed / Double(finished) * Double(total - finished)
        write("\r\u{1B}[2K\(verb) \(finished)/\(total), \(BatchProgress.describe(seconds: left)) left: \(session) \(result)")
    }

    func clear() {
        guard enabled else { return }
        write("\r\u{1B}[2K")
    }

    /// `1h02m`, `3m05s`, `12s`.
    static func describe(seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        if whole >= 3_600 { return "\(whole / 3_600)h\(two(whole / 60 % 60))m" }
        if whole >= 60 { return "\(whole / 60)m\(two(whole % 60))s" }
        return "\(whole)s"
    }

    private func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        sink(text)
    }
}
