import ArgumentParser
import Foundation
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
        """
    )

    @Argument(help: ArgumentHelp("Session files to grade.", valueName: "session.jsonl"))
    var sessions: [String]

    @Option(help: ArgumentHelp("text, json, junit or gradescope (Gradescope's results.json).", valueName: "format"))
    var format: String = GradeReportFormat.text.rawValue

    @Option(help: "Sessions graded at once, each on its own world.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Grade sessions recorded against other lab files, or with damaged lines (which are skipped).")
    var force = false

    @OptionGroup var location: LabsLocation

    func validate() throws {
        guard !sessions.isEmpty else { throw ValidationError("name at least one session file to grade") }
        guard GradeReportFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)'; choose one of: \(GradeReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let grader = Grader(catalog: try location.catalog(),
                            options: GradingOptions(force: force, firedrillVersion: FiredrillVersion.current))
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
