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
        """
    )

    @Argument(help: ArgumentHelp("Session files to grade.", valueName: "session.jsonl"))
    var sessions: [String]

    @Option(help: ArgumentHelp("text, json, junit or gradescope (Gradescope's results.json).", valueName: "format"))
    var format: String = GradeReportFormat.text.rawValue

    @Option(help: "Sessions graded at once, each on its own world.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

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

    @OptionGroup var location: LabsLocation

    func validate() throws {
        guard !sessions.isEmpty else { throw ValidationError("name at least one session file to grade") }
        guard GradeReportFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)'; choose one of: \(GradeReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let timeout { guard timeout > 0 && timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") } }
        guard instructionLimit >= 0, memoryLimitMiB >= 0 else { throw ValidationError("limits must not be negative") }
    }

    func run() throws {
        let key: SessionKey?
        do { key = try SessionKey.load(keyFile: keyFile) } catch { throw fail("\(error)") }
        let options = GradingOptions(force: force, firedrillVersion: FiredrillVersion.current,
                                     limits: LuaLimits(instructions: instructionLimit, memoryBytes: memoryLimitMiB << 20),
                                     key: key, timeoutSeconds: timeout)
        let grader = Grader(catalog: try location.catalog(), options: options)
        let progress = GradeProgress(enabled: isatty(STDERR_FILENO) != 0)
        let grades = BatchGrader.grade(sessions, with: grader, jobs: jobs) { finished, total, grade in
            progress.show(finished: finished, total: total, grade)
        }
        progress.clear()
        print(GradeReportFormat(rawValue: format)!.render(grades), terminator: "")
        let failed = grades.filter(\.isError)
        for grade in failed {
            let message = grade.error!.contains(grade.session) ? grade.error! : "\(grade.session): \(grade.error!)"
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

/// One line of progress on a terminal, rewritten as sessions finish (from any worker thread).
final class GradeProgress: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()

    init(enabled: Bool) { self.enabled = enabled }

    func show(finished: Int, total: Int, _ grade: SessionGrade) {
        guard enabled else { return }
        let result = grade.isError ? "not graded" : "\(ScoreFormat.number(grade.score))/\(ScoreFormat.number(grade.maxScore))"
        write("\r\u{1B}[2Kgrading \(finished)/\(total): \(grade.session) \(result)")
    }

    func clear() {
        guard enabled else { return }
        write("\r\u{1B}[2K")
    }

    private func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
