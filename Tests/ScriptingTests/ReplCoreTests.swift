import Testing
@testable import Scripting

@Suite struct ReplCoreTests {
    @Test func expressionsPrintTheirValues() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.feed("1 + 2").text == "3")
        #expect(core.feed("'text', 2.5, nil").text == "text\t2.5\tnil")
        #expect(core.feed("x = 10").text == "")
        #expect(core.feed("=x * 2").text == "20")
        #expect(core.feed("{b = 2, a = 1, 'first'}").text == "{ \"first\", a = 1, b = 2 }")
    }

    @Test func multiLineChunksContinue() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.submit("function twice(n)") == .needsMore)
        #expect(core.isContinuing)
        #expect(core.submit("  return n * 2") == .needsMore)
        #expect(core.submit("end") == .output("", failed: false))
        #expect(core.feed("twice(21)").text == "42")
        #expect(core.submit("t = {") == .needsMore)
        #expect(core.submit("1, 2}") == .output("", failed: false))
        #expect(core.feed("#t").text == "2")
    }

    @Test func errorsPrintAndTheReplGoesOn() throws {
        let core = ReplCore(runtime: try makeRuntime())
        let failure = core.feed("error('boom')")
        #expect(failure.failed)
        #expect(failure.text.hasPrefix("stdin:1: boom"))
        #expect(failure.text.contains("stack traceback:"))
        #expect(!failure.text.contains("[C]"), "host frames are hidden")
        let syntax = core.feed("x = = 1")
        #expect(syntax.failed && syntax.text.contains("unexpected symbol"))
        #expect(!core.isContinuing)
        #expect(core.feed("1").text == "1")
    }

    @Test func printOutputComesBeforeResults() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.feed("print('a', 1) return 'b'").text == "a\t1\nb")
    }

    @Test func renderingMarksCyclesAndLimitsDepth() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.feed("local t = {name = 'loop'} t.self = t return t").text == "{ name = \"loop\", self = <cycle> }")
        #expect(core.feed("{a = {b = {c = {d = {e = 1}}}}}").text == "{ a = { b = { c = { d = {...} } } } }")
        let big = core.feed("local t = {} for i = 1, 500 do t[i] = i end return t").text
        #expect(big.contains("… (400 more)"))
        #expect(core.feed("setmetatable({}, {__tostring = function() return 'custom' end})").text == "custom")
    }

    @Test func cancellingPendingInputStartsOver() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.submit("for i = 1, 3 do") == .needsMore)
        core.cancelPending()
        #expect(!core.isContinuing)
        #expect(core.feed("'fresh'").text == "fresh")
    }

    @Test func thePromptShowsTheSimulatedClockAndALabsStep() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.prompt == "[09:00:00] > ")
        _ = core.feed("sim.advance('12m5s')")
        #expect(core.prompt == "[09:12:05] > ")
        var step = 2
        core.promptDecoration = { "step \(step)/5" }
        #expect(core.prompt == "[09:12:05 step 2/5] > ")
        step = 3
        #expect(core.prompt == "[09:12:05 step 3/5] > ", "the decoration is asked afresh for every prompt")
        #expect(core.submit("if true then") == .needsMore)
        #expect(core.prompt == ">> ")
    }

    @Test func noticesWaitForTheNextPrompt() throws {
        let core = ReplCore(runtime: try makeRuntime())
        core.runtime.postNotice("step 2 done: the partition is healed")
        core.runtime.postNotice("etcd leader changed", kind: .alert)
        core.runtime.callbackErrors.append(LuaError(kind: .runtime, message: "stdin:1: tick failed",
                                                    traceback: ["[C]: in function 'error'", "stdin:1: in function <stdin:1>"]))
        let notices = core.noticesBetweenCommands()
        #expect(notices == [
            Notice("step 2 done: the partition is healed"),
            Notice("etcd leader changed", kind: .alert),
            Notice("callback failed: stdin:1: tick failed\nstack traceback:\n\tstdin:1: in function <stdin:1>", kind: .error),
        ])
        #expect(core.noticesBetweenCommands().isEmpty, "each notice is shown once")
    }

    @Test func aSessionCanSayWhereItWasRecorded() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.farewell() == nil)
        core.farewellNote = { "session recorded in /tmp/monzo-2017.jsonl" }
        #expect(core.farewell() == "session recorded in /tmp/monzo-2017.jsonl")
    }

    @Test func exitLeavesButOnlyOnALineOfItsOwn() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.step("exit") == .leave)
        #expect(core.step("  quit()  ") == .leave)
        #expect(core.step("exit_code = 3") == .finished(ReplCore.Outcome(text: "")))
        #expect(core.step("local t = {") == .needsMore)
        #expect(core.step("exit") != .leave, "inside an unfinished chunk it is just a name")
        core.cancelPending()
        #expect(core.submit("exit") == .output("nil", failed: false), "submit keeps lua's semantics, for labs and replays")
    }

    @Test func theErrorIsKeptApartForTheTerminalToColour() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.step("print('before') error('boom')") == .finished(ReplCore.Outcome(
            text: "before", error: "stdin:1: boom\nstack traceback:\n\tstdin:1: in main chunk")))
    }

    @Test func errorsShowAShortTracebackOfTheTraineesCode() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.feed("local function f(n) if n == 0 then error('deep') end return f(n - 1) + 1 end f(10)").text
                .components(separatedBy: "in upvalue 'f'").count == 11, "by default the whole traceback, as lua shows it")
        core.maximumTracebackFrames = 4
        let deep = core.feed("local function f(n) if n == 0 then error('deep') end return f(n - 1) + 1 end f(10)")
        #expect(deep.text == """
        stdin:1: deep
        stack traceback:
        \tstdin:1: in upvalue 'f'
        \tstdin:1: in upvalue 'f'
        \tstdin:1: in upvalue 'f'
        \tstdin:1: in upvalue 'f'
        \t… (8 more)
        """)
        let fromCallback = core.feed("sim.at('+1s', function() error('inject failed') end) sim.advance(2)")
        #expect(fromCallback.text.components(separatedBy: "\n").filter { $0.contains("stack traceback:") }.count == 1,
                "the callback's traceback is folded into one")
        #expect(fromCallback.text.contains("in function <stdin:1>"), "and still shows where the callback failed")
    }
}
