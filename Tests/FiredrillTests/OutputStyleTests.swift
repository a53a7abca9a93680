import Foundation
import Scripting
import Simulation
import Testing
@testable import firedrill

/// What the REPL prints around results: colours a person can read at a glance, and nothing but
/// plain text when colour is off.
@Suite struct OutputStyleTests {
    let colour = OutputStyle(usesColour: true)
    let plain = OutputStyle(usesColour: false)

    @Test func statusWordsAreColouredAsWholeWords() {
        let table = "NAME     READY   STATUS             RESTARTS\npay-1    1/1     Running            0\npay-2    0/1     CrashLoopBackOff   7\nnode-3   NotReady   Ready"
        let coloured = colour.highlightingStatusWords(table)
        #expect(coloured.contains("\u{1B}[32mRunning\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[31mCrashLoopBackOff\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[31mNotReady\u{1B}[0m"), "NotReady is red as a whole")
        #expect(coloured.hasSuffix("\u{1B}[32mReady\u{1B}[0m"))
        #expect(coloured.components(separatedBy: "\u{1B}[32mReady").count == 2, "the Ready in NotReady stays red")
        #expect(!coloured.contains("\u{1B}[32mREADY"), "case-sensitive: the column heading is not a status")
        #expect(colour.highlightingStatusWords("Pending ContainerCreating Error: Failed") ==
                "\u{1B}[33mPending\u{1B}[0m \u{1B}[33mContainerCreating\u{1B}[0m \u{1B}[31mError\u{1B}[0m: \u{1B}[31mFailed\u{1B}[0m")
        #expect(colour.highlightingStatusWords("Runnings ErrorCount isRunning") == "Runnings ErrorCount isRunning")
    }

    @Test func withoutColourNothingChanges() {
        let outcome = ReplCore.Outcome(text: "pay-1 Running", error: "stdin:1: boom\nstack traceback:\n\tstdin:1: in main chunk")
        #expect(plain.outcome(outcome) == outcome.combined)
        #expect(plain.notice(Notice("PAGE leader lost", kind: .alert)) == "PAGE leader lost", "a page says what it is itself")
        #expect(plain.notice(Notice("slow", kind: .warning)) == "warning: slow")
        #expect(!plain.highlightingStatusWords("Running Error").contains("\u{1B}"))
    }

    @Test func errorsAreRedWithTheTracebackDimmed() {
        let text = colour.error("stdin:1: boom\nstack traceback:\n\tstdin:1: in main chunk")
        #expect(text == "\u{1B}[31mstdin:1: boom\u{1B}[0m\n\u{1B}[2mstack traceback:\u{1B}[0m\n\u{1B}[2m\tstdin:1: in main chunk\u{1B}[0m")
    }

    @Test func colourFollowsNoColorAndTheTerminal() {
        // The test's standard output is not a terminal, so colour is off whatever the variables say.
        #expect(OutputStyle.forStandardOutput(environment: [:]).usesColour == false)
        #expect(OutputStyle.forStandardOutput(environment: ["NO_COLOR": "1"]).usesColour == false)
    }

    @Test func thePromptTellsLibeditWhichBytesTakeNoRoom() throws {
        let core = ReplCore(runtime: try ScriptRuntime(scenario: ScenarioCatalog.named("practice")!, seed: 1))
        #expect(plain.prompt(for: core, forLineEditor: true) == "[09:00:00] > ")
        let prompt = colour.prompt(for: core, forLineEditor: true)
        #expect(prompt == "\u{1}\u{1B}[36m\u{1}[09:00:00]\u{1}\u{1B}[0m\u{1} \u{1}\u{1B}[1m\u{1}>\u{1}\u{1B}[0m\u{1} ")
        #expect(!colour.prompt(for: core, forLineEditor: false).contains("\u{1}"))
    }

    @Test func fewDocumentedCandidatesAreListedWithTheirSummaries() {
        let listing = OutputStyle.listing([
            CompletionCandidate("advance", kind: .function, summary: "let simulated time pass"),
            CompletionCandidate("at", kind: .function, summary: "run fn when the clock reaches t"),
        ], columns: 80)
        #expect(listing == "advance  let simulated time pass\nat       run fn when the clock reaches t")
        let narrow = OutputStyle.listing([CompletionCandidate("advance", kind: .function, summary: "let simulated time pass")], columns: 16)
        #expect(narrow == "advance  let si…")
    }

    @Test func manyCandidatesAreLaidOutInColumns() {
        let words = (1...7).map { CompletionCandidate("node-\($0)", kind: .word) }
        #expect(OutputStyle.listing(words, columns: 30) == "node-1  node-4  node-7\nnode-2  node-5\nnode-3  node-6")
        let many = (1...250).map { CompletionCandidate(String(format: "w%03d", $0), kind: .word) }
        #expect(OutputStyle.listing(many, columns: 200).hasSuffix("… (50 more; type more letters)"))
    }
}

/// The history file: whole chunks, bounded, where XDG says.
@Suite struct HistoryFileTests {
    @Test func multiLineChunksSurviveTheRoundTrip() {
        let chunk = "function twice(n)\n  return n * 2 -- a \\ b\nend"
        let encoded = HistoryFile.encode(chunk)
        #expect(!encoded.contains("\n"))
        #expect(HistoryFile.decode(Substring(encoded)) == chunk)
        #expect(HistoryFile.entries(in: encoded + "\n" + HistoryFile.encode("x = '\\\\n'") + "\n") == [chunk, "x = '\\\\n'"])
    }

    @Test func theLocationFollowsXDG() {
        #expect(HistoryFile.defaultLocation(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"])?.path == "/s/firedrill/history")
        #expect(HistoryFile.defaultLocation(environment: ["HOME": "/h"])?.path == "/h/.local/state/firedrill/history")
        #expect(HistoryFile.defaultLocation(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"])?.path
                == "/h/.local/state/firedrill/history", "a relative XDG path is ignored, as the spec says")
        #expect(HistoryFile.defaultLocation(environment: [:]) == nil)
    }

    @Test func theFileStaysBounded() throws {
        let directory = try CommandRunner.scratchDirectory()
        let file = HistoryFile(location: directory.appendingPathComponent("state/firedrill/history"), limit: 8)
        for index in 1...20 { try file.append("x = \(index)") }
        try file.append("")
        try file.append(String(repeating: "y", count: HistoryFile.maximumEntryBytes + 1))
        #expect(try file.load() == (13...20).map { "x = \($0)" })
        let rewritten = try String(contentsOf: file.location, encoding: .utf8)
        #expect(rewritten.split(separator: "\n").count == 8, "loading cut the file back to its bound")
        let permissions = try FileManager.default.attributesOfItem(atPath: file.location.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600, "what was typed is for its owner only")
    }
}
