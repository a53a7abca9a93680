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
        #expect(core.submit("end") == .finished(ReplCore.Outcome(text: "")))
        #expect(core.feed("twice(21)").text == "42")
        #expect(core.submit("t = {") == .needsMore)
        #expect(core.submit("1, 2}") == .finished(ReplCore.Outcome(text: "")))
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
}
