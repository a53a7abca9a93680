import ArgumentParser
import Foundation
import Training

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write debrief pages: one HTML file per session, or a class page with --class.",
        discussion: """
        Each session is graded exactly as `firedrill grade` grades it (re-executed on a fresh world, \
        the same refusals and limits), and the page is drawn from that world: customers' success \
        per request class every second (or the lab's gauges where it has no traffic), the alerts \
        that fired, each command, hint, status post, step and inject where it happened (hover or \
        click a marker for its input and output), the checks with their feedback, and for a lab \
        that ships solutions/as-it-happened.jsonl the real engineers' actions on a parallel track. \
        A page is one self-contained file (no network, light and dark themes, prints on A4), and \
        the same session always gives the same bytes.

        One session: -o names the file (default: the session's name with .html, here). Several: \
        -o names a folder (default: here). With --class: -o names the class page (default \
        class.html) and each session's page is written beside it. A session that cannot be graded \
        gets the error `grade` gives, and the others go on; the exit status is then non-zero.
        """
    )

    @Argument(help: ArgumentHelp("Session files to report on.", valueName: "session.jsonl"))
    var sessions: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write: a file for one session or a class page, else a folder.", valueName: "path"))
    var output: String?

    @Flag(name: .customLong("class"), help: "Write one page for the cohort, linking each session's page written beside it.")
    var isClass = false

    @OptionGroup var grading: GradingFlags

    @OptionGroup var location: LabsLocation

    func validate() throws {
        guard !sessions.isEmpty else { throw ValidationError("name at least one session file to report on") }
        try grading.validate()
    }

    func run() throws {
        let reporter = Reporter(grader: try grading.grader(location))
        let progress = BatchProgress(verb: "reporting", total: sessions.count)
        let reports = grading.batch(sessions, grader: reporter.grader, work: { reporter.report(path: $0, prepared: $1) },
                                    unfinished: { SessionReport(grade: $1, debrief: nil) }) { finished, _, report in
            progress.show(finished: finished, report.grade.session, result: report.grade.progressResult)
        }
        progress.clear()
        let targets = try plan()
        for (report, target) in zip(reports, targets.pages) where report.debrief != nil {
            try write(report.html, to: target)
        }
        if let classPage = targets.classPage {
            let entries = zip(reports, targets.pages).map { report, page in
                ClassReportPage.Entry(report: report, link: report.debrief == nil ? nil : URL(fileURLWithPath: page).lastPathComponent)
            }
            try write(ClassReportPage.render(entries), to: classPage)
        }
        try GradeCommand.reportErrors(reports.map(\.grade))
    }

    /// Where each session's page goes, and the class page if there is one.
    private func plan() throws -> (pages: [String], classPage: String?) {
        if isClass {
            let classPage = output ?? "class.html"
            let folder = URL(fileURLWithPath: classPage).deletingLastPathComponent().path
            try ReportCommand.create(folder)
            return (ReportCommand.pageNames(for: sessions, in: output == nil ? "." : folder), classPage)
        }
        if sessions.count == 1 {
            let page = output ?? ReportCommand.pageNames(for: sessions, in: ".")[0]
            try ReportCommand.create(URL(fileURLWithPath: page).deletingLastPathComponent().path)
            return ([page], nil)
        }
        let folder = output ?? "."
        try ReportCommand.create(folder)
        return (ReportCommand.pageNames(for: sessions, in: folder), nil)
    }

    private static func create(_ folder: String) throws {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw fail("cannot create the folder '\(folder)': \(error.localizedDescription)")
        }
    }

    /// `alice.jsonl` → `alice.html`; two sessions with one name (from two folders) become
    /// `alice.html` and `alice-2.html`, in the order given.
    static func pageNames(for sessions: [String], in folder: String) -> [String] {
        var used: [String: Int] = [:]
        return sessions.map { session in
            var stem = URL(fileURLWithPath: session).deletingPathExtension().lastPathComponent
            used[stem, default: 0] += 1
            if used[stem]! > 1 { stem += "-\(used[stem]!)" }
            return folder == "." ? stem + ".html" : URL(fileURLWithPath: folder).appendingPathComponent(stem + ".html").path
        }
    }

    private func write(_ page: String, to path: String) throws {
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw fail("cannot write '\(path)': \(error.localizedDescription)")
        }
    }
}
