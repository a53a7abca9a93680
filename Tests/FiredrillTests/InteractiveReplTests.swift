import Foundation
import Testing

/// The REPL as a trainee meets it: the real binary in a real terminal, keystroke by keystroke.
@Suite struct InteractiveReplTests {
    /// The first prompt as the screen shows it (tmux drops the trailing space of a line).
    static let firstPrompt = "[09:00:00] >"

    func startedRepl(environment: [String: String] = [:], home: URL? = nil) throws -> TerminalSession {
        let session = try TerminalSession(["repl", "--seed", "1"], environment: environment, home: home)
        try session.waitFor(InteractiveReplTests.firstPrompt)
        return session
    }

    @Test func tabCompletesAGlobalAFieldAndACommandWord() throws {
        let session = try startedRepl()
        try session.type("incident_count = 41")
        try session.press("Enter")
        try session.type("incid")
        try session.press("Tab")
        try session.waitFor("> incident_count")
        try session.type(" + 1 .. ' incidents'")
        try session.press("Enter")
        try session.waitFor("42 incidents")

        try session.type("sim.adv")
        try session.press("Tab")
        try session.waitFor("> sim.advance(")
        try session.type("\"5m\")")
        try session.press("Enter")
        try session.waitFor("[09:05:00] >")

        try session.type("help \"faults.cr")
        try session.press("Tab")
        try session.waitFor("> help \"faults.crash\"")
        try session.press("Enter")
        try session.waitFor("faults.crash(host)\n  crash a host")

        try session.type("faults.restart(\"no")
        try session.press("Tab")
        try session.waitFor("> faults.restart(\"node-")
        try session.press("Tab")
        try session.waitFor("node-1  node-2  node-3")
        // Ctrl-C clears the line; type on only once the fresh prompt is there, as a person does.
        try session.press("C-c", until: "node-^C\n[09:05:00] >")

        // The name of a live object, inside kubectl's string.
        try session.type("kubectl \"describe deployments we")
        try session.press("Tab")
        try session.waitFor("> kubectl \"describe deployments web")
        try session.type("\"")
        try session.press("Enter")
        try session.waitFor("Name:                   web")
    }

    @Test func tabListsAModulesFunctionsWithWhatTheyDo() throws {
        let session = try startedRepl()
        try session.type("fau")
        try session.press("Tab")
        try session.waitFor("> faults.")
        try session.press("Tab")
        let screen = try session.waitFor("crash      crash a host")
        #expect(screen.contains("partition  cut the network between groups of zones or hosts"))
        #expect(screen.hasSuffix("> faults.\n") || screen.contains("> faults.\n"), "the line is redrawn under the list")
    }

    @Test func historyIsRecalledAcrossRunsWithMultiLineChunksWhole() throws {
        let home = try CommandRunner.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        do {
            let first = try startedRepl(home: home)
            for line in ["function twice(n)", "  return n * 2", "end", "greeting = 'hello again'"] {
                try first.type(line)
                try first.press("Enter")
            }
            try first.waitFor("[09:00:00] > greeting = 'hello again'\n[09:00:00] >")
            try first.press("C-d")
            #expect(try first.waitForExit() == 0)
        }
        let second = try startedRepl(home: home)
        try second.press("Up")
        try second.waitFor("> greeting = 'hello again'")
        try second.press("Up")
        try second.waitFor("> function twice(n)\n  return n * 2\nend")
        try second.press("Enter")
        try second.type("twice(21) .. ' from history'")
        try second.press("Enter")
        try second.waitFor("42 from history")
    }

    @Test func ctrlCStopsARunawayLoopAndTheNextCommandWorks() throws {
        let session = try startedRepl()
        try session.type("while true do end")
        try session.press("Enter")
        try session.waitUntilEntered("> while true do end")
        try session.press("C-c", until: "interrupted")
        try session.type("'still ' .. 'here'")
        try session.press("Enter")
        try session.waitFor("still here")
    }

    /// Work inside library functions (a pattern that backtracks for ever, a huge sort) stops at
    /// Ctrl-C too, with no budget to do it: the REPL runs without an instruction limit here.
    @Test(arguments: ["string.rep('a', 3000):find(string.rep('a-', 20) .. 'b')",
                      "local t = {} for i = 1, 2e6 do t[i] = -i end table.sort(t, function(a, b) return a < b end)"])
    func ctrlCStopsWorkInsideLibraryFunctions(_ command: String) throws {
        let session = try TerminalSession(["repl", "--seed", "1", "--instruction-limit", "0", "--wall-clock-limit", "0"])
        try session.waitFor(InteractiveReplTests.firstPrompt)
        try session.type(command)
        try session.press("Enter")
        try session.waitUntilEntered("> " + command)
        try session.press("C-c", until: "interrupted")
        try session.type("'still ' .. 'here'")
        try session.press("Enter")
        try session.waitFor("still here")
    }

    @Test func ctrlCStopsALongAdvanceBetweenEvents() throws {
        let session = try startedRepl()
        try session.type("ticks = 0 sim.every(1, function() ticks = ticks + 1 end)")
        try session.press("Enter")
        try session.type("sim.advance('100000h')")
        try session.press("Enter")
        try session.waitUntilEntered("> sim.advance('100000h')")
        let screen = try session.press("C-c", until: "interrupted at ")
        let stoppedAt = try #require(screen.components(separatedBy: "interrupted at ").last?.prefix(8))
        // The world is consistent: every simulated second that passed ran its tick, no more.
        try session.type("sim.clock() .. ' ' .. (ticks == math.floor(sim.now()) and 'consistent' or 'torn')")
        try session.press("Enter")
        try session.waitFor("[\(stoppedAt)] >")
        try session.waitFor("\(stoppedAt) consistent")
    }

    @Test func ctrlCClearsTheLineBeingTyped() throws {
        let session = try startedRepl()
        try session.type("faults.crash('node-1'")
        try session.press("C-c")
        try session.waitFor("^C\n" + InteractiveReplTests.firstPrompt)
        try session.type("'fresh line'")
        try session.press("Enter")
        let screen = try session.waitFor("fresh line\n")
        #expect(!screen.contains("node-1 is down"), "the cleared line never ran")
        try session.type("if true then")
        try session.press("Enter")
        try session.waitFor("\n>>")
        try session.press("C-c")
        try session.waitFor(">> ^C\n" + InteractiveReplTests.firstPrompt)
        try session.type("'after the chunk'")
        try session.press("Enter")
        try session.waitFor("after the chunk\n")
    }

    @Test func aFunctionCanBeDefinedOverSeveralLines() throws {
        let session = try startedRepl()
        try session.type("function twice(n)")
        try session.press("Enter")
        try session.waitFor("\n>>")
        try session.type("  return n * 2")
        try session.press("Enter")
        try session.type("end")
        try session.press("Enter")
        try session.type("twice(21)")
        try session.press("Enter")
        let screen = try session.waitFor("> twice(21)\n42\n")
        #expect(screen.contains("> function twice(n)\n>>   return n * 2\n>> end\n"))
    }

    @Test func ctrlDOnAnUnfinishedChunkDropsItInsteadOfLeaving() throws {
        let session = try startedRepl()
        try session.type("for i = 1, 3 do")
        try session.press("Enter")
        try session.waitFor("\n>>")
        try session.press("C-d")
        try session.waitFor("unfinished chunk dropped; Ctrl-D again leaves\n" + InteractiveReplTests.firstPrompt)
        try session.type("'still in'")
        try session.press("Enter")
        try session.waitFor("\nstill in\n")
        try session.press("C-d")
        #expect(try session.waitForExit() == 0)
    }

    @Test func colourIsOnInATerminalAndOffWithNoColor() throws {
        let statusLine = "'pay-1   Running   pay-2   CrashLoopBackOff'"
        let coloured = try startedRepl()
        try coloured.type(statusLine)
        try coloured.press("Enter")
        try coloured.type("error('boom')")
        try coloured.press("Enter")
        try coloured.waitFor("stdin:1: boom")
        let colourScreen = try coloured.screen(escapes: true)
        #expect(colourScreen.contains("\u{1B}[32mRunning"))
        #expect(colourScreen.contains("\u{1B}[31mCrashLoopBackOff"))
        #expect(colourScreen.contains("\u{1B}[31mstdin:1: boom"))

        let plain = try startedRepl(environment: ["NO_COLOR": "1"])
        try plain.type(statusLine)
        try plain.press("Enter")
        try plain.type("error('boom')")
        try plain.press("Enter")
        try plain.waitFor("stdin:1: boom")
        let plainScreen = try plain.screen(escapes: true)
        #expect(!plainScreen.contains("\u{1B}["), "NO_COLOR: not one escape code")
        #expect(plainScreen.contains("pay-1   Running   pay-2   CrashLoopBackOff"))
    }

    @Test func exitLeavesCleanly() throws {
        let session = try startedRepl()
        try session.type("exit")
        try session.press("Enter")
        #expect(try session.waitForExit() == 0)
    }

    @Test func aKilledReplGivesTheTerminalBack() throws {
        // The REPL keeps the terminal in edit mode (no echo) while a command runs; killed then, it
        // must not leave the trainee's shell without echo.
        let session = try TerminalSession(["repl"], afterwards: "echo \"modes:$(stty -a | grep -o ' -*echo ' | head -1)$(stty -a | grep -o ' -*icanon ')\"")
        try session.waitFor(InteractiveReplTests.firstPrompt)
        try session.type("while true do end")
        try session.press("Enter")
        try session.waitUntilEntered("> while true do end")
        try session.signalFiredrill(SIGTERM)
        #expect(try session.waitForExit() == 128 + SIGTERM)
        let screen = try session.waitFor("modes:")
        #expect(screen.contains("modes: echo  icanon"))
    }

    @Test func noHistoryLeavesNoFile() throws {
        let home = try CommandRunner.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let session = try TerminalSession(["repl", "--no-history"], home: home)
        try session.waitFor(InteractiveReplTests.firstPrompt)
        try session.type("secret = 'do not keep'")
        try session.press("Enter")
        try session.waitFor("> secret = 'do not keep'\n[09:00:00] >")
        try session.press("C-d")
        #expect(try session.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("state/firedrill/history").path))
    }
}
