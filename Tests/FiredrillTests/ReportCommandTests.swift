import Foundation
import Testing
@testable import firedrill

/// `firedrill report` as a user runs it, and its pages in a real browser: headless Chromium
/// loads them without a console error, draws a series per request class, a marker per command
/// and the 2017 track, and leaves a screenshot under `.build/report-screenshots/` for a person.
@Suite(.serialized) struct ReportCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let labs = root.appendingPathComponent("Labs")
    static let screenshots = root.appendingPathComponent(".build/report-screenshots")

    static func solution(_ lab: String, _ name: String = "reference") -> String {
        labs.appendingPathComponent("\(lab)/solutions/\(name).jsonl").path
    }

    /// Debian's `chromium`, or nil (the test then says why it skipped).
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func aReportIsWrittenAndTheSameTwice() throws {
        let directory = try CommandRunner.scratchDirectory()
        let session = ReportCommandTests.solution("zone-partition")
        for name in ["one.html", "two.html"] {
            let outcome = try CommandRunner.run(["report", session, "-o", name, "--labs", ReportCommandTests.labs.path], directory: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardError.isEmpty, "no progress when stderr is a pipe: \(outcome.standardError)")
        }
        let one = try Data(contentsOf: directory.appendingPathComponent("one.html"))
        let two = try Data(contentsOf: directory.appendingPathComponent("two.html"))
        #expect(one == two && !one.isEmpty)
    }

    @Test func aBadSessionGetsGradesErrorAndTheClassGoesOn() throws {
        let directory = try CommandRunner.scratchDirectory()
        let bad = directory.appendingPathComponent("bad.jsonl")
        try "{}\n".write(to: bad, atomically: true, encoding: .utf8)
        let labs = ["--labs", ReportCommandTests.labs.path]
        let graded = try CommandRunner.run(["grade", bad.path] + labs, directory: directory)
        let reported = try CommandRunner.run(["report", bad.path] + labs, directory: directory)
        #expect(reported.status == graded.status && graded.status != 0)
        #expect(reported.standardError == graded.standardError, "the same error as grade")
        let sessions = [ReportCommandTests.solution("zone-partition"), bad.path, ReportCommandTests.solution("write-a-drill")]
        let cohort = try CommandRunner.run(["report", "--class", "-o", "out/class.html", "--jobs", "2"] + sessions + labs, directory: directory)
        #expect(cohort.status == 1)
        #expect(cohort.standardError == graded.standardError)
        let out = directory.appendingPathComponent("out")
        let page = try String(contentsOf: out.appendingPathComponent("class.html"), encoding: .utf8)
        #expect(page.contains("href=\"reference.html\"") && page.contains("href=\"reference-2.html\""))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("reference-2.html").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("bad.html").path))
    }

    @Test func gradeShardsMergeIntoTheWholeBatch() throws {
        let directory = try CommandRunner.scratchDirectory()
        let labs = ["--labs", ReportCommandTests.labs.path]
        let sessions = ["zone-partition", "write-a-drill", "etcd-quorum"].map { ReportCommandTests.solution($0) }
        let whole = try CommandRunner.run(["grade", "--format", "junit"] + sessions.sorted() + labs)
        var shards: [String] = []
        for index in 0..<2 {
            let outcome = try CommandRunner.run(["grade", "--shard", "\(index)/2", "--format", "jsonl"] + sessions + labs)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let file = directory.appendingPathComponent("shard-\(index).jsonl")
            try outcome.standardOutput.write(to: file, atomically: true, encoding: .utf8)
            shards.append(file.path)
        }
        let merged = try CommandRunner.run(["grade", "--merge", "--format", "junit"] + shards)
        #expect(merged.status == 0, "\(merged.standardError)")
        #expect(merged.standardOutput == whole.standardOutput)
    }

    @Test func theMonzoPagesRenderInChromium() throws {
        guard let chromium = ReportCommandTests.chromium else {
            print("skipped: no chromium here; Scripts/setup installs Debian's chromium for this test")
            return
        }
        try FileManager.default.createDirectory(at: ReportCommandTests.screenshots, withIntermediateDirectories: true)
        let labs = ["--labs", ReportCommandTests.labs.path]
        let directory = ReportCommandTests.screenshots
        for name in ["reference", "as-it-happened"] {
            let session = ReportCommandTests.solution("monzo-2017", name)
            let page = directory.appendingPathComponent("monzo-\(name).html")
            let outcome = try CommandRunner.run(["report", session, "-o", page.path] + labs)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let commands = try String(contentsOfFile: session, encoding: .utf8).components(separatedBy: "\"kind\":\"command\"").count - 1
            let dom = try render(page, chromium: chromium, screenshot: directory.appendingPathComponent("monzo-\(name).png"))
            #expect(count("class=\"series ", in: dom) >= 5, "a series per request class")
            #expect(count("data-kind=\"command\"", in: dom) == commands, "a marker per command")
            #expect(dom.contains("data-track=\"2017\"") && count("data-kind=\"reference\"", in: dom) > 10, "the 2017 track")
        }
        let sessions = ["zone-partition", "write-a-drill", "etcd-quorum"].map { ReportCommandTests.solution($0) }
        let classPage = directory.appendingPathComponent("class.html")
        let outcome = try CommandRunner.run(["report", "--class", "-o", classPage.path] + sessions + labs)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let dom = try render(classPage, chromium: chromium, screenshot: directory.appendingPathComponent("class.png"))
        #expect(count("<tr class=\"session\">", in: dom) == 3)
        #expect(dom.contains("id=\"distribution\""))
    }

    /// Loads a page in headless Chromium: returns the DOM after its script ran, fails the test on
    /// any console error, and keeps a screenshot.
    private func render(_ page: URL, chromium: String, screenshot: URL) throws -> String {
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + NSTemporaryDirectory() + "firedrill-chromium-\(getpid())"]
        let dump = try run(chromium, common + ["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString])
        let console = dump.errors.split(separator: "\n").filter { $0.contains("CONSOLE") }
        #expect(console.isEmpty, "console messages from \(page.lastPathComponent): \(console)")
        _ = try run(chromium, common + ["--window-size=1280,1800", "--screenshot=" + screenshot.path, page.absoluteString])
        #expect(FileManager.default.fileExists(atPath: screenshot.path), "a screenshot of \(page.lastPathComponent)")
        return dump.output
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    private func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
}

/// Progress is for a person at a terminal: done/total, the time left and the session, rewritten
/// in place; nothing for one session or when standard error is not a terminal.
@Suite struct BatchProgressTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var written: [String] = []
        func append(_ text: String) { lock.lock(); written.append(text); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return written }
    }

    @Test func aTerminalSeesDoneTotalTimeLeftAndTheSession() {
        let lines = Lines()
        let progress = BatchProgress(verb: "grading", total: 3, terminal: true, sink: lines.append)
        progress.show(finished: 1, "alice.jsonl", result: "7/10")
        progress.show(finished: 2, "bob.jsonl", result: "not graded")
        progress.clear()
        #expect(lines.all.count == 3)
        #expect(lines.all[0].hasPrefix("\r\u{1B}[2Kgrading 1/3, ") && lines.all[0].hasSuffix(" left: alice.jsonl 7/10"))
        #expect(lines.all[1].contains("grading 2/3, ") && lines.all[1].contains("bob.jsonl not graded"))
        #expect(lines.all[2] == "\r\u{1B}[2K")
    }

    @Test func aPipeOrOneSessionSeesNothing() {
        let lines = Lines()
        for progress in [BatchProgress(verb: "grading", total: 3, terminal: false, sink: lines.append),
                         BatchProgress(verb: "reporting", total: 1, terminal: true, sink: lines.append)] {
            progress.show(finished: 1, "alice.jsonl", result: "7/10")
            progress.clear()
        }
        #expect(lines.all.isEmpty)
    }

    @Test func timeLeftReadsLikeAClock() {
        #expect(BatchProgress.describe(seconds: 12.4) == "12s")
        #expect(BatchProgress.describe(seconds: 185) == "3m05s")
        #expect(BatchProgress.describe(seconds: 3_725) == "1h02m")
    }
}
