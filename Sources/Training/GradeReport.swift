import Foundation
import Scripting

/// The forms `firedrill grade` writes its results in. Each is a pure function of the grades, so
/// the same sessions always give the same bytes.
public enum GradeReportFormat: String, CaseIterable, Sendable {
    case text, json, junit, gradescope, jsonl

    public func render(_ grades: [SessionGrade]) -> String {
        switch self {
        case .text: TextGradeReport.render(grades)
        case .json: JSONGradeReport.render(grades)
        case .junit: JUnitGradeReport.render(grades)
        case .gradescope: GradescopeGradeReport.render(grades)
        case .jsonl: JSONLinesGradeReport.render(grades)
        }
    }
}

/// Scores as people write them: `7`, `2.5`.
enum ScoreText {
    static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int64(value)) : LuaValue.format(number: value)
    }
}

/// For a person at a terminal: one heading per session (lab, seed, and PRACTICE when the seed is
/// not one of the lab's), one line per check with its feedback. A session graded only because
/// of `--force` has FORCED on every line, with what was forced.
enum TextGradeReport {
    static func render(_ grades: [SessionGrade]) -> String {
        var lines: [String] = []
        for grade in grades {
            if !lines.isEmpty { lines.append("") }
            let report = session(grade)
            lines += grade.isForced ? report.map { "FORCED " + $0 } : report
        }
        if grades.count > 1 {
            let errors = grades.filter(\.isError).count
            lines += ["", "\(grades.count) sessions, \(grades.count - errors) graded" + (errors > 0 ? ", \(errors) not graded" : "")]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A session's lines; feedback that spans lines keeps its indentation (and each line its
    /// FORCED mark).
    private static func session(_ grade: SessionGrade) -> [String] {
        let lab = (grade.lab ?? "?") + (grade.seed.map { ", seed \($0)" } ?? "")
        var lines: [String] = []
        if let error = grade.error {
            lines.append("\(grade.session) (\(lab)): not graded")
            lines.append("  error: " + error)
        } else {
            lines.append("\(grade.session) (\(lab)): \(ScoreText.format(grade.score))/\(ScoreText.format(grade.maxScore))" + (grade.isPractice ? " PRACTICE" : ""))
            if let reason = grade.practice { lines.append("  practice: " + reason) }
        }
        lines += grade.forced.map { "  forced: " + $0 }
        for check in grade.checks {
            let mark = check.passed ? "✓" : check.score > 0 ? "~" : "✗"
            let points = "\(ScoreText.format(check.score))/\(ScoreText.format(check.maxScore))"
            lines.append("  \(mark) \(points.padding(toLength: max(7, points.count), withPad: " ", startingAt: 0)) \(check.name)")
            if !check.feedback.isEmpty { lines.append("            " + check.feedback.replacingOccurrences(of: "\n", with: "\n            ")) }
        }
        lines += grade.warnings.map { "  warning: " + $0 }
        return lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }
}

extension SessionGrade {
    /// The grade as the machine-read reports carry it: with FORCED before every feedback and
    /// warning when `--force` overrode something.
    var markedForJSON: SessionGrade {
        guard isForced else { return self }
        let mark = "FORCED: "
        return SessionGrade(session: session, lab: lab, checks: checks.map {
            CheckResult(name: $0.name, score: $0.score, maxScore: $0.maxScore, passed: $0.passed, feedback: mark + $0.feedback)
        }, maxScore: maxScore, warnings: warnings.map { mark + $0 } + forced.map { mark + $0 }, error: error.map { mark + $0 },
           seed: seed, practice: practice, forced: forced)
    }
}

/// `{"sessions": [...]}`, each session with `score`, `max_score` and `checks` named as Gradescope
/// names them, its `seed`, `practice` (why, for a practice session) and `forced` (what `--force`
/// overrode).
enum JSONGradeReport {
    struct Document: Encodable {
        let sessions: [SessionGrade]
    }

    static func render(_ grades: [SessionGrade]) -> String {
        let encoder = SessionJSON.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        let data = try! encoder.encode(Document(sessions: grades.map(\.markedForJSON)))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Gradescope's `results.json`: a top-level `score` and one test per check. Gradescope grades one
/// submission at a time; given several sessions, their checks are prefixed with the session and
/// their scores add up. A practice session (a seed outside the lab's) scores 0, and says why.
enum GradescopeGradeReport {
    struct Results: Encodable {
        let score: Double
        let output: String
        let visibility = "visible"
        let stdoutVisibility = "hidden"
        let tests: [Test]
    }

    struct Test: Encodable {
        let name: String
        let score: Double
        let maxScore: Double
        let status: String
        let output: String
        let visibility = "visible"
    }

    static func render(_ grades: [SessionGrade]) -> String {
        let prefix = grades.count > 1
        var tests: [Test] = []
        var output: [String] = []
        for grade in grades.map(\.markedForJSON) {
            let label = prefix ? grade.session + ": " : ""
            if let practice = grade.practice {
                output.append("\(grade.session) scores 0: \(practice)")
                tests.append(Test(name: label + "Practice session", score: 0, maxScore: 0, status: "failed",
                                  output: "This session scores 0: \(practice). Start the lab without --seed to be graded."))
            }
            let counted = grade.isPractice ? 0.0 : 1.0
            tests += grade.checks.map {
                Test(name: label + $0.name, score: $0.score * counted, maxScore: $0.maxScore, status: $0.passed && counted > 0 ? "passed" : "failed",
                     output: $0.feedback)
            }
            if let error = grade.error {
                output.append("\(grade.session) could not be graded: \(error)")
                tests.append(Test(name: label + "Grading", score: 0, maxScore: grade.maxScore, status: "failed", output: error))
            }
            output += grade.warnings.map { "\(grade.session): \($0)" }
        }
        let score = Grading.rounded(grades.reduce(0) { $0 + ($1.isPractice ? 0 : $1.score) })
        let encoder = SessionJSON.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        let data = try! encoder.encode(Results(score: score, output: output.joined(separator: "\n"), tests: tests))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// JUnit XML for CI: a test suite per session, a test case per check; a check short of full
/// marks is a failure, a session that could not be graded is an error.
enum JUnitGradeReport {
    static func render(_ grades: [SessionGrade]) -> String {
        let checks = grades.reduce(0) { $0 + max($1.checks.count, $1.isError ? 1 : 0) }
        let failures = grades.reduce(0) { $0 + $1.checks.filter { !$0.passed }.count }
        let errors = grades.filter(\.isError).count
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"firedrill grade\" tests=\"\(checks)\" failures=\"\(failures)\" errors=\"\(errors)\">",
        ]
        for grade in grades { lines += suite(grade) }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func suite(_ unmarked: SessionGrade) -> [String] {
        let grade = unmarked.markedForJSON
        let lab = grade.lab ?? "unknown"
        let failures = grade.checks.filter { !$0.passed }.count
        var lines = [
            "  <testsuite name=\(attribute(grade.session)) tests=\"\(max(grade.checks.count, grade.isError ? 1 : 0))\" failures=\"\(failures)\" errors=\"\(grade.isError ? 1 : 0)\" skipped=\"0\">",
            "    <properties>",
            "      <property name=\"lab\" value=\(attribute(lab))/>",
            "      <property name=\"score\" value=\"\(ScoreText.format(grade.score))\"/>",
            "      <property name=\"max_score\" value=\"\(ScoreText.format(grade.maxScore))\"/>",
        ]
        if let seed = grade.seed { lines.append("      <property name=\"seed\" value=\"\(seed)\"/>") }
        if let practice = grade.practice { lines.append("      <property name=\"practice\" value=\(attribute(practice))/>") }
        lines += grade.forced.map { "      <property name=\"forced\" value=\(attribute($0))/>" }
        lines += grade.warnings.map { "      <property name=\"warning\" value=\(attribute($0))/>" }
        lines.append("    </properties>")
        for check in grade.checks {
            let points = "\(ScoreText.format(check.score))/\(ScoreText.format(check.maxScore))"
            lines.append("    <testcase classname=\(attribute(lab)) name=\(attribute(check.name))>")
            if !check.passed {
                lines.append("      <failure message=\(attribute(points + ": " + check.feedback)) type=\"score\">\(text(check.feedback))</failure>")
            }
            lines.append("      <system-out>\(text(points + (check.feedback.isEmpty ? "" : " " + check.feedback)))</system-out>")
            lines.append("    </testcase>")
        }
        if let error = grade.error {
            lines.append("    <testcase classname=\(attribute(lab)) name=\"grading\">")
            lines.append("      <error message=\(attribute(error)) type=\"grading\">\(text(error))</error>")
            lines.append("    </testcase>")
        }
        lines.append("  </testsuite>")
        return lines
    }

    /// A quoted attribute value.
    static func attribute(_ value: String) -> String { "\"" + escape(value, quotes: true) + "\"" }

    static func text(_ value: String) -> String { escape(value, quotes: false) }

    /// XML 1.0 escapes; characters XML cannot hold at all (most control characters, which Lua
    /// output may contain) become U+FFFD.
    static func escape(_ value: String, quotes: Bool) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where quotes: result += "&quot;"
            case "\n" where quotes: result += "&#10;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let allowed = scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF
                result.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return result
    }
}
