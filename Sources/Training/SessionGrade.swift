/// The result of one rubric check, named as Gradescope names them.
public struct CheckResult: Codable, Sendable, Equatable {
    public let name: String
    public let score: Double
    public let maxScore: Double
    /// Full marks.
    public let passed: Bool
    public let feedback: String

    public init(name: String, score: Double, maxScore: Double, passed: Bool, feedback: String) {
        self.name = name
        self.score = score
        self.maxScore = maxScore
        self.passed = passed
        self.feedback = feedback
    }
}

/// A graded session: its score and checks, or why it could not be graded. Holds nothing that
/// depends on the wall clock or the machine, so grading the same file twice gives the same bytes.
public struct SessionGrade: Codable, Sendable, Equatable {
    /// The session file as it was named on the command line.
    public let session: String
    public let lab: String?
    public let score: Double
    public let maxScore: Double
    public let checks: [CheckResult]
    /// Things a person should know about how this grade was reached (a cut-off recording, lab
    /// files that changed under `--force`).
    public let warnings: [String]
    /// Why the session could not be graded (unreadable, refused, or the grader failed).
    public let error: String?

    public init(session: String, lab: String?, checks: [CheckResult], maxScore: Double, warnings: [String], error: String? = nil) {
        self.session = session
        self.lab = lab
        self.checks = checks
        self.score = error == nil ? Grading.rounded(checks.reduce(0) { $0 + $1.score }) : 0
        self.maxScore = Grading.rounded(maxScore)
        self.warnings = warnings
        self.error = error
    }

    public var isError: Bool { error != nil }
}

enum Grading {
    /// Scores to a thousandth of a point, so sums print the same everywhere.
    static func rounded(_ value: Double) -> Double { (value * 1_000).rounded() / 1_000 }
}
