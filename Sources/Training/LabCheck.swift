import Foundation
import Scripting
import Simulation

/// `firedrill lab check`: a lab checked the way CI would, in seconds rather than a test suite.
/// The definition loads; every recorded solution grades to the score written beside it
/// (`solutions/NAME.expect`); every policy (`policies/NAME.lua`, a drill that plays the lab)
/// scores within the range it states; and the lab's Lua passes the linter (`LuaLint`). Each
/// finding names a file, and a line where there is one.
public enum LabCheck {
    public static func run(directory: URL, displayDirectory: String, firedrillVersion: String,
                           lint: LuaLint?) -> LabCheckReport {
        var report = LabCheckReport(lab: displayDirectory)
        do {
            let lab = try LabLoader.load(directory: directory, displayDirectory: displayDirectory)
            report.note(.passed, file: displayDirectory + "/lab.lua", "loads: \(lab.steps.count) step(s), \(lab.injects.count) inject(s), \(lab.rubric.count) check(s) worth \(ScoreFormat.number(lab.maxScore))")
            let catalog = LabCatalog(directory: (displayDirectory as NSString).deletingLastPathComponent, labs: [lab], failures: [])
            let grader = Grader(catalog: catalog, options: GradingOptions(firedrillVersion: firedrillVersion, timeoutSeconds: 3_600))
            checkSolutions(of: lab, in: directory, grader: grader, into: &report)
            checkPolicies(of: lab, in: directory, grader: grader, firedrillVersion: firedrillVersion, into: &report)
        } catch let error as LabError {
            report.note(.failed, file: error.file, line: error.line ?? LabCheck.line(in: error.description, of: error.file), error.description)
        } catch {
            report.note(.failed, file: displayDirectory, "\(error)")
        }
        if let lint {
            lint.check(folder: directory, displayDirectory: displayDirectory, into: &report)
        } else {
            report.note(.skipped, file: displayDirectory, LuaLint.missing)
        }
        return report
    }

    /// Grades every `solutions/*.jsonl` and compares it with its `.expect`.
    private static func checkSolutions(of lab: Lab, in directory: URL, grader: Grader, into report: inout LabCheckReport) {
        let folder = directory.appendingPathComponent("solutions")
        for name in files(in: folder, ending: ".jsonl") {
            let display = lab.directory + "/solutions/" + name
            let expectName = String(name.dropLast(".jsonl".count)) + ".expect"
            let expectDisplay = lab.directory + "/solutions/" + expectName
            let expectation: ScoreExpectation
            do {
                expectation = try ScoreExpectation.read(folder.appendingPathComponent(expectName), display: expectDisplay)
            } catch let error as LabError {
                report.note(.failed, file: error.file, line: error.line, error.problem)
                continue
            } catch {
                report.note(.failed, file: expectDisplay, "\(error)")
                continue
            }
            let grade = grader.grade(path: folder.appendingPathComponent(name).path)
            report.judge(grade, against: expectation, session: display, maxScore: lab.maxScore)
        }
    }

    /// Plays every `policies/*.lua` as a trainee would, records it, grades the recording.
    private static func checkPolicies(of lab: Lab, in directory: URL, grader: Grader, firedrillVersion: String,
                                      into report: inout LabCheckReport) {
        let folder = directory.appendingPathComponent("policies")
        for name in files(in: folder, ending: ".lua") {
            let display = lab.directory + "/policies/" + name
            guard let text = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
                    .flatMap({ String(data: $0, encoding: .utf8) }) else {
                report.note(.failed, file: display, "cannot be read as UTF-8 text")
                continue
            }
            do {
                let expectation = try ScoreExpectation.policy(text, display: display)
                let recording = try LabPolicy.play(text, display: display, lab: lab, firedrillVersion: firedrillVersion)
                defer { try? FileManager.default.removeItem(atPath: recording.path) }
                for failure in recording.failures { report.note(.failed, file: display, line: failure.line, failure.message) }
                report.judge(grader.grade(path: recording.path), against: expectation, session: display, maxScore: lab.maxScore)
            } catch let error as LabError {
                report.note(.failed, file: error.file, line: error.line, error.problem)
            } catch {
                report.note(.failed, file: display, "\(error)")
            }
        }
    }

    /// The names in `folder` ending in `suffix`, sorted; none when there is no such folder.
    static func files(in folder: URL, ending suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted()
    }

    /// The line a `file:N:` message names, if it names `file`.
    static func line(in message: String, of file: String) -> Int? {
        guard message.hasPrefix(file + ":") else { return nil }
        return Int(message.dropFirst(file.count + 1).prefix { $0.isNumber })
    }
}

/// What `lab check` found, one line per finding, in the order it checked.
public struct LabCheckReport: Sendable {
    public enum Outcome: String, Sendable { case passed = "ok", failed = "FAIL", skipped = "skip" }

    public struct Finding: Sendable, Equatable {
        public let outcome: Outcome
        public let file: String
        public let line: Int?
        public let message: String

        /// `FAIL Labs/x/solutions/reference.expect:1: ...`
        public var text: String {
            let location = file + (line.map { ":\($0)" } ?? "")
            let body = message.hasPrefix(location + ":") ? String(message.dropFirst(location.count + 1)).trimmingCharacters(in: .whitespaces) : message
            return outcome.rawValue + String(repeating: " ", count: 5 - outcome.rawValue.count) + location + ": " + body
        }
    }

    public let lab: String
    public private(set) var findings: [Finding] = []

    init(lab: String) { self.lab = lab }

    public var failures: [Finding] { findings.filter { $0.outcome == .failed } }
    public var passed: Bool { failures.isEmpty }

    mutating func note(_ outcome: Outcome, file: String, line: Int? = nil, _ message: String) {
        findings.append(Finding(outcome: outcome, file: file, line: line, message: message))
    }

    /// Compares a grade with what was expected of it.
    mutating func judge(_ grade: SessionGrade, against expectation: ScoreExpectation, session: String, maxScore: Double) {
        if let error = grade.error {
            note(.failed, file: session, "does not grade: \(error)")
            return
        }
        let score = ScoreFormat.number(grade.score) + "/" + ScoreFormat.number(maxScore)
        if expectation.admits(grade.score) {
            let source = expectation.file == session ? "its opening comment" : expectation.file
            note(.passed, file: session, "scores \(score), within \(expectation.description) as \(source) states")
        } else {
            let missed = grade.checks.filter { !$0.passed }.map { "\($0.name) \(ScoreFormat.number($0.score))/\(ScoreFormat.number($0.maxScore))" }
            let detail = missed.isEmpty ? "" : " (short of full marks: " + missed.joined(separator: ", ") + ")"
            note(.failed, file: expectation.file, line: expectation.line,
                 "\(session) scores \(score) but this expects \(expectation.description)\(detail)")
        }
    }
}

/// The score a solution or a policy must earn: `score = 10` in `solutions/NAME.expect`, or a
/// range, `score = 8..10`, which a policy states in its first lines as `-- score = 8..10`.
public struct ScoreExpectation: Sendable, Equatable {
    public let low: Double
    public let high: Double
    /// The file that states it, and the line.
    public let file: String
    public let line: Int

    /// Scores are kept to a thousandth of a point.
    func admits(_ score: Double) -> Bool { score >= low - 0.0005 && score <= high + 0.0005 }

    var description: String {
        low == high ? ScoreFormat.number(low) : ScoreFormat.number(low) + ".." + ScoreFormat.number(high)
    }

    static let format = "write `score = 10` (a solution's exact score) or `score = 8..10` (a range)"

    /// Reads a `.expect` file: `score = N` or `score = LOW..HIGH`; `#` and `--` start comments.
    static func read(_ url: URL, display: String) throws -> ScoreExpectation {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw LabError(file: display, problem: "missing: every recorded solution needs the score it earns beside it; \(format)")
        }
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("--") { continue }
            return try parse(line, file: display, line: index + 1)
        }
        throw LabError(file: display, problem: "states no score; \(format)")
    }

    /// A policy's range, from its leading comment lines: `-- score = 8..10`.
    static func policy(_ text: String, display: String) throws -> ScoreExpectation {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("--") else { break }
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("score") { return try parse(body, file: display, line: index + 1) }
        }
        throw LabError(file: display, line: 1, problem: "a policy states the scores it may earn in its opening comments: -- score = 8..10")
    }

    static func parse(_ line: String, file: String, line number: Int) throws -> ScoreExpectation {
        let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0] == "score" else {
            throw LabError(file: file, line: number, problem: "\(LuaValue.quote(line)) is not a score; \(format)")
        }
        let bounds = parts[1].components(separatedBy: "..").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil, low <= high else {
            throw LabError(file: file, line: number, problem: "\(LuaValue.quote(parts[1])) is not a score or a range; \(format)")
        }
        return ScoreExpectation(low: low, high: high, file: file, line: number)
    }
}

/// How scores read in reports.
public enum ScoreFormat {
    /// `1`, `2.5`: numbers as a person writes them.
    public static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int64(value)) : LuaValue.format(number: value)
    }
}

extension LabCheck {
    /// The folders of `labs` that hold a `lab.lua`, sorted.
    public static func labFolders(in labs: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: labs.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: labs.appendingPathComponent($0).appendingPathComponent("lab.lua").path) }.sorted()
    }
}
