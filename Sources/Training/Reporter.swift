import Foundation

/// A session's debrief: its grade, and what the page shows of it (nil when it could not be graded).
public struct SessionReport: Sendable, Codable {
    public let grade: SessionGrade
    public let debrief: SessionDebrief?

    public init(grade: SessionGrade, debrief: SessionDebrief?) {
        self.grade = grade
        self.debrief = debrief
    }

    /// The page: the debrief, or the error `grade` gives for a session it could not grade.
    public var html: String { debrief.map(SessionReportPage.render) ?? SessionReportPage.render(failed: grade) }
}

/// Writes debriefs by grading: the same re-execution, limits and refusals as `firedrill grade`,
/// then the page is read off the world grading judged. Safe to share between threads.
public struct Reporter: Sendable {
    public let grader: Grader

    /// The real engineers' session a lab may ship, drawn as the 2017 track.
    public static let referenceTimeline = "solutions/as-it-happened.jsonl"

    public init(grader: Grader) { self.grader = grader }

    public func report(path: String, prepared: PreparedWorld? = nil) -> SessionReport {
        var debrief: SessionDebrief?
        let grade = grader.grade(path: path, prepared: prepared) { graded in
            let reference = URL(fileURLWithPath: graded.session.lab.directory).appendingPathComponent(Reporter.referenceTimeline).path
            debrief = SessionDebrief.read(graded, referenceFile: FileManager.default.fileExists(atPath: reference) ? reference : nil)
        }
        return SessionReport(grade: grade, debrief: debrief)
    }
}
