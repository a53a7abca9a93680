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
    /// The seed the session's world was built from.
    public let seed: UInt64?
    public let score: Double
    public let maxScore: Double
    public let checks: [CheckResult]
    /// Things a person should know about how this grade was reached (a cut-off recording, a
    /// format 1 file that cannot be checked for edits).
    public let warnings: [String]
    /// Why the session could not be graded (unreadable, refused, timed out, or the grader failed).
    public let error: String?
    /// Why this is a practice session (a seed outside the lab's), or nil for a graded one. Its
    /// checks are scored as usual, but it earns nothing where a grade is recorded (Gradescope).
    public let practice: String?
    /// What `--force` overrode to grade this session; every line of its report says FORCED.
    public let forced: [String]

    public init(session: String, lab: String?, checks: [CheckResult], maxScore: Double, warnings: [String], error: String? = nil,
                seed: UInt64? = nil, practice: String? = nil, forced: [String] = []) {
        self.session = session
        self.lab = lab
        self.seed = seed
        self.checks = checks
        self.score = error == nil ? Grading.rounded(checks.reduce(0) { $0 + $1.score }) : 0
        self.maxScore = Grading.rounded(maxScore)
        self.warnings = warnings
        self.error = error
        self.practice = practice
        self.forced = forced
    }

    public var isError: Bool { error != nil }
    public var isForced: Bool { !forced.isEmpty }
    public var isPractice: Bool { practice != nil }
}

enum Grading {
    /// Scores to a thousandth of a point, so sums print the same everywhere.
    static func rounded(_ value: Double) -> Double { (value * 1_000).rounded() / 1_000 }
}
